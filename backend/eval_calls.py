"""Exact match for replies that make tool calls: a model writes a call in its chat template's own wrapping
(`<tool_call>{"name": ..., "arguments": ...}</tool_call>` for chatml, Qwen, Hermes and the studio's templates; a bare
JSON object for others), while the reference is the call as the data writes it (backend.evaluation.reference_of).
Two answers match when they make the same calls (name and arguments, arguments compared as JSON values, in order)
and say the same text around them (spaces aside).

    same_answer(reply, reference)   # True / False
"""

from __future__ import annotations

import json
import re

_TAGS = re.compile(r"</?(tool_call|function_call|tool_calls)>|<\|python_tag\|>")
_DECODER = json.JSONDecoder()


def calls_and_text(answer: str) -> tuple[list[tuple[str, object]], str]:
    """([(name, arguments)], the text outside the calls, its spaces collapsed). A call is a JSON object with a
    "name" (and "arguments" or "parameters", an object or a JSON string of one)."""
    calls, rest, i = [], [], 0
    text = answer or ""
    while i < len(text):
        j = text.find("{", i)
        if j < 0:
            rest.append(text[i:])
            break
        try:
            value, end = _DECODER.raw_decode(text, j)
        except ValueError:
            rest.append(text[i:j + 1])
            i = j + 1
            continue
        call = _call(value)
        if call is None:
            rest.append(text[i:end])
        else:
            rest.append(text[i:j])
            calls.append(call)
        i = end
    words = " ".join(_TAGS.sub(" ", "".join(rest)).split())
    return calls, words


def _call(value) -> tuple[str, object] | None:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    args = value.get("arguments", value.get("parameters", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            pass
    return value["name"], args


def same_answer(reply: str, reference: str) -> bool:
    """Whether the reply is the reference: the same text (trimmed), or the same tool calls and words around them."""
    if (reply or "").strip() == (reference or "").strip():
        return True
    ref_calls, ref_text = calls_and_text(reference)
    if not ref_calls:
        return False
    calls, text = calls_and_text(reply)
    return calls == ref_calls and text == ref_text
