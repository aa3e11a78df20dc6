"""A .json file for backend.data.read: an array of objects or an object of equal-length arrays,
parsed whole (JSON has no streaming form), or JSON lines under a .json name (streamed as such)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from backend.data.read.base import WS, DataError, Encoding, Reader, RowFault, json_type, not_utf8
from backend.data.read.text import JsonlReader
from backend.messages import msg


def open_json(path: Path, label: str, encoding: Encoding) -> Reader:
    """A JSON array of objects, an object of equal-length arrays, or (despite the name) JSON lines."""
    if encoding.name == "utf-8" and _first_line_is_object(path, encoding.start):
        return JsonlReader(path, label, encoding)
    raw = path.read_bytes()[encoding.start:]
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


def _first_line_is_object(path: Path, start: int) -> bool:
    """Is the first non-blank line a whole JSON object, with more non-blank lines after it?"""
    first = None
    with open(path, "rb") as f:
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
        if isinstance(data, list):
            if not data:
                raise DataError(msg("data.empty_array", label=label))
            self._list = data
        elif isinstance(data, dict) and data and all(isinstance(v, list) for v in data.values()):
            lengths = {len(v) for v in data.values()}
            if len(lengths) != 1:
                raise DataError(msg("data.column_lengths", label=label, lengths=sorted(lengths)))
            if lengths == {0}:
                raise DataError(msg("data.empty_columns", label=label))
            self._columns = data
        elif isinstance(data, dict):
            if not data:
                raise DataError(msg("data.empty_object", label=label))
            raise DataError(msg("data.one_object", label=label))
        else:
            raise DataError(msg("data.not_rows", label=label, type=json_type(data)))

    def _at(self, i: int) -> dict | RowFault:
        if self._columns is not None:
            return {key: values[i] for key, values in self._columns.items()}
        item = self._list[i]
        if isinstance(item, dict):
            return item
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
