"""Gradient checkpointing (training.gradient_checkpointing: auto | on | off): on trains to the same
losses as off, and auto turns it on only when the memory estimate says the job would not fit."""

from __future__ import annotations

import logging

import pytest

from backend.data.load import load_data
from backend.plan import hardware as hw
from backend.spec import JobSpec
from backend.store import JobStore
from backend.training.callback import JobReporter
from backend.training.checkpointing import use_checkpointing
from backend.training.run import build_run

GB = 1024**3
TRAINING = {"batch_size": 4, "max_length": 128, "logging_steps": 1, "learning_rate": 5e-3, "save_minutes": 0,
            "warmup_ratio": 0.0, "device": "cpu", "sample_prompts": 0, "report_to": [], "max_steps": 3}


def spec_with(mode: str) -> JobSpec:
    return JobSpec.from_dict({"data": {"train": "demo"}, "method": {"name": "lora", "lora_dropout": 0.0},
                              "training": {**TRAINING, "gradient_checkpointing": mode}})


def build(stage_ws, mode: str):
    spec = spec_with(mode)
    store = JobStore(stage_ws)
    job_dir = store.job_dir(store.create_job(spec, state="running"))
    return build_run(spec, job_dir, stage_ws, JobReporter(job_dir), data=load_data(spec.data, stage_ws.root))


def test_on_and_off_and_auto_by_the_budget(demo_models_dir):
    demo = str(demo_models_dir / "demo")
    assert use_checkpointing(spec_with("on"), demo, "cpu") is True
    assert use_checkpointing(spec_with("off"), demo, "cpu", budget=1) is False
    assert use_checkpointing(spec_with("auto"), demo, "cpu", budget=64 * GB) is False  # fits: stays off
    assert use_checkpointing(spec_with("auto"), demo, "cpu", budget=100 * 2**20) is True  # does not fit
    assert use_checkpointing(spec_with("auto"), None, "cpu", budget=1) is False  # no config: no estimate


def test_checkpointed_training_matches_plain_training(stage_ws):
    losses = {}
    for mode in ("off", "on"):
        run = build(stage_ws, mode)
        assert run.trainer.args.gradient_checkpointing is (mode == "on")
        run.trainer.train()
        assert run.trainer.model.base_model.model.is_gradient_checkpointing is (mode == "on")
        losses[mode] = [h["loss"] for h in run.trainer.state.log_history if "loss" in h]
    assert len(losses["on"]) == 3 and losses["on"] == pytest.approx(losses["off"], rel=1e-5)


def test_auto_turns_it_on_when_memory_is_short_and_says_so(stage_ws, monkeypatch, caplog):
    small = hw.Hardware(gpus=[], cpu_cores=2, ram_total=GB, ram_available=100 * 2**20)
    monkeypatch.setattr(hw, "detect", lambda *a, **k: small)
    with caplog.at_level(logging.INFO, logger="studio.worker"):
        run = build(stage_ws, "auto")
    assert run.trainer.args.gradient_checkpointing is True
    assert "turning it on (training.gradient_checkpointing: auto)" in caplog.text
