"""Start a sweep: check its `sweep:` section against its job spec and write its folder and study; the scheduler's
loop then queues its runs (backend/sweep/controller.py)."""

from __future__ import annotations

from backend.sweep import study as st
from backend.sweep.spec import SweepSpec


def create_sweep(store, spec, section) -> str:
    """The new sweep's id. Raises SweepError (backend/sweep/spec.py) naming what is wrong in `section`."""
    sweep = SweepSpec.from_dict(section, spec)
    return st.write_sweep(store.workspace, spec, sweep)


def stop_sweep(store, sweep_id: str) -> str:
    """Queue no more runs, and cancel the sweep's queued and running ones. Returns the sweep's state before
    ("running"; "done" and "stopped" are kept). Raises SweepError for a sweep that does not exist."""
    d = st.existing_sweep_dir(store.workspace, sweep_id)
    before = st.read_state(d).get("state", "running")
    if before == "running":
        st.write_state(d, "stopped")
    spec, sweep = st.read_sweep(d)
    for trial in st.open_study(d, sweep).get_trials(deepcopy=False):
        job_id = trial.user_attrs.get("job_id")
        job = store.get(job_id) if job_id else None
        if job is not None and not job.is_final:
            store.request_cancel(job_id)
    return before
