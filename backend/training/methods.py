"""Fine-tuning methods as PEFT configs (the LoRA family for now)."""

from __future__ import annotations

from backend.spec import MethodSpec


def target_modules(method: MethodSpec) -> str | list[str]:
    value = method.target_modules.strip()
    if value in ("all-linear", "all_linear", "all"):
        return "all-linear"
    return [m.strip() for m in value.split(",") if m.strip()]


def peft_config(method: MethodSpec):
    from peft import LoraConfig, TaskType

    return LoraConfig(
        task_type=TaskType.CAUSAL_LM,
        r=method.lora_r,
        lora_alpha=method.lora_alpha,
        lora_dropout=method.lora_dropout,
        target_modules=target_modules(method),
    )
