"""The queue: queued jobs in run order, with Earlier / Later / Cancel for the picked one."""

from __future__ import annotations

import time
from dataclasses import dataclass

import gradio as gr
import pandas as pd

from backend.store import InvalidTransition
from studio.context import Ctx
from studio.i18n import msg, relabel
from studio.unexpected import unexpected
from studio.views.job_labels import dataset_shown


def queue_frame(ctx: Ctx) -> pd.DataFrame:
    rows = [
        (n, j.id, j.model, dataset_shown(ctx.t, j.dataset), time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(j.created_at)))
        for n, j in enumerate(ctx.store.queue(), start=1)
    ]
    return pd.DataFrame(rows, columns=ctx.t["queue.columns"].split("|"))


def move(ctx: Ctx, job_id: str, steps: int) -> str:
    """Move a queued job; returns "" or the reason it could not move (it started, or was cancelled)."""
    try:
        ctx.store.move_in_queue(job_id, steps)
    except InvalidTransition as e:
        return msg(ctx.t, e)
    return ""


def cancel(ctx: Ctx, job_id: str) -> str:
    """Cancel a queued job; returns the message to show."""
    try:
        state = ctx.store.request_cancel(job_id)
    except KeyError:
        return ctx.t["runs.no_such_job"].format(job=job_id)
    if state == "cancelled":
        return ctx.t["queue.cancelled"].format(job=job_id)
    return ctx.t["monitor.cancel_sent"].format(job=job_id, state=state)


@dataclass
class Queue:
    seen: gr.State
    outputs: list  # what current(seen) writes
    current: object  # (seen) -> updates of outputs; raises what went wrong
    timer: gr.Timer


def build(ctx: Ctx) -> Queue:
    t = ctx.t
    intro = relabel.handler_writes(gr.Markdown(t["queue.intro"], elem_id="queue-intro"))
    table = gr.Dataframe(queue_frame(ctx), interactive=False, elem_id="queue-table")
    with gr.Row():
        job = gr.Dropdown(
            [j.id for j in ctx.store.queue()], value=None, label=t["queue.job"], scale=3, elem_id="queue-job"
        )
        up = gr.Button(t["queue.up"], scale=1, elem_id="queue-up")
        down = gr.Button(t["queue.down"], scale=1, elem_id="queue-down")
        stop = gr.Button(t["queue.cancel"], variant="stop", scale=1, elem_id="queue-cancel")
    seen = gr.State(None)
    timer = gr.Timer(2.0)

    def current(last, force=False):
        frame = queue_frame(ctx)
        key = frame.to_json()
        if key == last and not force:
            return gr.skip(), gr.skip(), gr.skip(), last
        text = t["queue.intro"] if len(frame) else f"{t['queue.intro']} {t['queue.empty']}"
        return text, frame, gr.update(choices=[j.id for j in ctx.store.queue()]), key

    @unexpected(t, "queue")
    def tick(last):
        return current(last)

    @unexpected(t, "move")
    def on_move(job_id, steps):
        if not job_id:
            gr.Warning(t["runs.pick_first"])
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        problem = move(ctx, job_id, steps)
        if problem:
            gr.Warning(problem)
        return current(None, force=True)

    @unexpected(t, "cancel")
    def on_cancel(job_id):
        if not job_id:
            gr.Warning(t["runs.pick_first"])
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        gr.Info(cancel(ctx, job_id))
        text, frame, choices, key = current(None, force=True)
        return text, frame, gr.update(choices=[j.id for j in ctx.store.queue()], value=None), key

    @unexpected(t, "queue")
    def pick_row(frame, evt: gr.SelectData):
        return str(frame.iloc[evt.index[0], 1])

    outputs = [intro, table, job, seen]
    timer.tick(tick, seen, outputs, show_progress="hidden")
    table.select(pick_row, table, job)
    up.click(lambda j: on_move(j, -1), job, outputs)
    down.click(lambda j: on_move(j, 1), job, outputs)
    stop.click(on_cancel, job, outputs)
    return Queue(seen, outputs, current, timer)
