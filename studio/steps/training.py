"""Wizard step 4: how long and how fast to train. Every field's tooltip is the spec's help."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from backend.spec import ATTENTION_CHOICES, SCHEDULERS
from backend.spec_distributed import STRATEGIES
from studio.context import Ctx
from studio.form import FormValues


@dataclass
class TrainingStep:
    num_epochs: gr.Number
    max_steps: gr.Number
    learning_rate: gr.Number
    batch_size: gr.Number
    gradient_accumulation_steps: gr.Number
    max_length: gr.Number
    scheduler: gr.Dropdown
    warmup_ratio: gr.Slider
    seed: gr.Number
    logging_steps: gr.Number
    eval_split: gr.Slider
    save_steps: gr.Number
    save_minutes: gr.Number
    next: gr.Button
    back: gr.Button
    early_stopping_patience: gr.Number
    early_stopping_min_delta: gr.Number
    report_to: gr.CheckboxGroup
    num_processes: gr.Number
    strategy: gr.Dropdown
    group_by_length: gr.Dropdown
    padding_free: gr.Dropdown
    gradient_checkpointing: gr.Dropdown
    attention: gr.Dropdown
    fused_kernels: gr.Dropdown
    compile: gr.Dropdown

    def form_tail(self) -> list:
        """Its components after the method step's, in FormValues order."""
        return [self.early_stopping_patience, self.early_stopping_min_delta, self.report_to, self.num_processes,
                self.strategy, self.group_by_length, self.padding_free, self.gradient_checkpointing, self.attention,
                self.fused_kernels, self.compile]


def build(ctx: Ctx, s: FormValues) -> TrainingStep:
    t = ctx.t

    def number(name: str, value, section: str = "training", **kw) -> gr.Number:
        dotted = f"{section}.{name}"
        return gr.Number(value, label=t[dotted], info=t["help." + dotted], elem_id=dotted.replace(".", "-"), **kw)

    def choice(name: str, values: tuple, value) -> gr.Dropdown:
        """A training.<name> dropdown whose entries read t["training.<name>.<value>"]."""
        dotted = f"training.{name}"
        return gr.Dropdown([(t[f"{dotted}.{v}"], v) for v in values], value=value, label=t[dotted],
                           info=t["help." + dotted], elem_id=dotted.replace(".", "-"))

    gr.Markdown(t["training.intro"])
    with gr.Row():
        epochs = number("num_epochs", s.num_epochs, minimum=0)
        max_steps = number("max_steps", s.max_steps, precision=0, minimum=0)
        lr = number("learning_rate", s.learning_rate, minimum=0, step=1e-5)
    with gr.Row():
        batch = number("batch_size", s.batch_size, precision=0, minimum=1)
        accum = number("gradient_accumulation_steps", s.gradient_accumulation_steps, precision=0, minimum=1)
        max_length = number("max_length", s.max_length, precision=0, minimum=8)
    with gr.Row():
        scheduler = gr.Dropdown(
            list(SCHEDULERS),
            value=s.scheduler,
            label=t["training.scheduler"],
            info=t["help.training.scheduler"],
            elem_id="training-scheduler",
        )
        warmup = gr.Slider(
            0.0,
            0.5,
            value=s.warmup_ratio,
            step=0.01,
            label=t["training.warmup_ratio"],
            info=t["help.training.warmup_ratio"],
            elem_id="training-warmup_ratio",
        )
        eval_split = gr.Number(  # a share (below 1) or a row count (1 or more)
            value=s.eval_split,
            minimum=0,
            step=0.05,
            label=t["data.eval_split"],
            info=t["help.data.eval_split"],
            elem_id="data-eval_split",
        )
    with gr.Row():
        seed = number("seed", s.seed, precision=0, minimum=0)
        logging_steps = number("logging_steps", s.logging_steps, precision=0, minimum=1)
    with gr.Row():  # stop when the eval loss stops improving (needs an eval split)
        patience = number("early_stopping_patience", s.early_stopping_patience, precision=0, minimum=0)
        min_delta = number("early_stopping_min_delta", s.early_stopping_min_delta, minimum=0, step=0.001)
    report_to = gr.CheckboxGroup(
        [(t["training.report_to.tensorboard"], "tensorboard"), (t["training.report_to.wandb"], "wandb"),
         (t["training.report_to.swanlab"], "swanlab")],
        value=list(s.report_to), label=t["training.report_to"], info=t["help.training.report_to"],
        elem_id="training-report_to",
    )
    with gr.Row():  # how often to checkpoint: what a crash or a stop can lose
        save_steps = number("save_steps", s.save_steps, precision=0, minimum=0)
        save_minutes = number("save_minutes", s.save_minutes, minimum=0, step=0.5)
    with gr.Row():  # how rows become batches (benchmarks/bench_train.py)
        group_by_length = choice("group_by_length", ("auto", "on", "off"), s.group_by_length)
        padding_free = choice("padding_free", ("auto", "on", "off"), s.padding_free)
        # auto: the worker turns it on when the memory estimate says so
        checkpointing = choice("gradient_checkpointing", ("auto", "on", "off"), s.gradient_checkpointing)
    with gr.Row():  # the kernels (backend/training/accel.py; the worker's log names what it chose)
        attention = choice("attention", ATTENTION_CHOICES, s.attention)
        fused_kernels = choice("fused_kernels", ("auto", "on", "off"), s.fused_kernels)
        compile_layers = choice("compile", ("off", "on"), s.compile)
    with gr.Row():  # several GPUs (or CPU processes over gloo): the scheduler starts them with accelerate launch
        num_processes = number("num_processes", s.num_processes, section="distributed", precision=0, minimum=1)
        strategy = gr.Dropdown(list(STRATEGIES), value=s.strategy, label=t["distributed.strategy"],
                               info=t["help.distributed.strategy"], elem_id="distributed-strategy")
    with gr.Row():
        back = gr.Button(t["btn.back"], elem_id="training-back")
        next_btn = gr.Button(t["btn.next"], variant="primary", elem_id="training-next")
    return TrainingStep(
        epochs,
        max_steps,
        lr,
        batch,
        accum,
        max_length,
        scheduler,
        warmup,
        seed,
        logging_steps,
        eval_split,
        save_steps,
        save_minutes,
        next_btn,
        back,
        patience,
        min_delta,
        report_to,
        num_processes,
        strategy,
        group_by_length,
        padding_free,
        checkpointing,
        attention,
        fused_kernels,
        compile_layers,
    )
