"""Where the rows are in a JSON object read whole from a .json file:

    {"instruction": ["a", "b"], "output": ["c", "d"]}          columns of equal length (a value per row)
    {"version": "1.0", "data": [{...}, {...}]}                 rows under one list-valued key
    {"messages": [{"role": "user", "content": "..."}, ...]}    one conversation: one row

A key whose value is a non-empty list of objects holds rows (a list of chat turns under a chat key such
as messages is a conversation, not rows). One such key is taken; of several, the first of ROW_KEYS.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.data.read.base import DataError
from backend.messages import msg

ROW_KEYS = ("train", "data", "rows", "examples", "records", "items", "instances", "samples")
REGISTRY_KEYS = {"file_name", "hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name"}
CHAT_KEYS = ("messages", "conversations", "conversation", "chat", "dialog", "turns", "chosen", "rejected")


@dataclass
class ObjectRows:
    rows: list | None = None  # the row objects: a list under a key, or [the object] for one conversation
    columns: dict | None = None  # or equal-length columns
    note: str = ""  # a Message on where the rows were found, or ""


def object_rows(data: dict, label: str) -> ObjectRows:
    """The rows a JSON object holds; DataError when it holds none, or several lists and none is a known name."""
    if not data:
        raise DataError(msg("data.empty_object", label=label))
    if all(isinstance(v, list) for v in data.values()) and _looks_like_columns(data):
        return ObjectRows(columns=_checked_columns(data, label))
    keys = [k for k, v in data.items() if _holds_rows(k, v)]
    if keys:
        key = _pick(keys, label)
        others = ", ".join(repr(k) for k in keys if k != key)
        note = (msg("data.rows_from_key_others", key=key, label=label, others=others) if others
                else msg("data.rows_from_key", key=key, label=label))
        return ObjectRows(rows=data[key], note=note)
    chat = next((k for k, v in data.items() if _is_conversation(k, v)), None)
    if chat is not None:
        return ObjectRows(rows=[data], note=msg("data.one_conversation", label=label, key=chat))
    if _is_registry(data):
        names = list(data)
        entries = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
        raise DataError(msg("data.registry_not_rows", label=label, entries=entries, count=len(names)))
    raise DataError(msg("data.one_object", label=label))


def _is_registry(data: dict) -> bool:
    """LLaMA-Factory's dataset_info.json: named entries, each an object saying where its data is."""
    return all(isinstance(v, dict) for v in data.values()) and any(
        REGISTRY_KEYS & v.keys() for v in data.values())


def _looks_like_columns(data: dict) -> bool:
    """Lists of values (not all of objects), or only empty lists: the columns of a table."""
    return any(not isinstance(x, dict) for v in data.values() for x in v) or not any(data.values())


def _checked_columns(data: dict, label: str) -> dict:
    lengths = {len(v) for v in data.values()}
    if len(lengths) != 1:
        raise DataError(msg("data.column_lengths", label=label, lengths=sorted(lengths)))
    if lengths == {0}:
        raise DataError(msg("data.empty_columns", label=label))
    return data


def _holds_rows(key: str, value) -> bool:
    return (isinstance(value, list) and bool(value) and all(isinstance(x, dict) for x in value)
            and not _is_conversation(key, value))


def _is_conversation(key: str, value) -> bool:
    """Chat turns ({"role": ...} or {"from": ..., "value": ...}) under a chat key such as messages."""
    return (str(key).lower() in CHAT_KEYS and isinstance(value, list) and bool(value)
            and all(isinstance(t, dict) and ("role" in t or {"from", "value"} <= t.keys()) for t in value))


def _pick(keys: list[str], label: str) -> str:
    if len(keys) == 1:
        return keys[0]
    known = next((k for name in ROW_KEYS for k in keys if str(k).lower() == name), None)
    if known is None:
        raise DataError(msg("data.rows_key_ambiguous", label=label, keys=", ".join(repr(k) for k in keys),
                            known=", ".join(ROW_KEYS)))
    return known
