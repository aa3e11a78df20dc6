"""The wizard's widgets, keyed by the form's keys (studio.wizard.form: a spec field's dotted path, or "ui.*").

    form = Form(ctx, form_from_spec(defaults))
    with gr.Row():
        form("training.learning_rate")            # a gr.Number: label, help, id and value from the key
    form.rest("training")                         # every other field of the step (a new spec field)
    ...
    btn.click(fn, form.inputs, outputs)           # fn({component: value}): form.values(data) is the dict
    return form.updates(values)                   # {component: value}: fills the widgets (Runs → Clone)

A field gets the default widget of its type: a Checkbox for a bool, a Dropdown for choices (a
CheckboxGroup for a list of them), a Number for a number, a Textbox for text. WIDGETS holds the
fields whose widget is not the default or whose label, help or element id are not the usual ones;
a step builds a widget of its own and registers it with `form.add` where neither fits (the
placeholder slots). Texts come through `text_of`, the one place that knows the table keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from backend.resources import CHAT_TEMPLATES_DIR
from backend.spec import REWARDS
from studio.i18n.tables import field_label
from studio.wizard import form as F

_DEFAULT = object()


@dataclass(frozen=True)
class Widget:
    """How one form key is shown, where the default does not fit."""

    kind: type | None = None  # gr.Radio, gr.Slider, gr.State, ... (None: by the field's type)
    label: str | None = None  # table key of the label (None: the form key)
    info: Any = _DEFAULT  # table key of the help (default "help.<key>"; None: no help)
    elem_id: Any = _DEFAULT  # default: the key with "-" for "." (training-learning_rate)
    choices: Any = None  # the values to pick from, or a function of ctx (None: the field's choices)
    choice_text: str | None = None  # table key prefix of the choices' labels (None: the form key)
    kw: dict = field(default_factory=dict)  # more arguments of the component (minimum, step, ...)
    step: str | None = None  # the wizard step that shows it, when not its section's


def _number(minimum=None, **kw) -> Widget:
    """A number field; `minimum` is the least the spec accepts, for the reader: the Number box takes any number and
    the spec's check refuses one out of range by the field's name (Form.__call__)."""
    return Widget(kw={"minimum": minimum, **kw} if minimum is not None else kw)


def _id(elem_id: str, **kw) -> Widget:
    return Widget(elem_id=elem_id, kw=kw)


def chat_template_names() -> list[str]:
    return sorted(p.stem for p in CHAT_TEMPLATES_DIR.glob("*.jinja"))


def _chat_templates(ctx) -> list:
    return [("data.template.auto", ""), *[(None, n) for n in chat_template_names()]]


WIDGETS: dict[str, Widget] = {
    # Model step
    F.MODEL_SOURCE: Widget(gr.Radio, label="model.source", info="help.model.name_or_path", elem_id="model-source",
                           choices=F.MODEL_SOURCES, choice_text="model.source"),
    F.MODEL_PATH: Widget(gr.Textbox, label="model.path", info=None, elem_id="model-path",
                         kw={"placeholder": "model.path.placeholder"}),
    "model.trust_remote_code": _id("model-trust"),
    # Data step
    F.DATA_SOURCE: Widget(gr.Radio, label="data.source", info="help.data.train", elem_id="data-source",
                          choices=F.DATA_SOURCES, choice_text="data.source"),
    F.DATA_PATH: Widget(gr.State),  # the chosen source's value (its boxes are the step's own)
    F.PLACEHOLDER_KEYS: Widget(gr.State),
    "data.columns": Widget(gr.State),  # set by the mapping dropdowns
    "data.dataset_dir": Widget(label="data.registry", elem_id="data-registry-dir"),
    "model.chat_template": Widget(gr.Dropdown, label="data.template", elem_id="data-template",
                                  choices=_chat_templates, step="data"),  # where its effect is seen
    F.MIX_WITH: Widget(gr.Textbox, label="data.mix_with", info="data.mix_with.info", elem_id="data-mix-with"),
    "data.reasoning": Widget(gr.Radio),
    # Method step
    "stage": Widget(gr.Radio, label="method.stage"),
    "method.name": Widget(gr.Radio, choice_text="method"),
    "method.lora_r": _id("lora-r", minimum=1),
    "method.lora_alpha": _id("lora-alpha", minimum=1),
    "method.lora_dropout": Widget(gr.Slider, elem_id="lora-dropout", kw={"minimum": 0.0, "maximum": 0.5, "step": 0.01}),
    "method.target_modules": _id("lora-targets"),
    "method.quant_bits": Widget(gr.Radio, elem_id="quant-bits"),
    "method.double_quant": _id("double-quant"),
    "method.adalora_init_r": _id("adalora-init-r", minimum=1),
    "method.adalora_target_r": _id("adalora-target-r", minimum=1),
    "method.freeze_layers": _id("freeze-layers", minimum=1),
    "method.freeze_modules": _id("freeze-modules"),
    "method.num_virtual_tokens": _id("virtual-tokens", minimum=1),
    "align.beta": _number(minimum=0),
    "align.dpo_loss": _id("dpo-loss"),
    "align.kto_desirable_weight": _id("kto-desirable"),
    "align.kto_undesirable_weight": _id("kto-undesirable"),
    "align.num_generations": _id("num-generations", minimum=2),
    "align.max_completion_length": _id("max-completion", minimum=1),
    "align.temperature": _id("temperature", minimum=0.01),
    "align.grpo_loss": _id("grpo-loss"),
    "align.importance_sampling": Widget(gr.Radio, elem_id="importance-sampling", choice_text="align.sampling"),
    **{f"align.rewards.{r}": Widget(gr.Slider, label=f"reward.{r}", info=f"reward.{r}.info", elem_id=f"reward-{r}",
                                    kw={"minimum": 0.0, "maximum": 2.0, "step": 0.1}) for r in REWARDS},
    "align.length_target": _id("length-target", minimum=1),
    # Training step
    "training.num_epochs": _number(minimum=0),
    "training.max_steps": _number(minimum=0),
    "training.learning_rate": _number(minimum=0, step=1e-5),
    "training.batch_size": _number(minimum=1),
    "training.gradient_accumulation_steps": _number(minimum=1),
    "training.max_length": _number(minimum=8),
    "training.warmup_ratio": Widget(gr.Slider, kw={"minimum": 0.0, "maximum": 0.5, "step": 0.01}),
    "data.eval_split": _number(minimum=0, step=0.05),  # a share (below 1) or a row count (1 or more)
    "training.seed": _number(minimum=0),
    "training.logging_steps": _number(minimum=1),
    "training.early_stopping_patience": _number(minimum=0),
    "training.early_stopping_min_delta": _number(minimum=0, step=0.001),
    "training.save_steps": _number(minimum=0),
    "training.save_minutes": _number(minimum=0, step=0.5),
    "distributed.num_processes": _number(minimum=1),
}


def text_of(t, key: str, part: str = "label", value: Any = None) -> str | None:
    """The text of a form key in the page's language: its `label`, its `info` (help), or the label of
    one of its `choice` values. The one place that knows which table key each text has; a text the
    tables lack falls back to the spec (a field added since the tables were read)."""
    w = WIDGETS.get(key, Widget())
    if part == "label":
        name = w.label or key
        return t[name] if name in t else field_label(key)
    if part == "info":
        name = f"help.{key}" if w.info is _DEFAULT else w.info
        if name is None:
            return None
        if name in t:
            return t[name]
        field = F.spec_fields().get(key)
        return field.help if field else None
    name = f"{w.choice_text or key}.{value}"
    return t[name] if name in t else str(value)


def _choices(ctx, key: str, field: F.Field | None) -> list[tuple[str, Any]]:
    w = WIDGETS.get(key, Widget())
    values = w.choices(ctx) if callable(w.choices) else w.choices or (field.choices if field else ())
    out = []
    for v in values:
        if isinstance(v, tuple):  # (table key or None, value)
            text_key, v = v
            out.append((ctx.t[text_key] if text_key else str(v), v))
        else:
            out.append((text_of(ctx.t, key, "choice", v), v))
    return out


class Form:
    """The wizard's components by form key, with the values they started from."""

    def __init__(self, ctx, start: dict):
        self.ctx, self.start = ctx, start
        self.components: dict[str, Any] = {}  # key -> a component, or a list of them (slots)
        self._updaters: dict[str, Callable] = {}

    # -- building ----------------------------------------------------------------------------
    def __call__(self, key: str, update: Callable | None = None, **layout) -> Any:
        """The widget of `key` (its start value, texts and id), registered; `layout` adds arguments
        such as scale or visible; `update` as for `add`."""
        t, w, field = self.ctx.t, WIDGETS.get(key, Widget()), F.spec_fields().get(key)
        value = self.start.get(key, field.default if field else None)
        kind = w.kind or _default_kind(field)
        if kind is gr.State:
            return self.add(key, gr.State(value), update)
        kw: dict[str, Any] = {"label": text_of(t, key)}
        info = text_of(t, key, "info")
        if info is not None:
            kw["info"] = info
        kw["elem_id"] = key.replace(".", "-") if w.elem_id is _DEFAULT else w.elem_id
        if kind in (gr.Radio, gr.Dropdown, gr.CheckboxGroup):
            kw["choices"] = _choices(self.ctx, key, field)
        if kind is gr.Number and field is not None and field.kind == "int":
            kw["precision"] = 0
        for name, arg in w.kw.items():
            kw[name] = t[arg] if name == "placeholder" else arg
        if kind is gr.Slider:
            value = float(value or 0.0)
        if kind is gr.Number:  # any number reaches the handlers: the spec's check names the field and its range
            # (gradio's own refusal, "Value 0 is less than minimum value 1.", named no field and failed every
            # handler given the form: the Review, the step marks, Start)
            kw = {k: v for k, v in kw.items() if k not in ("minimum", "maximum")}
        return self.add(key, kind(value=value, **{**kw, **layout}), update)

    def add(self, key: str, component: Any, update: Callable | None = None) -> Any:
        """Register a component (or a list of them) a step built itself; `update(value, values)` gives
        its updates when the form is filled (default: the value)."""
        if key in self.components:
            raise KeyError(key)  # one component per key
        self.components[key] = component
        if update is not None:
            self._updaters[key] = update
        return component

    def rest(self, step: str) -> list:
        """Widgets for the spec fields of `step` no step placed itself (a field added to the spec shows
        up here without further edits)."""
        made = []
        todo = [k for k in F.form_keys() if k not in self.components and k in F.spec_fields() and _step(k) == step]
        if todo:
            with gr.Row():
                made = [self(k) for k in todo]
        return made

    def missing(self) -> list[str]:
        """Form keys without a component (a step must build them)."""
        return [k for k in F.form_keys() if k not in self.components]

    # -- using -------------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self.components[key]

    @property
    def inputs(self) -> set:
        """Every component of the form, as a set: a handler given it receives one {component: value}."""
        out = set()
        for c in self.components.values():
            out.update(c if isinstance(c, list) else [c])
        return out

    def values(self, data: dict) -> dict:
        """{key: value} from a handler's {component: value} (components of other parts are ignored)."""
        out = {}
        for key, c in self.components.items():
            if isinstance(c, list):
                if all(x in data for x in c):
                    out[key] = [data[x] for x in c]
            elif c in data:
                out[key] = data[c]
        return out

    def updates(self, values: dict) -> dict:
        """{component: value or update} that show `values` in the form."""
        out = {}
        for key, value in values.items():
            c = self.components.get(key)
            if c is None:
                continue
            shown = self._updaters[key](value, values) if key in self._updaters else value
            if isinstance(c, list):
                out.update(zip(c, shown, strict=True))
            else:
                out[c] = shown
        return out


def _step(key: str) -> str:
    """The wizard step that shows a spec field (its section's; `distributed` on the Training step)."""
    from studio.wizard.state import step_of

    if key in WIDGETS and WIDGETS[key].step:
        return WIDGETS[key].step
    return "training" if key.startswith("distributed.") else step_of(key)


def _default_kind(field: F.Field | None) -> type:
    kind = field.kind if field else "text"
    return {"bool": gr.Checkbox, "int": gr.Number, "float": gr.Number, "choice": gr.Dropdown,
            "choices": gr.CheckboxGroup}.get(kind, gr.Textbox)
