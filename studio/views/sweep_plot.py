"""The sweep's overlay plot: one loss curve per run, the best run's line thick and labelled ★.

    fig = sweep_figure(curves, rows, best, y_label="eval loss")   # backend/sweep/table.py gives curves and rows
"""

from __future__ import annotations


def _label(row: dict) -> str:
    values = ", ".join(f"{k.rsplit('.', 1)[-1]}={v:.3g}" if isinstance(v, float) else f"{k.rsplit('.', 1)[-1]}={v}"
                       for k, v in row["params"].items())
    return f"#{row['trial']} {values}"


def sweep_figure(curves: dict[int, list[tuple[int, float]]], rows: list[dict], best: int | None,
                 x_label: str = "step", y_label: str = "loss", best_label: str = "best", stopped_label: str = ""):
    from matplotlib.figure import Figure  # no pyplot: no global state shared between requests

    from studio.fonts import cjk_family

    cjk_family()
    fig = Figure(figsize=(9, 3.8), dpi=100)
    ax = fig.add_subplot()
    for row in rows:
        points = curves.get(row["trial"]) or []
        if not points:
            continue
        steps, values = zip(*points)
        is_best = row["trial"] == best
        label = _label(row) + (f"  ★ {best_label}" if is_best else "")
        if row["state"] == "stopped early" and stopped_label:
            label += f" ({stopped_label})"
        few = len(points) < 12
        ax.plot(steps, values, marker="o" if few else None, markersize=3,
                linewidth=3.2 if is_best else 1.3, alpha=1.0 if is_best else 0.75,
                linestyle="--" if row["state"] == "stopped early" else "-", label=label, zorder=3 if is_best else 2)
        if is_best:
            ax.annotate("★", (steps[-1], values[-1]), textcoords="offset points", xytext=(4, 2), fontsize=13)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.subplots_adjust(top=0.9)
    return fig
