"""The scheduler with real worker processes: run, cancel, a worker killed with -9, recovery."""

import os
import signal
import time

from backend.jobs.scheduler import Scheduler
from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from backend.store import JobStore
from tests.conftest import wait_for


def demo(*overrides):
    return JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(list(overrides))


def test_queued_jobs_run_one_at_a_time_to_success(store, scheduler):
    first = store.create_job(demo("training.max_steps=4"))
    second = store.create_job(demo("training.max_steps=4"))
    seen_running = set()

    def both_done():
        running = [j.id for j in store.list_jobs(("running",))]
        assert len(running) <= 1
        seen_running.update(running)
        return all(store.get(j).is_final for j in (first, second))

    wait_for(both_done, 240, "both jobs to finish")
    assert store.get(first).state == "succeeded" and store.get(second).state == "succeeded"
    assert store.get(first).ended_at <= store.get(second).started_at
    assert (store.job_dir(first) / "adapter" / "adapter_config.json").is_file()
    assert "adapter saved" in store.read_log_tail(first)


def test_cancel_stops_gracefully_with_a_checkpoint(store, scheduler):
    job_id = store.create_job(demo("training.num_epochs=200"))
    wait_for(lambda: store.read_progress(job_id).get("step", 0) >= 3, 120, "training to start")
    store.request_cancel(job_id)
    wait_for(lambda: store.get(job_id).is_final, 60, "the job to stop")
    assert store.get(job_id).state == "cancelled"
    assert list((store.job_dir(job_id) / "checkpoints").glob("checkpoint-*/adapter_model.safetensors"))


def test_a_worker_killed_with_sigkill_is_marked_interrupted_within_seconds(store, scheduler):
    job_id = store.create_job(demo("training.num_epochs=200"))
    wait_for(lambda: store.read_progress(job_id).get("step", 0) >= 3, 120, "training to start")
    pid = store.get(job_id).pid
    os.kill(pid, signal.SIGKILL)
    killed_at = time.time()
    wait_for(lambda: store.get(job_id).state == "interrupted", 10, "the job to be marked interrupted")
    assert time.time() - killed_at < 5
    job = store.get(job_id)
    assert job.error.kind == "interrupted" and "signal 9" in job.error.message and job.error.hint
    assert job.error.message.params["how"].id == "jobs.how_signal" and job.error.hint.id == "jobs.worker_died_hint"
    assert len(store.read_metrics(job_id)) >= 1  # what was measured is kept


def test_recovery_marks_a_dead_running_job_interrupted(workspace):
    store = JobStore(workspace)
    job_id = store.create_job(demo())
    store.mark_running(job_id, 999_999)  # no such process
    Scheduler(store).recover()
    assert store.get(job_id).state == "interrupted"


def test_the_worker_beats_from_the_start_not_only_while_training(store, scheduler):
    job_id = store.create_job(demo("training.max_steps=3"))
    wait_for(lambda: store.get(job_id).state == "running" and store.get(job_id).pid, 30, "the worker to start")
    first = wait_for(lambda: store.get(job_id).heartbeat_at, 10, "a first heartbeat")
    # Beats keep coming while the worker is still importing and loading (before any step).
    wait_for(lambda: (store.get(job_id).heartbeat_at or 0) > first + 1, 10, "a second heartbeat")
    wait_for(lambda: store.get(job_id).is_final, 180, "the job to finish")
    assert store.get(job_id).state == "succeeded"
