"""Kahneman-Tversky optimization (kto): learn from single replies labelled desirable or undesirable
(preference pairs are unpaired into one of each), relative to a reference model, with TRL's
KTOTrainer (beta, desirable and undesirable weights from `align`).

Reference model as in dpo: none with an adapter (disabled adapter = reference), else a frozen copy.
KTO estimates its KL term from the other replies of the same batch, so a batch holds at least 2.
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.stages.common import StageRun, begin, frozen_copy

log = logging.getLogger("studio.worker")


def build(spec: JobSpec, job_dir: Path, workspace, reporter: JobReporter, data=None) -> StageRun:
    from trl import KTOConfig, KTOTrainer

    stage = begin("kto", spec, job_dir, workspace, reporter, data)
    a, rows = spec.align, stage.rows.train
    good = sum(1 for r in rows if r["label"])
    log.info("kto: %s desirable and %s undesirable replies (weights %s / %s), beta %s", good, len(rows) - good,
             a.kto_desirable_weight, a.kto_undesirable_weight, a.beta)
    if not good or good == len(rows):
        log.warning("kto: every reply is %s; kto learns best from both kinds",
                    "desirable" if good else "undesirable")
    kwargs = stage.kwargs()
    if kwargs["per_device_train_batch_size"] < 2:
        log.warning("kto: batch_size raised from 1 to 2 (kto compares each reply with another of its batch)")
        kwargs["per_device_train_batch_size"] = kwargs["per_device_eval_batch_size"] = 2
    model, peft = stage.model(len(rows))
    ref = None if peft is not None else frozen_copy(model)
    config = KTOConfig(**kwargs, max_length=stage.max_length, beta=a.beta, desirable_weight=a.kto_desirable_weight,
                       undesirable_weight=a.kto_undesirable_weight)
    return stage.trainer(KTOTrainer, config, model, peft, ref_model=ref)
