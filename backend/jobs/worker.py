"""The training process: `python -m backend.jobs.worker JOB_DIR`.

Reads spec.yaml from the job directory, trains, saves the adapter into adapter/, and moves
the job to its final state in the store. stdout/stderr are the job's log (the scheduler points
them at log.txt). SIGTERM asks for a graceful stop: a checkpoint is saved and the job ends
`cancelled`. Every failure is recorded with a kind, a message and a hint.
"""

from __future__ import annotations

import time

STARTED_AT = time.time()  # this process's start, before its imports: start-up counts them

import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

from backend.messages import msg  # noqa: E402
from backend.store import JobError, JobStore  # noqa: E402
from backend.workspace import Workspace  # noqa: E402

log = logging.getLogger("studio.worker")
HEARTBEAT_S = 2.0


def ranks() -> tuple[int, int, int]:
    """(global rank, rank on this machine, processes in all) of this process, from the launcher's
    environment; (0, 0, 1) when it runs alone."""
    env = os.environ

    def number(name: str, default: int) -> int:
        value = env.get(name, "")
        return int(value) if value.isdigit() else default

    return number("RANK", 0), number("LOCAL_RANK", 0), number("WORLD_SIZE", 1)


def _setup_logging(rank: int = 0) -> None:
    """Log lines to stdout (log.txt); a process other than the main one of a multi-process job marks its
    lines `[rank N]` (every process writes to the same log)."""
    handler = logging.StreamHandler(sys.stdout)
    tag = f"[rank {rank}] " if rank else ""
    handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s {tag}%(message)s", "%H:%M:%S"))
    root = logging.getLogger("studio")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def run_job(job_dir: str | Path) -> int:
    """Train the job in `job_dir`; return 0 on success, 1 on failure, 3 when cancelled.

    In a multi-process job (started by `accelerate launch`: RANK, LOCAL_RANK, WORLD_SIZE set) every
    process runs this. The main process (rank 0) writes the job's files (metrics, progress, summary,
    plots, samples, adapter, exports); the first process of each machine keeps that machine's job
    record in the store (state, heartbeat), which on machine 0 is the main process. A process that
    fails records its own error (the first one recorded wins). A cancelled process returns 0 there:
    the launcher stops every process when one ends with another code."""
    job_dir = Path(job_dir).resolve()
    workspace = Workspace.at(job_dir.parent.parent)
    store = JobStore(workspace)
    job_id = job_dir.name
    rank, local_rank, world = ranks()
    keeper = local_rank == 0  # this machine's job record
    _setup_logging(rank if world > 1 else 0)

    job = store.get(job_id)
    if job is None:
        print(f"error: {job_dir} is not a job of the workspace {workspace.root}", file=sys.stderr)
        return 2
    if job.state == "queued" and keeper:
        store.mark_running(job_id, os.getpid())
    elif job.state not in ("queued", "running"):
        print(f"error: job {job_id} is {job.state}; only a queued or running job can be trained", file=sys.stderr)
        return 2
    refused = _version_refusal()
    if refused is not None:
        log.error("FAILED (%s): %s", refused.kind, refused.message)
        log.error("what to try: %s", refused.hint)
        if keeper:
            _record(store, job_id, refused)
        return 1

    from backend.training.errors import explain

    _first_for_the_oom_killer()
    stop = StopRequest()
    beating = _start_heartbeat(store, job_id) if keeper else threading.Event()

    def on_sigterm(signum, frame):
        # A second request stops now; one within a second of the first is the same request from a second
        # watcher (the studio and `studio jobs cancel`, say).
        if stop.requested and time.monotonic() - stop.at > 1.0:
            raise KeyboardInterrupt
        if not stop.requested:
            log.info("stop requested: saving a checkpoint, then stopping")
            stop.requested, stop.at = True, time.monotonic()

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        stopped_early = _train(store, job_id, job_dir, workspace, stop)
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the store
        if isinstance(exc, KeyboardInterrupt) or (stop.requested and world == 1):
            log.info("stopped before the end")
            if keeper:
                _record(store, job_id, None)
            return 3
        traceback.print_exc(file=sys.stdout)
        error = explain(exc)
        lost = world > 1 and _lost_contact(exc)
        if lost:
            first = (str(exc).strip().splitlines() or [""])[0]
            error = JobError("distributed", msg("jobs.lost_contact", world=world, type=type(exc).__name__, error=first),
                             msg("jobs.lost_contact_hint"))
        elif rank:  # a process other than the main one: say which
            error = JobError(error.kind, msg("jobs.process_of", rank=rank, world=world, error=error.message), error.hint)
        log.error("FAILED (%s): %s", error.kind, error.message)
        if error.hint:
            log.error("what to try: %s", error.hint)
        if lost and keeper:  # the cause is another process's: give it a moment to record its own error
            _wait_for_final(store, job_id, 5.0)
        if keeper or not lost:
            _record(store, job_id, error)
        return 1
    finally:
        beating.set()
        sys.stdout.flush()
    if stopped_early or (stop.requested and world == 1):
        if keeper:
            _record(store, job_id, None)
        return 3 if world == 1 else 0
    return 0


def _version_refusal() -> JobError | None:
    """The installed libraries against the ranges pyproject.toml declares (backend.versions), before any
    heavy import: one outside its range fails the job at once (kind `environment`, the package, version
    and range named, the pip command as the hint) instead of deep inside training with a TypeError."""
    from backend.versions import refusal

    return refusal("worker", training=True)


def _record(store: JobStore, job_id: str, error: JobError | None) -> None:
    """Mark the job failed (or cancelled, without an error) unless it has ended already: in a
    multi-process job the first process to record its end wins."""
    from backend.store import InvalidTransition

    try:
        store.mark_failed(job_id, error) if error else store.mark_cancelled(job_id)
    except InvalidTransition:
        pass


def _wait_for_final(store: JobStore, job_id: str, seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        job = store.get(job_id)
        if job is None or job.is_final:
            return
        time.sleep(0.2)


def _lost_contact(exc: BaseException) -> bool:
    """Whether the error is this process losing its peers (a collective that broke because another
    process died), not a cause of its own."""
    text = f"{type(exc).__name__}: {exc}".lower()
    return type(exc).__name__ == "DistBackendError" or any(
        words in text for words in ("connection closed by peer", "connection reset by peer", "broken pipe",
                                    "nccl communicator was aborted", "gloo", "socket timeout"))


def _start_heartbeat(store: JobStore, job_id: str) -> threading.Event:
    """Beat every HEARTBEAT_S from start to end (model download and data loading included), so
    the studio can tell a live worker from a stuck or frozen one. Returns the event that stops it."""
    done = threading.Event()

    def beat():
        while not done.is_set():
            try:
                store.heartbeat(job_id)
            except Exception:  # noqa: BLE001 - a busy database must not kill the run
                pass
            done.wait(HEARTBEAT_S)

    threading.Thread(target=beat, name="heartbeat", daemon=True).start()
    return done


class StopRequest:
    """Set by SIGTERM; read by the training callback at the next step."""

    requested = False
    at = 0.0  # time.monotonic() of the request


def _first_for_the_oom_killer() -> None:
    """Should the kernel run out of memory before the studio's guard acts (backend.jobs.guard), it takes
    this process rather than the studio: raise its oom_score_adj (allowed without privileges)."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("500")
    except OSError:
        pass


def _train(store: JobStore, job_id: str, job_dir: Path, workspace: Workspace, stop: StopRequest) -> bool:
    """Train; return True when stopped early on request. system.jsonl records the machine throughout,
    loading included (a slow start shows there as much as a slow step)."""
    from backend.training.sysmon import SystemSampler

    sampler = SystemSampler(job_dir).start()
    try:
        return _train_sampled(store, job_id, job_dir, workspace, stop)
    finally:
        sampler.stop()


def _train_sampled(store: JobStore, job_id: str, job_dir: Path, workspace: Workspace, stop: StopRequest) -> bool:
    from backend.data.load import load_data
    from backend.training import faults

    spec = store.load_spec(job_id)
    # The data is read and checked before the heavy imports: a broken file fails in a second.
    data = load_data(spec.data, workspace.root)
    faults.hit("data", job_dir)

    from backend.training.model import hide_unused_packages

    hide_unused_packages(spec)
    from backend.training.callback import JobReporter
    from backend.training.run import build_run

    reporter = JobReporter(job_dir, stop=stop, save_every_s=spec.training.save_minutes * 60)
    # Several processes share the tokenized-data cache: each writes its entry under a name of its own
    # and the first complete one is kept (backend.data.tokenized).
    run = build_run(spec, job_dir, workspace, reporter, data=data)
    return _run(store, job_id, job_dir, spec, run, reporter, stop, time.time() - STARTED_AT)


def _run(store: JobStore, job_id: str, job_dir: Path, spec, run, reporter, stop: StopRequest, startup_s: float) -> bool:
    """Train the built run and keep what it made; True when stopped early on request."""
    from backend.training.early_stop import find_early_stop

    rank, local_rank, world = ranks()
    main = rank == 0
    if world > 1 and spec.distributed.strategy in ("fsdp", "deepspeed_zero3"):
        from backend.training.samples import SampleWriter

        run.trainer.remove_callback(SampleWriter)  # generating on the main process alone needs whole weights
    log.info("ready to train after %.1f s: %s training rows, %s eval rows", startup_s, run.n_train, run.n_eval)
    checkpoint = _prepare_resume(job_dir, reporter, main)
    if stop.requested and world == 1:  # several processes agree on a stop at the first step instead
        return True
    result = run.trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    if world > 1:
        log.info("rank %s of %s: trained %s steps on %s batches", rank, world, result.global_step, reporter.batches)
    if reporter.stopped_early:
        return True
    adapter_dir = job_dir / "adapter"
    run.trainer.save_model(str(adapter_dir))  # every process: FSDP and ZeRO-3 gather the weights; the main one writes
    if main:
        run.tokenizer.save_pretrained(str(adapter_dir))
        _write_summary(job_dir, run, result, reporter, startup_s, world, find_early_stop(run.trainer))
        log.info("adapter saved to %s (final loss %s)", adapter_dir, reporter.last_loss)
        try:  # the curves as images for the folder and the model card; never fails a finished run
            from backend.export.plots import write_plots

            write_plots(job_dir)
        except Exception:  # noqa: BLE001
            log.exception("could not draw the plots")
    if local_rank == 0:
        store.mark_succeeded(job_id, reporter.last_loss)
    if main and "adapter" in spec.export.formats:
        from backend.export.adapter_zip import export_adapter_zip

        log.info("exported %s", export_adapter_zip(job_dir))
    return False


def _write_summary(job_dir: Path, run, result, reporter, startup_s: float, world: int, early) -> None:
    summary = {
        "final_loss": reporter.last_loss,
        "mean_train_loss": result.training_loss,
        "steps": result.global_step,
        "train_rows": run.n_train,
        "eval_rows": run.n_eval,
        "train_runtime_s": round(result.metrics.get("train_runtime", 0.0), 2),
        "startup_s": round(startup_s, 2),  # process start to trainer built
        "started_at": round(STARTED_AT, 3),  # the worker process, and its first training step below
        "train_started_at": round(reporter.train_started_at or 0.0, 3),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "peak_gpu_mb": _peak_gpu_mb(),
        "peak_gpu_reserved_mb": _peak_gpu_mb(reserved=True),
        "base_model": run.model_path,
        "world_size": world,
    }
    if early is not None and early.stopped:
        summary["early_stopped"] = early.summary()
    elif early is not None and early.kept_step is not None:  # ran to the end, but an earlier eval was best
        summary["kept_best_step"] = early.kept_step
    (job_dir / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


def _peak_gpu_mb(reserved: bool = False) -> float | None:
    """The most GPU memory torch held for tensors during the run, or with `reserved` the most its caching
    allocator held (tensors and the gaps between them: what the GPU must have, with the CUDA context on top);
    None without a GPU."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
        return None
    peak = torch.cuda.max_memory_reserved() if reserved else torch.cuda.max_memory_allocated()
    return round(peak / 2**20, 1)


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prepare_resume(job_dir: Path, reporter, main: bool = True) -> Path | None:
    """Pick the last complete checkpoint and cut the metrics back to it, so the curve continues
    (the main process; the others only pick the checkpoint)."""
    from backend.training.checkpoints import checkpoint_step, latest_checkpoint, truncate_metrics

    checkpoint = latest_checkpoint(job_dir / "checkpoints")
    if not main:
        return checkpoint
    if checkpoint is None:
        if (job_dir / "metrics.jsonl").stat().st_size if (job_dir / "metrics.jsonl").exists() else 0:
            log.info("no complete checkpoint to resume from: starting again from step 0")
            truncate_metrics(job_dir / "metrics.jsonl", 0)
        return None
    step = checkpoint_step(checkpoint)
    truncate_metrics(job_dir / "metrics.jsonl", step)
    rows = [json.loads(line) for line in (job_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    reporter.resumed_elapsed_s = rows[-1].get("elapsed_s", 0.0) if rows else 0.0
    log.info("resuming from %s (step %s): optimizer, scheduler, RNG and data position restored", checkpoint.name, step)
    return checkpoint


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    return run_job(argv[0])


if __name__ == "__main__":
    sys.exit(main())
