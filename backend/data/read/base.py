"""What every reader of a dataset file shares: the two kinds of problem (DataError for a file, RowFault
for one row), the Reader base class (one file's rows, numbered from 1), a file's bytes (decompressed when
its name ends .gz, .bz2 or .xz), and how a text file's encoding is found (UTF-8, UTF-8 with a BOM, UTF-16
with a BOM) with the message for bytes that are not UTF-8.

Part of backend.data.read (its face names the API); the readers are in text.py, json_file.py and
columnar.py, and open.py picks one for a file.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from backend.messages import msg

PROBE = 64 << 10  # bytes checked for the encoding when a file is opened
BATCH = 1000  # rows converted at a time from parquet/arrow
WS = b" \t\r\n\x0b\x0c"  # a line of only these is blank (same rule for bytes and text)
_OPENERS = {".gz": (gzip.open, "gzip"), ".bz2": (bz2.open, "bzip2"), ".xz": (lzma.open, "xz")}
COMPRESSED = tuple(_OPENERS)  # a text file's name may end with one of these: data.jsonl.gz


class DataError(ValueError):
    """A dataset problem a user can fix: the message names the file, row or field."""


@dataclass
class RowFault:
    """One row that cannot be read; it takes the row's place so a scan goes on."""

    message: str  # a Message (backend.messages): the UI shows it in the page's language


class Reader:
    """One file's rows; numbers here are the file's own, from 1."""

    note: str = ""  # a Message on where the rows were found ("rows read from the key 'train' of data.json")

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


def data_suffix(path: Path | str) -> str:
    """The suffix that names a data file's type: ".jsonl" for data.jsonl and for data.jsonl.gz."""
    path = Path(path)
    suffix = path.suffix.lower()
    return Path(path.stem).suffix.lower() if suffix in _OPENERS else suffix


def open_bytes(path: Path, label: str) -> io.BufferedIOBase:
    """The file's bytes, decompressed when its name ends .gz, .bz2 or .xz (still seekable: a seek
    decompresses up to the spot). Broken compressed data is a DataError when it is read."""
    suffix = Path(path).suffix.lower()
    if suffix not in _OPENERS:
        return open(path, "rb")
    opener, kind = _OPENERS[suffix]
    return io.BufferedReader(_Decompressed(opener(path, "rb"), label, kind), 1 << 16)


class _Decompressed(io.RawIOBase):
    """A compressed file's decompressed bytes; what its library raises for bad data becomes a DataError."""

    def __init__(self, inner, label: str, kind: str):
        super().__init__()
        self._inner, self._label, self._kind = inner, label, kind

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        return self._guard(self._inner.readinto, b)

    def seek(self, pos: int, whence: int = 0) -> int:
        return self._guard(self._inner.seek, pos, whence)

    def tell(self) -> int:
        return self._inner.tell()

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
        super().close()

    def _guard(self, call, *args):
        try:
            return call(*args)
        except (OSError, EOFError, lzma.LZMAError, zlib.error) as e:
            raise DataError(msg("data.bad_compressed", label=self._label, kind=self._kind,
                                error=str(e) or type(e).__name__)) from None


@dataclass
class Encoding:
    name: str  # "utf-8" or "utf-16"
    start: int  # bytes to skip before the text (a UTF-8 BOM); the utf-16 codec reads its own BOM


def probe_text(path: Path, label: str) -> Encoding:
    """The file's encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM); DataError if not text or only blanks."""
    with open_bytes(path, label) as f:
        head = f.read(PROBE)
        if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
            raise DataError(msg("data.utf32", label=label))
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            enc = Encoding("utf-16", 0)
        else:
            enc = Encoding("utf-8", 3 if head.startswith(codecs.BOM_UTF8) else 0)
            if b"\x00" in head:
                raise DataError(msg("data.nul_bytes", label=label))
            try:
                codecs.getincrementaldecoder("utf-8")().decode(head[enc.start:], final=len(head) < PROBE)
            except UnicodeDecodeError as e:
                raise not_utf8(label, head[enc.start:], e.start) from None
        f.seek(enc.start)
        decoder = codecs.getincrementaldecoder(enc.name)()
        while chunk := f.read(PROBE):
            try:
                if decoder.decode(chunk).strip():
                    return enc
            except UnicodeDecodeError:
                return enc  # text further on: reading the rows reports where the bad bytes are
    raise DataError(msg("data.only_blank", label=label))


def not_utf8(label: str, data: bytes, pos: int, first_line: int = 1) -> DataError:
    """The error for bytes that are not UTF-8, at `pos` in `data` (which starts at line `first_line`)."""
    line = first_line + data.count(b"\n", 0, pos)
    start = data.rfind(b"\n", 0, pos) + 1
    end = data.find(b"\n", pos)
    gbk = msg("data.looks_gbk") if _looks_gbk(data[start:end if end >= 0 else None]) else ""
    return DataError(msg("data.not_utf8", label=label, line=line, byte=pos - start + 1, gbk=gbk))


def _looks_gbk(sample: bytes) -> bool:
    try:
        text = codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if ord(c) > 127]
    cjk = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return cjk > 0 and cjk * 2 >= len(wide)


def json_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string", type(None): "null"}.get(type(value), type(value).__name__)
