"""Messages listed one after another, each keeping its id (so the page renders every part in its language):

    joined([m1, m2, m3])             # "a; b; c"
    joined([m1, m2], comma=True)     # "a, b"
    kinds_listed([(label, format, kind), ...])   # "a.json is alpaca (sft), b.json is preference (preference)"
"""

from __future__ import annotations

from backend.messages import Message, msg


def joined(items: list, comma: bool = False) -> Message | str:
    """Messages one after another, "a; b; c" (or "a, b, c"), each keeping its id: a message of messages."""
    if not items:
        return ""
    out = items[0]
    for item in items[1:]:
        out = msg("data.list_comma", head=out, tail=item) if comma else msg("data.list_semicolon", head=out, tail=item)
    return out


def kinds_listed(sources: list[tuple[str, str, str]]) -> Message | str:
    """Each source (label, format, kind) with its format and kind, comma-separated."""
    return joined([msg("data.source_kind", label=label, format=fmt, kind=kind) for label, fmt, kind in sources],
                  comma=True)
