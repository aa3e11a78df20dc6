"""The Review step's "Try several values": up to 3 spec fields with comma-separated values, the method (grid,
random, TPE), the runs, the median early stop, and "Start sweep" beside Start (Start itself unchanged). The sweep
is the Review's spec with a `sweep:` section (backend/sweep/); its runs go through the queue.

    panel = sweep_panel.build(ctx)                      # in the Review step
    sweep_panel.wire(ctx, panel, form, inputs, review.problems, refusal)   # studio.app
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import gradio as gr
import yaml

from studio.context import Ctx
from studio.unexpected import unexpected

# The common fields first; any other field path can be typed.
COMMON = ("training.learning_rate", "method.lora_r", "training.num_epochs", "training.batch_size",
          "method.lora_alpha", "training.warmup_ratio", "training.max_steps", "method.lora_dropout")
SLOTS = 3
RECENT_S = 10.0  # a second "Start sweep" of the same sweep this soon is the same click (studio.wizard.start_once)


@dataclass
class SweepPanel:
    fields: list
    values: list
    method: gr.Radio
    trials: gr.Number
    early_stop: gr.Checkbox
    start: gr.Button

    @property
    def components(self) -> list:
        return [*self.fields, *self.values, self.method, self.trials, self.early_stop]


def build_button(ctx: Ctx) -> gr.Button:
    """"Start sweep", for the Review step's row of buttons."""
    return gr.Button(ctx.t["sweep.start"], elem_id="start-sweep-button")


def build(ctx: Ctx, start: gr.Button) -> SweepPanel:
    t = ctx.t
    with gr.Accordion(t["sweep.try"], open=False, elem_id="sweep-try"):
        gr.Markdown(t["sweep.try_intro"], elem_classes=["dp-note"])
        fields, values = [], []
        for n in range(1, SLOTS + 1):
            with gr.Row():
                fields.append(gr.Dropdown(list(COMMON), value=None, allow_custom_value=True,
                                          label=t["sweep.field"].format(n=n), elem_id=f"sweep-field-{n}"))
                values.append(gr.Textbox(label=t["sweep.values"].format(n=n), placeholder=t["sweep.values_hint"],
                                         elem_id=f"sweep-values-{n}"))
        with gr.Row():
            method = gr.Radio([(t[f"sweep.method.{m}"], m) for m in ("grid", "random", "tpe")], value="grid",
                              label=t["sweep.method"], elem_id="sweep-method")
            # No minimum: gradio's refusal ("Value 0 is less than minimum value 1.") names no box; section_of does.
            trials = gr.Number(value=6, precision=0, label=t["sweep.trials"], elem_id="sweep-trials")
            early = gr.Checkbox(value=True, label=t["sweep.early_stop"], elem_id="sweep-early-stop")
    return SweepPanel(fields, values, method, trials, early, start)


def section_of(t, fields: list, values: list, method: str, trials, early_stop: bool) -> dict | str:
    """The `sweep:` section the panel describes, or what is missing (a text for the page)."""
    parameters = {}
    for field, text in zip(fields, values):
        field, text = (field or "").strip(), (text or "").strip()
        if not field or not text:
            continue
        parsed = []
        for piece in text.split(","):
            try:
                parsed.append(_number(piece.strip()))
            except yaml.YAMLError:
                return t["sweep.bad_number"].format(field=field, value=piece.strip())
        parameters[field] = parsed
    if not parameters:
        return t["sweep.nothing"]
    section = {"method": method or "grid", "parameters": parameters, "early_stop": "median" if early_stop else "none"}
    if section["method"] != "grid":
        if trials is None or trials < 1:
            return t["sweep.bad_trials"].format(value="—" if trials is None else trials)
        section["trials"] = int(trials)
    return section


def _number(text: str):
    """A value typed in the panel: a whole number, a number ("5e-4", which YAML would read as text), else YAML."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return yaml.safe_load(text)


def wire(ctx: Ctx, panel: SweepPanel, form, inputs, problems: gr.Markdown, refusal) -> None:
    """`refusal(values)`: the Review's (spec, None) for a form that may start, else (None, its problems as Markdown)
    (studio.app passes it: the Review builds this panel, so this module does not import it)."""
    from backend.messages import message_of
    from backend.sweep.create import create_sweep
    from backend.sweep.spec import SweepError
    from studio.i18n import render

    t = ctx.t
    lock, recent = threading.Lock(), {}  # the last sweep started: (its spec and section, when, its id)

    @unexpected(t, "start", fallback=lambda message: {problems: message})
    def start_sweep(values: dict):
        spec, refused = refusal(values)
        if refused is not None:
            gr.Warning(t["review.refused"])
            return {problems: refused}
        section = section_of(t, [values[f] for f in panel.fields], [values[v] for v in panel.values],
                             values[panel.method], values[panel.trials], values[panel.early_stop])
        if isinstance(section, str):
            gr.Warning(section)
            return {problems: section}
        same = (spec.to_yaml(), repr(section))
        with lock:
            if recent.get("what") == same and time.time() - recent.get("at", 0) < RECENT_S:
                gr.Warning(t["sweep.twin"].format(sweep=recent["id"]))
                return {problems: t["sweep.twin"].format(sweep=recent["id"])}
            try:
                sweep_id = create_sweep(ctx.store, spec, section)
            except SweepError as e:
                lang = getattr(t, "lang", "en")
                text = "\n".join(f"- {render(p, lang)}" for p in e.problems) if e.problems else message_of(e)
                gr.Warning(t["review.refused"])
                return {problems: text}
            recent.update(what=same, at=time.time(), id=sweep_id)
        from backend.sweep import study as st

        trials = st.read_sweep(st.sweep_dir(ctx.store.workspace, sweep_id))[1].trials
        gr.Info(t["sweep.started"].format(sweep=sweep_id, trials=trials))
        return {problems: t["sweep.started"].format(sweep=sweep_id, trials=trials)}

    # once per click: a double-click is one sweep (and a second Start within RECENT_S is refused above)
    panel.start.click(start_sweep, set(inputs) | set(panel.components), [problems], trigger_mode="once",
                      concurrency_limit=1)
