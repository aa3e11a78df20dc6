"""The loss curve: metrics.jsonl rows to the DataFrame gr.LinePlot draws."""

from __future__ import annotations

import pandas as pd

COLUMNS = ["step", "loss", "series"]


def loss_frame(metrics: list[dict], train_label: str = "train", eval_label: str = "eval") -> pd.DataFrame:
    rows = []
    for m in metrics:
        step = m.get("step")
        if step is None:
            continue
        if m.get("loss") is not None:
            rows.append((step, float(m["loss"]), train_label))
        if m.get("eval_loss") is not None:
            rows.append((step, float(m["eval_loss"]), eval_label))
    # Typed even when empty: the plot reads axis types (quantitative vs nominal) from the dtypes.
    return pd.DataFrame(rows, columns=COLUMNS).astype({"step": "float64", "loss": "float64", "series": "string"})


def count_loss_points(metrics: list[dict]) -> int:
    return sum(1 for m in metrics if m.get("loss") is not None)


def loss_figure(frame: pd.DataFrame, series: str = "series", x_label: str = "step", y_label: str = "loss"):
    """A matplotlib figure with one line per series (markers where a series has few points).

    Drawn with matplotlib rather than gr.LinePlot: in Gradio 6.31 a LinePlot keeps the colour
    domain of its first draw, so a series that appears later (eval loss, a second job to
    compare) is never drawn.
    """
    from matplotlib.figure import Figure  # no pyplot: no global state shared between requests

    fig = Figure(figsize=(9, 3.4), dpi=100)
    ax = fig.add_subplot()
    for name, group in frame.groupby(series, sort=False):
        few = len(group) < 12
        ax.plot(group["step"], group["loss"], marker="o" if few else None, markersize=3, linewidth=1.6,
                label=str(name))
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.grid(alpha=0.3)
    if len(frame):
        ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig
