"""Watching running jobs from outside them: cancel within seconds, and memory before the kernel acts.

    guard = Guard(store)
    guard.watch(store.list_jobs(("running",)))   # every half second: the scheduler, `studio train`, `jobs cancel`

Cancel: the first request sends SIGTERM (the worker saves a checkpoint at its next step and ends as
cancelled); a worker still alive GRACE_S later (a step that takes minutes, a process that ignores the
signal) is killed with its processes and marked cancelled, so a cancel ends any job within ten seconds,
however it was started. A second request kills at once.

Memory: the resident memory of a worker and every process under it, against what it may use:
`training.memory_limit_gb` when set; otherwise the machine's memory (or its container's cgroup) must keep
a reserve (backend.jobs.memory.reserve). A job that reaches its limit, or the largest job when the
machine runs short, is failed as `out_of_memory` with the figure it reached and what to lower, then
killed: the studio and the other jobs are never the processes the kernel's out-of-memory killer picks
(the worker also raises its own oom_score_adj, so the kernel would take it first). A GPU's memory is
the worker's own concern: CUDA's out-of-memory error becomes the same failure kind there.

Several watchers of one job (a studio and a `studio train` beside it) act once: the store's transitions
are atomic, and the second one finds the job ended.
"""

from __future__ import annotations

import logging
import os
import signal
import time

from backend.jobs import memory
from backend.messages import msg
from backend.store import InvalidTransition, Job, JobError, JobStore

log = logging.getLogger("studio.scheduler")
GRACE_S = 6.0  # from SIGTERM to SIGKILL on cancel
COOLDOWN_S = 3.0  # after stopping a job for the machine's memory: let the memory come back before judging again


def signal_worker(pid: int, sig: int) -> None:
    """Signal the worker's process group. SIGKILL also reaches its descendants: the processes of a
    multi-process job each lead a session of their own (the launcher forwards SIGTERM to them itself)."""
    from backend.training.sysmon import _descendants

    kids = _descendants(pid) if sig == signal.SIGKILL else []
    try:
        os.killpg(pid, sig)  # the worker leads its own session and process group
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    for kid in kids:
        try:
            os.kill(kid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def format_bytes(n: int) -> str:
    from backend.plan.estimate import format_bytes as fmt

    return fmt(n)


class Guard:
    def __init__(self, store: JobStore, grace_s: float = GRACE_S):
        self.store = store
        self.grace_s = grace_s
        self._acted: dict[str, int] = {}  # job id -> cancel requests acted on
        self._term_at: dict[str, float] = {}  # job id -> when SIGTERM went out for a cancel
        self._limits: dict[str, int | None] = {}  # job id -> its memory_limit_gb in bytes (None: the machine's)
        self._calm_until = 0.0

    def watch(self, jobs: list[Job]) -> list[str]:
        """Act on the running jobs given (those with a pid); returns what was done, one line a job."""
        jobs = [j for j in jobs if j.state == "running" and j.pid]
        done = self._memory(jobs)
        for job in jobs:
            if job.id not in done:
                action = self._cancel(job)
                if action:
                    done[job.id] = action
        for gone in set(self._term_at) - {j.id for j in jobs}:
            self._term_at.pop(gone, None)
        return [f"{job_id}: {what}" for job_id, what in done.items()]

    # -- cancel ------------------------------------------------------------------------------------
    def _cancel(self, job: Job) -> str | None:
        now = time.monotonic()
        if job.cancel_requested > self._acted.get(job.id, 0):
            first = self._acted.get(job.id, 0) == 0 and job.cancel_requested == 1
            self._acted[job.id] = job.cancel_requested
            if first:
                log.info("cancel job %s: sending SIGTERM (killed if still running in %.0f s)", job.id, self.grace_s)
                signal_worker(job.pid, signal.SIGTERM)
                self._term_at[job.id] = now
                return "SIGTERM"
            return self._kill_cancelled(job, msg("jobs.cancel_killed", seconds=0))
        started = self._term_at.get(job.id)
        if started is not None and now - started >= self.grace_s:
            return self._kill_cancelled(job, msg("jobs.cancel_killed", seconds=round(self.grace_s)))
        return None

    def _kill_cancelled(self, job: Job, why: str) -> str:
        log.warning("job %s: %s", job.id, why)
        self._append_log(job.id, why)
        signal_worker(job.pid, signal.SIGKILL)
        self._term_at.pop(job.id, None)
        try:
            self.store.mark_cancelled(job.id)
        except InvalidTransition:
            pass
        return "SIGKILL"

    # -- memory ------------------------------------------------------------------------------------
    def _memory(self, jobs: list[Job]) -> dict[str, str]:
        used = {j.id: memory.tree_rss(j.pid) for j in jobs}
        done = {}
        for job in jobs:
            limit = self._limit(job)
            if limit and used[job.id] and used[job.id] >= limit:
                why = msg("jobs.memory_why_limit", limit=format_bytes(limit))
                if self._stop_for_memory(job, used[job.id], why):
                    done[job.id] = "out_of_memory"
        left = memory.memory_left()
        keep = memory.reserve(memory.total_memory())
        if left is None or left >= keep or time.monotonic() < self._calm_until:
            return done
        candidates = [j for j in jobs if j.id not in done and used[j.id]]
        if candidates:
            largest = max(candidates, key=lambda j: used[j.id])
            why = msg("jobs.memory_why_machine", left=format_bytes(left), reserve=format_bytes(keep))
            if self._stop_for_memory(largest, used[largest.id], why):
                done[largest.id] = "out_of_memory"
        return done

    def _limit(self, job: Job) -> int | None:
        if job.id not in self._limits:
            try:
                gb = float(self.store.load_spec(job.id).training.memory_limit_gb or 0)
            except Exception:  # noqa: BLE001 - a spec that cannot be read has no limit of its own
                gb = 0.0
            self._limits[job.id] = int(gb * (1 << 30)) if gb > 0 else None
        return self._limits[job.id]

    def _stop_for_memory(self, job: Job, used: int, why: str) -> bool:
        error = JobError("out_of_memory", msg("jobs.memory_stopped", used=format_bytes(used), why=why),
                         msg("jobs.memory_stopped_hint"))
        try:
            self.store.mark_failed(job.id, error)
        except InvalidTransition:
            return False  # it ended meanwhile, or another watcher acted
        log.error("job %s: %s", job.id, error.message)
        self._append_log(job.id, f"FAILED (out_of_memory): {error.message}\nwhat to try: {error.hint}")
        signal_worker(job.pid, signal.SIGKILL)
        self._calm_until = time.monotonic() + COOLDOWN_S
        return True

    def _append_log(self, job_id: str, text: str) -> None:
        try:
            with open(self.store.job_dir(job_id) / "log.txt", "a", encoding="utf-8") as f:
                f.write(f"{time.strftime('%H:%M:%S')} [studio] {text}\n")
        except OSError:
            pass
