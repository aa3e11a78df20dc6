"""Start queues a job once: a second Start of the same spec (a double-click, a Start again because the page seemed
slow, a second tab) while that job still waits in the queue, or within a few seconds of it, is refused with the
job's id. The same spec started on purpose later (a second run once the first finished, or after it has run a
while) is queued as usual.

    job_id, twin = start_once(store, spec)   # (new id, None), or (None, the id of the job it would repeat)
"""

from __future__ import annotations

import threading
import time

from backend.spec import JobSpec
from backend.store import JobStore

RECENT_S = 10.0  # a Start this soon after an identical one is the same click, whatever that job's state
_LOCK = threading.Lock()  # two Start events at once: the second sees the first's job


def twin_of(store: JobStore, spec: JobSpec, now: float | None = None, recent_s: float = RECENT_S) -> str | None:
    """The id of a job of this workspace with this very spec that is still queued or was created in the last
    `recent_s` seconds, or None."""
    now = time.time() if now is None else now
    text = spec.to_yaml()
    for job in store.list_jobs():  # newest first
        if job.state != "queued" and now - job.created_at >= recent_s:
            continue
        if (job.stage, job.method, job.model) != (spec.stage, spec.method.name, spec.model.name_or_path):
            continue
        try:
            same = store.load_spec(job.id).to_yaml() == text
        except (OSError, ValueError):  # a job directory half gone or a spec.yaml hand-edited: not a twin
            continue
        if same:
            return job.id
    return None


def start_once(store: JobStore, spec: JobSpec, now: float | None = None) -> tuple[str | None, str | None]:
    """Queue `spec` unless it repeats a job (twin_of): (new job id, None) or (None, the twin's id)."""
    with _LOCK:
        twin = twin_of(store, spec, now)
        if twin:
            return None, twin
        return store.create_job(spec), None
