"""Wizard step 3: the training stage and the fine-tuning method, with only the settings that
matter for the pair chosen, what each does in one line, and pairs that cannot work refused
with the reason. Changing the method sets the learning rate usual for it."""

from __future__ import annotations

from dataclasses import dataclass, field

import gradio as gr

from backend.spec import DPO_LOSSES, GRPO_LOSSES, LORA_FAMILY, METHODS, PROMPT_METHODS, STAGES, stage_method_problems
from studio.context import Ctx
from studio.form import FormValues
from studio.i18n import msg

REWARD_NAMES = ("exact_match", "format", "length", "valid_json")
# Usual learning rates (a tiny demo model learns at about 10x these).
METHOD_LR = {"full": 2e-5, "freeze": 5e-5, "ia3": 3e-3, "prefix": 1e-2, "prompt": 3e-2, "ptuning": 1e-2}
LORA_LR = 2e-4


def usual_lr(method: str, demo: bool) -> float:
    lr = METHOD_LR.get(method, LORA_LR)
    return lr * 10 if demo else lr


@dataclass
class MethodStep:
    lora_r: gr.Number
    lora_alpha: gr.Number
    lora_dropout: gr.Slider
    target_modules: gr.Textbox
    next: gr.Button
    back: gr.Button
    stage: gr.Radio = None
    name: gr.Radio = None
    advice: gr.Markdown = None
    tail: list = field(default_factory=list)  # in FormValues order, from `stage` on

    def form_tail(self) -> list:
        return self.tail


def build(ctx: Ctx, start: FormValues) -> MethodStep:
    t = ctx.t
    gr.Markdown(t["method.intro"])
    stage = gr.Radio([(t[f"stage.{s}"], s) for s in STAGES], value=start.stage, label=t["method.stage"],
                     info=t["help.stage"], elem_id="stage")
    name = gr.Radio([(t[f"method.{m}"], m) for m in METHODS], value=start.method_name, label=t["method.name"],
                    info=t["help.method.name"], elem_id="method-name")
    advice = gr.Markdown(advice_markdown(t, start.stage, start.method_name), elem_id="method-advice")
    m0, s0 = start.method_name, start.stage
    with gr.Group(visible=m0 in LORA_FAMILY) as lora_box:
        with gr.Row():
            r = gr.Number(start.lora_r, label=t["method.lora_r"], info=t["help.method.lora_r"], precision=0,
                          minimum=1, elem_id="lora-r")
            alpha = gr.Number(start.lora_alpha, label=t["method.lora_alpha"], info=t["help.method.lora_alpha"],
                              precision=0, minimum=1, elem_id="lora-alpha")
            dropout = gr.Slider(0.0, 0.5, value=start.lora_dropout, step=0.01, label=t["method.lora_dropout"],
                                info=t["help.method.lora_dropout"], elem_id="lora-dropout")
    with gr.Group(visible=m0 in LORA_FAMILY or m0 == "ia3") as targets_box:
        targets = gr.Textbox(start.target_modules, label=t["method.target_modules"],
                             info=t["help.method.target_modules"], elem_id="lora-targets")
    with gr.Row(visible=m0 == "qlora") as qlora_box:
        bits = gr.Radio([(t["method.quant_bits.4"], 4), (t["method.quant_bits.8"], 8)], value=start.quant_bits, label=t["method.quant_bits"],
                        info=t["help.method.quant_bits"], elem_id="quant-bits")
        dq = gr.Checkbox(start.double_quant, label=t["method.double_quant"], info=t["help.method.double_quant"],
                         elem_id="double-quant")
    with gr.Row(visible=m0 == "adalora") as adalora_box:
        init_r = gr.Number(start.adalora_init_r, label=t["method.adalora_init_r"],
                           info=t["help.method.adalora_init_r"], precision=0, minimum=1, elem_id="adalora-init-r")
        target_r = gr.Number(start.adalora_target_r, label=t["method.adalora_target_r"],
                             info=t["help.method.adalora_target_r"], precision=0, minimum=1,
                             elem_id="adalora-target-r")
    with gr.Row(visible=m0 == "freeze") as freeze_box:
        f_layers = gr.Number(start.freeze_layers, label=t["method.freeze_layers"],
                             info=t["help.method.freeze_layers"], precision=0, minimum=1, elem_id="freeze-layers")
        f_modules = gr.Textbox(start.freeze_modules, label=t["method.freeze_modules"],
                               info=t["help.method.freeze_modules"], elem_id="freeze-modules")
    with gr.Row(visible=m0 in PROMPT_METHODS) as prompt_box:
        vtokens = gr.Number(start.num_virtual_tokens, label=t["method.num_virtual_tokens"],
                            info=t["help.method.num_virtual_tokens"], precision=0, minimum=1,
                            elem_id="virtual-tokens")
    with gr.Row(visible=s0 in ("dpo", "orpo", "kto")) as pref_box:
        beta = gr.Number(start.align_beta, label=t["align.beta"], info=t["help.align.beta"], minimum=0,
                         elem_id="align-beta")
        dpo_loss = gr.Dropdown(list(DPO_LOSSES), value=start.dpo_loss, label=t["align.dpo_loss"],
                               info=t["help.align.dpo_loss"], visible=s0 == "dpo", elem_id="dpo-loss")
        kto_d = gr.Number(start.kto_desirable_weight, label=t["align.kto_desirable_weight"],
                          info=t["help.align.kto_desirable_weight"], visible=s0 == "kto", elem_id="kto-desirable")
        kto_u = gr.Number(start.kto_undesirable_weight, label=t["align.kto_undesirable_weight"],
                          info=t["help.align.kto_undesirable_weight"], visible=s0 == "kto",
                          elem_id="kto-undesirable")
    with gr.Group(visible=s0 == "grpo") as grpo_box:
        with gr.Row():
            n_gen = gr.Number(start.num_generations, label=t["align.num_generations"],
                              info=t["help.align.num_generations"], precision=0, minimum=2, elem_id="num-generations")
            max_c = gr.Number(start.max_completion_length, label=t["align.max_completion_length"],
                              info=t["help.align.max_completion_length"], precision=0, minimum=1,
                              elem_id="max-completion")
            temp = gr.Number(start.temperature, label=t["align.temperature"], info=t["help.align.temperature"],
                             minimum=0.01, elem_id="temperature")
        with gr.Row():
            grpo_loss = gr.Dropdown(list(GRPO_LOSSES), value=start.grpo_loss, label=t["align.grpo_loss"],
                                    info=t["help.align.grpo_loss"], elem_id="grpo-loss")
            sampling = gr.Radio([(t["align.sampling.token"], "token"), (t["align.sampling.sequence"], "sequence")],
                                value=start.importance_sampling, label=t["align.importance_sampling"],
                                info=t["help.align.importance_sampling"], elem_id="importance-sampling")
        gr.Markdown(t["align.rewards"])
        with gr.Row():
            weights = [
                gr.Slider(0.0, 2.0, value=float(getattr(start, f"reward_{n}") or 0.0), step=0.1,
                          label=t[f"reward.{n}"], info=t[f"reward.{n}.info"], elem_id=f"reward-{n}")
                for n in REWARD_NAMES
            ]
        length_target = gr.Number(start.length_target, label=t["align.length_target"],
                                  info=t["help.align.length_target"], precision=0, minimum=1,
                                  elem_id="length-target")
    with gr.Row():
        back = gr.Button(t["btn.back"], elem_id="method-back")
        next_btn = gr.Button(t["btn.next"], variant="primary", elem_id="method-next")

    def show(stage_value, method_value):
        m, s = method_value, stage_value
        return (
            advice_markdown(t, s, m),
            gr.update(visible=m in LORA_FAMILY), gr.update(visible=m in LORA_FAMILY or m == "ia3"),
            gr.update(visible=m == "qlora"), gr.update(visible=m == "adalora"), gr.update(visible=m == "freeze"),
            gr.update(visible=m in PROMPT_METHODS), gr.update(visible=s in ("dpo", "orpo", "kto")),
            gr.update(visible=s == "dpo"), gr.update(visible=s == "kto"), gr.update(visible=s == "kto"),
            gr.update(visible=s == "grpo"),
        )

    boxes = [advice, lora_box, targets_box, qlora_box, adalora_box, freeze_box, prompt_box, pref_box, dpo_loss,
             kto_d, kto_u, grpo_box]
    # One ordered queue: two quick clicks must not have the older answer land last and hide the
    # settings of the pair now chosen.
    for trigger in (stage.change, name.change):
        trigger(show, [stage, name], boxes, concurrency_limit=1, concurrency_id="method-show")
    step = MethodStep(r, alpha, dropout, targets, next_btn, back, stage, name, advice)
    step.tail = [stage, name, f_layers, f_modules, bits, dq, init_r, target_r, vtokens, beta, dpo_loss, kto_d, kto_u,
                 n_gen, max_c, temp, grpo_loss, sampling, *weights, length_target]
    return step


def wire(ctx: Ctx, step: MethodStep, model, training) -> None:
    """A new method brings its usual learning rate (the user can still change it)."""
    t = ctx.t

    def on_method(method, model_source):
        lr = usual_lr(method, model_source == "demo")
        gr.Info(t["method.lr_set"].format(lr=f"{lr:g}", method=method))
        return lr

    step.name.input(on_method, [step.name, model.source], training.learning_rate)


def advice_markdown(t: dict, stage: str, method: str) -> str:
    lines = [f"**{stage}** — {t[f'stage.{stage}.info']}", f"**{method}** — {t[f'method.{method}.info']}",
             t["method.data_needed"].format(kind=t[f"stage.{stage}.data"])]
    problems = stage_method_problems(stage, method)
    if problems:
        lines.append("⚠ " + msg(t, problems[0].message))
    return "  \n".join(lines)
