"""A sweep's runs as rows (trial, the swept values, state, metric, best marked) and their loss curves.

    rows, best = sweep_rows(store, sweep_id)     # best: the trial number with the lowest metric, or None
    print(format_table(rows, params))            # `studio sweep --show`
"""

from __future__ import annotations

import math

from backend.sweep import study as st
from backend.sweep.controller import best_trial, metric_key, read_job_mark, series


def sweep_rows(store, sweep_id: str) -> tuple[list[dict], int | None, dict]:
    """Every trial of the sweep: {"trial", "params", "state", "metric", "job", "best", "reason"}; the best trial's
    number; the sweep's info ({"method", "metric", "key", "params", "state", "trials"})."""
    from optuna.trial import TrialState

    d = st.existing_sweep_dir(store.workspace, sweep_id)
    spec, sweep = st.read_sweep(d)
    study = st.open_study(d, sweep)
    best = best_trial(study)
    key = metric_key(spec, sweep.metric)
    rows = []
    for t in study.get_trials(deepcopy=False):
        job_id = t.user_attrs.get("job_id")
        job = store.get(job_id) if job_id else None
        state = job.state if job else "queued"
        reason = ""
        if t.state == TrialState.PRUNED:
            state = "stopped early"
            reason = read_job_mark(store.job_dir(job_id)).get("stopped_early", "") if job_id else ""
        value = t.value
        if value is None and job is not None:
            points = series(store.read_metrics(job_id), key)
            value = points[-1][1] if points else None
        rows.append({"trial": t.number, "params": dict(t.params), "state": state, "metric": value, "job": job_id or "",
                     "best": best is not None and t.number == best.number, "reason": reason})
    info = {"method": sweep.method, "metric": sweep.metric, "key": key, "params": list(sweep.parameters),
            "state": st.read_state(d).get("state", "?"), "trials": sweep.trials}
    return rows, (best.number if best else None), info


def curves(store, rows: list[dict], key: str) -> dict[int, list[tuple[int, float]]]:
    """Each trial's (step, value) of `key` (eval_loss or loss) from its job's metrics.jsonl."""
    return {r["trial"]: series(store.read_metrics(r["job"]), key) for r in rows if r["job"]}


def _value(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def format_table(rows: list[dict], params: list[str], metric: str) -> str:
    """A plain-text table: trial, each swept field, state, metric, job; the best run marked ★."""
    head = ["trial", *params, "state", metric, "job", ""]
    body = [[str(r["trial"]), *(_value(r["params"].get(p, "")) for p in params), r["state"],
             f"{r['metric']:.4f}" if isinstance(r["metric"], float) and math.isfinite(r["metric"]) else "-",
             r["job"], "★ best" if r["best"] else ""] for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines)
