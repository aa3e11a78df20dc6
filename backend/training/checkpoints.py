"""Checkpoints for true resume: find the last complete one, drop half-written ones.

The Trainer writes trainer_state.json last (after weights, optimizer, scheduler and RNG
state), so a checkpoint whose trainer_state.json parses is complete; one killed mid-save is
not, and is removed before resuming.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path


def _step(path: Path) -> int:
    try:
        return int(path.name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return -1


def is_complete(checkpoint: Path) -> bool:
    try:
        json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return (checkpoint / "optimizer.pt").is_file() or (checkpoint / "optimizer.bin").is_file()


def latest_checkpoint(checkpoints_dir: Path) -> Path | None:
    """The newest complete checkpoint; incomplete ones are deleted on the way."""
    if not Path(checkpoints_dir).is_dir():
        return None
    found = sorted((p for p in Path(checkpoints_dir).glob("checkpoint-*") if p.is_dir() and _step(p) >= 0), key=_step)
    for candidate in reversed(found):
        if is_complete(candidate):
            return candidate
        shutil.rmtree(candidate, ignore_errors=True)
    return None


def checkpoint_step(checkpoint: Path) -> int:
    return int(json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))["global_step"])


def truncate_metrics(metrics_path: Path, last_step: int) -> int:
    """Keep the metrics lines up to `last_step` (a resumed run writes the rest again)."""
    if not metrics_path.is_file():
        return 0
    kept = []
    for line in metrics_path.read_text(encoding="utf-8").splitlines():
        try:
            if json.loads(line).get("step", 0) <= last_step:
                kept.append(line)
        except json.JSONDecodeError:
            continue  # a line cut off by the crash
    metrics_path.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    return len(kept)
