"""What every training stage shares: the TrainingArguments a spec maps to, the step count, the
model/tokenizer setup, the log lines about the data, and the one builder every stage follows.

    stage = begin("dpo", spec, job_dir, workspace, reporter, data)   # data checked, tokenizer, rows
    model, peft = stage.model(len(stage.rows.train))                 # the method's model (and adapter)
    config = DPOConfig(**stage.kwargs(), beta=...)                   # training_kwargs, for this job
    return stage.trainer(DPOTrainer, config, model, peft, kept="pairs")   # -> StageRun

A stage module (backend/training/stages/<stage>.py) says only what differs: its TRL config and trainer,
their stage-specific settings, and any step of its own between these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from backend.messages import msg
from backend.spec import JobSpec
from backend.training import faults

log = logging.getLogger("studio.worker")


@dataclass
class StageRun:
    """Everything ready to `trainer.train()`, whatever the stage."""

    trainer: object
    tokenizer: object
    model_path: str
    n_train: int
    n_eval: int


def training_kwargs(spec: JobSpec, job_dir: Path, device: str, has_eval: bool, count_tokens: bool = True,
                    model_path: str | None = None, lengths: list[int] | None = None) -> dict:
    """The TrainingArguments fields every stage sets the same way (TRL configs take them all).

    count_tokens: track tokens seen (tokens/s on the curve); only for trainers whose batches carry `input_ids`.
    model_path: for `training.gradient_checkpointing: auto` (its config.json feeds the memory estimate), with
    `lengths`, the training rows' token counts where known (sft)."""
    import torch

    from backend.training.checkpointing import use_checkpointing
    from backend.training.compat import checkpointing_kwarg
    from backend.training.model import pick_dtype

    t = spec.training
    dtype = pick_dtype(spec, device)
    return dict(
        output_dir=str(Path(job_dir) / "checkpoints"),
        num_train_epochs=t.num_epochs,
        max_steps=t.max_steps if t.max_steps > 0 else -1,
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        learning_rate=t.learning_rate,
        lr_scheduler_type=t.scheduler,
        warmup_steps=t.warmup_ratio,  # a float below 1 is a share of the total steps
        weight_decay=t.weight_decay,
        max_grad_norm=t.max_grad_norm,
        seed=t.seed,
        data_seed=t.seed,
        logging_steps=t.logging_steps,
        logging_first_step=True,
        save_strategy="steps" if t.save_steps > 0 else "no",
        save_steps=t.save_steps if t.save_steps > 0 else 500,
        save_total_limit=2,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=(t.eval_steps or t.logging_steps) if has_eval else None,
        # TRL configs default to bf16=True: always say what the spec and the device allow.
        bf16=dtype == torch.bfloat16,
        fp16=dtype == torch.float16,
        use_cpu=device == "cpu",
        # TRL turns it on by default: on only when asked or memory needs it (its name depends on transformers)
        **checkpointing_kwarg(use_checkpointing(spec, model_path, device, lengths=lengths)),
        include_num_input_tokens_seen="non_padding" if count_tokens else "no",
        report_to=trackers(spec, job_dir) or "none",
        run_name=Path(job_dir).name,
        dataloader_num_workers=dataloader_workers(spec, device),
        save_only_model=False,
        **distributed_kwargs(spec, device),
    )


def dataloader_workers(spec: JobSpec, device: str) -> int:
    """`training.dataloader_workers`, -1 resolved to 0: batches are made in the training process. Two worker
    processes on the GPU bench job (benchmarks/bench_gpu.py) trained no faster (21.2 s against 20.9 s, with
    another change beside it), so the automatic choice stays the simplest; on a CPU they would take cores
    from training."""
    chosen = spec.training.dataloader_workers
    return chosen if chosen >= 0 else 0


def distributed_kwargs(spec: JobSpec, device: str) -> dict:
    """The TrainingArguments of a multi-process run (none for one process): gloo on a CPU, and no search
    for unused parameters (every adapter weight takes part in each step; the search costs a pass).
    Refuses what cannot run here (TrainingError), as the launcher does before it starts."""
    import os

    from backend.plan.distributed import preflight
    from backend.training.errors import TrainingError

    if int(os.environ.get("WORLD_SIZE", "1") or 1) <= 1:
        return {}
    problem = preflight(spec, gpu=device != "cpu")
    if problem:
        raise TrainingError(problem.kind, problem.message, problem.hint)
    kwargs: dict = {"ddp_find_unused_parameters": False}
    if device == "cpu":
        kwargs["ddp_backend"] = "gloo"
    return kwargs


TRACKER_PACKAGES = {"tensorboard": "tensorboard", "wandb": "wandb", "swanlab": "swanlab"}


def trackers(spec: JobSpec, job_dir: Path) -> list[str]:
    """The trackers of `training.report_to`, each checked to be installed (a clear error if not).
    TensorBoard writes into <job>/tensorboard: transformers reads that folder from the environment
    (TrainingArguments no longer has `logging_dir`), and each job runs in a worker process of its own."""
    import importlib.util
    import os

    from backend.training.errors import TrainingError

    chosen = list(dict.fromkeys(spec.training.report_to))
    for name in chosen:
        if importlib.util.find_spec(TRACKER_PACKAGES[name]) is None:
            raise TrainingError("bad_spec", msg("training.report_to_missing", name=name),
                                msg("training.report_to_missing_hint", package=TRACKER_PACKAGES[name], name=name))
    if "tensorboard" in chosen:
        os.environ["TENSORBOARD_LOGGING_DIR"] = str(Path(job_dir) / "tensorboard")
    return chosen


def total_steps(spec: JobSpec, n_rows: int) -> int:
    """Optimizer steps of the run (one formula, in methods: AdaLoRA needs it up front)."""
    from backend.training.methods import total_steps as steps

    return steps(spec, n_rows)


def setup(spec: JobSpec, workspace) -> tuple[str, str, object]:
    """(model path, device, tokenizer with a chat template), logged."""
    from backend.training.model import configure_cpu, load_tokenizer, pick_device, resolve_model_path

    model_path = resolve_model_path(spec, workspace)
    device = pick_device(spec)
    if device == "cpu":
        log.info("model: %s on the CPU with %s threads", model_path, configure_cpu(spec))
        _advise_cpu_precision(spec)
    else:
        from backend.training.accel import cap_gpu_memory

        log.info("model: %s on %s", model_path, device)
        cap_gpu_memory()
    tokenizer, template = load_tokenizer(model_path, spec)
    log.info("chat template: %s", template)
    return model_path, device, tokenizer


def _advise_cpu_precision(spec: JobSpec) -> None:
    from backend.training.model import cpu_bf16_native

    native = cpu_bf16_native()
    if spec.training.precision == "bf16" and not native:
        log.warning("precision bf16 on this CPU is emulated (no AVX512-BF16 or AMX): expect training many times "
                    "slower than fp32; set `training.precision: fp32` unless you are checking bf16 itself")
    elif spec.training.precision == "auto" and native:
        log.info("this CPU computes bf16 natively: `training.precision: bf16` (autocast, fp32 weights) may train "
                 "faster; compare with `python -m backend.jobs.probe`")


def build_model(spec: JobSpec, model_path: str, device: str, n_steps: int, task: str = "causal_lm", plan=None):
    """(model, peft config or None) for the spec's method, through backend.training.methods, with the
    attention kernel and fused kernels of the job's speed plan (backend.training.accel; computed here
    when not given), which the log states in one line."""
    from backend.training.accel import apply_kernels, speed_plan
    from backend.training.methods import apply_freeze, load_model_for, peft_config_for

    plan = plan or speed_plan(spec, device)
    model = load_model_for(spec, model_path, device, task=task, attn_implementation=plan.attention)
    apply_kernels(model, plan, spec)
    log.info("speed: %s", plan.describe())
    apply_freeze(model, spec)
    return model, peft_config_for(spec, task=task, total_steps=n_steps)


def frozen_copy(model):
    """A reference model for dpo/kto without an adapter: the starting weights, never trained."""
    import copy

    ref = copy.deepcopy(model)
    ref.eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    return ref


def log_sources(loaded) -> None:
    for source in loaded.sources:
        log.info("data: %s: %s rows read, %s usable, %s taken (format %s: %s)", source.label, source.rows_read,
                 source.valid, source.taken, source.format, source.reason)
        for row, field_, why in source.skipped[:20]:
            log.warning("%s: skipped row %s (%s): %s", source.label, row, field_, why)
        if len(source.skipped) > 20:
            log.warning("%s: %s more rows skipped (`studio data inspect` lists them all)", source.label,
                        len(source.skipped) - 20)
    if loaded.duplicates:
        log.info("data: %s exact duplicates dropped", loaded.duplicates)


def callbacks(spec: JobSpec, reporter) -> list:
    """The job's reporter, what the method needs called during training (adalora's rank allocation) and
    early stopping on the eval loss when the spec asks for it (find it again with `find_early_stop`)."""
    from backend.training.methods import method_callbacks

    extra = []
    if spec.training.early_stopping_patience > 0:
        from backend.training.early_stop import EarlyStopOnEvalLoss

        extra.append(EarlyStopOnEvalLoss(spec.training.early_stopping_patience,
                                         spec.training.early_stopping_min_delta))
    return [reporter, *method_callbacks(spec), *extra]


def log_trainable(trainer) -> None:
    from backend.training.methods import trainable_counts

    trainable, total = trainable_counts(trainer.model)
    log.info("trainable parameters: %s of %s (%.2f%%)", f"{trainable:,}", f"{total:,}", 100 * trainable / max(total, 1))


@dataclass
class StageBuild:
    """A stage's trainer in the making: the job, where it runs, its tokenizer and its rows (None for sft,
    which tokenizes its own), and the steps every builder takes in this order: model(), kwargs(), trainer()."""

    name: str  # the stage
    spec: JobSpec
    job_dir: Path
    reporter: object
    model_path: str
    device: str
    tokenizer: object
    rows: object = None  # backend.data.stage_data.StageData

    @property
    def max_length(self) -> int:
        return self.spec.training.max_length

    def model(self, n_rows: int, task: str = "causal_lm", plan=None):
        """(model, peft config or None) for the method, sized for a run over `n_rows` rows (build_model)."""
        return build_model(self.spec, self.model_path, self.device, total_steps(self.spec, n_rows), task=task,
                           plan=plan)

    def kwargs(self, has_eval: bool | None = None, count_tokens: bool = True, lengths: list[int] | None = None) -> dict:
        """training_kwargs for this job (`has_eval`: whether there are eval rows, by default the stage's rows')."""
        has_eval = bool(self.rows.eval) if has_eval is None else has_eval
        return training_kwargs(self.spec, self.job_dir, self.device, has_eval, count_tokens=count_tokens,
                               model_path=self.model_path, lengths=lengths)

    def trainer(self, trainer_class, config, model, peft, train=None, evals=None, kept: str = "", **extra) -> StageRun:
        """The trainer on the stage's rows (or the `train` / `evals` datasets given), with the job's callbacks;
        its trainable parameters logged. `kept` (msg("training.unit_pairs"), ...): the trainer drops rows longer than
        max_length, which are then counted from its datasets and said (check_kept)."""
        from backend.data.stage_data import to_dataset

        if train is None:
            train = to_dataset(self.rows.train)
            evals = to_dataset(self.rows.eval) if self.rows.eval else None
        trainer = trainer_class(
            model=model,
            args=config,
            train_dataset=train,
            eval_dataset=evals,
            processing_class=self.tokenizer,
            peft_config=peft,
            callbacks=callbacks(self.spec, self.reporter),
            **extra,
        )
        faults.arm(trainer, self.job_dir)
        n_train, n_eval = len(train), len(evals) if evals is not None else 0
        if kept:
            n_train, n_eval = len(trainer.train_dataset), len(trainer.eval_dataset) if evals is not None else 0
            check_kept(self.name, len(train), n_train, self.max_length, kept)
        log_trainable(trainer)
        return StageRun(trainer, self.tokenizer, self.model_path, n_train, n_eval)


def begin(stage: str, spec: JobSpec, job_dir: Path, workspace, reporter, data=None) -> StageBuild:
    """The steps every stage starts with: read the data (unless given), check it fits the stage (before
    the model is loaded), load the tokenizer, convert (the stage record's converter)."""
    from backend.data.load import load_data
    from backend.data.stage_data import check_stage, for_stage

    loaded = data or load_data(spec.data, workspace.root)
    check_stage(stage, loaded.kind)
    model_path, device, tokenizer = setup(spec, workspace)
    log_sources(loaded)
    sd = for_stage(stage, loaded, tokenizer)
    if sd.note:
        log.info("data: %s", sd.note)
    return StageBuild(stage, spec, Path(job_dir), reporter, model_path, device, tokenizer, sd)


def check_kept(stage: str, given: int, kept: int, max_length: int, what: str = "") -> None:
    """Say how many rows the trainer dropped for length; fail clearly when none is left. `what`: the rows'
    name, a message (msg("training.unit_pairs")); rows by default."""
    from backend.data.read import DataError

    what = what or msg("training.unit_rows")
    if kept == 0:
        raise DataError(msg("training.all_dropped", given=given, what=what, stage=stage, max_length=max_length))
    if kept < given:
        log.warning("%s of %s %s dropped: longer than max_length=%s tokens", given - kept, given, what, max_length)
