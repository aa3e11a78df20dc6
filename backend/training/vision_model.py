"""What of a vision-language model trains: the language model always; the projector and the vision tower only
when the method asks (method.train_projector / method.train_vision_tower), as LLaMA-Factory's
freeze_multi_modal_projector / freeze_vision_tower do.

    check_vision_method(spec)                # a method this path offers, else TrainingError
    config = vision_lora_config(spec, n)     # LoRA on the trained parts' linear layers; the projector whole
    restrict_to_parts(model, spec)           # full / freeze: the frozen parts' weights stop training
"""

from __future__ import annotations

from backend.messages import msg
from backend.spec import JobSpec

VISION_METHODS = ("lora", "dora", "rslora", "qlora", "full", "freeze")


def check_vision_method(spec: JobSpec) -> None:
    from backend.training.errors import TrainingError

    if spec.method.name not in VISION_METHODS:
        raise TrainingError("bad_spec", msg("vision.method_not_for_vision", method=spec.method.name),
                            msg("vision.method_not_for_vision_hint"))


def vision_lora_config(spec: JobSpec, total_steps: int | None = None):
    """The LoRA config of a vision-language job: adapters on the language model's (and, when it trains, the
    vision tower's) linear layers chosen by method.target_modules; the projector trained whole when asked."""
    from peft import LoraConfig, TaskType

    from backend.training.methods import target_modules
    from backend.vlm import lora_target_regex, projector_suffixes, trained_parts

    m = spec.method
    check_vision_method(spec)
    parts = trained_parts(m)
    return LoraConfig(
        task_type=TaskType.CAUSAL_LM,
        r=m.lora_r,
        lora_alpha=m.lora_alpha,
        lora_dropout=m.lora_dropout,
        target_modules=lora_target_regex(target_modules(m), parts),
        modules_to_save=projector_suffixes() if "projector" in parts else None,
        use_dora=m.name == "dora",
        use_rslora=m.name == "rslora",
    )


def restrict_to_parts(model, spec: JobSpec) -> None:
    """full / freeze on a vision-language model: the parts the method does not train (the vision tower and the
    projector, by default) are frozen again after apply_freeze chose what trains; freeze's last layers count in
    the language model only (a vision tower's `blocks.N` are not decoder layers). LoRA methods: no-op (their
    adapters sit only where vision_lora_config puts them)."""
    from backend.vlm import part_of, trained_parts

    if spec.method.name not in ("full", "freeze"):
        return
    parts = trained_parts(spec.method)
    for name, param in model.named_parameters():
        part = part_of(name)
        if part != "language":
            param.requires_grad = part in parts  # trained whole when asked
            if param.requires_grad and param.dtype.is_floating_point and param.element_size() < 4:
                param.data = param.data.float()
