"""Switch a built page to another language in place: every label, help text, placeholder, choice
and static text is put back through the string tables, and nothing the user entered changes.

    plan = relabel.plan(app, strings_used_to_build)   # once, after the page is built
    updates = relabel.updates(plan, "zh")             # one gr.update per component, in plan order
    missing = relabel.untranslated(app, table)        # texts no table knows (the completeness test)

The page is built once in the default language; a text is found again by looking it up in the
table it came from (text → key). A component's `value` is relabelled only when no event writes it:
a value some handler sets (a status line, a summary) is redrawn by that handler in the new language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gradio as gr

from studio.i18n import localized

TEXT_PROPS = ("label", "info", "placeholder")
VALUE_TYPES = (gr.Markdown, gr.Button, gr.HTML, gr.DownloadButton, gr.UploadButton)


@dataclass
class Entry:
    block: object
    keys: dict = field(default_factory=dict)  # prop -> (key, format kwargs or None)
    choices: list | None = None  # [((key, kwargs) or literal label, value), ...] when a label has a key


def _find(text, back: dict[str, str]):
    """(key, kwargs) of a text built from the tables, or None."""
    if not isinstance(text, str) or not text:
        return None
    key = getattr(text, "key", None)
    if key is not None:
        return key, getattr(text, "kwargs", None)
    if text in back:
        return back[text], None
    return None


def reverse(table: dict[str, str]) -> dict[str, str]:
    """text -> key (the first key of a text that several keys share: they translate alike)."""
    out: dict[str, str] = {}
    for key, text in table.items():
        if isinstance(text, str) and text:
            out.setdefault(text, key)
    return out


def _outputs(app: gr.Blocks) -> set[int]:
    fns = app.fns.values() if isinstance(app.fns, dict) else app.fns
    return {block._id for fn in fns for block in fn.outputs}


def plan(app: gr.Blocks, table: dict[str, str]) -> list[Entry]:
    back = reverse(table)
    written = _outputs(app)
    entries = []
    for block in app.blocks.values():
        entry = Entry(block)
        for prop in TEXT_PROPS:
            found = _find(getattr(block, prop, None), back)
            if found:
                entry.keys[prop] = found
        if isinstance(block, VALUE_TYPES) and block._id not in written:
            found = _find(getattr(block, "value", None), back)
            if found:
                entry.keys["value"] = found
        choices = getattr(block, "choices", None)
        if isinstance(block, (gr.Radio, gr.Dropdown, gr.CheckboxGroup)) and choices:
            pairs = [(c[0], c[1]) if isinstance(c, (tuple, list)) else (c, c) for c in choices]
            found = [_find(label, back) for label, _ in pairs]
            if any(found):
                entry.choices = [(f or label, value) for f, (label, value) in zip(found, pairs, strict=True)]
        if isinstance(block, gr.Tab) and entry.keys:
            entry.keys = {"label": entry.keys["label"]}
        if entry.keys or entry.choices:
            entries.append(entry)
    return entries


def updates(entries: list[Entry], lang: str) -> list:
    out = []
    for e in entries:
        kw = {prop: localized(key, lang, fmt) for prop, (key, fmt) in e.keys.items()}
        if e.choices is not None:
            kw["choices"] = [(localized(label[0], lang, label[1]) if isinstance(label, tuple) else label, value)
                             for label, value in e.choices]
        out.append(gr.update(**kw))
    return out


def components(entries: list[Entry]) -> list:
    return [e.block for e in entries]


def untranslated(app: gr.Blocks, table: dict[str, str]) -> list[str]:
    """Visible texts of the page that are not in `table`: 'Kind #id prop: text' per text."""
    back = reverse(table)
    written = _outputs(app)
    missing = []
    for block in app.blocks.values():
        texts = [(p, getattr(block, p, None)) for p in TEXT_PROPS]
        if isinstance(block, VALUE_TYPES) and block._id not in written:
            texts.append(("value", getattr(block, "value", None)))
        choices = getattr(block, "choices", None) if isinstance(block, (gr.Radio, gr.Dropdown, gr.CheckboxGroup)) else None
        for c in choices or []:
            label = c[0] if isinstance(c, (tuple, list)) else c
            if isinstance(label, str) and label != (c[1] if isinstance(c, (tuple, list)) else None):
                texts.append(("choice", label))
        for prop, text in texts:
            if isinstance(text, str) and text.strip() and _find(text, back) is None and _has_words(text):
                missing.append(f"{type(block).__name__} #{block._id} {prop}: {text[:80]!r}")
    return missing


def _has_words(text: str) -> bool:
    """A text a person reads (not a number, an id, a symbol or a file name)."""
    import re

    return bool(re.search(r"[A-Za-z]{3,}", text)) or bool(re.search(r"[\u4e00-\u9fff]", text))
