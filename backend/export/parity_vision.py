"""The parity check of a vision-language job's merged folder (backend.export.parity): the merged model, loaded with
transformers alone (AutoModelForImageTextToText, its own processor, no peft), against base + adapter, on prompts
WITH an image.

Prompts: data/vision_demo/mllm_demo_data/1.jpg with "Who are they?", a text-only turn, and the first two of the
job's eval (else training) prompts with their own images. For each the merged folder must give:
  prompt       the same rendered prompt (its processor's chat template, image parts included)
  prompt_ids   the same token ids from its processor (each image expanded into its image tokens)
  pixels       the same pixel tensors and image grid from its image processor
  stop         the same end-of-turn tokens
  greedy       the same greedy continuation (up to 32 tokens), from the reference's inputs
  logits       float32: max |logit difference| <= 1e-4 over prompt + continuation (16-bit folders: shown)
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.export.parity_common import MAX_NEW_TOKENS, greedy_row, row, stop_ids, text_rows
from backend.export.vision_job import generate, load_vision_job, logits, model_inputs, prompt_images
from backend.messages import msg
from backend.resources import PROJECT_ROOT

log = logging.getLogger("studio.export")
DEMO_IMAGE = PROJECT_ROOT / "data" / "vision_demo" / "mllm_demo_data" / "1.jpg"
FIXED_VISION_PROMPTS = [
    ([{"role": "user", "content": "<image>Who are they?"}], [str(DEMO_IMAGE)]),
    ([{"role": "user", "content": "Who are you?"}], []),
]


def vision_job_prompts(job_dir: Path, workspace, n: int = 2) -> list[tuple[list[dict], list[str]]]:
    """The first `n` eval (else training) prompts of the job with their images, less their reference replies."""
    try:
        from backend.evaluation import eval_prompts
        from backend.spec import JobSpec

        spec = JobSpec.from_yaml((Path(job_dir) / "spec.yaml").read_text(encoding="utf-8"))
        examples, _ = eval_prompts(spec, workspace, n)
    except Exception as e:  # noqa: BLE001 - the fixed prompts still check the export
        log.warning("parity: the job's own prompts could not be read (%s); fixed prompts only", e)
        return []
    out = []
    for e in examples:
        prompt = e["messages"][:-1]
        out.append((prompt, prompt_images(prompt, e.get("images") or [])))
    return out


def vision_reference(job_dir: Path, workspace) -> dict:
    """Base + adapter in float32: per prompt its rendered text, ids, images' tensors, greedy continuation, logits."""
    processor, model = load_vision_job(job_dir, workspace)
    tok = processor.tokenizer
    stops = stop_ids(tok, model.generation_config)
    prompts = []
    for messages, images in FIXED_VISION_PROMPTS + vision_job_prompts(job_dir, workspace):
        text, inputs = model_inputs(processor, messages, images)
        cont = generate(model, processor, inputs, MAX_NEW_TOKENS, stops)
        prompts.append({"messages": messages, "images": images, "text": text,
                        "ids": inputs["input_ids"][0].tolist(), "inputs": inputs, "continuation": cont,
                        "logits": logits(model, inputs, cont), "reply": tok.decode(cont, skip_special_tokens=True)})
    return {"prompts": prompts, "stops": stops, "stop_text": [tok.convert_ids_to_tokens(i) for i in stops],
            "eos": tok.eos_token_id, "vision": True}


def _same_pixels(want: dict, got: dict) -> bool:
    import torch

    keys = {k for k in (*want, *got) if k not in ("input_ids", "attention_mask", "mm_token_type_ids")}
    return all(k in want and k in got and want[k].shape == got[k].shape and torch.equal(want[k], got[k])
               for k in keys)


def vision_merged_rows(ref: dict, folder: Path) -> list[dict]:
    import json

    import numpy as np
    import torch
    from transformers import AutoModelForImageTextToText

    from backend.export.parity_merged import logits_row, stop_row
    from backend.vlm.processor import load_processor

    source = "merged"
    processor = load_processor(folder)
    model = AutoModelForImageTextToText.from_pretrained(folder, dtype=torch.float32).eval()
    saved = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8")).get("dtype", "float32")
    texts, ids, pixels_bad = [], [], []
    for i, p in enumerate(ref["prompts"]):
        text, inputs = model_inputs(processor, p["messages"], p["images"])
        texts.append(text)
        ids.append(inputs["input_ids"][0].tolist())
        if not _same_pixels(p["inputs"], inputs):
            pixels_bad.append(i + 1)
    rows = text_rows(ref, texts, ids, source)
    n_images = sum(len(p["images"]) for p in ref["prompts"])
    if pixels_bad:
        rows.append(row("pixels", "mismatch", msg("export.parity_pixels_differ", prompts=pixels_bad, source=source)))
    else:
        rows.append(row("pixels", "ok", msg("export.parity_pixels_same", images=n_images, source=source)))
    tok = processor.tokenizer
    stops = stop_ids(tok, model.generation_config)
    rows.append(stop_row(ref, stops, [tok.convert_ids_to_tokens(i) for i in stops], source))
    # the reference's inputs: a drifted template or image processor shows above, the weights are judged here alone
    got = [generate(model, processor, p["inputs"], MAX_NEW_TOKENS, stops) for p in ref["prompts"]]
    rows.append(greedy_row(ref, got, required=True))
    diff = max(float(np.abs(logits(model, p["inputs"], p["continuation"]) - p["logits"]).max())
               for p in ref["prompts"])
    rows.append(logits_row(diff, saved))
    return rows
