"""Odds-ratio preference optimization (orpo): sft on the chosen reply plus an odds-ratio term that
pushes it above the rejected one (weight `align.beta`); no reference model. TRL 1.16 ships it in
trl.experimental.orpo; its trainer takes text, so the pairs arrive rendered through the chat template.
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.data.stage_data import to_dataset
from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.common import StageRun, begin, build_model, callbacks, log_trainable, total_steps, training_kwargs

log = logging.getLogger("studio.worker")


def build_orpo(spec: JobSpec, job_dir: Path, workspace, reporter: JobReporter, data=None) -> StageRun:
    import warnings

    with warnings.catch_warnings():  # "experimental" notice: said once here instead
        warnings.simplefilter("ignore")
        from trl.experimental.orpo import ORPOConfig, ORPOTrainer

    model_path, device, tokenizer, sd = begin("orpo", spec, workspace, data)
    max_len = spec.training.max_length
    model, peft = build_model(spec, model_path, device, total_steps(spec, len(sd.train)))
    log.info("orpo: beta %s (TRL's experimental ORPOTrainer)", spec.align.beta)
    has_eval = bool(sd.eval)
    config = ORPOConfig(**training_kwargs(spec, job_dir, device, has_eval, count_tokens=False, model_path=model_path), max_length=max_len,
                        beta=spec.align.beta, remove_unused_columns=False)

    class Trainer(ORPOTrainer):
        # prompt / ptuning: PEFT puts the virtual tokens' logits before the row's; TRL's dpo and kto keep
        # only the last seq_len positions, this trainer does not (its logits and labels would misalign).
        def concatenated_forward(self, model, batch):
            def forward(input_ids, **kwargs):
                out = model(input_ids, **kwargs)
                out.logits = out.logits[:, -input_ids.shape[1]:]
                return out

            return super().concatenated_forward(forward, batch)

    trainer = Trainer(
        model=model,
        args=config,
        train_dataset=to_dataset(sd.train),
        eval_dataset=to_dataset(sd.eval) if has_eval else None,
        processing_class=tokenizer,
        peft_config=peft,
        callbacks=callbacks(spec, reporter),
    )
    log_trainable(trainer)
    return StageRun(trainer, tokenizer, model_path, len(trainer.train_dataset), len(sd.eval) if has_eval else 0)
