"""Read a dataset file into a list of row dicts: json (array, or object of arrays), jsonl, csv.

Pure Python on purpose: the UI calls this for previews without importing torch or datasets.
Every error names the file and, where it can, the line.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

SUFFIXES = (".json", ".jsonl", ".csv")


class DataError(ValueError):
    """A dataset problem a user can fix: the message names the file, row or field."""


def read_rows(path: str | Path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file. Check the path, or upload the file again.")
    if path.is_dir():
        raise DataError(f"{path}: is a folder; give a .json, .jsonl or .csv file.")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(f"{path.name}: unsupported file type {suffix or '(none)'}; use .json, .jsonl or .csv.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{path.name}: not UTF-8 text (byte {e.start}); save the file as UTF-8.") from None
    if not text.strip():
        raise DataError(f"{path.name}: the file is empty.")
    if suffix == ".csv":
        return _read_csv(path.name, text)
    if suffix == ".jsonl":
        return _read_jsonl(path.name, text)
    try:
        return _read_json(path.name, text)
    except DataError:
        # Many ".json" files are really JSON lines.
        if text.lstrip().startswith("{") and "\n{" in text:
            return _read_jsonl(path.name, text)
        raise


def _read_json(name: str, text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise DataError(f"{name}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}.") from None
    if isinstance(data, dict):
        # An object of equal-length arrays (column form), as pandas `to_json(orient="list")` writes.
        if data and all(isinstance(v, list) for v in data.values()):
            lengths = {len(v) for v in data.values()}
            if len(lengths) != 1:
                raise DataError(f"{name}: the columns have different lengths {sorted(lengths)}.")
            keys = list(data)
            return [dict(zip(keys, values, strict=True)) for values in zip(*data.values(), strict=True)]
        raise DataError(f"{name}: expected a list of rows (JSON array) or an object of columns.")
    if not isinstance(data, list):
        raise DataError(f"{name}: expected a list of rows, got a JSON {type(data).__name__}.")
    for i, row in enumerate(data, start=1):
        if not isinstance(row, dict):
            raise DataError(f"{name}: row {i} is a {type(row).__name__}, not an object with fields.")
    return data


def _read_jsonl(name: str, text: str) -> list[dict]:
    rows = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{name}: line {lineno} is not valid JSON ({e.msg}, column {e.colno}).") from None
        if not isinstance(row, dict):
            raise DataError(f"{name}: line {lineno} is a {type(row).__name__}, not an object with fields.")
        rows.append(row)
    return rows


def _read_csv(name: str, text: str) -> list[dict]:
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames:
        raise DataError(f"{name}: no header row; the first line must name the columns.")
    rows = []
    for i, row in enumerate(reader, start=1):
        if None in row:
            raise DataError(f"{name}: row {i} has more values than the header has columns.")
        rows.append({k: v for k, v in row.items()})
    return rows
