"""The Monitor's log box: the end of a job's log.txt made readable.

    text = log_view(t, store.read_log_tail(job_id, LOG_TAIL_BYTES), metrics)          # readable
    text = log_view(t, store.read_log_tail(job_id, LOG_TAIL_BYTES), metrics, raw=True)  # as written

The Trainer's log dicts (`{'loss': '0.4312', 'grad_norm': '0.82', 'learning_rate': '0.00019', 'epoch': '1.3'}`)
become "step 12 · loss 0.4312 · lr 1.9e-4 · grad norm 0.82 · epoch 1.3" in the page's language (the step from
metrics.jsonl: the dicts do not carry it), and library warnings (FutureWarning, UserWarning... with the source
line echoed under them) are left out. log.txt keeps everything; `raw` shows it as it is.
"""

from __future__ import annotations

from backend.jobs.logtail import trainer_record, without_warnings

LOG_TAIL_BYTES = 32_000  # the readable view drops most of the raw lines, so read further back than it shows
LOG_LINES = 200  # the most lines the box holds


def log_view(t: dict, text: str, metrics: list[dict], raw: bool = False) -> str:
    lines = text.split("\n")
    if raw:
        return "\n".join(lines[-LOG_LINES:]).strip("\n")
    out = []
    recent = metrics[-(LOG_LINES * 2):]  # the dicts in the tail are the latest logging steps
    for line in without_warnings(lines):
        if not line.strip():
            continue
        record = trainer_record(line)
        out.append((trainer_line(t, record, recent) or line) if record else line)
    return "\n".join(out[-LOG_LINES:])


def trainer_line(t: dict, record: dict[str, float], metrics: list[dict]) -> str | None:
    """One Trainer log dict as a readable line; None for a dict of other numbers (shown as it is)."""
    if "train_loss" in record and "loss" not in record:  # the summary at the end (steps carry train_runtime too)
        runtime = record.get("train_runtime")
        return t["monitor.log.done"].format(seconds=f"{runtime:.1f}" if runtime is not None else "–",
                                            loss=f"{record['train_loss']:.4f}")
    if "loss" not in record and "eval_loss" not in record and "reward" not in record:
        return None
    parts = []
    step = step_of(record, metrics)
    if step is not None:
        parts.append(t["monitor.log.step"].format(value=step))
    for key, label, fmt in (("loss", "loss", _loss), ("eval_loss", "eval_loss", _loss), ("reward", "reward", _loss),
                            ("learning_rate", "lr", _lr), ("grad_norm", "grad_norm", _short),
                            ("epoch", "epoch", _epoch)):
        if key in record:
            parts.append(t[f"monitor.log.{label}"].format(value=fmt(record[key])))
    return " · ".join(parts)


def step_of(record: dict[str, float], metrics: list[dict]) -> int | None:
    """The step of a Trainer log dict: the latest metrics.jsonl row with the same epoch and loss (the dict's
    numbers are rounded to 4 significant digits)."""
    epoch = record.get("epoch")
    key = next((k for k in ("loss", "eval_loss", "reward") if k in record), None)
    if epoch is None or key is None:
        return None
    for row in reversed(metrics):
        e, v = row.get("epoch"), row.get(key)
        if isinstance(e, (int, float)) and isinstance(v, (int, float)) and _close(e, epoch) and _close(v, record[key]):
            return row.get("step")
    return None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-3 * max(abs(a), abs(b)) + 1e-12


def _loss(v: float) -> str:
    return f"{v:.4f}"


def _short(v: float) -> str:
    return f"{v:.2f}" if abs(v) < 1000 else f"{v:.3g}"


def _lr(v: float) -> str:
    if v == 0:
        return "0"
    mantissa, exponent = f"{v:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _epoch(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def log_for_download(job_dir) -> str | None:
    """A copy of the job's whole log.txt in a temp folder, named after the job (gradio serves it from there; the
    workspace stays private), or None when the job has written none yet."""
    import shutil
    import tempfile
    from pathlib import Path

    src = Path(job_dir) / "log.txt"
    if not src.is_file():
        return None
    out = Path(tempfile.mkdtemp(prefix="studio-log-")) / f"{Path(job_dir).name}-log.txt"
    shutil.copyfile(src, out)
    return str(out)
