"""How a job's worker is started: one plain process, or several through `accelerate launch`.

    cmd = worker_command(spec, job_dir)    # the scheduler runs it (backend.jobs.scheduler.spawn_worker)
    # one process:     [python, -m, backend.jobs.worker, JOB_DIR]
    # several:         [python, -m, accelerate.commands.launch, --config_file, JOB_DIR/accelerate.yaml,
    #                   -m, backend.jobs.worker, JOB_DIR]

The accelerate config is generated from the spec's `distributed` section: DDP (MULTI_GPU), FSDP
(FSDP2, full state dict, so the adapter is saved as usual) or DeepSpeed ZeRO-2/3, with
`num_processes` counted over all machines as accelerate expects. On a machine without a GPU the
processes run on the CPU over gloo, DDP only.

Why the CPU case is written `distributed_type: MULTI_GPU` with `use_cpu: true`: accelerate's
MULTI_CPU type goes to its single-process launcher (several CPU processes need mpirun and an
mpirun hostfile), so `accelerate launch --cpu --num_processes 2` starts one process. The DDP launcher
(torch.distributed.run underneath) starts them all; the HF Trainer's `use_cpu` then keeps each
process on the CPU, and accelerate picks the gloo backend (its state says MULTI_CPU).

The launcher gives each process its own session, forwards SIGTERM to them once (a graceful stop:
they agree on the step, save a checkpoint and end), and kills the rest when one fails; it gives a
stopping process 30 s (torch's elastic agent) before SIGKILL. `scheduler.signal_worker` kills
those processes too when a job is killed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml

from backend.plan.distributed import has_gpu, is_distributed, preflight
from backend.spec import JobSpec
from backend.store import JobError

CONFIG_NAME = "accelerate.yaml"
WORKER_MODULE = "backend.jobs.worker"  # `python -m` it with a job folder: the worker


class LaunchError(RuntimeError):
    """The job cannot be started as its spec asks; carries the JobError to record."""

    def __init__(self, error: JobError):
        super().__init__(error.message)
        self.error = error


def accelerate_config(spec: JobSpec, use_cpu: bool) -> dict:
    """The accelerate config (as `accelerate config` writes it) for the spec's `distributed` section."""
    d, t = spec.distributed, spec.training
    cfg: dict = {
        "compute_environment": "LOCAL_MACHINE",
        "debug": False,
        # CPU: the DDP launcher starts every process (see the module's docstring); use_cpu keeps them on the CPU.
        "distributed_type": "MULTI_GPU",
        "num_processes": d.world_size,  # accelerate counts the processes of every machine
        "num_machines": d.num_machines,
        "machine_rank": d.machine_rank,
        "main_process_ip": str(d.main_process_ip).strip() or "127.0.0.1",
        "main_process_port": d.main_process_port,
        "rdzv_backend": "static",
        "same_network": True,
        "mixed_precision": "no",  # the trainer sets bf16/fp16 from `training.precision`
        "downcast_bf16": "no",
        "gpu_ids": "all",
        "use_cpu": use_cpu,
        "main_training_function": "main",
    }
    if d.strategy == "fsdp":
        cfg["distributed_type"] = "FSDP"
        cfg["fsdp_config"] = {
            "fsdp_version": 2,  # per-parameter sharding: frozen base weights and LoRA weights mix freely
            "fsdp_auto_wrap_policy": "TRANSFORMER_BASED_WRAP",  # one unit per decoder layer (_no_split_modules)
            "fsdp_reshard_after_forward": True,  # full sharding
            "fsdp_offload_params": False,
            "fsdp_cpu_ram_efficient_loading": False,  # every process loads the model (it is loaded before the trainer)
            "fsdp_state_dict_type": "FULL_STATE_DICT",  # save_model gathers one ordinary adapter/model
            "fsdp_activation_checkpointing": False,
        }
    elif d.strategy.startswith("deepspeed"):
        cfg["distributed_type"] = "DEEPSPEED"
        cfg["deepspeed_config"] = {
            "zero_stage": 3 if d.strategy.endswith("3") else 2,
            "offload_optimizer_device": "none",
            "offload_param_device": "none",
            "gradient_accumulation_steps": t.gradient_accumulation_steps,
            "gradient_clipping": t.max_grad_norm,
            "zero3_init_flag": False,  # the model is loaded before the trainer's DeepSpeed config exists
            "zero3_save_16bit_model": True,  # ZeRO-3: gather the weights when the adapter is saved
            "deepspeed_multinode_launcher": "standard",  # torch.distributed.run on each machine, no pdsh
        }
    return cfg


def write_config(spec: JobSpec, job_dir: Path, use_cpu: bool) -> Path:
    path = Path(job_dir) / CONFIG_NAME
    header = (f"# Generated from the job's `distributed` section ({spec.distributed.strategy}, "
              f"{spec.distributed.world_size} processes); the scheduler starts the worker with\n"
              f"# accelerate launch --config_file {CONFIG_NAME} -m {WORKER_MODULE} JOB_DIR\n")
    if use_cpu:
        header += ("# CPU: MULTI_GPU is accelerate's multi-process launcher; use_cpu keeps the processes on the CPU "
                   "(gloo).\n")
    path.write_text(header + yaml.safe_dump(accelerate_config(spec, use_cpu), sort_keys=False), encoding="utf-8")
    return path


def worker_command(spec: JobSpec, job_dir: str | Path) -> list[str]:
    """The command that trains the job in `job_dir` (whose name, the job id, stays on the command line:
    `scheduler.is_worker_alive` looks for it). Raises LaunchError when the spec cannot run here."""
    job_dir = str(job_dir)
    if not is_distributed(spec):
        return [sys.executable, "-m", WORKER_MODULE, job_dir]
    gpu = has_gpu(spec)
    problem = preflight(spec, gpu)
    if problem:
        raise LaunchError(problem)
    config = write_config(spec, Path(job_dir), use_cpu=not gpu)
    return [sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(config),
            "-m", WORKER_MODULE, job_dir]


def worker_env(spec: JobSpec, env: dict[str, str]) -> dict[str, str]:
    """The environment for the command: on a CPU, the cores shared out among this machine's processes
    (unless OMP_NUM_THREADS or `training.cpu_threads` says otherwise)."""
    env = dict(env)
    n = spec.distributed.num_processes
    if is_distributed(spec) and n > 1 and "OMP_NUM_THREADS" not in env and spec.training.cpu_threads == 0:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if not has_gpu(spec):
            env["OMP_NUM_THREADS"] = str(max(1, cores // n))
    return env
