"""The Monitor tab: one job's state, progress, loss curve, the machine's memory and CPU/GPU use
beside it, live advice (overfitting, divergence...), log, cancel/resume, error and export.

Polls the job directory and store with gr.Timer(1.0); the page holds no training state, so a
reload or a second browser shows the same job (the newest, or `?job=ID`). Per session it keeps
only what it last sent (to skip unchanged outputs) and how far it has read system.jsonl.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from backend.export.adapter_zip import ExportError, export_adapter_zip
from backend.jobs.pace import slow_step
from backend.plan.advice import advise
from backend.store import RESUMABLE_STATES, InvalidTransition
from backend.training.checkpoints import resume_point
from backend.workspace import PathError
from studio.context import Ctx
from studio.i18n import lang_of, msg, relabel
from studio.unexpected import unexpected
from studio.views.joblog import LOG_TAIL_BYTES, log_for_download, log_view
from studio.views.monitor_browser import SWITCHED_JS, SWITCHING_JS
from studio.views.monitor_text import (
    advice_markdown,
    fmt_seconds,
    header_html,
    progress_html,
    samples_markdown,
    stage_stats,
    state_label,
    system_line,
)
from studio.views.plots import count_loss_points, loss_figure, loss_frame, stage_frame, system_figure
from studio.views.system_log import SystemLog

OUTPUT_NAMES = (
    "header",
    "progress",
    "stats",
    "plot",
    "points",
    "log",
    "error",
    "download",
    "cancel",
    "resume",
    "system",
    "sysline",
    "syscol",
    "advice",
    "samples",
)
KEYED = ("plot", "download", "system")  # (key, payload): re-sent only when the key changes


@dataclass
class MonitorTab:
    picker: gr.Dropdown
    outputs: list  # in OUTPUT_NAMES order
    prev: gr.State
    timer: gr.Timer


def job_ids(ctx: Ctx) -> list[str]:
    return [j.id for j in ctx.store.list_jobs()]


def elapsed_seconds(job, progress: dict, last: dict, now: float | None = None) -> float | None:
    """One clock for Elapsed: the wall time since the job (this run of it) started, or the worker's own
    elapsed_s when that is ahead (a resumed job's counts the training before the resume too). The worker's
    alone does not do: it starts at the first step, after loading."""
    worker = progress.get("elapsed_s", last.get("elapsed_s"))
    worker = float(worker) if isinstance(worker, (int, float)) else None
    if job.state == "queued" or not job.started_at:
        return worker  # not started (or waiting to resume): what the worker last measured, if anything
    end = job.ended_at if job.is_final and job.ended_at else (now or time.time())
    wall = max(0.0, end - job.started_at)
    return max(wall, worker or 0.0)


def resume_label(t: dict, job_dir: Path) -> str:
    """The Resume button's text: the checkpoint it continues from, or that it starts again from step 0."""
    point = resume_point(job_dir / "checkpoints")
    if point is None:
        return t["btn.restart"]
    return t["btn.resume_at"].format(step=point[0], checkpoint=point[1])


def zip_for_download(job_dir: Path) -> str:
    """Export the adapter zip, and hand gradio a copy in the temp dir (the workspace stays private)."""
    zip_path = export_adapter_zip(job_dir)
    out = Path(tempfile.mkdtemp(prefix="studio-export-")) / zip_path.name
    shutil.copyfile(zip_path, out)
    return str(out)


def render(ctx: Ctx, job_id: str | None, system: SystemLog | None = None, memo: dict | None = None,
           raw_log: bool = False) -> dict:
    """Every output's value for a job, as comparable plain values (a plot as a key + its data).

    `system`: what this session has read of the job's system.jsonl (read on from there). `memo`: this
    session's notes between ticks (the Elapsed last shown: it never goes back for the same job). `raw_log`:
    the log as written, warnings and the trainer's dicts included."""
    t = ctx.t
    job = ctx.store.get(job_id) if job_id else None
    if job is None:
        empty = t["monitor.no_jobs"] if not job_ids(ctx) else t["monitor.no_job"]
        return dict(
            header=empty,
            progress="",
            stats="",
            plot=("none", loss_frame([])),
            points=t["monitor.points"].format(n=0),
            log="",
            error="",
            download=("none", None),
            cancel="off",
            resume="",
            system=("none", []),
            sysline="",
            syscol=False,
            advice="",
            samples="",
        )
    metrics = ctx.store.read_metrics(job.id)
    progress = ctx.store.read_progress(job.id)
    last = metrics[-1] if metrics else {}
    losses = [m["loss"] for m in metrics if m.get("loss") is not None]
    elapsed = elapsed_seconds(job, progress, last)
    eta = 0 if job.is_final and job.ended_at else progress.get("eta_s", last.get("eta_s"))
    if memo is not None and elapsed is not None:
        shown = memo.get("elapsed")
        if shown and shown[0] == job.id and job.state != "queued":
            elapsed = max(elapsed, shown[1])
        memo["elapsed"] = (job.id, elapsed)
    header = header_html(t, job)
    lr = last.get("learning_rate")
    tps = last.get("tokens_per_s")
    stats = t["monitor.stats"].format(
        elapsed=fmt_seconds(elapsed),
        eta=fmt_seconds(eta),
        loss=f"{losses[-1]:.4f}" if losses else "–",
        lr=f"{lr:.2e}" if lr is not None else "–",
        tps=f"{tps:,.0f}" if tps is not None else "–",
    )
    ppl = next((m["eval_perplexity"] for m in reversed(metrics) if m.get("eval_perplexity") is not None), None)
    if ppl is not None:
        stats += " · " + t["monitor.perplexity"].format(ppl=f"{ppl:,.2f}")
    stats += stage_stats(t, metrics)
    silence = job.silent_for()
    if silence:
        stats += "\n\n" + t["monitor.stale"].format(seconds=f"{silence:.0f}")
    slow = slow_step(progress, ctx.store.job_dir(job.id)) if job.state == "running" else None
    if slow:
        stats += "\n\n⚠ " + msg(t, slow)
    error = ""
    if job.error:
        message = html.escape(msg(t, job.error.message)).replace("\n", "  \n")  # a log line a line (Markdown)
        error = t["monitor.error"].format(kind=t.get(f"error.kind.{job.error.kind}", job.error.kind), message=message)
        if job.error.hint:
            error += "\n\n" + t["monitor.hint"].format(hint=msg(t, job.error.hint))
    lang = lang_of(t)  # in the keys: a language switch redraws the charts' labels
    plot_key = (job.id, len(metrics), lang)
    if system is None or system.job_id != job.id:
        system = SystemLog(job.id)
    system.read(ctx.store.job_dir(job.id) / "system.jsonl")
    return dict(
        header=header,
        progress=progress_html(t, job.state, progress),
        stats=stats,
        plot=(plot_key, metrics),
        points=t["monitor.points"].format(n=count_loss_points(metrics)),
        log=log_view(t, ctx.store.read_log_tail(job.id, LOG_TAIL_BYTES), metrics, raw=raw_log),
        error=error,
        download=((job.id, job.state), job.state == "succeeded"),
        cancel=cancel_mode(job),
        resume=resume_label(t, ctx.store.job_dir(job.id)) if job.state in RESUMABLE_STATES else "",
        system=((job.id, len(system.rows), lang), system.rows),
        sysline=system_line(t, system.rows[-1]) if system.rows else "",
        syscol=bool(system.rows),
        advice=advice_markdown(t, advise(metrics)),
        samples=samples_markdown(t, ctx.store.job_dir(job.id) / "samples.jsonl"),
    )


# The stage's own numbers in the stats line (the newest of each): (metrics.jsonl keys, text, format)
def cancel_mode(job) -> str:
    """What the cancel button does next: nothing, ask for a graceful stop, or kill."""
    if job.is_final:
        return "off"
    return "kill" if job.state == "running" and job.cancel_requested >= 1 else "cancel"


def updates(ctx: Ctx, job_id: str | None, prev: dict, raw_log: bool = False) -> tuple[list, dict]:
    """Gradio updates for the outputs that changed since `prev` (skipping the rest avoids flicker)."""
    t = ctx.t
    seen = dict(prev or {})
    if seen.get("lang") != lang_of(t):  # after a language switch every output is drawn again
        seen = {"lang": lang_of(t), "system_log": seen.get("system_log"), "elapsed": seen.get("elapsed")}
    system = seen.get("system_log")
    if not isinstance(system, SystemLog) or system.job_id != job_id:
        system = seen["system_log"] = SystemLog(job_id)
    now = render(ctx, job_id, system, memo=seen, raw_log=raw_log)
    out = []
    for name in OUTPUT_NAMES:
        value = now[name]
        key = value[0] if name in KEYED else value
        if name in seen and seen[name] == key:
            out.append(gr.skip())
            continue
        seen[name] = key
        if name == "plot":
            frame = loss_frame(value[1] if isinstance(value[1], list) else [], t["series.train"], t["series.eval"])
            out.append(loss_figure(frame, t=t, stage=stage_frame(value[1], t)) if len(frame) else None)
        elif name == "system":
            out.append(system_figure(value[1], t) if value[1] else None)
        elif name == "syscol":
            out.append(gr.update(visible=value))
        elif name == "download":
            out.append(download_update(ctx, job_id, value[1]))
        elif name == "error":
            out.append(gr.update(value=value, visible=bool(value)))
        elif name == "cancel":
            out.append(cancel_update(t, value))
        elif name == "resume":
            out.append(gr.update(value=value, visible=True) if value else gr.update(visible=False))
        else:
            out.append(value)
    return out, seen


def cancel_update(t: dict, mode: str):
    return gr.update(value=t["btn.kill"] if mode == "kill" else t["btn.cancel"], interactive=mode != "off")


def download_update(ctx: Ctx, job_id: str | None, ready: bool):
    if not ready or not job_id:
        return gr.update(value=None, visible=False)
    try:
        return gr.update(value=zip_for_download(ctx.store.job_dir(job_id)), visible=True)
    except (ExportError, PathError, OSError) as e:
        gr.Warning(ctx.t["monitor.export_failed"].format(message=e))
        return gr.update(value=None, visible=False)


def build(ctx: Ctx) -> MonitorTab:
    t = ctx.t
    with gr.Row():
        picker = gr.Dropdown(choices=job_ids(ctx), value=None, label=t["monitor.job"], scale=4, elem_id="job-picker")
        refresh = gr.Button(t["btn.refresh"], scale=1, elem_id="monitor-refresh")
    header = gr.HTML(elem_id="job-header")
    progress = gr.HTML(elem_id="job-progress")
    stats = gr.Markdown(elem_id="job-stats")
    error = gr.Markdown(visible=False, elem_id="job-error")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            plot = gr.Plot(None, label=t["monitor.plot"], format="png", elem_id="loss-plot")
            points = gr.Textbox(t["monitor.points"].format(n=0), show_label=False, container=False, interactive=False, elem_id="loss-points")
        with gr.Column(scale=2, min_width=320, visible=False, elem_id="system-column") as syscol:
            system = gr.Plot(None, label=t["sys.plot"], format="png", elem_id="system-plot")
            sysline = gr.Markdown(elem_id="system-latest")
    advice = gr.Markdown(elem_id="job-advice")
    samples = gr.Markdown(elem_id="job-samples")
    with gr.Row():
        download = gr.DownloadButton(t["btn.export"], visible=False, variant="primary", elem_id="export-button")
        cancel = relabel.handler_writes(  # cancel_update: "Cancel job" or "Stop now"
            gr.Button(t["btn.cancel"], variant="stop", interactive=False, elem_id="cancel-button"))
        resume = relabel.handler_writes(  # resume_label: the checkpoint it continues from, or step 0
            gr.Button(t["btn.resume"], visible=False, variant="primary", elem_id="resume-button"))
    # The box follows its end (monitor_browser.LOG_FOLLOW_JS, given to launch) unless the user scrolls up to read.
    log = gr.Textbox(
        label=t["monitor.log"], lines=12, max_lines=12, interactive=False, autoscroll=True, elem_id="job-log"
    )
    with gr.Row():
        log_all = gr.Checkbox(False, label=t["monitor.log.all"], container=False, elem_id="job-log-all")
        log_get = gr.Button(t["monitor.log.download"], size="sm", scale=0, min_width=160, elem_id="job-log-download")
    log_file = gr.File(visible=False, interactive=False, show_label=False, elem_id="job-log-file")
    prev = gr.State({})
    # The job each session last picked: a tick started before a pick and answered after it is dropped, so the
    # previous job's header, points and bar never come back over the new job's.
    picked: dict[str, str | None] = {}
    timer = gr.Timer(1.0)
    outputs = [
        header,
        progress,
        stats,
        plot,
        points,
        log,
        error,
        download,
        cancel,
        resume,
        system,
        sysline,
        syscol,
        advice,
        samples,
    ]

    def session(request: gr.Request | None) -> str | None:
        return getattr(request, "session_hash", None)

    @unexpected(t, "monitor")
    def tick(job_id, seen, raw_log, request: gr.Request):
        key = session(request)
        if key in picked and picked[key] != job_id:
            return [gr.skip()] * (len(outputs) + 2)  # a tick for the job shown before the last pick
        ups, seen = updates(ctx, job_id, seen, raw_log)
        ids = job_ids(ctx)
        picker_up = gr.update(choices=ids) if seen.get("ids") != ids else gr.skip()
        seen["ids"] = ids
        return [picker_up, *ups, seen]

    @unexpected(t, "monitor")
    def select(job_id, raw_log, request: gr.Request):
        key = session(request)
        if key is not None:
            if len(picked) > 10_000:  # sessions come and go; forget the oldest half
                for old in list(picked)[:5_000]:
                    picked.pop(old, None)
            picked[key] = job_id
        ups, seen = updates(ctx, job_id, {}, raw_log)
        return [*ups, seen]

    @unexpected(t, "cancel")
    def on_cancel(job_id, seen):
        """First click on a running job: graceful stop (SIGTERM, checkpoint); the next: kill."""
        if not job_id:
            return gr.skip(), seen
        job = ctx.store.get(job_id)
        if job is None:
            gr.Warning(t["runs.no_such_job"].format(job=job_id))
            return gr.skip(), seen
        was = cancel_mode(job)
        state = ctx.store.request_cancel(job_id)
        if state == "running":
            gr.Info(t["monitor.kill_sent" if was == "kill" else "monitor.stop_requested"].format(job=job_id))
        else:
            gr.Info(t["monitor.cancel_sent"].format(job=job_id, state=state_label(t, state)))
        fresh = ctx.store.get(job_id)
        mode = cancel_mode(fresh) if fresh else "off"
        return cancel_update(t, mode), {**(seen or {}), "cancel": mode}  # relabel now, not on the next tick

    @unexpected(t, "resume", fallback=None)
    def on_resume(job_id):
        if not job_id:
            return
        try:
            fresh = resume_point(ctx.store.job_dir(job_id) / "checkpoints") is None
            ctx.store.mark_resumed(job_id)
            gr.Info(t["monitor.restarted" if fresh else "monitor.resumed"].format(job=job_id))
        except InvalidTransition as e:
            gr.Warning(msg(t, e))
        except KeyError:
            gr.Warning(t["runs.no_such_job"].format(job=job_id))

    timer.tick(tick, [picker, prev, log_all], [picker, *outputs, prev], show_progress="hidden")
    picker.change(select, [picker, log_all], [*outputs, prev], show_progress="hidden", js=SWITCHING_JS).then(
        None, js=SWITCHED_JS)
    log_all.change(select, [picker, log_all], [*outputs, prev], show_progress="hidden")
    refresh.click(lambda j: gr.update(choices=job_ids(ctx), value=j), picker, picker).then(
        select, [picker, log_all], [*outputs, prev], show_progress="hidden"
    )
    @unexpected(t, "log", fallback=lambda message: gr.update(value=None, visible=False))
    def on_log(job_id):
        path = log_for_download(ctx.store.job_dir(job_id)) if job_id else None
        if path is None:
            gr.Warning(t["monitor.log.none"])
        return gr.update(value=path, visible=path is not None)

    log_get.click(on_log, picker, log_file)
    picker.change(lambda _: gr.update(value=None, visible=False), picker, log_file, show_progress="hidden")
    cancel.click(on_cancel, [picker, prev], [cancel, prev])
    resume.click(on_resume, picker, None)
    return MonitorTab(picker, outputs, prev, timer)


def initial_job(ctx: Ctx, request: gr.Request | None) -> str | None:
    """`?job=ID` when it names a job, else the newest job."""
    wanted = request.query_params.get("job") if request is not None else None
    if wanted and ctx.store.get(wanted) is not None:
        return wanted
    ids = job_ids(ctx)
    return ids[0] if ids else None
