"""`studio sweep FILE.yaml [--set KEY=VALUE]`: a sweep over spec fields (the file's `sweep:` section), its runs
through the queue: a running studio's (or `studio serve-worker`'s) when one runs on the workspace, else a scheduler
started here. Prints each run as it ends and the final table; `studio sweep --show [SWEEP_ID]` prints a table
(without an id: the sweeps), `--plot FILE.png` saves the overlay plot of the runs' loss curves."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from studio.cli.common import _fail, _versions_refused, absolute_paths, data_refusal, spec_file_problem, spec_refusal


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="a sweep over spec fields through the queue")
    p.add_argument("spec", nargs="?", help="a job spec YAML with a sweep: section (method, parameters, ...)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a spec field of every run, e.g. --set training.max_steps=30 (repeatable)")
    p.add_argument("--show", nargs="?", const="", metavar="SWEEP_ID",
                   help="print a sweep's table (without an id: list the sweeps)")
    p.add_argument("--stop", metavar="SWEEP_ID", help="queue no more runs of a sweep and cancel its unfinished ones")
    p.add_argument("--plot", metavar="FILE.png", help="also save the overlay plot of the runs' loss curves")
    p.add_argument("--cluster", default=None, metavar="ADDRESS",
                   help="run the runs on this Ray cluster (HOST:PORT, or auto: the one running here; off: none); "
                        "default: $STUDIO_CLUSTER, else the workspace's settings.json")
    p.add_argument("--workspace", dest="sub_workspace", help=argparse.SUPPRESS)


def run(args, workspace) -> int:
    from backend.messages import message_of
    from backend.store import JobStore
    from backend.sweep.spec import SweepError

    store = JobStore(workspace)
    try:
        if args.stop:
            from backend.sweep.create import stop_sweep

            before = stop_sweep(store, args.stop)
            print(f"sweep {args.stop} stopped" if before == "running" else f"sweep {args.stop} had ended ({before})")
            return 0
        if args.show is not None:
            return _show(store, args.show, args.plot)
        if not args.spec:
            return _fail("give a spec file with a sweep: section (studio sweep FILE.yaml), or --show.")
        if _versions_refused("studio sweep", training=True):
            return 2
        return _start(store, Path(args.spec), args.overrides, args.plot, getattr(args, "cluster", None))
    except SweepError as e:
        return _fail(message_of(e))


def load_sweep_file(path: Path, overrides: list[str]):
    """(job spec, sweep section) of a file, as `studio train` reads a spec; raises SpecError / SweepError."""
    import yaml

    from backend.messages import msg
    from backend.plan.presets import load_spec_text
    from backend.sweep.spec import SweepError, split_sweep

    raw, section = split_sweep(path.read_text(encoding="utf-8"))
    if section is None:
        raise SweepError([msg("sweep.no_section", file=str(path))], section=False)
    spec = load_spec_text(yaml.safe_dump(raw, sort_keys=False), source=str(path))
    if overrides:
        spec = spec.with_overrides(overrides)
    return absolute_paths(spec), section


def _start(store, path: Path, overrides: list[str], plot: str | None, cluster_arg: str | None = None) -> int:
    from backend.jobs.scheduler import Scheduler, scheduler_running
    from backend.spec import SpecError
    from backend.sweep import study as st
    from backend.sweep.create import create_sweep

    if problem := spec_file_problem(path):
        return _fail(problem)
    try:
        spec, section = load_sweep_file(path, overrides)
    except SpecError as e:
        return _fail(spec_refusal(path, e.issues, overrides))
    if problem := data_refusal(spec):
        return _fail(problem)
    cluster = None
    if not scheduler_running(store.workspace):  # this command runs the queue: on the cluster when one is named
        from backend.cluster.connect import ClusterError, connect_for

        try:
            cluster = connect_for(cluster_arg, store.workspace)
        except ClusterError as e:
            return _fail(str(e))
    sweep_id = create_sweep(store, spec, section)
    _, sweep = st.read_sweep(st.sweep_dir(store.workspace, sweep_id))
    print(f"sweep {sweep_id}: {sweep.method}, {sweep.trials} runs, {sweep.parallel} at a time "
          f"({st.sweep_dir(store.workspace, sweep_id)})", flush=True)
    sched = None
    if scheduler_running(store.workspace):
        print("a studio (or `studio serve-worker`) is running on this workspace: the runs join its queue", flush=True)
        if cluster_arg not in (None, "off"):
            print(f"--cluster {cluster_arg} is not used: the studio runs them where its own jobs run", file=sys.stderr)
    else:
        if cluster is not None:
            print(f"the runs go to the Ray cluster at {cluster.address}", flush=True)
        sched = Scheduler(store, max_running=sweep.parallel, cluster=cluster).start()
    try:
        return _follow(store, sweep_id, plot)
    except KeyboardInterrupt:
        from backend.sweep.create import stop_sweep

        stop_sweep(store, sweep_id)
        print(f"\nsweep {sweep_id} stopped: its unfinished runs are cancelled", file=sys.stderr)
        return 130
    finally:
        if sched is not None:
            if any(not j.is_final for j in store.list_jobs(("running",))):
                time.sleep(1.0)  # let the guard send the cancel before the scheduler goes
            sched.stop()


def _follow(store, sweep_id: str, plot: str | None) -> int:
    from backend.sweep import study as st
    from backend.sweep.table import sweep_rows

    said: dict[int, str] = {}
    while True:
        rows, best, info = sweep_rows(store, sweep_id)
        for r in rows:
            if not r["job"]:
                continue  # asked for, its job being queued
            line = f"{r['state']}" + (f" {r['metric']:.4f}" if isinstance(r["metric"], float) and
                                       r["state"] not in ("queued", "running") else "")
            if said.get(r["trial"]) != line:
                said[r["trial"]] = line
                values = ", ".join(f"{k}={v}" for k, v in r["params"].items())
                print(f"trial {r['trial']} ({values}) job {r['job'] or '-'}: {line}"
                      + (f" - {r['reason']}" if r["reason"] else ""), flush=True)
        if st.read_state(st.sweep_dir(store.workspace, sweep_id)).get("state") != "running":
            break
        time.sleep(1.0)
    return _show(store, sweep_id, plot)


def _show(store, sweep_id: str, plot: str | None) -> int:
    from backend.sweep import study as st
    from backend.sweep.table import curves, format_table, sweep_rows

    if not sweep_id:
        for sid in st.list_sweeps(store.workspace):
            state = st.read_state(st.sweep_dir(store.workspace, sid)).get("state", "?")
            print(f"{sid}  {state}")
        return 0
    rows, best, info = sweep_rows(store, sweep_id)
    print(f"sweep {sweep_id}: {info['method']}, {info['state']}, metric {info['key']} (lower is better)")
    print(format_table(rows, info["params"], info["key"]))
    for r in rows:
        if r["reason"]:
            print(f"trial {r['trial']}: {r['reason']}")
    if best is not None:
        job = next(r["job"] for r in rows if r["trial"] == best)
        print(f"best: trial {best} (job {job}); its spec: {store.job_dir(job) / 'spec.yaml'}")
    if plot:
        from studio.views.sweep_plot import sweep_figure

        fig = sweep_figure(curves(store, rows, info["key"]), rows, best, y_label=info["key"].replace("_", " "))
        Path(plot).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(plot)
        print(f"plot: {plot}")
    return 0
