"""The Runs tab: every job (filtered by state), with open / clone / delete, a comparison plot and the queue.

A row click picks a job; Delete asks "Really delete <id>?" before removing the job and its
directory (the store refuses a running job). Open and Clone are wired in studio.app, since they
switch tabs and fill the wizard.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import gradio as gr
import pandas as pd

from backend.store import STATES, InvalidTransition
from studio.context import Ctx
from studio.i18n import msg
from studio.unexpected import unexpected
from studio.views import compare
from studio.views import queue as queue_view


@dataclass
class RunsTab:
    table: gr.Dataframe
    selected: gr.Dropdown
    open: gr.Button
    clone: gr.Button


def runs_frame(ctx: Ctx, states: list[str] | None = None) -> pd.DataFrame:
    """The table's rows: jobs in `states` (all when None), newest first."""
    columns = ctx.t["runs.columns"].split("|")
    rows = [
        (
            j.id,
            j.state,
            j.method,
            j.dataset,
            "" if j.final_loss is None else f"{j.final_loss:.4f}",
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(j.created_at)),
        )
        for j in ctx.store.list_jobs(tuple(states) if states is not None else None)
        if states is None or j.state in states  # an empty filter shows nothing, not everything
    ]
    return pd.DataFrame(rows, columns=columns)


def delete_job(ctx: Ctx, job_id: str) -> tuple[bool, str]:
    """Delete a job and its files; (done, message for the user). Never raises for a refused delete."""
    try:
        ctx.store.delete_job(job_id)
    except InvalidTransition as e:
        return False, msg(ctx.t, e)
    except KeyError:
        return False, ctx.t["runs.no_such_job"].format(job=job_id)
    return True, ctx.t["runs.deleted"].format(job=job_id)


def build(ctx: Ctx) -> RunsTab:
    t = ctx.t
    gr.Markdown(t["runs.intro"])
    with gr.Row():
        states = gr.CheckboxGroup(
            list(STATES), value=list(STATES), label=t["runs.filter"], scale=4, elem_id="runs-filter"
        )
        refresh = gr.Button(t["btn.refresh"], scale=1, elem_id="runs-refresh")
    table = gr.Dataframe(runs_frame(ctx), interactive=False, wrap=True, elem_id="runs-table")
    ids = [j.id for j in ctx.store.list_jobs()]
    with gr.Row():
        selected = gr.Dropdown(ids, value=None, label=t["runs.selected"], scale=3, elem_id="runs-selected")
        open_btn = gr.Button(t["runs.open"], scale=1, elem_id="runs-open")
        clone = gr.Button(t["runs.clone"], scale=1, elem_id="runs-clone")
        delete = gr.Button(t["runs.delete"], variant="stop", scale=1, elem_id="runs-delete")
    with gr.Row(visible=False) as confirm_row:
        confirm = gr.Button("", variant="stop", elem_id="runs-confirm-delete")
        keep = gr.Button(t["runs.keep"], elem_id="runs-keep")
    message = gr.Markdown(visible=False, elem_id="runs-message")
    pending = gr.State(None)  # the job the confirm button deletes (fixed when Delete was clicked)
    last = gr.State(None)
    timer = gr.Timer(3.0)

    @unexpected(t, "runs")
    def tick(filter_states, seen):
        frame = runs_frame(ctx, filter_states)
        all_ids = [j.id for j in ctx.store.list_jobs()]
        key = [frame.to_json(), all_ids]
        if key == seen:
            return gr.skip(), gr.skip(), seen
        return frame, gr.update(choices=all_ids), key

    @unexpected(t, "runs")
    def pick_row(frame, evt: gr.SelectData):
        return str(frame.iloc[evt.index[0], 0])

    def ask_delete(job_id):
        if not job_id:
            gr.Warning(t["runs.pick_first"])
            return gr.update(visible=False), gr.skip(), None
        label = t["runs.confirm_delete"].format(job=job_id)
        return gr.update(visible=True), gr.update(value=label), job_id

    @unexpected(t, "delete", fallback=lambda message: (gr.update(visible=False), gr.update(value=message, visible=True),
                                                        gr.skip(), gr.skip(), None, gr.skip()))
    def do_delete(job_id, filter_states):
        hidden = gr.update(visible=False)
        if not job_id:
            return hidden, gr.skip(), gr.skip(), gr.skip(), None, gr.skip()
        done, text = delete_job(ctx, job_id)
        if done:
            gr.Info(text)
            all_ids = [j.id for j in ctx.store.list_jobs()]
            frame = runs_frame(ctx, filter_states)
            return hidden, gr.update(visible=False), frame, gr.update(choices=all_ids, value=None), None, None
        gr.Warning(text)
        return (
            hidden,
            gr.update(value=t["runs.refused"].format(message=text), visible=True),
            *[gr.skip()] * 2,
            None,
            gr.skip(),
        )

    timer.tick(tick, [states, last], [table, selected, last], show_progress="hidden")
    refresh.click(lambda s: tick(s, None), states, [table, selected, last])
    states.change(lambda s: tick(s, None), states, [table, selected, last], show_progress="hidden")
    table.select(pick_row, table, selected)
    # A new pick hides a confirm step that named another job.
    selected.change(
        lambda: (gr.update(visible=False), gr.update(visible=False), None), None, [confirm_row, message, pending]
    )
    delete.click(ask_delete, selected, [confirm_row, confirm, pending])
    keep.click(lambda: (gr.update(visible=False), None), None, [confirm_row, pending])
    confirm.click(do_delete, [pending, states], [confirm_row, message, table, selected, pending, last])

    gr.Markdown(t["compare.heading"])
    compare.build(ctx)
    gr.Markdown(t["queue.heading"])
    queue_view.build(ctx)
    return RunsTab(table, selected, open_btn, clone)
