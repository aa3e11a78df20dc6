"""The one place where wizard form values become a JobSpec.

    values = FormValues(model_source="demo", ...)
    spec = spec_from_form(values)        # JobSpec, or SpecError naming every bad field

Pure Python (no gradio), so it is unit-tested directly; the UI gathers its components in the
same order as the fields here (see studio.steps.FormInputs).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from backend.spec import DEMO, JobSpec, SpecError, SpecIssue

MODEL_SOURCES = ("demo", "local", "hub")
DATA_SOURCES = ("demo", "upload", "path", "hub", "registry")


@dataclass
class FormValues:
    """Every value the wizard collects, as the widgets deliver it (numbers may be None)."""

    model_source: str = "demo"
    model_path: str = ""
    trust_remote_code: bool = False
    data_source: str = "demo"  # demo | upload | path | hub | registry
    # upload: uploads/NAME (relative to the workspace); path: a file or folder on this machine;
    # hub: a hub dataset id; registry: an entry name of data_dataset_dir/dataset_info.json
    data_path: str = ""
    data_format: str = "auto"
    placeholder_keys: list = field(default_factory=list)
    placeholder_values: list = field(default_factory=list)
    lora_r: object = 8
    lora_alpha: object = 16
    lora_dropout: object = 0.05
    target_modules: str = "all-linear"
    num_epochs: object = 3.0
    max_steps: object = 0
    learning_rate: object = 2e-4
    batch_size: object = 4
    gradient_accumulation_steps: object = 1
    max_length: object = 1024
    scheduler: str = "cosine"
    warmup_ratio: object = 0.03
    seed: object = 42
    logging_steps: object = 5
    eval_split: object = 0.0
    save_steps: object = 0  # checkpoint interval for resume, by steps (0 = by time only)
    save_minutes: object = 5.0  # and by minutes of training (0 = off)
    data_dataset_dir: str = ""
    data_subset: str = ""
    data_split: str = "train"
    data_columns: dict = field(default_factory=dict)  # role -> column, only what the user mapped
    data_reasoning: str = "keep"
    data_dedupe: bool = False
    data_mix_with: str = ""  # more sources, comma-separated
    data_mix: str = ""  # one amount per source, comma-separated (share or count)
    data_eval: str = ""
    data_seed: object = 42
    model_chat_template: str = ""  # "" = the tokenizer's own, else chatml; or a name from templates/chat
    stage: str = "sft"
    method_name: str = "lora"
    freeze_layers: object = 2
    freeze_modules: str = ""
    quant_bits: object = 4
    double_quant: bool = True
    adalora_init_r: object = 12
    adalora_target_r: object = 4
    num_virtual_tokens: object = 16
    align_beta: object = 0.1
    dpo_loss: str = "sigmoid"
    kto_desirable_weight: object = 1.0
    kto_undesirable_weight: object = 1.0
    num_generations: object = 4
    max_completion_length: object = 64
    temperature: object = 1.0
    grpo_loss: str = "dapo"
    importance_sampling: str = "token"
    reward_exact_match: object = 1.0
    reward_format: object = 0.0
    reward_length: object = 0.0
    reward_valid_json: object = 0.0
    length_target: object = 32
    early_stopping_patience: object = 0  # evaluations without improvement before stopping (0 = off)
    early_stopping_min_delta: object = 0.0
    report_to: list = field(default_factory=lambda: ["tensorboard"])  # trackers besides the studio's own files
    num_processes: object = 1  # processes (GPUs) per machine; the other `distributed` fields stay the spec's
    strategy: str = "ddp"
    group_by_length: str = "auto"  # sft: rows of similar length batched together (auto: when batches are padded)
    padding_free: str = "auto"  # auto: on a GPU with a variable-length attention kernel
    gradient_checkpointing: str = "auto"  # auto: on only when memory needs it
    attention: str = "auto"  # the attention kernel (backend.training.accel)
    fused_kernels: str = "auto"  # Liger's fused kernels on a GPU
    compile: str = "off"  # torch.compile of the decoder layers (a GPU)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]


def data_source_of(train_first: str, dataset_dir: str) -> str:
    """Which Data-step source a spec's first `data.train` entry is."""
    from backend.hub import looks_like_hub_id

    if train_first == DEMO:
        return "demo"
    if train_first.startswith("uploads/"):
        return "upload"
    if dataset_dir and "/" not in train_first:
        return "registry"
    if looks_like_hub_id(train_first) and not Path(train_first).expanduser().exists():
        return "hub"
    return "path"


def model_source_of(name_or_path: str) -> str:
    """Which Model-step source a spec's model is: the demo, a hub id (`org/name` that is not a folder
    here), or a local folder."""
    from backend.hub import looks_like_hub_id

    if name_or_path == DEMO:
        return "demo"
    if looks_like_hub_id(name_or_path) and not Path(name_or_path).expanduser().exists():
        return "hub"
    return "local"


def form_from_spec(spec: JobSpec) -> FormValues:
    """The wizard's starting values for a spec (templates/demo.yaml at start-up)."""
    m, d, me, t, a = spec.model, spec.data, spec.method, spec.training, spec.align
    sources = [s.strip() for s in d.train.split(",") if s.strip()] or [DEMO]
    data_source = data_source_of(sources[0], d.dataset_dir)
    return FormValues(
        model_source=model_source_of(m.name_or_path),
        model_path="" if m.name_or_path == DEMO else m.name_or_path,
        trust_remote_code=m.trust_remote_code,
        data_source=data_source,
        data_path="" if data_source == "demo" else sources[0],
        data_format=d.format,
        placeholder_keys=list(d.placeholders),
        placeholder_values=list(d.placeholders.values()),
        data_dataset_dir=d.dataset_dir,
        data_subset=d.subset,
        data_split=d.split,
        data_columns=dict(d.columns),
        data_reasoning=d.reasoning,
        data_dedupe=d.dedupe,
        data_mix_with=", ".join(sources[1:]),
        data_mix=", ".join(f"{x:g}" for x in d.mix),
        data_eval=d.eval,
        data_seed=d.seed,
        model_chat_template=m.chat_template,
        stage=spec.stage,
        method_name=me.name,
        freeze_layers=me.freeze_layers,
        freeze_modules=me.freeze_modules,
        quant_bits=me.quant_bits,
        double_quant=me.double_quant,
        adalora_init_r=me.adalora_init_r,
        adalora_target_r=me.adalora_target_r,
        num_virtual_tokens=me.num_virtual_tokens,
        align_beta=a.beta,
        dpo_loss=a.dpo_loss,
        kto_desirable_weight=a.kto_desirable_weight,
        kto_undesirable_weight=a.kto_undesirable_weight,
        num_generations=a.num_generations,
        max_completion_length=a.max_completion_length,
        temperature=a.temperature,
        grpo_loss=a.grpo_loss,
        importance_sampling=a.importance_sampling,
        reward_exact_match=a.rewards.get("exact_match", 0.0),
        reward_format=a.rewards.get("format", 0.0),
        reward_length=a.rewards.get("length", 0.0),
        reward_valid_json=a.rewards.get("valid_json", 0.0),
        length_target=a.length_target,
        lora_r=me.lora_r,
        lora_alpha=me.lora_alpha,
        lora_dropout=me.lora_dropout,
        target_modules=me.target_modules,
        num_epochs=t.num_epochs,
        max_steps=t.max_steps,
        learning_rate=t.learning_rate,
        batch_size=t.batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        max_length=t.max_length,
        scheduler=t.scheduler,
        warmup_ratio=t.warmup_ratio,
        seed=t.seed,
        logging_steps=t.logging_steps,
        eval_split=d.eval_split,
        save_steps=t.save_steps,
        save_minutes=t.save_minutes,
        early_stopping_patience=t.early_stopping_patience,
        early_stopping_min_delta=t.early_stopping_min_delta,
        report_to=list(t.report_to),
        num_processes=spec.distributed.num_processes,
        strategy=spec.distributed.strategy,
        group_by_length=t.group_by_length,
        padding_free=t.padding_free,
        gradient_checkpointing=t.gradient_checkpointing,
        attention=t.attention,
        fused_kernels=t.fused_kernels,
        compile=t.compile,
    )


def spec_from_form(v: FormValues, base: JobSpec | None = None) -> JobSpec:
    """Build and validate the spec; raises SpecError whose issues name each bad field.

    Fields the wizard does not show (weight decay, precision, ...) come from `base`.
    """
    issues: list[SpecIssue] = []
    if v.model_source not in MODEL_SOURCES:
        issues.append(SpecIssue("model.name_or_path", f"unknown model source {v.model_source!r}."))
    model_name = DEMO if v.model_source == "demo" else (v.model_path or "").strip()
    if v.model_source == "local" and model_name:
        model_name = str(Path(model_name).expanduser().resolve())  # the worker runs in the job dir
    if v.data_source not in DATA_SOURCES:
        issues.append(SpecIssue("data.train", f"unknown data source {v.data_source!r}."))
    if v.data_source == "demo":
        train = DEMO
    else:
        train = (v.data_path or "").strip()
        if not train:
            missing = {
                "upload": "no file uploaded yet; upload a file or pick the demo.",
                "path": "give the path of a file or folder on this machine.",
                "hub": "give a hub dataset id such as `tatsu-lab/alpaca`.",
                "registry": "pick an entry of the dataset_info.json.",
            }
            issues.append(SpecIssue("data.train", missing.get(v.data_source, "choose a dataset.")))
    if v.data_source == "path" and train:
        train = str(Path(train).expanduser().resolve())  # the worker runs elsewhere
    more = [s.strip() for s in (v.data_mix_with or "").split(",") if s.strip()]
    train = ",".join([train or DEMO, *more])
    placeholders = {
        str(k): "" if val is None else str(val)
        for k, val in zip(v.placeholder_keys or [], v.placeholder_values or [], strict=False)
        if k
    }
    raw = (base or JobSpec()).to_dict()
    raw["model"].update(name_or_path=model_name, trust_remote_code=bool(v.trust_remote_code),
                        chat_template=(v.model_chat_template or "").strip())
    raw["data"].update(
        train=train,
        format=v.data_format,
        placeholders=placeholders,
        eval_split=v.eval_split,
        columns={k: c for k, c in (v.data_columns or {}).items() if c},
        dataset_dir=(v.data_dataset_dir or "").strip() if v.data_source == "registry" else "",
        subset=(v.data_subset or "").strip() if v.data_source == "hub" else "",
        split=(v.data_split or "").strip() or "train",
        reasoning=v.data_reasoning or "keep",
        dedupe=bool(v.data_dedupe),
        mix=v.data_mix or [],
        eval=(v.data_eval or "").strip(),
        seed=v.data_seed,
    )
    raw["method"].update(
        name=v.method_name,
        lora_r=v.lora_r,
        lora_alpha=v.lora_alpha,
        lora_dropout=v.lora_dropout,
        target_modules=(v.target_modules or "").strip(),
        freeze_layers=v.freeze_layers,
        freeze_modules=(v.freeze_modules or "").strip(),
        quant_bits=v.quant_bits,
        double_quant=bool(v.double_quant),
        adalora_init_r=v.adalora_init_r,
        adalora_target_r=v.adalora_target_r,
        num_virtual_tokens=v.num_virtual_tokens,
    )
    raw["stage"] = v.stage
    rewards = {"exact_match": v.reward_exact_match, "format": v.reward_format, "length": v.reward_length,
               "valid_json": v.reward_valid_json}
    raw["align"].update(
        beta=v.align_beta,
        dpo_loss=v.dpo_loss,
        kto_desirable_weight=v.kto_desirable_weight,
        kto_undesirable_weight=v.kto_undesirable_weight,
        num_generations=v.num_generations,
        max_completion_length=v.max_completion_length,
        temperature=v.temperature,
        grpo_loss=v.grpo_loss,
        importance_sampling=v.importance_sampling,
        rewards={k: float(w or 0) for k, w in rewards.items() if w},
        length_target=v.length_target,
    )
    raw["training"].update(
        num_epochs=v.num_epochs,
        max_steps=v.max_steps,
        learning_rate=v.learning_rate,
        batch_size=v.batch_size,
        gradient_accumulation_steps=v.gradient_accumulation_steps,
        max_length=v.max_length,
        scheduler=v.scheduler,
        warmup_ratio=v.warmup_ratio,
        seed=v.seed,
        logging_steps=v.logging_steps,
        save_steps=v.save_steps,
        save_minutes=v.save_minutes,
        early_stopping_patience=v.early_stopping_patience,
        early_stopping_min_delta=v.early_stopping_min_delta,
        report_to=list(v.report_to or []),
        group_by_length=_tri_state(v.group_by_length),
        padding_free=_tri_state(v.padding_free),
        gradient_checkpointing=v.gradient_checkpointing or "auto",
        attention=v.attention or "auto",
        fused_kernels=v.fused_kernels or "auto",
        compile=v.compile or "off",
    )
    raw["distributed"].update(num_processes=v.num_processes, strategy=v.strategy or "ddp")
    try:
        spec = JobSpec.from_dict(raw)
    except SpecError as e:
        raise SpecError(issues + e.issues) from None
    if issues:
        raise SpecError(issues)
    return spec


def estimate_steps(spec: JobSpec, n_rows: int) -> int:
    """Optimizer steps the run will take: max_steps, else ceil(rows*(1-eval)/batch/accum/processes)*epochs
    (several processes share out every epoch's rows)."""
    t = spec.training
    if t.max_steps > 0:
        return t.max_steps
    split = spec.data.eval_split
    n_eval = (max(1, round(n_rows * split)) if split < 1 else int(split)) if split > 0 else 0
    n_train = n_rows - n_eval
    per_epoch = -(-max(n_train, 0) // (t.batch_size * t.gradient_accumulation_steps * spec.distributed.world_size))
    return int(-(-per_epoch * t.num_epochs // 1))


def _tri_state(value) -> str:
    """auto | on | off from a dropdown, or from a clone of an older job whose field was a checkbox (bool)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return value or "auto"
