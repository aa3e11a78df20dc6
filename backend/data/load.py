"""From a spec's `data` section to conversations: resolve the file, read, convert, split.

Pure Python (no torch), so the UI's Data step and the worker share the same checks.
"""

from __future__ import annotations

import random
from pathlib import Path

from backend.data.formats import Converted, convert
from backend.data.readers import DataError, read_rows
from backend.resources import DEMO_DATASET
from backend.spec import DEMO, DataSpec


def resolve_path(train: str, base_dir: Path | None = None) -> Path:
    """`demo` is the shipped set; a relative path is taken from base_dir (the workspace)."""
    if train == DEMO:
        return DEMO_DATASET
    path = Path(train).expanduser()
    if not path.is_absolute() and base_dir is not None and not path.exists():
        path = Path(base_dir) / path
    return path


def load_conversations(path: Path, data: DataSpec) -> Converted:
    rows = read_rows(path)
    converted = convert(rows, data.format, data.placeholders, name=Path(path).name)
    if not converted.conversations:
        first = "; ".join(f"row {i}: {why}" for i, why in converted.skipped[:3])
        raise DataError(f"{Path(path).name}: no usable rows out of {converted.rows_read} ({first}).")
    return converted


def train_eval_split(data: DataSpec, base_dir: Path | None, seed: int) -> tuple[Converted, list[list[dict]]]:
    """The training conversations and the evaluation ones (a separate file or a held-out share)."""
    train = load_conversations(resolve_path(data.train, base_dir), data)
    eval_convs: list[list[dict]] = []
    if data.eval:
        eval_convs = load_conversations(resolve_path(data.eval, base_dir), data).conversations
    elif data.eval_split > 0:
        convs = list(train.conversations)
        random.Random(seed).shuffle(convs)
        n_eval = max(1, round(len(convs) * data.eval_split))
        if n_eval >= len(convs):
            raise DataError(
                f"`data.eval_split` {data.eval_split} leaves no training rows out of {len(convs)}; lower it."
            )
        eval_convs, train.conversations = convs[:n_eval], convs[n_eval:]
    return train, eval_convs
