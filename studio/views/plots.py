"""The Monitor's charts: the loss curve (metrics.jsonl) and the machine during the run (system.jsonl).

fig = loss_figure(loss_frame(metrics))
fig = loss_figure(loss_frame(metrics), stage=stage_frame(metrics, t))   # dpo, kto, orpo, rm, grpo: their rewards beside
fig = system_figure(rows, t)   # rows: system.jsonl objects; t: the page's strings
"""

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


# The stage's own curves (metrics.jsonl keys, backend/training/callback.py), in the reward's unit: the implicit
# rewards of the chosen and rejected replies and their margin (dpo, orpo, kto), a reward model's margin, grpo's reward.
STAGE_SERIES = (("rewards_chosen", "sys.series.chosen"), ("rewards_rejected", "sys.series.rejected"),
                ("rewards_margins", "sys.series.margin"), ("margin", "sys.series.margin"),
                ("reward", "sys.series.reward"))


def stage_frame(metrics: list[dict], t: dict | None = None) -> pd.DataFrame:
    """The stage's own curves as a frame of loss_frame's columns (the value under "loss"); empty for pt and sft."""
    labels = _chart_labels(t or {})
    rows = [(m["step"], float(m[key]), labels[label]) for key, label in STAGE_SERIES for m in metrics
            if m.get("step") is not None and isinstance(m.get(key), (int, float))]
    return pd.DataFrame(rows, columns=COLUMNS).astype({"step": "float64", "loss": "float64", "series": "string"})


def count_loss_points(metrics: list[dict]) -> int:
    return sum(1 for m in metrics if m.get("loss") is not None)


def loss_figure(frame: pd.DataFrame, series: str = "series", x_label: str = "step", y_label: str = "loss",
                t: dict | None = None, stage: pd.DataFrame | None = None):
    """A matplotlib figure with one line per series (markers where a series has few points).

    Drawn with matplotlib rather than gr.LinePlot: in Gradio 6.31 a LinePlot keeps the colour
    domain of its first draw, so a series that appears later (eval loss, a second job to
    compare) is never drawn. With `t` (the page's strings) the axes are titled in its language. With a
    non-empty `stage` (stage_frame) its curves are drawn on a second chart beside the loss.
    """
    from matplotlib.figure import Figure  # no pyplot: no global state shared between requests

    from studio.fonts import cjk_family

    cjk_family()  # the series may be named in Chinese ("训练"): a CJK font as matplotlib's fallback, not boxes
    fig = Figure(figsize=(9, 3.4), dpi=100)
    beside = stage is not None and len(stage) > 0
    ax, stage_ax = fig.subplots(1, 2) if beside else (fig.add_subplot(), None)
    labels = _chart_labels(t or {})
    if t is not None:
        x_label, y_label = labels["sys.chart.step"], labels["sys.chart.loss"]
    charts = [(ax, frame, y_label)] + ([(stage_ax, stage, labels["sys.chart.reward"])] if beside else [])
    for axes, data, label in charts:
        for name, group in data.groupby(series, sort=False):
            few = len(group) < 12
            axes.plot(group["step"], group["loss"], marker="o" if few else None, markersize=3, linewidth=1.6,
                      label=str(name))
        axes.set_xlabel(x_label)
        axes.set_ylabel(label)
        axes.grid(alpha=0.3)
        if len(data):  # the rewards part upwards and downwards: their legend where it covers the least
            axes.legend(loc="upper right" if axes is ax else "best", fontsize=8)
    fig.tight_layout()
    fig.subplots_adjust(top=0.88)  # room for the label gradio draws over the image's top left
    return fig


# -- the machine during a run: <job_dir>/system.jsonl ---------------------------------------------
SYSTEM_KEYS = ("rss_mb", "cpu_pct", "ram_used_pct", "gpu_mem_mb", "gpu_util_pct")
MAX_SYSTEM_POINTS = 2000  # ~70 min at one sample per 2 s; longer runs are thinned evenly for the chart


def system_columns(rows: list[dict]) -> dict[str, list[float]]:
    """system.jsonl rows as columns: `elapsed_s` made monotonic (a resumed job's sampler starts
    again at 0, so its samples go on after the earlier ones) and None as NaN (a gap in the line)."""
    nan = float("nan")
    cols: dict[str, list[float]] = {"elapsed_s": [], **{k: [] for k in SYSTEM_KEYS}}
    carry, last = 0.0, None
    for row in rows:
        elapsed = row.get("elapsed_s")
        if not isinstance(elapsed, (int, float)):
            continue
        if last is not None and elapsed + carry < last:
            carry = last
        last = elapsed + carry
        cols["elapsed_s"].append(last)
        for k in SYSTEM_KEYS:
            v = row.get(k)
            cols[k].append(float(v) if isinstance(v, (int, float)) else nan)
    return cols


def system_figure(rows: list[dict], t: dict):
    """Two stacked charts over elapsed time: memory (worker RSS, GPU memory when sampled) and
    utilisation (CPU, GPU when sampled, the machine's RAM in use as a dashed line)."""
    from matplotlib.figure import Figure

    s = _chart_labels(t)
    cols = _thin(system_columns(rows), MAX_SYSTEM_POINTS)
    x = cols["elapsed_s"]
    minutes = bool(x) and x[-1] > 180
    if minutes:
        x = [v / 60 for v in x]
    mem_max = max((v for k in ("rss_mb", "gpu_mem_mb") for v in cols[k] if v == v), default=0.0)
    unit, scale = ("GB", 1024.0) if mem_max > 2048 else ("MB", 1.0)

    fig = Figure(figsize=(5.5, 3.8), dpi=100)  # the narrower column beside the loss curve
    mem, util = fig.subplots(2, 1, sharex=True)
    few = len(x) < 12
    style = dict(marker="o" if few else None, markersize=3, linewidth=1.4)
    mem.plot(x, [v / scale for v in cols["rss_mb"]], label=s["sys.series.rss"], **style)
    if _any(cols["gpu_mem_mb"]):
        mem.plot(x, [v / scale for v in cols["gpu_mem_mb"]], label=s["sys.series.gpu_mem"], **style)
    mem.set_ylabel(s["sys.chart.memory"].format(unit=unit), fontsize=8)
    # Headroom above the highest sample: a flat line at the top is not clipped by the frame or hidden by the legend.
    mem.set_ylim(0, mem_max / scale * 1.3 if mem_max > 0 else 1.0)
    util.plot(x, cols["cpu_pct"], label=s["sys.series.cpu"], **style)
    if _any(cols["gpu_util_pct"]):
        util.plot(x, cols["gpu_util_pct"], label=s["sys.series.gpu"], **style)
    if _any(cols["ram_used_pct"]):
        util.plot(x, cols["ram_used_pct"], label=s["sys.series.ram"], linestyle="--", linewidth=1.0)
    util.set_ylabel(s["sys.chart.util"], fontsize=8)
    util.set_ylim(0, 118)  # 100% stays below the legend
    util.set_yticks([0, 25, 50, 75, 100])
    util.set_xlabel(s["sys.chart.elapsed_min" if minutes else "sys.chart.elapsed_s"], fontsize=8)
    for ax in (mem, util):
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        if x:
            ax.legend(loc="upper left", fontsize=7)
    fig.tight_layout()
    fig.subplots_adjust(top=0.88)  # room for the label gradio draws over the image's top left
    return fig


def _thin(cols: dict[str, list[float]], most: int) -> dict[str, list[float]]:
    """Every k-th point (and the last) so that at most about `most` remain."""
    n = len(cols["elapsed_s"])
    step = -(-n // most)
    if step <= 1:
        return cols
    keep = [*range(0, n - 1, step), n - 1]
    return {k: [v[i] for i in keep] for k, v in cols.items()}


def _any(values: list[float]) -> bool:
    return any(v == v for v in values)  # NaN != NaN


def _chart_labels(t: dict) -> dict:
    """The chart's strings in the page's language, or English when no CJK font can draw them (or
    the table lacks a key: studio/i18n/monitor.py's English)."""
    from studio.fonts import cjk_family
    from studio.i18n.monitor import EN

    labels = {k: t.get(k, v) for k, v in EN.items() if k.startswith("sys.")}
    if not all(s.isascii() for s in labels.values()) and not cjk_family():
        return {k: v for k, v in EN.items() if k.startswith("sys.")}
    return labels
