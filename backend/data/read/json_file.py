"""A .json file for backend.data.read: an array of objects (or of strings, each a row's text), an object
holding its rows (json_shape.py: columns, rows under a key, one conversation), parsed whole (JSON has no
streaming form), or JSON lines under a .json name (streamed as such)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from backend.data.read.base import WS, DataError, Encoding, Reader, RowFault, json_type, not_utf8, open_bytes
from backend.data.read.json_shape import object_rows
from backend.data.read.text import JsonlReader
from backend.messages import msg


def open_json(path: Path, label: str, encoding: Encoding) -> Reader:
    """A JSON array of objects, an object holding rows, or (despite the name) JSON lines."""
    if encoding.name == "utf-8" and _first_line_is_object(path, label, encoding.start):
        return JsonlReader(path, label, encoding)
    with open_bytes(path, label) as f:
        f.seek(encoding.start)
        raw = f.read()
    try:
        text = raw.decode(encoding.name)
    except UnicodeDecodeError as e:
        if encoding.name == "utf-8":
            raise not_utf8(label, raw, e.start) from None
        raise DataError(msg("data.bad_utf16", label=label)) from None
    del raw
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        if encoding.name == "utf-8" and text.lstrip().startswith("{") and "\n{" in text:
            return JsonlReader(path, label, encoding)  # JSON lines whose first line is broken
        raise DataError(msg("data.bad_json", label=label, line=e.lineno, column=e.colno, error=e.msg)) from None
    except RecursionError:
        raise DataError(msg("data.json_too_deep", label=label)) from None
    return _JsonArrayReader(path, label, data)


def _first_line_is_object(path: Path, label: str, start: int) -> bool:
    """Is the first non-blank line a whole JSON object, with more non-blank lines after it?"""
    first = None
    with open_bytes(path, label) as f:
        f.seek(start)
        for raw in f:
            if first is not None and raw.strip(WS):
                break
            if first is None and raw.strip(WS):
                if not raw.lstrip(WS).startswith(b"{"):
                    return False
                first = raw
        else:
            return False
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):
        return False


class _JsonArrayReader(Reader):
    def __init__(self, path: Path, label: str, data):
        super().__init__(path, label)
        self._list: list | None = None
        self._columns: dict | None = None
        self._strings = False  # an array of strings: each is a row's text (as datasets' json loader reads it)
        if isinstance(data, list):
            if not data:
                raise DataError(msg("data.empty_array", label=label))
            self._list = data
            self._strings = all(isinstance(item, str) for item in data)
            if self._strings:
                self.note = msg("data.rows_from_strings", label=label)
        elif isinstance(data, dict):
            found = object_rows(data, label)
            self._list, self._columns, self.note = found.rows, found.columns, found.note
        else:
            raise DataError(msg("data.not_rows", label=label, type=json_type(data)))

    def _at(self, i: int) -> dict | RowFault:
        if self._columns is not None:
            return {key: values[i] for key, values in self._columns.items()}
        item = self._list[i]
        if isinstance(item, dict):
            return item
        if self._strings:
            return {"text": item}
        return RowFault(msg("data.item_not_object", row=i + 1, type=type(item).__name__))

    def rows(self) -> Iterator[dict | RowFault]:
        for i in range(self.count()):
            yield self._at(i)

    def count(self) -> int:
        if self._columns is not None:
            return len(next(iter(self._columns.values())))
        return len(self._list)

    def row(self, k: int) -> dict | RowFault | None:
        return self._at(k - 1) if 1 <= k <= self.count() else None
