"""The export parity check: does the exported model answer as the model tested in the studio?

    report = check_export(job_dir, artifact, "merged" | "gguf", workspace, gguf=made)   # after each export
    print(parity_table(report))                                                          # backend.export.parity_table

The reference is base + adapter in transformers, in float32, the base loaded as the job trained on it
(backend.chat.server.load). Fixed prompts (English, Chinese, a system turn) and the first two of the job's
eval (or training) prompts go through the job's chat template. For each the export must give:
  prompt       the same rendered prompt string (merged folder: its tokenizer's template; GGUF: the template
               embedded in the file, rendered with llama-cpp-python's Jinja2 formatter)
  prompt_ids   the same token ids for that string (GGUF: llama.cpp's own tokenizer)
  stop         the same end-of-turn tokens, ids and text
  greedy       the same greedy continuation, up to 32 tokens (f32/f16/bf16 and merged: required; quantized: shown)
  logits       merged float32: max |logit difference| <= 1e-4 (16-bit merged folders: shown)
  next_tokens  GGUF: the share of teacher-forced next tokens (along the reference continuation) whose argmax
               agrees with transformers'
A vision-language job's merged folder is checked on prompts with an image (backend.export.parity_vision).
Written to <job>/exports/<artifact>.parity.json: {"artifact", "kind", "ok", "rows": [{check, result, detail}]}.
"""

from __future__ import annotations

import json
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


def check_export(job_dir: Path, artifact: Path, kind: str, workspace=None, gguf=None, ref: dict | None = None) -> dict:
    """Run the checks of a merged folder (kind "merged") or a GGUF file (kind "gguf"; `gguf`: its GgufExport)
    and write the report beside the job's exports. Returns the report."""
    from backend.export.vision_job import is_vision_job

    job_dir, artifact = Path(job_dir), Path(artifact)
    if kind == "merged" and is_vision_job(job_dir):  # prompts with an image (backend.export.parity_vision)
        from backend.export.parity_vision import vision_merged_rows, vision_reference

        ref = ref or vision_reference(job_dir, workspace)
        rows = vision_merged_rows(ref, artifact)
    elif kind == "merged":
        from backend.export.parity_merged import merged_rows

        ref = ref or reference(job_dir, workspace)
        rows = merged_rows(ref, artifact)
    else:
        from backend.export.parity_gguf import gguf_rows

        ref = ref or reference(job_dir, workspace)
        rows = gguf_rows(ref, artifact, gguf)
    report = {"artifact": artifact.name, "kind": kind, "prompts": len(ref["prompts"]),
              "ok": all(r["result"] != "mismatch" for r in rows), "rows": rows}
    out = job_dir / "exports" / f"{artifact.name}.parity.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    report["file"] = str(out)
    return report
