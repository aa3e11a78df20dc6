"""`studio bench JOB`: standard benchmarks, base vs tuned (to be written: issue 20)."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("bench", help="standard benchmarks, base vs tuned")
    p.add_argument("job", help="the job id (its directory's name) or its directory")
    p.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)


def run(args, workspace) -> int:
    raise NotImplementedError
