"""The line-based readers: JSON lines, csv/tsv (with a header line) and plain text (a document per line,
or per block of lines). Big files stream line by line; a row is found again by a byte-offset index of the
non-blank lines, built in big chunks. A .gz, .bz2 or .xz file is read decompressed (base.open_bytes).
"""

from __future__ import annotations

import csv
import io
import json
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, chain, compress, count, repeat
from pathlib import Path

from backend.data.read.base import WS, DataError, Encoding, Reader, RowFault, json_type, not_utf8, open_bytes
from backend.messages import msg

_CHUNK = 8 << 20  # bytes read at a time when indexing lines
_WS_TEXT = WS.decode()
_GAP = re.compile(b"\x01\x00+\x01")  # over flags: a non-blank line, blank ones, a non-blank one


@dataclass
class _LineIndex:
    """Byte offsets of the non-blank lines of a UTF-8 file and their line numbers."""

    offsets: array
    lines: array | None  # None when there are no blank lines: line number = position + 1
    blocks: bool  # a blank line lies between two non-blank ones

    def line(self, i: int) -> int:
        return self.lines[i] if self.lines is not None else i + 1


def _scan(path: Path, label: str, start: int, stop_at_block: bool = False) -> _LineIndex:
    """Index the non-blank lines by scanning bytes in big chunks (split, lengths, offsets: all in C).

    With stop_at_block it returns as soon as a blank line between two non-blank ones is found
    (the index is then incomplete; only `blocks` is meaningful)."""
    offsets = array("q")
    lines: array | None = None
    blocks = seen = gap = False  # a non-blank line so far; a blank line after it, not yet followed by one
    pending, pending_content = start, False  # the line not ended by a newline yet
    line_no, base = 1, start
    with open_bytes(path, label) as f:
        f.seek(start)
        while chunk := f.read(_CHUNK):
            cut = chunk.rfind(b"\n")
            if cut < 0:  # the middle of a long line
                pending_content = pending_content or bool(chunk.strip(WS))
                base += len(chunk)
                continue
            parts = chunk[:cut].split(b"\n")  # parts[0] ends the pending line
            flags = list(map(bool, map(bytes.strip, parts, repeat(WS))))
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
            pending, pending_content = base + cut + 1, bool(chunk[cut + 1:].strip(WS))
            base += len(chunk)
    if pending_content:
        blocks = blocks or gap
        offsets.append(pending)
        if lines is not None:
            lines.append(line_no)
    return _LineIndex(offsets, lines, blocks)


def _blank(text: str) -> bool:
    return not text.strip(_WS_TEXT)


class TextReader(Reader):
    def __init__(self, path: Path, label: str, encoding: Encoding):
        super().__init__(path, label)
        self.encoding = encoding
        self._index: _LineIndex | None = None

    def _lines(self, offset: int | None = None, line_no: int = 1) -> Iterator[tuple[int, str]]:
        """(line number, text with its line ending), from the start or from a byte offset (UTF-8 only)."""
        if self.encoding.name == "utf-8":
            with open_bytes(self.path, self.label) as f:
                f.seek(self.encoding.start if offset is None else offset)
                for raw in f:
                    try:
                        text = raw.decode("utf-8")
                    except UnicodeDecodeError as e:
                        raise not_utf8(self.label, raw, e.start, line_no) from None
                    yield line_no, text
                    line_no += 1
            return
        with io.TextIOWrapper(open_bytes(self.path, self.label), encoding=self.encoding.name, newline="") as f:
            lines = iter(f)
            while True:
                try:
                    text = next(lines)
                except StopIteration:
                    return
                except UnicodeError:
                    raise DataError(msg("data.bad_utf16_after", label=self.label, line=line_no - 1)) from None
                yield line_no, text
                line_no += 1

    def _line_index(self) -> _LineIndex | None:
        """The byte-offset index of the non-blank lines, built once (UTF-8 files only)."""
        if self._index is None and self.encoding.name == "utf-8":
            self._index = _scan(self.path, self.label, self.encoding.start)
        return self._index


class JsonlReader(TextReader):
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
            return RowFault(msg("data.line_bad_json", line=line_no, error=e.msg, column=e.colno))
        except RecursionError:
            return RowFault(msg("data.line_too_deep", line=line_no))
        if not isinstance(row, dict):
            return RowFault(msg("data.line_not_object", line=line_no, type=json_type(row)))
        return row


class TxtReader(TextReader):
    """One document per line; or per block of lines when blank lines separate blocks."""

    def __init__(self, path: Path, label: str, encoding: Encoding):
        super().__init__(path, label, encoding)
        self._is_blocks: bool | None = None
        self._block_index: _LineIndex | None = None

    def blocks(self) -> bool:
        if self._is_blocks is None:
            if self._index is not None:
                self._is_blocks = self._index.blocks
            elif self.encoding.name == "utf-8":
                found = _scan(self.path, self.label, self.encoding.start, stop_at_block=True)
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


class CsvReader(TextReader):
    """csv/tsv with a header line; a cell holding a JSON list or object becomes that value."""

    def __init__(self, path: Path, label: str, encoding: Encoding, delimiter: str):
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
        what = msg("data.sep_tab") if self.delimiter == "\t" else msg("data.sep_comma")
        records = self._records()
        try:
            first = next(records, None)
            if first is None:
                raise DataError(msg("data.no_header", label=self.label))
            line, cells = first
            if isinstance(cells, csv.Error):
                raise DataError(msg("data.bad_header", label=self.label, line=line, error=str(cells)))
            names = [c.strip() for c in cells]
            other = {",": (";", "\t"), "\t": (",", ";")}[self.delimiter]
            if len(names) == 1 and any(sep in names[0] for sep in other):
                sep = next(s for s in other if s in names[0])
                raise DataError(msg("data.header_one_column", label=self.label, header=names[0][:60], sep=sep,
                                    suffix=Path(self.label).suffix, what=what))
            for name in names:
                if not isinstance(_cell(name), str) or "\n" in name or len(name) > 200:
                    raise DataError(msg("data.header_is_data", label=self.label, name=name[:40]))
            names = [name or f"column_{i}" for i, name in enumerate(names, start=1)]
            for name in names:
                if names.count(name) > 1:
                    raise DataError(msg("data.header_twice", label=self.label, name=name))
            if next(records, None) is None:
                raise DataError(msg("data.header_only", label=self.label))
            return names
        finally:
            records.close()

    def rows(self) -> Iterator[dict | RowFault]:
        header, width = self.header, len(self.header)
        records = self._records()
        next(records)  # the header
        for k, (line, cells) in enumerate(records, start=1):
            if isinstance(cells, csv.Error):
                yield RowFault(msg("data.csv_row_unreadable", row=k, error=str(cells), line=line))
                continue
            if len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    sep = msg("data.a_tab") if self.delimiter == "\t" else msg("data.a_comma")
                    yield RowFault(msg("data.csv_row_too_long", row=k, values=len(cells), columns=width, line=line,
                                       sep=sep))
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
