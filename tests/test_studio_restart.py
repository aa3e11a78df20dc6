"""The real `studio` process stopped and started again while a job trains: the job goes on."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from backend.resources import DEMO_SPEC
from backend.scheduler import is_worker_alive
from backend.spec import JobSpec
from tests.conftest import ROOT, python_env, wait_for


def start_studio(workspace, log_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "--port", str(port), "--workspace",
                             str(workspace.root)], cwd=ROOT, env=python_env(), stdout=open(log_path, "ab"),
                            stderr=subprocess.STDOUT, start_new_session=True)

    def up():
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status == 200
        except OSError:
            assert proc.poll() is None, "the studio exited"
            return False

    wait_for(up, 90, "the studio to answer")
    return proc


def test_a_job_survives_a_studio_restart(workspace, store, tmp_path):
    spec = JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(["training.max_steps=150"])
    job_id = store.create_job(spec)
    first = start_studio(workspace, tmp_path / "studio.log")
    try:
        wait_for(lambda: store.read_progress(job_id).get("step", 0) >= 5, 120, "the studio to start the job")
    finally:
        os.killpg(first.pid, signal.SIGTERM)
        first.wait(timeout=30)
    time.sleep(1)
    job = store.get(job_id)
    assert job.state == "running" and is_worker_alive(job), "the worker must outlive the studio"
    second = start_studio(workspace, tmp_path / "studio.log")
    try:
        wait_for(lambda: store.get(job_id).is_final, 240, "the adopted job to finish")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    assert store.get(job_id).state == "succeeded"
    steps = [m["step"] for m in store.read_metrics(job_id) if m.get("loss") is not None]
    assert steps == [1, *range(5, 151, 5)]
