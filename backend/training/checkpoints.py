"""Checkpoints for true resume: find the last complete one, drop half-written and corrupt ones.

The Trainer writes trainer_state.json last (after weights, optimizer, scheduler and RNG
state), so a checkpoint whose trainer_state.json parses is complete; one killed mid-save is
not, and is removed before resuming. A complete one can still be damaged afterwards (a disk error,
a copy cut short): its weight files are checked too (a .safetensors file as long as its header says,
a torch .pt/.bin archive whose every member reads back with its checksum), and resume falls back to
the checkpoint before it.
"""

from __future__ import annotations

import json
import logging
import shutil
import struct
import zipfile
from pathlib import Path

log = logging.getLogger("studio.worker")


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
    if not ((checkpoint / "optimizer.pt").is_file() or (checkpoint / "optimizer.bin").is_file()):
        return False
    return not damaged_files(checkpoint)


def damaged_files(checkpoint: Path) -> list[str]:
    """The weight and state files of `checkpoint` that cannot be read whole."""
    bad = []
    for path in sorted(checkpoint.iterdir()):
        if path.suffix == ".safetensors" and not _safetensors_whole(path):
            bad.append(path.name)
        elif path.suffix in (".pt", ".bin", ".pth") and not _torch_archive_whole(path):
            bad.append(path.name)
    return bad


def _safetensors_whole(path: Path) -> bool:
    """8 bytes of header length, a JSON header, then exactly the bytes its tensors' offsets end at."""
    try:
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            if n > 100 << 20:
                return False
            header = json.loads(f.read(n))
        end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"), default=0)
        return path.stat().st_size == 8 + n + end
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        return False


def _torch_archive_whole(path: Path) -> bool:
    """torch.save's zip archive, every member's CRC checked (an old pickled file is taken as it is)."""
    try:
        if not zipfile.is_zipfile(path):
            with open(path, "rb") as f:
                return len(f.read(2)) == 2  # a legacy pickle: not empty is all that can be told cheaply
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None
    except (OSError, zipfile.BadZipFile, EOFError, ValueError):
        return False


def latest_checkpoint(checkpoints_dir: Path) -> Path | None:
    """The newest complete checkpoint; incomplete ones are deleted on the way."""
    if not Path(checkpoints_dir).is_dir():
        return None
    found = sorted((p for p in Path(checkpoints_dir).glob("checkpoint-*") if p.is_dir() and _step(p) >= 0), key=_step)
    for candidate in reversed(found):
        if is_complete(candidate):
            return candidate
        damaged = (candidate / "trainer_state.json").is_file() and damaged_files(candidate)
        if damaged:
            log.warning("checkpoint %s is damaged (%s): resuming from the one before it", candidate.name,
                        ", ".join(damaged))
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


def resume_point(checkpoints_dir: Path) -> tuple[int, str] | None:
    """(step, folder name) of the checkpoint a resume would start from, found without changing anything
    (for the page and the interrupted message; the worker's latest_checkpoint decides): the newest whose
    trainer_state.json parses and that has its optimizer state. No checksum is read, so this is cheap
    even for a full fine-tune's optimizer; a checkpoint damaged inside its files is still named."""
    if not Path(checkpoints_dir).is_dir():
        return None
    found = sorted((p for p in Path(checkpoints_dir).glob("checkpoint-*") if p.is_dir() and _step(p) >= 0), key=_step)
    for candidate in reversed(found):
        if not ((candidate / "optimizer.pt").is_file() or (candidate / "optimizer.bin").is_file()):
            continue
        try:
            json.loads((candidate / "trainer_state.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        return _step(candidate), candidate.name
    return None
