"""Reward model (rm): a scalar score learned from preference pairs (the chosen reply scores higher).

The base model gets a one-output classification head (load_model_for(task="seq_cls")); TRL's
RewardTrainer applies the chat template to prompt + chosen and prompt + rejected and trains the
Bradley-Terry loss. Pairs longer than max_length are left out before (backend/data/fit.py, said in the log).
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.stages.common import StageRun, begin

log = logging.getLogger("studio.worker")


def build(spec: JobSpec, job_dir: Path, workspace, reporter: JobReporter, data=None) -> StageRun:
    from trl import RewardConfig, RewardTrainer

    stage = begin("rm", spec, job_dir, workspace, reporter, data)
    model, peft = stage.model(len(stage.rows.train), task="seq_cls")
    log.info("rm: a one-output score head on the base model (new, so it trains whatever the method)")
    config = RewardConfig(**stage.kwargs(), max_length=stage.max_length)
    run = stage.trainer(RewardTrainer, config, model, peft)
    if spec.method.name == "qlora":
        # TRL casts a quantized model's trainable weights to bf16 (QLoRA's choice for the adapter). The LoRA
        # layers cast their input to match; the score head (PEFT's trainable copy, a plain Linear) does not,
        # so with fp32 compute (the CPU) its matmul fails on the dtypes. Keep the head in fp32, as it was
        # loaded; bf16/fp16 training runs it under autocast anyway.
        for name, param in run.trainer.model.named_parameters():
            if param.requires_grad and ".modules_to_save." in name:
                param.data = param.data.float()
    return run
