"""Tell a dataset's format from its columns, say why, and say when unsure.

The result names the format and which file column plays which role (LLaMA-Factory's column
names: prompt, query, response, history, system, messages, tools, chosen, rejected, kto_tag,
plus text, reasoning and reference). A user's mapping overrides any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.data.turns import OPENAI_TAGS, REASONING_KEYS, SHAREGPT_TAGS
from backend.messages import msg

FORMATS = ("alpaca", "sharegpt", "messages", "preference", "kto", "text", "prompt")
KIND_OF = {
    "alpaca": "sft", "sharegpt": "sft", "messages": "sft",
    "preference": "preference", "kto": "kto", "text": "text", "prompt": "prompt",
}
FORMAT_HELP = {  # each format in words (the Data step's format line)
    "alpaca": msg("rows.format_alpaca"),
    "sharegpt": msg("rows.format_sharegpt"),
    "messages": msg("rows.format_messages"),
    "preference": msg("rows.format_preference"),
    "kto": msg("rows.format_kto"),
    "text": msg("rows.format_text"),
    "prompt": msg("rows.format_prompt"),
}
# Roles each format needs, as alternatives: every inner tuple must be fully mapped for one of them.
REQUIRED = {
    "alpaca": (("prompt", "response"), ("query", "response")),
    "sharegpt": (("messages",),),
    "messages": (("messages",),),
    "preference": (("chosen", "rejected"),),
    "kto": (("kto_tag", "response"), ("kto_tag", "messages")),
    "text": (("text",),),
    "prompt": (("prompt",), ("messages",)),
}
# What each role may be called in a file, most usual first.
ALIASES = {
    "prompt": ("instruction", "prompt", "question", "problem", "query_text", "input"),
    "query": ("input", "query", "context"),
    "response": ("output", "response", "answer", "completion", "target", "reply"),
    "system": ("system", "system_prompt"),
    "history": ("history",),
    "messages": ("messages", "conversations", "conversation", "chat", "dialog", "turns"),
    "tools": ("tools", "functions"),
    "chosen": ("chosen", "preferred", "chosen_response"),
    "rejected": ("rejected", "dispreferred", "rejected_response"),
    "kto_tag": ("label", "kto_tag", "desirable"),
    "text": ("text", "content", "document", "raw_content"),
    "reasoning": REASONING_KEYS,
    "reference": ("reference", "solution", "ground_truth", "answer", "final_answer"),
}
SAMPLE = 200
# A kto row's label (backend.data.formats.kto): detection takes a column as the label when all its values are these.
KTO_TRUE = (True, 1, "true", "True", "1", "yes")
KTO_FALSE = (False, 0, "false", "False", "0", "no")


@dataclass
class Detection:
    format: str  # "" when unsure
    reason: str  # why, a Message (backend.messages)
    confident: bool = True
    columns: dict = field(default_factory=dict)  # role -> column in the file
    tags: dict = field(default_factory=dict)  # sharegpt tags, when turns are used
    traits: list = field(default_factory=list)  # tools, reasoning, system, multi-turn

    @property
    def kind(self) -> str:
        return KIND_OF.get(self.format, "")


def file_columns(rows: list[dict]) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows[:SAMPLE]:
        for k in r:
            seen.setdefault(k, None)
    return list(seen)


def _find(role: str, columns: list[str], exclude: tuple = ()) -> str:
    lower = {c.lower(): c for c in columns}
    for alias in ALIASES[role]:
        if alias in lower and lower[alias] not in exclude:
            return lower[alias]
    return ""


def _first_turn(rows: list[dict], column: str) -> dict:
    for r in rows[:SAMPLE]:
        v = r.get(column)
        if isinstance(v, list) and v and isinstance(v[0], dict):
            return v[0]
    return {}


def turn_tags(rows: list[dict], column: str) -> tuple[str, dict]:
    """'sharegpt' or 'messages', and the tags that read the turns of `column`."""
    first = _first_turn(rows, column)
    if "from" in first or "value" in first:
        return "sharegpt", dict(SHAREGPT_TAGS)
    return "messages", dict(OPENAI_TAGS)


def _is_bool_column(rows: list[dict], column: str) -> bool:
    """A kto label column: the rows with a label outnumber those without one, and the rows whose value is
    something else ("maybe") are at most one in ten. A kto file with a few unlabelled rows is still kto: those
    rows are skipped, each named (backend.data.formats.kto)."""
    n, gaps, odd = len(rows[:SAMPLE]), label_gaps(rows, column), _not_labels(rows, column, every=True)
    return odd != [""] and len(odd) * 10 <= n and len(gaps) * 2 < n


def label_gaps(rows: list[dict], column: str) -> list[int]:
    """Numbers (from 1) of the first rows whose `column` is no kto label (missing, null, "", or another value)."""
    return [n for n, r in enumerate(rows[:SAMPLE], start=1) if not _is_label(r.get(column))]


def _is_label(value) -> bool:
    return isinstance(value, (bool, int, str)) and value in KTO_TRUE + KTO_FALSE


def _not_labels(rows: list[dict], column: str, every: bool = False) -> list:
    """The values of `column` in the first rows that are not a KTO label the kto rows take (KTO_TRUE, KTO_FALSE),
    at most one (`every`: all of them); empty cells (null, "") are not counted; [""] when no row has a value."""
    values = [r.get(column) for r in rows[:SAMPLE] if r.get(column) not in (None, "")]
    if not values:
        return [""]
    odd = [v for v in values if not _is_label(v)]
    return odd if every else odd[:1]


def detect(rows: list[dict], name: str = "dataset") -> Detection:
    """Decide from the first rows. `format` is "" (and `confident` False) when no rule fits."""
    sample = rows[:SAMPLE]
    rows, odd = _majority(sample)
    columns = file_columns(rows)
    cols: dict[str, str] = {}
    d = _detect(rows, columns, cols)
    if odd and d.format:
        d.reason = msg("rows.reason_mixed", reason=d.reason, odd=odd[0], rows=len(sample), example=odd[1])
    if d.format and d.kind not in ("kto", "preference"):  # a `label` column that is not one: say why it is unused
        label = next((c for c in columns if c.lower() in ALIASES["kto_tag"]), "")
        if label and (bad := _not_labels(rows, label)) != [""] and bad:
            d.reason = msg("rows.reason_label_ignored", reason=d.reason, column=label, value=repr(bad[0]))
        elif label and bad == [] and (gaps := label_gaps(rows, label)):
            d.reason = msg("rows.reason_label_mostly_empty", reason=d.reason, column=label, n=len(gaps),
                           rows=len(rows[:SAMPLE]))
    if d.kind == "kto" and (gaps := label_gaps(rows, cols["kto_tag"])):  # a few rows without a label: named
        d.reason = msg("rows.reason_kto_unlabelled", reason=d.reason, column=cols["kto_tag"], n=len(gaps),
                       rows=len(rows[:SAMPLE]), first=", ".join(map(str, gaps[:5])))
    if d.format and d.kind != "preference":  # half a pair (a `rejected` column missing or renamed): say so
        chosen, rejected = _find("chosen", columns), _find("rejected", columns)
        if bool(chosen) != bool(rejected):
            d.reason = msg("rows.reason_half_pair", reason=d.reason, column=chosen or rejected,
                           missing="rejected" if chosen else "chosen")
    d.columns = {k: v for k, v in {**cols, **d.columns}.items() if v}
    for opt in ("system", "tools", "history", "reasoning"):
        if opt not in d.columns and (found := _find(opt, columns, tuple(d.columns.values()))):
            d.columns[opt] = found
    if d.format in ("sharegpt", "messages", "preference") and "images" not in d.columns and "images" in columns:
        d.columns["images"] = "images"  # LLaMA-Factory's image rows (mllm_demo.json)
    d.traits = _traits(rows, d)
    return d


def _majority(rows: list[dict]) -> tuple[list[dict], tuple[int, list[str]] | None]:
    """The rows of the most common shape (set of columns that hold a value), and when others differ in
    a way that matters (a file mixing formats) how many rows do and the columns of one of them."""
    shapes: dict[frozenset, list[dict]] = {}
    for r in rows:
        shapes.setdefault(frozenset(k for k, v in r.items() if v not in (None, "")), []).append(r)
    if len(shapes) <= 1:
        return rows, None
    main = max(shapes.values(), key=len)
    main_keys = set().union(*(k for k, v in shapes.items() if v is main))
    odd = [k for k, v in shapes.items() if v is not main and not (k <= main_keys or main_keys <= k)]
    if not odd:
        return rows, None
    return main, (sum(len(shapes[k]) for k in odd), sorted(odd[0]))


def guess_columns(fmt: str, rows: list[dict], known: dict) -> dict:
    """Columns for a format the user chose, found by their usual names."""
    columns = file_columns(rows)
    out = dict(known)
    for role in ("prompt", "response", "query", "messages", "chosen", "rejected", "kto_tag", "text", "reference"):
        if role not in out and (found := _find(role, columns, tuple(out.values()))):
            out[role] = found
    return out


def _detect(rows: list[dict], columns: list[str], cols: dict) -> Detection:
    chosen, rejected = _find("chosen", columns), _find("rejected", columns)
    messages = _find("messages", columns)
    if chosen and rejected:
        cols.update(chosen=chosen, rejected=rejected)
        form: str = msg("rows.form_alpaca_style")
        tags: dict = {}
        if messages:
            cols["messages"] = messages
            form, tags = turn_tags(rows, messages)
        elif p := _find("prompt", columns):
            cols["prompt"] = p
            if (q := _find("query", columns, (p,))):
                cols["query"] = q
        else:
            form = msg("rows.form_implicit_prompt")
            tags = dict(OPENAI_TAGS)
        return Detection("preference", msg("rows.reason_preference", chosen=chosen, rejected=rejected, form=form),
                         tags=tags)
    label = next((c for c in columns if c.lower() in ALIASES["kto_tag"] and _is_bool_column(rows, c)), "")
    if label:
        cols["kto_tag"] = label
        response = _find("response", columns)
        if messages:
            cols["messages"] = messages
            _, tags = turn_tags(rows, messages)
            return Detection("kto", msg("rows.reason_kto", column=messages, label=label), tags=tags)
        if response:
            cols["response"] = response
            if p := _find("prompt", columns, (response,)):
                cols["prompt"] = p
            return Detection("kto", msg("rows.reason_kto", column=response, label=label))
    if messages:
        cols["messages"] = messages
        form, tags = turn_tags(rows, messages)
        keys = "{from, value}" if form == "sharegpt" else "{role, content}"
        return Detection(form, msg("rows.reason_turns", column=messages, keys=keys), tags=tags)
    if {"instruction", "output"} <= {c.lower() for c in columns}:
        cols.update(prompt=_find("prompt", columns), response=_find("response", columns))
        if q := _find("query", columns, (cols["prompt"],)):
            cols["query"] = q
        return Detection("alpaca", msg("rows.reason_alpaca"))
    response = _find("response", columns)
    reference = next((c for c in columns if c.lower() in ("solution", "ground_truth", "reference", "final_answer")), "")
    prompt = _find("prompt", columns, (response, reference))
    if prompt and response and not reference:
        cols.update(prompt=prompt, response=response)
        if (q := _find("query", columns, (prompt, response))):
            cols["query"] = q
        return Detection("alpaca", msg("rows.reason_prompt_reply", prompt=prompt, response=response))
    if prompt:
        cols["prompt"] = prompt
        if reference or response:
            cols["reference"] = reference or response
            return Detection("prompt", msg("rows.reason_prompt_reference", prompt=prompt, reference=cols["reference"]))
        if not _find("text", columns):
            return Detection("prompt", msg("rows.reason_prompts_only", prompt=prompt))
    text = _find("text", columns)
    if text:
        cols["text"] = text
        return Detection("text", msg("rows.reason_text", column=text))
    return Detection("", msg("rows.reason_unknown", columns=columns), confident=False)


def _as_list(value) -> list:
    return value if isinstance(value, list) else []


def _traits(rows: list[dict], d: Detection) -> list[str]:
    sample = rows[:SAMPLE]
    cols, tags = d.columns, d.tags or OPENAI_TAGS
    role_key, content_key = tags.get("role_tag", "role"), tags.get("content_tag", "content")
    convs = [[t for t in _as_list(r.get(cols.get("messages", ""))) if isinstance(t, dict)] for r in sample]
    turns = [t for c in convs for t in c]
    roles = [[str(t.get(role_key, "")).lower() for t in c] for c in convs]
    found = set()
    if (cols.get("tools") and any(r.get(cols["tools"]) for r in sample)) or any(
        t.get("tool_calls") or str(t.get(role_key)).lower() in ("function_call", "tool", "observation") for t in turns
    ):
        found.add("tools")
    texts = [str(t.get(content_key, "")) for t in turns] + [str(r.get(cols.get("response", ""), "")) for r in sample]
    if cols.get("reasoning") or any("<think>" in t for t in texts) or any(k in t for t in turns for k in REASONING_KEYS):
        found.add("reasoning")
    if cols.get("system") or any("system" in rs or tags.get("system_tag") in rs for rs in roles):
        found.add("system")
    users = {tags.get("user_tag", "user"), "user", "human"}
    if any(r.get(cols.get("history", "")) for r in sample) or any(sum(x in users for x in rs) > 1 for rs in roles):
        found.add("multi-turn")
    return [t for t in ("tools", "reasoning", "system", "multi-turn") if t in found]
