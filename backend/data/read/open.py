"""Open a dataset file, or a folder of them, as one numbered source: the reader a file's type needs
(text.py: jsonl, csv, tsv, txt; json_file.py: .json; columnar.py: parquet and arrow, with pyarrow).
The text types may also come compressed (data.jsonl.gz, .bz2, .xz): they are read decompressed.

    src = open_source("data/train.jsonl")     # DataError if the file as a whole cannot be read
    for number, row in src.iter_rows():        # numbers from 1; row is a dict, or a RowFault
        ...
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from backend.data.read.base import COMPRESSED, DataError, Reader, RowFault, data_suffix, probe_text
from backend.data.read.text import CsvReader, JsonlReader, TxtReader
from backend.messages import Message, msg

SUFFIXES = (".json", ".jsonl", ".csv", ".tsv", ".parquet", ".arrow", ".txt")
_BINARY = (".parquet", ".arrow")  # read by pyarrow, never compressed here
ACCEPTED = msg("data.accepted_types", types=", ".join(SUFFIXES), compressed=", ".join(COMPRESSED))
_HF_META = ("state.json", "dataset_info.json")  # beside the .arrow files of `Dataset.save_to_disk`


def open_source(path: str | Path) -> FileSource:
    """A file of a supported type, or a folder of them (read in name order); DataError otherwise."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(msg("data.no_such_path", path=path))
    if path.is_dir():
        return _open_folder(path)
    return FileSource(path.name, [path], [_open_file(path, path.name)], folder=False)


class FileSource:
    """Rows of one file or of a folder's files, numbered from 1 straight across the files."""

    def __init__(self, name: str, files: list[Path], readers: list[Reader], folder: bool):
        self.name = name
        self.files = files
        self._readers = readers
        self._folder = folder
        self._counts: list[int | None] = [None] * len(readers)

    @property
    def notes(self) -> list[Message]:
        """Where the rows were found, when a file said ("rows read from the key 'train' of data.json")."""
        return [r.note for r in self._readers if r.note]

    def iter_rows(self) -> Iterator[tuple[int, dict | RowFault]]:
        number = 0
        for i, reader in enumerate(self._readers):
            first = number
            for row in reader.rows():
                number += 1
                yield number, row
            self._counts[i] = number - first

    def where(self, number: int) -> Message:
        """"row 17" for one file; "b.jsonl row 3" inside a folder."""
        if not self._folder:
            return msg("data.row", row=number)
        found = self._locate(number, need_all=True)
        if found is None:
            return msg("data.row", row=number)
        i, k = found
        return msg("data.file_row", file=self.files[i].name, row=k)

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
            raise DataError(msg("data.no_row_number", label=self.name, row=number, rows=self.count()))
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
                raise DataError(msg("data.located", where=reader.label, message=row.message))
            rows.append(row)
    return rows


def _open_folder(folder: Path) -> FileSource:
    if (folder / "dataset_dict.json").is_file():
        splits = ", ".join(sorted(p.name for p in folder.iterdir() if p.is_dir())) or msg("data.no_splits")
        raise DataError(msg("data.dataset_dict", label=folder.name, splits=splits))
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and is_data_file(p)
    )
    if any(p.suffix.lower() == ".arrow" for p in files):
        files = [p for p in files if p.name not in _HF_META]
    if not files:
        raise DataError(msg("data.empty_folder", label=folder.name, accepted=ACCEPTED))
    readers = [_open_file(p, f"{folder.name}/{p.name}") for p in files]
    return FileSource(folder.name, files, readers, folder=True)


def is_data_file(path: Path | str) -> bool:
    """A name a reader takes: data.jsonl, data.parquet, and the text types compressed (data.jsonl.gz)."""
    suffix = data_suffix(path)
    return suffix in SUFFIXES and not (suffix in _BINARY and Path(path).suffix.lower() in COMPRESSED)


def _open_file(path: Path, label: str) -> Reader:
    suffix = data_suffix(path)
    if not is_data_file(path):
        shown = "".join(path.suffixes[-2:]).lower() if path.suffix.lower() in COMPRESSED else path.suffix.lower()
        raise DataError(msg("data.unsupported_type", label=label, suffix=shown or msg("data.no_suffix"),
                            accepted=ACCEPTED))
    try:
        if path.stat().st_size == 0:
            raise DataError(msg("data.empty_file", label=label))
        if suffix in _BINARY:  # pyarrow, imported only for these
            from backend.data.read.columnar import ArrowReader, ParquetReader

            return (ParquetReader if suffix == ".parquet" else ArrowReader)(path, label)
        text = probe_text(path, label)
        if suffix == ".jsonl":
            return JsonlReader(path, label, text)
        if suffix == ".json":
            from backend.data.read.json_file import open_json

            return open_json(path, label, text)
        if suffix == ".txt":
            return TxtReader(path, label, text)
        return CsvReader(path, label, text, "\t" if suffix == ".tsv" else ",")
    except OSError as e:
        raise DataError(msg("data.unreadable_file", label=label, error=e.strerror or str(e))) from None
