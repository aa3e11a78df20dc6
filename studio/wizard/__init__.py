"""The Train wizard: five steps over one form whose components are keyed by spec field path.

    wizard = build(ctx, form_from_spec(defaults))   # inside the Train tab
    wizard.form.inputs                              # every form component: handlers get {component: value}
    values = wizard.form.values(data)               # {"training.learning_rate": 2e-4, ...} (studio.wizard.form)
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from studio.wizard.fields import Form


@dataclass
class Wizard:
    tabs: gr.Tabs
    step_tabs: list  # one gr.Tab per step, in studio.wizard.state.WIZARD_STEPS order
    form: Form
    model: object  # each step's own widgets (buttons, summaries)
    data: object
    method: object
    training: object
    review: object


def build(ctx, start: dict) -> Wizard:
    """The steps' tabs with every form field placed (a field no step places goes to its step's end)."""
    from studio.wizard import data as data_step
    from studio.wizard import method as method_step
    from studio.wizard import model as model_step
    from studio.wizard import review as review_step
    from studio.wizard import training as training_step

    t = ctx.t
    form = Form(ctx, start)
    with gr.Tabs(selected="model", elem_id="wizard") as tabs:
        with gr.Tab(t["step.model"], id="model", elem_id="step-model") as model_tab:
            model = model_step.build(ctx, form)
        with gr.Tab(t["step.data"], id="data", elem_id="step-data") as data_tab:
            data = data_step.build(ctx, form)
        with gr.Tab(t["step.method"], id="method", elem_id="step-method") as method_tab:
            method = method_step.build(ctx, form)
        with gr.Tab(t["step.training"], id="training", elem_id="step-training") as training_tab:
            training = training_step.build(ctx, form)
        with gr.Tab(t["step.review"], id="review", elem_id="step-review") as review_tab:
            review = review_step.build(ctx, form)
    missing = form.missing()
    if missing:  # a "ui.*" key (studio.wizard.form) whose widget no step builds
        raise KeyError(missing)
    data_step.wire(ctx, data, form)
    method_step.wire(ctx, form, method)
    return Wizard(tabs, [model_tab, data_tab, method_tab, training_tab, review_tab], form, model, data, method,
                  training, review)
