"""The Runs tab's Sweeps accordion: pick a sweep -> a table of its runs (trial, the swept values, state incl.
stopped early, metric, the best marked ★), one overlay plot of their loss curves (the best run's line thick and
labelled), and "Clone the best run", which studio.app wires to the Runs tab's clone (the wizard filled with the
best run's spec).

    view = sweeps.build(ctx)          # inside the Runs tab
    frame, best_job = sweep_frame(ctx, sweep_id)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gradio as gr
import pandas as pd

from backend.store import STATES
from studio.context import Ctx
from studio.unexpected import unexpected


@dataclass
class SweepsView:
    picker: gr.Dropdown
    best_job: gr.State
    clone: gr.Button


def _state(t, state: str) -> str:
    if state == "stopped early":
        return t["sweep.stopped_early"]
    return t[f"monitor.state.{state}"] if state in STATES else state


def sweep_frame(ctx: Ctx, sweep_id: str) -> tuple[pd.DataFrame, str | None, list[dict], int | None, dict]:
    """The table of a sweep's runs in the page's language, and its best run's job id (None before one ends)."""
    from backend.sweep.table import sweep_rows

    t = ctx.t
    rows, best, info = sweep_rows(ctx.store, sweep_id)
    metric = t["sweep.col.eval_loss"] if info["key"] == "eval_loss" else t["sweep.col.loss"]
    records = []
    for r in rows:
        record = {t["sweep.col.trial"]: r["trial"]}
        record.update({p: r["params"].get(p, "") for p in info["params"]})
        value = r["metric"]
        record.update({t["sweep.col.state"]: _state(t, r["state"]),
                       metric: round(value, 4) if isinstance(value, float) and math.isfinite(value) else None,
                       t["sweep.col.best"]: "★" if r["best"] else "", t["sweep.col.job"]: r["job"]})
        records.append(record)
    columns = [t["sweep.col.trial"], *info["params"], t["sweep.col.state"], metric, t["sweep.col.best"],
               t["sweep.col.job"]]
    best_job = next((r["job"] for r in rows if r["best"]), None)
    return pd.DataFrame(records, columns=columns), best_job, rows, best, info


def sweep_plot(ctx: Ctx, rows: list[dict], best: int | None, info: dict):
    from backend.sweep.table import curves
    from studio.views.sweep_plot import sweep_figure

    t = ctx.t
    y = t["sweep.col.eval_loss"] if info["key"] == "eval_loss" else t["sweep.col.loss"]
    return sweep_figure(curves(ctx.store, rows, info["key"]), rows, best, x_label=t["sweep.step"], y_label=y,
                        best_label=t["sweep.best"], stopped_label=t["sweep.stopped_early"])


def build(ctx: Ctx) -> SweepsView:
    from backend.sweep.study import list_sweeps

    t = ctx.t
    with gr.Accordion(t["sweep.heading"], open=False, elem_id="sweeps"):
        with gr.Row():
            picker = gr.Dropdown(list_sweeps(ctx.store.workspace), value=None, label=t["sweep.pick"], scale=4,
                                 elem_id="sweeps-picker")
            refresh = gr.Button(t["btn.refresh"], scale=1, elem_id="sweeps-refresh")
        # shown once a sweep is picked (its columns are the sweep's fields; empty, gradio heads it "1 2 3")
        table = gr.Dataframe(interactive=False, wrap=True, visible=False, elem_id="sweeps-table")
        plot = gr.Plot(elem_id="sweeps-plot", show_label=False)
        clone = gr.Button(t["sweep.clone_best"], elem_id="sweeps-clone-best")
        best_job = gr.State(None)

    @unexpected(t, "runs")
    def show(sweep_id):
        if not sweep_id:
            return gr.update(choices=list_sweeps(ctx.store.workspace)), gr.update(value=None, visible=False), None, None
        frame, best, rows, best_trial, info = sweep_frame(ctx, sweep_id)
        return gr.skip(), gr.update(value=frame, visible=True), sweep_plot(ctx, rows, best_trial, info), best

    picker.change(show, picker, [picker, table, plot, best_job])
    refresh.click(lambda s: (gr.update(choices=list_sweeps(ctx.store.workspace)), *show(s)[1:]), picker,
                  [picker, table, plot, best_job])
    return SweepsView(picker, best_job, clone)
