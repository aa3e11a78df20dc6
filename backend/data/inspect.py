"""Scan a source row by row: the format and why, counts, every skipped row, a sample of examples.

Streaming: rows are read, converted and dropped one at a time, so a million-row file is
scanned in bounded memory; only the errors (up to `max_errors`), a reservoir sample of valid
examples (for the token-length histogram) and the first rows are kept. `scan` yields partial
reports as it goes, so a page can show progress and stay responsive.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from backend.data.folder_files import check_one_kind, joined_note
from backend.data.formats import Options, convert_rows, placeholders_in, resolve
from backend.data.read import DataError, RowFault
from backend.data.registry import Source
from backend.data.sources import open_rows
from backend.data.turns import RowProblem
from backend.messages import Message, msg

HEAD = 200
SAMPLE = 1000
MAX_ERRORS = 10_000


@dataclass
class Report:
    source: str
    format: str = ""
    reason: str = ""  # a Message: why the format was chosen
    kind: str = ""
    traits: list = field(default_factory=list)
    mapping: dict = field(default_factory=dict)  # role -> file column
    tags: dict = field(default_factory=dict)
    file_columns: list = field(default_factory=list)
    placeholders: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # Messages: where the rows were found ("the key 'train' of ...")
    rows: int = 0
    valid_rows: int = 0
    errors: list = field(default_factory=list)  # {row, field, message, where}, the first max_errors (Messages)
    errors_total: int = 0
    duplicates: int = 0
    sample: list = field(default_factory=list)  # (row number, example): a uniform sample of valid rows
    first_valid: list = field(default_factory=list)  # row numbers of the first valid rows
    done: bool = False
    seconds: float = 0.0
    confident: bool = True  # False: the format was inferred from the user's partial mapping

    @property
    def usable(self) -> bool:
        return self.valid_rows > 0

    def error_lines(self, limit: int | None = None) -> list[Message]:
        """"row 4: 'output' is missing ...": one Message per skipped row (its place and its reason)."""
        return [msg("data.located", where=e.get("where") or msg("data.row", row=e["row"]), message=e["message"])
                for e in self.errors[:limit]]

    def to_json(self) -> dict:
        return {
            "source": self.source, "format": self.format, "reason": self.reason, "kind": self.kind,
            "traits": self.traits, "columns": self.mapping, "file_columns": self.file_columns, "notes": self.notes,
            "rows": self.rows, "valid_rows": self.valid_rows, "skipped_rows": self.rows - self.valid_rows,
            "errors": self.errors, "errors_total": self.errors_total, "duplicates": self.duplicates,
            "seconds": round(self.seconds, 2),
        }


def options_for(source: Source, head_rows: list[dict], placeholders: dict | None = None,
                reasoning: str = "keep") -> tuple[Options, object]:
    """Resolve the format for a source from its first rows: (Options, Detection)."""
    d = resolve(head_rows, source.format, source.columns, source.tags, name=source.label)
    if source.defined_by:
        mapped = ", ".join(f"{k}={v}" for k, v in d.columns.items())
        d.reason = msg("data.defined_by_entry", file=source.defined_by, columns=mapped)
    return Options(d.format, d.columns, d.tags, placeholders or {}, reasoning, media_dir(source)), d


def media_dir(source: Source):
    """The folder a row's image paths are relative to (and confined to): the data file's own folder."""
    if source.path is None:
        return None
    path = Path(source.path)
    return path if path.is_dir() else path.parent


def scan(source: Source, placeholders: dict | None = None, reasoning: str = "keep", dedupe: bool = False,
         every_s: float = 0.5, max_errors: int = MAX_ERRORS, seed: int = 0) -> Iterator[Report]:
    """Yield a partial Report about every `every_s` seconds and the final one (done=True) last.
    A source that cannot be read at all raises DataError (before anything is yielded)."""
    start = time.monotonic()
    rows = open_rows(source)
    head = rows.head(HEAD)
    head_dicts = [r for _, r in head if isinstance(r, dict)]
    report = Report(source=source.label)
    if not head_dicts:
        first = next((msg("data.located", where=rows.where(n), message=r.message)
                      for n, r in head if isinstance(r, RowFault)), msg("data.no_rows"))
        raise DataError(msg("data.no_readable_rows_why", label=source.label, first=first))
    check_one_kind(rows, source)  # several files as one dataset: of one kind, else refused naming each
    opts, d = options_for(source, head_dicts, placeholders, reasoning)
    report.format, report.reason, report.kind, report.traits = d.format, d.reason, d.kind, d.traits
    report.confident = d.confident
    report.mapping, report.tags = d.columns, d.tags
    report.file_columns = rows.columns()
    report.notes = list(rows.notes)
    report.placeholders = placeholders_in(head_dicts)
    rng = random.Random(seed)
    seen: set[int] = set()
    last = time.monotonic()
    for number, result in convert_rows(_unfaulted(rows.iter_rows(), report, rows, max_errors), opts):
        report.rows += 1
        if isinstance(result, RowProblem):
            _error(report, number, result.field, result.message, max_errors, rows.where(number))
            continue
        if dedupe:
            key = hash(repr(result))
            if key in seen:
                report.duplicates += 1
                _error(report, number, "(row)", msg("data.duplicate_row"), max_errors, rows.where(number))
                continue
            seen.add(key)
        report.valid_rows += 1
        if len(report.first_valid) < 50:
            report.first_valid.append(number)
        _reservoir(report.sample, (number, result), report.valid_rows, rng)
        if every_s and time.monotonic() - last >= every_s:
            last = time.monotonic()
            report.seconds = last - start
            yield report
    if note := joined_note(rows):  # the files' rows are counted now that they were read
        report.notes.append(note)
    report.done = True
    report.seconds = time.monotonic() - start
    yield report


def inspect(source: Source, **kwargs) -> Report:
    """The final report of `scan`."""
    report = None
    for report in scan(source, every_s=0, **kwargs):  # noqa: B007 - the last one is wanted
        pass
    return report


def _unfaulted(numbered, report: Report, rows, max_errors: int):
    """Pass readable rows on; unreadable ones (RowFault) count as read and as errors."""
    for number, row in numbered:
        if isinstance(row, RowFault):
            report.rows += 1
            _error(report, number, "(line)", row.message, max_errors, rows.where(number))
            continue
        yield number, row


def _error(report: Report, number: int, field_: str, message: str, max_errors: int, where: str) -> None:
    report.errors_total += 1
    if len(report.errors) < max_errors:
        report.errors.append({"row": number, "field": field_, "message": message, "where": where})


def _reservoir(sample: list, item, n_seen: int, rng: random.Random) -> None:
    if len(sample) < SAMPLE:
        sample.append(item)
    else:
        j = rng.randrange(n_seen)
        if j < SAMPLE:
            sample[j] = item
