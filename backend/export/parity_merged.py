"""The parity checks of a merged folder (backend.export.parity): loaded with plain transformers (no peft), in
float32, its own tokenizer and generation config, against base + adapter."""

from __future__ import annotations

from pathlib import Path

from backend.export.parity_common import LOGIT_TOLERANCE, greedy, greedy_row, logits_of, row, stop_ids, text_rows
from backend.messages import msg


def stop_row(ref: dict, stops: list[int], stop_text: list[str], source: str) -> dict:
    if stops == ref["stops"] and stop_text == ref["stop_text"]:
        return row("stop", "ok", msg("export.parity_stop_same", tokens=", ".join(f"{t} ({i})" for i, t in
                                                                                  zip(stops, stop_text))))
    return row("stop", "mismatch", msg("export.parity_stop_differs", source=source,
                                       want=", ".join(f"{t} ({i})" for i, t in zip(ref["stops"], ref["stop_text"])),
                                       got=", ".join(f"{t} ({i})" for i, t in zip(stops, stop_text))))


def merged_rows(ref: dict, folder: Path) -> list[dict]:
    import json

    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = "merged"
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    saved = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8")).get("dtype", "float32")
    texts, ids = [], []
    for p in ref["prompts"]:
        if tokenizer.chat_template:
            texts.append(tokenizer.apply_chat_template(p["messages"], tokenize=False, add_generation_prompt=True))
        else:
            texts.append("")
        ids.append(tokenizer(texts[-1], add_special_tokens=False)["input_ids"])
    rows = text_rows(ref, texts, ids, source)
    stops = stop_ids(tokenizer, model.generation_config)
    rows.append(stop_row(ref, stops, [tokenizer.convert_ids_to_tokens(i) for i in stops], source))
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (stops or [None])[0]
    # the reference prompt ids: a drifted template shows above, the weights are judged here on their own
    got = [greedy(model, p["ids"], stops, pad) for p in ref["prompts"]]
    rows.append(greedy_row(ref, got, required=True))
    diff = max(float(np.abs(logits_of(model, p["ids"] + p["continuation"]) - p["logits"]).max())
               for p in ref["prompts"])
    rows.append(logits_row(diff, saved))
    return rows


def logits_row(diff: float, saved: str | None) -> dict:
    """The logits check: float32 weights within LOGIT_TOLERANCE of base + adapter; 16-bit ones only reported."""
    if saved in ("float32", None):
        result = "ok" if diff <= LOGIT_TOLERANCE else "mismatch"
        out = row("logits", result, msg("export.parity_logits", diff=f"{diff:.2e}", tol=f"{LOGIT_TOLERANCE:g}"))
    else:
        out = row("logits", "info", msg("export.parity_logits_16bit", diff=f"{diff:.2e}", dtype=saved,
                                        tol=f"{LOGIT_TOLERANCE:g}"))
    out["max_diff"] = diff
    return out
