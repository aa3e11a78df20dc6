"""Direct preference optimization (dpo): raise the chosen reply's likelihood over the rejected one's,
relative to a reference model, with TRL's DPOTrainer (beta and loss_type from `align`).

Reference model: with an adapter (PEFT) none is loaded, since the base model with the adapter
disabled is the reference; otherwise (full, freeze) a frozen copy of the starting weights.
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


def build_dpo(spec: JobSpec, job_dir: Path, workspace, reporter: JobReporter, data=None) -> StageRun:
    from trl import DPOConfig, DPOTrainer

    model_path, device, tokenizer, sd = begin("dpo", spec, workspace, data)
    a, max_len = spec.align, spec.training.max_length
    model, peft = build_model(spec, model_path, device, total_steps(spec, len(sd.train)))
    ref = None if peft is not None else frozen_copy(model)
    log.info("dpo: loss %s, beta %s, reference: %s", a.dpo_loss, a.beta,
             "the base model (adapter disabled)" if ref is None else "a frozen copy of the starting model")
    has_eval = bool(sd.eval)
    config = DPOConfig(**training_kwargs(spec, job_dir, device, has_eval, model_path=model_path), max_length=max_len, beta=a.beta,
                       loss_type=[a.dpo_loss])
    trainer = DPOTrainer(
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
    check_kept("dpo", len(sd.train), n_train, max_len, "pairs")
    log_trainable(trainer)
    return StageRun(trainer, tokenizer, model_path, n_train, len(trainer.eval_dataset) if has_eval else 0)
