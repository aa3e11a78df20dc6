"""A job's benchmark scores: what lm-eval returned for base and tuned, made into rows; kept in
<job>/eval/benchmarks.json (one entry per task, a new run of a task replacing its old entry, other tasks kept),
and each item's answers in <job>/eval/benchmark_items/<task>.jsonl.

    entry = task_entry("studio_mini", base_out, tuned_out, chat_template=True, limit=None)
    save(job_dir, [entry])               # merged into benchmarks.json
    load(job_dir)                        # {"lm_eval_version": ..., "tasks": {task: entry}}; {} when none
    table_rows(load(job_dir))            # [{"task", "version", "metric", "base", "tuned", "delta", "n"}, ...]
    text_table(rows)                     # the table `studio bench` prints

An entry's rows: the task itself, then its parts when it is a group of a few (studio_mini: _en and _zh; mmlu: its
four categories), each with every metric lm-eval reports (acc, acc_norm; exact_match per answer filter).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

FILE = "benchmarks.json"
ITEMS_DIR = "benchmark_items"
MAX_PARTS = 6  # a group's parts shown as rows of their own up to this many (ceval's 52 subjects are not)


def _metrics(result: dict) -> dict[str, tuple[float | None, float | None]]:
    """{"acc": (value, stderr), "exact_match (flexible-extract)": ...} of one lm-eval result."""
    out = {}
    for key, value in result.items():
        if "," not in key or "_stderr," in key or not isinstance(value, (int, float)):
            continue
        metric, filt = key.split(",", 1)
        stderr = result.get(f"{metric}_stderr,{filt}")
        name = metric if filt == "none" else f"{metric} ({filt})"
        out[name] = (float(value), float(stderr) if isinstance(stderr, (int, float)) else None)
    return out


def _n(out: dict, name: str) -> int | None:
    result = out["results"].get(name, {})
    if isinstance(result.get("sample_len"), int):
        return result["sample_len"]
    n = out.get("n-samples", {}).get(name)
    return int(n["effective"]) if n else None


def _shown(task: str, out: dict) -> list[str]:
    results = out["results"]
    if task not in results:  # a tag: the tasks it stands for
        return sorted(results)
    parts = [p for p in out.get("group_subtasks", {}).get(task, []) if p in results]
    return [task, *parts] if len(parts) <= MAX_PARTS else [task]


def task_entry(task: str, base_out: dict, tuned_out: dict, chat_template: bool, limit: int | None) -> dict:
    """One task's entry of benchmarks.json from lm-eval's two result dicts (simple_evaluate's)."""
    rows = []
    for name in _shown(task, tuned_out):
        base, tuned = _metrics(base_out["results"].get(name, {})), _metrics(tuned_out["results"].get(name, {}))
        version = tuned_out.get("versions", {}).get(name)
        for metric, (value, stderr) in tuned.items():
            b, b_err = base.get(metric, (None, None))
            rows.append({"task": name, "version": None if version is None else str(version), "metric": metric,
                         "base": b, "base_stderr": b_err, "tuned": value, "tuned_stderr": stderr,
                         "n": _n(tuned_out, name)})
    version = tuned_out.get("versions", {}).get(task)
    return {
        "task": task, "version": None if version is None else str(version),
        "lm_eval_version": tuned_out.get("lm_eval_version"), "chat_template": chat_template, "limit": limit,
        "num_fewshot": tuned_out.get("n-shot", {}).get(task), "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "rows": rows,
    }


def item_rows(base_out: dict, tuned_out: dict) -> list[dict]:
    """Each item's answers, base beside tuned: a multiple-choice item's log-likelihood of every choice, a
    generated answer's text; and whether each got it right (the task's first metric)."""
    rows = []
    for name, samples in tuned_out.get("samples", {}).items():
        base_by_id = {s["doc_id"]: s for s in base_out.get("samples", {}).get(name, [])}
        for s in samples:
            b = base_by_id.get(s["doc_id"], {})
            metric = (s.get("metrics") or [None])[0]
            rows.append({"task": name, "doc_id": s["doc_id"], "target": s.get("target"),
                         "base": _answer(b.get("filtered_resps")), "tuned": _answer(s.get("filtered_resps")),
                         "metric": metric, "base_score": b.get(metric), "tuned_score": s.get(metric)})
    return rows


def _answer(resps):
    if not resps:
        return None
    if all(isinstance(r, (list, tuple)) and r and isinstance(r[0], (int, float)) for r in resps):
        return [round(float(r[0]), 6) for r in resps]  # (log-likelihood, is greedy) per choice
    first = resps[0]
    return first if isinstance(first, str) else str(first)


def load(job_dir: Path) -> dict:
    path = Path(job_dir) / "eval" / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("tasks"), dict) else {}


def save(job_dir: Path, entries: list[dict], items: dict[str, list[dict]] | None = None) -> Path:
    """Merge `entries` into the job's benchmarks.json (keyed by task) and write each task's items."""
    out = Path(job_dir) / "eval"
    out.mkdir(parents=True, exist_ok=True)
    data = load(job_dir) or {"tasks": {}}
    for entry in entries:
        data["tasks"][entry["task"]] = entry
        data["lm_eval_version"] = entry.get("lm_eval_version")
    path = out / FILE
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    for task, rows in (items or {}).items():
        (out / ITEMS_DIR).mkdir(exist_ok=True)
        (out / ITEMS_DIR / f"{task}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def table_rows(data: dict, tasks: list[str] | None = None) -> list[dict]:
    """The rows of the base-vs-tuned table, of every task in `data` (or of `tasks`), delta = tuned - base."""
    rows = []
    for task, entry in (data.get("tasks") or {}).items():
        if tasks is not None and task not in tasks:
            continue
        for r in entry.get("rows", []):
            delta = None if r.get("base") is None or r.get("tuned") is None else r["tuned"] - r["base"]
            rows.append({"task": r["task"], "version": r.get("version"), "metric": r["metric"], "base": r.get("base"),
                         "tuned": r.get("tuned"), "delta": delta, "n": r.get("n")})
    return rows


def fmt(value, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.4f}" if signed else f"{value:.4f}"


def text_table(rows: list[dict]) -> str:
    header = ("task", "version", "metric", "base", "tuned", "delta", "n")
    lines = [(r["task"], r["version"] or "-", r["metric"], fmt(r["base"]), fmt(r["tuned"]),
              fmt(r["delta"], signed=True), "-" if r["n"] is None else str(r["n"])) for r in rows]
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) if i < 3 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))]
    out += ["  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths)))
            for line in lines]
    return "\n".join(out)


def card_lines(job_dir: Path) -> list[str]:
    """The model card's "Benchmarks" section (backend/export/model_card.py); [] when the job has no scores."""
    data = load(job_dir)
    rows = table_rows(data)
    if not rows:
        return []
    lines = ["", "## Benchmarks", "",
             "Base model vs this fine-tune, scored with lm-evaluation-harness (`studio bench`).", "",
             "| task | version | metric | base | tuned | delta | n |", "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r['task']} | {r['version'] or '-'} | {r['metric']} | {fmt(r['base'])} | {fmt(r['tuned'])} | "
              f"{fmt(r['delta'], signed=True)} | {r['n'] if r['n'] is not None else '-'} |" for r in rows]
    lines.append("")
    for entry in data["tasks"].values():
        template = "through the chat template" if entry.get("chat_template") else "raw prompts"
        limit = f", first {entry['limit']} items per task" if entry.get("limit") else ""
        lines.append(f"- {entry['task']}: lm-eval {entry.get('lm_eval_version')}, {template}{limit}, "
                     f"{entry.get('date')}")
    return lines
