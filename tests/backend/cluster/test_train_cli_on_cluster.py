"""`studio train SPEC --cluster ADDRESS` (README, Jobs on a Ray cluster): the command queues the job in a queue of
its own whose scheduler sends it to the cluster, and says so; it said "a studio (or `studio serve-worker`) is running
on this workspace: the job joins its queue" and "started by the studio's scheduler", though no studio ran.
`studio sweep FILE --cluster ADDRESS`: the runs go to the cluster (a headless sweep ran them here, whatever the
cluster setting)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from backend.resources import DEMO_SPEC
from tests.conftest import ROOT, python_env


def test_studio_train_on_the_cluster_says_where_the_job_runs(store, ray_head):
    root = store.workspace.root
    args = ["train", str(DEMO_SPEC), "--workspace", str(root), "--cluster", ray_head]
    for override in ("training.max_steps=3", "training.save_minutes=0", "training.sample_prompts=0",
                     "training.device=cpu"):
        args += ["--set", override]
    done = subprocess.run([sys.executable, "-m", "studio.cli", *args], capture_output=True, text=True,
                          env=python_env(), cwd=ROOT, timeout=300)
    out = done.stdout
    assert done.returncode == 0, (out + done.stderr)[-3000:]
    assert f"queued here for the Ray cluster at {ray_head}" in out and f"started on the Ray cluster at {ray_head}" in out
    assert "a studio (or" not in out and "the studio's scheduler" not in out, out
    job_dir = Path(out.strip().splitlines()[-1])
    assert store.get(job_dir.name).state == "succeeded"
    assert json.loads((job_dir / "node.json").read_text())["backend"] == "ray"


def _studio(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "studio.cli", *args], capture_output=True, text=True,
                          env=python_env(), cwd=ROOT, timeout=timeout)


def test_studio_sweep_on_the_cluster_sends_its_runs_there(store, ray_head, tmp_path):
    root = store.workspace.root
    spec = yaml.safe_load(Path(DEMO_SPEC).read_text())
    spec["training"].update(max_steps=3, save_minutes=0, sample_prompts=0, device="cpu")
    spec["sweep"] = {"method": "grid", "early_stop": "none", "parameters": {"training.learning_rate": [2e-3]}}
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    unreachable = _studio("sweep", str(path), "--workspace", str(root), "--cluster", "127.0.0.1:1")
    assert unreachable.returncode == 2 and "Cannot reach the Ray cluster at 127.0.0.1:1" in unreachable.stderr
    assert not (root / "sweeps").exists() or not any((root / "sweeps").iterdir())  # no sweep left behind
    done = _studio("sweep", str(path), "--workspace", str(root), "--cluster", ray_head)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert f"the runs go to the Ray cluster at {ray_head}" in done.stdout
    job_id = done.stdout.split("best: trial 0 (job ", 1)[1].split(")", 1)[0]
    assert store.get(job_id).state == "succeeded"
    assert json.loads((store.job_dir(job_id) / "node.json").read_text())["backend"] == "ray"
