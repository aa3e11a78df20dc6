"""A run whose loss turns NaN fails with the step and a hint; it never "succeeds" with loss 0 and NaN weights."""

from __future__ import annotations

import math

import pytest

from backend.data.load import load_data
from backend.spec import JobSpec
from backend.store import JobStore
from backend.training.callback import JobReporter
from backend.training.errors import TrainingError, explain
from backend.training.run import build_run


def test_a_diverging_run_fails_with_nan_loss(stage_ws):
    """learning_rate 1.0 on the demo: the gradients turn NaN within ~15 steps. transformers' default
    logging_nan_inf_filter logged such steps as loss 0.0 and the job succeeded with "final loss 0.0000"."""
    spec = JobSpec.from_dict({"data": {"train": "demo"}, "method": {"name": "lora", "lora_r": 32, "lora_alpha": 32,
                                                                     "lora_dropout": 0.0},
                              "training": {"batch_size": 8, "max_length": 128, "logging_steps": 5, "learning_rate": 1.0,
                                           "save_minutes": 0, "warmup_ratio": 0.03, "device": "cpu",
                                           "sample_prompts": 0, "report_to": [], "max_steps": 40}})
    store = JobStore(stage_ws)
    job_dir = store.job_dir(store.create_job(spec, state="running"))
    run = build_run(spec, job_dir, stage_ws, JobReporter(job_dir), data=load_data(spec.data, stage_ws.root))
    assert run.trainer.args.logging_nan_inf_filter is False
    with pytest.raises(TrainingError) as info:
        run.trainer.train()
    error = explain(info.value)
    assert error.kind == "nan_loss" and "learning_rate" in error.hint
    logged = [h["loss"] for h in run.trainer.state.log_history if "loss" in h]
    assert 0.0 not in logged and not math.isfinite(logged[-1])
