"""`studio eval` on a vision-language job: the base and the tuned model answer the held-out rows (else the first
training rows) WITH the rows' images, greedily, as backend.evaluation does for text.

    rows = vision_results(job_dir, workspace, examples, max_new_tokens)   # prompt, reference, base, tuned, images

The models are base + adapter as the job trained (backend.export.vision_job.load_vision_job, a qlora job's base
with its quantized values); the base column is the same model with its adapter switched off. A full or freeze job
compares its saved model with the original base folder.
"""

from __future__ import annotations

from pathlib import Path


def vision_results(job_dir: Path, workspace, examples: list[dict], max_new_tokens: int) -> list[dict]:
    import torch
    from transformers import AutoModelForImageTextToText

    from backend.evaluation import reference_of
    from backend.export.vision_job import base_path, generate, load_vision_job, model_inputs, prompt_images

    processor, tuned = load_vision_job(job_dir, workspace)
    base = None
    if not hasattr(tuned, "disable_adapter"):  # full / freeze: the saved model against its original base
        base = AutoModelForImageTextToText.from_pretrained(base_path(job_dir, workspace), dtype=torch.float32).eval()
    tok = processor.tokenizer

    def reply(model, inputs) -> str:
        return tok.decode(generate(model, processor, inputs, max_new_tokens), skip_special_tokens=True).strip()

    results = []
    for example in examples:
        prompt, reference = example["messages"][:-1], reference_of(example["messages"][-1])
        images = prompt_images(prompt, example.get("images") or [])
        _, inputs = model_inputs(processor, prompt, images)
        tuned_reply = reply(tuned, inputs)
        if base is None:
            with tuned.disable_adapter():
                base_reply = reply(tuned, inputs)
        else:
            base_reply = reply(base, inputs)
        results.append({"prompt": prompt[-1]["content"], "reference": reference, "base": base_reply,
                        "tuned": tuned_reply, "images": [Path(p).name for p in images]})
    return results
