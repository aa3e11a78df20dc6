"""The Export panel's *launch file* row: a Slurm sbatch script or a SkyPilot task YAML that runs the
picked job's spec on a cluster (backend/launch/, as `studio export-launch` writes it), shown here.

    launch = launch_panel.build(ctx)                               # inside export_view.build
    launch_panel.wire(ctx, launch, picker, status)                 # status: the panel's status line

Written in the page's process: it is a few milliseconds of text, no model is loaded. Into the job's
exports/ folder only; the other options (time, partition, GPU type, venv...) are the command's.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from studio.context import Ctx
from studio.i18n import msg
from studio.unexpected import unexpected

HOW = {"slurm": "sbatch {name}", "skypilot": "sky launch {name}"}


@dataclass
class LaunchPanel:
    target: gr.Dropdown
    gpus: gr.Number
    nodes: gr.Number
    button: gr.Button
    text: gr.Code


def _count(value):
    """A number box's value: None for 0 or empty (the spec's), else an int (LaunchOptions names a negative one)."""
    return None if value in (None, "", 0) else int(value)


def build(ctx: Ctx) -> LaunchPanel:
    t = ctx.t
    with gr.Row():
        target = gr.Dropdown(["slurm", "skypilot"], value="slurm", label=t["cluster.launch.to"], scale=1,
                             elem_id="launch-to")
        gpus = gr.Number(0, precision=0, label=t["cluster.launch.gpus"],
                         info=t["cluster.launch.from_spec"], scale=1, elem_id="launch-gpus")
        nodes = gr.Number(0, precision=0, label=t["cluster.launch.nodes"],
                          info=t["cluster.launch.from_spec"], scale=1, elem_id="launch-nodes")
        button = gr.Button(t["cluster.launch.button"], scale=2, elem_id="launch-export")
    text = gr.Code(language="shell", label=t["cluster.launch.file"], interactive=False, max_lines=30, visible=False,
                   elem_id="launch-file")
    return LaunchPanel(target, gpus, nodes, button, text)


def wire(ctx: Ctx, panel: LaunchPanel, picker: gr.Dropdown, status: gr.Markdown) -> None:
    t = ctx.t

    @unexpected(t, "export", fallback=lambda message: (message, gr.update(visible=False)))
    def export(job_id, target, gpus, nodes):
        from backend.launch import LaunchFileError, LaunchOptions, export_launch

        if not job_id:
            return t["runs.pick_first"], gr.update(visible=False)
        try:
            options = LaunchOptions(gpus=_count(gpus), nodes=_count(nodes))
            made = export_launch(ctx.store.job_dir(job_id), target, options)
        except LaunchFileError as e:
            return "⚠ " + msg(t, e.args[0]), gr.update(visible=False)
        lines = [t["cluster.launch.done"].format(path=made.path, how=HOW[target].format(name=made.path.name))]
        lines += [f"- {msg(t, note)}" for note in made.notes]
        language = "shell" if target == "slurm" else "yaml"
        return "\n\n".join(lines), gr.update(value=made.path.read_text(encoding="utf-8"), language=language,
                                              visible=True)

    panel.button.click(export, [picker, panel.target, panel.gpus, panel.nodes], [status, panel.text],
                       concurrency_id="export", concurrency_limit=1)
