"""Switch a built page to another language in place: every label, help text, placeholder, choice
and static text is put back through the string tables, and nothing the user entered changes.

    summary = relabel.handler_writes(gr.Markdown(t["data.loading"]))  # while building: a handler rewrites it
    plan = relabel.plan(app, strings_used_to_build)   # once the page is built
    updates = relabel.updates(plan, "zh")             # one gr.update per component, in plan order
    missing = relabel.untranslated(app, table)        # texts no table knows (the completeness test)

What is recorded while the page is built, and where:
- which component got which key: a text from the tables is a `Localized` string that remembers its key
  and format arguments (studio.i18n.strings), and a component keeps it as it was given (its `label`,
  `info`, `placeholder`, `value`, `choices`). plan() walks the page by its public tree (`Blocks.children`,
  each layout's `children`) and reads those properties; a text with no key (built from a plain table)
  is looked up in the table it came from (text → key).
- which values a handler writes: the code that builds such a component says so, with
  `handler_writes(component)` (a status line, a summary, a button whose text a handler changes). Its
  value is left to that handler, which redraws it in the new language (app.wire_language runs the
  page's redraws after the switch) or at its next run; its label and help text are still relabelled.
  A component that handlers only show, hide or enable keeps its static text and is relabelled.
  tests/studio/i18n/test_i18n.py checks that every handler output with a text from the tables is marked, or listed
  there as written for visibility only.
Nothing here reads gradio's private state (`app.fns`, `block._id`).

Why not gradio's own `gr.I18n` (`gr.Button(i18n("btn.next"))`, `launch(i18n=...)`): it translates in the
browser from the browser's locale (or gradio's settings panel in the footer, which the studio hides),
so it cannot follow the studio's own per-session switch on the page, remembered in the browser and
`?lang=`; its `I18nData` is a key, not a string, so it takes no format values (`"{job}"`), and what the
handlers write (summaries, the review, gr.Info/Warning, backend messages rendered from their ids) is
made on the server, which must know the session's language anyway (studio.i18n.SessionStrings). One
mechanism for both, the tables on the server, keeps every text in one place.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field

import gradio as gr

from studio.i18n import localized

TEXT_PROPS = ("label", "info", "placeholder")
VALUE_TYPES = (gr.Markdown, gr.Button, gr.HTML, gr.DownloadButton, gr.UploadButton)
CHOICE_TYPES = (gr.Radio, gr.Dropdown, gr.CheckboxGroup)

# Components whose value a handler writes (marked by the code that builds them; see the docstring).
_HANDLER_WRITTEN: weakref.WeakSet = weakref.WeakSet()


def handler_writes(component):
    """Mark `component` as one whose value a handler writes: the language switch leaves its value to
    that handler (its label and help text are still relabelled). Returns the component."""
    _HANDLER_WRITTEN.add(component)
    return component


def is_handler_written(component) -> bool:
    return component in _HANDLER_WRITTEN


@dataclass
class Entry:
    block: object
    keys: dict = field(default_factory=dict)  # prop -> (key, format kwargs or None)
    choices: list | None = None  # [((key, kwargs) or literal label, value), ...] when a label has a key


def walk(app: gr.Blocks) -> Iterator:
    """Every block of the page, in page order, by the public tree (`children` of each layout)."""
    for block in getattr(app, "children", None) or []:
        yield block
        yield from walk(block)


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


def _static_value(block) -> bool:
    """A component whose `value` is a static text of the page (not the user's, not a handler's)."""
    return isinstance(block, VALUE_TYPES) and not is_handler_written(block)


def _choice_pairs(block) -> list[tuple]:
    choices = getattr(block, "choices", None) if isinstance(block, CHOICE_TYPES) else None
    return [(c[0], c[1]) if isinstance(c, (tuple, list)) else (c, c) for c in choices or []]


def plan(app: gr.Blocks, table: dict[str, str]) -> list[Entry]:
    back = reverse(table)
    entries = []
    for block in walk(app):
        entry = Entry(block)
        for prop in TEXT_PROPS:
            found = _find(getattr(block, prop, None), back)
            if found:
                entry.keys[prop] = found
        if _static_value(block):
            found = _find(getattr(block, "value", None), back)
            if found:
                entry.keys["value"] = found
        pairs = _choice_pairs(block)
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
    """Visible texts of the page that are not in `table`: 'Kind #elem_id prop: text' per text."""
    back = reverse(table)
    missing = []
    for block in walk(app):
        texts = [(p, getattr(block, p, None)) for p in TEXT_PROPS]
        if _static_value(block):
            texts.append(("value", getattr(block, "value", None)))
        choices = getattr(block, "choices", None) if isinstance(block, CHOICE_TYPES) else None
        for c in choices or []:
            label, value = (c[0], c[1]) if isinstance(c, (tuple, list)) else (c, None)  # a bare choice is shown
            if isinstance(label, str) and label != value:
                texts.append(("choice", label))
        for prop, text in texts:
            if isinstance(text, str) and text.strip() and _find(text, back) is None and _has_words(text):
                missing.append(f"{type(block).__name__} #{getattr(block, 'elem_id', None) or '-'} {prop}: {text[:80]!r}")
    return missing


def _has_words(text: str) -> bool:
    """A text a person reads (not a number, an id, a symbol or a file name)."""
    return bool(re.search(r"[A-Za-z]{3,}", text)) or bool(re.search(r"[\u4e00-\u9fff]", text))
