"""The Slurm launch file: an sbatch script that runs the job's spec with `studio train` on the cluster.

One task per machine (`--ntasks-per-node=1`): inside it `studio train` starts one process per GPU through
accelerate, as on the studio's machine. Several machines: `srun` starts that task on each, with
machine_rank = $SLURM_NODEID and the first host of the allocation as main_process_ip.
"""

from __future__ import annotations

from datetime import date

from backend.launch.options import LaunchOptions
from backend.launch.script import node_workspace_line, train_args, word, workspace_lines


def _sbatch_lines(job_id: str, o: LaunchOptions) -> list[str]:
    gpus = f"{o.gpu_type}:{o.gpus}" if o.gpu_type else str(o.gpus)
    lines = [f"--job-name={o.name or 'studio-' + job_id}", f"--nodes={o.nodes}", "--ntasks-per-node=1",
             f"--gpus-per-node={gpus}"]
    if o.cpus:
        lines.append(f"--cpus-per-task={o.cpus}")
    if o.mem_gb:
        lines.append(f"--mem={o.mem_gb}G")
    if o.time:
        lines.append(f"--time={o.time}")
    if o.partition:
        lines.append(f"--partition={o.partition}")
    if o.account:
        lines.append(f"--account={o.account}")
    lines.append("--output=%x-%j.out")  # in the folder sbatch was run from: studio train's own output
    return [f"#SBATCH {line}" for line in lines]


def _environment_lines(o: LaunchOptions) -> list[str]:
    lines = ["# The environment: a Python with finetune-studio (pip install finetune-studio)."]
    if o.venv:
        lines.append(f"source {word(o.venv)}/bin/activate")
    lines.append("command -v studio >/dev/null || { echo \"studio is not on PATH: pip install finetune-studio in the "
                 "job's environment, or make this file again with --venv\" >&2; exit 1; }")
    return lines


def sbatch_script(job_id: str, spec_text: str, spec, o: LaunchOptions) -> tuple[str, list[str]]:
    lines = [
        "#!/bin/bash",
        f"# finetune-studio job {job_id} on Slurm: sbatch this file. Written by `studio export-launch {job_id} --to "
        f"slurm` on {date.today().isoformat()}; it trains the job's spec (below) with `studio train`.",
        *_sbatch_lines(job_id, o),
        "set -euo pipefail",
        "",
        *_environment_lines(o),
        "",
        *workspace_lines(job_id, spec_text, o),
        "",
    ]
    if o.nodes == 1:
        lines += [f"# {o.gpus} GPU(s): studio train starts one process per GPU (accelerate) from the spec's "
                  "distributed section.",
                  f'studio train "$SPEC" {train_args(spec, o, "SLURM_NODEID")}']
    else:
        lines += [
            f"# {o.nodes} machines x {o.gpus} GPU(s): srun starts studio train once on each machine; its rank is "
            "$SLURM_NODEID and the first machine is the main one.",
            'MAIN_IP=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | sed -n 1p)',  # all read: no SIGPIPE under pipefail
            "export MAIN_IP",
            "srun --ntasks-per-node=1 --kill-on-bad-exit=1 bash -c '",
            "  " + node_workspace_line("SLURM_NODEID"),
            f'  exec studio train "$SPEC" {train_args(spec, o, "SLURM_NODEID")}',
            "'",
        ]
    notes = []
    return "\n".join(lines) + "\n", notes
