"""Fault injection on the real worker: each test makes one fault happen (backend/training/faults.py's
STUDIO_FAULTS points, a kill -9, a full disk, a damaged checkpoint, a runaway allocation, broken files, a
cancel) and checks the job's final state, the message and hint, that the studio stayed up and what was
kept. tests/faults/table.py holds the table of them, which docs/faults.md shows.

    .venv/bin/pytest tests/faults/
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from tests.conftest import ROOT, python_env, wait_for
from tests.faults.table import render, row

pytestmark = pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the guard reads /proc (Linux)")


def spec(*overrides) -> JobSpec:
    return JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(
        ["training.max_steps=12", "training.save_steps=2", "training.logging_steps=1", *overrides])


def reached(store, job_id, name: str) -> bool:
    return (store.job_dir(job_id) / f"fault-{name}").is_file()


def kill_9(store, job_id) -> None:
    os.kill(store.get(job_id).pid, signal.SIGKILL)
    wait_for(lambda: store.get(job_id).state == "interrupted", 10, "the job to be marked interrupted")


def store_is_whole(store) -> None:
    with sqlite3.connect(store.workspace.db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def steps_logged(store, job_id) -> list[int]:
    return sorted({m["step"] for m in store.read_metrics(job_id) if m.get("loss") is not None})


def resume_to_the_end(store, job_id) -> None:
    store.mark_resumed(job_id)
    wait_for(lambda: store.get(job_id).is_final, 240, "the resumed run")
    assert store.get(job_id).state == "succeeded", store.read_log_tail(job_id, 3000)


def expect(test: str, job) -> None:
    """The job as the table row of `test` says."""
    r = row(test)
    assert job.state == r.state.split(" ")[0]
    assert (job.error.kind if job.error else "") == r.kind


# -- kill -9 -------------------------------------------------------------------------------------
def test_kill_9_while_the_data_is_prepared(store, scheduler, monkeypatch):
    monkeypatch.setenv("STUDIO_FAULTS", "data:pause")
    job_id = store.create_job(spec())
    wait_for(lambda: reached(store, job_id, "data"), 60, "the worker to reach its data")
    kill_9(store, job_id)
    job = store.get(job_id)
    expect("test_kill_9_while_the_data_is_prepared", job)
    assert "signal 9" in job.error.message and job.error.hint
    store_is_whole(store)
    monkeypatch.delenv("STUDIO_FAULTS")
    resume_to_the_end(store, job_id)
    assert steps_logged(store, job_id) == list(range(1, 13))


def test_kill_9_mid_step_resumes_from_the_last_checkpoint(store, scheduler, monkeypatch):
    monkeypatch.setenv("STUDIO_FAULTS", "step@5:pause")
    job_id = store.create_job(spec())
    wait_for(lambda: reached(store, job_id, "step-5"), 120, "step 5")
    kill_9(store, job_id)
    expect("test_kill_9_mid_step_resumes_from_the_last_checkpoint", store.get(job_id))
    monkeypatch.delenv("STUDIO_FAULTS")
    resume_to_the_end(store, job_id)
    log = store.read_log_tail(job_id, 200_000)
    assert "resuming from checkpoint-4" in log
    assert steps_logged(store, job_id) == list(range(1, 13))  # the curve goes on: every step once


def test_kill_9_while_a_checkpoint_is_saved(store, scheduler, monkeypatch):
    monkeypatch.setenv("STUDIO_FAULTS", "save@4:pause")
    job_id = store.create_job(spec())
    wait_for(lambda: reached(store, job_id, "save-4"), 120, "the save of step 4")
    half = store.job_dir(job_id) / "checkpoints" / "checkpoint-4"
    assert half.is_dir() and not (half / "trainer_state.json").exists()
    kill_9(store, job_id)
    expect("test_kill_9_while_a_checkpoint_is_saved", store.get(job_id))
    monkeypatch.delenv("STUDIO_FAULTS")
    resume_to_the_end(store, job_id)
    assert "resuming from checkpoint-2" in store.read_log_tail(job_id, 200_000)
    assert steps_logged(store, job_id) == list(range(1, 13))


def test_a_damaged_last_checkpoint_falls_back_to_the_one_before(store, scheduler, monkeypatch):
    monkeypatch.setenv("STUDIO_FAULTS", "step@5:pause")
    job_id = store.create_job(spec())
    wait_for(lambda: reached(store, job_id, "step-5"), 120, "step 5")
    kill_9(store, job_id)
    weights = store.job_dir(job_id) / "checkpoints" / "checkpoint-4" / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])  # a copy cut short
    monkeypatch.delenv("STUDIO_FAULTS")
    resume_to_the_end(store, job_id)
    expect("test_a_damaged_last_checkpoint_falls_back_to_the_one_before", store.get(job_id))
    log = store.read_log_tail(job_id, 200_000)
    assert "checkpoint-4 is damaged (adapter_model.safetensors)" in log and "resuming from checkpoint-2" in log


# -- a full disk ---------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path, demo_models_dir):
    """A 48 MB tmpfs holding a workspace (the demo model stays outside it, linked)."""
    from backend.store import JobStore
    from backend.workspace import Workspace

    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (root needed): {done.stderr.decode().strip()}")
    try:
        ws = Workspace.at(mount / "ws")
        (ws.models_dir / "demo").symlink_to(demo_models_dir / "demo", target_is_directory=True)
        yield JobStore(ws)
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_full_disk_fails_the_job_and_keeps_what_was_there(small_disk, monkeypatch):
    from backend.jobs.scheduler import Scheduler

    store = small_disk
    monkeypatch.setenv("STUDIO_FAULTS", "save-start@2:fill")
    sched = Scheduler(store, poll_s=0.1).start()
    try:
        job_id = store.create_job(spec())
        wait_for(lambda: store.get(job_id).is_final, 180, "the job to end")
        job = store.get(job_id)
        expect("test_a_full_disk_fails_the_job_and_keeps_what_was_there", job)
        assert sched._thread.is_alive()  # the studio's scheduler goes on
        (store.workspace.root / "fault-filler.bin").unlink()  # the user frees space: everything is still there
        store_is_whole(store)
        assert JobSpec.from_yaml((store.job_dir(job_id) / "spec.yaml").read_text()).training.max_steps == 12
        assert steps_logged(store, job_id)[:2] == [1, 2]
        assert json.loads((store.job_dir(job_id) / "status.json").read_text())["state"] == "failed"
    finally:
        sched.stop()
        for proc in sched.children.values():
            proc.kill()


# -- the studio restarted ------------------------------------------------------------------------
def test_a_restarted_studio_adopts_the_running_job(store, monkeypatch):
    from backend.jobs.scheduler import Scheduler

    first = Scheduler(store, poll_s=0.1).start()
    job_id = store.create_job(spec("training.max_steps=30"))
    wait_for(lambda: store.read_progress(job_id).get("step", 0) >= 3, 120, "training to start")
    first.stop()  # the studio goes away; its worker does not
    second = Scheduler(store, poll_s=0.1).start()
    try:
        wait_for(lambda: store.get(job_id).is_final, 240, "the adopted job")
        expect("test_a_restarted_studio_adopts_the_running_job", store.get(job_id))
        assert steps_logged(store, job_id) == list(range(1, 31))
    finally:
        second.stop()


# -- memory --------------------------------------------------------------------------------------
def test_a_job_past_its_memory_limit_is_stopped_and_the_studio_serves_on(workspace, tmp_path, monkeypatch):
    from backend.store import JobStore
    from tests.browser.helpers import studio_process

    monkeypatch.setenv("STUDIO_FAULTS", "step@2:alloc")
    store = JobStore(workspace)
    with studio_process(workspace.root, tmp_path / "studio-memory.log") as url:
        job_id = store.create_job(spec("training.max_steps=400", "training.save_steps=0",
                                       "training.memory_limit_gb=2"))
        wait_for(lambda: store.get(job_id).is_final, 180, "the guard to stop the job")
        job = store.get(job_id)
        expect("test_a_job_past_its_memory_limit_is_stopped_and_the_studio_serves_on", job)
        assert "2.0 GB (training.memory_limit_gb)" in job.error.message, job.error.message
        assert "training.batch_size" in job.error.hint
        with urllib.request.urlopen(url, timeout=20) as page:  # the studio still serves the page
            assert page.status == 200
        assert "FAILED (out_of_memory)" in store.read_log_tail(job_id, 5000)
        assert (store.read_progress(job_id).get("step") or 0) < 400


def test_the_largest_job_is_stopped_when_the_machine_runs_short(store, monkeypatch):
    """The machine branch of the guard, with the machine's answer made small: running it for real would
    take the test machine's memory. The job and its process are real."""
    from backend.jobs import guard as guard_module
    from backend.jobs.guard import Guard

    proc = subprocess.Popen([sys.executable, "-c", "import time; b = bytearray(200 << 20); time.sleep(60)"],
                            start_new_session=True)
    try:
        job_id = store.create_job(spec())
        store.mark_running(job_id, proc.pid)
        time.sleep(1.0)
        monkeypatch.setattr(guard_module.memory, "memory_left", lambda: 100 << 20)
        done = Guard(store).watch([store.get(job_id)])
        assert done == [f"{job_id}: out_of_memory"]
        job = store.get(job_id)
        assert job.state == "failed" and job.error.kind == "out_of_memory"
        assert "the machine had only 100.0 MB left" in job.error.message, job.error.message
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
    finally:
        proc.kill()


# -- broken data ---------------------------------------------------------------------------------
BROKEN = {
    "empty.jsonl": b"",
    "blank.jsonl": b"\n  \n",
    "binary.jsonl": bytes(range(256)) * 8,
    "bad.json": b'[{"instruction": "a", "output": "b"},',
    "not_rows.json": b'"just a string"',
    "wrong_columns.jsonl": b'{"foo": "a", "bar": "b"}\n{"foo": "c", "bar": "d"}\n',
    "gbk.csv": "instruction,output\n你好,世界\n".encode("gbk"),
    "one_column.csv": b"instruction;output\na;b\n",
    "empty_rows.jsonl": b'{"instruction": "", "output": ""}\n{"instruction": "", "output": ""}\n',
    "nulls.jsonl": b'{"instruction": null, "output": null}\n',
}


def test_ten_broken_data_files_fail_with_their_reason(store, tmp_path):
    from backend.jobs.scheduler import Scheduler

    sched = Scheduler(store, poll_s=0.1, max_running=2).start()
    try:
        jobs = {}
        for name, content in BROKEN.items():
            path = tmp_path / name
            path.write_bytes(content)
            jobs[name] = store.create_job(spec(f"data.train={path}", "data.format=auto"))
        wait_for(lambda: all(store.get(j).is_final for j in jobs.values()), 300, "every broken job to end")
        assert sched._thread.is_alive()
        for name, job_id in jobs.items():
            job = store.get(job_id)
            expect("test_ten_broken_data_files_fail_with_their_reason", job)
            assert name in job.error.message, (name, job.error.message)
            assert job.error.hint, name
    finally:
        sched.stop()


# -- cancel --------------------------------------------------------------------------------------
def test_cancel_ends_a_studio_train_job_within_ten_seconds(workspace, tmp_path):
    from backend.store import JobStore

    store = JobStore(workspace)
    spec_path = tmp_path / "long.yaml"
    spec_path.write_text(spec("training.max_steps=100000", "training.save_steps=0").to_yaml())
    env = {**python_env(), "STUDIO_WORKSPACE": str(workspace.root)}
    train = subprocess.Popen([sys.executable, "-m", "studio.cli", "train", str(spec_path)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        job_id = wait_for(lambda: next(iter(j.id for j in store.list_jobs(("running",))), None), 60, "the job")
        wait_for(lambda: store.read_progress(job_id).get("step", 0) >= 2, 120, "training")
        start = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "studio.cli", "jobs", "--workspace", str(workspace.root),
                               "cancel", job_id], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        took = time.monotonic() - start
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"{job_id}: cancelled" in done.stdout
        assert took < 10, took
        expect("test_cancel_ends_a_studio_train_job_within_ten_seconds", store.get(job_id))
        assert train.wait(timeout=30) == 130  # `studio train` ends too, saying so
    finally:
        if train.poll() is None:
            os.killpg(train.pid, signal.SIGKILL)


def test_cancel_kills_a_job_that_does_not_stop(store, scheduler, monkeypatch):
    monkeypatch.setenv("STUDIO_FAULTS", "step@3:pause")
    job_id = store.create_job(spec())
    wait_for(lambda: reached(store, job_id, "step-3"), 120, "step 3")
    start = time.monotonic()
    store.request_cancel(job_id)  # what the page's Cancel does
    wait_for(lambda: store.get(job_id).is_final, 10, "the cancel to end the job")
    assert time.monotonic() - start < 10
    expect("test_cancel_kills_a_job_that_does_not_stop", store.get(job_id))
    assert "did not stop within 6 s of the request; it was killed" in store.read_log_tail(job_id, 5000)


# -- the table -----------------------------------------------------------------------------------
def test_the_docs_hold_the_fault_table():
    docs = (ROOT / "docs" / "faults.md").read_text(encoding="utf-8")
    assert render() in docs, "docs/faults.md: paste the table `python -m tests.faults.table` prints"
    tests = {name for name in globals() if name.startswith("test_")}
    from tests.faults.table import FAULTS

    assert {f.test for f in FAULTS} <= tests
