"""Wizard step 1: the base model (demo, local folder or hub id) and what we know about it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import gradio as gr

from studio.context import Ctx
from studio.i18n import lang_of, localized, relabel
from studio.unexpected import unexpected
from studio.wizard.fields import Form
from studio.wizard.form import DEMOS, MODEL_PATH, MODEL_SOURCE
from studio.wizard.model_info import ModelInfoError, describe_demo, describe_hub, describe_local
from studio.wizard.model_vision import vision_markdown
from studio.wizard.numbers import format_params
from studio.wizard.vision import DEMO_VL, describe_demo_vl


@dataclass
class ModelStep:
    """The step's own widgets; its fields are in the form (studio.wizard.fields.Form)."""

    info: gr.Markdown
    next: gr.Button
    redraw: tuple = ()  # (fn, inputs, outputs): the info in the page's language (after a language switch)


class Described:
    """The last hub models described (their ModelInfo, or the problem's key and values), so that a language
    switch shows them again in the new language without asking the hub again."""

    def __init__(self, size: int = 16):
        self._seen: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, path: str):
        with self._lock:
            return self._seen.get((path or "").strip())

    def put(self, path: str, found) -> None:
        with self._lock:
            self._seen[(path or "").strip()] = found
            self._seen.move_to_end((path or "").strip())
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)


HUB_SEEN = Described()


def describe(ctx: Ctx, source: str, path: str, cached_only: bool = False) -> str:
    """Markdown describing the chosen model, or the problem that stops us from describing it, in the page's
    language. `cached_only`: a hub model only as last described (no hub request; "" when never described)."""
    t = ctx.t
    if cached_only and source == "hub":
        seen = HUB_SEEN.get(path)
        if isinstance(seen, str):  # the problem it had: its key and values again, in this language
            return t["model.error"].format(message=relocalize(seen, lang_of(t)))
        return info_markdown(t, source, seen) if seen is not None else ""
    with unexpected(t, "model") as failed:
        try:
            if source == "demo":
                info = describe_demo(ctx.workspace.models_dir, t)
            elif source == DEMO_VL:
                info = describe_demo_vl(ctx.workspace.models_dir, t)
            elif source == "hub":
                try:
                    info = describe_hub(path, t=t)
                except ModelInfoError as e:
                    HUB_SEEN.put(path, e.args[0])
                    raise
                HUB_SEEN.put(path, info)
            else:
                info = describe_local(path, t, roots=ctx.data_roots, models_dir=ctx.workspace.models_dir)
        except ModelInfoError as e:
            return t["model.error"].format(message=e)
    if failed.message:
        return failed.message
    return info_markdown(t, source, info)


def relocalize(text: str, lang: str) -> str:
    """A text from the tables (a Localized that kept its key and values) in `lang`; any other text as it is."""
    key = getattr(text, "key", None)
    return localized(key, lang, getattr(text, "kwargs", None)) if key else text


def info_markdown(t, source: str, info) -> str:
    """The model's details in the language of `t`: every label and word from the tables (architecture names,
    numbers and paths as they are)."""
    template = {True: t["model.template.yes"], False: t["model.template.no"], None: t["model.template.unknown"]}
    where = (t["model.where_demo"] if source == "demo" else t["vl.wizard.where_demo_vl"] if source == DEMO_VL
             else t["model.where_hub"].format(repo=info.where) if info.hub else info.where)
    return t["model.info"].format(
        arch=info.architecture,
        params=format_params(info.params, info.params_exact),  # 1.1M, 7.6B: as model names say it
        template=template[info.chat_template],
        where=where,
    ) + vision_markdown(t, info)  # a vision-language model: its parts and pixel budget (issue 22)


def build(ctx: Ctx, form: Form) -> ModelStep:
    t = ctx.t
    gr.Markdown(t["model.intro"])
    src, where = form.start[MODEL_SOURCE], form.start[MODEL_PATH]
    source = form(MODEL_SOURCE)
    with gr.Row():
        path = form(MODEL_PATH, visible=src not in DEMOS, scale=4)
        check = gr.Button(t["model.check"], visible=src not in DEMOS, scale=1, elem_id="model-check")
    info = relabel.handler_writes(gr.Markdown(describe(ctx, src, where), elem_id="model-info"))
    trust = form("model.trust_remote_code")
    warning = gr.Markdown(t["model.trust_warning"], visible=bool(form.start["model.trust_remote_code"]),
                          elem_id="model-trust-warning")
    form.rest("model")
    next_btn = gr.Button(t["btn.next"], variant="primary", elem_id="model-next")

    def on_source(src, p):
        visible = src not in DEMOS
        text = describe(ctx, src, p) if src in DEMOS or (p or "").strip() else ""
        return gr.update(visible=visible), gr.update(visible=visible), text

    source.change(on_source, [source, path], [path, check, info])
    check.click(lambda s, p: describe(ctx, s, p), [source, path], info)
    path.submit(lambda s, p: describe(ctx, s, p), [source, path], info)
    trust.change(lambda v: gr.update(visible=bool(v)), trust, warning)

    def redraw(s, p):
        """The info again in the page's language (on_source's text); a hub model from what it last said (a
        language switch makes no hub request)."""
        if s == "hub":
            return describe(ctx, s, p, cached_only=True) or gr.skip()
        return describe(ctx, s, p) if s in DEMOS or (s == "local" and (p or "").strip()) else gr.skip()

    return ModelStep(info, next_btn, (redraw, [source, path], info))
