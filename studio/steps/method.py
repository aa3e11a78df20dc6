"""Wizard step 3: the fine-tuning method (LoRA) and its settings."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from studio.context import Ctx
from studio.form import FormValues


@dataclass
class MethodStep:
    lora_r: gr.Number
    lora_alpha: gr.Number
    lora_dropout: gr.Slider
    target_modules: gr.Textbox
    next: gr.Button
    back: gr.Button


def build(ctx: Ctx, start: FormValues) -> MethodStep:
    t = ctx.t
    gr.Markdown(t["method.intro"])
    with gr.Row():
        r = gr.Number(
            start.lora_r,
            label=t["method.lora_r"],
            info=t["help.method.lora_r"],
            precision=0,
            minimum=1,
            elem_id="lora-r",
        )
        alpha = gr.Number(
            start.lora_alpha,
            label=t["method.lora_alpha"],
            info=t["help.method.lora_alpha"],
            precision=0,
            minimum=1,
            elem_id="lora-alpha",
        )
        dropout = gr.Slider(
            0.0,
            0.5,
            value=start.lora_dropout,
            step=0.01,
            label=t["method.lora_dropout"],
            info=t["help.method.lora_dropout"],
            elem_id="lora-dropout",
        )
    targets = gr.Textbox(
        start.target_modules,
        label=t["method.target_modules"],
        info=t["help.method.target_modules"],
        elem_id="lora-targets",
    )
    with gr.Row():
        back = gr.Button(t["btn.back"], elem_id="method-back")
        next_btn = gr.Button(t["btn.next"], variant="primary", elem_id="method-next")
    return MethodStep(r, alpha, dropout, targets, next_btn, back)
