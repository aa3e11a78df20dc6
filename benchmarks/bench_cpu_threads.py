"""CPU thread count for training, with and without another busy process (e.g. the browser).

    python benchmarks/bench_cpu_threads.py [--epochs 15]

Runs the demo job through `studio train` with training.cpu_threads = every core, and = every
core but one (the studio's default), first on an idle machine, then beside a process that keeps
one core busy. Prints train time per run and the ratio to the default.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def train_seconds(workspace: Path, threads: int, epochs: float) -> float:
    cmd = [sys.executable, "-m", "studio.cli", "train", str(ROOT / "templates" / "demo.yaml"),
           "--set", f"training.cpu_threads={threads}", "--set", f"training.num_epochs={epochs}",
           "--workspace", str(workspace)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
    job_dir = Path(out.stdout.strip().splitlines()[-1])
    return json.loads((job_dir / "summary.json").read_text())["train_runtime_s"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=float, default=15)
    args = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    settings = sorted({cores, max(1, cores - 1)}, reverse=True)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        train_seconds(ws, 1, 0.1)  # builds the demo model once, outside the timings
        rows = []
        for load in ("idle", "one core busy"):
            hog = None
            if load != "idle":
                hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
            try:
                for n in settings:
                    rows.append((load, n, train_seconds(ws, n, args.epochs)))
            finally:
                if hog:
                    hog.kill()
    default = max(1, cores - 1)
    print(f"machine: {cores} cores; demo job, {args.epochs} epochs; studio default: {default} threads")
    print(f"{'load':15} {'threads':>7} {'train s':>8} {'vs default':>10}")
    for load, n, secs in rows:
        base = next(s for lo, m, s in rows if lo == load and m == default)
        print(f"{load:15} {n:7d} {secs:8.1f} {secs / base:9.2f}x")


if __name__ == "__main__":
    main()
