"""The slow-step warning (backend/jobs/pace.py) and its place on the Monitor."""

from __future__ import annotations

import json
import time

from backend.jobs.pace import slow_step, write_expected
from backend.messages import Message


def progress(step=5, age_s=0.0, elapsed_s=5.0, total=100, phase="training") -> dict:
    return {"phase": phase, "step": step, "total_steps": total, "elapsed_s": elapsed_s,
            "updated_at": time.time() - age_s}


def test_a_step_far_slower_than_the_reviews_measurement_warns(tmp_path):
    write_expected(tmp_path, 0.5, "probe")
    assert slow_step(progress(age_s=10), tmp_path) is None  # 20x, but under the 30 s floor
    warning = slow_step(progress(age_s=133), tmp_path)
    assert isinstance(warning, Message) and warning.id == "jobs.slow_step"
    assert "Step 6 has been running for 2 min 13 s, 266x the 0.50 s a step took when the Review measured it" in warning


def test_without_a_measurement_the_steps_so_far_are_the_measure(tmp_path):
    assert slow_step(progress(step=1, age_s=600), tmp_path) is None  # one step: nothing known yet
    assert slow_step(progress(step=10, elapsed_s=40, age_s=35), tmp_path) is None  # 4 s a step: 35 s is < 10x
    assert "on average so far" in slow_step(progress(step=10, elapsed_s=40, age_s=45), tmp_path)
    assert slow_step(progress(step=100, total=100, age_s=900), tmp_path) is None  # training over: saving
    assert slow_step(progress(phase="loading", age_s=900), tmp_path) is None


def test_the_monitor_shows_it_in_the_pages_language(store, tmp_path):
    from backend.resources import DEMO_SPEC
    from backend.spec import JobSpec
    from studio.context import Ctx
    from studio.i18n import SessionStrings
    from studio.views.monitor import render

    job_id = store.create_job(JobSpec.from_yaml(DEMO_SPEC.read_text()))
    store.mark_running(job_id, 0)
    (store.job_dir(job_id) / "progress.json").write_text(json.dumps(progress(step=3, age_s=200)))
    write_expected(store.job_dir(job_id), 0.2, "probe")
    zh = Ctx(store.workspace, store, SessionStrings("zh"), JobSpec.from_yaml(DEMO_SPEC.read_text()), None)
    assert "第 4 步已运行 3 min 20 s" in render(zh, job_id)["stats"]
