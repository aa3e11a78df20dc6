"""Wizard step 2: the dataset. Any source (demo, upload, a path on this machine, a hub id, an
entry of a LLaMA-Factory dataset_info.json), its detected format and why, column mapping,
every skipped row, any row rendered through the chat template with the trained tokens set
apart, a token-length histogram against max_length, and mixing/splitting options.

The scan streams (a generator handler): big files show progress and the page stays usable.
The handlers are wired in `wire`, after the Model and Training steps exist (the preview needs
the model's tokenizer and max_length). Data that cannot be used (a file that cannot be read, no row
that can train, nothing chosen yet) keeps the upload's name in its box and the reason in the summary,
hides the row view and the histogram, and is the step's `problem`: Next stays on the step and says it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

from backend.data.formats import Options
from backend.data.inspect import scan
from backend.data.read import COMPRESSED, SUFFIXES, DataError
from backend.data.registry import local_entries, read_registry
from backend.spec import SpecError
from studio.context import Ctx
from studio.i18n import msg, relabel
from studio.unexpected import unexpected
from studio.views import data_view as dv
from studio.wizard import vision as vl
from studio.wizard.fields import Form
from studio.wizard.form import (
    DATA_PATH,
    DATA_SOURCE,
    DEMOS,
    MIX_WITH,
    MODEL_PATH,
    MODEL_SOURCE,
    PLACEHOLDER_KEYS,
    PLACEHOLDER_VALUES,
)
from studio.wizard.uploads import check_upload_types, save_upload

PLACEHOLDER_SLOTS = 4


@dataclass
class DataStep:
    """The step's own widgets; its fields are in the form (studio.wizard.fields.Form)."""

    summary: gr.Markdown
    next: gr.Button
    back: gr.Button
    problem: gr.State = None  # why the data cannot be used ("" when it can): Next refuses with it
    # Widgets the handlers use.
    parts: dict = field(default_factory=dict)
    # Re-read the data, as an event's keywords (set by `wire`): Runs → Clone, a preset and the language switch chain it
    # with .then(**step.refresh_event), in the same queue as the step's own re-reads, its progress on the summary.
    refresh_event: dict = field(default_factory=dict)


def slot_updates(values: list, all_values: dict) -> list:
    """The placeholder slots showing a form's values: a slot per key, labelled with it; the others hidden."""
    keys = list(all_values.get(PLACEHOLDER_KEYS) or [])[:PLACEHOLDER_SLOTS]
    values = list(values or [])
    return [gr.update(value=values[i] if i < len(values) else "", label=keys[i], visible=True) if i < len(keys)
            else gr.update(value="", label="", visible=False) for i in range(PLACEHOLDER_SLOTS)]


def build(ctx: Ctx, form: Form) -> DataStep:
    t, start = ctx.t, form.start
    gr.Markdown(t["data.intro"])
    with gr.Row():
        form(DATA_SOURCE, scale=3)
        form("data.format", scale=1)
    src, value = start[DATA_SOURCE], start[DATA_PATH]
    upload = gr.File(label=t["data.upload"].format(mb=ctx.upload_limit_mb), file_types=[*SUFFIXES, *COMPRESSED],
                     file_count="multiple", type="filepath", visible=src == "upload", elem_id="data-upload")
    with gr.Row(visible=src == "path") as path_row:
        path_box = gr.Textbox(value=value if src == "path" else "", label=t["data.path"],
                              placeholder=t["data.path.placeholder"], scale=4, elem_id="data-path-input")
        path_btn = gr.Button(t["data.read"], scale=1, elem_id="data-path-read")
    with gr.Row(visible=src == "hub") as hub_row:
        hub_box = gr.Textbox(value=value if src == "hub" else "", label=t["data.hub"],
                             placeholder=t["data.hub.placeholder"], scale=3, elem_id="data-hub-id")
        form("data.subset", scale=1)
        form("data.split", scale=1)
        hub_btn = gr.Button(t["data.read"], scale=1, elem_id="data-hub-read")
    with gr.Row(visible=src == "registry") as reg_row:
        form("data.dataset_dir", scale=3)
        reg_btn = gr.Button(t["data.registry.load"], scale=1, elem_id="data-registry-load")
        reg_entry = gr.Dropdown(_entries(ctx, start["data.dataset_dir"]), value=value if src == "registry"
                                else None, label=t["data.registry.entry"], scale=2, elem_id="data-registry-entry",
                                allow_custom_value=True)
    form(DATA_PATH)
    form(PLACEHOLDER_KEYS, update=lambda keys, values: list(keys or [])[:PLACEHOLDER_SLOTS])
    gr.Markdown(t["data.placeholders"])
    keys, values = start[PLACEHOLDER_KEYS], start[PLACEHOLDER_VALUES]
    with gr.Row():
        slots = []
        for i in range(PLACEHOLDER_SLOTS):
            has = i < len(keys)
            slots.append(gr.Textbox(
                value=values[i] if has else "", label=keys[i] if has else "",
                visible=has, info=t["help.data.placeholders"] if i == 0 else None, elem_id=f"placeholder-{i}",
            ))
    form.add(PLACEHOLDER_VALUES, slots, update=slot_updates)
    summary = relabel.handler_writes(gr.Markdown(t["data.loading"], elem_id="data-summary"))
    form("data.columns")
    with gr.Accordion(t["data.mapping"], open=bool(start["data.columns"]), elem_id="data-mapping") as mapping_box:
        gr.Markdown(t["data.mapping.intro"])
        with gr.Row():
            maps = {
                role: gr.Dropdown([dv.NONE], value=dv.NONE, label=t.get(f"data.role.{role}", role), min_width=150,
                                  visible=False, elem_id=f"map-{role}")
                for role in dv.ALL_ROLES
            }
        reset_map = gr.Button(t["data.mapping.reset"], size="sm", elem_id="data-mapping-reset")
    skipped = gr.Textbox("", label=t["data.skipped"], lines=4, max_lines=12, visible=False, interactive=False,
                         elem_id="data-skipped")
    # What the rows look like: hidden while there are none to show (a file that cannot be read, nothing chosen).
    with gr.Column(elem_id="data-view") as view:
        gr.Markdown(t["data.preview"])
        with gr.Row():
            form("model.chat_template", scale=2)  # chosen here, where its effect is seen
            row = gr.Number(value=1, label=t["data.row"], precision=0, scale=1, elem_id="data-row")  # clamped by show_row
            prev_btn = gr.Button("◀", scale=0, min_width=60, elem_id="data-row-prev")
            next_row = gr.Button("▶", scale=0, min_width=60, elem_id="data-row-next")
            next_bad = gr.Button(t["data.next_skipped"], scale=1, elem_id="data-row-next-skipped")
        preview = gr.HTML(elem_id="data-preview")
        hist = gr.Plot(label=t["data.hist"], elem_id="data-hist")
        fit = relabel.handler_writes(gr.Markdown("", elem_id="data-fit"))  # rows left out / cut at max_length
    with gr.Accordion(t["data.more"], open=bool(start[MIX_WITH] or start["data.eval"] or start["data.dedupe"]),
                      elem_id="data-more"):
        with gr.Row():
            form(MIX_WITH, scale=3)
            form("data.mix", scale=2)
        with gr.Row():
            form("data.eval", scale=2)
            form("data.seed", scale=1)
            form("data.dedupe", scale=1)
            form("data.reasoning", scale=1)
        form.rest("data")
    with gr.Row():
        back = gr.Button(t["btn.back"], elem_id="data-back")
        next_btn = gr.Button(t["btn.next"], variant="primary", elem_id="data-next")
    bad_rows = gr.State([])
    hist_ok = gr.State(False)  # drawn: when the tokenizer was not ready, navigation draws it later
    refused = gr.State([])  # the uploaded files of a type no reader takes (the summary names them)
    step = DataStep(summary, next_btn, back, gr.State(""))
    step.parts = dict(upload=upload, path_row=path_row, path_box=path_box, path_btn=path_btn, hub_row=hub_row,
                      hub_box=hub_box, hub_btn=hub_btn, reg_row=reg_row, reg_btn=reg_btn, reg_entry=reg_entry,
                      view=view, refused=refused,
                      maps=maps, mapping_box=mapping_box, reset_map=reset_map, skipped=skipped, row=row,
                      prev=prev_btn, next_row=next_row, next_bad=next_bad, preview=preview, hist=hist,
                      bad_rows=bad_rows, hist_ok=hist_ok, fit=fit)
    return step


def _entries(ctx: Ctx, folder: str) -> list[str]:
    """Entries of a dataset_info.json whose file is there (those can be used), else all."""
    if not (folder or "").strip():
        return []
    try:
        dv.check_readable(ctx, Path(folder))
        return local_entries(folder) or list(read_registry(folder))
    except DataError:
        return []


# The form's values the Data step reads (and the Model step's choice, the stage and the Training step's max_length).
READS = (DATA_SOURCE, DATA_PATH, "data.format", PLACEHOLDER_KEYS, PLACEHOLDER_VALUES, "data.dataset_dir", "data.subset",
         "data.split", "data.columns", "data.reasoning", "data.dedupe", MODEL_SOURCE, MODEL_PATH, "training.max_length",
         "model.chat_template", "stage")


def wire(ctx: Ctx, step: DataStep, form: Form) -> None:
    """Register the handlers (after the Model and Training steps are built: the preview reads them)."""
    t = ctx.t
    p = step.parts
    maps = p["maps"]
    defaults = ctx.defaults.data.placeholders
    source, path, columns = form[DATA_SOURCE], form[DATA_PATH], form["data.columns"]
    keys_state, slots = form[PLACEHOLDER_KEYS], form[PLACEHOLDER_VALUES]

    def raw_data(v: dict) -> dict:
        src = v[DATA_SOURCE]
        placeholders = {k: x for k, x in zip(v[PLACEHOLDER_KEYS] or [], v[PLACEHOLDER_VALUES], strict=False) if k}
        return dict(
            train=src if src in DEMOS else (v[DATA_PATH] or "").strip(), format=v["data.format"] or "auto",
            columns=v["data.columns"] or {},
            dataset_dir=(v["data.dataset_dir"] or "") if src == "registry" else "",
            subset=(v["data.subset"] or "") if src == "hub" else "", split=v["data.split"] or "train",
            reasoning=v["data.reasoning"] or "keep", dedupe=bool(v["data.dedupe"]), placeholders=placeholders,
        )

    ins = set()
    for key in READS:
        c = form[key]
        ins.update(c if isinstance(c, list) else [c])

    def unpack(data: dict):
        v = form.values(data)
        return (raw_data(v), v[PLACEHOLDER_KEYS], v[PLACEHOLDER_VALUES], v[MODEL_SOURCE], v[MODEL_PATH],
                int(v["training.max_length"] or 1024), v["model.chat_template"] or "")

    ins.add(p["refused"])
    map_outs = [maps[r] for r in dv.ALL_ROLES]
    outs = [keys_state, *slots, step.summary, p["skipped"], *map_outs, p["mapping_box"], p["row"], p["preview"],
            p["hist"], p["bad_rows"], p["hist_ok"], p["fit"], p["view"], step.problem]

    @unexpected(t, "data", fallback=lambda message: {step.summary: message})
    def refresh(data: dict):
        """Scan the data (streaming progress), then show mapping, skipped rows, row 1 and the histogram."""
        try:
            raw, keys, values, m_src, m_path, max_len, template = unpack(data)
            src = data[source]
            if raw["train"] == "" or (raw["train"] not in DEMOS and not raw["train"].strip()):
                if src == "upload" and data[p["refused"]]:  # a file of a type no reader takes: named, with why
                    check_upload_types(data[p["refused"]], t)
                yield _cleared(t[f"data.need.{src}"] if f"data.need.{src}" in t else t["data.no_upload"])
                return
            spec = dv.data_spec(raw)
            main = dv.main_source(ctx, spec)
            report = None
            for report in scan(main, placeholders=spec.placeholders, reasoning=spec.reasoning, dedupe=spec.dedupe,
                               every_s=0.7):
                if not report.done:
                    yield {step.summary: dv.summary_markdown(t, report)}
            dv.REPORTS.put(dv.ReportCache.key(main, spec), report)
            yield _final(report, main, spec, keys, values, m_src, m_path, max_len, template, data)
        except (DataError, SpecError) as e:
            yield _problem(e, data_unsure=isinstance(e, DataError) and "cannot tell the format" in str(e),
                           data=data)

    def _cleared(text: str) -> dict:
        """No data to show: the reason in the summary (and the step's problem), the slots, skipped rows, preview
        and chart empty, and the row view hidden."""
        return {keys_state: [], **{slot: gr.update(visible=False) for slot in slots}, step.summary: text,
                p["skipped"]: gr.update(value="", visible=False), p["preview"]: "", p["hist"]: None,
                p["bad_rows"]: [], p["hist_ok"]: False, p["fit"]: "", p["view"]: gr.update(visible=False),
                step.problem: str(text)}

    def _problem(message, data_unsure: bool, data: dict) -> dict:
        """The reason (an error, shown in the page's language) in the summary; when the format is unknown,
        the mapping opens with the file's columns."""
        text = t["data.error"].format(message=message)
        if not data_unsure:
            return _cleared(text)
        raw, *_ = unpack(data)
        names = _file_columns(raw)
        updates = {maps[role]: gr.update(choices=[dv.NONE, *names], value=dv.NONE, visible=role in dv.ROLES_FOR[""])
                   for role in dv.ALL_ROLES}
        return {**_cleared(text + "\n\n" + t["data.unsure"]), **updates, p["mapping_box"]: gr.update(open=True)}

    def _file_columns(raw) -> list[str]:
        with unexpected.optional("file_columns"):  # only for the dropdown choices
            spec = dv.data_spec({**raw, "format": "auto", "columns": {}})
            from backend.data.sources import open_rows

            return open_rows(dv.main_source(ctx, spec)).columns()
        return []

    def _final(report, main, spec, keys, values, m_src, m_path, max_len, template, data: dict) -> dict:
        old = dict(zip(keys or [], values, strict=False))
        new_keys = report.placeholders[:PLACEHOLDER_SLOTS]
        new_values = [old.get(k) or defaults.get(k, "") for k in new_keys]
        choices, current, roles = dv.mapping_choices(report)
        map_updates = {maps[r]: gr.update(choices=choices, value=current[r] if current[r] in choices else dv.NONE,
                                          visible=r in roles) for r in dv.ALL_ROLES}
        errors = dv.errors_text(report, t)
        spec.placeholders = dict(zip(new_keys, new_values, strict=False))
        tok, note, used = dv.TOKENIZERS.get(ctx, m_src, m_path, template)
        first = report.first_valid[0] if report.first_valid else 1
        vision = _vision(main, m_src, m_path, template, report)
        html = _row_html(report, main, spec, first, tok, note or _in_use(used), max_len, vision)
        fig = dv.length_figure(t, _lengths(tok, report, vision), max_len, report.valid_rows,
                                  left_out=bool(vision and vision[0] is not None)) if tok else None
        return {keys_state: new_keys, **dict(zip(slots, slot_updates(new_values, {PLACEHOLDER_KEYS: new_keys}),
                                                 strict=True)),
                step.summary: dv.summary_markdown(t, report), p["skipped"]: gr.update(value=errors, visible=bool(errors)),
                **map_updates, p["row"]: first, p["preview"]: html,
                # No row that can train: the row view stays for the skipped rows' reasons, the empty chart goes.
                p["hist"]: gr.update(value=fig, visible=bool(report.valid_rows)),
                p["bad_rows"]: [e["row"] for e in report.errors], p["hist_ok"]: fig is not None,
                p["fit"]: _fit_text(report, tok, data, max_len, vision), p["view"]: gr.update(visible=True),
                step.problem: "" if report.valid_rows else str(t["data.none_valid"])}

    def _vision(main, m_src, m_path, template, report) -> tuple | None:
        """(processor, folders its images may be read from) for data with images: the processor None for a
        text model (or one whose processor cannot load: the note says why); None for data without images."""
        if "images" not in (report.traits or []) and not any(e.get("images") for _, e in report.sample[:50]):
            return None
        from backend.data.inspect import media_dir

        processor, note = vl.PROCESSORS.get(ctx, m_src, m_path, template)
        if note:
            gr.Warning(note)
        folder = media_dir(main)
        return processor, [*ctx.data_roots, *([folder] if folder is not None else [])]

    def _lengths(tok, report, vision) -> list[int]:
        """The histogram's lengths: with a vision model's processor, image tokens included."""
        if vision and vision[0] is not None:
            return vl.vision_lengths(vision[0], report)
        return dv.token_lengths(tok, report)

    def _fit_text(report, tok, data: dict, max_len: int, vision=None) -> str:
        """How many sampled rows the form's stage would leave out or cut at max_length, and a max_length that
        keeps most whole (studio.views.data_view.fit_markdown); "" when there is no count. Image rows with a
        vision model: the rows left out for their length (image tokens included; an image is never cut)."""
        from studio.wizard.model_info import max_positions

        if vision and vision[0] is not None:
            return vl.fit_markdown(t, vl.vision_lengths(vision[0], report), max_len)
        v = form.values(data)
        with unexpected.optional("sample_fit"):  # a template that cannot render the sample: no count
            fit = dv.sample_fit(tok, report, v["stage"] or "sft", max_len)
            cap = max_positions(v[MODEL_SOURCE], v[MODEL_PATH], ctx.workspace.models_dir, ctx.data_roots)
            return dv.fit_markdown(t, fit, cap)
        return ""

    def _in_use(used: str) -> str:
        names = {"tokenizer's own": t["data.template.own"], "chatml (the tokenizer has none)": t["data.template.none"]}
        return t["data.template.in_use"].format(name=names.get(used, used)) if used else ""

    def _row_html(report, main, spec, number, tok, note, max_len, vision=None) -> str:
        from backend.data.inspect import media_dir

        opts = Options(report.format, report.mapping, report.tags, spec.placeholders, spec.reasoning, media_dir(main))
        view = dv.row_view(t, main, number, spec, tok, max_len, (report.kind, opts), vision)
        prefix = f"<div class='dp-note'>{note}</div>" if note else ""
        return prefix + view.html

    @unexpected(t, "preview", fallback=lambda message: message)
    def show_row(number, data: dict):
        """Row `number` alone (navigation, placeholders, model or max_length changed)."""
        try:
            raw, keys, values, m_src, m_path, max_len, template = unpack(data)
            if not raw["train"]:
                return gr.skip()
            spec = dv.data_spec(raw)
            main = dv.main_source(ctx, spec)
            report = dv.REPORTS.get(dv.ReportCache.key(main, spec))
            if report is None or not report.format:
                return gr.skip()
            number = max(1, min(int(number or 1), max(report.rows, 1)))
            tok, note, used = dv.TOKENIZERS.get(ctx, m_src, m_path, template)
            vision = _vision(main, m_src, m_path, template, report)
            return _row_html(report, main, spec, number, tok, note or _in_use(used), max_len, vision)
        except (DataError, SpecError) as e:
            return f"<div class='dp-skipped'>{t['data.error'].format(message=e)}</div>"

    @unexpected(t, "preview", fallback=lambda message: (message, None, ""))
    def _redraw(number, data: dict) -> tuple[str, object, str]:
        """(preview html, histogram figure or None when the tokenizer is not ready, the rows that fit)."""
        raw, keys, values, m_src, m_path, max_len, template = unpack(data)
        html = show_row(number, data)
        spec = dv.data_spec(raw) if raw["train"] else None
        report = dv.REPORTS.get(dv.ReportCache.key(dv.main_source(ctx, spec), spec)) if spec else None
        tok, _, _ = dv.TOKENIZERS.get(ctx, m_src, m_path, template)
        if report is None or tok is None:
            return html, None, ""
        vision = _vision(dv.main_source(ctx, spec), m_src, m_path, template, report)
        return (html, dv.length_figure(t, _lengths(tok, report, vision), max_len, report.valid_rows,
                                  left_out=bool(vision and vision[0] is not None)),
                _fit_text(report, tok, data, max_len, vision))

    def redraw(data: dict):
        """Preview and histogram again: the model (tokenizer) or max_length changed."""
        html, fig, fit = _redraw(data[p["row"]], data)
        return {p["preview"]: html, p["hist"]: fig if fig is not None else gr.skip(),
                p["fit"]: fit if fig is not None else gr.skip()}

    def on_source(src):
        return (gr.update(visible=src == "upload"), gr.update(visible=src == "path"), gr.update(visible=src == "hub"),
                gr.update(visible=src == "registry"))

    def on_upload(uploaded):
        """The file(s) stay in the box (their names shown beside what the summary says of them)."""
        if not uploaded:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        files = uploaded if isinstance(uploaded, list) else [uploaded]
        try:
            rel = save_upload(ctx.workspace, uploaded, t)
        except DataError as e:  # a type no reader takes: no data, and the summary names the file
            gr.Warning(msg(t, e))
            return "", "upload", {}, [Path(f).name for f in files]
        except OSError as e:
            gr.Warning(msg(t, e))
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        gr.Info(t["data.uploaded"].format(path=rel))
        return rel, "upload", {}, []

    def on_registry(folder):
        entries = _entries(ctx, folder)
        if not entries:
            try:
                dv.check_readable(ctx, Path(folder or "."))
                read_registry(folder)
                gr.Warning(t["data.registry.empty"])
            except DataError as e:
                gr.Warning(msg(t, e))
        return gr.update(choices=entries, value=entries[0] if entries else None)

    def on_map(role):
        def update(value, mapped):
            mapped = dict(mapped or {})
            if value and value != dv.NONE:
                mapped[role] = value
            else:
                mapped.pop(role, None)
            return mapped
        return update

    def next_skipped(number, bad):
        later = [r for r in (bad or []) if r > int(number or 0)]
        if not later:
            gr.Info(t["data.no_more_skipped"])
            return gr.skip()
        return later[0]

    # One queue for every re-read, so they finish in the order they were asked (switching the
    # source and then reading a path never ends with the older, emptier answer on screen).
    run = dict(fn=refresh, inputs=ins, outputs=outs, show_progress="minimal", show_progress_on=[step.summary],
               concurrency_limit=1, concurrency_id="data-refresh")
    p["upload"].upload(on_upload, p["upload"], [path, source, columns, p["refused"]]).then(**run)
    # The box emptied (its ×): no upload any more.
    p["upload"].clear(lambda: ("", {}, []), None, [path, columns, p["refused"]]).then(**run)
    source.change(on_source, source, [p["upload"], p["path_row"], p["hub_row"], p["reg_row"]])
    # A new dataset starts from its own detection: the previous one's column mapping is dropped.
    source.input(lambda *a: (pick_value(*a), {}), [source, path, p["path_box"], p["hub_box"], p["reg_entry"]],
                 [path, columns]).then(**run)
    path.change(fill_boxes, [source, path, form["data.dataset_dir"]], [p["path_box"], p["hub_box"], p["reg_entry"]])
    for trigger, box in ((p["path_btn"].click, p["path_box"]), (p["path_box"].submit, p["path_box"]),
                         (p["hub_btn"].click, p["hub_box"]), (p["hub_box"].submit, p["hub_box"])):
        trigger(lambda v: ((v or "").strip(), {}), box, [path, columns]).then(**run)
    for trigger in (p["reg_btn"].click, form["data.dataset_dir"].submit):
        trigger(on_registry, form["data.dataset_dir"], p["reg_entry"]).then(
            lambda v: (v or "", {}), p["reg_entry"], [path, columns]).then(**run)
    p["reg_entry"].input(lambda v: (v or "", {}), p["reg_entry"], [path, columns]).then(**run)
    form["data.format"].input(lambda: {}, None, columns).then(**run)
    for role, dd in maps.items():
        dd.input(on_map(role), [dd, columns], columns).then(**run)
    p["reset_map"].click(lambda: {}, None, columns).then(**run)
    form["data.reasoning"].input(**run)
    form["data.dedupe"].input(**run)

    def navigate(data: dict):
        """The row, and the histogram too if it could not be drawn before (tokenizer not ready)."""
        number = data[p["row"]]
        if data[p["hist_ok"]]:
            return {p["preview"]: show_row(number, data), p["hist_ok"]: True}
        html, fig, fit = _redraw(number, data)
        return {p["preview"]: html, p["hist"]: fig if fig is not None else gr.skip(), p["hist_ok"]: fig is not None,
                p["fit"]: fit if fig is not None else gr.skip()}

    row_ins = {p["row"], p["hist_ok"], *ins}
    nav_outs = [p["preview"], p["hist"], p["hist_ok"], p["fit"]]
    p["row"].submit(navigate, row_ins, nav_outs)
    p["prev"].click(lambda x: max(1, int(x or 1) - 1), p["row"], p["row"]).then(navigate, row_ins, nav_outs)
    p["next_row"].click(lambda x: int(x or 0) + 1, p["row"], p["row"]).then(navigate, row_ins, nav_outs)
    p["next_bad"].click(next_skipped, [p["row"], p["bad_rows"]], p["row"]).then(navigate, row_ins, nav_outs)
    for slot in slots:
        slot.blur(navigate, row_ins, nav_outs)
        slot.submit(navigate, row_ins, nav_outs)
    for trigger in (form[MODEL_SOURCE].change, form[MODEL_PATH].submit, form["training.max_length"].blur,
                    form["model.chat_template"].input):
        trigger(redraw, {p["row"], *ins}, [p["preview"], p["hist"], p["fit"]])
    step.refresh_event = run


def pick_value(src: str, current: str, path_box: str, hub_box: str, entry: str | None) -> str:
    """The data value when the user switches source: what that source's own box holds."""
    if src == "upload":
        return current if (current or "").startswith("uploads/") else ""
    return {"path": path_box, "hub": hub_box, "registry": entry or ""}.get(src, current or "") or ""


def fill_boxes(src: str, value: str, dataset_dir: str):
    """Show a value set from elsewhere (Runs → Clone) in its source's box."""
    def keep():
        return gr.skip()

    if src == "path":
        return value, keep(), keep()
    if src == "hub":
        return keep(), value, keep()
    if src == "registry":
        return keep(), keep(), gr.update(choices=_entries_quiet(dataset_dir), value=value or None)
    return keep(), keep(), keep()


def _entries_quiet(folder: str) -> list[str]:
    try:
        return local_entries(folder) if (folder or "").strip() else []
    except DataError:
        return []
