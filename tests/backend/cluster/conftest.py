"""A local Ray head on 127.0.0.1 for the cluster tests (2 CPUs), started once and stopped at the end: only its
own processes (those naming its temp folder, and their children), never other Ray processes on the machine."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import python_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def head_pids(temp_dir: str) -> list[int]:
    """The head's processes: those whose command line names its temp folder, and everything under them."""
    from backend.training.sysmon import _descendants

    roots = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if temp_dir.encode() in (proc / "cmdline").read_bytes():
                    roots.append(int(proc.name))
            except OSError:
                pass
    return sorted({p for r in roots for p in (r, *_descendants(r))})


@pytest.fixture(scope="session")
def ray_head():
    """The address of a running local head; the test process is connected to it as the studio would be."""
    pytest.importorskip("ray", reason="ray is not installed (pip install 'finetune-studio[cluster]')")
    temp_dir = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # short: Ray's socket paths must stay under 107 bytes
    port = _free_port()
    ray = str(Path(sys.executable).with_name("ray"))
    started = subprocess.run([ray, "start", "--head", "--num-cpus", "2", "--node-ip-address", "127.0.0.1",
                              "--port", str(port), "--include-dashboard", "false", "--disable-usage-stats",
                              "--temp-dir", temp_dir], capture_output=True, text=True, timeout=120, env=python_env())
    if started.returncode != 0:
        _stop(temp_dir)
        pytest.fail(f"ray start failed:\n{started.stdout}\n{started.stderr}")
    address = f"127.0.0.1:{port}"
    try:
        yield address
    finally:
        import ray as ray_mod

        ray_mod.shutdown()
        _stop(temp_dir)


def _stop(temp_dir: str) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = head_pids(temp_dir)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.time() + 3
        while pids and time.time() < deadline and head_pids(temp_dir):
            time.sleep(0.2)


@pytest.fixture(scope="session")
def cluster(ray_head):
    from backend.cluster.connect import connect

    return connect(ray_head)


@pytest.fixture
def cluster_scheduler(store, cluster):
    from backend.jobs.scheduler import Scheduler

    sched = Scheduler(store, poll_s=0.1, cluster=cluster).start()
    yield sched
    sched.stop()
    for child in sched.children.values():
        child.kill()
