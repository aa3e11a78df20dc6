"""The job spec's `distributed` section: several processes (one per GPU) and machines.

    distributed:
      num_processes: 4          # per machine, one per GPU
      strategy: fsdp            # ddp | fsdp | deepspeed_zero2 | deepspeed_zero3

With more than one process in all, the scheduler starts the worker through `accelerate launch`
with a config generated from this section (backend/jobs/launch.py). The checks here need no import
(the spec stays light); whether DeepSpeed is installed and whether there is a GPU are checked when
the job is launched and again in the worker (backend.plan.distributed.preflight).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.messages import msg
from backend.spec.checks import SpecIssue, check_choice, check_range
from backend.spec.checks import help_metadata as _help

STRATEGIES = ("ddp", "fsdp", "deepspeed_zero2", "deepspeed_zero3")
SHARDED = ("fsdp", "deepspeed_zero2", "deepspeed_zero3")  # need GPUs: accelerate runs them on nothing else


@dataclass
class DistributedSpec:
    num_processes: int = field(
        default=1,
        metadata=_help(
            "Training processes on each machine, one per GPU (e.g. 4 on a machine with 4 GPUs); 1 = a single "
            "process. On a CPU the processes share the cores, which proves the setup but is not faster."
        ),
    )
    strategy: str = field(
        default="ddp",
        metadata=_help(
            "How several processes share the work: ddp (each GPU holds the whole model, the batches are "
            "split; the usual choice for LoRA), fsdp (the weights, gradients and optimizer state are "
            "sharded across the GPUs: for models too big for one), deepspeed_zero2 / deepspeed_zero3 "
            "(DeepSpeed's sharding; needs `pip install deepspeed`). fsdp and DeepSpeed need GPUs. "
            "Not used with a single process.",
            choices=STRATEGIES,
        ),
    )
    num_machines: int = field(
        default=1,
        metadata=_help("Machines taking part; above 1, run the same spec on each, with its own machine_rank."),
    )
    machine_rank: int = field(
        default=0,
        metadata=_help(
            "This machine's number, from 0 to num_machines - 1; machine 0 is the main one (it writes the "
            "metrics, checkpoints and adapter)."
        ),
    )
    main_process_ip: str = field(
        default="",
        metadata=_help("Several machines: the address of machine 0, which every machine can reach."),
    )
    main_process_port: int = field(
        default=29500,
        metadata=_help(
            "Several machines: a free TCP port on machine 0 for the processes to meet. On one machine a free "
            "port is picked when this one is taken."
        ),
    )

    @property
    def world_size(self) -> int:
        """Processes in all, on every machine."""
        return self.num_processes * self.num_machines


def distributed_problems(d: DistributedSpec, device: str) -> list[SpecIssue]:
    """The section's own checks, and those against `training.device`."""
    p: list[SpecIssue] = []
    check_range(p, "distributed.num_processes", d.num_processes, 1, 1024,
                msg("spec.accept_num_processes"))
    check_choice(p, "distributed.strategy", d.strategy, STRATEGIES)
    check_range(p, "distributed.num_machines", d.num_machines, 1, 4096, msg("spec.accept_num_machines"))
    check_range(p, "distributed.machine_rank", d.machine_rank, 0, 4095, msg("spec.accept_machine_rank"))
    check_range(p, "distributed.main_process_port", d.main_process_port, 1, 65535, msg("spec.accept_port"))
    if d.num_machines > 1 and not str(d.main_process_ip).strip():
        p.append(SpecIssue("distributed.main_process_ip", msg("spec.main_ip_missing", machines=d.num_machines)))
    if 1 <= d.num_machines <= d.machine_rank:
        p.append(SpecIssue("distributed.machine_rank", msg("spec.machine_rank_too_high", rank=d.machine_rank,
                                                           last=d.num_machines - 1, machines=d.num_machines)))
    if d.strategy in SHARDED and device == "cpu" and d.num_processes * d.num_machines > 1:
        p.append(SpecIssue("distributed.strategy", msg("spec.sharded_on_cpu", strategy=d.strategy)))
    return p
