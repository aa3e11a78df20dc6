"""Tracking: every job writes TensorBoard event files holding the same losses as metrics.jsonl,
eval perplexity is on the curve, `studio tensorboard` serves the workspace on 127.0.0.1, and a
tracker that is not installed (or not known) is refused with what to do."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from backend.spec import JobSpec, SpecError
from tests.browser.helpers import free_port
from tests.conftest import python_env


def test_tensorboard_events_hold_the_run_and_perplexity_is_on_the_curve(demo_job):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    _, job_dir = demo_job
    events = EventAccumulator(str(job_dir / "tensorboard")).Reload()
    assert "train/loss" in events.Tags()["scalars"] and "eval/loss" in events.Tags()["scalars"]
    board = {e.step: e.value for e in events.Scalars("train/loss")}
    metrics = [json.loads(line) for line in (job_dir / "metrics.jsonl").read_text().splitlines()]
    ours = {m["step"]: m["loss"] for m in metrics if m.get("loss") is not None}
    assert ours and set(ours) == set(board)
    assert all(board[s] == pytest.approx(ours[s], rel=1e-4) for s in ours)
    evals = [m for m in metrics if m.get("eval_loss") is not None]
    assert evals and all(m["eval_perplexity"] == pytest.approx(math.exp(m["eval_loss"]), rel=1e-3) for m in evals)


def test_trackers_are_checked(tmp_path):
    from backend.training.errors import TrainingError
    from backend.training.stages.common import trackers

    with pytest.raises(SpecError, match="report_to"):
        JobSpec.from_dict({"training": {"report_to": ["mlflow"]}})
    spec = JobSpec.from_dict({"training": {"report_to": []}})
    assert trackers(spec, tmp_path) == []
    if importlib.util.find_spec("wandb") is None:
        with pytest.raises(TrainingError) as e:
            trackers(JobSpec.from_dict({"training": {"report_to": ["tensorboard", "wandb"]}}), tmp_path)
        assert "pip install wandb" in e.value.error.hint


def test_studio_tensorboard_serves_the_workspace(demo_job):
    ws, _ = demo_job
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "tensorboard", "--port", str(port),
                             "--workspace", str(ws.root)], env=python_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, answer = time.time() + 60, None
        while time.time() < deadline and answer is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/data/runs", timeout=2) as r:
                    answer = json.loads(r.read())
            except OSError:
                time.sleep(0.5)
        assert answer and any(run.endswith("tensorboard") for run in answer), answer
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the whole session: nothing of it may outlive the test
        proc.wait(timeout=15)
    time.sleep(0.5)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/data/runs", timeout=2)


def test_sample_replies_at_each_evaluation_show_the_model_changing(demo_job):
    from studio.i18n import EN
    from studio.views.monitor_text import samples_markdown

    _, job_dir = demo_job
    rows = [json.loads(line) for line in (job_dir / "samples.jsonl").read_text().splitlines()]
    steps = sorted({r["step"] for r in rows})
    assert len(steps) >= 5 and steps[-1] == 60  # every evaluation (each 5 steps) and the end
    first = [r["reply"] for r in rows if r["step"] == steps[0]]
    last = [r["reply"] for r in rows if r["step"] == steps[-1]]
    assert len(first) == len(last) == 2 and first != last
    shown = samples_markdown(EN, job_dir / "samples.jsonl")
    assert "Step 60:" in shown and last[0][:10] in shown and f"Step {steps[0]}:" not in shown  # the newest 3


def test_sample_prompts_drop_the_reply():
    from backend.training.samples import sample_prompts

    examples = [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]},
                {"messages": [{"role": "user", "content": "no reply"}]},
                {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}]
    assert sample_prompts(examples, 5) == [[{"role": "user", "content": "hi"}], [{"role": "user", "content": "q"}]]
    assert sample_prompts(examples, 1) == [[{"role": "user", "content": "hi"}]]
