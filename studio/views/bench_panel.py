"""The Monitor's *Benchmarks* panel: standard benchmarks, base vs tuned (to be written: issue 20).

    view = bench_panel.build(ctx)        # inside the Monitor tab
    bench_panel.wire(ctx, view, picker)  # picker: the Monitor's job dropdown
"""

from __future__ import annotations

from studio.context import Ctx


def build(ctx: Ctx):
    return None


def wire(ctx: Ctx, view, picker) -> None:
    return None
