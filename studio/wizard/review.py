"""Wizard step 5: Start, with every problem by field and the plan beside it (seen without scrolling), and the
spec as YAML folded below: the fields that apply to this job (backend/spec/applies.py); the job's spec.yaml keeps
every field."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from backend.data.read import DataError
from backend.messages import message_of
from backend.spec import DEMO, JobSpec, SpecError, SpecIssue
from backend.spec.applies import applicable_yaml
from studio.context import Ctx
from studio.i18n import msg
from studio.unexpected import unexpected
from studio.views import data_view
from studio.wizard import sweep_panel
from studio.wizard.fields import Form
from studio.wizard.form import MODEL_SOURCE, FormValues, spec_from_form
from studio.wizard.review_plan import length_cap, plan_markdown, sample_fit


@dataclass
class ReviewStep:
    yaml: gr.Code
    estimate: gr.Markdown
    problems: gr.Markdown
    start: gr.Button
    back: gr.Button
    measure: gr.Button
    sweep: object = None  # studio.wizard.sweep_panel.SweepPanel ("Try several values"; wired in studio.app)


@dataclass
class Review:
    spec: JobSpec | None
    yaml: str
    estimate: str
    issues: list[SpecIssue]


def check(ctx: Ctx, values: FormValues) -> Review:
    """Validate the form as a whole: the spec's own rules, then that the data and model exist."""
    t = ctx.t
    try:
        spec = spec_from_form(values, base=ctx.defaults, t=t)
    except SpecError as e:
        return Review(None, "", t["review.estimate_unknown"], e.issues)
    issues: list[SpecIssue] = []
    estimate = t["review.estimate_unknown"]
    try:
        estimate = plan_markdown(ctx, spec, values, data_view.source_rows(ctx, spec.data))
        kind = data_view.data_kind(ctx, spec.data)
        if kind not in data_view.STAGE_KINDS.get(spec.stage, ()) and spec.stage != "ppo":
            issues.append(SpecIssue("stage", t["review.stage_data"].format(
                stage=spec.stage, kind=kind, needs=t[f"stage.{spec.stage}.data"])))
        else:
            issues += fit_issues(ctx, spec, values)
    except DataError as e:
        issues.append(SpecIssue("data.train", message_of(e)))
    estimate += resources_markdown(ctx, spec, values)
    from studio.wizard.vision import vision_model, vision_problems

    if vision_model(ctx, values[MODEL_SOURCE], spec.model.name_or_path):  # what the image path refuses, now
        issues += [SpecIssue(field, msg(t, message)) for field, message in vision_problems(spec)]
    if values[MODEL_SOURCE] == "local":
        issues += model_folder_issues(ctx, spec.model.name_or_path)
    elif values[MODEL_SOURCE] == "hub" and spec.model.name_or_path == DEMO:
        issues.append(SpecIssue("model.name_or_path", t["model.err.no_hub_id"]))
    elif values[MODEL_SOURCE] == "hub":  # neither cached nor reachable: the worker would refuse it at once
        from studio.wizard.hub_probe import HUB_PROBES  # the hub's answer remembered a minute per model id

        problem = HUB_PROBES.unreachable(spec.model.name_or_path, timeout_s=2.0)
        if problem:
            issues.append(SpecIssue("model.name_or_path", msg(t, problem)))
    return Review(spec, applicable_yaml(spec), estimate, issues)


def model_folder_issues(ctx: Ctx, name: str) -> list[SpecIssue]:
    """A local model folder outside the folders the studio may read is refused before it is looked at (the same
    words whether it exists: studio.wizard.model_info.check_model_folder); one inside must hold config.json."""
    from studio.wizard.model_info import ModelInfoError, check_model_folder

    t = ctx.t
    try:
        check_model_folder(name, ctx.data_roots, ctx.workspace.models_dir, t)
    except ModelInfoError as e:
        return [SpecIssue("model.name_or_path", e.args[0])]
    folder = Path(name).expanduser()
    if not (folder / "config.json").is_file():
        return [SpecIssue("model.name_or_path", t["model.err.not_model_folder"].format(folder=folder))]
    return []


def fit_issues(ctx: Ctx, spec: JobSpec, values: FormValues) -> list[SpecIssue]:
    """No sampled row can train at max_length (backend/data/fit.py): the worker would refuse the job; say so on
    `training.max_length`, with a length to try."""
    fit = None
    with unexpected.optional("sample_fit"):
        fit = sample_fit(ctx, spec, values)
    if fit is None or not fit.rule or fit.stage != spec.stage or not fit.total or fit.kept:
        return []
    return [SpecIssue("training.max_length", fit.refusal(cap=length_cap(ctx, spec, values)))]


def resources_markdown(ctx: Ctx, spec: JobSpec, values: FormValues) -> str:
    """Trainable parameters, the memory estimate on this machine, and a method that fits if needed."""
    from backend.plan.param_count import estimate_trainable
    from studio.wizard.model_info import model_config

    t = ctx.t
    config = model_config(values[MODEL_SOURCE], spec.model.name_or_path, ctx.workspace.models_dir, ctx.data_roots)
    if config is None:
        return "  \n" + t["review.params_unknown"]
    lines = []
    try:
        trainable, total = estimate_trainable(spec, config)
        lines.append(t["review.params"].format(trainable=f"{trainable:,}", total=f"{total:,}",
                                               share=f"{100 * trainable / max(total, 1):.2f}"))
    except (KeyError, ValueError, TypeError):
        lines.append(t["review.params_unknown"])
    try:
        from backend.plan.estimate import estimate_memory, format_bytes, recommend
        from backend.plan.hardware import detect
        from studio.wizard.review_plan import sample_fit, sample_image_tokens, sample_lengths, vision_split_markdown

        hw = detect(ctx.workspace.root)
        device = "cuda" if hw.gpus and spec.training.device != "cpu" else "cpu"
        lengths = images = fit = None  # a template that cannot render the sample: every row at max_length
        with unexpected.optional("sample_fit"):
            fit = sample_fit(ctx, spec, values)
        with unexpected.optional("sample_lengths"):  # the Data step's sample, the rows max_length keeps: the batches
            lengths = sample_lengths(ctx, spec, values, fit)  # training makes
        with unexpected.optional("sample_image_tokens"):  # a vision model's rows: their images' tokens
            images = sample_image_tokens(ctx, spec, values, config)
        est = estimate_memory(spec, config, device, lengths=lengths, image_tokens=images)
        budget = hw.budget_bytes(device)
        lines.append(t["review.memory"].format(
            total=format_bytes(est.total), device=t[f"review.device.{device}"],
            budget=format_bytes(budget) if budget else "?"))
        if est.vision is not None:  # the vision tower's and projector's share of it (issue 22)
            lines.append(vision_split_markdown(t, est))
        rec = recommend(spec, config, hw, lengths=lengths, image_tokens=images)
        auto_checkpointing = rec.action == "keep" and rec.estimate is not None and rec.estimate.total != est.total
        if auto_checkpointing:  # it fits: the worker will checkpoint (training.gradient_checkpointing: auto)
            lines.append("ℹ " + msg(t, rec.reason))
        elif rec.action in ("change", "nothing_fits"):
            changes = ", ".join(f"`{k}: {v}`" for k, v in (rec.changes or {}).items())
            lines.append("⚠ " + t["review.recommend"].format(reason=msg(t, rec.reason))
                         + (f" → {changes}" if changes else ""))
    except (KeyError, ValueError, TypeError) as e:  # a config the estimate cannot read
        lines.append(t["review.memory_unknown"].format(reason=e))
    return "  \n" + "  \n".join(lines)


def _without_field(text: str, field: str) -> str:
    """A message that names its field first (the command line's form) reads without it after the field's name."""
    lead = f"`{field}`"
    return text[len(lead):].lstrip(":： ") if text.startswith(lead) else text


def problems_markdown(t: dict[str, str], issues: list[SpecIssue]) -> str:
    if not issues:
        return t["review.ok"]
    lines = [f"- **`{i.field}`**: {html.escape(_without_field(msg(t, i.message), i.field))}" for i in issues]
    return "⚠ " + t["review.problems"] + "\n" + "\n".join(lines)


def build(ctx: Ctx, form: Form) -> ReviewStep:
    """Start at the top, where a 1400x900 window shows it without scrolling, the problems (why Start is off) right
    under it, then the plan; the YAML folded at the end."""
    t = ctx.t
    gr.Markdown(t["review.intro"])
    with gr.Row():
        back = gr.Button(t["btn.back"], elem_id="review-back")
        start = gr.Button(t["btn.start"], variant="primary", elem_id="start-button")
        start_sweep = sweep_panel.build_button(ctx)  # several runs of this spec (studio/wizard/sweep_panel.py)
    sweep = sweep_panel.build(ctx, start_sweep)
    problems = gr.Markdown(elem_id="review-problems")
    estimate = gr.Markdown(elem_id="review-estimate")
    measure = gr.Button(t["review.measure"], size="sm", elem_id="review-measure")
    form.rest("review")
    with gr.Accordion(t["review.yaml_fold"], open=False, elem_id="review-yaml-fold"):
        gr.Markdown(t["review.yaml_note"], elem_classes=["dp-note"])
        yaml_box = gr.Code(language="yaml", label=t["review.yaml"], interactive=False, max_lines=40,
                           elem_id="review-yaml")
    return ReviewStep(yaml_box, estimate, problems, start, back, measure, sweep)


def measure_speed(ctx: Ctx, values: FormValues):
    """Run a few real steps of the job in a probe process (a generator: says it started, then the plan
    with the measured time). Nothing is saved but the pace, which later Reviews reuse."""
    from studio.wizard import speed

    t = ctx.t
    r = check(ctx, values)
    if r.spec is None or r.issues:
        yield problems_markdown(t, r.issues)
        return
    yield r.estimate + "  \n" + t["review.measuring"]
    result = speed.measure(ctx, r.spec)
    if "error" in result:
        yield r.estimate + "  \n⚠ " + t["review.measure_failed"].format(message=result["error"])
        return
    estimate = check(ctx, values).estimate
    if result.get("busy") and not speed.busy_now(ctx):  # taken on a shared machine, now idle: not used
        estimate += "  \n" + t["review.measure_shared"]
    yield estimate
