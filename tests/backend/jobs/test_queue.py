"""The queue: ten jobs run one at a time in queue order; reordering and cancelling queued jobs."""

from backend.jobs.scheduler import Scheduler
from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from tests.conftest import wait_for


def tiny(*overrides):
    return JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(
        ["training.max_steps=2", "training.logging_steps=1", *overrides])


def test_ten_queued_jobs_run_to_completion_in_queue_order(store, warm_on):
    """With the warm worker on, as it is by default: after the first, jobs are forked by it."""
    ids = [store.create_job(tiny()) for _ in range(10)]
    store.move_in_queue(ids[9], -9)  # the last one jumps the queue
    store.request_cancel(ids[4])  # cancelled while queued: never runs
    expected = [ids[9], *ids[:4], *ids[5:9]]
    sched = Scheduler(store, poll_s=0.1).start()
    try:
        wait_for(lambda: all(store.get(j).is_final for j in ids), 600, "all ten jobs to finish")
    finally:
        sched.stop()
    assert store.get(ids[4]).state == "cancelled" and store.get(ids[4]).started_at is None
    ran = sorted(expected, key=lambda j: store.get(j).started_at)
    assert ran == expected
    for a, b in zip(ran, ran[1:]):
        assert store.get(a).ended_at <= store.get(b).started_at  # one at a time
    assert all(store.get(j).state == "succeeded" for j in expected)
    forked = (store.workspace.root / "logs" / "warm.log").read_text()
    assert sum(j in forked for j in expected) >= 5, forked  # the warm worker took most of the queue


def test_a_second_slot_runs_two_jobs_at_once(store):
    ids = [store.create_job(tiny("training.max_steps=30")) for _ in range(2)]
    sched = Scheduler(store, poll_s=0.1, max_running=2).start()
    try:
        wait_for(lambda: len(store.list_jobs(("running",))) == 2, 60, "two jobs running together")
        wait_for(lambda: all(store.get(j).is_final for j in ids), 300, "both jobs to finish")
    finally:
        sched.stop()
    assert all(store.get(j).state == "succeeded" for j in ids)
