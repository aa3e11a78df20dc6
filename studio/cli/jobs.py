"""`studio jobs list|show|cancel|resume|delete|move`: the job store from the command line.

Works on the same workspace as the web studio; a running studio (or `studio serve-worker`)
picks up resumed jobs and acts on cancel requests.
"""

from __future__ import annotations

import json
import sys
import time


def add_parser(sub) -> None:
    jobs = sub.add_parser("jobs", help="list, inspect, cancel, resume or delete jobs")
    jobs.add_argument("--workspace", dest="sub_workspace", help="the workspace folder")
    actions = jobs.add_subparsers(dest="action")
    lst = actions.add_parser("list", help="all jobs, newest first")
    from backend.store import STATES

    lst.add_argument("--state", action="append", choices=STATES, help="only jobs in this state (repeatable)")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    for name, text in (("show", "a job's state, error, progress and last log lines"),
                       ("cancel", "cancel a queued job, or stop a running one (again: kill it)"),
                       ("resume", "queue a failed, cancelled or interrupted job again, from its last checkpoint"),
                       ("delete", "delete a job that is not running, with its files")):
        p = actions.add_parser(name, help=text)
        p.add_argument("job", help="the job id")
        if name == "show":
            p.add_argument("--json", action="store_true")
        if name == "delete":
            p.add_argument("--yes", action="store_true", help="do not ask first")
    move = actions.add_parser("move", help="move a queued job earlier (negative) or later in the queue")
    move.add_argument("job")
    move.add_argument("by", type=int)


def run(args, store) -> int:
    from backend.store import InvalidTransition

    action = args.action or "list"
    if action == "list":
        return _list(store, args)
    job = store.get(args.job) if _valid_id(store, args.job) else None
    if job is None:
        print(f"error: no job {args.job!r} in {store.workspace.jobs_dir}. `studio jobs list` shows them.",
              file=sys.stderr)
        return 2
    try:
        if action == "show":
            return _show(store, job, args.json)
        if action == "cancel":
            return _cancel(store, job.id)
        elif action == "resume":
            store.mark_resumed(job.id)
            print(f"{job.id}: queued again; it continues from its last checkpoint when a studio or "
                  "`studio serve-worker` runs on this workspace")
        elif action == "delete":
            if not args.yes and not _confirm(f"Delete job {job.id} and all its files?"):
                print("not deleted")
                return 1
            store.delete_job(job.id)
            print(f"{job.id}: deleted")
        elif action == "move":
            store.move_in_queue(job.id, args.by)
            print("queue: " + " ".join(j.id for j in store.queue()))
    except InvalidTransition as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def _cancel(store, job_id: str) -> int:
    """Cancel a queued job at once; stop a running one and wait for it to end, acting on it here as the
    scheduler would (SIGTERM, then SIGKILL after backend.jobs.guard.GRACE_S): no studio need be running, and
    a job started by `studio train` stops too."""
    from backend.jobs.guard import GRACE_S, Guard
    from backend.messages import msg

    state = store.request_cancel(job_id)
    if state != "running":
        print(f"{job_id}: {state}")
        return 0
    print(msg("jobs.cancel_waiting", seconds=round(GRACE_S + 4), job=job_id), flush=True)
    guard = Guard(store)
    deadline = time.monotonic() + GRACE_S + 4
    while time.monotonic() < deadline:
        job = store.get(job_id)
        if job is None or job.is_final:
            break
        for line in guard.watch([job]):
            print(line, flush=True)
        time.sleep(0.5)
    job = store.get(job_id)
    print(f"{job_id}: {job.state if job else 'gone'}")
    return 0 if job is None or job.is_final else 1


def _valid_id(store, job_id: str) -> bool:
    from backend.workspace import PathError

    try:
        store.job_dir(job_id)
    except PathError:
        return False
    return True


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        print(f"{question} Add --yes to confirm.", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t)) if t else "-"


def _list(store, args) -> int:
    states, as_json = getattr(args, "state", None), getattr(args, "json", False)  # `studio jobs` alone: list all
    jobs = store.list_jobs(tuple(states) if states else None)
    if as_json:
        print(json.dumps([{"id": j.id, "state": j.state, "stage": j.stage, "method": j.method, "model": j.model,
                           "dataset": j.dataset, "final_loss": j.final_loss, "created_at": j.created_at}
                          for j in jobs], indent=2))
        return 0
    if not jobs:
        print("no jobs yet")
        return 0
    print(f"{'JOB':24} {'STATE':12} {'METHOD':7} {'DATASET':24} {'LOSS':>8}  CREATED")
    for j in jobs:
        loss = f"{j.final_loss:.4f}" if j.final_loss is not None else "-"
        print(f"{j.id:24} {j.state:12} {j.method:7} {j.dataset[:24]:24} {loss:>8}  {_when(j.created_at)}")
    return 0


def _show(store, job, as_json: bool) -> int:
    progress = store.read_progress(job.id)
    metrics = store.read_metrics(job.id)
    if as_json:
        data = {k: v for k, v in job.__dict__.items() if not k.startswith("error_")}
        data["error"] = job.error.__dict__ if job.error else None
        data["progress"] = progress
        data["last_metrics"] = metrics[-1] if metrics else None
        print(json.dumps(data, indent=2))
        return 0
    print(f"job       {job.id}  ({store.job_dir(job.id)})")
    print(f"state     {job.state}" + (f" (resumed {job.resumes}x)" if job.resumes else ""))
    print(f"model     {job.model}   data {job.dataset}   method {job.method}   stage {job.stage}")
    print(f"created   {_when(job.created_at)}   started {_when(job.started_at)}   ended {_when(job.ended_at)}")
    if progress.get("total_steps"):
        print(f"progress  step {progress['step']}/{progress['total_steps']}, {progress.get('elapsed_s', 0):.0f} s")
    losses = [m["loss"] for m in metrics if m.get("loss") is not None]
    if losses:
        print(f"loss      first {losses[0]:.4f}  last {losses[-1]:.4f}  ({len(losses)} points)")
    if job.error:
        print(f"error     [{job.error.kind}] {job.error.message}")
        if job.error.hint:
            print(f"hint      {job.error.hint}")
    tail = [line for line in store.read_log_tail(job.id, 3000).splitlines() if line.strip()][-8:]
    if tail:
        print("log (last lines):")
        for line in tail:
            print(f"  {line[:200]}")
    return 0
