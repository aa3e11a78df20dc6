"""Compare runs: several jobs' training-loss curves overlaid in one plot, one colour per job."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import pandas as pd

from studio.context import Ctx
from studio.i18n import lang_of, relabel
from studio.unexpected import unexpected
from studio.views import bench_table
from studio.views.plots import loss_figure

COLUMNS = ["step", "loss", "job"]


@dataclass
class Compare:
    picked: gr.Dropdown
    seen: gr.State
    outputs: list  # what current(picked, seen) writes
    current: object  # (picked, seen) -> updates of outputs; raises what went wrong
    timer: gr.Timer


def compare_frame(ctx: Ctx, job_ids: list[str]) -> pd.DataFrame:
    """Training-loss rows (step, loss, job) of every picked job that still exists."""
    rows = []
    for job_id in job_ids or []:
        if ctx.store.get(job_id) is None:
            continue
        for m in ctx.store.read_metrics(job_id):
            if m.get("step") is not None and m.get("loss") is not None:
                rows.append((float(m["step"]), float(m["loss"]), job_id))
    return pd.DataFrame(rows, columns=COLUMNS).astype({"step": "float64", "loss": "float64", "job": "string"})


def build(ctx: Ctx) -> Compare:
    t = ctx.t
    ids = [j.id for j in ctx.store.list_jobs()]
    picked = gr.Dropdown(ids, value=[], multiselect=True, label=t["compare.jobs"], elem_id="compare-jobs")
    plot = gr.Plot(None, label=t["compare.plot"], format="png", elem_id="compare-plot")
    summary = relabel.handler_writes(gr.Markdown(t["compare.empty"], elem_id="compare-summary"))
    seen = gr.State(None)
    timer = gr.Timer(5.0)

    def drawn(job_ids):
        frame = compare_frame(ctx, job_ids)
        n_jobs = frame["job"].nunique()
        text = t["compare.points"].format(jobs=n_jobs, n=len(frame)) if n_jobs >= 2 else t["compare.empty"]
        benches = bench_table.compare_markdown(t, {j: ctx.store.job_dir(j) for j in job_ids or [] if ctx.store.get(j)})
        text += "\n\n" + benches if benches else ""
        return (loss_figure(frame, series="job", t=t) if len(frame) else None), text

    draw = unexpected(t, "compare", fallback=lambda message: (gr.skip(), message))(drawn)

    def current(job_ids, last):
        """New jobs become pickable; the curves of running jobs grow; a language switch redraws the summary and
        the plot's labels (the switch leaves this handler's text to it)."""
        all_ids = [j.id for j in ctx.store.list_jobs()]
        sizes = [len(ctx.store.read_metrics(j)) for j in job_ids or []]
        sizes += [bench_table.saved_at(ctx.store.job_dir(j)) for j in job_ids or []]  # new benchmark scores
        key = [all_ids, list(job_ids or []), sizes, lang_of(t)]
        if key == last:
            return gr.skip(), gr.skip(), gr.skip(), last
        keep = [j for j in job_ids or [] if j in all_ids]
        return (gr.update(choices=all_ids, value=keep), *drawn(keep), key)

    tick = unexpected(t, "compare")(current)

    outputs = [picked, plot, summary, seen]
    picked.input(draw, picked, [plot, summary], show_progress="hidden")
    timer.tick(tick, [picked, seen], outputs, show_progress="hidden")
    return Compare(picked, seen, outputs, current, timer)
