"""Conversations to token ids and labels through the model's chat template.

Only assistant turns are trained: every other token gets label -100. The assistant spans are
found in characters by rendering the conversation turn by turn, then mapped onto tokens with
the tokenizer's offsets, so it works with any chat template whose rendering grows by
appending (all common ones do) and needs no `{% generation %}` markers.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.messages import msg

IGNORE = -100


@dataclass
class Tokenized:
    input_ids: list[int]
    labels: list[int]


def ensure_chat_template(tokenizer, name: str = "") -> str:
    """Use the named template, else the tokenizer's own, else chatml. Returns what is used."""
    from backend.resources import chat_template

    if name:
        tokenizer.chat_template = chat_template(name)
        return name
    if getattr(tokenizer, "chat_template", None):
        return "tokenizer's own"
    tokenizer.chat_template = chat_template("chatml")
    return "chatml (the tokenizer has none)"


def render(tokenizer, messages: list[dict], add_generation_prompt: bool = False, tools: list[dict] | None = None) -> str:
    """The chat template's text; `tools` (JSON-schema function dicts) are passed on when given."""
    extra = {"tools": tools} if tools else {}
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt, **extra)


def assistant_spans(tokenizer, messages: list[dict], tools: list[dict] | None = None,
                    first: int = 0) -> tuple[str, list[tuple[int, int]]]:
    """The rendered text and the [start, end) character spans of each assistant turn
    (only those at index `first` or later: a preference/KTO reply after its prompt)."""
    text = render(tokenizer, messages, tools=tools)
    spans = []
    for i, m in enumerate(messages):
        if m["role"] != "assistant" or i < first:
            continue
        prefix = render(tokenizer, messages[:i], add_generation_prompt=True, tools=tools)
        upto = text if i == len(messages) - 1 else render(tokenizer, messages[: i + 1], tools=tools)
        if text.startswith(upto) and upto.startswith(prefix):
            spans.append((len(prefix), len(upto)))
        else:  # a template that rewrites earlier turns: fall back to finding the reply itself
            content = m.get("content") or ""
            start = text.find(content, spans[-1][1] if spans else 0)
            if start < 0:
                raise ValueError(msg("data.template_drops_reply"))
            spans.append((start, start + len(content)))
    return text, spans


def trained_flags(offsets, spans: list[tuple[int, int]]) -> list[bool]:
    """Which tokens are learned: those that start inside an assistant span (and are not empty).
    One bisect per token over the merged spans (a scan of every span per token was slower)."""
    from bisect import bisect_right

    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        elif e > s:
            merged.append([s, e])
    starts = [s for s, _ in merged]
    ends = [e for _, e in merged]
    flags = []
    for start, end in offsets:
        k = bisect_right(starts, start) - 1
        flags.append(end > start and k >= 0 and start < ends[k])
    return flags


def tokenize_conversation(tokenizer, messages: list[dict], max_length: int,
                          tools: list[dict] | None = None) -> Tokenized:
    text, spans = assistant_spans(tokenizer, messages, tools=tools)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(enc["input_ids"])
    labels = [i if trained else IGNORE for i, trained in zip(ids, trained_flags(enc["offset_mapping"], spans))]
    return Tokenized(ids[:max_length], labels[:max_length])


def tokenize_all(tokenizer, conversations: list[list[dict]], max_length: int) -> tuple[list[Tokenized], list[int]]:
    """Tokenize every conversation; return the examples and the indices (from 0) dropped
    because truncation left no assistant token to learn from."""
    kept, dropped = [], []
    for i, messages in enumerate(conversations):
        t = tokenize_conversation(tokenizer, messages, max_length)
        if all(label == IGNORE for label in t.labels):
            dropped.append(i)
        else:
            kept.append(t)
    return kept, dropped
