"""The presets panel above the Train wizard: pick a preset or load a spec file, and the wizard
fills in; save the wizard's settings as a preset of your own.

    with gr.Tab(t["tab.train"], id="train"):
        presets = presets_view.build(ctx)
        with gr.Tabs(selected="model") as wizard:
            ...
    presets_view.wire(ctx, presets, wizard.form, wizard.tabs, after=data.refresh_event)

The handlers' logic is in plain functions (apply_to_form, spec_file_to_form, save_from_form)
that take and return the form's values (studio.wizard.form: a dict by field path), so it is tested
without a browser. The dropdown is
filled when the panel opens, in the page's language (preset titles come from the YAML files, not
from the string tables); `view.refresh` redraws it, e.g. after a language switch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

from backend.plan.presets import (
    Preset,
    PresetError,
    apply_preset,
    get_preset,
    list_presets,
    load_spec_text,
    save_preset,
)
from backend.spec import JobSpec, SpecError, SpecIssue
from studio.context import Ctx
from studio.i18n import lang_of, msg
from studio.unexpected import unexpected
from studio.wizard.fields import Form
from studio.wizard.form import FormValues, form_from_spec, spec_from_form

SPEC_FILE_LIMIT = 1024 * 1024  # a spec is a few KB; anything this big is the wrong file
# Normalised by the round trip through the form (made absolute), not lost.
NORMALISED = ("model.name_or_path", "data.train", "data.eval", "data.dataset_dir")


@dataclass
class PresetsView:
    accordion: gr.Accordion
    picker: gr.Dropdown
    description: gr.Markdown
    apply: gr.Button
    upload: gr.File
    name: gr.Textbox
    save: gr.Button
    status: gr.Markdown
    reset: gr.Button
    # (fn, inputs, outputs) that redraws the dropdown and description in the page's language.
    refresh: tuple = field(default_factory=tuple)


# -- the logic, without gradio --------------------------------------------------------------------
def choices(ctx: Ctx) -> list[tuple[str, str]]:
    """(label, id) per preset, in list order: quality by size and level, then tasks, then saved."""
    t, lang = ctx.t, lang_of(ctx.t)
    return [(f"{t['presets.group.' + p.group]}: {p.title_in(lang)}", p.id) for p in list_presets(ctx.workspace)]


def describe(ctx: Ctx, preset_id: str | None) -> str:
    if not preset_id:
        return ""
    try:
        return get_preset(preset_id, ctx.workspace).description_in(lang_of(ctx.t))
    except ValueError as e:
        return "⚠ " + msg(ctx.t, e)


def apply_to_form(ctx: Ctx, preset: Preset | str, values: FormValues) -> FormValues:
    """The form after applying `preset` over the current settings (or the defaults when they are
    not a valid spec yet), so a task preset keeps the chosen model. SpecError if it does not fit."""
    return form_from_spec(applied_spec(ctx, preset, values))


def applied_spec(ctx: Ctx, preset: Preset | str, values: FormValues) -> JobSpec:
    if isinstance(preset, str):
        preset = get_preset(preset, ctx.workspace)
    try:
        base = spec_from_form(values, base=ctx.defaults, t=ctx.t)
    except SpecError:
        base = ctx.defaults
    return apply_preset(base, preset)


def spec_file_to_form(ctx: Ctx, path: str | Path) -> tuple[FormValues, JobSpec]:
    """A spec YAML file (as `studio train` reads it) as form values; SpecError naming the file."""
    path = Path(path)
    size = path.stat().st_size
    if size > SPEC_FILE_LIMIT:
        raise SpecError([SpecIssue("(file)", ctx.t["presets.too_big"].format(file=path.name, size=size // 1024))])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecError([SpecIssue("(file)", ctx.t["presets.err.not_utf8"].format(file=path.name))]) from None
    spec = load_spec_text(text, source=path.name)
    return form_from_spec(spec), spec


def save_from_form(ctx: Ctx, name: str, values: FormValues) -> Preset:
    """Save the wizard's settings as <workspace>/presets/<name>.yaml; SpecError or PresetError."""
    return save_preset(ctx.workspace, name, spec_from_form(values, base=ctx.defaults, t=ctx.t))


def dropped_fields(ctx: Ctx, spec: JobSpec, values: FormValues) -> list[str]:
    """Fields of `spec` the wizard does not carry (the run would take the defaults' value)."""
    try:
        kept = flat(spec_from_form(values, base=ctx.defaults).to_dict())
    except SpecError:
        return []
    wanted = flat(spec.to_dict())
    return [k for k, v in wanted.items() if k not in NORMALISED and kept.get(k) != v]


def flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict) and k in ("model", "data", "method", "align", "training", "export"):
            out.update(flat(v, f"{k}."))
        else:
            out[prefix + k] = v
    return out


def issues_markdown(t, e: SpecError) -> str:
    """The spec's problems as a list, each message in the language of the table `t`."""
    return "\n".join(f"- `{issue.field}`: {msg(t, issue.message)}" for issue in e.issues)


# -- the panel -----------------------------------------------------------------------------------
def build(ctx: Ctx) -> PresetsView:
    t = ctx.t
    with gr.Accordion(t["presets.title"], open=False, elem_id="presets") as accordion:
        gr.Markdown(t["presets.intro"])
        with gr.Row():
            # Filled when the panel opens, in the page's language (see the module docstring).
            picker = gr.Dropdown([], value=None, label=t["presets.pick"], scale=3, elem_id="presets-pick")
            apply = gr.Button(t["presets.apply"], variant="primary", scale=1, elem_id="presets-apply")
            # the form is kept in the browser (studio.wizard.draft): this is the way back to the page's defaults
            reset = gr.Button(t["presets.reset"], scale=1, elem_id="presets-reset")
        description = gr.Markdown(elem_id="presets-description")
        upload = gr.File(
            label=t["presets.upload"],
            file_types=[".yaml", ".yml"],
            file_count="single",
            type="filepath",
            elem_id="presets-upload",
        )
        with gr.Row():
            name = gr.Textbox(
                label=t["presets.save_name"],
                placeholder=t["presets.save_name.placeholder"],
                max_lines=1,
                scale=3,
                elem_id="presets-name",
            )
            save = gr.Button(t["presets.save"], scale=1, elem_id="presets-save")
        status = gr.Markdown(elem_id="presets-status")
    return PresetsView(accordion, picker, description, apply, upload, name, save, status, reset)


def wire(ctx: Ctx, view: PresetsView, form: Form, wizard_tabs, after: dict) -> None:
    """Attach the handlers. `form` is the wizard's (studio.wizard.fields.Form), `wizard_tabs` the
    wizard's gr.Tabs, `after` an event's keywords (.then(**after)) run once the form changed (the Data step's
    refresh)."""
    t = ctx.t

    @unexpected(t, "presets", fallback=lambda message: (gr.skip(), message))
    def redraw(preset_id):
        options = choices(ctx)
        ids = [value for _, value in options]
        chosen = preset_id if preset_id in ids else None
        return gr.update(choices=options, value=chosen), describe(ctx, chosen)

    view.refresh = (redraw, [view.picker], [view.picker, view.description])
    view.accordion.expand(*view.refresh)
    view.picker.change(lambda pid: describe(ctx, pid), view.picker, view.description)

    def filled(spec: JobSpec, values: FormValues, message: str) -> dict:
        dropped = dropped_fields(ctx, spec, values)
        if dropped:
            message += "\n\n" + t["presets.dropped"].format(fields=", ".join(f"`{d}`" for d in dropped))
        return {wizard_tabs: gr.Tabs(selected="model"), **form.updates(values), view.status: message}

    @unexpected(t, "preset", fallback=lambda message: {view.status: message})
    def on_apply(data: dict):
        preset_id = data[view.picker]
        if not preset_id:
            return {view.status: t["presets.pick_first"]}
        title = preset_id
        try:
            preset = get_preset(preset_id, ctx.workspace)
            title = preset.title_in(lang_of(t))
            spec = applied_spec(ctx, preset, form.values(data))
            return filled(spec, form_from_spec(spec), t["presets.applied"].format(title=title))
        except SpecError as e:
            return {view.status: t["presets.apply_failed"].format(title=title, issues=issues_markdown(t, e))}
        except ValueError as e:  # no such preset (deleted since the list was drawn)
            return {view.status: "⚠ " + msg(t, e)}

    @unexpected(t, "reset_form", fallback=lambda message: {view.status: message})
    def on_reset(data: dict):
        return {wizard_tabs: gr.Tabs(selected="model"), **form.updates(form.start), view.status: t["presets.reset_done"]}

    @unexpected(t, "spec_file", fallback=lambda message: {view.status: message, view.upload: None})
    def on_file(data: dict):
        path = data[view.upload]
        if not path:
            return gr.skip()
        shown = Path(path).name
        try:
            values, spec = spec_file_to_form(ctx, path)
            return {**filled(spec, values, t["presets.loaded"].format(file=shown)), view.upload: None}
        except SpecError as e:
            return {view.status: t["presets.load_failed"].format(file=shown, issues=issues_markdown(t, e)),
                    view.upload: None}

    @unexpected(t, "save_preset", fallback=lambda message: (gr.skip(), message))
    def on_save(data: dict):
        try:
            preset = save_from_form(ctx, data[view.name], form.values(data))
            options = choices(ctx)
            return (
                gr.update(choices=options, value=preset.id),
                t["presets.saved"].format(id=preset.id, path=preset.path),
            )
        except SpecError as e:
            return gr.skip(), t["presets.form_invalid"].format(issues=issues_markdown(t, e))
        except PresetError as e:
            return gr.skip(), t["presets.save_failed"].format(message=e)

    form_outputs = [wizard_tabs, *form.inputs, view.status]
    shown = dict(show_progress_on=[view.status])  # not on each of the ~75 fields (studio/progress_targets.py)
    view.apply.click(on_apply, {view.picker, *form.inputs}, form_outputs, **shown).then(**after)
    view.reset.click(on_reset, set(form.inputs), form_outputs, **shown).then(**after)
    view.upload.upload(on_file, {view.upload, *form.inputs}, [*form_outputs, view.upload], **shown).then(**after)
    view.save.click(on_save, {view.name, *form.inputs}, [view.picker, view.status])
