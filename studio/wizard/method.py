"""Wizard step 3: the training stage and the fine-tuning method, with only the settings that
matter for the pair chosen, what each does in one line, and pairs that cannot work refused
with the reason. Changing the method sets the learning rate usual for it."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from backend.spec import LORA_FAMILY, PROMPT_METHODS, stage_method_problems
from backend.spec.applies import LORA
from studio.context import Ctx
from studio.i18n import msg, relabel
from studio.wizard import vision as vl
from studio.wizard.fields import Form
from studio.wizard.form import DEMOS, MODEL_PATH, MODEL_SOURCE

REWARD_NAMES = ("exact_match", "format", "length", "valid_json")
# Usual learning rates (a tiny demo model learns at about 10x these).
METHOD_LR = {"full": 2e-5, "freeze": 5e-5, "ia3": 3e-3, "prefix": 1e-2, "prompt": 3e-2, "ptuning": 1e-2}
LORA_LR = 2e-4


def usual_lr(method: str, demo: bool) -> float:
    lr = METHOD_LR.get(method, LORA_LR)
    return lr * 10 if demo else lr


@dataclass
class MethodStep:
    """The step's own widgets; its fields are in the form (studio.wizard.fields.Form)."""

    advice: gr.Markdown
    next: gr.Button
    back: gr.Button
    vision: gr.State = None  # whether the Model step's choice is a vision-language model
    vision_box: gr.Group = None  # its options (train the projector / the vision tower)
    redraw: tuple = ()  # (fn, inputs, outputs): the advice in the page's language (after a language switch)


def build(ctx: Ctx, form: Form) -> MethodStep:
    t = ctx.t
    gr.Markdown(t["method.intro"])
    stage, name = form("stage"), form("method.name")
    s0, m0 = form.start["stage"], form.start["method.name"]
    v0 = vl.vision_model(ctx, form.start[MODEL_SOURCE], form.start[MODEL_PATH])
    vision = gr.State(v0)
    advice = relabel.handler_writes(gr.Markdown(advice_markdown(t, s0, m0, v0), elem_id="method-advice"))
    with gr.Group(visible=v0, elem_id="vision-options") as vision_box:  # a vision-language model's parts
        gr.Markdown(t["vl.wizard.options"])
        with gr.Row():
            form("method.train_projector")
            form("method.train_vision_tower")
    with gr.Group(visible=m0 in LORA_FAMILY) as lora_box:
        with gr.Row():
            lora_r = form("method.lora_r", visible=m0 in LORA)  # adalora has its own ranks (below)
            form("method.lora_alpha")
            form("method.lora_dropout")
    with gr.Group(visible=m0 in LORA_FAMILY or m0 == "ia3") as targets_box:
        form("method.target_modules")
    with gr.Row(visible=m0 == "qlora") as qlora_box:
        form("method.quant_bits")
        form("method.double_quant")
    with gr.Row(visible=m0 == "adalora") as adalora_box:
        form("method.adalora_init_r")
        form("method.adalora_target_r")
    with gr.Row(visible=m0 == "freeze") as freeze_box:
        form("method.freeze_layers")
        form("method.freeze_modules")
    with gr.Row(visible=m0 in PROMPT_METHODS) as prompt_box:
        form("method.num_virtual_tokens")
    with gr.Row(visible=s0 in ("dpo", "orpo", "kto")) as pref_box:
        form("align.beta")
        dpo_loss = form("align.dpo_loss", visible=s0 == "dpo")
        kto_d = form("align.kto_desirable_weight", visible=s0 == "kto")
        kto_u = form("align.kto_undesirable_weight", visible=s0 == "kto")
    with gr.Group(visible=s0 == "grpo") as grpo_box:
        with gr.Row():
            form("align.num_generations")
            form("align.max_completion_length")
            form("align.temperature")
        with gr.Row():
            form("align.grpo_loss")
            form("align.importance_sampling")
        gr.Markdown(t["align.rewards"])
        with gr.Row():
            for n in REWARD_NAMES:
                form(f"align.rewards.{n}")
        length_target = form("align.length_target", visible=bool(form.start.get("align.rewards.length")))
    form.rest("method")
    with gr.Row():
        back = gr.Button(t["btn.back"], elem_id="method-back")
        next_btn = gr.Button(t["btn.next"], variant="primary", elem_id="method-next")

    def show(stage_value, method_value, is_vision):
        m, s = method_value, stage_value
        return (
            advice_markdown(t, s, m, is_vision),
            gr.update(visible=m in LORA_FAMILY), gr.update(visible=m in LORA_FAMILY or m == "ia3"),
            gr.update(visible=m == "qlora"), gr.update(visible=m == "adalora"), gr.update(visible=m == "freeze"),
            gr.update(visible=m in PROMPT_METHODS), gr.update(visible=s in ("dpo", "orpo", "kto")),
            gr.update(visible=s == "dpo"), gr.update(visible=s == "kto"), gr.update(visible=s == "kto"),
            gr.update(visible=s == "grpo"), gr.update(visible=m in LORA),
        )

    boxes = [advice, lora_box, targets_box, qlora_box, adalora_box, freeze_box, prompt_box, pref_box, dpo_loss,
             kto_d, kto_u, grpo_box, lora_r]
    # One ordered queue: two quick clicks must not have the older answer land last and hide the
    # settings of the pair now chosen.
    for trigger in (stage.change, name.change):
        trigger(show, [stage, name, vision], boxes, concurrency_limit=1, concurrency_id="method-show")
    # The target length is what the length reward aims at: shown while that reward has a weight.
    form["align.rewards.length"].change(lambda weight: gr.update(visible=bool(weight)), form["align.rewards.length"],
                                        length_target, show_progress="hidden")
    return MethodStep(advice, next_btn, back, vision, vision_box,
                      (lambda s, m, v: advice_markdown(t, s, m, v), [stage, name, vision], advice))


def wire(ctx: Ctx, form: Form, step: MethodStep | None = None) -> None:
    """A new method brings its usual learning rate (the user can still change it). A new model: the options of
    a vision-language model shown or hidden, and the advice says what its image path does not offer."""
    t = ctx.t

    if step is not None:
        def on_model(source, path, stage_value, method_value):
            is_vision = vl.vision_model(ctx, source, path)
            return is_vision, gr.update(visible=is_vision), advice_markdown(t, stage_value, method_value, is_vision)

        model_ins = [form[MODEL_SOURCE], form[MODEL_PATH], form["stage"], form["method.name"]]
        for trigger in (form[MODEL_SOURCE].change, form[MODEL_PATH].change):
            trigger(on_model, model_ins, [step.vision, step.vision_box, step.advice], concurrency_limit=1,
                    concurrency_id="method-show", show_progress="hidden")

    def on_method(method, model_source):
        lr = usual_lr(method, model_source in DEMOS)
        gr.Info(t["method.lr_set"].format(lr=f"{lr:g}", method=method))
        return lr

    form["method.name"].input(on_method, [form["method.name"], form[MODEL_SOURCE]], form["training.learning_rate"])


def advice_markdown(t: dict, stage: str, method: str, vision: bool = False) -> str:
    lines = [f"**{stage}** — {t[f'stage.{stage}.info']}", f"**{method}** — {t[f'method.{method}.info']}",
             t["method.data_needed"].format(kind=t[f"stage.{stage}.data"])]
    problems = stage_method_problems(stage, method)
    if problems:
        lines.append("⚠ " + msg(t, problems[0].message))
    if vision:  # what the image path refuses (backend/training/run.py, vision_model.py), said before Train
        from types import SimpleNamespace

        spec = SimpleNamespace(stage=stage, method=SimpleNamespace(name=method),
                               model=SimpleNamespace(name_or_path=t["vl.wizard.this_model"]))
        lines += ["⚠ " + msg(t, m) for _, m in vl.vision_problems(spec)]
    return "  \n".join(lines)
