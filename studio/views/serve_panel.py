"""The Monitor's *Serve* panel: an OpenAI-compatible server for the picked job (to be written: issue 20).

    view = serve_panel.build(ctx)        # inside the Monitor tab
    serve_panel.wire(ctx, view, picker)  # picker: the Monitor's job dropdown
"""

from __future__ import annotations

from studio.context import Ctx


def build(ctx: Ctx):
    return None


def wire(ctx: Ctx, view, picker) -> None:
    return None
