"""`studio train SPEC`: a job in the foreground, with a progress bar; through a running studio's queue when
one runs on the workspace, else started here. Ctrl-C stops it (twice: kills it)."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from studio.cli.common import (
    _fail,
    _versions_refused,
    _workspace,
    absolute_paths,
    data_refusal,
    spec_file_problem,
    spec_refusal,
)


def cmd_train(args) -> int:
    if _versions_refused("studio train", training=True):
        return 2
    from backend.plan.presets import load_spec_text
    from backend.spec import DEMO, DEMO_VL, SpecError

    spec_path = Path(args.spec)
    if problem := spec_file_problem(spec_path):
        return _fail(problem)
    from backend.sweep.spec import split_sweep  # a sweep file: `studio sweep` runs it (studio/cli/sweep.py)

    if split_sweep(spec_path.read_text(encoding="utf-8"))[1] is not None:
        from backend.messages import msg

        return _fail(msg("sweep.use_sweep_command", file=str(spec_path)))
    try:
        spec = load_spec_text(spec_path.read_text(encoding="utf-8"), source=str(spec_path))
        if args.overrides:
            spec = spec.with_overrides(args.overrides)
    except SpecError as e:
        return _fail(spec_refusal(spec_path, e.issues, args.overrides))
    absolute_paths(spec)
    if problem := data_refusal(spec):
        return _fail(problem)
    if spec.model.name_or_path not in (DEMO, DEMO_VL):
        from backend.hub import model_unreachable
        from backend.training.model import check_model_source

        problem = check_model_source(spec.model.name_or_path) or model_unreachable(spec.model.name_or_path)
        if problem:
            return _fail(problem)
        if Path(spec.model.name_or_path).expanduser().exists():
            spec.model.name_or_path = str(Path(spec.model.name_or_path).expanduser().resolve())

    workspace = _workspace(args)
    from backend.jobs.scheduler import scheduler_running
    from backend.store import JobStore

    store = JobStore(workspace)
    # a studio (or serve-worker) runs this workspace's queue: join it (unless --no-queue: a launch file on a
    # cluster node, whose workspace may be the studio's own on shared storage, trains on that node)
    if scheduler_running(workspace) and not getattr(args, "no_queue", False):
        if getattr(args, "cluster", None) not in (None, "off"):
            print(f"--cluster {args.cluster} is not used: the studio (or `studio serve-worker`) running on this "
                  "workspace runs the job where its own jobs run (its --cluster, or the Train tab's Ray cluster row)",
                  file=sys.stderr, flush=True)
        return _through_queue(store, spec)
    if not getattr(args, "no_queue", False):
        from backend.cluster.connect import ClusterError, connect_for

        try:
            cluster = connect_for(getattr(args, "cluster", None), workspace)
        except ClusterError as e:
            return _fail(str(e))
        if cluster is not None:  # a queue of this workspace, run from here, sends the job to the cluster
            from backend.jobs.scheduler import Scheduler

            print(f"the job runs on the Ray cluster at {cluster.address}", flush=True)
            sched = Scheduler(store, cluster=cluster).start()
            try:
                return _through_queue(store, spec, cluster=cluster.address)
            finally:
                sched.stop()
    job_id = store.create_job(spec, state="running")
    print(f"job {job_id}: {store.job_dir(job_id)}")
    return _start_here(store, job_id)


def _start_here(store, job_id: str) -> int:
    """Start the job's worker from this process (the job claimed as running) and follow it."""
    from backend.jobs.launch import LaunchError
    from backend.jobs.scheduler import spawn_worker

    spec = store.load_spec(job_id)
    try:  # several processes (`distributed`): through accelerate launch, as the scheduler does
        proc = spawn_worker(store, job_id)
    except LaunchError as e:
        store.mark_failed(job_id, e.error)
        return _fail(f"{e.error.message}\nwhat to try: {e.error.hint}", 1)
    store.set_pid(job_id, proc.pid)
    if spec.distributed.world_size > 1:
        d = spec.distributed
        print(f"{d.world_size} processes ({d.strategy}), {d.num_processes} on this machine "
              f"(machine {d.machine_rank} of {d.num_machines})")
    return _follow(store, job_id, proc)


def _waiting_line(store, job_id: str) -> tuple[tuple, str]:
    """What a queued job waits for: the running jobs (with their step) and the jobs queued before it. Returns
    (the jobs named, the line), so that the line is printed again when they change, not at every step."""
    running = store.list_jobs(("running",))
    parts = []
    for job in running:
        step = store.read_progress(job.id)
        at = f", step {step['step']}/{step['total_steps']}" if step.get("total_steps") else ""
        parts.append(f"job {job.id} to finish ({job.method} on {job.dataset}{at})")
    ahead = [j.id for j in store.queue()]
    ahead = ahead[:ahead.index(job_id)] if job_id in ahead else []
    if ahead:
        parts.append(f"{len(ahead)} queued job{'s' if len(ahead) > 1 else ''} before it ({', '.join(ahead)})")
    line = "waiting for " + (" and ".join(parts) if parts else "the studio's scheduler to start it")
    return (tuple(j.id for j in running), tuple(ahead)), line


def _through_queue(store, spec, cluster: str | None = None) -> int:
    """A studio (or `studio serve-worker`) runs this workspace's queue, one job at a time: the job is queued there
    and its scheduler starts it (in the studio's environment, forked by its warm worker when it has one), while
    this command says what it waits for and then follows it as it would its own. Ctrl-C takes it out of the
    queue, or stops it as the page's Cancel does (again: at once). Should the studio stop while the job waits,
    the job starts here."""
    from backend.jobs.scheduler import scheduler_running
    from backend.store import InvalidTransition

    job_id = store.create_job(spec)  # queued
    print(f"job {job_id}: {store.job_dir(job_id)}")
    if cluster:  # the queue is this command's own, its scheduler sending the job to the cluster
        print(f"queued here for the Ray cluster at {cluster}; Ctrl-C takes it out", flush=True)
    else:
        print("a studio (or `studio serve-worker`) is running on this workspace: the job joins its queue and its "
              "scheduler runs it; Ctrl-C takes it out", flush=True)
    stops = 0

    def on_interrupt(signum, frame):
        nonlocal stops
        stops += 1
        try:
            store.request_cancel(job_id)
        except KeyError:
            pass

    previous = signal.signal(signal.SIGINT, on_interrupt)
    said = None
    try:
        while True:
            job = store.get(job_id)
            if job is None:
                return _fail(f"job {job_id} was deleted while it waited in the queue.", 1)
            if job.state != "queued":
                break
            waited, line = _waiting_line(store, job_id)
            if cluster:
                line = line.replace("the studio's scheduler to start it", "room on the Ray cluster")
            if waited != said:
                print(line, flush=True)
                said = waited
            if not scheduler_running(store.workspace):
                try:
                    store.mark_running(job_id, 0)
                except InvalidTransition:
                    continue  # started (or cancelled) meanwhile: see above
                print("the studio stopped: starting the job here", flush=True)
                signal.signal(signal.SIGINT, previous)
                return _start_here(store, job_id)
            time.sleep(0.5)
    finally:
        if signal.getsignal(signal.SIGINT) is on_interrupt:
            signal.signal(signal.SIGINT, previous)
    if job.state == "running":
        print(f"started on the Ray cluster at {cluster}" if cluster else "started by the studio's scheduler", flush=True)
        return _follow(store, job_id, _QueuedRun(store, job_id), stops)
    return _result(store, job_id)


class _QueuedRun:
    """A job the scheduler started, as _follow uses a worker process: alive while the job runs, stopped through
    the store (the scheduler's guard, and this command's, act on it: the first request gracefully, the next at
    once). Its worker gone without a final state and no scheduler left to say so: interrupted."""

    def __init__(self, store, job_id: str):
        self.store, self.job_id = store, job_id
        self.returncode: int | None = None
        self._gone_at: float | None = None

    @property
    def pid(self) -> int:
        job = self.store.get(self.job_id)
        return job.pid if job and job.pid else 0

    def poll(self) -> int | None:
        from backend.jobs.scheduler import is_worker_alive

        job = self.store.get(self.job_id)
        if job is None or job.is_final:
            self.returncode = 0
        elif job.pid and not is_worker_alive(job):
            self._gone_at = self._gone_at or time.time()
            if time.time() - self._gone_at > 2.0:  # the scheduler marks it within a second, when there is one
                self.returncode = -9
        else:
            self._gone_at = None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        self.store.request_cancel(self.job_id)

    def kill(self) -> None:
        self.store.request_cancel(self.job_id)  # a second request: killed at once


def _follow(store, job_id: str, proc, stops: int = 0) -> int:
    """Show the job's progress until its worker ends, and watch it as the scheduler would (backend.jobs.guard:
    a cancel from the page or `studio jobs cancel`, and memory), since no studio may be running. `stops`: the
    Ctrl-C presses already acted on (while the job waited in the queue)."""
    from tqdm import tqdm

    from backend.jobs.guard import Guard

    guard = Guard(store)

    bar = tqdm(total=0, unit="step", desc="loading", dynamic_ncols=True)

    def on_interrupt(signum, frame):
        nonlocal stops
        stops += 1
        if stops == 1:
            tqdm.write("stopping: saving a checkpoint (Ctrl-C again to kill)")
            proc.send_signal(signal.SIGTERM)
        elif isinstance(proc, _QueuedRun):
            proc.kill()
        else:  # the processes of a multi-process job too
            from backend.jobs.scheduler import signal_worker

            signal_worker(proc.pid, signal.SIGKILL)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        while proc.poll() is None:
            _update_bar(bar, store.read_progress(job_id), store.read_metrics(job_id))
            job = store.get(job_id)
            if job is not None:
                for line in guard.watch([job]):
                    tqdm.write(line)
            time.sleep(0.5)
        _update_bar(bar, store.read_progress(job_id), store.read_metrics(job_id))
    finally:
        signal.signal(signal.SIGINT, previous)
        bar.close()
    job = store.get(job_id)
    if job.state == "running":  # killed before it could record anything
        from backend.jobs.scheduler import interrupted_error
        from backend.messages import msg
        from backend.store import InvalidTransition

        how = msg("jobs.how_stopped") if isinstance(proc, _QueuedRun) else msg("jobs.how_exit", code=proc.returncode)
        try:
            store.mark_interrupted(job_id, interrupted_error(store, job_id, how))
        except InvalidTransition:
            pass  # it ended meanwhile
    return _result(store, job_id)


def _result(store, job_id: str) -> int:
    """Say how the job ended; the exit code: 0 succeeded, 130 cancelled, 1 otherwise."""
    job = store.get(job_id)
    if job is None:
        return _fail(f"job {job_id} was deleted.", 1)
    job_dir = store.job_dir(job_id)
    if job.state == "succeeded":
        print(f"succeeded: final loss {job.final_loss:.4f}" if job.final_loss is not None else "succeeded")
        if not (job_dir / "adapter").is_dir():  # a machine other than machine 0 of a multi-machine job
            print("this machine's processes are done; machine 0 (distributed.machine_rank 0) wrote the adapter")
            print(job_dir)
            return 0
        print(f"adapter: {job_dir / 'adapter'}")
        print(f"export:  studio export {job_id} --to adapter")
        print(job_dir)
        return 0
    err = job.error
    print(f"{job.state}: {err.message}" if err and err.message else job.state, file=sys.stderr)
    if err and err.hint:
        print(f"what to try: {err.hint}", file=sys.stderr)
    if job.state in ("cancelled", "interrupted"):
        from backend.training.checkpoints import resume_point

        point = resume_point(job_dir / "checkpoints")
        where = f"from its checkpoint at step {point[0]}" if point else "from step 0: no checkpoint was saved"
        print(f"resume:  studio jobs resume {job_id}   ({where})", file=sys.stderr)
    print(f"log: {job_dir / 'log.txt'}", file=sys.stderr)
    print(job_dir)
    return 130 if job.state == "cancelled" else 1


def _update_bar(bar, progress: dict, metrics: list[dict]) -> None:
    total = progress.get("total_steps") or 0
    if total and bar.total != total:
        bar.reset(total=total)  # restart the clock: loading time is not training speed
        bar.set_description("training")
    step = progress.get("step", 0)
    if step > bar.n:
        bar.update(step - bar.n)
    losses = [m["loss"] for m in metrics if m.get("loss") is not None]
    if losses:
        bar.set_postfix(loss=f"{losses[-1]:.4f}")
