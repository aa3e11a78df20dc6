"""How close the Review's time is to the real run: `backend.jobs.probe` (a few timed steps) against a
whole run of the same job, side by side.

    .venv/bin/python benchmarks/bench_time_estimate.py [--steps 4] [--set training.num_epochs=5 ...]

Both run here as the studio runs them: the probe as `python -m backend.jobs.probe` (its own process, as
the Review's *Measure speed* does), the job as `studio train` (its own worker process). The table
gives the probe's start-up and pace, the estimate (start-up + steps x pace) and the run's wall time
and start-up from its summary.json, and estimate / actual.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.demo import ensure_demo_model  # noqa: E402
from backend.resources import DEMO_SPEC  # noqa: E402
from backend.spec import JobSpec  # noqa: E402
from backend.workspace import Workspace  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4, help="steps the probe times (after one warm-up step)")
    parser.add_argument("--set", action="append", default=[], help="overrides for templates/demo.yaml")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.at(Path(tmp) / "ws")
        ensure_demo_model(ws.models_dir)
        spec = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")).with_overrides(args.set)
        spec_path = Path(tmp) / "job.yaml"
        spec_path.write_text(spec.to_yaml(), encoding="utf-8")

        t0 = time.perf_counter()
        probe = subprocess.run([sys.executable, "-m", "backend.jobs.probe", "--workspace", str(ws.root), str(spec_path),
                                "--steps", str(args.steps)], capture_output=True, text=True, env=env, check=True)
        probe_wall = time.perf_counter() - t0
        result = json.loads(probe.stdout.strip().splitlines()[-1])

        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "studio.cli", "train", str(spec_path), "--workspace", str(ws.root)],
                       capture_output=True, text=True, env=env, check=True)
        run_wall = time.perf_counter() - t0
        summary = json.loads(next(ws.root.glob("jobs/*/summary.json")).read_text(encoding="utf-8"))

    steps = summary["steps"]
    estimate = result["startup_s"] + steps * result["seconds_per_step"]
    actual = summary["startup_s"] + summary["train_runtime_s"]
    print(f"job: templates/demo.yaml {' '.join(args.set)} ({steps} steps)")
    print(f"{'what':<44}{'seconds':>10}")
    rows = [("probe: wall time (its own process)", probe_wall), ("probe: start-up", result["startup_s"]),
            ("probe: seconds per step", result["seconds_per_step"]),
            ("estimate: start-up + steps x pace", estimate),
            ("run: start-up + training (summary.json)", actual),
            ("run: wall time of `studio train`", run_wall)]
    for name, value in rows:
        print(f"{name:<44}{value:>10.2f}")
    print(f"{'estimate / actual (start-up + training)':<44}{estimate / actual:>9.2f}x")
    print(f"{'estimate / actual pace per step':<44}{result['seconds_per_step'] / (summary['train_runtime_s'] / steps):>9.2f}x")


if __name__ == "__main__":
    main()
