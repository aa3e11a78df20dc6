"""The sweep controller: one pass over the running sweeps of a workspace, from the scheduler's loop.

Each pass, for every running sweep (a file lock per sweep, so two schedulers on one workspace never both act):
  - a trial's job that logged new eval losses: they are reported to the study (trial.report); when the median
    rule (Optuna's MedianPruner) prunes it, its job is cancelled, marked stopped early with the reason, and the
    trial told PRUNED;
  - a trial's job that ended: succeeded -> its metric told to the study (COMPLETE); otherwise FAIL;
  - fewer than `parallel` trials running and trials left: the next one is asked for and its job queued with its
    values (JobStore.create_job: the same queue as every job);
  - every trial told: the sweep is done.
Everything lives in the study db and the store, so a new controller (a restarted studio) goes on where it stopped.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from pathlib import Path

from backend.messages import msg
from backend.spec.applies import _has_eval
from backend.sweep import study as st
from backend.sweep.spec import apply

log = logging.getLogger("studio.sweep")

try:
    import fcntl
except ImportError:
    fcntl = None


class SweepController:
    def __init__(self, store, min_interval_s: float = 1.0):
        self.store = store
        self.min_interval_s = min_interval_s
        self._last = 0.0
        self._studies: dict[str, tuple] = {}  # sweep id -> (study, base spec, sweep spec)

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.min_interval_s:
            return
        self._last = now
        for sweep_id in st.list_sweeps(self.store.workspace):
            d = st.sweep_dir(self.store.workspace, sweep_id)
            if st.read_state(d).get("state") != "running":
                self._studies.pop(sweep_id, None)
                continue
            try:
                with _locked(d) as mine:
                    if mine:
                        self.step(sweep_id)
            except Exception:  # one broken sweep must not stop the others (or the queue)
                log.exception("sweep %s: the controller failed", sweep_id)

    def _open(self, sweep_id: str):
        if sweep_id not in self._studies:
            d = st.sweep_dir(self.store.workspace, sweep_id)
            spec, sweep = st.read_sweep(d)
            self._studies[sweep_id] = (st.open_study(d, sweep), spec, sweep)
        return self._studies[sweep_id]

    def step(self, sweep_id: str) -> None:
        """One pass over one sweep (the caller holds its lock)."""
        from optuna.trial import TrialState

        study, spec, sweep = self._open(sweep_id)
        key = metric_key(spec, sweep.metric)
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            job_id = trial.user_attrs.get("job_id")
            if not job_id:  # asked for, but the controller stopped before its job was queued
                self._queue(sweep_id, study, spec, trial)
                continue
            self._follow(study, sweep, key, trial, job_id)
        trials = study.get_trials(deepcopy=False)
        running = sum(t.state == TrialState.RUNNING for t in trials)
        while running < sweep.parallel and len(trials) < sweep.trials:
            trial = study.ask(st.distributions(sweep))
            self._queue(sweep_id, study, spec, trial)
            running += 1
            trials = study.get_trials(deepcopy=False)
        if len(trials) >= sweep.trials and running == 0:
            best = best_trial(study)
            st.write_state(st.sweep_dir(self.store.workspace, sweep_id), "done",
                           best_trial=best.number if best else None,
                           best_job=best.user_attrs.get("job_id") if best else None)
            log.info("sweep %s done", sweep_id)

    def _queue(self, sweep_id: str, study, spec, trial) -> None:
        job_spec = apply(spec, trial.params)
        job_id = self.store.create_job(job_spec)
        write_job_mark(self.store.job_dir(job_id), {"sweep": sweep_id, "trial": trial.number, "params": trial.params})
        study._storage.set_trial_user_attr(trial._trial_id, "job_id", job_id)
        log.info("sweep %s: trial %s queued as job %s (%s)", sweep_id, trial.number, job_id, trial.params)

    def _follow(self, study, sweep, key: str, trial, job_id: str) -> None:
        import optuna
        from optuna.trial import TrialState

        job = self.store.get(job_id)
        if job is None:
            study.tell(trial.number, state=TrialState.FAIL)
            return
        points = series(self.store.read_metrics(job_id), key)
        live = optuna.Trial(study, trial._trial_id)
        for step, value in points:
            if step not in trial.intermediate_values:
                live.report(value, step)
        if job.state in ("queued", "running") and points and sweep.early_stop == "median" and live.should_prune():
            step, _ = points[-1]
            reason = msg("sweep.stopped_early", value=_fmt(min(v for _, v in points)), step=step,
                         median=_fmt(median_at(study, step, trial.number)))
            self.store.request_cancel(job_id)
            write_job_mark(self.store.job_dir(job_id), {"stopped_early": str(reason),
                                                        "stopped_early_ref": reason.to_json()})
            study._storage.set_trial_user_attr(trial._trial_id, "stopped_early", str(reason))
            study.tell(trial.number, state=TrialState.PRUNED)
            log.info("sweep trial %s (job %s): %s", trial.number, job_id, reason)
            return
        if not job.is_final:
            return
        if job.state == "succeeded":
            value = points[-1][1] if points else job.final_loss
            if value is not None and math.isfinite(value):
                study.tell(trial.number, value)
                return
        study._storage.set_trial_user_attr(trial._trial_id, "job_state", job.state)
        study.tell(trial.number, state=TrialState.FAIL)


def metric_key(spec, metric: str) -> str:
    """The metrics.jsonl key a sweep's runs are judged by: eval_loss when the job evaluates, else the train loss."""
    return "eval_loss" if metric == "eval_loss" and _has_eval(spec) else "loss"


def series(rows: list[dict], key: str) -> list[tuple[int, float]]:
    """(step, value) of a metrics.jsonl key, the last value of a step kept."""
    out: dict[int, float] = {}
    for row in rows:
        value = row.get(key)
        if isinstance(value, (int, float)) and math.isfinite(value) and isinstance(row.get("step"), int):
            out[row["step"]] = float(value)
    return sorted(out.items())


def median_at(study, step: int, exclude: int) -> float:
    """The median of the finished trials' values at `step` (what the median rule compared with)."""
    import statistics

    from optuna.trial import TrialState

    values = [t.intermediate_values[step] for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
              if t.number != exclude and step in t.intermediate_values]
    return statistics.median(values) if values else float("nan")


def best_trial(study):
    from optuna.trial import TrialState

    done = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if t.value is not None]
    return min(done, key=lambda t: t.value) if done else None


def write_job_mark(job_dir: Path, data: dict) -> None:
    """Add to <job>/sweep.json (which sweep and trial the job is, and whether it was stopped early)."""
    path = Path(job_dir) / "sweep.json"
    old = read_job_mark(job_dir)
    tmp = path.with_name(f".sweep.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({**old, **data}, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


def read_job_mark(job_dir: Path) -> dict:
    try:
        return json.loads((Path(job_dir) / "sweep.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _fmt(value: float) -> str:
    return f"{value:.4f}" if isinstance(value, float) and math.isfinite(value) else "?"


class _locked:
    """A non-blocking exclusive lock on <sweep>/lock: `with _locked(d) as mine:` mine is False when another
    scheduler acts on the sweep right now."""

    def __init__(self, d: Path):
        self.d, self.fd = d, None

    def __enter__(self) -> bool:
        if fcntl is None:
            return True
        self.fd = os.open(self.d / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
