"""A job's saved benchmark scores (<job>/eval/benchmarks.json, backend/bench/results.py) as the studio shows
them: the Benchmarks panel's table, the rows under the evaluation scores, the Runs comparison's table and the
Runs table's columns. Reads files only: nothing here imports lm-eval or torch.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from backend.bench import results


def frame(t, data: dict) -> pd.DataFrame:
    """The base-vs-tuned table (task, version, metric, base, tuned, delta, n), headers in the page's language."""
    rows = [(r["task"], r["version"] or "-", r["metric"], results.fmt(r["base"]), results.fmt(r["tuned"]),
             results.fmt(r["delta"], signed=True), "" if r["n"] is None else str(r["n"]))
            for r in results.table_rows(data)]
    return pd.DataFrame(rows, columns=t["bench.columns"].split("|"))


def meta(t, data: dict) -> str:
    """One line per task: lm-eval's version, chat template or raw prompts, the limit, when."""
    lines = []
    for entry in (data.get("tasks") or {}).values():
        limit = t["bench.meta.limit"].format(limit=entry["limit"]) if entry.get("limit") else ""
        template = t["bench.meta.template"] if entry.get("chat_template") else t["bench.meta.raw"]
        lines.append(t["bench.meta"].format(task=entry["task"], lm_eval=entry.get("lm_eval_version"),
                                            template=template, limit=limit, date=entry.get("date")))
    return "  \n".join(lines)


def markdown(t, data: dict) -> str:
    """The heading, the table and its notes as Markdown; "" when the job has no scores."""
    table = frame(t, data)
    if table.empty:
        return ""
    head = "| " + " | ".join(table.columns) + " |"
    align = "| " + " | ".join(["---"] * 3 + ["---:"] * 4) + " |"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([t["bench.heading"], "", head, align, *body, "", meta(t, data)])


def compare_markdown(t, job_dirs: dict[str, Path]) -> str:
    """The picked runs' scores, one row per job, task and metric; "" when none has any."""
    body = []
    for job_id, job_dir in job_dirs.items():
        for r in results.table_rows(results.load(job_dir)):
            body.append(f"| {job_id} | {r['task']} | {r['version'] or '-'} | {r['metric']} | {results.fmt(r['base'])} | "
                        f"{results.fmt(r['tuned'])} | {results.fmt(r['delta'], signed=True)} |")
    if not body:
        return ""
    columns = t["bench.compare_columns"].split("|")
    return "\n".join([t["bench.compare_heading"], "", "| " + " | ".join(columns) + " |",
                      "| " + " | ".join(["---"] * 4 + ["---:"] * 3) + " |", *body])


def run_columns(t, job_dirs: dict[str, Path]) -> tuple[list[str], dict[str, list[str]]]:
    """Columns for the Runs table: each benchmarked task's first metric, the fine-tuned score (the change from
    the base beside it). (labels, {job id: cells}); no columns when no listed job has scores."""
    scores: dict[str, dict[tuple[str, str], str]] = {}
    keys: list[tuple[str, str]] = []
    for job_id, job_dir in job_dirs.items():
        for entry in (results.load(job_dir).get("tasks") or {}).values():
            first = next((r for r in entry.get("rows", []) if r["task"] == entry["task"]), None)
            if first is None or first.get("tuned") is None:
                continue
            key = (entry["task"], first["metric"])
            if key not in keys:
                keys.append(key)
            delta = "" if first.get("base") is None else f" ({first['tuned'] - first['base']:+.3f})"
            scores.setdefault(job_id, {})[key] = f"{first['tuned']:.3f}{delta}"
    labels = [t["bench.run_column"].format(task=task, metric=metric) for task, metric in keys]
    return labels, {job_id: [scores.get(job_id, {}).get(k, "") for k in keys] for job_id in job_dirs}


def job_markdown(t, job_dir: Path) -> str:
    """The job's benchmark table to put under other scores (the evaluation's): "" when it has none."""
    text = markdown(t, results.load(job_dir))
    return "\n\n" + text if text else ""


def saved_at(job_dir: Path) -> int:
    """When the job's scores were last written (ns), 0 when it has none: tells a view to redraw."""
    try:
        return (Path(job_dir) / "eval" / results.FILE).stat().st_mtime_ns
    except OSError:
        return 0
