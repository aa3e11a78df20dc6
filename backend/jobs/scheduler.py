"""The scheduler: starts queued jobs as worker processes, watches them, cancels, recovers.

    sched = Scheduler(store).start()   # a daemon thread in the studio process
    ...
    sched.stop()

Workers run in their own process session (`start_new_session`), so stopping the studio does
not stop them; a restarted studio adopts the running ones (pid + command line + heartbeat).
A worker that dies without reaching a final state is marked `interrupted` within a second or
two, with the last lines of its log in the message.

A running scheduler holds a shared lock on <workspace>/scheduler.lock (released when its process ends,
however it ends), so `studio train` knows that this workspace has a queue being run (scheduler_running)
and puts its job in that queue rather than beside it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # not a POSIX system: no lock, `studio train` runs beside the queue
    fcntl = None

from backend.jobs.guard import Guard, signal_worker  # noqa: F401 - signal_worker: also this module's name
from backend.jobs.launch import WORKER_MODULE
from backend.jobs.warm import WARM_MODULE
from backend.messages import msg
from backend.resources import PROJECT_ROOT
from backend.store import InvalidTransition, Job, JobError, JobStore

log = logging.getLogger("studio.scheduler")
# What a live worker's command line names: its module (with its job), or for a worker the warm worker forked,
# the warm worker's module. Also the modules before backend/jobs/ (backend.worker, backend.warm), so that a
# studio restarted on this version adopts the jobs the previous version started.
WORKER_MODULES = (WORKER_MODULE, "backend.worker")
WARM_MODULES = (WARM_MODULE, "backend.warm")


def spawn_worker(store: JobStore, job_id: str):
    """Start `python -m backend.jobs.worker JOB_DIR` detached (through `accelerate launch` when the spec asks
    for several processes: backend.jobs.launch), its output appended to log.txt. A single-process job is
    forked by the workspace's warm worker when one is listening (backend.jobs.warm: the libraries already
    imported), and starts one for the next job when not. Returns a subprocess.Popen (or a WarmChild,
    which answers the same calls). Raises LaunchError when the spec cannot run here (e.g. DeepSpeed
    not installed)."""
    from backend.jobs import warm
    from backend.jobs.launch import worker_command

    job_dir = store.job_dir(job_id)
    spec = store.load_spec(job_id)
    command = worker_command(spec, job_dir)
    env = worker_process_env(spec)
    if warm.enabled() and warm.usable_for(spec):
        root = store.workspace.root
        child = warm.fork_job(root, job_dir, env)
        if child is not None:
            return child
        warm.start_server(root, env)  # for the next job; this one starts cold beside it
    with open(job_dir / "log.txt", "ab") as out:
        return subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=str(job_dir),
            env=env,
            start_new_session=True,
        )


def worker_process_env(spec) -> dict[str, str]:
    """The worker's environment: this one, unbuffered, the project importable, CPU threads shared out."""
    from backend.jobs.launch import worker_env

    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    return worker_env(spec, env)


def is_worker_alive(job: Job) -> bool:
    """True when job.pid is a live worker process for this job (guards against pid reuse)."""
    if not job.pid:
        return False
    try:
        cmdline = Path(f"/proc/{job.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        try:
            os.kill(job.pid, 0)
        except OSError:
            return False
        return True  # no /proc (not Linux): trust the pid
    named = any(m in cmdline for m in WORKER_MODULES) and job.id in cmdline
    if not (named or (any(m in cmdline for m in WARM_MODULES) and _cwd_is(job))):
        return False
    try:
        state = Path(f"/proc/{job.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"  # a zombie has finished


def _cwd_is(job: Job) -> bool:
    """A worker forked by the warm worker (backend.jobs.warm) has its command line; it runs in its job's folder."""
    try:
        return Path(os.readlink(f"/proc/{job.pid}/cwd")).name == job.id
    except OSError:
        return False


def interrupted_error(store: JobStore, job_id: str, how: str) -> JobError:
    """`how`: what became of the worker, a message (e.g. msg("jobs.how_stopped")). The message quotes the last
    lines of the log that say something (not the Trainer's log dicts, warnings or progress bars); the hint says
    where Resume continues: the step of the last checkpoint, or step 0 when none was saved."""
    from backend.jobs.logtail import meaningful_lines
    from backend.training.checkpoints import resume_point

    tail = meaningful_lines(store.read_log_tail(job_id, 64_000))[-5:]
    if tail:
        message = msg("jobs.worker_died_log", how=how, lines="\n".join(tail))
    else:
        message = msg("jobs.worker_died", how=how)
    point = resume_point(store.job_dir(job_id) / "checkpoints")
    resume = msg("jobs.resume_from_checkpoint", step=point[0], checkpoint=point[1]) if point else \
        msg("jobs.resume_from_start")
    return JobError("interrupted", message, msg("jobs.worker_died_hint", resume=resume))


SCHEDULER_LOCK = "scheduler.lock"


def scheduler_running(workspace) -> bool:
    """Whether a scheduler (a studio, `studio serve-worker`) is running the queue of this workspace, here."""
    if fcntl is None:
        return False
    try:
        fd = os.open(Path(workspace.root) / SCHEDULER_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True  # a scheduler holds it
    except OSError:
        return False
    finally:
        os.close(fd)  # also releases the test's lock
    return False


class Scheduler:
    def __init__(self, store: JobStore, poll_s: float = 0.5, max_running: int = 1, cluster=None):
        self.store = store
        # A backend.cluster.dispatch.ClusterDispatcher: jobs run as Ray actors, as many as the cluster has room for.
        self.cluster = cluster
        self.poll_s = poll_s
        self.max_running = max_running
        self.children: dict[str, subprocess.Popen] = {}
        self.guard = Guard(store)  # cancel (SIGTERM, then SIGKILL after a grace period) and memory
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_fd: int | None = None

    def start(self) -> Scheduler:
        self._hold_lock()
        self.recover()
        self._thread = threading.Thread(target=self._loop, name="studio-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _hold_lock(self) -> None:
        """Say that this workspace's queue is being run (scheduler_running): a shared lock, so that several
        schedulers can hold it, for as long as this process runs the queue."""
        if fcntl is None:
            return
        fd = None
        try:
            fd = os.open(self.store.workspace.root / SCHEDULER_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a `studio train` tests it (an instant)
        except OSError:
            if fd is not None:
                os.close(fd)
            log.warning("could not lock %s: `studio train` will not see this scheduler",
                        self.store.workspace.root / SCHEDULER_LOCK)
            return
        self._lock_fd = fd

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # the scheduler must outlive any single bad job
                log.exception("scheduler tick failed")
            self._stop.wait(self.poll_s)

    def recover(self) -> None:
        """At start-up: adopt live workers, mark the dead ones interrupted."""
        for job in self.store.list_jobs(("running",)):
            child = self.cluster.adopt(self.store, job) if self.cluster and not job.pid else None
            if child is not None:
                self.children[job.id] = child
                log.info("adopting cluster job %s", job.id)
            elif is_worker_alive(job):
                silence = job.silent_for()
                if silence:
                    log.warning("adopting job %s (pid %s), but it has not beaten for %.0f s: it may be stuck",
                                job.id, job.pid, silence)
                else:
                    log.info("adopting running job %s (pid %s)", job.id, job.pid)
            else:
                self._interrupt(job.id, msg("jobs.how_not_running"))

    def tick(self) -> None:
        # Reap our own children; one that exits without a final state was interrupted.
        for job_id, proc in list(self.children.items()):
            code = proc.poll()
            if code is None:
                continue
            del self.children[job_id]
            job = self.store.get(job_id)
            if job and job.state == "running":
                how = getattr(proc, "how", None) or (
                    msg("jobs.how_signal", signal=-code) if code < 0 else msg("jobs.how_exit", code=code))
                self._interrupt(job_id, how)
        running = self.store.list_jobs(("running",))
        alive = []
        for job in running:
            if job.id not in self.children and not is_worker_alive(job) and job.pid:
                # Adopted (or started by `studio train`) and gone: give it a moment to write its state.
                time.sleep(0.2)
                fresh = self.store.get(job.id)
                if fresh and fresh.state == "running" and not is_worker_alive(fresh):
                    self._interrupt(job.id, msg("jobs.how_stopped"))
                continue
            alive.append(job)
        self.guard.watch(alive)
        if self.cluster:
            self.cluster.watch(alive, self.children)
        from backend.sweep.hook import tick_sweeps  # sweeps queue their runs here (backend/sweep/)

        tick_sweeps(self)
        n_running = len(self.store.list_jobs(("running",)))
        while n_running < self.max_running or self.cluster:
            job = self.store.next_queued()
            if job is None or (self.cluster and not self.cluster.has_room(self.store.load_spec(job.id), self.children)):
                break
            if not self._launch(job.id):
                break
            n_running += 1

    def _launch(self, job_id: str) -> bool:
        try:
            self.store.mark_running(job_id, pid=0)  # claims the job before the process exists
        except InvalidTransition:
            return True  # someone else took it (or it was cancelled); try the next one
        from backend.jobs.launch import LaunchError

        try:
            proc = self.cluster.launch(self.store, job_id) if self.cluster else spawn_worker(self.store, job_id)
        except LaunchError as exc:
            self.store.mark_failed(job_id, exc.error)
            return False
        except Exception as exc:  # noqa: BLE001
            self.store.mark_failed(job_id, JobError("unexpected", msg("jobs.cannot_start_worker", error=exc), ""))
            return False
        self.children[job_id] = proc
        if proc.pid:  # a cluster job's worker runs on a node: its pid stays 0 here (backend/cluster/dispatch.py)
            self.store.set_pid(job_id, proc.pid)
        log.info("started job %s (pid %s)", job_id, proc.pid)
        return True

    def _interrupt(self, job_id: str, how: str) -> None:
        try:
            self.store.mark_interrupted(job_id, interrupted_error(self.store, job_id, how))
            log.warning("job %s interrupted: worker %s", job_id, how)
        except InvalidTransition:
            pass  # it reached a final state on its own meanwhile
