"""The whole job spec: its sections and stage, the YAML round trip and `--set` overrides, and the rules of
what fits together (every problem collected, each naming its field; backend/spec/__init__.py shows the use).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import yaml

from backend.messages import msg
from backend.spec.checks import (
    SpecError,
    SpecIssue,
    build_section,
    check_choice,
    check_nonempty,
    check_range,
    unknown_field,
)
from backend.spec.checks import help_metadata as _help
from backend.spec.distributed import DistributedSpec, distributed_problems
from backend.spec.sections import (
    COLUMN_ROLES,
    DATA_FORMATS,
    DEMO,
    DPO_LOSSES,
    EXPORT_FORMATS,
    GRPO_LOSSES,
    METHODS,
    PROMPT_METHODS,
    REASONING,
    REWARDS,
    TAG_KEYS,
    AlignSpec,
    DataSpec,
    ExportSpec,
    MethodSpec,
    ModelSpec,
)
from backend.spec.stages import STAGES, stage_method_problems
from backend.spec.training import ATTENTION_CHOICES, PRECISIONS, SCHEDULERS, TRACKERS, TRI_STATE, TrainingSpec

DEMO_DATASET_LABEL = "demo (self-cognition)"  # kept in the job index; the page shows it in its language

SECTIONS = {
    "model": ModelSpec,
    "data": DataSpec,
    "method": MethodSpec,
    "align": AlignSpec,
    "training": TrainingSpec,
    "export": ExportSpec,
    "distributed": DistributedSpec,
}


def _override_value(value: str):
    """A `--set` value as YAML reads it (numbers, true/false, lists, mappings); text YAML cannot read (`[`, `a: b: c`)
    as the text it is, for the field's own check to judge."""
    if not value.strip():
        return ""
    try:
        return yaml.safe_load(value)
    except yaml.YAMLError:
        return value


@dataclass
class JobSpec:
    model: ModelSpec = field(default_factory=ModelSpec)
    data: DataSpec = field(default_factory=DataSpec)
    method: MethodSpec = field(default_factory=MethodSpec)
    stage: str = field(
        default="sft",
        metadata=_help(
            "Training stage: pt (continued pretraining on text), sft (instructions and chats), rm (a reward "
            "model from preference pairs), dpo / orpo (learn from preference pairs), kto (from replies "
            "labelled good or bad), grpo (reinforcement learning with reward functions).",
            choices=STAGES,
        ),
    )
    align: AlignSpec = field(default_factory=AlignSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)
    export: ExportSpec = field(default_factory=ExportSpec)
    distributed: DistributedSpec = field(default_factory=DistributedSpec)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_dict(cls, raw: Any) -> JobSpec:
        """Build and validate; raises SpecError listing every problem found."""
        issues: list[SpecIssue] = []
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise SpecError([SpecIssue("(top)", msg("spec.not_a_mapping", got=type(raw).__name__))])
        allowed = [*SECTIONS, "stage"]
        kwargs: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in allowed:
                issues.append(SpecIssue(str(key), unknown_field(key, allowed)))
                continue
            if key == "stage":
                kwargs["stage"] = value
                continue
            section_cls = SECTIONS[key]
            if value is None:
                value = {}
            if not isinstance(value, dict):
                issues.append(SpecIssue(key, msg("spec.section_not_a_mapping", value=repr(value))))
                continue
            kwargs[key] = build_section(key, section_cls, value, issues)
        spec = cls(**kwargs)
        issues += spec.problems()
        if issues:
            raise SpecError(issues)
        return spec

    @classmethod
    def from_yaml(cls, text: str) -> JobSpec:
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as e:
            from backend.spec.yaml_error import yaml_problem

            raise SpecError([SpecIssue("(yaml)", msg("spec.not_yaml", error=yaml_problem(e, text)))]) from None
        return cls.from_dict(raw)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def with_overrides(self, assignments: list[str]) -> JobSpec:
        """Apply `section.field=value` strings (values parsed as YAML), as `--set` does."""
        raw = self.to_dict()
        for item in assignments:
            if "=" not in item:
                raise SpecError([SpecIssue(item, msg("spec.override_form"))])
            path, value = item.split("=", 1)
            keys = path.strip().split(".")
            target = raw
            for k in keys[:-1]:
                target = target.setdefault(k, {})
                if not isinstance(target, dict):
                    raise SpecError([SpecIssue(path, msg("spec.override_inside_value"))])
            target[keys[-1]] = _override_value(value)
        return JobSpec.from_dict(raw)

    # -- validation -----------------------------------------------------------------------
    def problems(self) -> list[SpecIssue]:
        p: list[SpecIssue] = []
        m, d, me, t = self.model, self.data, self.method, self.training
        check_nonempty(p, "model.name_or_path", m.name_or_path, msg("spec.accept_model"))
        check_choice(p, "stage", self.stage, STAGES)
        check_nonempty(p, "data.train", d.train, msg("spec.accept_train"))
        check_choice(p, "data.format", d.format, DATA_FORMATS)
        check_choice(p, "data.reasoning", d.reasoning, REASONING)
        _data_split(p, d)
        _data_mappings(p, d)
        check_choice(p, "method.name", me.name, METHODS)
        _method(p, me)
        _align(p, self.align, self.stage)
        p += stage_method_problems(self.stage, me.name)
        check_range(p, "method.lora_r", me.lora_r, 1, 1024, msg("spec.accept_whole_range", low=1, high=1024))
        check_range(p, "method.lora_alpha", me.lora_alpha, 1, 4096, msg("spec.accept_whole_range", low=1, high=4096))
        check_range(p, "method.lora_dropout", me.lora_dropout, 0.0, 0.9, msg("spec.accept_number_range", low=0, high=0.9))
        check_nonempty(p, "method.target_modules", me.target_modules, msg("spec.accept_target_modules"))
        check_range(p, "training.num_epochs", t.num_epochs, 0.0, 10000.0, msg("spec.accept_epochs"))
        check_range(p, "training.max_steps", t.max_steps, 0, 10**8, msg("spec.accept_max_steps"))
        if not p and t.max_steps == 0 and t.num_epochs <= 0:
            p.append(SpecIssue("training.num_epochs", msg("spec.no_length")))
        check_range(p, "training.learning_rate", t.learning_rate, 1e-9, 1.0, msg("spec.accept_positive", example="2e-4", high=1),
                    low_open=True)
        check_range(p, "training.batch_size", t.batch_size, 1, 4096, msg("spec.accept_whole_at_least", low=1))
        check_range(p, "training.gradient_accumulation_steps", t.gradient_accumulation_steps, 1, 4096,
                    msg("spec.accept_whole_at_least", low=1))
        check_range(p, "training.tokens_per_pass", t.tokens_per_pass, -1, 10**7, msg("spec.accept_tokens_per_pass"))
        check_range(p, "training.max_length", t.max_length, 8, 1_048_576, msg("spec.accept_max_length"))
        check_choice(p, "training.scheduler", t.scheduler, SCHEDULERS)
        check_range(p, "training.warmup_ratio", t.warmup_ratio, 0.0, 0.5, msg("spec.accept_share"))
        check_range(p, "training.weight_decay", t.weight_decay, 0.0, 1.0, msg("spec.accept_number_range", low=0, high=1))
        check_range(p, "training.max_grad_norm", t.max_grad_norm, 0.0, 1e6, msg("spec.accept_grad_norm"))
        check_range(p, "training.seed", t.seed, 0, 2**32 - 1, msg("spec.accept_whole_range", low=0, high=4294967295))
        check_range(p, "training.logging_steps", t.logging_steps, 1, 10**6, msg("spec.accept_whole_at_least", low=1))
        check_range(p, "training.save_steps", t.save_steps, 0, 10**8, msg("spec.accept_save_steps"))
        check_range(p, "training.save_minutes", t.save_minutes, 0.0, 10**6, msg("spec.accept_save_minutes"))
        check_range(p, "training.eval_steps", t.eval_steps, 0, 10**8, msg("spec.accept_eval_steps"))
        _early_stopping(p, t, d)
        check_range(p, "training.sample_prompts", t.sample_prompts, 0, 50, msg("spec.accept_whole_range", low=0, high=50))
        for tracker in t.report_to:
            check_choice(p, "training.report_to", tracker, TRACKERS)
        check_choice(p, "training.precision", t.precision, PRECISIONS)
        check_choice(p, "training.gradient_checkpointing", t.gradient_checkpointing, ("auto", "on", "off"))
        check_choice(p, "training.device", t.device, ("auto", "cpu", "cuda"))
        check_range(p, "training.cpu_threads", t.cpu_threads, 0, 4096, msg("spec.accept_cpu_threads"))
        check_range(p, "training.memory_limit_gb", t.memory_limit_gb, 0, 1 << 20, msg("spec.accept_memory_limit"))
        for name in ("group_by_length", "padding_free", "fused_kernels"):
            check_choice(p, f"training.{name}", getattr(t, name), TRI_STATE)
        check_choice(p, "training.attention", t.attention, ATTENTION_CHOICES)
        check_choice(p, "training.compile", t.compile, ("off", "on"))
        check_range(p, "training.dataloader_workers", t.dataloader_workers, -1, 64,
                    msg("spec.accept_dataloader_workers"))
        if t.padding_free == "on" and me.name in PROMPT_METHODS:
            p.append(SpecIssue("training.padding_free", msg("spec.padding_free_prompt_method", method=me.name)))
        p += distributed_problems(self.distributed, t.device)
        if not isinstance(self.export.formats, list):
            p.append(SpecIssue("export.formats", msg("spec.formats_not_a_list", value=repr(self.export.formats))))
        else:
            for f in self.export.formats:
                check_choice(p, "export.formats", f, EXPORT_FORMATS)
        return p

    # -- derived, for display -------------------------------------------------------------
    @property
    def dataset_label(self) -> str:
        if self.data.train == DEMO:
            return DEMO_DATASET_LABEL
        return ", ".join(s.strip().rstrip("/").rsplit("/", 1)[-1] for s in self.data.train.split(",") if s.strip())


def field_help(dotted: str) -> str:
    """The help text of `section.field` (or `stage`), for tooltips and CLI help."""
    section, _, name = dotted.partition(".")
    cls = SECTIONS.get(section) if name else JobSpec
    name = name or section
    for f in dataclasses.fields(cls):
        if f.name == name:
            return f.metadata.get("help", "")
    raise KeyError(dotted)


def _method(p: list[SpecIssue], me: MethodSpec) -> None:
    check_range(p, "method.freeze_layers", me.freeze_layers, 1, 10_000, msg("spec.accept_freeze_layers"))
    check_choice(p, "method.quant_bits", me.quant_bits, (4, 8))
    check_range(p, "method.adalora_target_r", me.adalora_target_r, 1, 1024, msg("spec.accept_whole_range", low=1, high=1024))
    if me.adalora_init_r < me.adalora_target_r:
        p.append(SpecIssue("method.adalora_init_r", msg("spec.adalora_init_below_target", init=me.adalora_init_r,
                                                            target=me.adalora_target_r)))
    check_range(p, "method.num_virtual_tokens", me.num_virtual_tokens, 1, 512, msg("spec.accept_whole_range", low=1, high=512))


def _align(p: list[SpecIssue], a: AlignSpec, stage: str) -> None:
    check_range(p, "align.beta", a.beta, 0.0, 100.0, msg("spec.accept_positive", example="0.1", high=100), low_open=True)
    check_choice(p, "align.dpo_loss", a.dpo_loss, DPO_LOSSES)
    check_range(p, "align.kto_desirable_weight", a.kto_desirable_weight, 0.0, 1000.0, msg("spec.accept_weight"),
                low_open=True)
    check_range(p, "align.kto_undesirable_weight", a.kto_undesirable_weight, 0.0, 1000.0, msg("spec.accept_weight"),
                low_open=True)
    check_range(p, "align.num_generations", a.num_generations, 2, 1024, msg("spec.accept_whole_at_least", low=2))
    check_range(p, "align.max_completion_length", a.max_completion_length, 1, 1_048_576, msg("spec.accept_tokens"))
    check_range(p, "align.temperature", a.temperature, 0.0, 10.0, msg("spec.accept_positive", example="1.0", high=10),
                low_open=True)
    check_choice(p, "align.grpo_loss", a.grpo_loss, GRPO_LOSSES)
    check_choice(p, "align.importance_sampling", a.importance_sampling, ("token", "sequence"))
    check_range(p, "align.length_target", a.length_target, 1, 1_048_576, msg("spec.accept_tokens"))
    if not isinstance(a.rewards, dict):
        p.append(SpecIssue("align.rewards", msg("spec.rewards_not_a_mapping", value=repr(a.rewards))))
        return
    for name, weight in a.rewards.items():
        if name not in REWARDS:
            p.append(SpecIssue(f"align.rewards.{name}", unknown_field(name, list(REWARDS))))
        elif isinstance(weight, bool) or not isinstance(weight, (int, float)):
            p.append(SpecIssue(f"align.rewards.{name}", msg("spec.reward_weight_not_a_number", value=repr(weight))))
    if stage == "grpo" and not any(isinstance(w, (int, float)) and w for w in a.rewards.values()):
        p.append(SpecIssue("align.rewards", msg("spec.grpo_needs_reward")))


def _early_stopping(p: list[SpecIssue], t: TrainingSpec, d: DataSpec) -> None:
    check_range(p, "training.early_stopping_patience", t.early_stopping_patience, 0, 10**6,
                msg("spec.accept_patience"))
    check_range(p, "training.early_stopping_min_delta", t.early_stopping_min_delta, 0.0, 1e6,
                msg("spec.accept_min_delta"))
    if t.early_stopping_patience > 0 and not str(d.eval).strip() and not d.eval_split:
        p.append(SpecIssue("training.early_stopping_patience", msg("spec.early_stopping_needs_eval")))


def _data_split(p: list[SpecIssue], d: DataSpec) -> None:
    if d.eval_split < 0 or (d.eval_split >= 1 and d.eval_split != int(d.eval_split)) or 0.5 < d.eval_split < 1:
        p.append(SpecIssue("data.eval_split", msg("spec.bad_eval_split", value=repr(d.eval_split))))
    check_range(p, "data.seed", d.seed, 0, 2**32 - 1, msg("spec.accept_whole_range", low=0, high=4294967295))
    if not isinstance(d.mix, list):
        p.append(SpecIssue("data.mix", msg("spec.mix_not_a_list", value=repr(d.mix))))
        return
    n = len([s for s in str(d.train).split(",") if s.strip()])
    if d.mix and len(d.mix) != n:
        p.append(SpecIssue("data.mix", msg("spec.mix_count", values=len(d.mix), datasets=n)))
    for v in d.mix:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0 or (v > 1 and v != int(v)):
            p.append(SpecIssue("data.mix", msg("spec.bad_mix_value", value=repr(v))))


def _data_mappings(p: list[SpecIssue], d: DataSpec) -> None:
    for name, value, keys, example in (
        ("data.placeholders", d.placeholders, None, "{name: Nova}"),
        ("data.columns", d.columns, COLUMN_ROLES, "{prompt: question, response: answer}"),
        ("data.tags", d.tags, TAG_KEYS, "{role_tag: speaker, content_tag: text}"),
    ):
        if not isinstance(value, dict):
            p.append(SpecIssue(name, msg("spec.not_a_mapping_like", example=example, value=repr(value))))
            continue
        for k, v in value.items():
            if keys and k not in keys:
                p.append(SpecIssue(f"{name}.{k}", unknown_field(k, list(keys))))
            elif isinstance(v, (dict, list)):  # each value is text (YAML reads `name=Aurora: the AI` as a mapping)
                p.append(SpecIssue(f"{name}.{k}", msg("spec.value_not_text", field=f"{name}.{k}", value=repr(v))))
