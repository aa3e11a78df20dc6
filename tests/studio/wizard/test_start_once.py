"""Start queues a job once: the same spec started again while its job waits in the queue, or seconds after it, is
refused naming that job (studio.wizard.start_once); started again on purpose later, it is queued. A real store."""

from __future__ import annotations

import threading

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from studio.i18n import EN, ZH
from studio.wizard.start_once import RECENT_S, start_once, twin_of


def test_a_second_start_of_the_same_spec_names_the_queued_job_and_a_later_one_runs(store):
    spec = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))
    first, twin = start_once(store, spec)
    assert first and twin is None
    assert start_once(store, spec) == (None, first)  # the double-click: no second job
    assert [j.id for j in store.list_jobs()] == [first]
    created = store.get(first).created_at
    # Still queued a minute later (another job runs first): still the same click's job.
    assert twin_of(store, spec, now=created + 60) == first
    # Another seed is another run, at once.
    other, twin = start_once(store, spec.with_overrides(["training.seed=7"]))
    assert other and other != first and twin is None
    # Once it runs (past the first seconds), or after it ended, the same spec starts again on purpose.
    store.mark_running(first, 0)
    assert twin_of(store, spec, now=created + RECENT_S / 2) == first  # a click a moment later: still the same
    assert twin_of(store, spec, now=created + RECENT_S + 1) is None
    store.mark_succeeded(first, 1.0)
    assert twin_of(store, spec, now=created + 3600) is None
    assert "{job}" in EN["review.twin"] and "{job}" in ZH["review.twin"]


def test_two_starts_at_once_queue_one_job(store):
    spec = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")).with_overrides(["training.seed=3"])
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(start_once(store, spec))) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    made = [job for job, _ in results if job]
    assert len(made) == 1 and len(store.list_jobs()) == 1
    assert all(twin == made[0] for job, twin in results if not job)
