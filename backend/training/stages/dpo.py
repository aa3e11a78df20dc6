"""Direct preference optimization (dpo): raise the chosen reply's likelihood over the rejected one's,
relative to a reference model, with TRL's DPOTrainer (beta and loss_type from `align`).

Reference model: with an adapter (PEFT) none is loaded, since the base model with the adapter
disabled is the reference; otherwise (full, freeze) a frozen copy of the starting weights.
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.stages.common import StageRun, begin, frozen_copy

log = logging.getLogger("studio.worker")


def build(spec: JobSpec, job_dir: Path, workspace, reporter: JobReporter, data=None) -> StageRun:
    from trl import DPOConfig, DPOTrainer

    stage = begin("dpo", spec, job_dir, workspace, reporter, data)
    a = spec.align
    model, peft = stage.model(len(stage.rows.train))
    ref = None if peft is not None else frozen_copy(model)
    log.info("dpo: loss %s, beta %s, reference: %s", a.dpo_loss, a.beta,
             "the base model (adapter disabled)" if ref is None else "a frozen copy of the starting model")
    config = DPOConfig(**stage.kwargs(), max_length=stage.max_length, beta=a.beta, loss_type=[a.dpo_loss])
    return stage.trainer(DPOTrainer, config, model, peft, ref_model=ref)
