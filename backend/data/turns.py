"""One turn list (sharegpt `from/value` or OpenAI `role/content`) to internal chat messages.

Handles custom role and content tags (LLaMA-Factory's `tags`), tool calls (sharegpt
`function_call`/`observation` turns, OpenAI `tool_calls` and `tool` role), text parts, and
reasoning (`<think>` in a reply or a separate reasoning field), kept or dropped.
Every problem is a RowProblem naming the field and the turn.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from backend.messages import msg

# LLaMA-Factory's sharegpt defaults; `role`/`content` (OpenAI) are tried as well.
SHAREGPT_TAGS = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "observation",
    "function_tag": "function_call",
    "system_tag": "system",
}
OPENAI_TAGS = {
    "role_tag": "role",
    "content_tag": "content",
    "user_tag": "user",
    "assistant_tag": "assistant",
    "observation_tag": "tool",
    "function_tag": "function_call",
    "system_tag": "system",
}
# Role names seen in the wild, mapped whatever the tags say.
ROLE_ALIASES = {
    "human": "user", "user": "user", "prompter": "user",
    "gpt": "assistant", "assistant": "assistant", "bot": "assistant", "model": "assistant", "chatgpt": "assistant",
    "system": "system",
    "observation": "tool", "tool": "tool", "function": "tool", "ipython": "tool",
    "function_call": "function_call", "tool_call": "function_call",
}
REASONING_KEYS = ("reasoning_content", "reasoning", "thinking", "thought")
_THINK = re.compile(r"<think>(.*?)</think>\s*", re.S)


@dataclass
class RowProblem(Exception):
    field: str
    message: str  # a Message (backend.messages): the UI shows it in the page's language

    def __str__(self) -> str:
        return self.message


def text_of(value, field: str, turn: int = 0) -> str:
    """A cell as text: strings as they are, numbers printed, text parts joined; else a problem.
    `field` is the column (reported as the row's field); `turn`, when given, the turn of it that holds
    the value (the message names it: "messages turn 2")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise RowProblem(field, msg("rows.turn_text_is_bool", where=_turn_at(field, turn)) if turn
                         else msg("rows.text_is_bool", column=field))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and value and all(isinstance(p, dict) for p in value):
        parts = []
        for p in value:
            if p.get("type", "text") != "text" or not isinstance(p.get("text"), str):
                raise RowProblem(field, _part_problem(field, turn, p))
            parts.append(p["text"])
        return "".join(parts)
    kind = type(value).__name__
    raise RowProblem(field, msg("rows.turn_text_wrong_type", where=_turn_at(field, turn), type=kind) if turn
                     else msg("rows.text_wrong_type", column=field, type=kind))


def _part_problem(field: str, turn: int, part: dict):
    """A text part that is not text (an image...), or has no text."""
    if "type" not in part:
        return (msg("rows.turn_text_part_untyped", where=_turn_at(field, turn)) if turn
                else msg("rows.text_part_untyped", column=field))
    kind = repr(part["type"])
    return (msg("rows.turn_text_part", where=_turn_at(field, turn), part=kind) if turn
            else msg("rows.text_part", column=field, part=kind))


def with_reasoning(content: str, reasoning: str, mode: str) -> str:
    """Keep reasoning as a leading <think> block, or drop every <think> block."""
    if mode == "drop":
        return _THINK.sub("", content).strip() if "<think>" in content else content
    if reasoning.strip() and "<think>" not in content:
        return f"<think>\n{reasoning.strip()}\n</think>\n\n{content.lstrip()}"
    return content


def parse_tools(value, field: str = "tools") -> list[dict] | None:
    """A tools cell (JSON text or a list) to a list of function schemas."""
    if value in (None, "", []):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as e:
            raise RowProblem(field, msg("rows.tools_bad_json", column=field, error=e.msg, position=e.colno)) from None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise RowProblem(field, msg("rows.tools_not_list", column=field))
    tools = []
    for t in value:
        fn = t.get("function", t) if t.get("type") == "function" else t
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise RowProblem(field, msg("rows.tool_no_name", column=field))
        tools.append(fn)
    return tools


def tool_call(text: str, field: str) -> list[dict]:
    """A sharegpt function_call turn's JSON (one call or a list) to OpenAI-style tool_calls."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise RowProblem(field, msg("rows.call_bad_json", where=field, error=e.msg)) from None
    calls = [_call(c) for c in (value if isinstance(value, list) else [value])]
    if None in calls:
        raise RowProblem(field, msg("rows.call_no_name", where=field))
    return calls


def _openai_tool_calls(raw, field: str) -> list[dict]:
    if not isinstance(raw, list):
        raise RowProblem(field, msg("rows.tool_calls_not_list", where=field))
    calls = [_call(c.get("function", c) if isinstance(c, dict) else None) for c in raw]
    if None in calls:
        raise RowProblem(field, msg("rows.tool_call_no_function", where=field))
    return calls


def _call(fn) -> dict | None:
    """One call {name, arguments} (arguments as JSON text or an object) in the internal form; None
    when it names no function."""
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
        return None
    args = fn.get("arguments", {})
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            pass  # kept as the text it is
    return {"type": "function", "function": {"name": fn["name"], "arguments": args}}


def convert_turns(raw, column: str, tags: dict | None = None, reasoning: str = "keep") -> list[dict]:
    """A list of turns to messages (not yet checked for order: see check_order)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise RowProblem(column, msg("rows.turns_is_text", column=column)) from None
    if not isinstance(raw, list) or not raw:
        raise RowProblem(column, msg("rows.turns_missing", column=column))
    tags = tags or {}
    role_map = dict(ROLE_ALIASES)
    for key, role in (("user_tag", "user"), ("assistant_tag", "assistant"), ("observation_tag", "tool"),
                      ("function_tag", "function_call"), ("system_tag", "system")):
        if tags.get(key):
            role_map[tags[key]] = role
    messages: list[dict] = []
    for n, turn in enumerate(raw, start=1):
        if not isinstance(turn, dict):
            raise RowProblem(column, msg("rows.turn_not_object", where=_turn_at(column, n),
                                         type=type(turn).__name__))
        role_key = tags.get("role_tag") or ("from" if "from" in turn else "role")
        content_key = tags.get("content_tag") or ("value" if "value" in turn else "content")
        if role_key not in turn:
            raise RowProblem(column, msg("rows.turn_no_speaker", where=_turn_at(column, n), key=role_key))
        role = role_map.get(str(turn[role_key]).lower() if isinstance(turn[role_key], str) else turn[role_key])
        if role is None:
            accepted = ", ".join(sorted({k for k in role_map if isinstance(k, str)}))
            raise RowProblem(column, msg("rows.turn_bad_speaker", where=_turn_at(column, n),
                                         speaker=repr(turn[role_key]), accepted=accepted))
        content = text_of(turn.get(content_key), column, n)
        message: dict = {"role": role, "content": content}
        if role == "function_call":
            message = {"role": "assistant", "content": "", "tool_calls": tool_call(content, _turn_at(column, n))}
        elif role == "assistant":
            if turn.get("tool_calls"):
                message["tool_calls"] = _openai_tool_calls(turn["tool_calls"], _turn_at(column, n))
            thought = next((turn[k] for k in REASONING_KEYS if isinstance(turn.get(k), str)), "")
            message["content"] = with_reasoning(content, thought, reasoning)
        # A sharegpt function_call right after an assistant text turn belongs to that turn.
        if (
            message.get("tool_calls")
            and messages
            and messages[-1]["role"] == "assistant"
            and not messages[-1].get("tool_calls")
            and role == "function_call"
        ):
            messages[-1]["tool_calls"] = message["tool_calls"]
            continue
        messages.append(message)
    return messages


def _turn_at(column: str, n: int):
    """Where a turn is, for its messages: "conversations turn 3" (a Message)."""
    return msg("rows.turn_at", column=column, turn=n)


def check_order(messages: list[dict], column: str, must_end: str = "assistant") -> None:
    """System first (optional), then user; a user is answered; tool calls are followed by
    their results; the last turn is `must_end` ("assistant", "user" for a prompt, or "any")."""
    body = messages[1:] if messages and messages[0]["role"] == "system" else messages
    if not body:
        raise RowProblem(column, msg("rows.only_system"))
    expected = {"user"}
    for n, m in enumerate(body, start=1 + (len(messages) - len(body))):
        role = m["role"]
        if role == "system":
            raise RowProblem(column, msg("rows.system_not_first", turn=n))
        if role not in expected:
            want = " or ".join(sorted(expected))
            raise RowProblem(column, msg("rows.turn_out_of_order", turn=n, role=repr(role), expected=want))
        if role == "user":
            if not m["content"].strip():
                raise RowProblem(column, msg("rows.user_turn_empty", turn=n))
            expected = {"assistant"}
        elif role == "assistant":
            if not m["content"].strip() and not m.get("tool_calls"):
                raise RowProblem(column, msg("rows.assistant_turn_empty", turn=n))
            expected = {"tool"} if m.get("tool_calls") else {"user"}
        else:  # tool result
            expected = {"tool", "assistant"}
    last = body[-1]["role"]
    # A reply that is a tool call teaches the call (LLaMA-Factory's rows may end with function_call, and
    # single-call sets such as xlam's all do); a row ending with a tool's result or the user has no reply.
    if must_end == "assistant" and last != "assistant":
        raise RowProblem(column, msg("rows.ends_with", what=msg("rows.a_role_turn", role=last)))
    if must_end == "user" and last not in ("user", "tool"):
        raise RowProblem(column, msg("rows.prompt_ends_with", role=last))
