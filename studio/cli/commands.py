"""The `studio` command.

    studio                                   # the web studio on http://127.0.0.1:7860
    studio --host 0.0.0.0 --port 8080 --auth me:secret --lang zh
    studio train templates/demo.yaml [--set training.max_steps=20 ...] [--workspace DIR]
    studio export JOB_ID --to adapter [--out PATH]
    studio export JOB_ID --to merged [--dtype float32|bfloat16|float16] [--out DIR]
    studio export JOB_ID --to gguf [--quant f16|q8_0] [--out FILE]
    studio export JOB_ID --to hub --repo me/my-model [--merged] [--public] [--token hf_...]
    studio eval JOB_ID [--rows 20]          # base vs tuned on the eval prompts, with scores
    studio tensorboard [--port 6006]        # every job's metrics in TensorBoard
    studio fields                            # every spec field, its default and help
    studio data inspect PATH_OR_ID [--format F] [--json]   # format, counts, every skipped row
    studio jobs list|show|cancel|resume|delete|move ...
    studio serve-worker [--max-jobs N]       # run queued jobs without the web page

The workspace (jobs, uploads, models, studio.db) is ~/.finetune-studio unless
--workspace or $STUDIO_WORKSPACE says otherwise.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path


def _workspace(args):
    from backend.workspace import Workspace

    return Workspace.at(args.workspace) if args.workspace else Workspace.default()


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="studio", description="No-code fine-tuning studio.")
    ap.add_argument("--workspace", help="folder for jobs, uploads and models (default: $STUDIO_WORKSPACE or ~/.finetune-studio)")
    sub = ap.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="start the web studio (the default command)")
    for p in (ap, serve):
        p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
        p.add_argument("--port", type=int, default=int(os.environ.get("STUDIO_PORT", 7860)))
        p.add_argument("--auth", default=os.environ.get("STUDIO_AUTH"), help="user:password to require a login (or $STUDIO_AUTH)")
        p.add_argument("--lang", choices=("en", "zh"), default=None, help="interface language (default: from the system locale)")
        p.add_argument("--max-jobs", type=int, default=1, help="jobs trained at once (default 1: one at a time)")
        p.add_argument("--max-upload-mb", type=int, default=200, help="largest dataset upload accepted (default 200 MB)")
        p.add_argument("--data-root", action="append", default=[], metavar="FOLDER",
                       help="a folder whose datasets the Data step may read by path (repeatable; the workspace "
                            "and the project's data/ always)")

    train = sub.add_parser("train", help="run a job spec in the foreground")
    train.add_argument("spec", help="a job spec YAML file, e.g. templates/demo.yaml")
    train.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="override a spec field, e.g. --set training.max_steps=20 (repeatable)")
    train.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)

    export = sub.add_parser("export", help="export a finished job")
    export.add_argument("job", help="the job id (its directory's name) or its directory")
    export.add_argument("--to", choices=("adapter", "merged", "gguf", "hub"), default="adapter",
                        help="adapter: a zip of the adapter; merged: the adapter merged into the base model; "
                             "gguf: the merged model for llama.cpp (Llama and Qwen2 families); hub: push to the "
                             "Hugging Face Hub (--repo)")
    export.add_argument("--repo", help="hub: the repository, e.g. your-name/my-model")
    export.add_argument("--token", help="hub: a write token (default: $HF_TOKEN or the `hf auth login` one)")
    export.add_argument("--public", action="store_true", help="hub: a public repository (default: private)")
    export.add_argument("--merged", action="store_true", help="hub: push the merged model, not the adapter")
    export.add_argument("--quant", choices=("f16", "q8_0"), default="f16", help="gguf: the weights' format")
    export.add_argument("--dtype", choices=("float32", "bfloat16", "float16"), default="float32",
                        help="merged: the number format of the saved weights")
    export.add_argument("--out", help="where to write the file (default: the job's exports/ folder)")
    export.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)

    sub.add_parser("fields", help="list every job spec field with its default and help text")

    from studio.cli import jobs as jobs_cli

    jobs_cli.add_parser(sub)
    from studio.cli import data as data_cli

    data_cli.add_parser(sub)
    from studio.cli import evaluate as eval_cli

    eval_cli.add_parser(sub)
    board = sub.add_parser("tensorboard", help="serve every job's TensorBoard event files (on 127.0.0.1)")
    board.add_argument("--port", type=int, default=6006)
    board.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)
    worker = sub.add_parser("serve-worker", help="run queued jobs without the web page (e.g. on a GPU server)")
    worker.add_argument("--max-jobs", type=int, default=1, help="jobs run at once (default 1)")
    worker.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "sub_workspace", None):
        args.workspace = args.sub_workspace
    if args.command == "train":
        return cmd_train(args)
    if args.command == "tensorboard":
        return cmd_tensorboard(args)
    if args.command == "eval":
        from studio.cli import evaluate as eval_cli

        return eval_cli.run(args, _workspace(args))
    if args.command == "export":
        return cmd_export(args)
    if args.command == "fields":
        return cmd_fields()
    if args.command == "jobs":
        from backend.store import JobStore
        from studio.cli import jobs as jobs_cli

        return jobs_cli.run(args, JobStore(_workspace(args)))
    if args.command == "data":
        from studio.cli import data as data_cli

        return data_cli.run(args)
    if args.command == "serve-worker":
        return cmd_serve_worker(args)
    return cmd_serve(args)


def _versions_refused(where: str, training: bool = False) -> bool:
    """Print why the installed libraries do not fit pyproject.toml's ranges (backend.versions) and return
    True, so the command exits 2 before it starts; False when they fit (or STUDIO_SKIP_VERSION_CHECK=1,
    which prints the same as a warning). Reads metadata only: no library is imported."""
    from backend.versions import refusal

    error = refusal(where, training=training)
    if error is None:
        return False
    _fail(f"{error.message}\nwhat to try: {error.hint}")
    return True


def cmd_serve(args) -> int:
    if _versions_refused("studio"):
        return 2
    from studio.app import launch

    launch(_workspace(args), host=args.host, port=args.port, auth=args.auth, lang=args.lang,
           max_jobs=args.max_jobs, upload_limit_mb=args.max_upload_mb,
           data_roots=[Path(r).expanduser().resolve() for r in args.data_root])
    return 0


def cmd_serve_worker(args) -> int:
    if _versions_refused("studio serve-worker", training=True):
        return 2
    from backend.jobs.scheduler import Scheduler
    from backend.store import JobStore

    store = JobStore(_workspace(args))
    sched = Scheduler(store, max_running=args.max_jobs).start()
    print(f"running queued jobs of {store.workspace.root} ({args.max_jobs} at a time); Ctrl-C to stop "
          "(running jobs go on and are adopted by the next studio)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sched.stop()
    return 0


def _fail(message: str, code: int = 2) -> int:
    """Print `message` as the command's error. For the studio, which runs some commands in a process of their
    own (STUDIO_ERROR_REF=1), a Message also goes out as its id and values, so the page shows it in its
    language."""
    print(f"error: {message}", file=sys.stderr)
    if os.environ.get("STUDIO_ERROR_REF") == "1" and getattr(message, "id", None):
        import json

        print(f"error-ref: {json.dumps(message.to_json(), ensure_ascii=False)}", file=sys.stderr)
    return code


def cmd_train(args) -> int:
    if _versions_refused("studio train", training=True):
        return 2
    from backend.data.load import load_data
    from backend.data.read import DataError
    from backend.data.sources import source_names
    from backend.plan.presets import load_spec_text
    from backend.spec import DEMO, SpecError

    spec_path = Path(args.spec)
    if not spec_path.is_file():
        return _fail(f"{spec_path}: no such spec file.")
    try:
        spec = load_spec_text(spec_path.read_text(encoding="utf-8"), source=str(spec_path))
        if args.overrides:
            spec = spec.with_overrides(args.overrides)
    except SpecError as e:
        lines = "\n".join(f"  - {issue}" for issue in e.issues)
        return _fail(f"{spec_path} is not a valid job spec:\n{lines}")
    # Paths in a spec are relative to the current folder: store them absolute so the job
    # runs the same from anywhere (hub ids and registry entry names stay as they are).
    for attr in ("train", "eval"):
        parts = source_names(getattr(spec.data, attr))
        setattr(spec.data, attr, ",".join(
            str(Path(p).expanduser().resolve()) if p != DEMO and Path(p).expanduser().exists() else p for p in parts))
    if spec.data.dataset_dir:
        spec.data.dataset_dir = str(Path(spec.data.dataset_dir).expanduser().resolve())
    try:
        load_data(spec.data, None)
    except DataError as e:
        return _fail(f"data: {e}")
    if spec.model.name_or_path != DEMO:
        from backend.training.model import check_model_source

        problem = check_model_source(spec.model.name_or_path)
        if problem:
            return _fail(problem)
        if Path(spec.model.name_or_path).expanduser().exists():
            spec.model.name_or_path = str(Path(spec.model.name_or_path).expanduser().resolve())

    workspace = _workspace(args)
    from backend.jobs.scheduler import scheduler_running
    from backend.store import JobStore

    store = JobStore(workspace)
    if scheduler_running(workspace):  # a studio (or serve-worker) runs this workspace's queue: join it
        return _through_queue(store, spec)
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


def _through_queue(store, spec) -> int:
    """A studio (or `studio serve-worker`) runs this workspace's queue, one job at a time: the job is queued there
    and its scheduler starts it (in the studio's environment, forked by its warm worker when it has one), while
    this command says what it waits for and then follows it as it would its own. Ctrl-C takes it out of the
    queue, or stops it as the page's Cancel does (again: at once). Should the studio stop while the job waits,
    the job starts here."""
    from backend.jobs.scheduler import scheduler_running
    from backend.store import InvalidTransition

    job_id = store.create_job(spec)  # queued
    print(f"job {job_id}: {store.job_dir(job_id)}")
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
        print("started by the studio's scheduler", flush=True)
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
    print(f"{job.state}: {err.message if err else ''}", file=sys.stderr)
    if err and err.hint:
        print(f"what to try: {err.hint}", file=sys.stderr)
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


def cmd_fields() -> int:
    import dataclasses

    from backend.spec import SECTIONS, JobSpec

    defaults = JobSpec().to_dict()
    print(f"stage: {defaults['stage']!r}\n    Training stage.")
    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            choices = f.metadata.get("choices")
            extra = f" (one of: {', '.join(map(str, choices))})" if choices else ""
            print(f"{section}.{f.name}: {defaults[section][f.name]!r}{extra}\n    {f.metadata.get('help', '')}")
    return 0


def cmd_tensorboard(args) -> int:
    """TensorBoard over <workspace>/jobs: each job's tensorboard/ folder is a run named by its id."""
    import importlib.util
    import os

    if importlib.util.find_spec("tensorboard") is None:
        return _fail("tensorboard is not installed: pip install tensorboard.")
    jobs = _workspace(args).jobs_dir
    print(f"TensorBoard on http://127.0.0.1:{args.port} for {jobs}", flush=True)
    # Become TensorBoard (no child left behind when this process is stopped).
    os.execv(sys.executable, [sys.executable, "-m", "tensorboard.main", "--logdir", str(jobs),
                              "--host", "127.0.0.1", "--port", str(args.port)])
    return 0  # not reached


def cmd_export(args) -> int:
    from backend.export.adapter_zip import ExportError, export_adapter_zip
    from backend.messages import message_of, msg
    from backend.workspace import PathError

    workspace = _workspace(args)
    candidate = Path(args.job)
    try:
        job_dir = candidate.resolve() if candidate.is_dir() else workspace.job_dir(args.job)
    except PathError as e:
        return _fail(message_of(e))
    if not (job_dir / "spec.yaml").is_file():
        return _fail(msg("jobs.no_job", job=repr(args.job), folder=str(workspace.jobs_dir)))
    out_path = Path(args.out).expanduser() if args.out else None
    try:
        if args.to == "hub":
            from backend.export.hub_push import push_to_hub

            out = push_to_hub(job_dir, args.repo or "", token=args.token, private=not args.public,
                              merged=args.merged, workspace=workspace)
        elif args.to == "gguf":
            from backend.export.gguf_export import export_gguf

            out = export_gguf(job_dir, out_path, quant=args.quant, workspace=workspace)
        elif args.to == "merged":
            from backend.export.merged import export_merged

            out = export_merged(job_dir, out_path, dtype=args.dtype, workspace=workspace)
        else:
            out = export_adapter_zip(job_dir, out_path)
    except ExportError as e:
        return _fail(message_of(e))
    except (OSError, ValueError) as e:  # a base model that cannot be read, a config peft refuses
        return _fail(f"the export failed: {e}")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
