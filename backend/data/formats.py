"""Detect a dataset's format and turn each row into one internal form: a list of chat messages.

Formats: alpaca (instruction, input, output, optional system and history) and messages
(a `messages` list of {role, content}). Invalid rows are skipped with their row number and
reason, never silently: `convert` returns both the good conversations and every problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from backend.data.readers import DataError

ROLES = ("system", "user", "assistant")
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass
class Converted:
    format: str
    reason: str
    conversations: list[list[dict]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row number from 1, reason)
    rows_read: int = 0


def detect_format(rows: list[dict], name: str = "dataset") -> tuple[str, str]:
    """Return (format, the reason it was chosen)."""
    if not rows:
        raise DataError(f"{name}: has no rows.")
    columns = set().union(*(r.keys() for r in rows[:50]))
    if "messages" in columns:
        return "messages", "rows have a `messages` list of {role, content}"
    if {"instruction", "output"} <= columns:
        return "alpaca", "rows have `instruction` and `output` fields"
    raise DataError(
        f"{name}: cannot tell the format from the columns {sorted(columns)}. Expected alpaca "
        "(`instruction`, optional `input`, `output`) or messages (a `messages` list of "
        "{role, content})."
    )


def convert(rows: list[dict], fmt: str = "auto", placeholders: dict | None = None, name: str = "dataset") -> Converted:
    if fmt == "auto":
        fmt, reason = detect_format(rows, name)
    else:
        reason = "chosen in the spec"
    to_messages = {"alpaca": _alpaca, "messages": _messages}.get(fmt)
    if to_messages is None:
        raise DataError(f"{name}: unknown format {fmt!r}; accepted: auto, alpaca, messages.")
    out = Converted(format=fmt, reason=reason, rows_read=len(rows))
    for i, row in enumerate(rows, start=1):
        try:
            messages = to_messages(row)
            _check_conversation(messages)
        except _RowProblem as p:
            out.skipped.append((i, str(p)))
            continue
        if placeholders:
            messages = [{**m, "content": fill_placeholders(m["content"], placeholders)} for m in messages]
        out.conversations.append(messages)
    return out


def fill_placeholders(text: str, values: dict) -> str:
    """Replace `{{key}}` with values[key]; unknown keys stay as they are."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def placeholders_in(rows: list[dict], limit: int = 200) -> list[str]:
    """The `{{key}}` names used in the first rows, for the UI to offer fields for."""
    found: list[str] = []
    for row in rows[:limit]:
        for value in row.values():
            for key in _PLACEHOLDER.findall(str(value)):
                if key not in found:
                    found.append(key)
    return found


class _RowProblem(Exception):
    pass


def _text(row: dict, key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        if isinstance(value, (int, float)):
            return str(value)
        raise _RowProblem(f"'{key}' is a {type(value).__name__}, expected text")
    return value


def _alpaca(row: dict) -> list[dict]:
    instruction, inp, output = _text(row, "instruction"), _text(row, "input"), _text(row, "output")
    prompt = f"{instruction}\n{inp}" if instruction.strip() and inp.strip() else (instruction or inp)
    if not prompt.strip():
        raise _RowProblem("'instruction' and 'input' are both empty")
    if not output.strip():
        raise _RowProblem("'output' is empty")
    messages = []
    system = _text(row, "system")
    if system.strip():
        messages.append({"role": "system", "content": system})
    history = row.get("history") or []
    if not isinstance(history, list):
        raise _RowProblem("'history' must be a list of [question, answer] pairs")
    for turn, pair in enumerate(history, start=1):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            raise _RowProblem(f"'history' item {turn} is not a [question, answer] pair")
        messages += [{"role": "user", "content": str(pair[0])}, {"role": "assistant", "content": str(pair[1])}]
    messages += [{"role": "user", "content": prompt}, {"role": "assistant", "content": output}]
    return messages


def _messages(row: dict) -> list[dict]:
    raw = row.get("messages")
    if not isinstance(raw, list) or not raw:
        raise _RowProblem("'messages' is missing or not a list")
    messages = []
    for turn, m in enumerate(raw, start=1):
        if not isinstance(m, dict) or "role" not in m or "content" not in m:
            raise _RowProblem(f"message {turn} lacks 'role' or 'content'")
        role = {"human": "user", "gpt": "assistant", "bot": "assistant", "model": "assistant"}.get(m["role"], m["role"])
        if role not in ROLES:
            raise _RowProblem(f"message {turn} has role {m['role']!r}; accepted: system, user, assistant")
        content = m["content"] if isinstance(m["content"], str) else None
        if content is None:
            raise _RowProblem(f"message {turn} content is not text")
        messages.append({"role": role, "content": content})
    return messages


def _check_conversation(messages: list[dict]) -> None:
    body = messages[1:] if messages and messages[0]["role"] == "system" else messages
    if not body:
        raise _RowProblem("conversation has no turns")
    if any(m["role"] == "system" for m in body):
        raise _RowProblem("a system message may only come first")
    for turn, m in enumerate(body):
        expected = "user" if turn % 2 == 0 else "assistant"
        if m["role"] != expected:
            raise _RowProblem(f"turn {turn + 1} is {m['role']!r} where {expected!r} was expected (turns alternate)")
    if body[-1]["role"] != "assistant":
        raise _RowProblem("conversation ends with a user turn (nothing to learn)")
    if any(not m["content"].strip() for m in body if m["role"] == "assistant"):
        raise _RowProblem("an assistant reply is empty")
