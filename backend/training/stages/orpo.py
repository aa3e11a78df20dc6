"""Odds-ratio preference optimization (orpo): sft on the chosen reply plus an odds-ratio term that
pushes it above the rejected one (weight `align.beta`); no reference model. TRL 1.16 ships it in
trl.experimental.orpo; its trainer takes text, so the pairs arrive rendered through the chat template.
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.stages.common import StageRun, begin

log = logging.getLogger("studio.worker")


def build(spec: JobSpec, job_dir: Path, workspace, reporter: JobReporter, data=None) -> StageRun:
    import warnings

    with warnings.catch_warnings():  # "experimental" notice: said once here instead
        warnings.simplefilter("ignore")
        from trl.experimental.orpo import ORPOConfig, ORPOTrainer

    stage = begin("orpo", spec, job_dir, workspace, reporter, data)
    model, peft = stage.model(len(stage.rows.train))
    log.info("orpo: beta %s (TRL's experimental ORPOTrainer)", spec.align.beta)
    config = ORPOConfig(**stage.kwargs(count_tokens=False), max_length=stage.max_length, beta=spec.align.beta,
                        remove_unused_columns=False)

    class Trainer(ORPOTrainer):
        # prompt / ptuning: PEFT puts the virtual tokens' logits before the row's; TRL's dpo and kto keep
        # only the last seq_len positions, this trainer does not (its logits and labels would misalign).
        def concatenated_forward(self, model, batch):
            def forward(input_ids, **kwargs):
                out = model(input_ids, **kwargs)
                out.logits = out.logits[:, -input_ids.shape[1]:]
                return out

            return super().concatenated_forward(forward, batch)

    return stage.trainer(Trainer, config, model, peft)
