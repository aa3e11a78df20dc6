"""Supervised fine-tuning: a JobSpec mapped onto TRL's SFTTrainer with a PEFT adapter.

Data is tokenized here (backend.data.tokenize) so that only assistant tokens carry labels,
whatever the chat template; TRL receives `input_ids` + `labels` and keeps them as they are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from backend.data.load import as_sft, load_data
from backend.data.readers import DataError
from backend.data.tokenized import tokenize_sft
from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.common import training_kwargs
from backend.training.methods import (
    apply_freeze,
    load_model_for,
    method_callbacks,
    peft_config_for,
    total_steps,
    trainable_counts,
)
from backend.training.model import (
    configure_cpu,
    load_tokenizer,
    pick_device,
    resolve_model_path,
)
from backend.workspace import Workspace

log = logging.getLogger("studio.worker")


@dataclass
class SftRun:
    trainer: object
    tokenizer: object
    model_path: str
    n_train: int
    n_eval: int


def build_sft(spec: JobSpec, job_dir: Path, workspace: Workspace, reporter: JobReporter, data=None) -> SftRun:
    """Everything ready to `trainer.train()`. `data`: load_data's result when already read."""
    from trl import SFTConfig, SFTTrainer

    model_path = resolve_model_path(spec, workspace)
    device = pick_device(spec)
    if device == "cpu":
        log.info("model: %s on the CPU with %s threads", model_path, configure_cpu(spec))
    else:
        log.info("model: %s on %s", model_path, device)
    tokenizer, template = load_tokenizer(model_path, spec)
    log.info("chat template: %s", template)

    loaded = data or load_data(spec.data, workspace.root)
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
    train_rows, eval_rows, note = as_sft(loaded)
    if note:
        log.info("data: %s", note)
    max_len = spec.training.max_length
    cache = workspace.cache_dir / "tokenized"
    train_set = tokenize_sft(train_rows, tokenizer, max_len, cache)
    if train_set.dropped:
        log.warning("%s rows dropped: their reply starts after max_length=%s tokens", train_set.dropped, max_len)
    eval_set = None
    if eval_rows:
        try:
            eval_set = tokenize_sft(eval_rows, tokenizer, max_len, cache)
        except DataError as e:  # training can go on without evaluation; say why there is none
            log.warning("no evaluation: the eval rows are unusable (%s)", e)

    model = load_model_for(spec, model_path, device, task="causal_lm")
    apply_freeze(model, spec)
    has_eval = eval_set is not None and len(eval_set.dataset) > 0
    config = SFTConfig(**training_kwargs(spec, job_dir, device, has_eval), max_length=max_len)
    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=train_set.dataset,
        eval_dataset=eval_set.dataset if has_eval else None,
        processing_class=tokenizer,
        peft_config=peft_config_for(spec, "causal_lm", total_steps(spec, len(train_set.dataset))),
        callbacks=[reporter, *method_callbacks(spec)],
    )
    trainable, total = trainable_counts(trainer.model)
    log.info("trainable parameters: %s of %s (%.2f%%)", f"{trainable:,}", f"{total:,}", 100 * trainable / total)
    return SftRun(trainer, tokenizer, model_path, len(train_set.dataset), len(eval_set.dataset) if has_eval else 0)
