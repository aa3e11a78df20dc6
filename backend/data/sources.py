"""What `data.train` names, as Sources, and their rows: the demo set, local files and folders,
entries of a LLaMA-Factory dataset_info.json, and Hugging Face hub datasets.

`data.train` may list several sources separated by commas (`identity,alpaca_en_demo`);
`data.mix` then says how many rows to take from each.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from backend.data.read import DataError, RowFault, open_source
from backend.data.registry import Source, entry_source, read_registry
from backend.hub import looks_like_hub_id, unreachable_reason
from backend.messages import Message, msg
from backend.resources import DEMO_DATASET, DEMO_VL_DATASET, DEMO_VL_DPO_DATASET
from backend.spec import DEMO, DEMO_VL, DataSpec

# The data sets the project ships, by the names a spec gives them.
BUILT_IN = {DEMO: DEMO_DATASET, DEMO_VL: DEMO_VL_DATASET, DEMO_VL + "-dpo": DEMO_VL_DPO_DATASET}


def source_names(train: str) -> list[str]:
    return [s.strip() for s in str(train).split(",") if s.strip()]


def resolve_path(name: str, base_dir: Path | None = None) -> Path:
    """`demo` is the shipped set; a relative path is taken from base_dir (the workspace) first."""
    if name in BUILT_IN:
        return BUILT_IN[name]
    path = Path(name).expanduser()
    if not path.is_absolute() and base_dir is not None and (Path(base_dir) / path).exists():
        return Path(base_dir) / path
    return path


def parse_sources(data: DataSpec, base_dir: Path | None = None, train: str | None = None) -> list[Source]:
    """Every source named in `train` (default data.train), with the spec's format and mapping."""
    names = source_names(data.train if train is None else train)
    if not names:
        raise DataError(msg("data.train_empty"))
    registry = _registry_dir(data, base_dir)
    known = read_registry(registry) if registry else {}
    sources = []
    for name in names:
        if name in known:
            source = entry_source(registry, name)
            if data.format != "auto":
                source.format = data.format
        else:
            source = _plain_source(name, data, base_dir, registry)
        if data.columns:
            source.columns = {**source.columns, **data.columns}
        if data.tags:
            source.tags = {**source.tags, **data.tags}
        sources.append(source)
    return sources


def _registry_dir(data: DataSpec, base_dir: Path | None) -> Path | None:
    if not data.dataset_dir:
        return None
    folder = resolve_path(data.dataset_dir, base_dir)
    return folder


def _plain_source(name: str, data: DataSpec, base_dir: Path | None, registry: Path | None) -> Source:
    path = resolve_path(name, base_dir)
    common = dict(format=data.format, columns=dict(data.columns), tags=dict(data.tags))
    if name in BUILT_IN:
        return Source(label=name, path=path, **common)
    if path.exists():
        return Source(label=path.name, path=path, **common)
    if registry is not None:
        entry_source(registry, name)  # raises: not defined, with close names
    if looks_like_hub_id(name):
        return Source(label=name, hub=name, subset=data.subset, split=data.split or "train", **common)
    where = msg("data.also_looked_in", folder=base_dir) if base_dir is not None and not Path(name).is_absolute() else ""
    raise DataError(msg("data.no_such_source", name=name, where=where))


class HubRows:
    """Rows of a hub dataset, streamed (nothing downloaded in full for a preview)."""

    def __init__(self, source: Source, timeout_s: float = 3.0):
        reason = unreachable_reason(timeout_s)
        if reason:
            raise DataError(msg("data.hub_unreachable", name=source.hub, reason=reason))
        self.source = source
        self.name = source.hub
        self.files: list[Path] = []
        self.notes: list[Message] = []

    def _stream(self):
        from datasets import load_dataset

        try:
            return load_dataset(self.source.hub, self.source.subset or None, split=self.source.split or "train",
                                streaming=True)
        except Exception as e:  # noqa: BLE001 - every hub failure becomes a message
            raise DataError(msg("data.hub_dataset_error", name=self.source.hub, subset=self.source.subset or "-",
                                split=self.source.split, error_type=type(e).__name__, error=str(e)[:300])) from None

    def iter_rows(self) -> Iterator[tuple[int, dict | RowFault]]:
        for n, row in enumerate(self._stream(), start=1):
            yield n, dict(row)

    def head(self, n: int) -> list[tuple[int, dict | RowFault]]:
        return list(islice(self.iter_rows(), n))

    def columns(self, sample: int = 200) -> list[str]:
        seen: dict[str, None] = {}
        for _, row in self.head(sample):
            for k in row:
                seen.setdefault(k, None)
        return list(seen)

    def row(self, number: int) -> dict | RowFault:
        for n, row in self.iter_rows():
            if n == number:
                return row
        raise DataError(msg("data.hub_no_row", label=self.name, row=number))

    def where(self, number: int) -> Message:
        return msg("data.row", row=number)

    def count(self) -> int | None:
        return None


def open_rows(source: Source):
    """A FileSource (backend.data.read) or HubRows: iter_rows, head, columns, row, where, count, notes."""
    if source.hub:
        return HubRows(source)
    return open_source(source.path)
