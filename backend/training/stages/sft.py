"""Supervised fine-tuning: a JobSpec mapped onto TRL's SFTTrainer with a PEFT adapter.

Data is tokenized by the studio (backend.data.tokenize, in the fit step every stage takes: stages/common.begin)
so that only assistant tokens carry labels, whatever the chat template; TRL receives `input_ids` + `labels` and
keeps them as they are.
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.stages.common import StageRun, begin
from backend.workspace import Workspace

log = logging.getLogger("studio.worker")


def build(spec: JobSpec, job_dir: Path, workspace: Workspace, reporter: JobReporter, data=None) -> StageRun:
    """Everything ready to `trainer.train()`. `data`: load_data's result when already read."""
    from trl import SFTConfig

    from backend.training.accel import speed_plan
    from backend.training.batching import batching_kwargs, sft_trainer_class, split_batches

    stage = begin("sft", spec, job_dir, workspace, reporter, data)  # tokenized, the rows that fit in max_length
    train_rows, eval_rows, tokenizer, device = stage.rows.train, stage.rows.eval, stage.tokenizer, stage.device
    max_len = stage.max_length
    train_set, eval_set = stage.rows.train_set, stage.rows.eval_set

    plan = speed_plan(spec, device)
    model, peft = stage.model(len(train_set.dataset), plan=plan)
    has_eval = eval_set is not None and len(eval_set.dataset) > 0
    lengths = list(train_set.dataset["length"]) if "length" in train_set.dataset.column_names else None
    config = SFTConfig(**split_batches(spec, stage.kwargs(has_eval, lengths=lengths), max_len, device),
                       **batching_kwargs(spec, max_len, plan.padding_free, plan.group_by_length))
    run = stage.trainer(sft_trainer_class(), config, model, peft, train=train_set.dataset,
                        evals=eval_set.dataset if has_eval else None)
    if spec.training.sample_prompts > 0:
        from backend.training.samples import SampleWriter, sample_prompts

        prompts = sample_prompts(eval_rows or train_rows, spec.training.sample_prompts)
        if prompts:
            run.trainer.add_callback(SampleWriter(job_dir, tokenizer, prompts))
    return run
