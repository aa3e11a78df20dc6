"""Wizard step 1: the base model (demo, local folder or hub id) and what we know about it."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from studio.context import Ctx, warn_unexpected
from studio.form import FormValues
from studio.model_info import ModelInfoError, describe_demo, describe_hub, describe_local, format_params


@dataclass
class ModelStep:
    source: gr.Radio
    path: gr.Textbox
    trust_remote_code: gr.Checkbox
    info: gr.Markdown
    next: gr.Button


def describe(ctx: Ctx, source: str, path: str) -> str:
    """Markdown describing the chosen model, or the problem that stops us from describing it."""
    t = ctx.t
    try:
        if source == "demo":
            info = describe_demo(ctx.workspace.models_dir)
        elif source == "hub":
            info = describe_hub(path)
        else:
            info = describe_local(path)
    except ModelInfoError as e:
        return t["model.error"].format(message=e)
    except Exception as e:  # noqa: BLE001
        return warn_unexpected(t, e)
    template = {True: t["model.template.yes"], False: t["model.template.no"], None: t["model.template.unknown"]}
    return t["model.info"].format(
        arch=info.architecture,
        params=format_params(info.params, info.params_exact),
        template=template[info.chat_template],
        where=t["model.where_demo"] if source == "demo" else info.where,
    )


def build(ctx: Ctx, start: FormValues) -> ModelStep:
    t = ctx.t
    gr.Markdown(t["model.intro"])
    source = gr.Radio(
        [(t["model.source.demo"], "demo"), (t["model.source.local"], "local"), (t["model.source.hub"], "hub")],
        value=start.model_source,
        label=t["model.source"],
        info=t["help.model.name_or_path"],
        elem_id="model-source",
    )
    with gr.Row():
        path = gr.Textbox(
            value=start.model_path,
            label=t["model.path"],
            placeholder=t["model.path.placeholder"],
            visible=start.model_source != "demo",
            scale=4,
            elem_id="model-path",
        )
        check = gr.Button(t["model.check"], visible=start.model_source != "demo", scale=1, elem_id="model-check")
    info = gr.Markdown(describe(ctx, start.model_source, start.model_path), elem_id="model-info")
    trust = gr.Checkbox(
        value=start.trust_remote_code,
        label=t["model.trust_remote_code"],
        info=t["help.model.trust_remote_code"],
        elem_id="model-trust",
    )
    warning = gr.Markdown(t["model.trust_warning"], visible=start.trust_remote_code, elem_id="model-trust-warning")
    next_btn = gr.Button(t["btn.next"], variant="primary", elem_id="model-next")

    def on_source(src, p):
        visible = src != "demo"
        text = describe(ctx, src, p) if src == "demo" or (p or "").strip() else ""
        return gr.update(visible=visible), gr.update(visible=visible), text

    source.change(on_source, [source, path], [path, check, info])
    check.click(lambda s, p: describe(ctx, s, p), [source, path], info)
    path.submit(lambda s, p: describe(ctx, s, p), [source, path], info)
    trust.change(lambda v: gr.update(visible=bool(v)), trust, warning)
    return ModelStep(source, path, trust, info, next_btn)
