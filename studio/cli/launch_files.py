"""`studio export-launch`: a launch file (Slurm sbatch script, SkyPilot task) that runs a job's spec on a cluster (to be written: issue 21)."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("export-launch", help="a launch file (Slurm sbatch script, SkyPilot task) that runs a job's spec on a cluster")
    p.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)


def run(args, workspace) -> int:
    raise NotImplementedError
