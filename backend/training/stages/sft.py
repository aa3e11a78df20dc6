"""Supervised fine-tuning: a JobSpec mapped onto TRL's SFTTrainer with a PEFT adapter.

Data is tokenized here (backend.data.tokenize) so that only assistant tokens carry labels,
whatever the chat template; TRL receives `input_ids` + `labels` and keeps them as they are.
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.data.load import as_sft, load_data
from backend.data.read import DataError
from backend.data.tokenized import tokenize_sft
from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.stages.common import StageBuild, StageRun, log_sources, setup
from backend.workspace import Workspace

log = logging.getLogger("studio.worker")


def build(spec: JobSpec, job_dir: Path, workspace: Workspace, reporter: JobReporter, data=None) -> StageRun:
    """Everything ready to `trainer.train()`. `data`: load_data's result when already read."""
    from trl import SFTConfig

    from backend.training.accel import speed_plan
    from backend.training.batching import batching_kwargs, sft_trainer_class, split_batches

    model_path, device, tokenizer = setup(spec, workspace)
    loaded = data or load_data(spec.data, workspace.root)
    log_sources(loaded)
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

    stage = StageBuild("sft", spec, job_dir, reporter, model_path, device, tokenizer)
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
