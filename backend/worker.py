"""The training process: `python -m backend.worker JOB_DIR`.

Reads spec.yaml from the job directory, trains, saves the adapter into adapter/, and moves
the job to its final state in the store. stdout/stderr are the job's log (the scheduler points
them at log.txt). SIGTERM asks for a graceful stop: a checkpoint is saved and the job ends
`cancelled`. Every failure is recorded with a kind, a message and a hint.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from backend.store import JobStore
from backend.workspace import Workspace

log = logging.getLogger("studio.worker")
HEARTBEAT_S = 2.0


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    root = logging.getLogger("studio")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def run_job(job_dir: str | Path) -> int:
    """Train the job in `job_dir`; return 0 on success, 1 on failure, 3 when cancelled."""
    job_dir = Path(job_dir).resolve()
    workspace = Workspace.at(job_dir.parent.parent)
    store = JobStore(workspace)
    job_id = job_dir.name
    _setup_logging()

    job = store.get(job_id)
    if job is None:
        print(f"error: {job_dir} is not a job of the workspace {workspace.root}", file=sys.stderr)
        return 2
    if job.state == "queued":
        store.mark_running(job_id, os.getpid())
    elif job.state != "running":
        print(f"error: job {job_id} is {job.state}; only a queued or running job can be trained", file=sys.stderr)
        return 2

    from backend.training.errors import explain

    stop = StopRequest()
    beating = _start_heartbeat(store, job_id)

    def on_sigterm(signum, frame):
        if stop.requested:  # a second request: stop now
            raise KeyboardInterrupt
        log.info("stop requested: saving a checkpoint, then stopping")
        stop.requested = True

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        stopped_early = _train(store, job_id, job_dir, workspace, stop)
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the store
        if stop.requested or isinstance(exc, KeyboardInterrupt):
            log.info("stopped before the end")
            store.mark_cancelled(job_id)
            return 3
        traceback.print_exc(file=sys.stdout)
        error = explain(exc)
        log.error("FAILED (%s): %s", error.kind, error.message)
        if error.hint:
            log.error("what to try: %s", error.hint)
        store.mark_failed(job_id, error)
        return 1
    finally:
        beating.set()
        sys.stdout.flush()
    if stopped_early or stop.requested:
        store.mark_cancelled(job_id)
        return 3
    return 0


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

    spec = store.load_spec(job_id)
    t0 = time.time()
    # The data is read and checked before the heavy imports: a broken file fails in a second.
    data = load_data(spec.data, workspace.root)

    from backend.training.callback import JobReporter
    from backend.training.early_stop import find_early_stop
    from backend.training.run import build_run

    reporter = JobReporter(job_dir, stop=stop, save_every_s=spec.training.save_minutes * 60)
    run = build_run(spec, job_dir, workspace, reporter, data=data)
    startup_s = time.time() - t0
    log.info("ready to train after %.1f s: %s training rows, %s eval rows", startup_s, run.n_train, run.n_eval)
    checkpoint = _prepare_resume(job_dir, reporter)
    if stop.requested:
        return True
    result = run.trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    if reporter.stopped_early:
        return True
    adapter_dir = job_dir / "adapter"
    run.trainer.save_model(str(adapter_dir))
    run.tokenizer.save_pretrained(str(adapter_dir))
    summary = {
        "final_loss": reporter.last_loss,
        "mean_train_loss": result.training_loss,
        "steps": result.global_step,
        "train_rows": run.n_train,
        "eval_rows": run.n_eval,
        "train_runtime_s": round(result.metrics.get("train_runtime", 0.0), 2),
        "startup_s": round(startup_s, 2),
        "base_model": run.model_path,
    }
    early = find_early_stop(run.trainer)
    if early is not None and early.stopped:
        summary["early_stopped"] = early.summary()
    elif early is not None and early.kept_step is not None:  # ran to the end, but an earlier eval was best
        summary["kept_best_step"] = early.kept_step
    (job_dir / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    log.info("adapter saved to %s (final loss %s)", adapter_dir, reporter.last_loss)
    try:  # the curves as images for the folder and the model card; never fails a finished run
        from backend.export.plots import write_plots

        write_plots(job_dir)
    except Exception:  # noqa: BLE001
        log.exception("could not draw the plots")
    store.mark_succeeded(job_id, reporter.last_loss)
    if "adapter" in spec.export.formats:
        from backend.export.adapter_zip import export_adapter_zip

        log.info("exported %s", export_adapter_zip(job_dir))
    return False


def _prepare_resume(job_dir: Path, reporter) -> Path | None:
    """Pick the last complete checkpoint and cut the metrics back to it, so the curve continues."""
    from backend.training.checkpoints import checkpoint_step, latest_checkpoint, truncate_metrics

    checkpoint = latest_checkpoint(job_dir / "checkpoints")
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
