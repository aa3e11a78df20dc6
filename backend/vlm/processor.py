"""The processor of a vision-language model (tokenizer + image processor + chat template), loaded and saved
without torchvision: transformers' processors check every part against BaseVideoProcessor, which needs
torchvision, and no CPU build of torchvision loads with this project's torch. Without it the processor is the
model's processor class less its video part (images only)."""

from __future__ import annotations

import json
from pathlib import Path


def images_only_class(base):
    """`base`, or without torchvision (no CPU build of it on this project's index) a subclass that has no video
    processor: transformers' processors check every part against BaseVideoProcessor, which needs torchvision."""
    from transformers.utils import is_torchvision_available

    if is_torchvision_available():
        return base

    class NoVideo(base):
        def check_argument_for_proper_class(self, argument_name, argument):
            if argument is None:
                return None
            return super().check_argument_for_proper_class(argument_name, argument)

        def save_pretrained(self, save_directory, **kwargs):  # the Trainer saves its processing class with a model
            save_processor(self, save_directory)

    NoVideo.__name__ = base.__name__
    return NoVideo


def _json_file(path, name: str) -> dict:
    """A json file of a model folder or hub id ({} when it has none)."""
    try:
        from transformers.utils import cached_file

        found = cached_file(str(path), name, _raise_exceptions_for_missing_entries=False)
        return json.loads(Path(found).read_text(encoding="utf-8")) if found else {}
    except (OSError, ValueError):
        return {}


def processor_class_name(path) -> str:
    """The model's processor class: named by processor_config.json, preprocessor_config.json or
    tokenizer_config.json (transformers writes it in one of them), else Qwen2-VL's."""
    for name in ("processor_config.json", "preprocessor_config.json", "tokenizer_config.json"):
        found = _json_file(path, name).get("processor_class")
        if found:
            return str(found)
    return "Qwen2VLProcessor"


def _chat_template(path) -> str | None:
    try:
        from transformers.utils import cached_file

        found = cached_file(str(path), "chat_template.jinja", _raise_exceptions_for_missing_entries=False)
        if found:
            return Path(found).read_text(encoding="utf-8")
    except OSError:
        pass
    return _json_file(path, "chat_template.json").get("chat_template")


def load_processor(path, trust_remote_code: bool = False):
    """The processor of a vision-language model (a folder or a hub id): AutoProcessor's, or with no torchvision,
    its tokenizer and image processor in the model's processor class without the video part (images only)."""
    import transformers
    from transformers import AutoImageProcessor, AutoProcessor, AutoTokenizer
    from transformers.utils import is_torchvision_available

    if is_torchvision_available():
        return AutoProcessor.from_pretrained(path, trust_remote_code=trust_remote_code)
    cls = images_only_class(getattr(transformers, processor_class_name(path)))
    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
    return cls(
        image_processor=AutoImageProcessor.from_pretrained(path, trust_remote_code=trust_remote_code),
        tokenizer=tokenizer,
        video_processor=None,
        chat_template=_chat_template(path) or tokenizer.chat_template,
    )


def save_processor(processor, out: Path) -> None:
    """The processor saved so that load_processor reads it back: save_pretrained where every part is there, else
    what it would write for an images-only processor (it cannot save a missing part)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if getattr(processor, "video_processor", None) is not None:
        processor.save_pretrained(out)
        return
    processor.tokenizer.save_pretrained(out)
    processor.image_processor.save_pretrained(out)
    if processor.chat_template:
        (out / "chat_template.jinja").write_text(processor.chat_template, encoding="utf-8")
    (out / "processor_config.json").write_text(
        json.dumps({"processor_class": type(processor).__name__}, indent=2) + "\n", encoding="utf-8"
    )


def is_processor(obj) -> bool:
    """A multimodal processor rather than a tokenizer."""
    return getattr(obj, "image_processor", None) is not None
