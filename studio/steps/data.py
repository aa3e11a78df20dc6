"""Wizard step 2: the dataset (demo or an upload), its format, counts, skipped rows, a preview."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

from backend.data.formats import convert, placeholders_in
from backend.data.load import resolve_path
from backend.data.readers import SUFFIXES, DataError, read_rows
from backend.spec import DATA_FORMATS, DEMO
from backend.workspace import Workspace, safe_filename
from studio.context import Ctx, warn_unexpected
from studio.form import FormValues

PLACEHOLDER_SLOTS = 4
PREVIEW_ROWS = 3


@dataclass
class DataStep:
    source: gr.Radio
    path: gr.State  # uploaded file, relative to the workspace
    format: gr.Dropdown
    placeholder_keys: gr.State
    placeholder_values: list[gr.Textbox]
    summary: gr.Markdown
    next: gr.Button
    back: gr.Button
    # Re-read the data (placeholders, summary, preview): Runs → Clone chains it after loading a spec.
    refresh: Callable = None
    refresh_inputs: list = field(default_factory=list)
    refresh_outputs: list = field(default_factory=list)


@dataclass
class DataPreview:
    """What the Data step shows; `error` set when the file cannot be used at all."""

    error: str = ""
    summary: str = ""
    skipped: str = ""
    keys: list[str] = field(default_factory=list)
    chat: list[dict] = field(default_factory=list)
    valid: int = 0


def train_value(source: str, rel_path: str) -> str:
    return DEMO if source == "demo" else (rel_path or "")


def analyse(ctx: Ctx, train: str, fmt: str, placeholders: dict) -> DataPreview:
    t = ctx.t
    if not train:
        return DataPreview(error=t["data.no_upload"])
    path = resolve_path(train, ctx.workspace.root)
    try:
        rows = read_rows(path)
        converted = convert(rows, fmt, placeholders, name=path.name)
    except DataError as e:
        return DataPreview(error=t["data.error"].format(message=e))
    skipped = "\n".join(f"row {i}: {why}" for i, why in converted.skipped)
    chat = []
    for conversation in converted.conversations[:PREVIEW_ROWS]:
        for m in conversation:
            role = "assistant" if m["role"] == "assistant" else "user"
            content = m["content"] if m["role"] != "system" else f"[system] {m['content']}"
            chat.append({"role": role, "content": content})
    summary = t["data.summary"].format(
        read=converted.rows_read,
        valid=len(converted.conversations),
        skipped=len(converted.skipped),
        fmt=converted.format,
        reason=converted.reason,
        file="demo" if train == DEMO else train,
    )
    return DataPreview(
        summary=summary,
        skipped=skipped,
        keys=placeholders_in(rows)[:PLACEHOLDER_SLOTS],
        chat=chat,
        valid=len(converted.conversations),
    )


def save_upload(workspace: Workspace, uploaded: str) -> str:
    """Copy an uploaded file into <workspace>/uploads/ under a safe, unused name; return it relative."""
    src = Path(uploaded)
    name = safe_filename(src.name, default="data.json")
    stem, suffix = Path(name).stem, Path(name).suffix
    if suffix.lower() not in SUFFIXES:
        raise DataError(f"{src.name}: unsupported file type {suffix or '(none)'}; use .json, .jsonl or .csv.")
    rel = Path("uploads") / name
    n = 1
    while workspace.inside(rel).exists():
        rel = Path("uploads") / f"{stem}-{n}{suffix}"
        n += 1
    shutil.copyfile(src, workspace.inside(rel))
    return rel.as_posix()


def build(ctx: Ctx, start: FormValues) -> DataStep:
    t = ctx.t
    defaults = ctx.defaults.data.placeholders
    gr.Markdown(t["data.intro"])
    with gr.Row():
        source = gr.Radio(
            [(t["data.source.demo"], "demo"), (t["data.source.upload"], "upload")],
            value=start.data_source,
            label=t["data.source"],
            info=t["help.data.train"],
            elem_id="data-source",
            scale=2,
        )
        fmt = gr.Dropdown(
            list(DATA_FORMATS), value=start.data_format, label=t["data.format"], info=t["help.data.format"], scale=1
        )
    upload = gr.File(
        label=t["data.upload"].format(mb=ctx.upload_limit_mb),
        file_types=list(SUFFIXES),
        type="filepath",
        elem_id="data-upload",
    )
    path = gr.State(start.data_path)
    keys = gr.State(list(start.placeholder_keys))
    gr.Markdown(t["data.placeholders"])
    with gr.Row():
        slots = []
        for i in range(PLACEHOLDER_SLOTS):
            has = i < len(start.placeholder_keys)
            slots.append(
                gr.Textbox(
                    value=start.placeholder_values[i] if has else "",
                    label=start.placeholder_keys[i] if has else "",
                    visible=has,
                    info=t["help.data.placeholders"] if i == 0 else None,
                    elem_id=f"placeholder-{i}",
                )
            )
    first = analyse(
        ctx,
        train_value(start.data_source, start.data_path),
        start.data_format,
        dict(zip(start.placeholder_keys, start.placeholder_values, strict=False)),
    )
    summary = gr.Markdown(first.error or first.summary, elem_id="data-summary")
    skipped = gr.Textbox(
        first.skipped,
        label=t["data.skipped"],
        lines=3,
        max_lines=10,
        visible=bool(first.skipped),
        interactive=False,
        elem_id="data-skipped",
    )
    chat = gr.Chatbot(first.chat, label=t["data.preview"], height=320, autoscroll=False, elem_id="data-preview")
    with gr.Row():
        back = gr.Button(t["btn.back"], elem_id="data-back")
        next_btn = gr.Button(t["btn.next"], variant="primary", elem_id="data-next")

    def full_refresh(src, rel, f, old_keys, *values):
        """Re-read the data: new placeholder fields (keeping typed values), summary, preview."""
        try:
            old = dict(zip(old_keys or [], values, strict=False))
            probe = analyse(ctx, train_value(src, rel), f, {})
            new_keys = probe.keys
            new_values = [old.get(k, defaults.get(k, "")) for k in new_keys]
            p = analyse(ctx, train_value(src, rel), f, dict(zip(new_keys, new_values, strict=False)))
            slot_updates = [
                gr.update(label=new_keys[i], value=new_values[i], visible=True)
                if i < len(new_keys)
                else gr.update(label="", value="", visible=False)
                for i in range(PLACEHOLDER_SLOTS)
            ]
            return [
                new_keys,
                *slot_updates,
                p.error or p.summary,
                gr.update(value=p.skipped, visible=bool(p.skipped)),
                p.chat,
            ]
        except Exception as e:  # noqa: BLE001
            return [old_keys, *[gr.skip()] * PLACEHOLDER_SLOTS, warn_unexpected(t, e), gr.skip(), gr.skip()]

    def preview_only(src, rel, f, k, *values):
        try:
            p = analyse(ctx, train_value(src, rel), f, dict(zip(k or [], values, strict=False)))
            return p.error or p.summary, p.chat
        except Exception as e:  # noqa: BLE001
            return warn_unexpected(t, e), gr.skip()

    def on_upload(uploaded):
        # The copy in uploads/ is what counts; emptying the drop zone lets the user drop the next file.
        if not uploaded:
            return gr.skip(), gr.skip(), gr.skip()
        try:
            rel = save_upload(ctx.workspace, uploaded)
        except (DataError, OSError) as e:
            gr.Warning(str(e))
            return gr.skip(), gr.skip(), None
        gr.Info(t["data.uploaded"].format(path=rel))
        return rel, "upload", None

    refresh_inputs = [source, path, fmt, keys, *slots]
    refresh_outputs = [keys, *slots, summary, skipped, chat]
    upload.upload(on_upload, upload, [path, source, upload]).then(full_refresh, refresh_inputs, refresh_outputs)
    source.input(full_refresh, refresh_inputs, refresh_outputs)
    fmt.input(full_refresh, refresh_inputs, refresh_outputs)
    for slot in slots:
        slot.blur(preview_only, refresh_inputs, [summary, chat])
        slot.submit(preview_only, refresh_inputs, [summary, chat])
    return DataStep(
        source, path, fmt, keys, slots, summary, next_btn, back, full_refresh, refresh_inputs, refresh_outputs
    )
