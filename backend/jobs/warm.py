"""The warm worker: a process that has imported the training libraries and forks one worker per job.

Importing torch, transformers, peft, TRL and datasets is most of a job's start-up on a CPU box (6-8 s
here: benchmarks/bench_train.py), and the same for every job. So when `spawn_worker` starts a
single-process job it first asks a warm worker of this workspace, if one is listening, to fork a
child for the job: the child starts with every library loaded (copy-on-write pages) and runs
`backend.jobs.worker.run_job` in the job's folder, in a session of its own, its output appended to the
job's log.txt, with the environment of whoever asked. When none is listening, the job starts cold
as before and a warm worker is started beside it for the next job (a second run of a job, a sweep,
the studio's queue).

    python -m backend.jobs.warm WORKSPACE KEY     # started by start_server(); not by hand

It listens on an abstract Unix socket named after the workspace, the Python, the code and the
environment variables the libraries read when imported (another venv, another HF_HOME, an upgraded
library or an edited backend/ never gets a stale process); it serves only its own user (SO_PEERCRED) and only folders of
the workspace's jobs/. One warm worker a workspace: it also holds an address named after the workspace alone, and
none is started while that is held (a job asked from another environment, e.g. `studio train` in a terminal
beside a studio, starts cold rather than beside a second copy of the libraries). It exits after
STUDIO_WARM_IDLE_S seconds without a job (default 600). STUDIO_WARM=0 turns the whole thing off. QLoRA jobs
(bitsandbytes, which the warm process does not import) and multi-process jobs (accelerate launch) always start
cold.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from backend.resources import PROJECT_ROOT

WARM_MODULE = "backend.jobs.warm"  # `python -m` it: a warm worker (start_server)
# The modules a worker spends its start-up importing (bitsandbytes hidden, as for any non-qlora job).
PRELOAD = ("torch", "transformers", "transformers.trainer", "peft", "datasets", "trl", "backend.jobs.worker",
           "backend.training.run", "backend.training.stages.sft", "backend.training.callback", "backend.data.tokenized")
# Environment variables read at import time (or that change where things are): part of the key.
ENV_PREFIXES = ("HF_", "HUGGINGFACE", "TRANSFORMERS", "TORCH", "PYTORCH", "CUDA", "NCCL", "OMP_", "MKL_", "KMP_",
                "TOKENIZERS", "BNB", "ACCELERATE", "PYTHON", "LD_", "XDG_", "HOME", "TMPDIR", "TRL")


def enabled() -> bool:
    return os.environ.get("STUDIO_WARM", "1") != "0" and sys.platform.startswith("linux")


def usable_for(spec) -> bool:
    return spec.method.name != "qlora" and spec.distributed.world_size == 1


def _code_stamp() -> str:
    """Our code and the installed libraries (an upgrade in the venv gets a fresh warm worker)."""
    import importlib.util

    stamps = sorted((str(p), p.stat().st_mtime_ns) for p in (PROJECT_ROOT / "backend").rglob("*.py"))
    for name in ("torch", "transformers", "peft", "trl", "datasets", "accelerate", "tokenizers"):
        spec = importlib.util.find_spec(name)  # finds the package without importing it
        if spec is not None and spec.origin:
            stamps.append((name, Path(spec.origin).stat().st_mtime_ns))
    return hashlib.sha1(json.dumps(stamps).encode()).hexdigest()


def key(workspace_root: Path, env: dict[str, str]) -> str:
    relevant = sorted((k, v) for k, v in env.items() if k.startswith(ENV_PREFIXES))
    raw = json.dumps([str(Path(workspace_root).resolve()), sys.executable, _code_stamp(), relevant])
    return hashlib.sha1(raw.encode()).hexdigest()[:24]


def _address(k: str) -> str:
    return f"\0finetune-studio-warm-{k}"  # abstract: no file to clean up, gone with the process


def _workspace_address(workspace_root: Path) -> str:
    """Held by the workspace's warm worker, whatever its environment: one warm worker a workspace."""
    digest = hashlib.sha1(str(Path(workspace_root).resolve()).encode()).hexdigest()[:24]
    return f"\0finetune-studio-warm-ws-{digest}"


def _hold(address: str) -> socket.socket | None:
    """A socket bound to `address`, or None when a live process holds it."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        return None
    return sock


def running(workspace_root: Path) -> bool:
    """Whether this workspace has a warm worker (of any environment)."""
    sock = _hold(_workspace_address(workspace_root))
    if sock is None:
        return True
    sock.close()
    return False


class WarmChild:
    """A job's worker forked by the warm process: what the scheduler and `studio train` use of a
    subprocess.Popen. It is not our child, so its exit code is read from the job's final state."""

    def __init__(self, pid: int, job_dir: Path):
        self.pid = pid
        self.job_dir = Path(job_dir)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        try:
            state = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            alive = state != "Z"
        except (OSError, IndexError):
            alive = False
        if alive:
            return None
        try:
            status = json.loads((self.job_dir / "status.json").read_text(encoding="utf-8")).get("state")
        except (OSError, ValueError):
            status = None
        self.returncode = {"succeeded": 0, "cancelled": 3, "failed": 1}.get(status, -9)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.time() + timeout
        while self.poll() is None:
            if deadline is not None and time.time() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.1)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass


def fork_job(workspace_root: Path, job_dir: Path, env: dict[str, str], timeout: float = 5.0) -> WarmChild | None:
    """Ask this workspace's warm worker to run the job; None when none is listening (or it fails)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(_address(key(workspace_root, env)))
        sock.sendall(json.dumps({"job_dir": str(job_dir), "env": env}).encode() + b"\n")
        reply = json.loads(sock.makefile().readline() or "{}")
    except (OSError, ValueError):
        return None
    finally:
        sock.close()
    return WarmChild(int(reply["pid"]), job_dir) if reply.get("pid") else None


def start_server(workspace_root: Path, env: dict[str, str]) -> subprocess.Popen | None:
    """Start a warm worker for this workspace and environment, detached; its output goes to
    <workspace>/logs/warm.log. None when the workspace has one already (of this environment or another);
    one started at the same moment as another exits at once (serve: the addresses are taken)."""
    root = Path(workspace_root)
    if running(root):
        return None
    log_dir = root / "logs"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        with open(log_dir / "warm.log", "ab") as out:
            return subprocess.Popen([sys.executable, "-m", WARM_MODULE, str(root), key(root, env)], env=env,
                                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=str(root),
                                    start_new_session=True)
    except OSError:
        return None


def serve(workspace_root: str, k: str) -> int:
    idle_s = float(os.environ.get("STUDIO_WARM_IDLE_S", "600"))
    held = _hold(_workspace_address(Path(workspace_root)))  # kept for the process's life
    if held is None:  # another warm worker has this workspace
        return 0
    sock = _hold(_address(k))
    if sock is None:
        return 0
    sys.modules.setdefault("bitsandbytes", None)
    import importlib

    t0 = time.time()
    for name in PRELOAD:
        importlib.import_module(name)
    print(f"{time.strftime('%H:%M:%S')} warm worker {os.getpid()} for {workspace_root}: libraries loaded in "
          f"{time.time() - t0:.1f} s; idle exit after {idle_s:.0f} s", flush=True)
    jobs = (Path(workspace_root) / "jobs").resolve()
    sock.listen(16)
    sock.settimeout(idle_s)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the job processes are reaped as they end
    while True:
        try:
            conn, _ = sock.accept()
        except TimeoutError:
            print(f"{time.strftime('%H:%M:%S')} no job for {idle_s:.0f} s: exiting", flush=True)
            return 0
        with conn:
            try:
                conn.settimeout(5)
                request = json.loads(conn.makefile().readline())
            except (OSError, ValueError):
                continue
            refusal = _refusal(conn, request, jobs)
            if refusal:
                print(f"{time.strftime('%H:%M:%S')} refused: {refusal}", flush=True)
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                held.close()  # the job is not the warm worker: its end or its life leave the addresses free
                sock.close()
                conn.close()
                _run_child(request)  # never returns
            print(f"{time.strftime('%H:%M:%S')} job {Path(request['job_dir']).name}: pid {pid}", flush=True)
            try:
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            except OSError:
                pass


def _refusal(conn: socket.socket, request, jobs: Path) -> str | None:
    """Why a request is not served: an abstract socket has no file permissions, so the asker must be
    this user (SO_PEERCRED), and the job a folder of this workspace's jobs/."""
    import struct

    try:
        _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                              struct.calcsize("3i")))
    except OSError:
        return "the asker's credentials could not be read"
    if uid != os.getuid():
        return f"asked by user {uid}, not {os.getuid()}"
    if not isinstance(request, dict) or not isinstance(request.get("env"), dict):
        return "not a job request"
    job_dir = Path(str(request.get("job_dir", ""))).resolve()
    if job_dir.parent != jobs or not (job_dir / "spec.yaml").is_file():
        return f"{job_dir} is not a job of this workspace"
    return None


def _run_child(request: dict) -> None:
    code = 1
    try:
        job_dir = request["job_dir"]
        os.setsid()  # a session of its own, as a cold worker: the scheduler signals its process group
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.chdir(job_dir)
        os.environ.clear()
        os.environ.update(request["env"])
        out = os.open(os.path.join(job_dir, "log.txt"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        os.close(null)
        import backend.jobs.worker as worker

        worker.STARTED_AT = time.time()  # this job's process starts now (its imports were done before)
        code = worker.run_job(job_dir)
    except BaseException:  # noqa: BLE001 - the child must never return into the server's loop
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1], sys.argv[2]))
