"""Faults on purpose, for the fault-injection tests (tests/faults/): nothing happens unless the worker's
environment sets STUDIO_FAULTS. Here, in backend/training/, so the worker, the callback and the stages reach it.

    STUDIO_FAULTS="data:pause"        # stop after the data is read, before the model loads (a test kill -9s it there)
    STUDIO_FAULTS="step@3:pause"      # stop at the start of step 3
    STUDIO_FAULTS="save@4:pause"      # stop inside step 4's checkpoint save: weights and optimizer written,
                                      # the trainer_state.json that makes it complete not yet
    STUDIO_FAULTS="step@2:alloc"      # from step 2 on, hold 256 MB more memory at every step (a runaway job)
    STUDIO_FAULTS="save-start:fill"   # fill the workspace's disk (all but 64 KB) as a checkpoint's save begins

Points: `data`, `step@N`, `save-start@N`, `save@N` (without @N: every time; with it, for alloc step N and
every later one, for pause and fill step N alone). A pause writes `<job_dir>/fault-<point>` first, so the
test knows the worker is there, then sleeps (at most PAUSE_S), deaf to SIGTERM's request like a stuck step.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_S = 120.0
_HELD: list[bytearray] = []


def _faults() -> dict[str, str]:
    out = {}
    for item in os.environ.get("STUDIO_FAULTS", "").split(","):
        point, _, action = item.strip().partition(":")
        if point and action:
            out[point] = action
    return out


def hit(point: str, job_dir: str | Path, step: int | None = None) -> None:
    """The worker passes `point` (for `step`, with the step about to run)."""
    faults = _faults()
    if not faults:
        return
    for name, action in faults.items():
        base, _, at = name.partition("@")
        if base != point:
            continue
        if at and step is not None:
            if not at.isdigit() or step < int(at) or (action != "alloc" and step != int(at)):
                continue
        _act(action, name, Path(job_dir))


def _act(action: str, name: str, job_dir: Path) -> None:
    if action == "pause":
        (job_dir / f"fault-{name.replace('@', '-')}").write_text(str(os.getpid()), encoding="utf-8")
        deadline = time.monotonic() + PAUSE_S
        while time.monotonic() < deadline:
            time.sleep(0.1)
    elif action == "alloc":
        block = bytearray(256 << 20)
        block[::4096] = b"x" * len(block[::4096])  # touch every page: resident, not just reserved
        _HELD.append(block)
        time.sleep(0.5)  # a runaway, not a burst: 512 MB a second
    elif action == "fill":
        _fill(job_dir.parent.parent / "fault-filler.bin")


def _fill(path: Path, leave: int = 64 << 10) -> None:
    """Write zeros to `path` until the disk is full, then give back `leave` bytes: the job's small writes
    (its log, the job index) still fit, a checkpoint does not."""
    chunk = b"\0" * (64 << 10)
    f = open(path, "ab")
    try:
        while True:
            f.write(chunk)
            f.flush()
    except OSError:  # the disk is full: what this fault is for
        pass
    finally:
        try:
            f.close()
        except OSError:
            pass
    size = path.stat().st_size
    os.truncate(path, max(0, size - leave))


def arm(trainer, job_dir: str | Path) -> None:
    """Put the `save-start` and `save` points in the trainer's checkpoint save: as it begins, and after the
    RNG state (weights and optimizer written), before the trainer_state.json that completes it."""
    points = {name.partition("@")[0] for name in _faults()}
    if "save-start" in points:
        save_checkpoint = trainer._save_checkpoint

        def _save_checkpoint(*args, **kwargs):
            hit("save-start", job_dir, step=trainer.state.global_step)
            return save_checkpoint(*args, **kwargs)

        trainer._save_checkpoint = _save_checkpoint
    if "save" in points:
        save_rng_state = trainer._save_rng_state

        def _save_rng_state(output_dir, *args, **kwargs):
            result = save_rng_state(output_dir, *args, **kwargs)
            hit("save", job_dir, step=trainer.state.global_step)
            return result

        trainer._save_rng_state = _save_rng_state
