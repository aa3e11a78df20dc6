"""The sweep controller over a real store and a real Optuna study: a real grid of demo runs through the scheduler,
the median rule stopping a clearly worse run (its eval losses written as a worker writes them), and a new controller
(a restarted studio) going on where the last one stopped."""

from __future__ import annotations

import json

import yaml

from backend.spec import JobSpec
from backend.sweep import study as st
from backend.sweep.controller import SweepController, read_job_mark
from backend.sweep.create import create_sweep
from backend.sweep.table import format_table, sweep_rows
from tests.conftest import wait_for

DEMO = {"model": {"name_or_path": "demo"}, "data": {"train": "demo", "eval_split": 0.1},
        "method": {"name": "lora", "lora_r": 8, "lora_alpha": 32}, "stage": "sft",
        "training": {"max_steps": 3, "batch_size": 8, "max_length": 64, "logging_steps": 1, "save_minutes": 0}}


def _spec() -> JobSpec:
    return JobSpec.from_dict(yaml.safe_load(yaml.safe_dump(DEMO)))


def test_a_grid_of_demo_runs_through_the_queue(store, scheduler):
    sweep_id = create_sweep(store, _spec(), {"method": "grid", "early_stop": "none",
                                             "parameters": {"training.learning_rate": [2e-3, 1e-6]}})
    d = st.sweep_dir(store.workspace, sweep_id)
    wait_for(lambda: st.read_state(d).get("state") == "done", 150, "the sweep to finish")
    jobs = sorted(store.list_jobs(), key=lambda j: j.created_at)
    assert [j.state for j in jobs] == ["succeeded", "succeeded"]
    rates = [store.load_spec(j.id).training.learning_rate for j in jobs]
    assert sorted(rates) == [1e-6, 2e-3]
    assert [read_job_mark(store.job_dir(j.id))["trial"] for j in jobs] == [0, 1]
    study = st.open_study(d, st.read_sweep(d)[1])
    values = {t.params["training.learning_rate"]: t.value for t in study.trials}
    assert all(isinstance(v, float) for v in values.values()) and values[2e-3] < values[1e-6]
    rows, best, info = sweep_rows(store, sweep_id)
    assert info["key"] == "eval_loss"
    best_row = next(r for r in rows if r["best"])
    assert best_row["params"] == {"training.learning_rate": 2e-3} and best == best_row["trial"]
    table = format_table(rows, info["params"], info["key"])
    assert "★ best" in next(line for line in table.splitlines() if best_row["job"] in line)
    assert st.read_state(d)["best_job"] == best_row["job"]


def _run(store, job_id: str, losses: list[float], final: bool) -> None:
    """Job `job_id` as its worker leaves it: running, eval losses by step in metrics.jsonl (succeeded if final)."""
    if store.get(job_id).state == "queued":
        store.mark_running(job_id, 0)
    rows = [{"step": i + 1, "loss": v, "eval_loss": v} for i, v in enumerate(losses)]
    (store.job_dir(job_id) / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    if final:
        store.mark_succeeded(job_id, losses[-1])


def _trial_jobs(store, sweep_id):
    d = st.sweep_dir(store.workspace, sweep_id)
    return [t.user_attrs.get("job_id") for t in st.open_study(d, st.read_sweep(d)[1]).trials]


def test_the_median_rule_stops_a_clearly_worse_run_and_a_restart_goes_on(store):
    sweep_id = create_sweep(store, _spec(), {"method": "grid", "min_steps": 1, "min_trials": 1, "parallel": 1,
                                             "parameters": {"training.learning_rate": [2e-3, 1e-6, 1e-3]}})
    first = SweepController(store, min_interval_s=0)
    first.tick()
    [job0] = _trial_jobs(store, sweep_id)
    assert store.get(job0).state == "queued"
    _run(store, job0, [3.0, 2.5, 2.0, 1.5], final=True)
    # A new controller over the same store and study (the studio restarted): trial 0 told, trial 1 queued, once.
    second = SweepController(store, min_interval_s=0)
    second.tick()
    second.tick()
    jobs = _trial_jobs(store, sweep_id)
    assert len(jobs) == 2 and len(store.list_jobs()) == 2
    _run(store, jobs[1], [3.1, 3.0, 2.99], final=False)  # clearly worse than trial 0 at step 3 (2.0)
    second.tick()
    job1 = store.get(jobs[1])
    assert job1.cancel_requested == 1
    reason = read_job_mark(store.job_dir(jobs[1]))["stopped_early"]
    assert reason == "stopped early: eval loss 2.9900 at step 3 above the median 2.0000 of earlier runs"
    rows, best, _ = sweep_rows(store, sweep_id)
    assert rows[1]["state"] == "stopped early" and rows[1]["reason"] == reason and best == 0
    # Trial 2 is queued in its place; once it ends the sweep is done.
    jobs = _trial_jobs(store, sweep_id)
    assert len(jobs) == 3
    _run(store, jobs[2], [2.9, 2.2, 1.8, 1.2], final=True)
    second.tick()
    state = st.read_state(st.sweep_dir(store.workspace, sweep_id))
    assert state["state"] == "done" and state["best_job"] == jobs[2]


def test_a_trial_asked_for_but_never_queued_is_queued_after_a_restart(store):
    sweep_id = create_sweep(store, _spec(), {"parameters": {"method.lora_r": [4, 8]}, "parallel": 1})
    d = st.sweep_dir(store.workspace, sweep_id)
    _, sweep = st.read_sweep(d)
    st.open_study(d, sweep).ask(st.distributions(sweep))  # the controller stopped right after asking
    SweepController(store, min_interval_s=0).tick()
    [job] = store.list_jobs()
    assert _trial_jobs(store, sweep_id) == [job.id]
    assert store.load_spec(job.id).method.lora_r == read_job_mark(store.job_dir(job.id))["params"]["method.lora_r"]
