"""A vision-language job as the export and evaluation paths see it: telling one from a text job, its base model,
and base + adapter loaded as it trained (the reference the merged export and `studio eval` use).

    is_vision_job(job_dir)                       # its adapter folder holds an image processor, or its model has a tower
    processor, model = load_vision_job(job_dir, workspace)   # float32, eval mode; a PeftModel for an adapter job

The model class is transformers' AutoModelForImageTextToText (the Qwen2-VL family and the others backend.vlm
names); the processor is the one the job saved beside its adapter (backend.vlm.processor.load_processor), so its
chat template is the job's.
"""

from __future__ import annotations

import json
from pathlib import Path

PROCESSOR_FILES = ("preprocessor_config.json", "processor_config.json")


def _spec(job_dir: Path) -> dict:
    import yaml

    try:
        return yaml.safe_load((Path(job_dir) / "spec.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, ValueError):
        return {}


def is_vision_job(job_dir: Path) -> bool:
    """The job trained a vision-language model: its adapter folder holds the image processor the worker saved, or
    a whole saved model (full / freeze) with a vision tower, or its spec's model is one (demo-vl, a folder or a
    cached hub id whose config has a vision_config)."""
    from backend.vlm import is_vision_config, is_vision_model

    adapter = Path(job_dir) / "adapter"
    if (adapter / "preprocessor_config.json").is_file():
        return True
    try:
        if is_vision_config(json.loads((adapter / "config.json").read_text(encoding="utf-8"))):
            return True
    except (OSError, ValueError):
        pass
    name = (_spec(job_dir).get("model") or {}).get("name_or_path")
    return bool(name) and is_vision_model(str(name))


def model_name(job_dir: Path) -> str:
    return str((_spec(job_dir).get("model") or {}).get("name_or_path") or "?")


def base_path(job_dir: Path, workspace=None) -> str:
    """The base model folder (or hub id) the job's adapter was trained on (backend.export.job_base; the demo-vl
    name resolves to the workspace's built demo)."""
    from backend.export.job_base import trained_base

    job_dir = Path(job_dir)
    return trained_base(job_dir, job_dir / "adapter", _spec(job_dir), workspace)


def load_vision_job(job_dir: Path, workspace=None, dtype=None):
    """(processor, model) of a finished vision-language job, on the CPU in eval mode: base + adapter (a PeftModel:
    `with model.disable_adapter():` gives the base), a qlora job's base with the quantized values it trained on;
    a full / freeze job's saved model as it is."""
    from backend.training.bnb_import import import_bitsandbytes

    import_bitsandbytes()  # before peft imports it: no hub kernel fetch
    import torch
    from transformers import AutoModelForImageTextToText

    from backend.spec import JobSpec
    from backend.vlm.processor import load_processor

    job_dir = Path(job_dir)
    adapter = job_dir / "adapter"
    spec = JobSpec.from_dict(_spec(job_dir))
    trust = spec.model.trust_remote_code
    processor = load_processor(adapter, trust_remote_code=trust)
    if (adapter / "config.json").is_file():
        model = AutoModelForImageTextToText.from_pretrained(adapter, dtype=dtype or torch.float32,
                                                            trust_remote_code=trust)
        return processor, model.eval()
    from peft import PeftModel

    from backend.training.quantized import load_trained_base

    base = load_trained_base(AutoModelForImageTextToText, base_path(job_dir, workspace), spec, dtype=dtype)
    return processor, PeftModel.from_pretrained(base, adapter).eval()


def prompt_images(messages: list[dict], images: list[str]) -> list[str]:
    """The images of a prompt (a row's messages less its reply): as many of the row's images, in order, as the
    prompt's "<image>" placeholders."""
    from backend.data.images import IMAGE_PLACEHOLDER

    n = sum(m["content"].count(IMAGE_PLACEHOLDER) for m in messages if isinstance(m.get("content"), str))
    return list(images or [])[:n]


def model_inputs(processor, messages: list[dict], images: list[str]):
    """(rendered prompt, the processor's tensors) of a prompt with its images: "<image>" placeholders become image
    parts, the chat template renders them with a generation prompt, the processor expands each image's tokens."""
    from backend.data.vision_rows import open_image, structured

    text = processor.apply_chat_template(structured(messages), tokenize=False, add_generation_prompt=True)
    pictures = [open_image(p) for p in images]
    enc = processor(text=[text], images=pictures or None, add_special_tokens=False, return_tensors="pt")
    return text, dict(enc)


def generate(model, processor, inputs: dict, max_new_tokens: int, stops=None) -> list[int]:
    """The greedy continuation (token ids) of `inputs`, never an image or video placeholder token."""
    import torch

    from backend.vlm import placeholder_ids

    tok = processor.tokenizer
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False, eos_token_id=stops or None,
                             pad_token_id=pad, suppress_tokens=placeholder_ids(model) or None)
    return out[0, inputs["input_ids"].shape[1]:].tolist()


def logits(model, inputs: dict, continuation: list[int]):
    """The logits (numpy, float32) over the prompt with its images and the continuation after it."""
    import torch

    ids = torch.cat([inputs["input_ids"], torch.tensor([continuation], dtype=inputs["input_ids"].dtype)], dim=1)
    full = {**inputs, "input_ids": ids, "attention_mask": torch.ones_like(ids)}
    if "mm_token_type_ids" in inputs:  # one per token: the continuation is text
        extra = torch.zeros((1, len(continuation)), dtype=inputs["mm_token_type_ids"].dtype)
        full["mm_token_type_ids"] = torch.cat([inputs["mm_token_type_ids"], extra], dim=1)
    with torch.no_grad():
        return model(**full).logits[0].float().cpu().numpy()
