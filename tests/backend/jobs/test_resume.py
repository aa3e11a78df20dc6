"""Jobs that survive: kill -9 at different points, resume to success (a studio restart adopting a running job:
tests/faults/test_faults.py)."""

import json
import os
import signal
import sqlite3

import pytest
from safetensors.torch import load_file

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from tests.conftest import wait_for


def spec(*overrides):
    return JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(
        ["training.max_steps=60", "training.save_steps=10", "training.logging_steps=5", *overrides])


def kill_when(store, job_id, predicate, timeout=120):
    wait_for(lambda: store.get(job_id).pid and predicate(), timeout, "the moment to kill")
    os.kill(store.get(job_id).pid, signal.SIGKILL)
    wait_for(lambda: store.get(job_id).state == "interrupted", 10, "the job to be marked interrupted")
    with sqlite3.connect(store.workspace.db_path) as db:  # the kill left the store whole
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # status.json is rewritten just after the row changes (by the scheduler's thread, not atomically with it).
    status = store.job_dir(job_id) / "status.json"
    wait_for(lambda: json.loads(status.read_text())["state"] == "interrupted", 10, "status.json to say interrupted")


def losses(store, job_id):
    return {m["step"]: m["loss"] for m in store.read_metrics(job_id) if m.get("loss") is not None}


def test_a_run_killed_and_resumed_ends_like_the_run_left_alone(store, scheduler):
    alone = store.create_job(spec())
    wait_for(lambda: store.get(alone).is_final, 240, "the reference run")
    assert store.get(alone).state == "succeeded"

    job_id = store.create_job(spec())
    kill_when(store, job_id, lambda: store.read_progress(job_id).get("step", 0) >= 23)
    assert list((store.job_dir(job_id) / "checkpoints").glob("checkpoint-*"))
    store.mark_resumed(job_id)
    wait_for(lambda: store.get(job_id).is_final, 240, "the resumed run")
    job = store.get(job_id)
    assert job.state == "succeeded" and job.resumes == 1
    assert "resuming from checkpoint-" in store.read_log_tail(job_id, 200_000)

    mine, ref = losses(store, job_id), losses(store, alone)
    assert sorted(mine) == sorted(ref)  # the curve continues: every step once, none missing
    for step in ref:
        assert mine[step] == pytest.approx(ref[step], rel=1e-3, abs=1e-4), step
    a = load_file(str(store.job_dir(alone) / "adapter" / "adapter_model.safetensors"))
    b = load_file(str(store.job_dir(job_id) / "adapter" / "adapter_model.safetensors"))
    assert max((a[k] - b[k]).abs().max().item() for k in a) < 1e-4


def test_killed_while_loading_data_then_resumed_from_scratch(store, scheduler):
    job_id = store.create_job(spec("training.max_steps=8"))
    kill_when(store, job_id, lambda: True)  # as soon as the process exists
    assert store.get(job_id).error.kind == "interrupted"
    store.mark_resumed(job_id)
    wait_for(lambda: store.get(job_id).is_final, 240, "the resumed run")
    assert store.get(job_id).state == "succeeded"
    assert sorted(losses(store, job_id))[:2] == [1, 5]


def test_a_half_written_checkpoint_is_skipped_on_resume(store, scheduler):
    job_id = store.create_job(spec())
    kill_when(store, job_id, lambda: store.read_progress(job_id).get("step", 0) >= 13)
    ckpts = store.job_dir(job_id) / "checkpoints"
    # What a kill in the middle of a save leaves: weights written, trainer state not yet.
    partial = ckpts / "checkpoint-50"
    partial.mkdir()
    for f in (ckpts / "checkpoint-10").iterdir():
        if f.name != "trainer_state.json":
            (partial / f.name).write_bytes(f.read_bytes()[: max(1, f.stat().st_size // 2)])
    store.mark_resumed(job_id)
    wait_for(lambda: store.get(job_id).is_final, 240, "the resumed run")
    assert store.get(job_id).state == "succeeded"
    log = store.read_log_tail(job_id, 200_000)
    assert "resuming from checkpoint-" in log and "checkpoint-50 (step" not in log
    assert sorted(losses(store, job_id)) == [1, *range(5, 61, 5)]


def test_nan_loss_stops_the_run_with_the_step_and_a_hint(tmp_path):
    from types import SimpleNamespace

    from backend.training.callback import JobReporter
    from backend.training.errors import TrainingError, explain

    reporter = JobReporter(tmp_path)
    state = SimpleNamespace(is_world_process_zero=True, global_step=17, epoch=1.0, max_steps=40,
                            num_input_tokens_seen=100)
    reporter.on_log(None, state, None, logs={"loss": 2.5})
    with pytest.raises(TrainingError) as info:
        reporter.on_log(None, state, None, logs={"loss": float("nan")})
    error = explain(info.value)
    assert error.kind == "nan_loss" and "step 17" in error.message and "learning_rate" in error.hint
    assert (tmp_path / "metrics.jsonl").read_text().count("\n") == 2  # the bad point is on the curve too
