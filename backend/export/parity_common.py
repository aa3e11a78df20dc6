"""The export parity check's shared parts (backend.export.parity runs it): the fixed prompts, the reference
(base + adapter in transformers, float32, on the job's chat template), greedy decoding, and the rows the checks of
a merged folder (parity_merged), a GGUF file (parity_gguf) and a vision-language job (parity_vision) report.
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.messages import msg

log = logging.getLogger("studio.export")
MAX_NEW_TOKENS = 32
LOGIT_TOLERANCE = 1e-4
FIXED_PROMPTS = [
    [{"role": "user", "content": "Who are you?"}],
    [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "What can you do?"}],
    [{"role": "user", "content": "你好，请介绍一下你自己。"}],
]


def row(check: str, result: str, detail) -> dict:
    """result: ok, mismatch, info (shown, not judged) or skipped."""
    ref = detail.to_json() if hasattr(detail, "to_json") else None
    return {"check": check, "result": result, "detail": str(detail), "detail_ref": ref}


def job_prompts(job_dir: Path, workspace, n: int = 2) -> list[list[dict]]:
    """The first `n` eval (else training) prompts of the job, without their reference replies."""
    try:
        from backend.evaluation import eval_prompts
        from backend.spec import JobSpec

        spec = JobSpec.from_yaml((Path(job_dir) / "spec.yaml").read_text(encoding="utf-8"))
        examples, _ = eval_prompts(spec, workspace, n)
        return [e["messages"][:-1] for e in examples]
    except Exception as e:  # noqa: BLE001 - the fixed prompts still check the export
        log.warning("parity: the job's own prompts could not be read (%s); fixed prompts only", e)
        return []


def stop_ids(tokenizer, generation_config) -> list[int]:
    ids = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    extra = getattr(generation_config, "eos_token_id", None)
    for i in extra if isinstance(extra, list) else [extra]:
        if i is not None and i not in ids:
            ids.append(int(i))
    return ids


def greedy(model, ids: list[int], stops: list[int], pad_id) -> list[int]:
    import torch

    x = torch.tensor([ids], device=model.device)
    with torch.no_grad():
        out = model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=MAX_NEW_TOKENS, do_sample=False,
                             eos_token_id=stops or None, pad_token_id=pad_id)
    return out[0, len(ids):].tolist()


def logits_of(model, seq: list[int]):
    import torch

    with torch.no_grad():
        return model(torch.tensor([seq], device=model.device)).logits[0].float().cpu().numpy()


def reference(job_dir: Path, workspace) -> dict:
    """Base + adapter in transformers, float32: per prompt its rendered text, ids, greedy continuation, logits."""
    import yaml

    from backend.chat.server import load
    from backend.export.job_base import trained_base

    job_dir = Path(job_dir)
    adapter = job_dir / "adapter"
    spec = yaml.safe_load((job_dir / "spec.yaml").read_text(encoding="utf-8"))
    whole = (adapter / "config.json").is_file()
    base = str(adapter) if whole else trained_base(job_dir, adapter, spec, workspace)
    tokenizer, model = load(base, None if whole else str(adapter), spec_file=str(job_dir / "spec.yaml"))
    if spec["method"]["name"] != "qlora":
        model = model.float()
    stops = stop_ids(tokenizer, model.generation_config)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (stops or [None])[0]
    prompts = []
    for messages in FIXED_PROMPTS + job_prompts(job_dir, workspace):
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        ids = list(tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_dict=True)["input_ids"])
        cont = greedy(model, ids, stops, pad)
        prompts.append({"messages": messages, "text": text, "ids": ids, "continuation": cont,
                        "logits": logits_of(model, ids + cont)})
    stop_text = [tokenizer.convert_ids_to_tokens(i) for i in stops]
    return {"prompts": prompts, "stops": stops, "stop_text": stop_text, "eos": tokenizer.eos_token_id}


def first_diff(a, b) -> int:
    """The first position where two sequences differ (len of the shorter when one is a prefix)."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def text_rows(ref: dict, texts: list[str], ids: list[list[int]], source: str) -> list[dict]:
    """The prompt and prompt_ids rows: every prompt rendered and tokenized as the reference."""
    rows = []
    for check, got, key in (("prompt", texts, "text"), ("prompt_ids", ids, "ids")):
        bad = [(i, p[key], g) for i, (p, g) in enumerate(zip(ref["prompts"], got)) if p[key] != g]
        if not bad:
            same = (msg("export.parity_prompt_same", n=len(got), source=source) if check == "prompt"
                    else msg("export.parity_prompt_ids_same", n=len(got), source=source))
            rows.append(row(check, "ok", same))
            continue
        i, want, have = bad[0]
        at = first_diff(want, have)
        if check == "prompt":
            detail = msg("export.parity_prompt_differs", n=len(bad), prompt=i + 1, at=at, source=source,
                         want=repr(want[max(0, at - 20):at + 30]), got=repr(have[max(0, at - 20):at + 30]))
        else:
            detail = msg("export.parity_ids_differ", n=len(bad), prompt=i + 1, at=at, source=source,
                         want=want[max(0, at - 3):at + 5], got=have[max(0, at - 3):at + 5])
        rows.append(row(check, "mismatch", detail))
    return rows


def greedy_row(ref: dict, got: list[list[int]], required: bool) -> dict:
    bad = [(i, p["continuation"], g) for i, (p, g) in enumerate(zip(ref["prompts"], got)) if p["continuation"] != g]
    if not bad:
        return row("greedy", "ok", msg("export.parity_greedy_same", n=len(got), tokens=MAX_NEW_TOKENS))
    i, want, have = bad[0]
    at = first_diff(want, have)
    detail = msg("export.parity_greedy_differs", n=len(bad), total=len(got), prompt=i + 1, at=at,
                 want=want[at:at + 4], got=have[at:at + 4])
    return row("greedy", "mismatch" if required else "info", detail)
