"""The Monitor's *Serve* panel: an OpenAI-compatible server for the picked job (`studio serve-model`, a child
process of the studio: studio/views/serve_host.py), then its URL, model ids and snippets to copy.

    view = serve_panel.build(ctx)        # inside the Monitor tab
    serve_panel.wire(ctx, view, picker)  # picker: the Monitor's job dropdown

Engines: auto / transformers / llama.cpp (a GGUF file of the job's exports). On 127.0.0.1 only; one server per
job; Stop, or the studio stopping, ends it.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from backend.serve.snippets import snippets
from backend.serve.targets import job_ggufs
from studio.context import Ctx
from studio.i18n import msg, relabel
from studio.unexpected import unexpected
from studio.views.serve_host import SERVERS, Server

START_TIMEOUT_S = 300


@dataclass
class ServeView:
    engine: gr.Dropdown
    gguf: gr.Dropdown
    port: gr.Number
    api_key: gr.Textbox
    start: gr.Button
    stop: gr.Button
    status: gr.Markdown
    curl: gr.Code
    python: gr.Code


def build(ctx: Ctx) -> ServeView:
    t = ctx.t
    gr.Markdown(t["serve.intro"])
    with gr.Row():
        engine = gr.Dropdown([(t["serve.engine.auto"], "auto"), (t["serve.engine.transformers"], "transformers"),
                              (t["serve.engine.llamacpp"], "llamacpp")], value="auto", label=t["serve.engine"],
                             scale=2, elem_id="serve-engine")
        gguf = gr.Dropdown([], value=None, label=t["serve.gguf"], visible=False, scale=2, elem_id="serve-gguf")
        # No minimum/maximum: gradio's refusal ("Value 0 is less than minimum value 1.") names no box; start does.
        port = gr.Number(8000, precision=0, label=t["serve.port"], scale=1, elem_id="serve-port")
        api_key = gr.Textbox(label=t["serve.api_key"], placeholder=t["serve.api_key.placeholder"], type="password",
                             scale=2, elem_id="serve-key")
    with gr.Row():
        start = gr.Button(t["serve.start"], variant="primary", elem_id="serve-start")
        stop = gr.Button(t["serve.stop"], elem_id="serve-stop")
    status = relabel.handler_writes(gr.Markdown(elem_id="serve-status"))
    with gr.Row():
        curl = gr.Code(language="shell", label=t["serve.curl"], visible=False, elem_id="serve-curl")
        python = gr.Code(language="python", label=t["serve.python"], visible=False, elem_id="serve-python")
    return ServeView(engine, gguf, port, api_key, start, stop, status, curl, python)


def shown(t, server: Server | None, job: str | None, note: str = "", ctx=None):
    """(status, curl, python) for the picked job's server (or `note` when none runs); a vision-language job's
    snippets send a photo (ctx: to tell one)."""
    hidden = gr.update(visible=False)
    if server is None or not server.ready.is_set() or not server.alive:
        return note, hidden, hidden
    text = t["serve.running"].format(job=job, engine=server.engine_name, url=server.url,
                                     models=", ".join(f"`{m}`" for m in server.models),
                                     key=t["serve.key_note"] if server.keyed else "")
    curl, python = snippets(server.url, server.models[0], server.keyed, image=_vision(ctx, job))
    return text, gr.update(value=curl, visible=True), gr.update(value=python, visible=True)


def _vision(ctx, job: str | None) -> bool:
    if ctx is None or not job:
        return False
    from backend.export.vision_job import is_vision_job

    try:
        return is_vision_job(ctx.workspace.job_dir(job))
    except (OSError, ValueError):
        return False


def wire(ctx: Ctx, view: ServeView, picker) -> None:
    t = ctx.t
    outputs = [view.status, view.curl, view.python]

    def ggufs(job_id):
        if not job_id:
            return []
        try:
            return job_ggufs(ctx.workspace.job_dir(job_id))
        except ValueError:
            return []

    def on_pick(job_id, engine):
        files = ggufs(job_id)
        gguf = gr.update(choices=files, value=files[0] if files else None, visible=engine == "llamacpp")
        return (gguf, *shown(t, SERVERS.get(job_id) if job_id else None, job_id, ctx=ctx))

    picker.change(on_pick, [picker, view.engine], [view.gguf, *outputs])

    def on_engine(job_id, engine):
        files = ggufs(job_id)
        note = t["serve.no_gguf"] if engine == "llamacpp" and job_id and not files else ""
        return gr.update(choices=files, value=files[0] if files else None, visible=engine == "llamacpp"), note

    view.engine.change(on_engine, [picker, view.engine], [view.gguf, view.status])

    @unexpected(t, "serve", fallback=lambda message: (message, gr.update(visible=False), gr.update(visible=False)))
    def start(job_id, engine, gguf, port, api_key):
        hidden = gr.update(visible=False)
        if not job_id:
            yield t["runs.pick_first"], hidden, hidden
            return
        if engine == "llamacpp" and not gguf:
            yield "⚠ " + t["serve.no_gguf"], hidden, hidden
            return
        if port is None or not 1 <= port <= 65535:
            yield t["serve.bad_port"].format(port="—" if port is None else port), hidden, hidden
            return
        yield t["serve.starting"].format(job=job_id), hidden, hidden
        server = SERVERS.start(ctx.workspace.root, job_id, int(port), engine,
                               gguf if engine == "llamacpp" else None, (api_key or "").strip() or None)
        if not server.wait_ready(START_TIMEOUT_S):
            if server.alive:
                SERVERS.stop(job_id)
                yield "⚠ " + t["serve.timeout"].format(seconds=START_TIMEOUT_S), hidden, hidden
                return
            why = server.error() or t["serve.exited"].format(code=server.proc.returncode)
            yield "⚠ " + msg(t, why), hidden, hidden
            return
        yield shown(t, server, job_id, ctx=ctx)

    view.start.click(start, [picker, view.engine, view.gguf, view.port, view.api_key], outputs,
                     concurrency_id="serve", concurrency_limit=2)

    @unexpected(t, "serve", fallback=lambda message: (message, gr.update(visible=False), gr.update(visible=False)))
    def stop(job_id):
        hidden = gr.update(visible=False)
        if not job_id:
            return t["runs.pick_first"], hidden, hidden
        key = "serve.stopped" if SERVERS.stop(job_id) else "serve.not_running"
        return t[key].format(job=job_id), hidden, hidden

    view.stop.click(stop, picker, outputs)


def redraw(ctx: Ctx, view: ServeView, picker):
    """(fn, inputs, outputs) that shows the picked job's server again: the language switch runs it."""
    def fn(job_id):
        return shown(ctx.t, SERVERS.get(job_id) if job_id else None, job_id, ctx=ctx)

    return fn, picker, [view.status, view.curl, view.python]
