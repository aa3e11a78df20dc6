"""`studio export-launch JOB --to slurm|skypilot`: a launch file that runs a job's spec on a cluster with
`studio train` (backend/launch/).

    studio export-launch JOB --to slurm --gpus 4 --time 04:00:00 --partition gpu --venv ~/venvs/studio
    studio export-launch JOB --to skypilot --gpus 8 --nodes 2 --gpu-type H100
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studio.cli.common import _fail, _job_dir

HOW = {"slurm": "sbatch {path}", "skypilot": "sky launch {path}"}


def add_parser(sub) -> None:
    p = sub.add_parser("export-launch", help="a launch file (Slurm sbatch script, SkyPilot task) that runs a job's "
                                             "spec on a cluster with `studio train`")
    p.add_argument("job", help="the job id (its directory's name) or its directory")
    p.add_argument("--to", choices=("slurm", "skypilot"), required=True,
                   help="slurm: an sbatch script; skypilot: a task YAML for `sky launch`")
    p.add_argument("--out", help="where to write it (default: the job's exports/ folder)")
    p.add_argument("--gpus", type=int, help="GPUs on each machine, one training process each (default: the "
                                            "spec's distributed.num_processes)")
    p.add_argument("--nodes", type=int, help="machines (default: the spec's distributed.num_machines)")
    p.add_argument("--gpu-type", help="the GPU's name, e.g. H100, A100 (Slurm: any unless given; SkyPilot: H100 "
                                      "unless given)")
    p.add_argument("--cpus", type=int, help="CPU cores on each machine")
    p.add_argument("--mem-gb", type=int, help="memory on each machine, in GB")
    p.add_argument("--time", help="Slurm: the time limit, HH:MM:SS or D-HH:MM:SS")
    p.add_argument("--partition", help="Slurm: the partition")
    p.add_argument("--account", help="Slurm: the account charged")
    p.add_argument("--workdir", default="~/.finetune-studio",
                   help="the workspace on the cluster (STUDIO_WORKSPACE there; default ~/.finetune-studio, the "
                        "studio's own on a shared home)")
    p.add_argument("--venv", help="Slurm: a virtual environment on the cluster with finetune-studio installed")
    p.add_argument("--pip", default="finetune-studio",
                   help="SkyPilot: what the setup installs with pip (default finetune-studio)")
    p.add_argument("--name", help="the cluster job's name (default studio-JOB)")
    p.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)


def run(args, workspace) -> int:
    from backend.launch import LaunchFileError, LaunchOptions, export_launch
    from backend.messages import message_of, msg

    job_dir, problem = _job_dir(args.job, workspace)
    if problem:
        return _fail(problem)
    options = LaunchOptions(gpus=args.gpus, nodes=args.nodes, gpu_type=args.gpu_type, cpus=args.cpus,
                            mem_gb=args.mem_gb, time=args.time, partition=args.partition, account=args.account,
                            workdir=args.workdir, venv=args.venv, pip=args.pip, name=args.name)
    try:
        made = export_launch(job_dir, args.to, options, Path(args.out).expanduser() if args.out else None)
    except LaunchFileError as e:
        return _fail(message_of(e))
    for note in made.notes:
        print(f"note: {note}", file=sys.stderr)
    print(made.path)
    print(msg("cluster.launch_written", path=str(made.path), how=HOW[args.to].format(path=made.path.name)),
          file=sys.stderr)
    return 0
