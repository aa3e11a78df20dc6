"""`studio train SPEC --cluster ADDRESS` (README, Jobs on a Ray cluster): the command queues the job in a queue of
its own whose scheduler sends it to the cluster, and says so; it said "a studio (or `studio serve-worker`) is running
on this workspace: the job joins its queue" and "started by the studio's scheduler", though no studio ran."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
