"""Wizard step 1: the base model (demo, local folder or hub id) and what we know about it."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from studio.context import Ctx
from studio.i18n import relabel
from studio.unexpected import unexpected
from studio.wizard.fields import Form
from studio.wizard.form import MODEL_PATH, MODEL_SOURCE
from studio.wizard.model_info import ModelInfoError, describe_demo, describe_hub, describe_local, format_params


@dataclass
class ModelStep:
    """The step's own widgets; its fields are in the form (studio.wizard.fields.Form)."""

    info: gr.Markdown
    next: gr.Button
    redraw: tuple = ()  # (fn, inputs, outputs): the info in the page's language (after a language switch)


def describe(ctx: Ctx, source: str, path: str) -> str:
    """Markdown describing the chosen model, or the problem that stops us from describing it."""
    t = ctx.t
    with unexpected(t, "model") as failed:
        try:
            if source == "demo":
                info = describe_demo(ctx.workspace.models_dir, t)
            elif source == "hub":
                info = describe_hub(path, t=t)
            else:
                info = describe_local(path, t)
        except ModelInfoError as e:
            return t["model.error"].format(message=e)
    if failed.message:
        return failed.message
    template = {True: t["model.template.yes"], False: t["model.template.no"], None: t["model.template.unknown"]}
    return t["model.info"].format(
        arch=info.architecture,
        params=format_params(info.params, info.params_exact),
        template=template[info.chat_template],
        where=t["model.where_demo"] if source == "demo" else info.where,
    )


def build(ctx: Ctx, form: Form) -> ModelStep:
    t = ctx.t
    gr.Markdown(t["model.intro"])
    src, where = form.start[MODEL_SOURCE], form.start[MODEL_PATH]
    source = form(MODEL_SOURCE)
    with gr.Row():
        path = form(MODEL_PATH, visible=src != "demo", scale=4)
        check = gr.Button(t["model.check"], visible=src != "demo", scale=1, elem_id="model-check")
    info = relabel.handler_writes(gr.Markdown(describe(ctx, src, where), elem_id="model-info"))
    trust = form("model.trust_remote_code")
    warning = gr.Markdown(t["model.trust_warning"], visible=bool(form.start["model.trust_remote_code"]),
                          elem_id="model-trust-warning")
    form.rest("model")
    next_btn = gr.Button(t["btn.next"], variant="primary", elem_id="model-next")

    def on_source(src, p):
        visible = src != "demo"
        text = describe(ctx, src, p) if src == "demo" or (p or "").strip() else ""
        return gr.update(visible=visible), gr.update(visible=visible), text

    source.change(on_source, [source, path], [path, check, info])
    check.click(lambda s, p: describe(ctx, s, p), [source, path], info)
    path.submit(lambda s, p: describe(ctx, s, p), [source, path], info)
    trust.change(lambda v: gr.update(visible=bool(v)), trust, warning)

    def redraw(s, p):
        """The info again in the page's language (on_source's text); a hub model is described again when
        checked, so that a language switch makes no hub request."""
        return describe(ctx, s, p) if s == "demo" or (s == "local" and (p or "").strip()) else gr.skip()

    return ModelStep(info, next_btn, (redraw, [source, path], info))
