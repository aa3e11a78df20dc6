"""What every training stage shares: the TrainingArguments a spec maps to, the step count, the
model/tokenizer setup, the log lines about the data, and the one builder every stage follows.

    stage = begin("dpo", spec, job_dir, workspace, reporter, data)   # data checked, tokenizer, rows that fit
    model, peft = stage.model(len(stage.rows.train))                 # the method's model (and adapter)
    config = DPOConfig(**stage.kwargs(), beta=...)                   # training_kwargs, for this job
    return stage.trainer(DPOTrainer, config, model, peft)            # -> StageRun

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
        # transformers replaces a NaN/inf step loss by the average so far (0 right after a log): a diverged run
        # then "succeeded" with loss 0.0000 and NaN weights. Off, the NaN reaches JobReporter, which fails the job.
        logging_nan_inf_filter=False,
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
        _advise_gpu_precision(spec)
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


def _advise_gpu_precision(spec: JobSpec) -> None:
    from backend.training.model import gpu_bf16_native

    if spec.training.precision == "bf16" and not gpu_bf16_native():
        log.warning("precision bf16 on this GPU is emulated (compute capability below 8.0, e.g. a T4 or V100): "
                    "expect training many times slower than fp16; `training.precision: auto` picks fp16 here")


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
    if task == "vision" and spec.method.name not in ("full", "freeze"):
        from backend.training.vision_model import vision_lora_config

        return model, vision_lora_config(spec, n_steps)
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
    """A stage's trainer in the making: the job, where it runs, its tokenizer and its rows (those that fit in
    max_length: fit_to_length), and the steps every builder takes in this order: model(), kwargs(), trainer()."""

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

    def trainer(self, trainer_class, config, model, peft, train=None, evals=None, **extra) -> StageRun:
        """The trainer on the stage's rows (or the `train` / `evals` datasets given), with the job's callbacks;
        its trainable parameters logged. On the stage's rows, the rows its tokenizing left with no completion token
        are taken out (drop_empty_completions) and any row the trainer dropped is counted and said (check_kept)."""
        from backend.data.stage_data import to_dataset

        own = train is None
        if own:
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
        if own:
            drop_empty_completions(trainer)
            n_train = len(trainer.train_dataset)
            n_eval = len(trainer.eval_dataset) if trainer.eval_dataset is not None else 0
            check_kept(self.name, len(train), n_train, self.max_length, unit_name(self.name))
        log_trainable(trainer)
        return StageRun(trainer, self.tokenizer, self.model_path, n_train, n_eval)


def begin(stage: str, spec: JobSpec, job_dir: Path, workspace, reporter, data=None) -> StageBuild:
    """The steps every stage starts with: read the data (unless given), check it fits the stage (before
    the model is loaded), load the tokenizer, convert (the stage record's converter), and leave out the rows
    that cannot train at max_length (fit_to_length)."""
    from backend.data.load import load_data
    from backend.data.stage_data import check_stage, for_stage

    loaded = data or load_data(spec.data, workspace.root)
    check_stage(stage, loaded.kind)
    refuse_images(loaded, spec)
    model_path, device, tokenizer = setup(spec, workspace)
    log_sources(loaded)
    sd = for_stage(stage, loaded, tokenizer)
    if sd.note:
        log.info("data: %s", sd.note)
    sd = fit_to_length(stage, sd, tokenizer, spec.training.max_length, model_path, workspace.cache_dir / "tokenized")
    return StageBuild(stage, spec, Path(job_dir), reporter, model_path, device, tokenizer, sd)


def refuse_images(loaded, spec: JobSpec) -> None:
    """Rows with images for a text model: a TrainingError naming the first image (a text model cannot see them)."""
    with_images = [e for e in (*loaded.train, *loaded.eval) if e.get("images")]
    if not with_images:
        return
    from backend.training.errors import TrainingError

    raise TrainingError("bad_spec", msg("vision.text_model_image_rows", rows=len(with_images),
                                        first=with_images[0]["images"][0], model=spec.model.name_or_path),
                        msg("vision.text_model_image_rows_hint"))


def fit_to_length(stage: str, sd, tokenizer, max_length: int, model_path: str | None = None, cache_dir=None):
    """The one step every stage's rows take before its trainer (backend/data/fit.py, by the stage's rule): each
    row measured once with the job's tokenizer and template; the rows that cannot train at max_length (no room
    for a reply token, an empty reply, ...) left out and said, with how many, why, and how many are cut. None left:
    a DataError that says what to do (a max_length that keeps most rows whole, under the model's max positions).
    The eval rows likewise; none of them left: training goes on without evaluation."""
    import time

    from backend.data.listing import joined
    from backend.data.read import DataError
    from backend.data.stage_data import StageData

    start = time.monotonic()
    train, train_set = _measured(stage, sd.train, tokenizer, max_length, cache_dir)
    if not train.rule:  # pt packs its texts: nothing to leave out
        return sd
    if not train.kept:
        raise DataError(train.refusal(cap=model_max_positions(model_path)))
    for line in train.lines():
        (log.warning if line.id == "rows.fit_dropped" else log.info)("data: %s", line)
    evals, eval_set = list(sd.eval), None
    if evals:
        checked, eval_set = _measured(stage, evals, tokenizer, max_length, cache_dir)
        if not checked.kept:
            log.warning("data: %s", msg("rows.fit_eval_none_left", total=checked.total, unit=checked.unit,
                                        max_length=max_length, reasons=joined(checked.reasons(), comma=True)))
            eval_set = None
        for line in checked.lines(evaluation=True) if checked.kept else []:
            (log.warning if line.id == "rows.fit_eval_dropped" else log.info)("data: %s", line)
        evals = checked.keep(evals)
    log.info("data: %s %s checked against max_length=%s in %.2f s: %s train, %s for evaluation", train.total,
             train.unit, max_length, time.monotonic() - start, len(train.kept), len(evals))
    return StageData(train.keep(sd.train), evals, sd.note, train_set, eval_set)


def _measured(stage: str, rows: list[dict], tokenizer, max_length: int, cache_dir=None):
    """(backend.data.fit.Fit, the TokenizedSet or None) of the rows, each tokenized once. sft's rows are tokenized by
    the studio itself (backend.data.tokenized, cached on disk): that one pass gives their lengths and the trainer's
    rows (the same rows the fit keeps: those with a trained token inside max_length)."""
    from backend.data.fit import fit_lengths, fit_rows
    from backend.spec import get_stage

    if get_stage(stage).convert != "sft":
        return fit_rows(stage, rows, tokenizer, max_length), None
    from backend.data.tokenized import tokenize_sft

    tokenized = tokenize_sft(rows, tokenizer, max_length, cache_dir, refuse=False)
    return fit_lengths(stage, tokenized.lengths, max_length), tokenized


def model_max_positions(model_path: str | None) -> int | None:
    """The longest sequence the model reads, from its config.json (None when unknown)."""
    import json

    from backend.data.fit import max_positions

    path = Path(model_path or "") / "config.json"
    try:
        return max_positions(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def unit_name(stage: str):
    from backend.data.fit import unit_name as name

    return name(stage)


def drop_empty_completions(trainer) -> None:
    """The last guard against a completion with no token to learn (NaN rewards and log-odds in orpo): the rows
    of the trainer's tokenized datasets with none are taken out (orpo's labels all masked; dpo's and kto's
    completion ids empty). fit_to_length leaves such rows out before; this holds if a tokenizer disagrees."""
    for name in ("train_dataset", "eval_dataset"):
        dataset = getattr(trainer, name, None)
        columns = set(getattr(dataset, "column_names", None) or ())
        if {"chosen_labels", "rejected_labels"} <= columns:  # orpo
            kept = dataset.filter(lambda c, r: any(x != -100 for x in c) and any(x != -100 for x in r),
                                  input_columns=["chosen_labels", "rejected_labels"])
        elif {"prompt_ids", "chosen_ids", "rejected_ids"} <= columns:  # dpo
            kept = dataset.filter(lambda c, r: len(c) > 0 and len(r) > 0, input_columns=["chosen_ids", "rejected_ids"])
        elif "completion_ids" in columns:  # kto
            kept = dataset.filter(lambda c: len(c) > 0, input_columns=["completion_ids"])
        else:
            continue
        if len(kept) == len(dataset):
            continue
        if name == "eval_dataset" and not len(kept):
            log.warning("no evaluation: no eval row has a completion token")
            trainer.eval_dataset = None
            trainer.args.eval_strategy = "no"
            continue
        setattr(trainer, name, kept)


def check_kept(stage: str, given: int, kept: int, max_length: int, what: str = "") -> None:
    """Say how many rows the trainer dropped for length; fail clearly when none is left. `what`: the rows'
    name, a message (unit_name(stage)); rows by default."""
    from backend.data.read import DataError

    what = what or unit_name("")
    if kept == 0:
        raise DataError(msg("training.all_dropped", given=given, what=what, stage=stage, max_length=max_length))
    if kept < given:
        log.warning("%s of %s %s dropped: longer than max_length=%s tokens", given - kept, given, what, max_length)
