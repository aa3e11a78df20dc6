"""The "This machine" panel: GPUs, CPU, RAM and free disk, with a hint when one is short.

    from studio.views import hardware as hardware_view
    with gr.Accordion(t["hw.title"], open=False):
        panel = hardware_view.build(ctx)        # fills itself on every page load
    hardware_view.markdown(t, detect(root))     # the same text, e.g. for a test

People pick a model and a method before they know what the machine can do; this says it up
front, in the words the memory estimate uses. backend.plan.hardware.detect never raises and caches
nvidia-smi, so rendering on each page load is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

from backend.plan.estimate import format_bytes
from backend.plan.hardware import Hardware, detect
from studio.context import Ctx
from studio.i18n import relabel

GIB = 1024**3
LOW_DISK = 10 * GIB  # a 7B model's weights alone are ~15 GB; checkpoints add more
LOW_RAM = 4 * GIB
BIG_FOR_CPU = 1_000_000_000  # parameters: above this, CPU training takes hours per epoch
GPU_BUSY_SHARE = 0.5  # of a GPU's memory already used by other programs


@dataclass
class HardwarePanel:
    markdown: gr.Markdown
    refresh: gr.Button
    render: Callable[[], str]  # the text now, in the session's language: wire it after a language switch


def markdown(t: dict[str, str], hw: Hardware, model_params: int | None = None) -> str:
    """The panel's text: one line per part, then a hint for each part that is short.

    `model_params`: the chosen model's parameter count, when known, for a sharper no-GPU hint.
    """
    unknown = t["hw.unknown"]
    lines, hints = [], []
    for gpu in hw.gpus:
        lines.append(
            t["hw.gpu"].format(name=gpu.name, total=format_bytes(gpu.memory_total), used=format_bytes(gpu.memory_used))
        )
        if gpu.memory_total and gpu.memory_used and gpu.memory_used > GPU_BUSY_SHARE * gpu.memory_total:
            hints.append(
                t["hw.hint.gpu_busy"].format(used=format_bytes(gpu.memory_used), total=format_bytes(gpu.memory_total))
            )
    if not hw.gpus:
        lines.append(t["hw.no_gpu"])
        if model_params and model_params > BIG_FOR_CPU:
            hints.append(t["hw.hint.no_gpu_big"].format(params=format_params(model_params)))
        else:
            hints.append(t["hw.hint.no_gpu"])
    lines.append(
        t["hw.cpu"].format(name=hw.cpu_name or unknown, cores=hw.cpu_cores if hw.cpu_cores is not None else "?")
    )
    lines.append(t["hw.ram"].format(available=format_bytes(hw.ram_available), total=format_bytes(hw.ram_total)))
    if hw.ram_available is not None and hw.ram_available < LOW_RAM:
        hints.append(t["hw.hint.ram"].format(available=format_bytes(hw.ram_available)))
    if hw.disk_path is not None:
        lines.append(t["hw.disk"].format(free=format_bytes(hw.disk_free), path=hw.disk_path))
        if hw.disk_free is not None and hw.disk_free < LOW_DISK:
            hints.append(t["hw.hint.disk"].format(free=format_bytes(hw.disk_free)))
    return "\n".join(f"- {line}" for line in lines) + "".join(f"\n\n⚠ {hint}" for hint in hints)


def format_params(n: int) -> str:
    """494_032_768 -> `494M`, 7_615_616_512 -> `7.6B`."""
    return f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M"


def current(ctx: Ctx) -> str:
    """The panel's text for this machine now (nvidia-smi is cached for a few seconds)."""
    from studio.views.cluster_state import cluster_line

    return markdown(ctx.t, detect(ctx.workspace.root)) + cluster_line(ctx.t)


def build(ctx: Ctx) -> HardwarePanel:
    """The panel's Markdown, filled on each page load, and a button that looks again."""

    def render() -> str:
        return current(ctx)

    panel = relabel.handler_writes(gr.Markdown(render, elem_id="hardware-panel"))
    refresh = gr.Button(ctx.t["hw.refresh"], size="sm", elem_id="hardware-refresh")
    refresh.click(render, None, panel, show_progress="hidden")
    return HardwarePanel(panel, refresh, render)
