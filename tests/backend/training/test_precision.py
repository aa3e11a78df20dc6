"""bf16 autocast on the CPU: it must train like fp32 (the loss check the speed issue asks for).

Where the processor lacks native bf16 the studio keeps fp32 by default and warns when bf16 is asked
for (emulated bf16 is many times slower); the numbers must still agree."""

from __future__ import annotations

import math

import pytest

from backend.data.load import load_data
from backend.spec import JobSpec
from backend.store import JobStore
from backend.training.callback import JobReporter
from backend.training.model import cpu_bf16_native, pick_dtype
from backend.training.run import build_run


def losses(stage_ws, precision: str) -> list[float]:
    spec = JobSpec.from_dict({"data": {"train": "demo"}, "method": {"name": "lora", "lora_r": 8},
                              "training": {"max_steps": 6, "batch_size": 4, "max_length": 64, "logging_steps": 1,
                                           "learning_rate": 5e-3, "save_minutes": 0, "warmup_ratio": 0.0,
                                           "device": "cpu", "precision": precision, "sample_prompts": 0,
                                           "report_to": [], "seed": 7}})
    store = JobStore(stage_ws)
    job_dir = store.job_dir(store.create_job(spec, state="running"))
    run = build_run(spec, job_dir, stage_ws, JobReporter(job_dir), data=load_data(spec.data, stage_ws.root))
    assert run.trainer.args.bf16 == (precision == "bf16")
    run.trainer.train()
    return [h["loss"] for h in run.trainer.state.log_history if "loss" in h]


def test_bf16_autocast_on_cpu_tracks_fp32(stage_ws):
    fp32, bf16 = losses(stage_ws, "fp32"), losses(stage_ws, "bf16")
    assert len(fp32) == len(bf16) == 6 and all(math.isfinite(x) for x in bf16)
    for a, b in zip(fp32, bf16):
        assert b == pytest.approx(a, rel=0.03), (fp32, bf16)
    assert bf16[-1] < bf16[0]


def test_auto_precision_on_cpu_is_fp32():
    import torch

    spec = JobSpec.from_dict({"training": {"device": "cpu"}})
    assert pick_dtype(spec, "cpu") == torch.float32
    assert isinstance(cpu_bf16_native(), bool)


@pytest.mark.parametrize("major, expected", [(7, "float16"), (8, "bfloat16"), (9, "bfloat16")])
def test_auto_precision_on_a_gpu_is_bf16_only_where_the_gpu_computes_it(monkeypatch, major, expected):
    """torch.cuda.is_bf16_supported() says yes on a T4 or V100 too (emulated bf16, many times slower): `auto`
    asks the compute capability, and trains fp16 below 8.0. No GPU here, so the device's answers are given."""
    import types

    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda _: types.SimpleNamespace(major=major, minor=5))
    monkeypatch.setattr(torch.version, "hip", None)
    spec = JobSpec.from_dict({"training": {"device": "cuda"}})
    assert pick_dtype(spec, "cuda") == getattr(torch, expected)
    assert pick_dtype(JobSpec.from_dict({"training": {"precision": "fp32"}}), "cuda") == torch.float32
    assert pick_dtype(JobSpec.from_dict({"training": {"precision": "bf16"}}), "cuda") == torch.bfloat16
