"""The real `studio` process stopped and started again while a job trains: the job goes on."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from backend.jobs.scheduler import Scheduler, is_worker_alive
from backend.resources import DEMO_SPEC
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


@pytest.mark.parametrize("module, forked", [("backend.worker", False), ("backend.warm", True),
                                            ("backend.jobs.worker", False), ("backend.jobs.warm", True)])
def test_a_worker_of_the_version_before_backend_jobs_is_adopted(store, module, forked):
    """Workers started before the worker's module moved (backend.worker, backend.warm) are live workers to a
    studio restarted on this version: a stand-in process whose command line is theirs is adopted, not marked
    interrupted. A worker the warm worker forked has the warm worker's command line and runs in its job's
    folder."""
    job_id = store.create_job(JobSpec.from_yaml(DEMO_SPEC.read_text()))
    job_dir = store.job_dir(job_id)
    args = ["/workspace", "key"] if forked else [str(job_dir)]
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "-m", module, *args],
                                cwd=job_dir, start_new_session=True)
    try:
        store.mark_running(job_id, stand_in.pid)
        wait_for(lambda: module in Path(f"/proc/{stand_in.pid}/cmdline").read_bytes().decode(errors="replace"),
                 10, "the stand-in to start")
        assert is_worker_alive(store.get(job_id))
        Scheduler(store).recover()
        assert store.get(job_id).state == "running"
    finally:
        stand_in.kill()
        stand_in.wait()
    assert not is_worker_alive(store.get(job_id))
