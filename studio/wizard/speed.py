"""How long a job will take: measured, never guessed from a formula.

    seconds = speed.known_pace(ctx, spec)        # s/step from a probe or a finished job like it
    result = speed.measure(ctx, spec, steps=4)   # runs backend.jobs.probe in its own process

The pace of a step depends on the model, method, batch, length, precision and threads, not on how
many epochs or which schedule: `pace_key` keeps only what matters, so a probe taken once serves
every variant of the same setup, and a finished job of the same setup counts as a measurement.
The UI never imports torch: the probe is a subprocess (`python -m backend.jobs.probe`).

A timing taken while the machine was shared says little about a run on an idle one: a probe records the jobs
and probes that ran beside it (`busy`), and counts only while the machine is still busy (shown as such; once it
is idle the Review asks for a new measurement); a finished job whose run overlapped another job's is no pace.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from backend.messages import Message
from backend.resources import PROJECT_ROOT
from backend.spec import JobSpec
from studio.i18n import msg

_PACES: dict[str, dict] = {}  # pace_key -> probe result (startup_s, seconds_per_step, ...)
_JOB_KEYS: dict[tuple[str, str], str] = {}  # (workspace, succeeded job id) -> its pace_key
_LOCK = threading.Lock()
_PROBING: dict[int, dict] = {}  # the probes running now (this studio): id -> {"shared": another ran beside it}
_PROBE_IDS = iter(range(1, 1 << 62))
TRAINING_KEYS = ("batch_size", "gradient_accumulation_steps", "max_length", "precision", "cpu_threads", "device",
                 "group_by_length", "padding_free", "tokens_per_pass", "gradient_checkpointing", "attention",
                 "fused_kernels", "compile")


def pace_key(spec: JobSpec) -> str:
    d = spec.to_dict()
    return json.dumps({"model": d["model"], "method": d["method"], "stage": d["stage"], "align": d["align"],
                       "data": d["data"].get("train"), "training": {k: d["training"].get(k) for k in TRAINING_KEYS},
                       "distributed": d.get("distributed")},
                      sort_keys=True)


def remember(spec: JobSpec, result: dict) -> None:
    with _LOCK:
        _PACES[pace_key(spec)] = result


def _job_pace_key(ctx, job_id: str) -> str:
    """A finished job's pace key, read from its spec once (the Review asks at every change)."""
    cache_key = (str(ctx.workspace.root), job_id)
    with _LOCK:
        if cache_key in _JOB_KEYS:
            return _JOB_KEYS[cache_key]
    key = pace_key(ctx.store.load_spec(job_id))
    with _LOCK:
        _JOB_KEYS[cache_key] = key
    return key


def busy_now(ctx) -> list[str]:
    """What runs on this machine now besides the page: the running jobs' ids, and "probe" for each speed test."""
    with _LOCK:
        probes = len(_PROBING)
    return [job.id for job in ctx.store.list_jobs(("running",))] + ["probe"] * probes


def known_pace(ctx, spec: JobSpec) -> tuple[float, float, str] | None:
    """(seconds per step, start-up seconds, where it came from: "probe", "probe_busy" (taken while other work ran,
    and the machine is still busy) or a job id), or None. A probe taken on a shared machine that is idle now
    is forgotten: the Review asks to measure again."""
    key = pace_key(spec)
    with _LOCK:
        r = _PACES.get(key)
    if r is not None:
        if not r.get("busy"):
            return r["seconds_per_step"], r["startup_s"], "probe"
        if busy_now(ctx):
            return r["seconds_per_step"], r["startup_s"], "probe_busy"
        with _LOCK:
            if _PACES.get(key) is r:
                del _PACES[key]
    jobs = ctx.store.list_jobs()
    for job in [j for j in jobs if j.state == "succeeded"][:50]:
        try:
            if _job_pace_key(ctx, job.id) != key or overlapped(job, jobs):
                continue
            summary = json.loads((ctx.store.job_dir(job.id) / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        steps, runtime = summary.get("steps") or 0, summary.get("train_runtime_s") or 0
        if steps > 0 and runtime > 0:
            return runtime / steps, float(summary.get("startup_s") or 0.0), job.id
    return None


def overlapped(job, jobs) -> bool:
    """Whether another job ran while `job` did (its time then was shared)."""
    start, end = job.started_at, job.ended_at
    if start is None or end is None:
        return False
    return any(o.id != job.id and o.started_at is not None and o.started_at < end
               and (o.ended_at is None or o.ended_at > start) for o in jobs)


def measure(ctx, spec: JobSpec, steps: int = 4, timeout_s: float = 900) -> dict:
    """Run the probe on `spec`; the result dict, or {"error": sentence}. Remembers a success, with `busy`: the
    jobs (and "probe") that ran beside it, empty when the machine was its own."""
    with _LOCK:
        me = next(_PROBE_IDS)
        for other in _PROBING.values():
            other["shared"] = True
        _PROBING[me] = {"shared": bool(_PROBING)}
    started = time.time()
    try:
        result = _run_probe(ctx, spec, steps, timeout_s)
    finally:
        with _LOCK:
            shared = _PROBING.pop(me)["shared"]
    if "error" in result:
        return result
    beside = [j.id for j in ctx.store.list_jobs() if j.started_at is not None and j.started_at < time.time()
              and (j.ended_at is None or j.ended_at > started)]
    result["busy"] = beside + (["probe"] if shared else [])
    remember(spec, result)
    return result


def _run_probe(ctx, spec: JobSpec, steps: int, timeout_s: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="studio-probe-spec-") as tmp:
        path = Path(tmp) / "spec.yaml"
        path.write_text(spec.to_yaml(), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p)}
        cmd = [sys.executable, "-m", "backend.jobs.probe", "--workspace", str(ctx.workspace.root), str(path),
               "--steps", str(steps)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, env=env,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return {"error": ctx.t["speed.timeout"].format(seconds=int(timeout_s))}
    lines = [ln for ln in done.stdout.splitlines() if ln.strip().startswith("{")]
    try:
        result = json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = (done.stderr or "").strip().splitlines()[-3:]
        return {"error": ctx.t["speed.failed"].format(code=done.returncode, tail=" ".join(tail))}
    if "error" in result:  # its id and values beside the English (backend.jobs.probe): shown in the page's language
        return {"error": msg(ctx.t, Message.from_json(result.get("error_ref"), result["error"]))}
    return result
