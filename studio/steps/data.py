"""Wizard step 2: the dataset. Any source (demo, upload, a path on this machine, a hub id, an
entry of a LLaMA-Factory dataset_info.json), its detected format and why, column mapping,
every skipped row, any row rendered through the chat template with the trained tokens set
apart, a token-length histogram against max_length, and mixing/splitting options.

The scan streams (a generator handler): big files show progress and the page stays usable.
The handlers are wired in `wire`, after the Model and Training steps exist (the preview needs
the model's tokenizer and max_length).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

from backend.data.formats import Options
from backend.data.inspect import scan
from backend.data.readers import SUFFIXES, DataError
from backend.data.registry import local_entries, read_registry
from backend.resources import CHAT_TEMPLATES_DIR
from backend.spec import DATA_FORMATS, DEMO, SpecError
from backend.workspace import Workspace, safe_filename
from studio import data_view as dv
from studio.context import Ctx, warn_unexpected
from studio.form import FormValues
from studio.i18n import msg

PLACEHOLDER_SLOTS = 4
SOURCES = ("demo", "upload", "path", "hub", "registry")


@dataclass
class DataStep:
    source: gr.Radio
    path: gr.State  # the chosen source's value: uploads/NAME, a path, a hub id or an entry name
    format: gr.Dropdown
    placeholder_keys: gr.State
    placeholder_values: list[gr.Textbox]
    summary: gr.Markdown
    next: gr.Button
    back: gr.Button
    # Also in the form (see studio.steps.form_inputs), in FormValues order.
    dataset_dir: gr.Textbox = None
    subset: gr.Textbox = None
    split: gr.Textbox = None
    columns: gr.State = None
    reasoning: gr.Radio = None
    dedupe: gr.Checkbox = None
    mix_with: gr.Textbox = None
    mix: gr.Textbox = None
    eval: gr.Textbox = None
    seed: gr.Number = None
    template: gr.Dropdown = None  # model.chat_template, chosen here where its effect is seen
    # Widgets the handlers use.
    parts: dict = field(default_factory=dict)
    # Re-read the data: Runs → Clone chains it after loading a spec (set by `wire`).
    refresh: Callable = None
    refresh_inputs: list = field(default_factory=list)
    refresh_outputs: list = field(default_factory=list)

    def form_tail(self) -> list:
        return [self.dataset_dir, self.subset, self.split, self.columns, self.reasoning, self.dedupe, self.mix_with,
                self.mix, self.eval, self.seed, self.template]


def save_upload(workspace: Workspace, uploaded) -> str:
    """Copy uploaded file(s) into <workspace>/uploads/ under safe, unused names; return the path
    relative to the workspace (several files go into one new folder, read as one dataset)."""
    files = [Path(u) for u in (uploaded if isinstance(uploaded, list) else [uploaded])]
    for src in files:
        if src.suffix.lower() not in SUFFIXES:
            raise DataError(f"{src.name}: unsupported file type {src.suffix or '(none)'}; use one of "
                            f"{', '.join(SUFFIXES)}.")
    if len(files) == 1:
        return _unused_copy(workspace, files[0], Path("uploads"))
    folder = _unused(workspace, Path("uploads") / safe_filename(files[0].stem, default="dataset"))
    workspace.inside(folder).mkdir(parents=True)
    for src in files:
        _unused_copy(workspace, src, folder)
    return folder.as_posix()


def _unused(workspace: Workspace, rel: Path) -> Path:
    stem, suffix, n = rel.stem, rel.suffix, 1
    while workspace.inside(rel).exists():
        rel = rel.with_name(f"{stem}-{n}{suffix}")
        n += 1
    return rel


def _unused_copy(workspace: Workspace, src: Path, folder: Path) -> str:
    name = safe_filename(src.name, default="data.json")
    rel = _unused(workspace, folder / name)
    workspace.inside(rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, workspace.inside(rel))
    return rel.as_posix()


def chat_template_names() -> list[str]:
    return sorted(p.stem for p in CHAT_TEMPLATES_DIR.glob("*.jinja"))


def build(ctx: Ctx, start: FormValues) -> DataStep:
    t = ctx.t
    gr.Markdown(t["data.intro"])
    with gr.Row():
        source = gr.Radio(
            [(t[f"data.source.{s}"], s) for s in SOURCES],
            value=start.data_source, label=t["data.source"], info=t["help.data.train"], elem_id="data-source",
            scale=3,
        )
        fmt = gr.Dropdown(list(DATA_FORMATS), value=start.data_format, label=t["data.format"],
                          info=t["help.data.format"], elem_id="data-format", scale=1)
    src = start.data_source
    upload = gr.File(label=t["data.upload"].format(mb=ctx.upload_limit_mb), file_types=list(SUFFIXES),
                     file_count="multiple", type="filepath", visible=src == "upload", elem_id="data-upload")
    with gr.Row(visible=src == "path") as path_row:
        path_box = gr.Textbox(value=start.data_path if src == "path" else "", label=t["data.path"],
                              placeholder=t["data.path.placeholder"], scale=4, elem_id="data-path-input")
        path_btn = gr.Button(t["data.read"], scale=1, elem_id="data-path-read")
    with gr.Row(visible=src == "hub") as hub_row:
        hub_box = gr.Textbox(value=start.data_path if src == "hub" else "", label=t["data.hub"],
                             placeholder=t["data.hub.placeholder"], scale=3, elem_id="data-hub-id")
        subset = gr.Textbox(value=start.data_subset, label=t["data.subset"], info=t["help.data.subset"], scale=1)
        split = gr.Textbox(value=start.data_split, label=t["data.split"], info=t["help.data.split"], scale=1)
        hub_btn = gr.Button(t["data.read"], scale=1, elem_id="data-hub-read")
    with gr.Row(visible=src == "registry") as reg_row:
        reg_dir = gr.Textbox(value=start.data_dataset_dir, label=t["data.registry"], info=t["help.data.dataset_dir"],
                             scale=3, elem_id="data-registry-dir")
        reg_btn = gr.Button(t["data.registry.load"], scale=1, elem_id="data-registry-load")
        reg_entry = gr.Dropdown(_entries(ctx, start.data_dataset_dir), value=start.data_path if src == "registry"
                                else None, label=t["data.registry.entry"], scale=2, elem_id="data-registry-entry",
                                allow_custom_value=True)
    path = gr.State(start.data_path)
    keys = gr.State(list(start.placeholder_keys))
    gr.Markdown(t["data.placeholders"])
    with gr.Row():
        slots = []
        for i in range(PLACEHOLDER_SLOTS):
            has = i < len(start.placeholder_keys)
            slots.append(gr.Textbox(
                value=start.placeholder_values[i] if has else "", label=start.placeholder_keys[i] if has else "",
                visible=has, info=t["help.data.placeholders"] if i == 0 else None, elem_id=f"placeholder-{i}",
            ))
    summary = gr.Markdown(t["data.loading"], elem_id="data-summary")
    columns = gr.State(dict(start.data_columns))
    with gr.Accordion(t["data.mapping"], open=bool(start.data_columns), elem_id="data-mapping") as mapping_box:
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
    gr.Markdown(t["data.preview"])
    with gr.Row():
        template = gr.Dropdown([(t["data.template.auto"], ""), *[(n, n) for n in chat_template_names()]],
                               value=start.model_chat_template, label=t["data.template"],
                               info=t["help.model.chat_template"], scale=2, elem_id="data-template")
        row = gr.Number(value=1, label=t["data.row"], precision=0, minimum=1, scale=1, elem_id="data-row")
        prev_btn = gr.Button("◀", scale=0, min_width=60, elem_id="data-row-prev")
        next_row = gr.Button("▶", scale=0, min_width=60, elem_id="data-row-next")
        next_bad = gr.Button(t["data.next_skipped"], scale=1, elem_id="data-row-next-skipped")
    preview = gr.HTML(elem_id="data-preview")
    hist = gr.Plot(label=t["data.hist"], elem_id="data-hist")
    with gr.Accordion(t["data.more"], open=bool(start.data_mix_with or start.data_eval or start.data_dedupe),
                      elem_id="data-more"):
        with gr.Row():
            mix_with = gr.Textbox(value=start.data_mix_with, label=t["data.mix_with"], info=t["data.mix_with.info"],
                                  scale=3, elem_id="data-mix-with")
            mix = gr.Textbox(value=start.data_mix, label=t["data.mix"], info=t["help.data.mix"], scale=2,
                             elem_id="data-mix")
        with gr.Row():
            eval_box = gr.Textbox(value=start.data_eval, label=t["data.eval"], info=t["help.data.eval"], scale=2,
                                  elem_id="data-eval")
            seed = gr.Number(value=start.data_seed, label=t["data.seed"], info=t["help.data.seed"], precision=0,
                             scale=1, elem_id="data-seed")
            dedupe = gr.Checkbox(value=start.data_dedupe, label=t["data.dedupe"], info=t["help.data.dedupe"],
                                 scale=1, elem_id="data-dedupe")
            reasoning = gr.Radio([(t["data.reasoning.keep"], "keep"), (t["data.reasoning.drop"], "drop")],
                                 value=start.data_reasoning, label=t["data.reasoning"], info=t["help.data.reasoning"],
                                 scale=1, elem_id="data-reasoning")
    with gr.Row():
        back = gr.Button(t["btn.back"], elem_id="data-back")
        next_btn = gr.Button(t["btn.next"], variant="primary", elem_id="data-next")
    bad_rows = gr.State([])
    hist_ok = gr.State(False)  # drawn: when the tokenizer was not ready, navigation draws it later
    step = DataStep(source, path, fmt, keys, slots, summary, next_btn, back, reg_dir, subset, split, columns,
                    reasoning, dedupe, mix_with, mix, eval_box, seed, template)
    step.parts = dict(upload=upload, path_row=path_row, path_box=path_box, path_btn=path_btn, hub_row=hub_row,
                      hub_box=hub_box, hub_btn=hub_btn, reg_row=reg_row, reg_btn=reg_btn, reg_entry=reg_entry,
                      maps=maps, mapping_box=mapping_box, reset_map=reset_map, skipped=skipped, row=row,
                      prev=prev_btn, next_row=next_row, next_bad=next_bad, preview=preview, hist=hist,
                      bad_rows=bad_rows, hist_ok=hist_ok)
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


def wire(ctx: Ctx, step: DataStep, model, training) -> None:
    """Register the handlers (needs the Model step's choice and the Training step's max_length)."""
    t = ctx.t
    p = step.parts
    maps = p["maps"]
    defaults = ctx.defaults.data.placeholders

    def raw_data(src, value, fmt, keys, values, dataset_dir, subset, split, columns, reasoning, dedupe):
        placeholders = {k: v for k, v in zip(keys or [], values, strict=False) if k}
        return dict(
            train=DEMO if src == "demo" else (value or "").strip(), format=fmt or "auto", columns=columns or {},
            dataset_dir=(dataset_dir or "") if src == "registry" else "", subset=(subset or "") if src == "hub" else "",
            split=split or "train", reasoning=reasoning or "keep", dedupe=bool(dedupe), placeholders=placeholders,
        )

    ins = [step.source, step.path, step.format, step.placeholder_keys, *step.placeholder_values, step.dataset_dir,
           step.subset, step.split, step.columns, step.reasoning, step.dedupe, model.source, model.path,
           training.max_length, step.template]
    n = len(step.placeholder_values)

    def unpack(args):
        args = list(args)
        src, value, fmt, keys = args[:4]
        values = args[4:4 + n]
        dataset_dir, subset, split, columns, reasoning, dedupe, m_src, m_path, max_len, template = args[4 + n:]
        raw = raw_data(src, value, fmt, keys, values, dataset_dir, subset, split, columns, reasoning, dedupe)
        return raw, keys, values, m_src, m_path, int(max_len or 1024), template or ""

    map_outs = [maps[r] for r in dv.ALL_ROLES]
    outs = [step.placeholder_keys, *step.placeholder_values, step.summary, p["skipped"], *map_outs,
            p["mapping_box"], p["row"], p["preview"], p["hist"], p["bad_rows"], p["hist_ok"]]
    def keep_all_but_summary(text):
        return [gr.skip(), *[gr.skip()] * n, text, *[gr.skip()] * (len(outs) - n - 2)]

    def refresh(*args):
        """Scan the data (streaming progress), then show mapping, skipped rows, row 1 and the histogram."""
        try:
            raw, keys, values, m_src, m_path, max_len, template = unpack(args)
            if raw["train"] == "" or (raw["train"] != DEMO and not raw["train"].strip()):
                yield keep_all_but_summary(t[f"data.need.{args[0]}"] if f"data.need.{args[0]}" in t
                                           else t["data.no_upload"])
                return
            data = dv.data_spec(raw)
            source = dv.main_source(ctx, data)
            report = None
            for report in scan(source, placeholders=data.placeholders, reasoning=data.reasoning, dedupe=data.dedupe,
                               every_s=0.7):
                if not report.done:
                    yield keep_all_but_summary(dv.summary_markdown(t, report))
            dv.REPORTS.put(dv.ReportCache.key(source, data), report)
            yield _final(report, source, data, keys, values, m_src, m_path, max_len, template)
        except (DataError, SpecError) as e:
            yield _problem(str(e), data_unsure=isinstance(e, DataError) and "cannot tell the format" in str(e),
                           args=args)
        except Exception as e:  # noqa: BLE001
            yield keep_all_but_summary(warn_unexpected(t, e))

    def _problem(message: str, data_unsure: bool, args):
        """The reason in the summary; when the format is unknown, the mapping opens with the file's columns."""
        text = t["data.error"].format(message=message)
        hide_slots = [gr.update(visible=False)] * n
        if not data_unsure:
            return [[], *hide_slots, text, gr.update(value="", visible=False),
                    *[gr.skip()] * len(map_outs), gr.skip(), gr.skip(), "", None, [], False]
        raw, *_ = unpack(args)
        columns = _file_columns(raw)
        updates = [gr.update(choices=[dv.NONE, *columns], value=dv.NONE, visible=role in dv.ROLES_FOR[""])
                   for role in dv.ALL_ROLES]
        return [[], *hide_slots, text + "\n\n" + t["data.unsure"],
                gr.update(value="", visible=False), *updates, gr.update(open=True), gr.skip(), "", None, [], False]

    def _file_columns(raw) -> list[str]:
        try:
            data = dv.data_spec({**raw, "format": "auto", "columns": {}})
            from backend.data.sources import open_rows

            return open_rows(dv.main_source(ctx, data)).columns()
        except Exception:  # noqa: BLE001 - only for the dropdown choices
            return []

    def _final(report, source, data, keys, values, m_src, m_path, max_len, template):
        old = dict(zip(keys or [], values, strict=False))
        new_keys = report.placeholders[:PLACEHOLDER_SLOTS]
        new_values = [old.get(k) or defaults.get(k, "") for k in new_keys]
        slot_updates = [
            gr.update(label=new_keys[i], value=new_values[i], visible=True) if i < len(new_keys)
            else gr.update(label="", value="", visible=False)
            for i in range(PLACEHOLDER_SLOTS)
        ]
        choices, current, roles = dv.mapping_choices(report)
        map_updates = [gr.update(choices=choices, value=current[r] if current[r] in choices else dv.NONE,
                                 visible=r in roles) for r in dv.ALL_ROLES]
        errors = dv.errors_text(report, t)
        data.placeholders = dict(zip(new_keys, new_values, strict=False))
        tok, note, used = dv.TOKENIZERS.get(ctx, m_src, m_path, template)
        first = report.first_valid[0] if report.first_valid else 1
        html = _row_html(report, source, data, first, tok, note or _in_use(used), max_len)
        fig = dv.length_figure(t, dv.token_lengths(tok, report), max_len, report.valid_rows) if tok else None
        return [new_keys, *slot_updates, dv.summary_markdown(t, report),
                gr.update(value=errors, visible=bool(errors)), *map_updates, gr.skip(), first, html, fig,
                [e["row"] for e in report.errors], fig is not None]

    def _in_use(used: str) -> str:
        names = {"tokenizer's own": t["data.template.own"], "chatml (the tokenizer has none)": t["data.template.none"]}
        return t["data.template.in_use"].format(name=names.get(used, used)) if used else ""

    def _row_html(report, source, data, number, tok, note, max_len) -> str:
        opts = Options(report.format, report.mapping, report.tags, data.placeholders, data.reasoning)
        view = dv.row_view(t, source, number, data, tok, max_len, (report.kind, opts))
        prefix = f"<div class='dp-note'>{note}</div>" if note else ""
        return prefix + view.html

    def show_row(number, *args):
        """Row `number` alone (navigation, placeholders, model or max_length changed)."""
        try:
            raw, keys, values, m_src, m_path, max_len, template = unpack(args)
            if not raw["train"]:
                return gr.skip()
            data = dv.data_spec(raw)
            source = dv.main_source(ctx, data)
            report = dv.REPORTS.get(dv.ReportCache.key(source, data))
            if report is None or not report.format:
                return gr.skip()
            number = max(1, min(int(number or 1), max(report.rows, 1)))
            tok, note, used = dv.TOKENIZERS.get(ctx, m_src, m_path, template)
            return _row_html(report, source, data, number, tok, note or _in_use(used), max_len)
        except (DataError, SpecError) as e:
            return f"<div class='dp-skipped'>{t['data.error'].format(message=e)}</div>"
        except Exception as e:  # noqa: BLE001
            return warn_unexpected(t, e)

    def _redraw(number, args) -> tuple[str, object]:
        """(preview html, histogram figure or None when the tokenizer is not ready)."""
        try:
            raw, keys, values, m_src, m_path, max_len, template = unpack(args)
            html = show_row(number, *args)
            data = dv.data_spec(raw) if raw["train"] else None
            report = dv.REPORTS.get(dv.ReportCache.key(dv.main_source(ctx, data), data)) if data else None
            tok, _, _ = dv.TOKENIZERS.get(ctx, m_src, m_path, template)
            if report is None or tok is None:
                return html, None
            return html, dv.length_figure(t, dv.token_lengths(tok, report), max_len, report.valid_rows)
        except Exception as e:  # noqa: BLE001
            return warn_unexpected(t, e), None

    def redraw(number, *args):
        """Preview and histogram again: the model (tokenizer) or max_length changed."""
        html, fig = _redraw(number, args)
        return html, fig if fig is not None else gr.skip()

    def on_source(src):
        return (gr.update(visible=src == "upload"), gr.update(visible=src == "path"), gr.update(visible=src == "hub"),
                gr.update(visible=src == "registry"))

    def on_upload(uploaded):
        if not uploaded:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        try:
            rel = save_upload(ctx.workspace, uploaded)
        except (DataError, OSError) as e:
            gr.Warning(msg(t, e))
            return gr.skip(), gr.skip(), None, gr.skip()
        gr.Info(t["data.uploaded"].format(path=rel))
        return rel, "upload", None, {}

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
        def update(value, columns):
            columns = dict(columns or {})
            if value and value != dv.NONE:
                columns[role] = value
            else:
                columns.pop(role, None)
            return columns
        return update

    def next_skipped(number, bad):
        later = [r for r in (bad or []) if r > int(number or 0)]
        if not later:
            gr.Info(t["data.no_more_skipped"])
            return gr.skip()
        return later[0]

    # One queue for every re-read, so they finish in the order they were asked (switching the
    # source and then reading a path never ends with the older, emptier answer on screen).
    run = dict(fn=refresh, inputs=ins, outputs=outs, show_progress="minimal", concurrency_limit=1,
               concurrency_id="data-refresh")
    p["upload"].upload(on_upload, p["upload"], [step.path, step.source, p["upload"], step.columns]).then(**run)
    step.source.change(on_source, step.source, [p["upload"], p["path_row"], p["hub_row"], p["reg_row"]])
    # A new dataset starts from its own detection: the previous one's column mapping is dropped.
    step.source.input(lambda *a: (pick_value(*a), {}), [step.source, step.path, p["path_box"], p["hub_box"],
                                                        p["reg_entry"]], [step.path, step.columns]).then(**run)
    step.path.change(fill_boxes, [step.source, step.path, step.dataset_dir],
                     [p["path_box"], p["hub_box"], p["reg_entry"]])
    for trigger, box in ((p["path_btn"].click, p["path_box"]), (p["path_box"].submit, p["path_box"]),
                         (p["hub_btn"].click, p["hub_box"]), (p["hub_box"].submit, p["hub_box"])):
        trigger(lambda v: ((v or "").strip(), {}), box, [step.path, step.columns]).then(**run)
    for trigger in (p["reg_btn"].click, step.dataset_dir.submit):
        trigger(on_registry, step.dataset_dir, p["reg_entry"]).then(
            lambda v: (v or "", {}), p["reg_entry"], [step.path, step.columns]).then(**run)
    p["reg_entry"].input(lambda v: (v or "", {}), p["reg_entry"], [step.path, step.columns]).then(**run)
    step.format.input(lambda: {}, None, step.columns).then(**run)
    for role, dd in maps.items():
        dd.input(on_map(role), [dd, step.columns], step.columns).then(**run)
    p["reset_map"].click(lambda: {}, None, step.columns).then(**run)
    step.reasoning.input(**run)
    step.dedupe.input(**run)
    def navigate(number, hist_ok, *args):
        """The row, and the histogram too if it could not be drawn before (tokenizer not ready)."""
        if hist_ok:
            return show_row(number, *args), gr.skip(), True
        html, fig = _redraw(number, args)
        return html, fig if fig is not None else gr.skip(), fig is not None

    row_ins = [p["row"], p["hist_ok"], *ins]
    nav_outs = [p["preview"], p["hist"], p["hist_ok"]]
    p["row"].submit(navigate, row_ins, nav_outs)
    p["prev"].click(lambda x: max(1, int(x or 1) - 1), p["row"], p["row"]).then(navigate, row_ins, nav_outs)
    p["next_row"].click(lambda x: int(x or 0) + 1, p["row"], p["row"]).then(navigate, row_ins, nav_outs)
    p["next_bad"].click(next_skipped, [p["row"], p["bad_rows"]], p["row"]).then(navigate, row_ins, nav_outs)
    for slot in step.placeholder_values:
        slot.blur(navigate, row_ins, nav_outs)
        slot.submit(navigate, row_ins, nav_outs)
    for trigger in (model.source.change, model.path.submit, training.max_length.blur, step.template.input):
        trigger(redraw, [p["row"], *ins], [p["preview"], p["hist"]])
    step.refresh, step.refresh_inputs, step.refresh_outputs = refresh, ins, outs


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
