"""After training: what the fine-tune changed, on prompts it did not train on. The base model and
the tuned one answer the same eval prompts; a table of prompt, reference, base reply and tuned
reply, and scores a person understands for both.

    studio eval JOB_ID [--rows 20] [--max-new-tokens 64]

    from backend.evaluation import evaluate_job
    report = evaluate_job(job_dir, workspace, rows=20)
    report["scores"]   # {"base": {"exact_match", "rouge_l", "bleu"}, "tuned": {...}, "rows": n, "source": ...}

Writes `<job>/eval/results.jsonl` (one row per prompt) and `<job>/eval/scores.json`.

The prompts are the job's eval split (the same rows, with the same seed, the worker held out); a job
without one is evaluated on its first training rows, and `source` says so. Replies are greedy, so a
second run gives the same table. Scores: exact match after trimming spaces (a reply that makes the reference's
tool calls, in its template's own wrapping, with the same words around them, matches too: backend.eval_calls);
ROUGE-L F1 (Google's
rouge-score) and BLEU (sacrebleu, with its Chinese tokenizer, which also splits English words), on
0-1 and 0-100 scales. ROUGE-L counts Chinese characters one by one: rouge-score's own tokenizer
drops every non-ASCII character, which would score any Chinese reply 0.

A vision-language job answers with each row's images (backend/evaluation_vision.py; each result row also names
its images).

A qlora job is evaluated on the base it trained on: its quantized layers hold the quantized weights'
values (backend.training.quantized.load_trained_base, as for the merged export and chat), in the tuned
column and in the base column alike.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from backend.eval_calls import same_answer
from backend.messages import message_of, msg

log = logging.getLogger("studio.eval")
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+")


class EvalError(RuntimeError):
    pass


def tokens(text: str) -> list[str]:
    """Words for ROUGE: each CJK character, and each run of Latin letters or digits (lower-cased)."""
    return [t.lower() for t in _TOKEN.findall(text or "")]


class _Tokenizer:
    """rouge-score's tokenizer interface, with `tokens` inside."""

    def tokenize(self, text: str) -> list[str]:
        return tokens(text)


def scores(pairs: list[tuple[str, str]]) -> dict:
    """{exact_match, rouge_l, bleu} of (reply, reference) pairs: shares 0-1, BLEU 0-100."""
    import sacrebleu
    from rouge_score import rouge_scorer

    if not pairs:
        return {"exact_match": 0.0, "rouge_l": 0.0, "bleu": 0.0}
    scorer = rouge_scorer.RougeScorer(["rougeL"], tokenizer=_Tokenizer())
    exact = sum(same_answer(r, ref) for r, ref in pairs) / len(pairs)
    rouge = sum(scorer.score(ref, r)["rougeL"].fmeasure for r, ref in pairs) / len(pairs)
    bleu = sacrebleu.corpus_bleu([r for r, _ in pairs], [[ref for _, ref in pairs]], tokenize="zh").score
    return {"exact_match": round(exact, 4), "rouge_l": round(rouge, 4), "bleu": round(bleu, 2)}


def eval_prompts(spec, workspace, rows: int) -> tuple[list[dict], str]:
    """(examples whose last turn is the reference reply, where they came from)."""
    from backend.data.load import as_sft, load_data

    loaded = load_data(spec.data, workspace.root)
    train, held_out, _ = as_sft(loaded)
    examples, source = (held_out, "eval split") if held_out else (train, "training rows (the job has no eval split)")
    usable = [e for e in examples if e["messages"] and e["messages"][-1]["role"] == "assistant"]
    if not usable:
        raise EvalError(msg("export.eval_no_reference"))
    return usable[:rows], source


def reference_of(message: dict) -> str:
    """The reference answer a held-out reply is: its text, and a tool call it makes as the data writes one
    (`{"name": ..., "arguments": {...}}`, one line per call), so a row ending in a call is compared on the call."""
    calls = [json.dumps({"name": c["function"]["name"], "arguments": c["function"].get("arguments", {})},
                        ensure_ascii=False) for c in message.get("tool_calls") or []]
    return "\n".join(part for part in [message.get("content") or "", *calls] if part.strip())


def evaluate_job(job_dir: Path, workspace, rows: int = 20, max_new_tokens: int = 64) -> dict:
    """Generate with the base and the tuned model on the eval prompts; write and return the report."""
    from backend.spec import JobSpec, get_stage

    job_dir = Path(job_dir)
    adapter = job_dir / "adapter"
    if not adapter.is_dir() or not any(adapter.iterdir()):
        raise EvalError(msg("export.eval_unfinished", job=job_dir.name))
    spec = JobSpec.from_yaml((job_dir / "spec.yaml").read_text(encoding="utf-8"))
    stage = get_stage(spec.stage)
    if not stage.builder or stage.score_head:
        raise EvalError(msg("export.eval_not_generative", stage=spec.stage))
    if rows < 1:
        raise EvalError(msg("export.eval_bad_rows", rows=repr(rows)))
    examples, source = eval_prompts(spec, workspace, rows)
    from backend.export.vision_job import is_vision_job

    if is_vision_job(job_dir):  # the rows' images go in with their prompts (backend.evaluation_vision)
        from backend.evaluation_vision import vision_results

        results = vision_results(job_dir, workspace, examples, max_new_tokens)
    else:
        results = _text_results(job_dir, spec, workspace, examples, max_new_tokens)
    report = {
        "rows": len(results), "source": source, "max_new_tokens": max_new_tokens,
        "base": scores([(r["base"], r["reference"]) for r in results]),
        "tuned": scores([(r["tuned"], r["reference"]) for r in results]),
    }
    out = job_dir / "eval"
    out.mkdir(exist_ok=True)
    (out / "results.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results),
                                       encoding="utf-8")
    (out / "scores.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    log.info("eval on %s %s: base %s, tuned %s", len(results), source, report["base"], report["tuned"])
    return {"scores": report, "results": results}


def _text_results(job_dir: Path, spec, workspace, examples: list[dict], max_new_tokens: int) -> list[dict]:
    from backend.training.generate import greedy_reply

    tokenizer, tuned, base = load_models(job_dir, spec, workspace)
    results = []
    for example in examples:
        prompt, reference = example["messages"][:-1], reference_of(example["messages"][-1])
        tools = example.get("tools") or None  # the tools the row trained with, as the template showed them
        tuned_reply = greedy_reply(tuned, tokenizer, prompt, max_new_tokens, tools=tools)
        if base is None:
            with tuned.disable_adapter():
                base_reply = greedy_reply(tuned, tokenizer, prompt, max_new_tokens, tools=tools)
        else:
            base_reply = greedy_reply(base, tokenizer, prompt, max_new_tokens, tools=tools)
        results.append({"prompt": prompt[-1]["content"], "reference": reference, "base": base_reply,
                        "tuned": tuned_reply})
    return results


def load_models(job_dir: Path, spec, workspace):
    """(tokenizer, tuned, base) of a finished job, in eval mode, as `evaluate_job` compares them. base is
    None for an adapter job: the base replies are the tuned model's with its adapter switched off."""
    from backend.training.bnb_import import import_bitsandbytes

    import_bitsandbytes()  # peft imports it: keep its hub kernel fetch out
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from backend.training.model import resolve_model_path

    adapter = Path(job_dir) / "adapter"
    device = "cuda" if torch.cuda.is_available() and spec.training.device != "cpu" else "cpu"
    tokenizer = AutoTokenizer.from_pretrained(adapter)
    base_path = resolve_model_path(spec, workspace)
    trust = spec.model.trust_remote_code
    if (adapter / "config.json").is_file():  # full / freeze: the trained model is the whole folder
        tuned = AutoModelForCausalLM.from_pretrained(adapter, dtype=torch.float32).to(device).eval()
        base = AutoModelForCausalLM.from_pretrained(base_path, dtype=torch.float32,
                                                    trust_remote_code=trust).to(device).eval()
        return tokenizer, tuned, base
    from peft import PeftModel

    from backend.training.quantized import QuantizedBaseError, load_trained_base

    try:  # a qlora job's base as it trained on it: its quantized layers hold the quantized values
        model = load_trained_base(AutoModelForCausalLM, base_path, spec)
    except QuantizedBaseError as e:
        raise EvalError(message_of(e)) from e
    tuned = PeftModel.from_pretrained(model, adapter).to(device).eval()
    # The base column is this same model with its adapter switched off: the base the job trained on (for
    # qlora, the quantized values, not the original weights), so base vs tuned differ by what the adapter
    # learnt alone, not also by the quantization the tuned model carries.
    return tokenizer, tuned, None
