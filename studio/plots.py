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
