"""`studio sweep`: a sweep over spec fields through the queue (to be written: issue 21)."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="a sweep over spec fields through the queue")
    p.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)


def run(args, workspace) -> int:
    raise NotImplementedError
