"""Which fields of a job spec apply to the job: each method's own knobs only for that method, the `align`
settings only for the stages that read them, evaluation settings only with an evaluation, the settings of
several processes or machines only for such a run, and a blank default (no file, no mapping) nowhere.

    shown = applicable_dict(spec)   # the spec less the fields at their default that do not apply
    text = applicable_yaml(spec)    # the same as YAML (the Review shows it): JobSpec.from_yaml(text) == spec

A field that does not apply but differs from its default is kept (nothing set is hidden), so what is shown
loads back into the very same job; the job's spec.yaml (JobSpec.to_yaml) keeps every field.
"""

from __future__ import annotations

from collections.abc import Callable

import yaml

from backend.spec.job import JobSpec
from backend.spec.sections import LORA_FAMILY, PROMPT_METHODS

LORA = ("lora", "dora", "rslora", "qlora")  # lora_r: adalora has its own ranks


def _method(*names: str) -> Callable[[JobSpec], bool]:
    return lambda spec: spec.method.name in names


def _stage(*names: str) -> Callable[[JobSpec], bool]:
    return lambda spec: spec.stage in names


def _vision(spec: JobSpec) -> bool:
    from backend.vlm import is_vision_model

    return is_vision_model(spec.model.name_or_path)


def _has_eval(spec: JobSpec) -> bool:
    return bool(spec.data.eval.strip()) or spec.data.eval_split > 0


# (section, field) -> whether it applies to the job; a field not listed applies to every job.
RULES: dict[tuple[str, str], Callable[[JobSpec], bool]] = {
    ("method", "lora_r"): _method(*LORA),
    ("method", "lora_alpha"): _method(*LORA_FAMILY),
    ("method", "lora_dropout"): _method(*LORA_FAMILY),
    ("method", "target_modules"): _method(*LORA_FAMILY, "ia3"),
    ("method", "freeze_layers"): _method("freeze"),
    ("method", "freeze_modules"): _method("freeze"),
    ("method", "quant_bits"): _method("qlora"),
    ("method", "double_quant"): lambda spec: spec.method.name == "qlora" and spec.method.quant_bits == 4,
    ("method", "adalora_init_r"): _method("adalora"),
    ("method", "adalora_target_r"): _method("adalora"),
    ("method", "num_virtual_tokens"): _method(*PROMPT_METHODS),
    ("method", "train_projector"): lambda spec: _vision(spec),
    ("method", "train_vision_tower"): lambda spec: _vision(spec),
    ("align", "beta"): _stage("dpo", "orpo", "kto"),
    ("align", "dpo_loss"): _stage("dpo"),
    ("align", "kto_desirable_weight"): _stage("kto"),
    ("align", "kto_undesirable_weight"): _stage("kto"),
    ("align", "num_generations"): _stage("grpo"),
    ("align", "max_completion_length"): _stage("grpo"),
    ("align", "temperature"): _stage("grpo"),
    ("align", "grpo_loss"): _stage("grpo"),
    ("align", "importance_sampling"): _stage("grpo"),
    ("align", "rewards"): _stage("grpo"),
    ("align", "length_target"): lambda spec: spec.stage == "grpo" and bool(spec.align.rewards.get("length")),
    ("data", "split"): lambda spec: False,  # hub datasets' split: shown once it is not the usual `train`
    ("training", "eval_steps"): _has_eval,
    ("training", "early_stopping_patience"): _has_eval,
    ("training", "early_stopping_min_delta"): lambda spec: _has_eval(spec) and spec.training.early_stopping_patience > 0,
    ("training", "sample_prompts"): _stage("sft"),
    ("training", "tokens_per_pass"): _stage("sft", "pt"),
    **{("distributed", name): lambda spec: spec.distributed.num_processes > 1
       for name in ("num_processes", "strategy", "num_machines")},
    **{("distributed", name): lambda spec: spec.distributed.num_machines > 1
       for name in ("machine_rank", "main_process_ip", "main_process_port")},
}


def applies(spec: JobSpec, section: str, name: str) -> bool:
    """Whether `section.name` does anything in this job (its method, stage, evaluation, processes)."""
    rule = RULES.get((section, name))
    return True if rule is None else bool(rule(spec))


def _blank(value) -> bool:
    return value in ("", None) or (isinstance(value, (dict, list)) and not value)


def applicable_dict(spec: JobSpec) -> dict:
    """spec.to_dict() less each field that is at its default and either does not apply or is blank; a section
    left with nothing is left out."""
    full, default = spec.to_dict(), JobSpec().to_dict()
    out: dict = {}
    for section, values in full.items():
        if not isinstance(values, dict):  # the stage
            out[section] = values
            continue
        kept = {name: value for name, value in values.items()
                if value != default[section].get(name) or (applies(spec, section, name) and not _blank(value))}
        if kept:
            out[section] = kept
    return out


def applicable_yaml(spec: JobSpec) -> str:
    return yaml.safe_dump(applicable_dict(spec), sort_keys=False, allow_unicode=True)
