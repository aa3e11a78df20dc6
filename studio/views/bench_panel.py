"""The Monitor's *Benchmarks* panel: standard benchmarks, base vs tuned, through lm-evaluation-harness.

    view = bench_panel.build(ctx)        # inside the Monitor tab
    bench_panel.wire(ctx, view, picker)  # picker: the Monitor's job dropdown

Tasks (studio_mini, the local offline one, ticked; the standard ones named with the Hub dataset they download),
items per task, chat template or raw prompts; Run runs `studio bench JOB --json` in a process of its own
(studio.views.export.run_cli), never in the UI's. Picking a job shows its saved <job>/eval/benchmarks.json.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from backend.bench import results
from backend.bench.tasks import LOCAL_TASK, STANDARD_TASKS
from backend.messages import message_of
from studio.context import Ctx
from studio.i18n import msg, relabel
from studio.unexpected import unexpected
from studio.views import bench_table
from studio.views.export import is_vision, run_cli


@dataclass
class BenchView:
    tasks: gr.CheckboxGroup
    limit: gr.Number
    chat_template: gr.Checkbox
    run: gr.Button
    status: gr.Markdown
    table: gr.Dataframe
    meta: gr.Markdown
    controls: gr.Column | None = None  # tasks and Run: hidden for a vision-language job (lm-eval asks text questions)


def task_choices(t) -> list[tuple[str, str]]:
    return [(t["bench.local_choice"], LOCAL_TASK),
            *[(t["bench.hub_choice"].format(task=name, dataset=dataset), name) for name, dataset in STANDARD_TASKS.items()]]


def build(ctx: Ctx) -> BenchView:
    t = ctx.t
    gr.Markdown(t["bench.intro"])
    with gr.Column(elem_id="bench-controls") as controls:
        tasks = gr.CheckboxGroup(task_choices(t), value=[LOCAL_TASK], label=t["bench.tasks"], elem_id="bench-tasks")
        with gr.Row():
            limit = gr.Number(0, precision=0, label=t["bench.limit"], scale=1, elem_id="bench-limit")  # <= 0: all
            chat_template = gr.Checkbox(True, label=t["bench.chat_template"], scale=2, elem_id="bench-chat-template")
            run = gr.Button(t["bench.run"], variant="primary", scale=2, elem_id="bench-run")
    status = relabel.handler_writes(gr.Markdown(elem_id="bench-status"))
    table = gr.Dataframe(visible=False, interactive=False, wrap=True, elem_id="bench-table")
    meta = relabel.handler_writes(gr.Markdown(elem_id="bench-meta"))
    return BenchView(tasks, limit, chat_template, run, status, table, meta, controls)


def bench_args(job_id: str, tasks: list[str], limit, chat_template: bool) -> list[str]:
    """The `studio bench` arguments of the panel's settings."""
    args = ["bench", job_id, "--tasks", ",".join(tasks), "--json"]
    if limit and int(limit) > 0:
        args += ["--limit", str(int(limit))]
    if not chat_template:
        args.append("--no-chat-template")
    return args


def saved(ctx: Ctx, job_id: str | None):
    """(status, table update, notes) of a job's saved scores."""
    if not job_id or ctx.store.get(job_id) is None:
        return "", gr.update(visible=False), ""
    if is_vision(ctx, job_id):  # why there is nothing to run, in the page's language
        from backend.bench.run import check_job
        from backend.bench.tasks import BenchError

        try:
            check_job(ctx.store.job_dir(job_id))
        except BenchError as e:
            return "⚠ " + msg(ctx.t, message_of(e)), gr.update(visible=False), ""
    data = results.load(ctx.store.job_dir(job_id))
    table = bench_table.frame(ctx.t, data)
    if table.empty:
        return ctx.t["bench.none_yet"], gr.update(visible=False), ""
    return "", gr.update(value=table, visible=True), bench_table.meta(ctx.t, data)


def wire(ctx: Ctx, view: BenchView, picker) -> None:
    t = ctx.t
    outputs = [view.status, view.table, view.meta]

    @unexpected(t, "bench", fallback=lambda message: (message, gr.skip(), gr.skip()))
    def run(job_id, tasks, limit, chat_template):
        if not job_id:
            yield t["runs.pick_first"], gr.skip(), gr.skip()
            return
        if not tasks:
            yield t["bench.no_tasks"], gr.skip(), gr.skip()
            return
        yield t["bench.running"], gr.skip(), gr.skip()
        ok, text = run_cli(ctx, bench_args(job_id, tasks, limit, chat_template))
        if not ok:
            yield "⚠ " + text, gr.skip(), gr.skip()
            return
        _, table, notes = saved(ctx, job_id)  # every task the job has scores for, this run's included
        yield t["bench.saved"].format(path=ctx.store.job_dir(job_id) / "eval" / results.FILE), table, notes

    view.run.click(run, [picker, view.tasks, view.limit, view.chat_template], outputs,
                   concurrency_id="export", concurrency_limit=1)
    picker.change(unexpected(t, "bench")(lambda job_id: saved(ctx, job_id)), picker, outputs,
                  show_progress="hidden")
    if view.controls is not None:
        picker.change(unexpected(t, "bench")(lambda job_id: gr.update(visible=not is_vision(ctx, job_id))), picker,
                      view.controls, show_progress="hidden")


def redraw(ctx: Ctx, view: BenchView, picker):
    """(fn, inputs, outputs) that draws the picked job's saved scores again: the language switch runs it."""
    return (unexpected(ctx.t, "bench")(lambda job_id: saved(ctx, job_id)), picker,
            [view.status, view.table, view.meta])
