"""The Runs tab: every job in the workspace, newest first; a row click opens it in Monitor."""

from __future__ import annotations

import time
from dataclasses import dataclass

import gradio as gr
import pandas as pd

from studio.context import Ctx, warn_unexpected


@dataclass
class RunsTab:
    table: gr.Dataframe


def runs_frame(ctx: Ctx) -> pd.DataFrame:
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
        for j in ctx.store.list_jobs()
    ]
    return pd.DataFrame(rows, columns=columns)


def build(ctx: Ctx) -> RunsTab:
    t = ctx.t
    gr.Markdown(t["runs.intro"])
    refresh = gr.Button(t["btn.refresh"], elem_id="runs-refresh")
    table = gr.Dataframe(runs_frame(ctx), interactive=False, wrap=True, elem_id="runs-table")
    last = gr.State(None)
    timer = gr.Timer(3.0)

    def tick(seen):
        try:
            frame = runs_frame(ctx)
            key = frame.to_json()
            return (gr.skip(), seen) if key == seen else (frame, key)
        except Exception as e:  # noqa: BLE001
            warn_unexpected(t, e)
            return gr.skip(), seen

    timer.tick(tick, last, [table, last], show_progress="hidden")
    refresh.click(lambda: tick(None), None, [table, last])
    return RunsTab(table)
