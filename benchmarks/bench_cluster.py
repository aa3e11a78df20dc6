"""The time the queue adds per job on a Ray cluster, against the same job run on this machine.

    python benchmarks/bench_cluster.py [--rounds 2] [--steps 3]

Starts a local Ray head on 127.0.0.1 (2 CPUs, its own temp folder, stopped at the end: only its processes), then
runs the demo job (max_steps 3, one CPU thread) through the studio's queue, alternating: a Scheduler on this
machine (cold worker processes: STUDIO_WARM=0) and a Scheduler with the cluster dispatcher (a Ray actor per job).
Per job: queued -> worker process started (local: its pid recorded; cluster: the actor's node.json), and
queued -> done (the job's ended_at). Prints each run, the medians side by side and the ratio cluster/local.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["STUDIO_WARM"] = "0"


def start_head(temp_dir: str, port: int) -> None:
    ray = str(Path(sys.executable).with_name("ray"))
    subprocess.run([ray, "start", "--head", "--num-cpus", "2", "--node-ip-address", "127.0.0.1", "--port", str(port),
                    "--include-dashboard", "false", "--disable-usage-stats", "--temp-dir", temp_dir],
                   check=True, capture_output=True, timeout=180)


def run_one(store, sched_cluster, steps: int) -> dict:
    from backend.jobs.scheduler import Scheduler
    from backend.resources import DEMO_SPEC
    from backend.spec import JobSpec

    spec = JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(
        [f"training.max_steps={steps}", "training.cpu_threads=1"])
    sched = Scheduler(store, poll_s=0.1, cluster=sched_cluster).start()
    try:
        job_id = store.create_job(spec)
        started = None
        while True:
            job = store.get(job_id)
            if started is None:
                node = store.job_dir(job_id) / "node.json"
                if sched_cluster is None and job.pid:
                    started = time.time()
                elif node.is_file():
                    started = json.loads(node.read_text())["started_at"]
            if job.is_final:
                break
            time.sleep(0.05)
    finally:
        sched.stop()
    assert job.state == "succeeded", store.read_log_tail(job_id)
    return {"start": started - job.created_at, "done": job.ended_at - job.created_at}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    args = ap.parse_args()

    from backend.cluster.connect import connect
    from backend.demo import ensure_demo_model
    from backend.store import JobStore
    from backend.workspace import Workspace
    from tests.backend.cluster.conftest import _free_port, _stop

    tmp = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    ensure_demo_model(tmp / "models")
    stores = {}
    for name in ("local", "cluster"):
        ws = Workspace.at(tmp / name)
        (ws.models_dir / "demo").symlink_to(tmp / "models" / "demo", target_is_directory=True)
        stores[name] = JobStore(ws)
    temp_dir, port = tempfile.mkdtemp(prefix="rt", dir="/tmp"), _free_port()
    t = time.time()
    start_head(temp_dir, port)
    print(f"local Ray head 127.0.0.1:{port} started in {time.time() - t:.1f} s")
    try:
        t = time.time()
        cluster = connect(f"127.0.0.1:{port}")
        print(f"connected in {time.time() - t:.1f} s")
        results = {"local": [], "cluster": []}
        for r in range(args.rounds):
            for name in ("local", "cluster"):
                res = run_one(stores[name], cluster if name == "cluster" else None, args.steps)
                results[name].append(res)
                print(f"round {r + 1} {name:8s} queued->worker started {res['start']:6.2f} s   "
                      f"queued->done {res['done']:6.2f} s", flush=True)
    finally:
        import ray

        ray.shutdown()
        _stop(temp_dir)
    med = {n: {k: statistics.median(x[k] for x in v) for k in ("start", "done")} for n, v in results.items()}
    print(f"\nmedian of {args.rounds} ({args.steps} steps, 1 CPU thread)   local      cluster    cluster/local")
    for k, label in (("start", "queued->worker started"), ("done", "queued->done")):
        print(f"{label:38s} {med['local'][k]:7.2f} s  {med['cluster'][k]:7.2f} s  {med['cluster'][k] / med['local'][k]:6.2f}x")
    print(f"{'added per job by the cluster (done)':38s} {med['cluster']['done'] - med['local']['done']:+7.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
