"""Spellings that differ across the library versions pyproject.toml declares, in one place.

The declared range is a promise: every version in it must run a job. Where an API was renamed inside
the range, the code asks the installed library what it has (a dataclass field, a parameter) instead of
comparing version numbers, so a backport or a pre-release is judged by what it really offers.

    SFTConfig(**checkpointing_kwarg(False), ...)   # activation_checkpointing (newer) or gradient_checkpointing
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache


@lru_cache(maxsize=1)
def training_argument_names() -> frozenset[str]:
    """The fields of the installed transformers' TrainingArguments (TRL's configs subclass it)."""
    from transformers import TrainingArguments

    return frozenset(f.name for f in dataclasses.fields(TrainingArguments))


def checkpointing_kwarg(on: bool) -> dict:
    """Activation (gradient) checkpointing on or off, under the name the installed transformers knows.

    transformers renamed `gradient_checkpointing` to `activation_checkpointing` during 5.x and keeps the
    old name as a deprecated alias (a FutureWarning) until v6; 5.0 knows only the old name and refuses the
    new one (`unexpected keyword argument`). TRL's configs default it to True, so it is always passed."""
    name = "activation_checkpointing" if "activation_checkpointing" in training_argument_names() \
        else "gradient_checkpointing"
    return {name: bool(on)}


def length_grouping_kwarg(on: bool) -> dict:
    """Rows of similar length batched together, or a random order, as the installed transformers spells it:
    `train_sampling_strategy="group_by_length"|"random"` in newer 5.x, `group_by_length=True|False` in 5.0."""
    if "train_sampling_strategy" in training_argument_names():
        return {"train_sampling_strategy": "group_by_length" if on else "random"}
    return {"group_by_length": bool(on)}


def groups_by_length(args) -> bool:
    """Whether built TrainingArguments ask for length-grouped batches (either spelling)."""
    strategy = getattr(args, "train_sampling_strategy", None)
    if strategy is not None:
        return strategy == "group_by_length"
    return bool(getattr(args, "group_by_length", False))
