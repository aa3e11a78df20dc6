"""Wizard step 4: how long and how fast to train. Every field's tooltip is the spec's help."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from studio.context import Ctx
from studio.wizard.fields import Form


@dataclass
class TrainingStep:
    """The step's own widgets; its fields are in the form (studio.wizard.fields.Form)."""

    next: gr.Button
    back: gr.Button


def build(ctx: Ctx, form: Form) -> TrainingStep:
    t = ctx.t
    gr.Markdown(t["training.intro"])
    with gr.Row():
        form("training.num_epochs")
        form("training.max_steps")
        form("training.learning_rate")
    with gr.Row():
        form("training.batch_size")
        form("training.gradient_accumulation_steps")
        form("training.max_length")
    with gr.Row():
        form("training.scheduler")
        form("training.warmup_ratio")
        form("data.eval_split")
    with gr.Row():
        form("training.seed")
        form("training.logging_steps")
    with gr.Row():  # stop when the eval loss stops improving (needs an eval split)
        form("training.early_stopping_patience")
        form("training.early_stopping_min_delta")
    form("training.report_to")
    with gr.Row():  # how often to checkpoint: what a crash or a stop can lose
        form("training.save_steps")
        form("training.save_minutes")
    with gr.Row():  # how rows become batches (benchmarks/bench_train.py)
        form("training.group_by_length")
        form("training.padding_free")
        form("training.gradient_checkpointing")  # auto: the worker turns it on when the memory estimate says so
    with gr.Row():  # the kernels (backend/training/accel.py; the worker's log names what it chose)
        form("training.attention")
        form("training.fused_kernels")
        form("training.compile")
    with gr.Row():  # several GPUs (or CPU processes over gloo): the scheduler starts them with accelerate launch
        form("distributed.num_processes")
        form("distributed.strategy")
    form.rest("training")
    with gr.Row():
        back = gr.Button(t["btn.back"], elem_id="training-back")
        next_btn = gr.Button(t["btn.next"], variant="primary", elem_id="training-next")
    return TrainingStep(next_btn, back)
