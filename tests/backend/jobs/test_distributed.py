"""Several processes through accelerate: the spec's `distributed` section, the generated accelerate
config, and real 2-process jobs on the CPU (gloo) through the scheduler.

    .venv/bin/pytest tests/backend/jobs/test_distributed.py
"""

from __future__ import annotations

import json
import re
import sys

import pytest
import yaml

from backend.jobs import launch
from backend.resources import DEMO_SPEC
from backend.spec import JobSpec, SpecError
from tests.conftest import wait_for


def demo(*overrides) -> JobSpec:
    return JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(list(overrides))


def issues(raw: dict) -> dict[str, str]:
    with pytest.raises(SpecError) as info:
        JobSpec.from_dict(raw)
    return {i.field: i.message for i in info.value.issues}


# -- the spec section ---------------------------------------------------------------------------------
def test_a_spec_without_the_section_runs_as_one_process_and_the_section_round_trips():
    old = JobSpec.from_yaml("model: {name_or_path: demo}\ntraining: {max_steps: 3}\n")
    assert old.distributed.num_processes == 1 and old.distributed.strategy == "ddp"
    assert old.distributed.world_size == 1 and not launch.is_distributed(old)
    spec = demo("distributed.num_processes=4", "distributed.strategy=fsdp", "distributed.num_machines=2",
                "distributed.machine_rank=1", "distributed.main_process_ip=10.0.0.1",
                "distributed.main_process_port=29600")
    raw = yaml.safe_load(spec.to_yaml())
    assert raw["distributed"] == {"num_processes": 4, "strategy": "fsdp", "num_machines": 2, "machine_rank": 1,
                                  "main_process_ip": "10.0.0.1", "main_process_port": 29600}
    assert JobSpec.from_yaml(spec.to_yaml()) == spec
    assert spec.distributed.world_size == 8


def test_bad_distributed_settings_name_the_field_and_what_to_do():
    found = issues({"distributed": {"num_processes": 0, "strategy": "zero9", "main_process_port": 70000}})
    assert "at least 1" in found["distributed.num_processes"]
    assert "ddp, fsdp, deepspeed_zero2, deepspeed_zero3" in found["distributed.strategy"]
    assert "65535" in found["distributed.main_process_port"]
    found = issues({"distributed": {"num_machines": 2, "machine_rank": 2}})
    assert "address of machine 0" in found["distributed.main_process_ip"]
    assert "numbered 0 to 1" in found["distributed.machine_rank"]
    found = issues({"distributed": {"num_processes": 2, "strategy": "fsdp"}, "training": {"device": "cpu"}})
    assert "needs GPUs" in found["distributed.strategy"] and "Pick ddp" in found["distributed.strategy"]
    JobSpec.from_dict({"distributed": {"num_processes": 2}, "training": {"device": "cpu"}})  # ddp on a CPU is fine


def test_studio_fields_lists_the_section(capsys):
    from studio.cli import main

    assert main(["fields"]) == 0
    out = capsys.readouterr().out
    assert "distributed.strategy: 'ddp' (one of: ddp, fsdp, deepspeed_zero2, deepspeed_zero3)" in out
    assert "distributed.main_process_ip: ''" in out and "method.quant_bits: 4 (one of: 4, 8)" in out


def test_the_review_counts_the_rows_of_every_process():
    from studio.i18n import EN, ZH
    from studio.wizard.form import estimate_steps

    one = demo("training.num_epochs=1", "training.batch_size=4")
    two = demo("training.num_epochs=1", "training.batch_size=4", "distributed.num_processes=2")
    assert estimate_steps(one, 80) == 20 and estimate_steps(two, 80) == 10  # each process takes half the rows
    for t in (EN, ZH):
        line = t["review.processes"].format(n=2, strategy="ddp", machines=1, batch=4, accum=1, per_step=8)
        assert "2" in line and "ddp" in line and "8" in line


# -- the launch command and the accelerate config ------------------------------------------------------
def test_one_process_runs_the_worker_itself(tmp_path):
    assert launch.worker_command(demo(), tmp_path) == [sys.executable, "-m", "backend.jobs.worker", str(tmp_path)]
    assert not (tmp_path / "accelerate.yaml").exists()


def test_ddp_on_a_cpu_gets_the_multi_process_launcher_with_use_cpu(tmp_path, monkeypatch):
    monkeypatch.setattr(launch, "has_gpu", lambda spec: False)
    job_dir = tmp_path / "jobs" / "20260101-000000-abcdef"
    job_dir.mkdir(parents=True)
    cmd = launch.worker_command(demo("distributed.num_processes=2"), job_dir)
    config = job_dir / "accelerate.yaml"
    assert cmd == [sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(config),
                   "-m", "backend.jobs.worker", str(job_dir)]
    assert "backend.jobs.worker" in " ".join(cmd) and job_dir.name in " ".join(cmd)  # what is_worker_alive looks for
    cfg = yaml.safe_load(config.read_text())
    assert cfg["distributed_type"] == "MULTI_GPU" and cfg["use_cpu"] is True
    assert (cfg["num_processes"], cfg["num_machines"], cfg["machine_rank"]) == (2, 1, 0)
    assert cfg["mixed_precision"] == "no" and "fsdp_config" not in cfg and "deepspeed_config" not in cfg
    from accelerate.commands.config.config_args import load_config_from_file

    parsed = load_config_from_file(str(config))  # accelerate reads it as its own
    assert parsed.num_processes == 2 and parsed.use_cpu is True and parsed.distributed_type == "MULTI_GPU"
    env = launch.worker_env(demo("distributed.num_processes=2"), {})
    assert int(env["OMP_NUM_THREADS"]) >= 1  # the cores shared out between the two processes


def test_fsdp_on_two_machines(tmp_path, monkeypatch):
    monkeypatch.setattr(launch, "has_gpu", lambda spec: True)
    spec = demo("distributed.num_processes=4", "distributed.strategy=fsdp", "distributed.num_machines=2",
                "distributed.machine_rank=1", "distributed.main_process_ip=10.0.0.1",
                "distributed.main_process_port=29600")
    launch.worker_command(spec, tmp_path)
    cfg = yaml.safe_load((tmp_path / "accelerate.yaml").read_text())
    assert cfg["distributed_type"] == "FSDP" and cfg["use_cpu"] is False
    assert cfg["num_processes"] == 8  # accelerate counts every machine's processes
    assert (cfg["num_machines"], cfg["machine_rank"]) == (2, 1)
    assert (cfg["main_process_ip"], cfg["main_process_port"]) == ("10.0.0.1", 29600)
    fsdp = cfg["fsdp_config"]
    assert fsdp["fsdp_version"] == 2 and fsdp["fsdp_state_dict_type"] == "FULL_STATE_DICT"
    assert fsdp["fsdp_auto_wrap_policy"] == "TRANSFORMER_BASED_WRAP"
    from accelerate.commands.config.config_args import load_config_from_file

    parsed = load_config_from_file(str(tmp_path / "accelerate.yaml"))
    assert parsed.distributed_type == "FSDP" and parsed.fsdp_config["fsdp_version"] == 2


def test_deepspeed_config_and_its_refusal_without_the_package(tmp_path, monkeypatch):
    spec = demo("distributed.num_processes=2", "distributed.strategy=deepspeed_zero3",
                "training.gradient_accumulation_steps=4")
    cfg = launch.accelerate_config(spec, use_cpu=False)
    assert cfg["distributed_type"] == "DEEPSPEED"
    ds = cfg["deepspeed_config"]
    assert ds["zero_stage"] == 3 and ds["gradient_accumulation_steps"] == 4 and ds["zero3_save_16bit_model"]
    assert launch.accelerate_config(demo("distributed.num_processes=2", "distributed.strategy=deepspeed_zero2"),
                                    False)["deepspeed_config"]["zero_stage"] == 2
    monkeypatch.setattr(launch, "has_gpu", lambda spec: True)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(launch.LaunchError) as info:
        launch.worker_command(spec, tmp_path)
    assert info.value.error.kind == "bad_spec" and "pip install deepspeed" in info.value.error.hint
    assert "DeepSpeed is not installed" in info.value.error.message


def test_a_sharded_strategy_without_a_gpu_is_refused_before_it_starts(store, monkeypatch):
    monkeypatch.setattr(launch, "has_gpu", lambda spec: False)
    from backend.jobs.scheduler import Scheduler

    job_id = store.create_job(demo("distributed.num_processes=2", "distributed.strategy=fsdp"))
    Scheduler(store).tick()
    job = store.get(job_id)
    assert job.state == "failed" and job.error.kind == "bad_spec"
    assert "needs GPUs" in job.error.message and "ddp" in job.error.hint


# -- real processes -------------------------------------------------------------------------------
def test_a_two_process_job_on_gloo_runs_to_success(store, scheduler):
    """Both processes train (each on its own batches), the main one alone writes; one adapter."""
    job_id = store.create_job(demo("distributed.num_processes=2", "training.max_steps=4", "training.batch_size=2",
                                   "training.logging_steps=1", "training.save_minutes=0", "training.report_to=[]",
                                   "training.device=cpu"))
    wait_for(lambda: store.get(job_id).is_final, 240, "the 2-process job to finish")
    job = store.get(job_id)
    log = store.read_log_tail(job_id, 200_000)
    assert job.state == "succeeded", (job.error, log[-3000:])
    job_dir = store.job_dir(job_id)
    assert yaml.safe_load((job_dir / "accelerate.yaml").read_text())["num_processes"] == 2
    ends = dict(re.findall(r"rank (\d) of 2: trained 4 steps on (\d+) batches", log))
    assert set(ends) == {"0", "1"} and all(int(n) > 0 for n in ends.values()), log[-3000:]
    assert re.search(r"\[rank 1\] rank 1 of 2", log)  # the other process's lines are marked
    summary = json.loads((job_dir / "summary.json").read_text())
    assert summary["world_size"] == 2 and summary["steps"] == 4
    adapters = [p for p in job_dir.rglob("adapter_model.safetensors") if "checkpoints" not in p.parts]
    assert adapters == [job_dir / "adapter" / "adapter_model.safetensors"]
    from safetensors.torch import load_file

    weights = load_file(str(adapters[0]))
    assert weights and all("lora_" in name for name in weights)
    steps = [m["step"] for m in store.read_metrics(job_id)]
    assert steps == [1, 2, 3, 4]  # each step once: only the main process writes metrics
    assert not list(job_dir.glob(".rank*-cache"))  # the other process's own cache is gone


def test_a_two_process_job_stops_gracefully_at_the_same_step(store, scheduler):
    """A cancel reaches both processes (the launcher forwards SIGTERM); they agree on the step, save one
    checkpoint and end; the job is cancelled, not stuck."""
    job_id = store.create_job(demo("distributed.num_processes=2", "training.num_epochs=200", "training.batch_size=2",
                                   "training.save_minutes=0", "training.report_to=[]", "training.device=cpu"))
    wait_for(lambda: store.read_progress(job_id).get("step", 0) >= 2, 180, "training to start")
    store.request_cancel(job_id)
    wait_for(lambda: store.get(job_id).is_final, 60, "the job to stop")
    log = store.read_log_tail(job_id, 200_000)
    assert store.get(job_id).state == "cancelled", log[-3000:]
    ends = dict(re.findall(r"rank (\d) of 2: trained (\d+) steps", log))
    assert set(ends) == {"0", "1"} and ends["0"] == ends["1"], log[-3000:]
    checkpoints = list((store.job_dir(job_id) / "checkpoints").glob("checkpoint-*"))
    assert [c.name for c in checkpoints] == [f"checkpoint-{ends['0']}"]
    assert {p.name for p in checkpoints[0].glob("rng_state_*.pth")} == {"rng_state_0.pth", "rng_state_1.pth"}
