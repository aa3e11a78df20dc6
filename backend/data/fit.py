"""Which rows can train at max_length: every row's prompt and reply lengths, measured once with the job's
tokenizer and chat template, the rows each stage's rule leaves out (counted by reason), the rows it cuts,
and a max_length that keeps most rows whole.

    lengths = measure(rows, tokenizer)               # one Lengths per row, in any stage's row form
    fit = fit_lengths("orpo", lengths, 128)          # .kept (indices), .dropped {reason: n}, .truncated
    rows = fit.keep(rows)
    fit.lines()                                      # what the job log says (Messages)
    suggest_max_length(fit.totals, cap=2048)         # the length of 95% of the rows, a multiple of 64

The stage's record (backend/spec/stages.py, `fit`) names its rule:
    reply   sft, dpo, orpo, kto: the prompt is kept whole and the reply cut at max_length, so a row whose prompt
            leaves no room for a reply token would train on an empty completion (TRL: "The prompt alone fills
            `max_length`"; orpo's rewards and log-odds turn NaN, and its prompt, never cut, goes whole through
            the model): left out; a row whose reply is empty once rendered too.
    whole   rm: the reward trainer leaves out, rather than cuts, a pair longer than max_length.
    prompt  grpo: the prompt must fit (the reply is generated, up to `align.max_completion_length`).
    ""      pt: the texts are packed into blocks of max_length; nothing is left out or cut.

Torch-free and duck-typed on the tokenizer: the worker runs it on the job's rows (backend.training.stages.common
.begin, for every stage), the Review and the Data step on the Data step's sample with the light tokenizer
(`preview_rows` gives the stage's rows from the loaded examples there).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from backend.messages import Message, msg

SHARE = 0.95  # the suggestion keeps this share of the rows whole
MULTIPLE = 64  # and is a multiple of this
BATCH = 512  # texts per call into the tokenizer
REASONS = ("empty_reply", "prompt_fills", "prompt_too_long", "too_long")  # in the order they are checked and said


@dataclass
class Lengths:
    """One row in tokens: its prompt (everything before the first trained token) and each of its sequences whole
    (prompt + reply; a pair has two). `empty`: a reply holds nothing once rendered (no text, no tool call)."""

    prompt: int
    fulls: tuple[int, ...] = ()
    empty: bool = False

    @property
    def total(self) -> int:
        """The row's longest sequence (the prompt alone when it has no reply)."""
        return max(self.fulls, default=self.prompt)


@dataclass
class Fit:
    stage: str
    rule: str  # the stage's rule: reply, whole, prompt, or "" (nothing to check)
    max_length: int
    total: int  # rows measured
    kept: list[int] = field(default_factory=list)  # indices of the rows that train
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> rows left out (REASONS)
    truncated: int = 0  # kept rows longer than max_length, cut at it
    totals: list[int] = field(default_factory=list)  # every row's longest sequence, for the suggestion

    @property
    def n_dropped(self) -> int:
        return sum(self.dropped.values())

    @property
    def unit(self) -> Message:
        return unit_name(self.stage)

    def keep(self, rows: list) -> list:
        """The rows that train (the list `measure` was given)."""
        if len(self.kept) == len(rows):
            return list(rows)
        return [rows[i] for i in self.kept]

    def reasons(self) -> list[Message]:
        """Each reason rows were left out, with its count ("237 whose prompt alone fills max_length ...")."""
        said = {
            "empty_reply": lambda n: msg("rows.fit_empty_reply", count=n),
            "prompt_fills": lambda n: msg("rows.fit_prompt_fills", count=n),
            "prompt_too_long": lambda n: msg("rows.fit_prompt_too_long", count=n),
            "too_long": lambda n: msg("rows.fit_too_long", count=n),
        }
        return [said[r](self.dropped[r]) for r in REASONS if self.dropped.get(r)]

    def lines(self, evaluation: bool = False) -> list[Message]:
        """What the job log says: the rows left out and why, the rows cut (nothing when every row fits)."""
        out = []
        if self.n_dropped:
            key = dict(dropped=self.n_dropped, total=self.total, unit=self.unit, max_length=self.max_length,
                       reasons=_joined(self.reasons()))
            out.append(msg("rows.fit_eval_dropped", **key) if evaluation else msg("rows.fit_dropped", **key))
        if self.truncated:
            out.append(msg("rows.fit_truncated", count=self.truncated, kept=len(self.kept), unit=self.unit,
                           max_length=self.max_length))
        return out

    def refusal(self, cap: int | None = None) -> Message:
        """Why no row can train, with what to do: a max_length that keeps most rows whole, when a longer one helps."""
        suggest = suggest_max_length(self.totals, cap=cap)
        key = dict(total=self.total, unit=self.unit, max_length=self.max_length, reasons=_joined(self.reasons()))
        if suggest and suggest > self.max_length and self.dropped.get("empty_reply", 0) < self.total:
            share = sum(1 for n in self.totals if n <= suggest) / max(len(self.totals), 1)
            return msg("rows.fit_none_left", **key, suggest=suggest, share=f"{share:.0%}")
        return msg("rows.fit_none_left_no_raise", **key)


def unit_name(stage: str) -> Message:
    """What a stage's rows are called: pairs (rm, dpo, orpo), replies (kto), prompts (grpo), rows."""
    from backend.spec import get_stage

    unit = get_stage(stage).unit
    if unit == "pairs":
        return msg("rows.unit_pairs")
    if unit == "replies":
        return msg("rows.unit_replies")
    if unit == "prompts":
        return msg("rows.unit_prompts")
    return msg("rows.unit_rows")


def _joined(items: list[Message]):
    from backend.data.listing import joined

    return joined(items, comma=True)


# -- the rules ------------------------------------------------------------------------------------
def fit_lengths(stage: str, lengths: list[Lengths | None], max_length: int) -> Fit:
    """The rows the stage's rule keeps at max_length (a None length, a row that could not be measured, is kept
    and counted nowhere: the trainer says what it makes of it)."""
    from backend.spec import get_stage

    rule = get_stage(stage).fit
    out = Fit(stage, rule, max_length, len(lengths))
    for i, row in enumerate(lengths):
        if row is not None:
            out.totals.append(row.total)
        why = _why_not(rule, row, max_length) if row is not None and rule else ""
        if why:
            out.dropped[why] = out.dropped.get(why, 0) + 1
            continue
        out.kept.append(i)
        if row is not None and rule == "reply" and row.total > max_length:
            out.truncated += 1
    return out


def _why_not(rule: str, row: Lengths, max_length: int) -> str:
    if rule == "prompt":
        return "prompt_too_long" if row.prompt > max_length else ""
    if row.empty:
        return "empty_reply"
    if rule == "reply" and row.prompt >= max_length:  # not one reply token would be left
        return "prompt_fills"
    if rule == "whole" and row.total > max_length:
        return "too_long"
    return ""


def suggest_max_length(totals: list[int], cap: int | None = None, share: float = SHARE,
                       multiple: int = MULTIPLE) -> int | None:
    """A max_length that keeps `share` of the rows whole: the length `share` of them fit in, rounded up to a
    multiple of `multiple`, at most `cap` (the model's max positions); None without lengths."""
    if not totals:
        return None
    ordered = sorted(totals)
    covering = ordered[max(0, math.ceil(share * len(ordered)) - 1)]
    value = max(multiple, math.ceil(covering / multiple) * multiple)
    return min(value, cap) if cap else value


def max_positions(config: dict | None) -> int | None:
    """The longest sequence a model's config.json says it reads (its text config's for a multimodal one)."""
    if not isinstance(config, dict):
        return None
    for source in (config, config.get("text_config") or {}):
        for key in ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"):
            value = source.get(key)
            if isinstance(value, int) and value > 0:
                return value
    return None


# -- measuring --------------------------------------------------------------------------------------
def measure(rows: list[dict], tokenizer, strict: bool = True) -> list[Lengths | None]:
    """Each row's Lengths through the tokenizer (its chat template renders conversations), in the form the
    stage's converter gives (backend.data.stage_data; `preview_rows`): sft {"messages"}, pairs {"prompt",
    "chosen", "rejected"} as conversations or rendered text, kto {"prompt", "completion"}, grpo {"prompt"},
    pt {"text"}. One call into the tokenizer per batch of texts; each text is tokenized once (the prompt's
    tokens are counted from the offsets of the whole sequence). `strict=False`: a row the template cannot
    render gives None instead of raising (the Review's sample)."""
    plans: list[tuple[str, list[str], bool] | None] = []
    for row in rows:
        try:
            plans.append(_texts(row, tokenizer))
        except Exception:
            if strict:
                raise
            plans.append(None)
    out: list[Lengths | None] = []
    for start in range(0, len(plans), BATCH):
        out += _count(plans[start:start + BATCH], tokenizer)
    return out


def _count(plans: list, tokenizer) -> list[Lengths | None]:
    fulls = [text for p in plans if p for text in p[1]]
    enc = tokenizer(fulls, add_special_tokens=False, return_offsets_mapping=True) if fulls else {}
    offsets = list(enc.get("offset_mapping", []))
    lone = []  # prompts that are no prefix of their sequence (or rows without a reply): tokenized alone
    for p in plans:
        if p and (not p[1] or not all(text.startswith(p[0]) for text in p[1])):
            lone.append(p[0])
    alone = iter(tokenizer(lone, add_special_tokens=False)["input_ids"] if lone else [])
    out, k = [], 0
    for p in plans:
        if p is None:
            out.append(None)
            continue
        prompt_text, texts, empty = p
        mine = offsets[k:k + len(texts)]
        k += len(texts)
        if texts and all(text.startswith(prompt_text) for text in texts):
            cut = len(prompt_text)
            prompt = min(sum(1 for s, e in o if s < cut and e > s) for o in mine) if prompt_text else 0
        else:
            prompt = len(next(alone))
        out.append(Lengths(prompt, tuple(len(o) for o in mine), empty))
    return out


def _texts(row: dict, tokenizer) -> tuple[str, list[str], bool]:
    """(the prompt's text, each whole sequence's text, whether a reply is empty) of one row."""
    from backend.data.tokenize import render

    tools = row.get("tools")
    tools = json.loads(tools) if isinstance(tools, str) and tools else tools or None
    if "text" in row:  # pt: all of it is trained
        eos = getattr(tokenizer, "eos_token", None) or ""
        return "", [row["text"] + eos], not str(row["text"]).strip()
    if "messages" in row:  # sft: the prompt is what comes before the first reply
        messages = list(row["messages"])
        first = next((i for i, m in enumerate(messages) if m["role"] == "assistant"), len(messages))
        prompt = render(tokenizer, messages[:first], add_generation_prompt=True, tools=tools) if first else ""
        return prompt, [render(tokenizer, messages, tools=tools)], blank_reply(messages[first:])
    replies = [row[k] for k in ("chosen", "rejected", "completion") if k in row]
    prompt = row["prompt"]
    if isinstance(prompt, str):  # rendered already (orpo's pairs, grpo's prompts with tools)
        eos = getattr(tokenizer, "eos_token", None) or ""
        bos = getattr(tokenizer, "bos_token", None)
        if bos and getattr(tokenizer, "bos_token_id", None) is not None and not prompt.startswith(bos):
            prompt = bos + prompt  # the orpo trainer puts one before the prompt
        return prompt, [prompt + r for r in replies], any(not _strip_eos(r, eos) for r in replies)
    prompt_text = render(tokenizer, list(prompt), add_generation_prompt=True, tools=tools)
    texts = [render(tokenizer, list(prompt) + list(r), tools=tools) for r in replies]
    return prompt_text, texts, any(blank_reply(list(r)) for r in replies)


def blank_reply(turns: list[dict]) -> bool:
    """Replies with no text and no tool call in any assistant turn: nothing to learn but the template's markers."""
    return not any(str(m.get("content") or "").strip() or m.get("tool_calls")
                   for m in turns if m.get("role") == "assistant")


def _strip_eos(text: str, eos: str) -> str:
    text = text.strip()
    while eos and text.endswith(eos):
        text = text[: -len(eos)].strip()
    return text


def fit_rows(stage: str, rows: list[dict], tokenizer, max_length: int) -> Fit:
    """measure + fit_lengths: the worker's one step for a stage's rows (none measured for pt, which packs)."""
    from backend.spec import get_stage

    if not get_stage(stage).fit:
        return Fit(stage, "", max_length, len(rows), kept=list(range(len(rows))))
    return fit_lengths(stage, measure(rows, tokenizer), max_length)


# -- the Data step's sample (the UI process) ----------------------------------------------------------
def preview_rows(stage: str, kind: str, examples: list[dict], tokenizer) -> list[dict]:
    """The rows the stage's trainer would take from loaded examples of `kind`, without torch: orpo's pairs stay
    conversations (rendering them to text, as its converter does, gives the same tokens)."""
    from types import SimpleNamespace

    from backend.data.stage_data import CONVERTERS, check_stage

    record = check_stage(stage, kind)
    if record.convert == "sft":
        from backend.data.load import as_sft

        train, _, _ = as_sft(SimpleNamespace(kind=kind, train=examples, eval=[]))
        return train
    convert = CONVERTERS["pairs" if record.convert == "rendered_pairs" else record.convert]
    rows, _ = convert(kind, examples, tokenizer)
    return rows
