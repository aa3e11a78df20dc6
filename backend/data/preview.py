"""Show one example as the model will see it: the chat template's text, with the trained (loss)
tokens set apart from the masked ones and the tokens past max_length marked as cut.

Pure Python: takes any tokenizer duck-typed like transformers' (LiteTokenizer in the UI process,
so no torch import). The masks follow backend/data/tokenize.py: a token is trained when it starts
inside an assistant reply as rendered by the template (reply text plus the template's end-of-turn).

    panels = render_example(tok, example, kind, max_length)   # kind: sft|preference|kto|text|prompt
    html = segments_html(panels[0])
    n = token_length(tok, example, kind)                      # for the length histogram
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from backend.data.tokenize import assistant_spans, render, trained_flags
from backend.messages import msg


@dataclass
class Segment:
    text: str
    trained: bool
    cut: bool  # past max_length: dropped in training


@dataclass
class Panel:
    title: str  # a Message (backend.messages): shown in the page's language
    segments: list[Segment]
    n_tokens: int          # all tokens, before truncation
    n_trained: int         # trained tokens that survive truncation (what the loss sees)
    truncated_tokens: int  # tokens past max_length
    special_tokens: list[str] = field(default_factory=list)  # shown boxed by segments_html


def render_example(tokenizer, example: dict, kind: str, max_length: int | None) -> list[Panel]:
    """One panel per sequence the trainer builds from the example (two for preference)."""
    tools = example.get("tools") or None
    if kind == "sft":
        text, spans = assistant_spans(tokenizer, list(example["messages"]), tools=tools)
        return [_panel(tokenizer, msg("data.panel_conversation"), text, spans, max_length)]
    if kind == "preference":
        prompt = list(example["prompt"])
        return [_reply_panel(tokenizer, title, prompt, list(example[name]), tools, max_length)
                for name, title in (("chosen", msg("data.panel_chosen")), ("rejected", msg("data.panel_rejected")))]
    if kind == "kto":
        title = msg("data.panel_desirable") if example.get("label") else msg("data.panel_undesirable")
        return [_reply_panel(tokenizer, title, list(example["prompt"]), list(example["completion"]), tools, max_length)]
    if kind == "text":
        text = example["text"] + (tokenizer.eos_token or "")
        return [_panel(tokenizer, msg("data.panel_text"), text, [(0, len(text))], max_length)]
    if kind == "prompt":
        text = render(tokenizer, list(example["prompt"]), add_generation_prompt=True, tools=tools)
        reference = example.get("reference")
        title = msg("data.panel_prompt")
        if reference not in (None, ""):
            ref = str(reference)
            title = msg("data.panel_prompt_reference", reference=ref if len(ref) <= 200 else ref[:200] + "…")
        return [_panel(tokenizer, title, text, [], max_length)]
    raise ValueError(f"unknown example kind {kind!r}; expected sft, preference, kto, text or prompt.")


def token_length(tokenizer, example: dict, kind: str) -> int:
    """Tokens of the example before truncation (for preference: the longer of chosen/rejected)."""
    tools = example.get("tools") or None

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    if kind == "sft":
        return count(render(tokenizer, list(example["messages"]), tools=tools))
    if kind == "preference":
        prompt = list(example["prompt"])
        return max(count(render(tokenizer, prompt + list(example[name]), tools=tools)) for name in ("chosen", "rejected"))
    if kind == "kto":
        return count(render(tokenizer, list(example["prompt"]) + list(example["completion"]), tools=tools))
    if kind == "text":
        return count(example["text"] + (tokenizer.eos_token or ""))
    if kind == "prompt":
        return count(render(tokenizer, list(example["prompt"]), add_generation_prompt=True, tools=tools))
    raise ValueError(f"unknown example kind {kind!r}; expected sft, preference, kto, text or prompt.")


def _reply_panel(tokenizer, title, prompt, reply, tools, max_length) -> Panel:
    """Prompt masked (assistant turns in its history too), only the reply trained."""
    text, spans = assistant_spans(tokenizer, prompt + reply, tools=tools, first=len(prompt))
    return _panel(tokenizer, title, text, spans, max_length)


def _panel(tokenizer, title: str, text: str, spans, max_length: int | None) -> Panel:
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    offsets = [tuple(o) for o in enc["offset_mapping"]]
    trained = trained_flags(offsets, spans)
    n = len(offsets)
    limit = n if not max_length or max_length <= 0 else min(n, max_length)
    segments: list[Segment] = []
    pos = 0
    for j, (_start, end) in enumerate(offsets):
        # Each token owns the text from where the previous one stopped to its end, so the
        # segments always join back into the whole text (gaps, e.g. stripped spaces, included).
        piece = text[pos:max(pos, end)]
        pos = max(pos, end)
        state = (trained[j], j >= limit)
        if not piece:  # a token sharing its character with the previous one (a split UTF-8 char)
            continue
        if segments and (segments[-1].trained, segments[-1].cut) == state:
            segments[-1].text += piece
        else:
            segments.append(Segment(piece, *state))
    if pos < len(text):
        if segments:
            segments[-1].text += text[pos:]
        else:
            segments.append(Segment(text[pos:], False, False))
    specials = [t for t in _special_tokens(tokenizer) if t in text]
    return Panel(title=title, segments=segments, n_tokens=n, n_trained=sum(trained[:limit]),
                 truncated_tokens=n - limit, special_tokens=specials)


def _special_tokens(tokenizer) -> list[str]:
    try:
        tokens = list(getattr(tokenizer, "all_special_tokens", []) or [])
    except Exception:
        tokens = []
    added = getattr(tokenizer, "added_tokens_encoder", None)
    if isinstance(added, dict):  # chat-template markers are often added, non-"special" tokens
        tokens += [t for t in added if t not in tokens]
    return [t for t in tokens if t and not t.isspace()]


_STYLE = {
    "box": "white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, monospace; "
           "font-size: 13px; line-height: 1.5; padding: 8px; border: 1px solid #d0d7de; border-radius: 6px;",
    "trained": "background: #c9f2d6; color: #0b3d1e; border-radius: 2px;",
    "masked": "color: #8a8f98;",
    "cut": "text-decoration: line-through; opacity: 0.6;",
    "special": "outline: 1px dashed #b388eb; border-radius: 2px;",
}


def segments_html(panel: Panel) -> str:
    """The panel's text as HTML: trained text in <mark class="trained">, masked text grey, cut text
    struck through (<del class="cut">), special tokens boxed; whitespace kept; everything escaped."""
    special_re = re.compile("|".join(re.escape(t) for t in sorted(panel.special_tokens, key=len, reverse=True))) \
        if panel.special_tokens else None
    out = [f'<div class="token-preview" style="{_STYLE["box"]}">']
    for seg in panel.segments:
        body = _escape_with_specials(seg.text, special_re)
        if seg.trained:
            body = f'<mark class="trained" style="{_STYLE["trained"]}">{body}</mark>'
        else:
            body = f'<span class="masked" style="{_STYLE["masked"]}">{body}</span>'
        if seg.cut:
            body = f'<del class="cut" style="{_STYLE["cut"]}">{body}</del>'
        out.append(body)
    out.append("</div>")
    return "".join(out)


def _escape_with_specials(text: str, special_re) -> str:
    if special_re is None:
        return html.escape(text)
    parts, last = [], 0
    for m in special_re.finditer(text):
        parts.append(html.escape(text[last:m.start()]))
        parts.append(f'<span class="special" style="{_STYLE["special"]}">{html.escape(m.group(0))}</span>')
        last = m.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts)
