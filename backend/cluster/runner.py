"""What runs on a cluster node: one Ray actor per job, which starts the job's worker there and waits for it.

The actor runs the same command as a job on one machine (backend.jobs.launch.worker_command: `python -m
backend.jobs.worker JOB_DIR`, or `accelerate launch` for several processes) as a subprocess in its own session,
its output appended to the job's log.txt. It records where the job runs (node id, address, host name, the
actor's and the worker's pids) in the job's node.json and log, and in the store's `host`. The worker dies with
the actor (PR_SET_PDEATHSIG): a killed Ray worker ends the job, which the studio then marks interrupted.

Imported by the Ray worker process on the node; this module imports no ray at import time.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

NODE_FILE = "node.json"
MISSING = "missing_folder"
LINGER_S = 600.0  # an actor whose job ended and whose studio never collected it exits after this


def _die_with_parent() -> None:
    """In the worker's child process, before exec: SIGKILL it when the actor's process dies (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class JobRunner:
    """A Ray actor (threaded: `signal` and `wait` answer while `run` waits for the worker)."""

    def __init__(self):
        self.proc: subprocess.Popen | None = None
        self.result: dict | None = None
        self.done = threading.Event()

    def where(self) -> dict:
        import ray

        ctx = ray.get_runtime_context()
        return {"backend": "ray", "node_id": ctx.get_node_id(), "node_ip": ray.util.get_node_ip_address(),
                "hostname": socket.gethostname(), "ray_pid": os.getpid(), "actor_id": ctx.get_actor_id()}

    def run(self, job_dir: str) -> dict:
        try:
            self.result = self._run(Path(job_dir))
        except Exception as exc:  # noqa: BLE001 - reported to the studio, which records it
            self.result = {**self.where(), "code": None, "error": f"{type(exc).__name__}: {exc}"}
        self.done.set()
        threading.Timer(LINGER_S, os._exit, (0,)).start()
        return self.result

    def _run(self, job_dir: Path) -> dict:
        from backend.jobs.launch import LaunchError, worker_command
        from backend.jobs.scheduler import worker_process_env
        from backend.store import JobStore
        from backend.workspace import Workspace

        where = self.where()
        if not (job_dir / "spec.yaml").is_file():  # the workspace is not on storage this node sees
            return {**where, "code": None, "error": MISSING}
        store = JobStore(Workspace.at(job_dir.parent.parent))
        job_id = job_dir.name
        spec = store.load_spec(job_id)
        try:
            command = worker_command(spec, job_dir)
        except LaunchError as exc:
            store.mark_failed(job_id, exc.error)
            return {**where, "code": 1}
        with open(job_dir / "log.txt", "ab") as out:
            self.proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         cwd=str(job_dir), env=worker_process_env(spec), start_new_session=True,
                                         preexec_fn=_die_with_parent)
        where["pid"] = self.proc.pid
        where["started_at"] = time.time()
        (job_dir / NODE_FILE).write_text(json.dumps(where, indent=2), encoding="utf-8")
        with open(job_dir / "log.txt", "a", encoding="utf-8") as log:
            log.write(f"{time.strftime('%H:%M:%S')} [cluster] running on node {where['node_id'][:12]} "
                      f"({where['hostname']}, {where['node_ip']}), Ray worker pid {where['ray_pid']}, "
                      f"job pid {self.proc.pid}\n")
        store.set_host(job_id, f"{where['hostname']} (ray {where['node_id'][:8]})")
        return {**where, "code": self.proc.wait()}

    def signal(self, sig: int) -> bool:
        """Signal the job's worker (and on SIGKILL every process under it). False when it has not started."""
        from backend.jobs.guard import signal_worker

        if self.proc is None or self.proc.poll() is not None:
            return False
        signal_worker(self.proc.pid, sig)
        return True

    def wait(self) -> dict:
        """The result of `run`, once the worker has ended (a studio restarted meanwhile adopts the job with it)."""
        self.done.wait()
        return self.result
