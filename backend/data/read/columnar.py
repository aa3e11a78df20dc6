"""Parquet and Arrow files for backend.data.read, through pyarrow (imported only when such a file
is opened: the UI's previews of other files never load it). Parquet is read batch by batch and by
row group; Arrow (IPC file or stream, e.g. the shards of `Dataset.save_to_disk`) memory-mapped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backend.data.read.base import BATCH, DataError, Reader, RowFault
from backend.messages import msg


def _pyarrow(label: str, what: str):
    try:
        import pyarrow as pa
        import pyarrow.ipc  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise DataError(msg("data.needs_pyarrow", label=label, what=what)) from None
    return pa


class ParquetReader(Reader):
    def __init__(self, path: Path, label: str):
        super().__init__(path, label)
        self.pa = _pyarrow(label, "Parquet")
        with self._guard():
            pf = self.pa.parquet.ParquetFile(path)
            try:
                self.rows_total = pf.metadata.num_rows
            finally:
                pf.close()
        if self.rows_total == 0:
            raise DataError(msg("data.empty_parquet", label=label))

    def _guard(self):
        return _ArrowGuard(self.pa, self.label, "Parquet")

    def rows(self) -> Iterator[dict | RowFault]:
        with self._guard():
            pf = self.pa.parquet.ParquetFile(self.path)
            try:
                for batch in pf.iter_batches(batch_size=BATCH):
                    yield from batch.to_pylist()
            finally:
                pf.close()

    def count(self) -> int:
        return self.rows_total

    def row(self, k: int) -> dict | RowFault | None:
        if not 1 <= k <= self.rows_total:
            return None
        with self._guard():
            pf = self.pa.parquet.ParquetFile(self.path)
            try:
                offset = k - 1
                for g in range(pf.metadata.num_row_groups):
                    size = pf.metadata.row_group(g).num_rows
                    if offset < size:
                        return pf.read_row_group(g).slice(offset, 1).to_pylist()[0]
                    offset -= size
            finally:
                pf.close()
        return None


class ArrowReader(Reader):
    """Arrow IPC, file format ("ARROW1" magic) or stream format (what `datasets` writes)."""

    def __init__(self, path: Path, label: str):
        super().__init__(path, label)
        self.pa = _pyarrow(label, "Arrow")
        with open(path, "rb") as f:
            self.file_format = f.read(6) == b"ARROW1"
        batches = self._batches()
        try:
            if not any(b.num_rows for b in batches):
                raise DataError(msg("data.empty_arrow", label=label))
        finally:
            batches.close()

    def _batches(self):
        with _ArrowGuard(self.pa, self.label, "Arrow"), self.pa.memory_map(str(self.path), "r") as source:
            if self.file_format:
                reader = self.pa.ipc.open_file(source)
                for i in range(reader.num_record_batches):
                    yield reader.get_batch(i)
            else:
                yield from self.pa.ipc.open_stream(source)

    def rows(self) -> Iterator[dict | RowFault]:
        for batch in self._batches():
            for start in range(0, batch.num_rows, BATCH):
                yield from batch.slice(start, BATCH).to_pylist()

    def count(self) -> int:
        return sum(b.num_rows for b in self._batches())

    def row(self, k: int) -> dict | RowFault | None:
        if k < 1:
            return None
        offset = k - 1
        batches = self._batches()
        try:
            for batch in batches:
                if offset < batch.num_rows:
                    return batch.slice(offset, 1).to_pylist()[0]
                offset -= batch.num_rows
        finally:
            batches.close()
        return None


class _ArrowGuard:
    """Turns pyarrow's errors (a corrupt or foreign file) into a DataError naming the file."""

    def __init__(self, pa, label: str, what: str):
        self.pa, self.label, self.what = pa, label, what

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if kind is not None and issubclass(kind, (self.pa.ArrowException, OSError, ValueError)) and not issubclass(kind, DataError):
            raise DataError(msg("data.unreadable_columnar", label=self.label, what=self.what, error=str(error))) from None
        return False
