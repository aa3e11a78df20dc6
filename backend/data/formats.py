"""Rows of any supported format to internal examples, one kind per format, never silently.

    from backend.data.formats import convert
    out = convert(rows)                 # detects the format; or convert(rows, "alpaca", columns={...})
    out.examples, out.skipped           # skipped: [(row number, field, message)]

Internal forms (what tokenization and the trainers take):
    sft         {"messages": [...], "tools": [...] | None}
    preference  {"prompt": [...], "chosen": [assistant], "rejected": [assistant], "tools": ...}
    kto         {"prompt": [...], "completion": [assistant], "label": bool, "tools": ...}
    text        {"text": str}
    prompt      {"prompt": [...], "reference": str | None}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from backend.data.detect import (
    FORMATS,
    KIND_OF,
    KTO_FALSE,
    KTO_TRUE,
    REQUIRED,
    Detection,
    detect,
    guess_columns,
    turn_tags,
)
from backend.data.images import row_images
from backend.data.read import DataError
from backend.data.turns import (
    OPENAI_TAGS,
    RowProblem,
    check_order,
    convert_turns,
    parse_tools,
    text_of,
    with_reasoning,
)
from backend.messages import msg

DATA_FORMATS = ("auto", *FORMATS)
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_TRUE, _FALSE = KTO_TRUE, KTO_FALSE


@dataclass
class Converted:
    format: str
    reason: str  # a Message (backend.messages), as Detection.reason
    kind: str = "sft"
    examples: list[dict] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (row from 1, field, Message)
    rows_read: int = 0
    traits: list = field(default_factory=list)
    columns: dict = field(default_factory=dict)

    @property
    def conversations(self) -> list[list[dict]]:
        """The chat messages of sft examples (the form the sft trainer takes)."""
        return [e["messages"] for e in self.examples]


@dataclass
class Options:
    """How to read rows: the format, its column mapping and sharegpt tags, and choices."""

    format: str
    columns: dict
    tags: dict = field(default_factory=dict)
    placeholders: dict = field(default_factory=dict)
    reasoning: str = "keep"  # keep | drop
    media_dir: Path | None = None  # the data file's folder: `images` paths are relative to it and stay inside it
    media_roots: tuple = ()  # other folders images may lie in


def resolve(rows: list[dict], fmt: str = "auto", columns: dict | None = None, tags: dict | None = None,
            name: str = "dataset") -> Detection:
    """Detection, with the user's format, column mapping and tags laid over it; checked."""
    if fmt not in DATA_FORMATS:
        raise DataError(msg("rows.unknown_format", name=name, format=repr(fmt), accepted=", ".join(DATA_FORMATS)))
    d = detect(rows, name)
    if fmt == "auto" and not d.format and (mapped := _format_from_mapping(rows, columns)):
        # Detection failed, but the user's mapping names the roles of one format: read it as that.
        d = resolve(rows, mapped, columns, tags, name)
        pairs = ", ".join(f"{k}={v}" for k, v in columns.items() if v)
        d.reason = msg("rows.reason_from_mapping", pairs=pairs, format=mapped)
        d.confident = False  # the UI keeps offering every role until the user settles
        return d
    if fmt != "auto" and fmt != d.format:
        guessed = Detection(fmt, msg("rows.chosen_by_you"), columns={}, tags={})
        if fmt in ("sharegpt", "messages"):
            guessed.tags = d.tags or {}
        # Keep detected roles the chosen format also uses.
        known = {k: v for k, v in d.columns.items() if k in ("system", "tools", "history", "reasoning")}
        guessed.columns = {k: v for k, v in guess_columns(fmt, rows, known).items() if k in _roles(fmt)}
        guessed.traits = d.traits
        d = guessed
    elif fmt != "auto":
        d.reason = msg("rows.chosen_agrees", reason=d.reason)
    if columns:
        d.columns = {**d.columns, **{k: v for k, v in columns.items() if v}}
        if d.format:
            pairs = ", ".join(f"{k}={v}" for k, v in columns.items() if v)
            d.reason = msg("rows.reason_mapped", reason=d.reason, pairs=pairs)
    if tags:
        d.tags = {**(d.tags or {}), **tags}
    if not d.format:
        raise DataError(msg("rows.no_format", name=name, reason=d.reason))
    missing = _missing_roles(d.format, d.columns)
    if missing:
        raise DataError(msg("rows.missing_role_column", name=name, format=d.format, roles=" and ".join(missing),
                            columns=sorted(_columns_of(rows)), role=missing[0]))
    return d


def _format_from_mapping(rows: list[dict], columns: dict | None) -> str:
    """The format whose required roles the user's mapping covers, most specific first; or ""."""
    mapped = {k for k, v in (columns or {}).items() if v}
    for fmt in ("preference", "kto", "alpaca", "messages", "prompt", "text"):
        if any(set(alt) <= mapped for alt in REQUIRED[fmt]):
            if fmt == "messages":
                return turn_tags(rows, columns["messages"])[0]  # sharegpt or messages, by the turn keys
            return fmt
    return ""


def _roles(fmt: str) -> set[str]:
    extra = {"system", "tools", "history", "reasoning", "query", "prompt", "messages", "response", "reference"}
    return {r for alt in REQUIRED[fmt] for r in alt} | extra


def _missing_roles(fmt: str, columns: dict) -> list[str]:
    options = [[r for r in alt if not columns.get(r)] for alt in REQUIRED[fmt]]
    return min(options, key=len)


def _columns_of(rows: list[dict]) -> set[str]:
    return set().union(*(r.keys() for r in rows[:200])) if rows else set()


def convert(rows: list[dict], fmt: str = "auto", placeholders: dict | None = None, name: str = "dataset",
            columns: dict | None = None, tags: dict | None = None, reasoning: str = "keep",
            media_dir: Path | None = None) -> Converted:
    """Every row converted or skipped with its number, field and reason."""
    if not rows:
        raise DataError(msg("rows.no_rows", name=name))
    d = resolve(rows, fmt, columns, tags, name)
    opts = Options(d.format, d.columns, d.tags, placeholders or {}, reasoning, media_dir)
    out = Converted(format=d.format, reason=d.reason, kind=d.kind, rows_read=len(rows), traits=d.traits,
                    columns=d.columns)
    for number, result in convert_rows(enumerate(rows, start=1), opts):
        if isinstance(result, RowProblem):
            out.skipped.append((number, result.field, result.message))
        else:
            out.examples.append(result)
    return out


def convert_rows(numbered: Iterable[tuple[int, dict]], opts: Options) -> Iterator[tuple[int, dict | RowProblem]]:
    """Streaming form of convert: (row number, example or the problem) for each row."""
    fn = CONVERTERS[opts.format]
    for number, row in numbered:
        try:
            if not isinstance(row, dict):
                raise RowProblem("(row)", msg("rows.row_not_object", type=type(row).__name__))
            example = fn(row, opts)
            if opts.placeholders:
                example = fill_example(example, opts.placeholders)
        except RowProblem as problem:
            yield number, _root_cause(problem, row, opts)
            continue
        yield number, example


def _root_cause(problem: RowProblem, row, opts: Options) -> RowProblem:
    """A row of another shape (mixed formats in one file) is told as the column it lacks."""
    if isinstance(row, dict) and getattr(problem.message, "id", "") != "rows.label_missing":  # says what to do
        present = {r: c for r, c in opts.columns.items() if c in row}
        missing = [opts.columns[r] for r in _missing_roles(opts.format, present)]
        if missing:
            return RowProblem(missing[0], msg("rows.row_missing_column", column=missing[0], columns=sorted(row),
                                              format=opts.format))
    return problem


# -- converters: row -> internal example ----------------------------------------------------------
def _col(row: dict, opts: Options, role: str) -> str:
    column = opts.columns.get(role)
    return text_of(row.get(column), column) if column else ""


def _system_and_history(row: dict, opts: Options) -> list[dict]:
    messages = []
    system = _col(row, opts, "system")
    if system.strip():
        messages.append({"role": "system", "content": system})
    column = opts.columns.get("history")
    history = row.get(column) if column else None
    if history in (None, ""):
        return messages
    if not isinstance(history, list):
        raise RowProblem(column, msg("rows.history_not_list", column=column))
    for turn, pair in enumerate(history, start=1):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            raise RowProblem(column, msg("rows.history_item_not_pair", column=column, item=turn))
        messages += [
            {"role": "user", "content": text_of(pair[0], column)},
            {"role": "assistant", "content": with_reasoning(text_of(pair[1], column), "", opts.reasoning)},
        ]
    return messages


def _prompt_text(row: dict, opts: Options) -> str:
    prompt, query = _col(row, opts, "prompt"), _col(row, opts, "query")
    text = f"{prompt}\n{query}" if prompt.strip() and query.strip() else (prompt or query)
    if not text.strip():
        names = [opts.columns[r] for r in ("prompt", "query") if opts.columns.get(r)]
        if len(names) == 2:
            problem = msg("rows.prompt_and_query_empty", prompt=names[0], query=names[1])
        elif names:
            problem = msg("rows.column_empty", column=names[0])
        else:  # neither is mapped (kto with only a reply)
            problem = msg("rows.no_prompt_column")
        raise RowProblem(opts.columns.get("prompt") or opts.columns.get("query", "prompt"), problem)
    return text


def _reply(row: dict, opts: Options, role: str = "response") -> dict:
    column = opts.columns[role]
    text = text_of(row.get(column), column)
    if not text.strip():
        raise RowProblem(column, msg("rows.column_empty", column=column))
    return {"role": "assistant", "content": with_reasoning(text, _col(row, opts, "reasoning"), opts.reasoning)}


def _tools(row: dict, opts: Options) -> list[dict] | None:
    column = opts.columns.get("tools")
    return parse_tools(row.get(column), column) if column else None


def _prompt_messages(row: dict, opts: Options) -> list[dict]:
    """A prompt from a turns column (ending with the user) or from prompt/query columns."""
    if opts.columns.get("messages"):
        column = opts.columns["messages"]
        messages = convert_turns(row.get(column), column, opts.tags or OPENAI_TAGS, opts.reasoning)
        system = _col(row, opts, "system")
        if system.strip() and messages[0]["role"] != "system":
            messages.insert(0, {"role": "system", "content": system})
        return messages
    return [*_system_and_history(row, opts), {"role": "user", "content": _prompt_text(row, opts)}]


def alpaca(row: dict, opts: Options) -> dict:
    messages = [*_system_and_history(row, opts), {"role": "user", "content": _prompt_text(row, opts)}, _reply(row, opts)]
    check_order(messages, opts.columns["response"])
    return {"messages": messages, "tools": _tools(row, opts)}


def turns(row: dict, opts: Options) -> dict:
    column = opts.columns["messages"]
    messages = _prompt_messages(row, opts)
    check_order(messages, column)
    example = {"messages": messages, "tools": _tools(row, opts)}
    if opts.columns.get("images"):  # LLaMA-Factory's image rows: `<image>` placeholders + paths
        images = opts.columns["images"]
        example["images"] = row_images(row.get(images), images, messages, opts.media_dir, opts.media_roots)
    return example


def _one_reply(value, column: str, opts: Options) -> list[dict]:
    """A chosen/rejected cell: text, one turn, or a list of turns (the reply's own turns)."""
    if isinstance(value, (dict, list)):
        turns_ = convert_turns([value] if isinstance(value, dict) else value, column, opts.tags or OPENAI_TAGS,
                               opts.reasoning)
        if any(m["role"] not in ("assistant", "tool") for m in turns_):
            raise RowProblem(column, msg("rows.reply_not_assistant", column=column))
        if not any(m["content"].strip() or m.get("tool_calls") for m in turns_):
            raise RowProblem(column, msg("rows.column_empty", column=column))
        return turns_
    text = text_of(value, column)
    if not text.strip():
        raise RowProblem(column, msg("rows.column_empty", column=column))
    return [{"role": "assistant", "content": with_reasoning(text, "", opts.reasoning)}]


def preference(row: dict, opts: Options) -> dict:
    c, r = opts.columns["chosen"], opts.columns["rejected"]
    if opts.columns.get("messages") or opts.columns.get("prompt") or opts.columns.get("query"):
        prompt = _prompt_messages(row, opts)
        chosen, rejected = _one_reply(row.get(c), c, opts), _one_reply(row.get(r), r, opts)
    else:  # implicit prompt: chosen and rejected are whole conversations sharing a prefix
        full_c = convert_turns(row.get(c), c, opts.tags or OPENAI_TAGS, opts.reasoning)
        full_r = convert_turns(row.get(r), r, opts.tags or OPENAI_TAGS, opts.reasoning)
        n = 0
        while n < min(len(full_c), len(full_r)) - 1 and full_c[n] == full_r[n]:
            n += 1
        prompt, chosen, rejected = full_c[:n], full_c[n:], full_r[n:]
        if not prompt:
            raise RowProblem(c, msg("rows.no_shared_prompt", chosen=c, rejected=r))
    check_order(prompt, opts.columns.get("messages") or opts.columns.get("prompt") or c, must_end="user")
    if chosen == rejected:
        raise RowProblem(r, msg("rows.same_reply", chosen=c, rejected=r))
    example = {"prompt": prompt, "chosen": chosen, "rejected": rejected, "tools": _tools(row, opts)}
    if opts.columns.get("images"):  # the prompt's `<image>` placeholders + paths (LLaMA-Factory's ranking rows)
        images = opts.columns["images"]
        example["images"] = row_images(row.get(images), images, [*prompt, *chosen, *rejected], opts.media_dir,
                                       opts.media_roots)
    return example


def kto(row: dict, opts: Options) -> dict:
    label_col = opts.columns["kto_tag"]
    label = row.get(label_col)
    if label_col not in row:
        raise RowProblem(label_col, msg("rows.label_missing", column=label_col))
    if not isinstance(label, (bool, int, str)) or label not in _TRUE + _FALSE:  # null as the file says it
        raise RowProblem(label_col, msg("rows.label_not_bool", column=label_col,
                                        value="null" if label is None else repr(label)))
    if opts.columns.get("messages") and not opts.columns.get("response"):
        column = opts.columns["messages"]
        messages = _prompt_messages(row, opts)
        check_order(messages, column)
        # The last assistant reply (with any tool turns it needed) is the completion.
        cut = max(i for i, m in enumerate(messages) if m["role"] == "user") + 1
        prompt, completion = messages[:cut], messages[cut:]
    else:
        prompt, completion = _prompt_messages(row, opts), [_reply(row, opts)]
        check_order([*prompt, *completion], opts.columns["response"])
    return {"prompt": prompt, "completion": completion, "label": label in _TRUE, "tools": _tools(row, opts)}


def text(row: dict, opts: Options) -> dict:
    column = opts.columns["text"]
    value = text_of(row.get(column), column)
    if not value.strip():
        raise RowProblem(column, msg("rows.column_empty", column=column))
    return {"text": value}


def prompt(row: dict, opts: Options) -> dict:
    messages = _prompt_messages(row, opts)
    if messages[-1]["role"] == "assistant" and opts.columns.get("messages"):
        # A conversation: its last reply is the reference answer.
        reference = messages[-1]["content"]
        messages = messages[:-1]
    else:
        reference = _col(row, opts, "reference") or None
    check_order(messages, opts.columns.get("messages") or opts.columns.get("prompt", "prompt"), must_end="user")
    return {"prompt": messages, "reference": reference}


CONVERTERS = {"alpaca": alpaca, "sharegpt": turns, "messages": turns, "preference": preference, "kto": kto,
              "text": text, "prompt": prompt}
assert set(CONVERTERS) == set(FORMATS) == set(KIND_OF)


# -- placeholders ---------------------------------------------------------------------------------
def fill_placeholders(text: str, values: dict) -> str:
    """Replace `{{key}}` with values[key]; unknown keys stay as they are."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def fill_example(value, values: dict):
    if isinstance(value, str):
        return fill_placeholders(value, values)
    if isinstance(value, list):
        return [fill_example(v, values) for v in value]
    if isinstance(value, dict):
        return {k: fill_example(v, values) if k in ("content", "messages", "prompt", "chosen", "rejected",
                                                     "completion", "text", "reference") else v
                for k, v in value.items()}
    return value


def placeholders_in(rows: list[dict], limit: int = 200) -> list[str]:
    """The `{{key}}` names used in the first rows, for the UI to offer fields for."""
    found: list[str] = []
    for row in rows[:limit]:
        for key in _PLACEHOLDER.findall(str(row)):
            if key not in found:
                found.append(key)
    return found


def detect_format(rows: list[dict], name: str = "dataset") -> tuple[str, str]:
    """(format, reason); DataError when no rule fits."""
    d = detect(rows, name)
    if not d.format:
        raise DataError(msg("rows.no_format", name=name, reason=d.reason))
    return d.format, d.reason
