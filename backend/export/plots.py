"""The run's curves as images in its job directory, written when training ends, for the model card
and anyone who opens the folder:

    <job>/plots/loss.png             training loss, and eval loss when there was an eval set
    <job>/plots/learning_rate.png    the schedule as it ran
    <job>/plots/rewards.png          dpo, orpo, kto, rm, grpo: the stage's rewards (chosen, rejected, margin; reward)

    from backend.export.plots import write_plots
    write_plots(job_dir)             # -> [paths written]; [] when metrics.jsonl has no points

matplotlib without pyplot (no global state, no display), English labels (the files travel).
"""

from __future__ import annotations

import math
from pathlib import Path

from backend.store import read_jsonl

PLOTS_DIR = "plots"


def read_metrics(job_dir: Path) -> list[dict]:
    return read_jsonl(Path(job_dir) / "metrics.jsonl")


def _series(rows: list[dict], key: str) -> tuple[list, list]:
    pts = [(r["step"], r[key]) for r in rows
           if isinstance(r.get(key), (int, float)) and math.isfinite(r[key]) and r.get("step") is not None]
    return [p[0] for p in pts], [p[1] for p in pts]


def write_plots(job_dir: Path) -> list[Path]:
    from matplotlib.figure import Figure

    job_dir = Path(job_dir)
    rows = read_metrics(job_dir)
    out_dir = job_dir / PLOTS_DIR
    written = []
    charts = [("loss.png", [("loss", "training loss"), ("eval_loss", "eval loss")], "loss"),
              ("learning_rate.png", [("learning_rate", "learning rate")], "learning rate"),
              ("rewards.png", [("rewards_chosen", "chosen"), ("rewards_rejected", "rejected"),
                               ("rewards_margins", "margin"), ("margin", "margin"), ("reward", "reward")], "reward")]
    for name, series, ylabel in charts:
        drawn = [(label, *_series(rows, key)) for key, label in series]
        drawn = [d for d in drawn if d[1]]
        if not drawn:
            continue
        fig = Figure(figsize=(7, 3.2), dpi=100)
        ax = fig.add_subplot()
        for label, xs, ys in drawn:
            ax.plot(xs, ys, marker="o" if len(xs) < 12 else None, markersize=3, linewidth=1.5, label=label)
        ax.set_xlabel("step")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        out_dir.mkdir(exist_ok=True)
        fig.savefig(out_dir / name)
        written.append(out_dir / name)
    return written
