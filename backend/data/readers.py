"""Read dataset files row by row: json, jsonl, csv, tsv, parquet, arrow, txt, or a folder of them.

    src = open_source("data/train.jsonl")     # DataError if the file as a whole cannot be read
    for number, row in src.iter_rows():        # numbers from 1; row is a dict, or a RowFault
        ...
    src.head(5), src.columns(), src.row(17), src.count(), src.where(17)

Pure Python on purpose: the UI calls this for previews without importing torch or datasets; pyarrow
is imported only for .parquet and .arrow. Big files stream (jsonl/csv/tsv/txt line by line, parquet
and arrow batch by batch); a .json array is parsed whole, as JSON has no streaming form.

Two kinds of problems, both with a message that says where and what to do:
- DataError: the file as a whole cannot be read (missing, unsupported, empty, not UTF-8, a broken
  JSON array, a csv without a header, an unreadable parquet/arrow file).
- RowFault: one row cannot be read (a bad JSON line, a line that is not an object, a csv row with
  more cells than the header). It stands in for the row, so a scan goes on and reports every bad row.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, chain, compress, count, islice, repeat
from pathlib import Path

SUFFIXES = (".json", ".jsonl", ".csv", ".tsv", ".parquet", ".arrow", ".txt")
_ACCEPTED = ", ".join(SUFFIXES)
_CHUNK = 8 << 20  # bytes read at a time when indexing lines
_PROBE = 64 << 10  # bytes checked for the encoding when a file is opened
_BATCH = 1000  # rows converted at a time from parquet/arrow
_WS = b" \t\r\n\x0b\x0c"  # a line of only these is blank (same rule for bytes and text)
_WS_BYTES = frozenset(_WS)
_WS_TEXT = _WS.decode()
_HF_META = ("state.json", "dataset_info.json")
_GAP = re.compile(b"\x01\x00+\x01")  # over flags: a non-blank line, blank ones, a non-blank one  # beside the .arrow files of `Dataset.save_to_disk`


class DataError(ValueError):
    """A dataset problem a user can fix: the message names the file, row or field."""


@dataclass
class RowFault:
    """One row that cannot be read; it takes the row's place so a scan goes on."""

    message: str


# ---------------------------------------------------------------- sources


def open_source(path: str | Path) -> FileSource:
    """A file of a supported type, or a folder of them (read in name order); DataError otherwise."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(f"{path}: no such file or folder. Check the path, or upload the file again.")
    if path.is_dir():
        return _open_folder(path)
    return FileSource(path.name, [path], [_open_file(path, path.name)], folder=False)


class FileSource:
    """Rows of one file or of a folder's files, numbered from 1 straight across the files."""

    def __init__(self, name: str, files: list[Path], readers: list[_Reader], folder: bool):
        self.name = name
        self.files = files
        self._readers = readers
        self._folder = folder
        self._counts: list[int | None] = [None] * len(readers)

    def iter_rows(self) -> Iterator[tuple[int, dict | RowFault]]:
        number = 0
        for i, reader in enumerate(self._readers):
            first = number
            for row in reader.rows():
                number += 1
                yield number, row
            self._counts[i] = number - first

    def where(self, number: int) -> str:
        """"row 17" for one file; "b.jsonl row 3" inside a folder."""
        if not self._folder:
            return f"row {number}"
        found = self._locate(number, need_all=True)
        if found is None:
            return f"row {number}"
        i, k = found
        return f"{self.files[i].name} row {k}"

    def head(self, n: int) -> list[tuple[int, dict | RowFault]]:
        rows = self.iter_rows()
        try:
            return list(islice(rows, max(n, 0)))
        finally:
            rows.close()

    def columns(self, sample: int = 200) -> list[str]:
        """Union of the keys of the first rows, in first-seen order."""
        seen: dict[str, None] = {}
        for _, row in self.head(sample):
            if isinstance(row, dict):
                seen.update(dict.fromkeys(row))
        return list(seen)

    def row(self, number: int) -> dict | RowFault:
        found = self._locate(number, need_all=False) if number >= 1 else None
        row = self._readers[found[0]].row(found[1]) if found else None
        if row is None:
            raise DataError(f"{self.name}: there is no row {number}; it has {self.count()} rows (numbered from 1).")
        return row

    def count(self) -> int:
        return sum(self._count(i) for i in range(len(self._readers)))

    def _count(self, i: int) -> int:
        if self._counts[i] is None:
            self._counts[i] = self._readers[i].count()
        return self._counts[i]

    def _locate(self, number: int, need_all: bool) -> tuple[int, int] | None:
        """(file index, row number inside that file) of a source row number."""
        for i in range(len(self._readers)):
            if i == len(self._readers) - 1 and not need_all:
                return i, number
            n = self._count(i)
            if number <= n:
                return i, number
            number -= n
        return None


def read_rows(path: str | Path) -> list[dict]:
    """All rows of a file or folder; DataError at the first unreadable row (naming file and row)."""
    src = open_source(path)
    rows = []
    for reader in src._readers:
        for row in reader.rows():
            if isinstance(row, RowFault):
                raise DataError(f"{reader.label}: {row.message}")
            rows.append(row)
    return rows


def _open_folder(folder: Path) -> FileSource:
    if (folder / "dataset_dict.json").is_file():
        splits = ", ".join(sorted(p.name for p in folder.iterdir() if p.is_dir())) or "none found"
        raise DataError(f"{folder.name}: a saved dataset with several splits; choose one split folder in it ({splits}).")
    files = sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUFFIXES
    )
    if any(p.suffix.lower() == ".arrow" for p in files):
        files = [p for p in files if p.name not in _HF_META]
    if not files:
        raise DataError(f"{folder.name}: the folder holds no data files; put {_ACCEPTED} files in it, or choose a file.")
    readers = [_open_file(p, f"{folder.name}/{p.name}") for p in files]
    return FileSource(folder.name, files, readers, folder=True)


def _open_file(path: Path, label: str) -> _Reader:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(f"{label}: unsupported file type {suffix or '(none)'}; use one of {_ACCEPTED}, or a folder of them.")
    try:
        if path.stat().st_size == 0:
            raise DataError(f"{label}: the file is empty; choose the file that holds the data, or export it again.")
        if suffix in (".parquet", ".arrow"):  # pyarrow, imported only for these
            from backend.data.readers_columnar import ArrowReader, ParquetReader

            return (ParquetReader if suffix == ".parquet" else ArrowReader)(path, label)
        text = _probe_text(path, label)
        if suffix == ".jsonl":
            return _JsonlReader(path, label, text)
        if suffix == ".json":
            from backend.data.readers_json import open_json

            return open_json(path, label, text)
        if suffix == ".txt":
            return _TxtReader(path, label, text)
        return _CsvReader(path, label, text, "\t" if suffix == ".tsv" else ",")
    except OSError as e:
        raise DataError(f"{label}: cannot be read ({e.strerror or e}); check that the file is readable.") from None


# ---------------------------------------------------------------- text and encodings


@dataclass
class _Encoding:
    name: str  # "utf-8" or "utf-16"
    start: int  # bytes to skip before the text (a UTF-8 BOM); the utf-16 codec reads its own BOM


def _probe_text(path: Path, label: str) -> _Encoding:
    """The file's encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM); DataError if not text or only blanks."""
    with open(path, "rb") as f:
        head = f.read(_PROBE)
        if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
            raise DataError(f"{label}: UTF-32 text; save the file as UTF-8.")
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            enc = _Encoding("utf-16", 0)
        else:
            enc = _Encoding("utf-8", 3 if head.startswith(codecs.BOM_UTF8) else 0)
            if b"\x00" in head:
                raise DataError(
                    f"{label}: holds NUL bytes, so it is not UTF-8 text (a binary file, or UTF-16 without "
                    "a byte-order mark); save the file as UTF-8."
                )
            try:
                codecs.getincrementaldecoder("utf-8")().decode(head[enc.start:], final=len(head) < _PROBE)
            except UnicodeDecodeError as e:
                raise _not_utf8(label, head[enc.start:], e.start) from None
        f.seek(enc.start)
        decoder = codecs.getincrementaldecoder(enc.name)()
        while chunk := f.read(_PROBE):
            try:
                if decoder.decode(chunk).strip():
                    return enc
            except UnicodeDecodeError:
                return enc  # text further on: reading the rows reports where the bad bytes are
    raise DataError(f"{label}: the file is empty (only blank space); choose the file that holds the data.")


def _not_utf8(label: str, data: bytes, pos: int, first_line: int = 1) -> DataError:
    """The error for bytes that are not UTF-8, at `pos` in `data` (which starts at line `first_line`)."""
    line = first_line + data.count(b"\n", 0, pos)
    start = data.rfind(b"\n", 0, pos) + 1
    end = data.find(b"\n", pos)
    gbk = "; it looks like GBK/GB18030 (Chinese Windows encoding)" if _looks_gbk(data[start:end if end >= 0 else None]) else ""
    return DataError(
        f"{label}: not UTF-8 text (line {line}, byte {pos - start + 1}){gbk}; save the file as UTF-8 "
        "(Excel: Save As, CSV UTF-8; a text editor: save with encoding UTF-8)."
    )


def _looks_gbk(sample: bytes) -> bool:
    try:
        text = codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if ord(c) > 127]
    cjk = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return cjk > 0 and cjk * 2 >= len(wide)


@dataclass
class _LineIndex:
    """Byte offsets of the non-blank lines of a UTF-8 file and their line numbers."""

    offsets: array
    lines: array | None  # None when there are no blank lines: line number = position + 1
    blocks: bool  # a blank line lies between two non-blank ones

    def line(self, i: int) -> int:
        return self.lines[i] if self.lines is not None else i + 1


def _scan(path: Path, start: int, stop_at_block: bool = False) -> _LineIndex:
    """Index the non-blank lines by scanning bytes in big chunks (split, lengths, offsets: all in C).

    With stop_at_block it returns as soon as a blank line between two non-blank ones is found
    (the index is then incomplete; only `blocks` is meaningful)."""
    offsets = array("q")
    lines: array | None = None
    blocks = seen = gap = False  # a non-blank line so far; a blank line after it, not yet followed by one
    pending, pending_content = start, False  # the line not ended by a newline yet
    line_no, base = 1, start
    with open(path, "rb") as f:
        f.seek(start)
        while chunk := f.read(_CHUNK):
            cut = chunk.rfind(b"\n")
            if cut < 0:  # the middle of a long line
                pending_content = pending_content or bool(chunk.strip(_WS))
                base += len(chunk)
                continue
            parts = chunk[:cut].split(b"\n")  # parts[0] ends the pending line
            flags = list(map(bool, map(bytes.strip, parts, repeat(_WS))))
            flags[0] = flags[0] or pending_content
            marks = (b"\x01\x00" if gap else b"\x01" if seen else b"") + bytes(flags)
            if _GAP.search(marks):
                if stop_at_block:
                    return _LineIndex(offsets, lines, True)
                blocks = True
            starts = accumulate(map((1).__add__, map(len, parts)), initial=base)
            next(starts)
            starts = chain((pending,), starts)
            if lines is None and not all(flags):
                lines = array("q", range(1, len(offsets) + 1))
            offsets.extend(compress(starts, flags))
            if lines is not None:
                lines.extend(compress(count(line_no), flags))
            seen = b"\x01" in marks
            gap = seen and marks.endswith(b"\x00")
            line_no += len(parts)
            pending, pending_content = base + cut + 1, bool(chunk[cut + 1:].strip(_WS))
            base += len(chunk)
    if pending_content:
        blocks = blocks or gap
        offsets.append(pending)
        if lines is not None:
            lines.append(line_no)
    return _LineIndex(offsets, lines, blocks)


def _blank(text: str) -> bool:
    return not text.strip(_WS_TEXT)


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string", type(None): "null"}.get(type(value), type(value).__name__)


# ---------------------------------------------------------------- readers (one file each)


class _Reader:
    """One file's rows; numbers here are the file's own, from 1."""

    def __init__(self, path: Path, label: str):
        self.path = path
        self.label = label  # the file name, or "folder/file" inside a folder

    def rows(self) -> Iterator[dict | RowFault]:
        raise NotImplementedError

    def count(self) -> int:
        return sum(1 for _ in self.rows())

    def row(self, k: int) -> dict | RowFault | None:
        """Row k (from 1), or None past the end."""
        rows = self.rows()
        try:
            return next(islice(rows, k - 1, None), None) if k >= 1 else None
        finally:
            rows.close()


class _TextReader(_Reader):
    def __init__(self, path: Path, label: str, encoding: _Encoding):
        super().__init__(path, label)
        self.encoding = encoding
        self._index: _LineIndex | None = None

    def _lines(self, offset: int | None = None, line_no: int = 1) -> Iterator[tuple[int, str]]:
        """(line number, text with its line ending), from the start or from a byte offset (UTF-8 only)."""
        if self.encoding.name == "utf-8":
            with open(self.path, "rb") as f:
                f.seek(self.encoding.start if offset is None else offset)
                for raw in f:
                    try:
                        text = raw.decode("utf-8")
                    except UnicodeDecodeError as e:
                        raise _not_utf8(self.label, raw, e.start, line_no) from None
                    yield line_no, text
                    line_no += 1
            return
        with open(self.path, encoding=self.encoding.name, newline="") as f:
            lines = iter(f)
            while True:
                try:
                    text = next(lines)
                except StopIteration:
                    return
                except UnicodeError:
                    raise DataError(
                        f"{self.label}: not valid UTF-16 text (after line {line_no - 1}); save the file as UTF-8."
                    ) from None
                yield line_no, text
                line_no += 1

    def _line_index(self) -> _LineIndex | None:
        """The byte-offset index of the non-blank lines, built once (UTF-8 files only)."""
        if self._index is None and self.encoding.name == "utf-8":
            self._index = _scan(self.path, self.encoding.start)
        return self._index


class _JsonlReader(_TextReader):
    def rows(self) -> Iterator[dict | RowFault]:
        for line_no, text in self._lines():
            if not _blank(text):
                yield self._parse(line_no, text)

    def count(self) -> int:
        index = self._line_index()
        if index is None:
            return sum(1 for _, text in self._lines() if not _blank(text))
        return len(index.offsets)

    def row(self, k: int) -> dict | RowFault | None:
        index = self._line_index()
        if index is None:
            return super().row(k)
        if not 1 <= k <= len(index.offsets):
            return None
        lines = self._lines(index.offsets[k - 1], index.line(k - 1))
        try:
            line_no, text = next(lines)
        finally:
            lines.close()
        return self._parse(line_no, text)

    @staticmethod
    def _parse(line_no: int, text: str) -> dict | RowFault:
        try:
            row = json.loads(text.lstrip("\ufeff").rstrip("\r\n"))  # a cut-off line: its column, not "column 1"
        except json.JSONDecodeError as e:
            return RowFault(f"line {line_no} is not valid JSON ({e.msg}, column {e.colno}); fix that line or delete it.")
        except RecursionError:
            return RowFault(f"line {line_no} is nested too deeply to read; simplify that line or delete it.")
        if not isinstance(row, dict):
            return RowFault(
                f"line {line_no} is a JSON {_json_type(row)}, not an object with fields; "
                'each line must be one object like {"text": "..."}.'
            )
        return row


class _TxtReader(_TextReader):
    """One document per line; or per block of lines when blank lines separate blocks."""

    def __init__(self, path: Path, label: str, encoding: _Encoding):
        super().__init__(path, label, encoding)
        self._is_blocks: bool | None = None
        self._block_index: _LineIndex | None = None

    def blocks(self) -> bool:
        if self._is_blocks is None:
            if self._index is not None:
                self._is_blocks = self._index.blocks
            elif self.encoding.name == "utf-8":
                found = _scan(self.path, self.encoding.start, stop_at_block=True)
                if not found.blocks:
                    self._index = found  # a complete scan: keep it as the line index
                self._is_blocks = found.blocks
            else:
                self._is_blocks = self._blocks_by_reading()
        return self._is_blocks

    def _blocks_by_reading(self) -> bool:
        seen = gap = False
        for _, text in self._lines():
            if _blank(text):
                gap = gap or seen
            elif gap:
                return True
            else:
                seen = True
        return False

    def rows(self) -> Iterator[dict | RowFault]:
        if not self.blocks():
            for _, text in self._lines():
                if not _blank(text):
                    yield {"text": text.rstrip("\r\n")}
            return
        block: list[str] = []
        for _, text in self._lines():
            if not _blank(text):
                block.append(text.rstrip("\r\n"))
            elif block:
                yield {"text": "\n".join(block)}
                block = []
        if block:
            yield {"text": "\n".join(block)}

    def _starts(self) -> _LineIndex | None:
        """Byte offsets of the rows: each non-blank line, or the first line of each block."""
        index = self._line_index()
        if index is None or not self.blocks():
            return index
        if self._block_index is None:
            lines, keep = index.lines, array("q")
            starts = [i for i in range(len(index.offsets)) if i == 0 or lines[i] != lines[i - 1] + 1]
            keep.extend(index.offsets[i] for i in starts)
            self._block_index = _LineIndex(keep, array("q", (lines[i] for i in starts)), True)
        return self._block_index

    def count(self) -> int:
        starts = self._starts()
        return super().count() if starts is None else len(starts.offsets)

    def row(self, k: int) -> dict | RowFault | None:
        starts = self._starts()
        if starts is None:
            return super().row(k)
        if not 1 <= k <= len(starts.offsets):
            return None
        block: list[str] = []
        lines = self._lines(starts.offsets[k - 1], starts.line(k - 1))
        try:
            for _, text in lines:
                if _blank(text):
                    break
                block.append(text.rstrip("\r\n"))
                if not self.blocks():
                    break
        finally:
            lines.close()
        return {"text": "\n".join(block)}


class _CsvReader(_TextReader):
    """csv/tsv with a header line; a cell holding a JSON list or object becomes that value."""

    def __init__(self, path: Path, label: str, encoding: _Encoding, delimiter: str):
        super().__init__(path, label, encoding)
        self.delimiter = delimiter
        if csv.field_size_limit() < 2**31 - 1:
            csv.field_size_limit(2**31 - 1)  # a cell may hold a whole long document
        self.header = self._read_header()

    def _records(self) -> Iterator[tuple[int, list[str] | csv.Error]]:
        """(line number, cells) of the non-empty records, the header first; a csv.Error in place of cells."""
        reader = csv.reader((text for _, text in self._lines()), delimiter=self.delimiter)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield reader.line_num, e
                continue
            if any(c.strip() for c in cells):
                yield reader.line_num, cells

    def _read_header(self) -> list[str]:
        what = "tab" if self.delimiter == "\t" else "comma"
        records = self._records()
        try:
            first = next(records, None)
            if first is None:
                raise DataError(f"{self.label}: no header row; the first line must name the columns, e.g. instruction,input,output.")
            line, cells = first
            if isinstance(cells, csv.Error):
                raise DataError(f"{self.label}: the header line {line} cannot be read ({cells}); check its quotes.")
            names = [c.strip() for c in cells]
            other = {",": (";", "\t"), "\t": (",", ";")}[self.delimiter]
            if len(names) == 1 and any(sep in names[0] for sep in other):
                sep = next(s for s in other if s in names[0])
                raise DataError(
                    f"{self.label}: the header is one column {names[0][:60]!r}; the file seems to separate cells with "
                    f"{sep!r}, but a {Path(self.label).suffix} file separates them with a {what}. "
                    "Save it again as comma-separated .csv (or tab-separated .tsv)."
                )
            for name in names:
                if not isinstance(_cell(name), str) or "\n" in name or len(name) > 200:
                    raise DataError(
                        f"{self.label}: the first line looks like data, not column names ({name[:40]!r}); "
                        "add a header line that names the columns, e.g. instruction,input,output."
                    )
            names = [name or f"column_{i}" for i, name in enumerate(names, start=1)]
            for name in names:
                if names.count(name) > 1:
                    raise DataError(f"{self.label}: the header names column {name!r} twice; rename one of them.")
            if next(records, None) is None:
                raise DataError(f"{self.label}: has no rows, only the header line; add rows below it.")
            return names
        finally:
            records.close()

    def rows(self) -> Iterator[dict | RowFault]:
        header, width = self.header, len(self.header)
        records = self._records()
        next(records)  # the header
        for k, (line, cells) in enumerate(records, start=1):
            if isinstance(cells, csv.Error):
                yield RowFault(f"row {k} cannot be read ({cells}, line {line}); check the quotes in that row.")
                continue
            if len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    sep = "a tab" if self.delimiter == "\t" else "a comma"
                    yield RowFault(
                        f"row {k} has more values than the header has columns ({len(cells)} values, {width} columns, "
                        f"line {line}); put cells that contain {sep} in double quotes."
                    )
                    continue
                cells = cells[:width]
            row = {name: _cell(c) for name, c in zip(header, cells)}
            for name in header[len(cells):]:
                row[name] = ""
            yield row

    def count(self) -> int:
        return sum(1 for _ in self._records()) - 1


def _cell(text: str):
    """A csv cell: the value of a JSON list or object, else the text itself."""
    s = text.strip()
    if s[:1] in ("[", "{") and s[-1:] in ("]", "}"):
        try:
            value = json.loads(s)
        except (ValueError, RecursionError):
            return text
        if isinstance(value, (list, dict)):
            return value
    return text
