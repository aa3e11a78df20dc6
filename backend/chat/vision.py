"""Chat with a vision-language model (the chat process's side, torch imported lazily): the model loaded with
AutoModelForImageTextToText (and the job's adapter), the processor from the job's adapter folder (the chat
template it trained with), and a conversation whose messages carry images turned into the processor's inputs.

    processor, model = load_vision(base, adapter)
    inputs = vision_inputs(processor, messages, model.device)   # messages: {"role", "content", "images": [paths]}
    model.generate(**inputs, ...)

A message's images go where its "<image>" placeholders are, as in LLaMA-Factory's rows; a message without
placeholders has its images before its text (as mllm_demo's questions do: "<image>Who are they?").
"""

from __future__ import annotations

from pathlib import Path

from backend.data.images import IMAGE_PLACEHOLDER


def processor_source(base: str, adapter: str | None) -> str:
    """Where the processor is read: the adapter folder when it holds one (a job's adapter/ does: the chat template
    it trained with), else the job's adapter/ for one of its checkpoints, else the base model folder."""
    candidates = []
    if adapter:
        folder = Path(adapter)
        candidates.append(folder)
        if folder.parent.name == "checkpoints":
            candidates.append(folder.parent.parent / "adapter")
    for folder in candidates:
        if (folder / "preprocessor_config.json").is_file() or (folder / "processor_config.json").is_file():
            return str(folder)
    return base


def load_vision(base: str, adapter: str | None, trust_remote_code: bool = False, spec=None):
    """(processor, model in eval mode on the GPU when there is one). `spec`: a qlora job's JobSpec, so the base
    holds the values of the quantized weights its adapter learnt against (backend.training.quantized)."""
    from transformers import AutoModelForImageTextToText

    from backend.chat.weights import load_weights
    from backend.vlm.processor import load_processor

    processor = load_processor(processor_source(base, adapter), trust_remote_code=trust_remote_code)
    return processor, load_weights(AutoModelForImageTextToText, base, adapter, trust_remote_code, spec)


def with_placeholders(messages: list[dict]) -> tuple[list[dict], list[str]]:
    """The messages as the data layer's image rows (string contents with one "<image>" per image, `images` off)
    and all their images' paths in order."""
    out, paths = [], []
    for m in messages:
        images = [str(p) for p in (m.get("images") or [])]
        content = m.get("content") or ""
        if images and isinstance(content, str) and content.count(IMAGE_PLACEHOLDER) != len(images):
            content = IMAGE_PLACEHOLDER * len(images) + content.replace(IMAGE_PLACEHOLDER, "")
        out.append({k: v for k, v in m.items() if k != "images"} | {"content": content})
        paths += images
    return out, paths


def vision_inputs(processor, messages: list[dict], device):
    """The processor's tensors for `messages` with the generation prompt: input_ids, attention_mask and the
    images' own (pixel_values, image_grid_thw, ...)."""
    from backend.data.vision_rows import open_image, structured

    rows, paths = with_placeholders(messages)
    text = processor.apply_chat_template(structured(rows), add_generation_prompt=True, tokenize=False)
    images = [open_image(p) for p in paths]
    enc = processor(text=[text], images=images or None, add_special_tokens=False, return_tensors="pt")
    return enc.to(device)
