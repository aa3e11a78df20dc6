"""Whether a job's processes can start on this machine, before anything is launched: how many it runs as
(the spec's `distributed` section), whether they get a GPU here, and what stops a multi-process job
(DeepSpeed not installed, a sharded strategy without GPUs). The launcher asks before it starts the worker
(backend.jobs.launch) and the worker asks again inside a multi-process run (backend.training.stages.common).

    problem = preflight(spec, gpu=has_gpu(spec))   # a JobError to record, or None
"""

from __future__ import annotations

import importlib.util

from backend.messages import msg
from backend.spec import JobSpec
from backend.store import JobError


def is_distributed(spec: JobSpec) -> bool:
    return spec.distributed.world_size > 1


def has_gpu(spec: JobSpec) -> bool:
    """Whether this job's processes get a GPU here: `training.device`, else nvidia-smi (no torch import)."""
    if spec.training.device == "cpu":
        return False
    if spec.training.device == "cuda":
        return True
    from backend.plan.hardware import gpus

    return bool(gpus())


def preflight(spec: JobSpec, gpu: bool) -> JobError | None:
    """What stops a multi-process job before it starts: DeepSpeed not installed, a sharded strategy
    without GPUs. None when it can start (or runs as one process)."""
    d = spec.distributed
    if not is_distributed(spec):
        return None
    if d.strategy.startswith("deepspeed") and importlib.util.find_spec("deepspeed") is None:
        return JobError("bad_spec", msg("plan.no_deepspeed", strategy=d.strategy), msg("plan.no_deepspeed_hint"))
    if d.strategy != "ddp" and not gpu:
        return JobError("bad_spec", msg("plan.sharded_without_gpu", strategy=d.strategy),
                        msg("plan.sharded_without_gpu_hint"))
    return None
