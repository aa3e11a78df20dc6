"""The job spec: what to train, on what, how. One spec for the wizard and for `studio train`.

    from backend.spec import JobSpec
    spec = JobSpec.from_yaml(open("templates/demo.yaml").read())
    spec = spec.with_overrides(["training.max_steps=10"])
    print(spec.to_yaml())

Every field carries its help text in `field(metadata={"help": ...})`; the UI shows the same
text as the tooltip, so it is written once. Validation never raises on the first problem: it
collects every problem, each naming the field, the value it got and what is accepted.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import yaml

from backend.spec_checks import (  # noqa: F401 - SpecIssue and SpecError are part of this module's API
    SpecError,
    SpecIssue,
    build_section,
    check_choice,
    check_nonempty,
    check_range,
    unknown_field,
)
from backend.spec_checks import help_metadata as _help
from backend.spec_distributed import DistributedSpec, distributed_problems
from backend.spec_training import (  # noqa: F401 - re-exported
    ATTENTION_CHOICES,
    PRECISIONS,
    SCHEDULERS,
    TRACKERS,
    TRI_STATE,
    TrainingSpec,
)

STAGES = ("pt", "sft", "rm", "dpo", "orpo", "kto", "grpo", "ppo")
METHODS = ("full", "freeze", "lora", "dora", "rslora", "qlora", "adalora", "ia3", "prefix", "prompt", "ptuning")
LORA_FAMILY = ("lora", "dora", "rslora", "qlora", "adalora")
PROMPT_METHODS = ("prefix", "prompt", "ptuning")
DPO_LOSSES = ("sigmoid", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard", "aot",
              "aot_unpaired", "apo_zero", "apo_down", "discopop", "sigmoid_norm")
GRPO_LOSSES = ("dapo", "grpo", "dr_grpo", "bnpo", "cispo", "sapo")
REWARDS = ("exact_match", "format", "length", "valid_json")
DATA_FORMATS = ("auto", "alpaca", "sharegpt", "messages", "preference", "kto", "text", "prompt")
REASONING = ("keep", "drop")
# Roles a file column can play (LLaMA-Factory's names, plus text, reasoning and reference).
COLUMN_ROLES = ("prompt", "query", "response", "history", "system", "messages", "tools", "chosen", "rejected",
                "kto_tag", "text", "reasoning", "reference")
TAG_KEYS = ("role_tag", "content_tag", "user_tag", "assistant_tag", "observation_tag", "function_tag", "system_tag")
EXPORT_FORMATS = ("adapter",)
DEMO = "demo"


@dataclass
class ModelSpec:
    name_or_path: str = field(
        default=DEMO,
        metadata=_help(
            "`demo` (a tiny model built offline), a local folder, or a Hugging Face hub id "
            "such as `Qwen/Qwen2.5-0.5B-Instruct`."
        ),
    )
    trust_remote_code: bool = field(
        default=False,
        metadata=_help("Run Python code shipped with the model. Only for models you trust."),
    )
    chat_template: str = field(
        default="",
        metadata=_help(
            "Chat template to use when the tokenizer has none: a name from templates/ "
            "(e.g. `chatml`). Empty: the tokenizer's own, else chatml."
        ),
    )


@dataclass
class DataSpec:
    train: str = field(
        default=DEMO,
        metadata=_help(
            "`demo` (the built-in self-cognition set), a file (json, jsonl, csv, tsv, parquet, arrow, "
            "txt), a folder of them, a hub dataset id (`org/name`), or an entry of a LLaMA-Factory "
            "dataset_info.json (see dataset_dir). Several, separated by commas, are mixed."
        ),
    )
    format: str = field(
        default="auto",
        metadata=_help(
            "Row format: `auto` detects it from the columns (the reason is shown); alpaca, sharegpt, "
            "messages, preference (chosen/rejected), kto (labelled replies), text (pretraining) or "
            "prompt (prompts only, for grpo).",
            choices=DATA_FORMATS,
        ),
    )
    columns: dict = field(
        default_factory=dict,
        metadata=_help(
            "Which file column plays which role, e.g. {prompt: question, response: answer}; empty = "
            "detected. Roles: " + ", ".join(COLUMN_ROLES) + "."
        ),
    )
    tags: dict = field(
        default_factory=dict,
        metadata=_help(
            "For conversations with custom keys, e.g. {role_tag: speaker, content_tag: text, "
            "user_tag: customer, assistant_tag: agent}; empty = from/value or role/content."
        ),
    )
    dataset_dir: str = field(
        default="",
        metadata=_help("Folder holding a LLaMA-Factory dataset_info.json, whose entry names `train` may use."),
    )
    subset: str = field(default="", metadata=_help("Hub datasets: the subset (configuration) name, if any."))
    split: str = field(default="train", metadata=_help("Hub datasets: the split to train on."))
    mix: list = field(
        default_factory=list,
        metadata=_help(
            "With several datasets: how much of each to take, in order; a share (0-1] of its rows or a "
            "row count (> 1). Empty = all of every one."
        ),
    )
    eval: str = field(default="", metadata=_help("Optional separate evaluation file (or source)."))
    eval_split: float = field(
        default=0.0,
        metadata=_help(
            "Rows held out for evaluation: a share (below 1, e.g. 0.1) or a count (1 or more, e.g. 200); "
            "0 = none."
        ),
    )
    seed: int = field(default=42, metadata=_help("Seed for shuffling, sampling and the eval split."))
    shuffle: bool = field(default=True, metadata=_help("Shuffle the rows (mixed sets are interleaved)."))
    dedupe: bool = field(default=False, metadata=_help("Drop rows that are exact copies of an earlier row."))
    reasoning: str = field(
        default="keep",
        metadata=_help(
            "Replies with reasoning (`<think>` or a reasoning field): `keep` trains on it, `drop` removes it.",
            choices=REASONING,
        ),
    )
    placeholders: dict = field(
        default_factory=dict,
        metadata=_help(
            "Values for `{{key}}` placeholders in the data, e.g. name and author for the "
            "self-cognition set."
        ),
    )


@dataclass
class MethodSpec:
    name: str = field(
        default="lora",
        metadata=_help(
            "Fine-tuning method: full (every weight), freeze (only the last layers or chosen modules), "
            "lora / dora / rslora (small adapters), qlora (adapters on a 4- or 8-bit base), adalora "
            "(adapter rank that adapts), ia3 (learned scaling vectors), prefix / prompt / ptuning "
            "(learned virtual tokens).",
            choices=METHODS,
        ),
    )
    lora_r: int = field(
        default=8,
        metadata=_help("LoRA rank: capacity of the adapter. Usual values 8-64."),
    )
    lora_alpha: int = field(
        default=16,
        metadata=_help("LoRA scaling (alpha / r scales the update). Usually 1-2x the rank."),
    )
    lora_dropout: float = field(
        default=0.05,
        metadata=_help("Dropout on the adapter's input (0-0.5); higher fights overfitting."),
    )
    target_modules: str = field(
        default="all-linear",
        metadata=_help(
            "Layers that get an adapter: `all-linear` (recommended) or a comma-separated "
            "list such as `q_proj,v_proj`."
        ),
    )
    freeze_layers: int = field(
        default=2,
        metadata=_help("freeze: train only the last N transformer layers (and nothing else). Usual: 2-8."),
    )
    freeze_modules: str = field(
        default="",
        metadata=_help(
            "freeze: instead of the last layers, train only modules whose names contain one of these, "
            "e.g. `self_attn` (attention only) or `lm_head` (the output head). Empty: use freeze_layers."
        ),
    )
    quant_bits: int = field(
        default=4,
        metadata=_help("qlora: load the base weights in 4-bit NF4 (least memory) or 8-bit.", choices=(4, 8)),
    )
    double_quant: bool = field(
        default=True,
        metadata=_help("qlora 4-bit: also quantize the quantization constants (saves ~0.4 bit per weight)."),
    )
    adalora_init_r: int = field(
        default=12, metadata=_help("adalora: starting rank of every adapter, before pruning.")
    )
    adalora_target_r: int = field(
        default=4, metadata=_help("adalora: average rank kept at the end; important layers keep more.")
    )
    num_virtual_tokens: int = field(
        default=16,
        metadata=_help("prefix / prompt / ptuning: learned virtual tokens put before every input. Usual: 8-32."),
    )


@dataclass
class AlignSpec:
    """Settings of the stages beyond sft (ignored by the others)."""

    beta: float = field(
        default=0.1,
        metadata=_help(
            "dpo, orpo, kto: how strongly the model is held near the original (dpo/kto) or how much the "
            "odds-ratio term weighs (orpo). Usual 0.05-0.5."
        ),
    )
    dpo_loss: str = field(
        default="sigmoid",
        metadata=_help(
            "dpo loss: sigmoid (the original DPO), ipo (less overfitting to the pairs), hinge (SLiC), "
            "robust (noisy labels), apo_zero / apo_down (anchored), and the others TRL offers.",
            choices=DPO_LOSSES,
        ),
    )
    kto_desirable_weight: float = field(
        default=1.0, metadata=_help("kto: weight of the desirable replies' loss (raise it when they are fewer).")
    )
    kto_undesirable_weight: float = field(
        default=1.0, metadata=_help("kto: weight of the undesirable replies' loss.")
    )
    num_generations: int = field(
        default=4,
        metadata=_help("grpo: replies sampled per prompt and compared with each other. Usual 4-16."),
    )
    max_completion_length: int = field(
        default=64, metadata=_help("grpo: longest sampled reply, in tokens.")
    )
    temperature: float = field(default=1.0, metadata=_help("grpo: sampling temperature of the replies."))
    grpo_loss: str = field(
        default="dapo",
        metadata=_help(
            "grpo loss: dapo (no length bias; TRL's default), grpo (the original), dr_grpo, bnpo, cispo, sapo.",
            choices=GRPO_LOSSES,
        ),
    )
    importance_sampling: str = field(
        default="token",
        metadata=_help("grpo: `token` (GRPO/DAPO) or `sequence` (GSPO: one ratio per reply, often steadier).",
                       choices=("token", "sequence")),
    )
    rewards: dict = field(
        default_factory=lambda: {"exact_match": 1.0},
        metadata=_help(
            "grpo rewards and their weights: exact_match (the reply's answer equals the reference), format "
            "(`<think>...</think>` then an answer), length (close to length_target tokens), valid_json "
            "(the reply parses as JSON)."
        ),
    )
    length_target: int = field(default=32, metadata=_help("grpo `length` reward: the reply length aimed at, in tokens."))


@dataclass
class ExportSpec:
    formats: list = field(
        default_factory=list,
        metadata=_help("Exports made right after training, e.g. `[adapter]`.", choices=EXPORT_FORMATS),
    )


SECTIONS = {
    "model": ModelSpec,
    "data": DataSpec,
    "method": MethodSpec,
    "align": AlignSpec,
    "training": TrainingSpec,
    "export": ExportSpec,
    "distributed": DistributedSpec,
}


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
            raise SpecError([SpecIssue("(top)", f"a spec must be a mapping of sections, got {type(raw).__name__}.")])
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
                issues.append(SpecIssue(key, f"must be a mapping of fields, got {value!r}."))
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
            raise SpecError([SpecIssue("(yaml)", f"the text is not valid YAML: {e}")]) from None
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
                raise SpecError([SpecIssue(item, "an override looks like `training.max_steps=10`.")])
            path, value = item.split("=", 1)
            keys = path.strip().split(".")
            target = raw
            for k in keys[:-1]:
                target = target.setdefault(k, {})
                if not isinstance(target, dict):
                    raise SpecError([SpecIssue(path, "cannot set a field inside a plain value.")])
            target[keys[-1]] = yaml.safe_load(value) if value.strip() else ""
        return JobSpec.from_dict(raw)

    # -- validation -----------------------------------------------------------------------
    def problems(self) -> list[SpecIssue]:
        p: list[SpecIssue] = []
        m, d, me, t = self.model, self.data, self.method, self.training
        check_nonempty(p, "model.name_or_path", m.name_or_path, "`demo`, a local folder or a hub id")
        check_choice(p, "stage", self.stage, STAGES)
        check_nonempty(p, "data.train", d.train, "`demo`, a file or folder path, a hub id or a dataset_info.json entry")
        check_choice(p, "data.format", d.format, DATA_FORMATS)
        check_choice(p, "data.reasoning", d.reasoning, REASONING)
        _data_split(p, d)
        _data_mappings(p, d)
        check_choice(p, "method.name", me.name, METHODS)
        _method(p, me)
        _align(p, self.align, self.stage)
        p += stage_method_problems(self.stage, me.name)
        check_range(p, "method.lora_r", me.lora_r, 1, 1024, "a whole number from 1 to 1024")
        check_range(p, "method.lora_alpha", me.lora_alpha, 1, 4096, "a whole number from 1 to 4096")
        check_range(p, "method.lora_dropout", me.lora_dropout, 0.0, 0.9, "a number from 0 to 0.9")
        check_nonempty(p, "method.target_modules", me.target_modules, "`all-linear` or a list like `q_proj,v_proj`")
        check_range(p, "training.num_epochs", t.num_epochs, 0.0, 10000.0, "a positive number of epochs")
        check_range(p, "training.max_steps", t.max_steps, 0, 10**8, "0 (use num_epochs) or a positive whole number")
        if not p and t.max_steps == 0 and t.num_epochs <= 0:
            p.append(SpecIssue("training.num_epochs", "is 0 while `training.max_steps` is 0: set one of them."))
        check_range(p, "training.learning_rate", t.learning_rate, 1e-9, 1.0, "a positive number such as 2e-4", low_open=True)
        check_range(p, "training.batch_size", t.batch_size, 1, 4096, "a whole number of at least 1")
        check_range(p, "training.gradient_accumulation_steps", t.gradient_accumulation_steps, 1, 4096, "a whole number of at least 1")
        check_range(p, "training.tokens_per_pass", t.tokens_per_pass, -1, 10**7, "-1, 0 (automatic) or a number of tokens")
        check_range(p, "training.max_length", t.max_length, 8, 1_048_576, "a whole number of tokens of at least 8")
        check_choice(p, "training.scheduler", t.scheduler, SCHEDULERS)
        check_range(p, "training.warmup_ratio", t.warmup_ratio, 0.0, 0.5, "a share from 0 to 0.5")
        check_range(p, "training.weight_decay", t.weight_decay, 0.0, 1.0, "a number from 0 to 1")
        check_range(p, "training.max_grad_norm", t.max_grad_norm, 0.0, 1e6, "a non-negative number (0 = no clipping)")
        check_range(p, "training.seed", t.seed, 0, 2**32 - 1, "a whole number from 0 to 4294967295")
        check_range(p, "training.logging_steps", t.logging_steps, 1, 10**6, "a whole number of at least 1")
        check_range(p, "training.save_steps", t.save_steps, 0, 10**8, "0 (by time only) or a whole number")
        check_range(p, "training.save_minutes", t.save_minutes, 0.0, 10**6, "0 (off) or a positive number of minutes")
        check_range(p, "training.eval_steps", t.eval_steps, 0, 10**8, "0 or a whole number")
        _early_stopping(p, t, d)
        check_range(p, "training.sample_prompts", t.sample_prompts, 0, 50, "a whole number from 0 to 50")
        for tracker in t.report_to:
            check_choice(p, "training.report_to", tracker, TRACKERS)
        check_choice(p, "training.precision", t.precision, PRECISIONS)
        check_choice(p, "training.gradient_checkpointing", t.gradient_checkpointing, ("auto", "on", "off"))
        check_choice(p, "training.device", t.device, ("auto", "cpu", "cuda"))
        check_range(p, "training.cpu_threads", t.cpu_threads, 0, 4096, "0 (automatic) or a whole number of threads")
        for name in ("group_by_length", "padding_free", "fused_kernels"):
            check_choice(p, f"training.{name}", getattr(t, name), TRI_STATE)
        check_choice(p, "training.attention", t.attention, ATTENTION_CHOICES)
        check_choice(p, "training.compile", t.compile, ("off", "on"))
        check_range(p, "training.dataloader_workers", t.dataloader_workers, -1, 64,
                    "-1 (automatic), 0 (in the training process) or a number of processes up to 64")
        if t.padding_free == "on" and me.name in PROMPT_METHODS:
            p.append(SpecIssue("training.padding_free", f"cannot be used with {me.name}: its virtual tokens ignore "
                                                        "position ids, so joined rows would see each other. Turn "
                                                        "padding_free off."))
        p += distributed_problems(self.distributed, t.device)
        if not isinstance(self.export.formats, list):
            p.append(SpecIssue("export.formats", f"must be a list such as [adapter], got {self.export.formats!r}."))
        else:
            for f in self.export.formats:
                check_choice(p, "export.formats", f, EXPORT_FORMATS)
        return p

    # -- derived, for display -------------------------------------------------------------
    @property
    def dataset_label(self) -> str:
        if self.data.train == DEMO:
            return "demo (self-cognition)"
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


# Stage x method pairs that cannot work, and why (the wizard shows the same sentence).
UNSUPPORTED = {
    ("ppo", None): "TRL 1.16 no longer ships PPO (it was removed from the library); use grpo, which needs no "
                   "separate reward or value model, or stay with the release of TRL that has it.",
    ("rm", "prefix"): "a reward model scores with a classification head; prompt-based methods only learn "
                      "virtual tokens for generation. Use lora, full or freeze.",
    ("rm", "prompt"): "a reward model scores with a classification head; prompt-based methods only learn "
                      "virtual tokens for generation. Use lora, full or freeze.",
    ("rm", "ptuning"): "a reward model scores with a classification head; prompt-based methods only learn "
                       "virtual tokens for generation. Use lora, full or freeze.",
}


def stage_method_problems(stage: str, method: str) -> list[SpecIssue]:
    why = UNSUPPORTED.get((stage, None)) or UNSUPPORTED.get((stage, method))
    return [SpecIssue("stage" if (stage, None) in UNSUPPORTED else "method.name", why)] if why else []


def _method(p: list[SpecIssue], me: MethodSpec) -> None:
    check_range(p, "method.freeze_layers", me.freeze_layers, 1, 10_000, "a whole number of layers of at least 1")
    check_choice(p, "method.quant_bits", me.quant_bits, (4, 8))
    check_range(p, "method.adalora_target_r", me.adalora_target_r, 1, 1024, "a whole number from 1 to 1024")
    if me.adalora_init_r < me.adalora_target_r:
        p.append(SpecIssue("method.adalora_init_r",
                           f"({me.adalora_init_r}) must be at least adalora_target_r ({me.adalora_target_r})."))
    check_range(p, "method.num_virtual_tokens", me.num_virtual_tokens, 1, 512, "a whole number from 1 to 512")


def _align(p: list[SpecIssue], a: AlignSpec, stage: str) -> None:
    check_range(p, "align.beta", a.beta, 0.0, 100.0, "a positive number such as 0.1", low_open=True)
    check_choice(p, "align.dpo_loss", a.dpo_loss, DPO_LOSSES)
    check_range(p, "align.kto_desirable_weight", a.kto_desirable_weight, 0.0, 1000.0, "a positive weight", low_open=True)
    check_range(p, "align.kto_undesirable_weight", a.kto_undesirable_weight, 0.0, 1000.0, "a positive weight",
           low_open=True)
    check_range(p, "align.num_generations", a.num_generations, 2, 1024, "a whole number of at least 2")
    check_range(p, "align.max_completion_length", a.max_completion_length, 1, 1_048_576, "a whole number of tokens")
    check_range(p, "align.temperature", a.temperature, 0.0, 10.0, "a positive number such as 1.0", low_open=True)
    check_choice(p, "align.grpo_loss", a.grpo_loss, GRPO_LOSSES)
    check_choice(p, "align.importance_sampling", a.importance_sampling, ("token", "sequence"))
    check_range(p, "align.length_target", a.length_target, 1, 1_048_576, "a whole number of tokens")
    if not isinstance(a.rewards, dict):
        p.append(SpecIssue("align.rewards", f"must be a mapping like {{exact_match: 1.0}}, got {a.rewards!r}."))
        return
    for name, weight in a.rewards.items():
        if name not in REWARDS:
            p.append(SpecIssue(f"align.rewards.{name}", unknown_field(name, list(REWARDS))))
        elif isinstance(weight, bool) or not isinstance(weight, (int, float)):
            p.append(SpecIssue(f"align.rewards.{name}", f"the weight must be a number, got {weight!r}."))
    if stage == "grpo" and not any(isinstance(w, (int, float)) and w for w in a.rewards.values()):
        p.append(SpecIssue("align.rewards", "grpo needs at least one reward with a weight other than 0."))


def _early_stopping(p: list[SpecIssue], t: TrainingSpec, d: DataSpec) -> None:
    check_range(p, "training.early_stopping_patience", t.early_stopping_patience, 0, 10**6,
           "0 (off) or a whole number of evaluations such as 3")
    check_range(p, "training.early_stopping_min_delta", t.early_stopping_min_delta, 0.0, 1e6,
           "a non-negative number such as 0 or 0.01")
    if t.early_stopping_patience > 0 and not str(d.eval).strip() and not d.eval_split:
        p.append(SpecIssue("training.early_stopping_patience",
                           "early stopping watches the eval loss: set `data.eval_split` (e.g. 0.1) or `data.eval`, "
                           "or set this to 0."))


def _data_split(p: list[SpecIssue], d: DataSpec) -> None:
    if d.eval_split < 0 or (d.eval_split >= 1 and d.eval_split != int(d.eval_split)) or 0.5 < d.eval_split < 1:
        p.append(SpecIssue("data.eval_split", f"must be a share from 0 to 0.5 or a whole count of rows, got {d.eval_split!r}."))
    check_range(p, "data.seed", d.seed, 0, 2**32 - 1, "a whole number from 0 to 4294967295")
    if not isinstance(d.mix, list):
        p.append(SpecIssue("data.mix", f"must be a list with one number per dataset, got {d.mix!r}."))
        return
    n = len([s for s in str(d.train).split(",") if s.strip()])
    if d.mix and len(d.mix) != n:
        p.append(SpecIssue("data.mix", f"has {len(d.mix)} values for {n} dataset(s) in `data.train`; give one each."))
    for v in d.mix:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0 or (v > 1 and v != int(v)):
            p.append(SpecIssue("data.mix", f"value {v!r} is neither a share (0-1] nor a whole row count."))


def _data_mappings(p: list[SpecIssue], d: DataSpec) -> None:
    for name, value, keys, example in (
        ("data.placeholders", d.placeholders, None, "{name: Nova}"),
        ("data.columns", d.columns, COLUMN_ROLES, "{prompt: question, response: answer}"),
        ("data.tags", d.tags, TAG_KEYS, "{role_tag: speaker, content_tag: text}"),
    ):
        if not isinstance(value, dict):
            p.append(SpecIssue(name, f"must be a mapping like {example}, got {value!r}."))
        elif keys:
            for k in value:
                if k not in keys:
                    p.append(SpecIssue(f"{name}.{k}", unknown_field(k, list(keys))))
