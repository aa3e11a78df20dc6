"""Reward model (rm): a scalar score learned from preference pairs (the chosen reply scores higher).

The base model gets a one-output classification head (load_model_for(task="seq_cls")); TRL's
RewardTrainer applies the chat template to prompt + chosen and prompt + rejected and trains the
Bradley-Terry loss. Pairs longer than max_length are dropped by the trainer (said in the log).
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
    log_trainable,
    total_steps,
    training_kwargs,
)

log = logging.getLogger("studio.worker")


def build_rm(spec: JobSpec, job_dir: Path, workspace, reporter: JobReporter, data=None) -> StageRun:
    from trl import RewardConfig, RewardTrainer

    model_path, device, tokenizer, sd = begin("rm", spec, workspace, data)
    max_len = spec.training.max_length
    model, peft = build_model(spec, model_path, device, total_steps(spec, len(sd.train)), task="seq_cls")
    log.info("rm: a one-output score head on the base model (new, so it trains whatever the method)")
    has_eval = bool(sd.eval)
    config = RewardConfig(**training_kwargs(spec, job_dir, device, has_eval, model_path=model_path), max_length=max_len)
    trainer = RewardTrainer(
        model=model,
        args=config,
        train_dataset=to_dataset(sd.train),
        eval_dataset=to_dataset(sd.eval) if has_eval else None,
        processing_class=tokenizer,
        peft_config=peft,
        callbacks=callbacks(spec, reporter),
    )
    if spec.method.name == "qlora":
        # TRL casts a quantized model's trainable weights to bf16 (QLoRA's choice for the adapter). The LoRA
        # layers cast their input to match; the score head (PEFT's trainable copy, a plain Linear) does not,
        # so with fp32 compute (the CPU) its matmul fails on the dtypes. Keep the head in fp32, as it was
        # loaded; bf16/fp16 training runs it under autocast anyway.
        for name, param in trainer.model.named_parameters():
            if param.requires_grad and ".modules_to_save." in name:
                param.data = param.data.float()
    n_train = len(trainer.train_dataset)
    check_kept("rm", len(sd.train), n_train, max_len, "pairs")
    log_trainable(trainer)
    return StageRun(trainer, tokenizer, model_path, n_train, len(trainer.eval_dataset) if has_eval else 0)
