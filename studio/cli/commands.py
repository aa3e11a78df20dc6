"""The `studio` command.

    studio                                   # the web studio on http://127.0.0.1:7860
    studio --host 0.0.0.0 --port 8080 --auth me:secret --lang zh
    studio train templates/demo.yaml [--set training.max_steps=20 ...] [--workspace DIR]
    studio export JOB_ID --to adapter [--out PATH]
    studio export JOB_ID --to merged [--dtype float32|bfloat16|float16] [--out DIR] [--no-parity]
    studio export JOB_ID --to gguf [--quant f16|bf16|q8_0|q4_k_m|q5_k_m|q6_k] [--out FILE] [--no-parity]
    studio export JOB_ID --to hub --repo me/my-model [--merged] [--public] [--token hf_...]
    studio export-launch JOB_ID --to slurm|skypilot [--gpus N] [--nodes N] [--out FILE]   # a cluster launch file
    studio eval JOB_ID [--rows 20]          # base vs tuned on the eval prompts, with scores
    studio serve-model JOB_ID [--gguf FILE] [--port 8000]   # an OpenAI-compatible API (studio/cli/serve_model.py)
    studio tensorboard [--port 6006]        # every job's metrics in TensorBoard
    studio fields                            # every spec field, its default and help
    studio data inspect PATH_OR_ID [--format F] [--json]   # format, counts, every skipped row
    studio jobs list|show|cancel|resume|delete|move ...
    studio serve-worker [--max-jobs N]       # run queued jobs without the web page
    studio --cluster HOST:6379|auto          # the page, its jobs run on a Ray cluster (backend/cluster/)
    studio train SPEC --cluster HOST:6379    # headless, through the cluster (also serve-worker --cluster)

The workspace (jobs, uploads, models, studio.db) is ~/.finetune-studio unless
--workspace or $STUDIO_WORKSPACE says otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from studio.cli.common import _fail, _job_dir, _versions_refused, _workspace, at_least_one, port_number
from studio.cli.train import cmd_train


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="studio", description="No-code fine-tuning studio.")
    ap.add_argument("--workspace", help="folder for jobs, uploads and models (default: $STUDIO_WORKSPACE or ~/.finetune-studio)")
    sub = ap.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="start the web studio (the default command)")
    for p in (ap, serve):
        p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
        p.add_argument("--port", type=port_number, default=int(os.environ.get("STUDIO_PORT", 7860)))
        p.add_argument("--auth", default=os.environ.get("STUDIO_AUTH"), help="user:password to require a login (or $STUDIO_AUTH)")
        p.add_argument("--lang", choices=("en", "zh"), default=None, help="interface language (default: from the system locale)")
        p.add_argument("--max-jobs", type=at_least_one, default=1, help="jobs trained at once (default 1: one at a time)")
        p.add_argument("--cluster", default=None, metavar="ADDRESS", help="run jobs on this Ray cluster (HOST:PORT, or auto: the one running here; off: "
                            "none); default: $STUDIO_CLUSTER, else the workspace's settings.json")
        p.add_argument("--max-upload-mb", type=at_least_one, default=200, help="largest dataset upload accepted (default 200 MB)")
        p.add_argument("--data-root", action="append", default=[], metavar="FOLDER",
                       help="a folder whose datasets the Data step may read by path (repeatable; the workspace "
                            "and the project's data/ always)")

    train = sub.add_parser("train", help="run a job spec in the foreground")
    train.add_argument("spec", help="a job spec YAML file, e.g. templates/demo.yaml")
    train.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="override a spec field, e.g. --set training.max_steps=20 (repeatable)")
    train.add_argument("--no-queue", action="store_true",
                       help="train here even when a studio runs this workspace's queue (launch files on a cluster)")
    train.add_argument("--cluster", default=None, metavar="ADDRESS", help="run jobs on this Ray cluster (HOST:PORT, or auto: the one running here; off: "
                            "none); default: $STUDIO_CLUSTER, else the workspace's settings.json")
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
    export.add_argument("--quant", choices=("f16", "bf16", "q8_0", "q4_k_m", "q5_k_m", "q6_k"), default="f16",
                        help="gguf: the weights' format (k-quants by llama.cpp's quantizer: needs llama-cpp-python)")
    export.add_argument("--no-parity", action="store_true",
                        help="merged/gguf: skip the parity check against base + adapter that runs after the export")
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
    from studio.cli import bench as bench_cli
    from studio.cli import serve_model as serve_model_cli

    bench_cli.add_parser(sub)
    serve_model_cli.add_parser(sub)
    from studio.cli import launch_files as launch_cli
    from studio.cli import sweep as sweep_cli

    launch_cli.add_parser(sub)
    sweep_cli.add_parser(sub)
    board = sub.add_parser("tensorboard", help="serve every job's TensorBoard event files (on 127.0.0.1)")
    board.add_argument("--port", type=port_number, default=6006)
    board.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)
    worker = sub.add_parser("serve-worker", help="run queued jobs without the web page (e.g. on a GPU server)")
    worker.add_argument("--max-jobs", type=at_least_one, default=1, help="jobs run at once (default 1)")
    worker.add_argument("--cluster", default=None, metavar="ADDRESS", help="run jobs on this Ray cluster (HOST:PORT, or auto: the one running here; off: "
                            "none); default: $STUDIO_CLUSTER, else the workspace's settings.json")
    worker.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "sub_workspace", None):
        args.workspace = args.sub_workspace
    try:
        return _run(args)
    except BrokenPipeError:  # `studio jobs list | head`: the reader stopped reading; end quietly, no traceback
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's final flush fails no more
        except (OSError, ValueError, AttributeError):
            pass
        return 1


def _run(args) -> int:
    if args.command == "train":
        return cmd_train(args)
    if args.command == "tensorboard":
        return cmd_tensorboard(args)
    if args.command == "eval":
        from studio.cli import evaluate as eval_cli

        return eval_cli.run(args, _workspace(args))
    if args.command == "export":
        return cmd_export(args)
    if args.command == "bench":
        from studio.cli import bench as bench_cli

        return bench_cli.run(args, _workspace(args))
    if args.command == "export-launch":
        from studio.cli import launch_files as launch_cli

        return launch_cli.run(args, _workspace(args))
    if args.command == "sweep":
        from studio.cli import sweep as sweep_cli

        return sweep_cli.run(args, _workspace(args))
    if args.command == "serve-model":
        from studio.cli import serve_model as serve_model_cli

        return serve_model_cli.run(args, _workspace(args))
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


def cmd_serve(args) -> int:
    if _versions_refused("studio"):
        return 2
    from backend.cluster.connect import ClusterError, connect_for
    from studio.app import launch

    try:
        cluster = connect_for(args.cluster, _workspace(args))
    except ClusterError as e:
        return _fail(str(e))
    launch(_workspace(args), host=args.host, port=args.port, auth=args.auth, lang=args.lang,
           max_jobs=args.max_jobs, upload_limit_mb=args.max_upload_mb,
           data_roots=[Path(r).expanduser().resolve() for r in args.data_root], cluster=cluster)
    return 0


def cmd_serve_worker(args) -> int:
    if _versions_refused("studio serve-worker", training=True):
        return 2
    from backend.cluster.connect import ClusterError, connect_for
    from backend.jobs.scheduler import Scheduler
    from backend.store import JobStore

    store = JobStore(_workspace(args))
    try:
        cluster = connect_for(args.cluster, store.workspace)
    except ClusterError as e:
        return _fail(str(e))
    sched = Scheduler(store, max_running=args.max_jobs, cluster=cluster).start()
    if cluster:
        print(f"jobs run on the Ray cluster at {cluster.address}")
    print(f"running queued jobs of {store.workspace.root} ({args.max_jobs} at a time); Ctrl-C to stop "
          "(running jobs go on and are adopted by the next studio)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sched.stop()
    return 0


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
    from backend.messages import message_of

    workspace = _workspace(args)
    job_dir, problem = _job_dir(args.job, workspace)
    if problem:
        return _fail(problem)
    out_path = Path(args.out).expanduser() if args.out else None
    if args.to == "hub" and not (args.repo or "").strip():
        return _fail("--to hub needs --repo, the repository to push to, e.g. --repo your-name/my-model.")
    try:
        if args.to == "hub":
            from backend.export.hub_push import push_to_hub

            out = push_to_hub(job_dir, args.repo or "", token=args.token, private=not args.public,
                              merged=args.merged, workspace=workspace)
        elif args.to == "gguf":
            from backend.export.gguf_export import build_gguf

            made = build_gguf(job_dir, out_path, quant=args.quant, workspace=workspace)
            out = made.path
            if made.note:
                print(made.note, file=sys.stderr)
            if not args.no_parity:
                from studio.cli.export_parity import run_parity

                run_parity(job_dir, out, "gguf", workspace, made)
        elif args.to == "merged":
            from backend.export.merged import export_merged

            out = export_merged(job_dir, out_path, dtype=args.dtype, workspace=workspace)
            if not args.no_parity:
                from studio.cli.export_parity import run_parity

                run_parity(job_dir, out, "merged", workspace)
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
