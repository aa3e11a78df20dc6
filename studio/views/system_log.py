"""A job's system.jsonl as the Monitor reads it: only the bytes written since the last read."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SystemLog:
    """One job's system.jsonl rows read so far; `read` reads only the bytes written since.

    The sampler appends a line every ~2 s for as long as the job runs, so re-reading the whole
    file each tick would grow with the run."""

    job_id: str | None = None
    offset: int = 0  # bytes consumed: always just after a newline
    rows: list[dict] = field(default_factory=list)

    def read(self, path: Path) -> list[dict]:
        """The rows completed since the last call ([] when the file does not exist: an older job).
        A line still being written is left for the next call."""
        try:
            with open(path, "rb") as f:
                size = f.seek(0, os.SEEK_END)
                if size < self.offset:  # the file was replaced: start over
                    self.offset, self.rows = 0, []
                f.seek(self.offset)
                data = f.read(size - self.offset)
        except (FileNotFoundError, NotADirectoryError):
            return []
        end = data.rfind(b"\n") + 1
        self.offset += end
        new = []
        for line in data[:end].splitlines():
            try:
                row = json.loads(line)
            except ValueError:  # a torn or garbled line: skip it, keep the rest
                continue
            if isinstance(row, dict):
                new.append(row)
        self.rows.extend(new)
        return new
