"""Kahneman-Tversky optimization (kto): learn from single replies labelled desirable or undesirable
(preference pairs are unpaired into one of each), relative to a reference model, with TRL's
KTOTrainer (beta, desirable and undesirable weights from `align`).

Reference model as in dpo: none with an adapter (disabled adapter = reference), else a frozen copy.
KTO estimates its KL term from the other replies of the same batch, so a batch holds at least 2.
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.data.stage_data import to_dataset
from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.common import (
    StageRun,
    begin,
    build_model,
    callbacks,
    check_kept,
    frozen_copy,
    log_trainable,
    total_steps,
    training_kwargs,
)

log = logging.getLogger("studio.worker")


def build_kto(spec: JobSpec, job_dir: Path, workspace, reporter: JobReporter, data=None) -> StageRun:
    from trl import KTOConfig, KTOTrainer

    model_path, device, tokenizer, sd = begin("kto", spec, workspace, data)
    a, max_len = spec.align, spec.training.max_length
    good = sum(1 for r in sd.train if r["label"])
    log.info("kto: %s desirable and %s undesirable replies (weights %s / %s), beta %s", good, len(sd.train) - good,
             a.kto_desirable_weight, a.kto_undesirable_weight, a.beta)
    if not good or good == len(sd.train):
        log.warning("kto: every reply is %s; kto learns best from both kinds",
                    "desirable" if good else "undesirable")
    kwargs = training_kwargs(spec, job_dir, device, bool(sd.eval), model_path=model_path)
    if kwargs["per_device_train_batch_size"] < 2:
        log.warning("kto: batch_size raised from 1 to 2 (kto compares each reply with another of its batch)")
        kwargs["per_device_train_batch_size"] = kwargs["per_device_eval_batch_size"] = 2
    model, peft = build_model(spec, model_path, device, total_steps(spec, len(sd.train)))
    ref = None if peft is not None else frozen_copy(model)
    has_eval = bool(sd.eval)
    config = KTOConfig(**kwargs, max_length=max_len, beta=a.beta, desirable_weight=a.kto_desirable_weight,
                       undesirable_weight=a.kto_undesirable_weight)
    trainer = KTOTrainer(
        model=model,
        ref_model=ref,
        args=config,
        train_dataset=to_dataset(sd.train),
        eval_dataset=to_dataset(sd.eval) if has_eval else None,
        processing_class=tokenizer,
        peft_config=peft,
        callbacks=callbacks(spec, reporter),
    )
    n_train = len(trainer.train_dataset)
    check_kept("kto", len(sd.train), n_train, max_len, "replies")
    log_trainable(trainer)
    return StageRun(trainer, tokenizer, model_path, n_train, len(trainer.eval_dataset) if has_eval else 0)
