"""Continued pretraining (pt): the model reads plain text and learns every token of it.

Each text is tokenized with the tokenizer's own special tokens (a BOS where the model uses one) and
ends with the end-of-text token; the texts are then packed: joined one after another and cut into
blocks of max_length tokens, so no compute is spent on padding. Every token is a label. SFTTrainer
receives the blocks (input_ids + labels) and keeps them as they are.
"""

from __future__ import annotations

import logging
from pathlib import Path

from backend.data.read import DataError
from backend.messages import msg
from backend.spec import JobSpec
from backend.training.callback import JobReporter
from backend.training.stages.common import StageRun, begin

log = logging.getLogger("studio.worker")
MIN_BLOCK = 2  # a last block shorter than this has nothing to predict


def pack(texts: list[str], tokenizer, max_length: int, batch: int = 1000) -> list[list[int]]:
    """The texts' tokens, each text ended by EOS, joined and cut into blocks of max_length."""
    eos = tokenizer.eos_token_id
    stream: list[int] = []
    for i in range(0, len(texts), batch):
        for ids in tokenizer(texts[i:i + batch])["input_ids"]:
            stream += ids if ids and ids[-1] == eos else [*ids, eos]
    blocks = [stream[i:i + max_length] for i in range(0, len(stream), max_length)]
    return [b for b in blocks if len(b) >= MIN_BLOCK]


def _dataset(blocks: list[list[int]]):
    from datasets import Dataset

    return Dataset.from_dict({"input_ids": blocks, "labels": [list(b) for b in blocks]})


def build(spec: JobSpec, job_dir: Path, workspace, reporter: JobReporter, data=None) -> StageRun:
    from trl import SFTConfig, SFTTrainer

    from backend.training.batching import split_batches

    stage = begin("pt", spec, job_dir, workspace, reporter, data)
    max_len = stage.max_length
    train_blocks = pack([r["text"] for r in stage.rows.train], stage.tokenizer, max_len)
    if not train_blocks:
        raise DataError(msg("training.texts_no_tokens"))
    eval_blocks = pack([r["text"] for r in stage.rows.eval], stage.tokenizer, max_len) if stage.rows.eval else []
    n_tokens = sum(len(b) for b in train_blocks)
    log.info("data: %s texts packed into %s blocks of up to %s tokens (%s tokens; texts joined with the "
             "end-of-text token, every token trained)", len(stage.rows.train), len(train_blocks), max_len,
             f"{n_tokens:,}")

    model, peft = stage.model(len(train_blocks))
    kwargs = split_batches(spec, stage.kwargs(has_eval=bool(eval_blocks)), max_len, stage.device)
    config = SFTConfig(**kwargs, max_length=max_len, packing=False)
    return stage.trainer(SFTTrainer, config, model, peft, train=_dataset(train_blocks),
                         evals=_dataset(eval_blocks) if eval_blocks else None)
