"""A folder of data files (several files uploaded together, or a folder path) read as one dataset: refused when
its files hold rows of different kinds (an sft file beside a preference file) or formats (one format reads every
row), else said, with each file's rows.

    check_one_kind(rows, source)     # DataError naming each file and its kind, when they differ
    joined_note(rows)                # "the 2 files of up are used together as one dataset: a.json (999 rows), ..."
"""

from __future__ import annotations

from itertools import islice

from backend.data.formats import resolve
from backend.data.listing import joined, kinds_listed
from backend.data.read import DataError
from backend.messages import Message, msg

HEAD = 200


def _files(rows) -> list:
    """(file, reader) of a folder source of several files; [] for one file or a hub dataset."""
    readers = getattr(rows, "_readers", [])
    return list(zip(rows.files, readers, strict=True)) if getattr(rows, "_folder", False) and len(readers) > 1 else []


def check_one_kind(rows, source) -> None:
    """Each file's rows read as the source says (format, mapping); a DataError when the files' kinds differ.
    A file whose format cannot be told is left to the row checks (its rows are reported one by one)."""
    kinds = []
    for path, reader in _files(rows):
        head = [r for r in islice(reader.rows(), HEAD) if isinstance(r, dict)]
        try:
            d = resolve(head, source.format, source.columns, source.tags, name=path.name) if head else None
        except DataError:
            d = None
        if d is not None and d.kind:
            kinds.append((path.name, d.format, d.kind))
    which = kinds_listed(kinds)
    if len({kind for _, _, kind in kinds}) > 1:
        raise DataError(msg("data.folder_mixed_kinds", label=source.label, n=len(_files(rows)), which=which))
    if len({fmt for _, fmt, _ in kinds}) > 1:  # one format reads them all: a whole file's rows would be skipped
        paths = joined([str(path) for path, _ in _files(rows)], comma=True)  # where each is, for "Also mix in"
        raise DataError(msg("data.folder_mixed_formats", label=source.label, n=len(_files(rows)), which=which,
                            paths=paths))


def joined_note(rows) -> Message | None:
    """That the files are one dataset, with each file's rows (counted: call after the rows were read)."""
    files = _files(rows)
    if not files:
        return None
    counts = [msg("data.file_rows", file=path.name, rows=f"{rows._count(i):,}") for i, (path, _) in enumerate(files)]
    return msg("data.files_joined", label=rows.name, n=len(files), files=joined(counts, comma=True))
