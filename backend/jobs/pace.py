"""Is the step now running far slower than it should? The Monitor's warning.

    write_expected(job_dir, seconds_per_step, "probe")   # the studio, when a job starts after the Review timed it
    slow_step(progress, job_dir)                          # a Message while the current step is far too slow, else None

The expected time of a step is the Review's measurement (backend.jobs.probe, kept in the job's
expected_pace.json) or, without one, the average of the steps done so far (progress.json). A step
is slow when it has run SLOW_FACTOR times that and at least MIN_SLOW_S; the warning names the step,
how long it has run and what to do. Torch-free: the studio process reads it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from backend.messages import Message, msg

SLOW_FACTOR = 10.0
MIN_SLOW_S = 30.0
EXPECTED_FILE = "expected_pace.json"


def write_expected(job_dir: str | Path, seconds_per_step: float, source: str) -> None:
    (Path(job_dir) / EXPECTED_FILE).write_text(json.dumps({"seconds_per_step": seconds_per_step, "source": source}),
                                               encoding="utf-8")


def expected(progress: dict, job_dir: str | Path) -> tuple[float, Message] | None:
    """(seconds a step should take, where that comes from), or None before anything is known."""
    try:
        known = json.loads((Path(job_dir) / EXPECTED_FILE).read_text(encoding="utf-8"))
        seconds = float(known["seconds_per_step"])
        if seconds > 0:
            return seconds, msg("jobs.pace_probe")
    except (OSError, ValueError, KeyError, TypeError):
        pass
    step, elapsed = progress.get("step") or 0, progress.get("elapsed_s") or 0
    if step >= 2 and elapsed > 0:
        return elapsed / step, msg("jobs.pace_earlier")
    return None


def slow_step(progress: dict, job_dir: str | Path, now: float | None = None) -> Message | None:
    """The warning while a running job's current step is far slower than expected, else None."""
    if progress.get("phase") != "training" or not progress.get("updated_at"):
        return None
    if progress.get("total_steps") and progress.get("step", 0) >= progress["total_steps"]:
        return None  # training is over: saving and exporting are not steps
    known = expected(progress, job_dir)
    if known is None:
        return None
    seconds, source = known
    running = (now or time.time()) - float(progress["updated_at"])
    if running < max(SLOW_FACTOR * seconds, MIN_SLOW_S):
        return None
    return msg("jobs.slow_step", step=(progress.get("step") or 0) + 1, elapsed=_duration(running),
               times=round(running / seconds), expected=_duration(seconds), source=source)


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds:.2f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes, s = divmod(int(seconds), 60)
    return f"{minutes} min {s:02d} s"
