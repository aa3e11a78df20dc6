"""The Train tab's *Ray cluster* row, under the hardware panel: the cluster's address as a setting of the page.

    view = cluster_panel.build(ctx)   # inside the hardware accordion
    cluster_panel.wire(ctx, view)
    cluster_panel.attach(scheduler)   # studio.app.launch: the studio's queue, whose jobs the setting sends

*Connect* reaches the cluster (backend.cluster.connect: an unreachable address is said at once, with what to run),
sends the jobs started from then on to it, and remembers the address in the workspace's settings.json, so the next
`studio` uses it too (a `--cluster` flag or $STUDIO_CLUSTER still wins). *This machine only* goes back to local
workers and remembers that. Switching waits until no job runs: a running job stays with the dispatcher that
started it (its cancel and watch go through it).
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from studio.context import Ctx
from studio.i18n import msg, relabel
from studio.unexpected import unexpected

_SCHEDULER: list = []  # the studio's Scheduler (one per process), set by attach()


def attach(scheduler) -> None:
    _SCHEDULER[:] = [scheduler]


@dataclass
class ClusterPanel:
    address: gr.Textbox
    connect: gr.Button
    local: gr.Button
    status: gr.Markdown


def current_address(ctx: Ctx) -> str:
    """The address the queue uses now, else the one the settings name (never raises: a broken settings.json shows
    as empty here and is reported when the studio starts)."""
    scheduler = _SCHEDULER[0] if _SCHEDULER else None
    if scheduler is not None and getattr(scheduler, "cluster", None) is not None:
        return scheduler.cluster.address
    from backend.cluster.connect import ClusterError, resolve_address

    try:
        return resolve_address(None, ctx.workspace) or ""
    except ClusterError:
        return ""


def build(ctx: Ctx) -> ClusterPanel:
    t = ctx.t
    with gr.Row(elem_id="cluster-row"):
        address = gr.Textbox(current_address(ctx), label=t["cluster.address"], placeholder=t["cluster.address.hint"],
                             scale=3, elem_id="cluster-address")
        connect = gr.Button(t["cluster.connect"], scale=1, elem_id="cluster-connect")
        local = gr.Button(t["cluster.local"], scale=1, elem_id="cluster-local")
    status = relabel.handler_writes(gr.Markdown(elem_id="cluster-status"))
    return ClusterPanel(address, connect, local, status)


def switch(ctx: Ctx, address: str | None) -> str:
    """Send the jobs started from now on to the cluster at `address` (None: this machine); the page's answer."""
    from backend.cluster.connect import ClusterError, connect, save_address
    from backend.messages import message_of
    from studio.views.cluster_state import cluster_line

    t = ctx.t
    scheduler = _SCHEDULER[0] if _SCHEDULER else None
    if scheduler is None:
        return "⚠ " + t["cluster.no_queue"]
    running = ctx.store.list_jobs(("running",))
    if running:
        return "⚠ " + t["cluster.busy"].format(n=len(running), jobs=", ".join(j.id for j in running))
    if address:
        try:
            dispatcher = connect(address)
        except ClusterError as e:
            return "⚠ " + msg(t, message_of(e))
    else:
        dispatcher = None
    scheduler.cluster = dispatcher
    save_address(ctx.workspace, address)
    if dispatcher is None:
        return t["cluster.local_now"]
    return t["cluster.connected"].format(address=address) + cluster_line(t)


def now(ctx: Ctx) -> str:
    """Where the jobs started from now on run, in the page's language ("" with no queue or on this machine): what
    the status shows after a language switch (an action's answer would stay in the language it was given in)."""
    scheduler = _SCHEDULER[0] if _SCHEDULER else None
    dispatcher = getattr(scheduler, "cluster", None) if scheduler is not None else None
    if dispatcher is None:
        return ""
    from studio.views.cluster_state import cluster_line

    return ctx.t["cluster.connected"].format(address=dispatcher.address) + cluster_line(ctx.t)


def redraw(ctx: Ctx, view: ClusterPanel) -> tuple:
    """(fn, inputs, outputs) for the language switch."""
    return unexpected(ctx.t, "cluster")(lambda: now(ctx)), None, view.status


def wire(ctx: Ctx, view: ClusterPanel) -> None:
    t = ctx.t

    @unexpected(t, "cluster")
    def on_connect(address):
        address = (address or "").strip()
        if not address:
            return "⚠ " + t["cluster.give_address"]
        return switch(ctx, address)

    view.connect.click(on_connect, view.address, view.status, concurrency_id="cluster", concurrency_limit=1)
    view.local.click(unexpected(t, "cluster")(lambda: switch(ctx, None)), None, view.status,
                     concurrency_id="cluster", concurrency_limit=1)
