"""From a spec's `data` section to training and evaluation examples: read every source,
convert, mix, drop duplicates, shuffle, split.

Pure Python (no torch), so the UI's Data step and the worker share the same checks.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from pathlib import Path

from backend.data.folder_files import check_one_kind
from backend.data.formats import Converted, convert_rows
from backend.data.inspect import options_for
from backend.data.listing import joined, kinds_listed
from backend.data.read import DataError, RowFault
from backend.data.sources import open_rows, parse_sources, resolve_path  # noqa: F401 - resolve_path re-exported
from backend.data.turns import RowProblem
from backend.messages import Message, msg
from backend.spec import DataSpec

log = logging.getLogger(__name__)


@dataclass
class SourceResult:
    label: str
    format: str
    reason: str  # a Message: why the format was chosen
    rows_read: int
    valid: int
    taken: int
    skipped: list = field(default_factory=list)  # (row, field, message): the message a Message


@dataclass
class Loaded:
    kind: str
    train: list[dict]
    eval: list[dict]
    sources: list[SourceResult]
    duplicates: int = 0

    @property
    def summary(self) -> str:
        parts = [f"{s.label}: {s.format}, {s.valid}/{s.rows_read} valid, {s.taken} taken" for s in self.sources]
        return "; ".join(parts)


def read_source(source, data: DataSpec) -> Converted:
    """Every row of one source converted, or skipped with its number and reason."""
    rows = open_rows(source)
    for note in rows.notes:
        log.info("data: %s", note)
    head = [r for _, r in rows.head(200) if isinstance(r, dict)]
    if not head:
        raise DataError(msg("data.no_readable_rows", label=source.label))
    check_one_kind(rows, source)
    opts, d = options_for(source, head, dict(data.placeholders), data.reasoning)
    out = Converted(format=d.format, reason=d.reason, kind=d.kind, traits=d.traits, columns=d.columns)
    readable = []
    for number, row in rows.iter_rows():
        out.rows_read += 1
        if isinstance(row, RowFault):
            out.skipped.append((number, "(line)", row.message))
        else:
            readable.append((number, row))
    for number, result in convert_rows(readable, opts):
        if isinstance(result, RowProblem):
            out.skipped.append((number, result.field, result.message))
        else:
            out.examples.append(result)
    out.skipped.sort()
    if not out.examples:
        first = joined([msg("data.located", where=msg("data.row", row=r), message=m) for r, _, m in out.skipped[:3]])
        if out.format:  # with what the rows were read as, and why: a wrong guess is the likely cause
            raise DataError(msg("data.no_usable_rows_as", label=source.label, rows=out.rows_read, first=first,
                                format=out.format, reason=out.reason))
        raise DataError(msg("data.no_usable_rows", label=source.label, rows=out.rows_read, first=first))
    return out


def load_conversations(path: Path, data: DataSpec) -> Converted:
    """One file, as the old single-file path read it (kept for callers and tests)."""
    from backend.data.registry import Source

    return read_source(Source(label=Path(path).name, path=Path(path), format=data.format,
                              columns=dict(data.columns), tags=dict(data.tags)), data)


def _take(examples: list[dict], amount, label: str, rng: random.Random) -> list[dict]:
    """A share (0-1] or a count (> 1) of the examples, chosen at random."""
    n = len(examples)
    k = round(n * amount) if amount <= 1 else int(amount)
    if k > n:
        log.warning("%s: %s rows asked for, only %s valid: taking all of them", label, k, n)
        k = n
    if k >= n:
        return examples
    return rng.sample(examples, max(1, k))


def _dedupe(examples: list[dict]) -> tuple[list[dict], int]:
    seen, out = set(), []
    for e in examples:
        key = repr(e)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out, len(examples) - len(out)


def _one_kind(results: list[tuple[object, Converted]]) -> str:
    problem = mixed_kinds([(s.label, c.format, c.kind) for s, c in results])
    if problem:
        raise DataError(problem)
    return results[0][1].kind


def mixed_kinds(sources: list[tuple[str, str, str]]) -> Message | None:
    """Why these sources (label, format, kind) cannot be mixed: rows of different kinds; None when they can."""
    if len({kind for _, _, kind in sources}) <= 1:
        return None
    return msg("data.mixed_kinds", which=kinds_listed(sources))


def eval_kind_problem(sources: list[tuple[str, str, str]], train_kind: str) -> Message | None:
    """Why the eval sources (label, format, kind) cannot evaluate training rows of `train_kind`; None when they can."""
    problem = mixed_kinds(sources)
    if problem or all(kind == train_kind for _, _, kind in sources):
        return problem
    return msg("data.eval_other_kind", which=kinds_listed(sources), kind=train_kind)


def load_data(data: DataSpec, base_dir: Path | None) -> Loaded:
    rng = random.Random(data.seed)
    sources = parse_sources(data, base_dir)
    results = [(s, read_source(s, data)) for s in sources]
    kind = _one_kind(results)
    mix = data.mix or [1.0] * len(results)
    train: list[dict] = []
    summaries = []
    for (source, conv), amount in zip(results, mix, strict=True):
        taken = _take(conv.examples, amount, source.label, rng)
        train += taken
        summaries.append(SourceResult(source.label, conv.format, conv.reason, conv.rows_read, len(conv.examples),
                                      len(taken), conv.skipped))
    duplicates = 0
    if data.dedupe:
        train, duplicates = _dedupe(train)
    if data.shuffle:
        rng.shuffle(train)
    eval_examples: list[dict] = []
    if data.eval:
        eval_results = [(s, read_source(s, data)) for s in parse_sources(data, base_dir, train=data.eval)]
        problem = eval_kind_problem([(s.label, c.format, c.kind) for s, c in eval_results], kind)
        if problem:
            raise DataError(problem)
        eval_examples = [e for _, c in eval_results for e in c.examples]
    elif data.eval_split > 0:
        n_eval = max(1, round(len(train) * data.eval_split)) if data.eval_split < 1 else int(data.eval_split)
        if n_eval >= len(train):
            raise DataError(msg("data.eval_split_too_big", split=data.eval_split, rows=len(train)))
        if not data.shuffle:
            pool = list(train)
            rng.shuffle(pool)
            eval_examples = pool[:n_eval]
            chosen = {id(e) for e in eval_examples}
            train = [e for e in train if id(e) not in chosen]
        else:
            eval_examples, train = train[:n_eval], train[n_eval:]
    return Loaded(kind, train, eval_examples, summaries, duplicates)


def as_sft(loaded: Loaded) -> tuple[list[dict], list[dict], str]:
    """Examples the sft stage can take, from any kind; and a note on what was done, or ""."""
    kind = loaded.kind
    if kind == "sft":
        return loaded.train, loaded.eval, ""
    if kind == "text":
        raise DataError(msg("data.sft_needs_chat"))

    def convert(e: dict) -> dict | None:
        if kind == "preference":
            images = {"images": e["images"]} if e.get("images") else {}
            return {"messages": e["prompt"] + e["chosen"], "tools": e.get("tools"), **images}
        if kind == "kto":
            return {"messages": e["prompt"] + e["completion"], "tools": e.get("tools")} if e["label"] else None
        if e.get("reference"):  # prompt
            return {"messages": [*e["prompt"], {"role": "assistant", "content": e["reference"]}], "tools": None}
        return None

    train = [c for e in loaded.train if (c := convert(e))]
    evals = [c for e in loaded.eval if (c := convert(e))]
    note = {
        "preference": msg("data.sft_from_preference"),
        "kto": msg("data.sft_from_kto"),
        "prompt": msg("data.sft_from_prompts"),
    }[kind]
    if not train:
        raise DataError(msg("data.sft_none_left", note=note))
    return train, evals, note


def train_eval_split(data: DataSpec, base_dir: Path | None, seed: int | None = None) -> Loaded:
    """Kept name for the worker: everything load_data does."""
    return load_data(data, base_dir)
