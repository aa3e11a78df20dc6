"""From loaded examples (any kind) to what each training stage takes, or a DataError saying why not.

    check_stage(stage, loaded.kind)                  # cheap: before the model is loaded
    sd = for_stage(stage, loaded, tokenizer)         # sd.train, sd.eval (lists of dicts), sd.note
    dataset = to_dataset(sd.train)                   # a datasets.Dataset

What each stage takes (the internal forms are in backend/data/formats.py):
    pt          text as it is; conversations rendered to plain text through the chat template (every
                token is then trained, the prompts too)                        -> {"text"}
    sft         see backend.data.load.as_sft
    rm, dpo     preference pairs                                               -> {"prompt", "chosen", "rejected", "tools"}
    orpo        preference pairs, rendered to text through the chat template   -> {"prompt", "chosen", "rejected"} (str)
    kto         labelled replies; or preference pairs unpaired (chosen = desirable, rejected = undesirable)
                                                                               -> {"prompt", "completion", "label", "tools"}
    grpo        prompts (with a reference answer when there is one); or conversations split into the
                prompt and the last reply as the reference                     -> {"prompt", "reference"}
                (prompts with tools are rendered to text with them: TRL's grpo takes no per-row tools)

Messages stay TRL's conversational form (lists of {"role", "content"}); TRL applies the chat template
with the tokenizer, with `tools` (a JSON string) where the row has them. Tool-call arguments become
JSON strings so that rows with different arguments share one Arrow schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from backend.data.read import DataError
from backend.messages import msg
from backend.spec import Stage, get_stage

KIND_NAMES = {
    "sft": msg("rows.kind_sft"),
    "preference": msg("rows.kind_preference"),
    "kto": msg("rows.kind_kto"),
    "text": msg("rows.kind_text"),
    "prompt": msg("rows.kind_prompt"),
}
# What to try instead, by the kind the data has.
SUGGEST = {
    "text": msg("rows.suggest_text"),
    "sft": msg("rows.suggest_sft"),
    "preference": msg("rows.suggest_preference"),
    "kto": msg("rows.suggest_kto"),
    "prompt": msg("rows.suggest_prompt"),
}


@dataclass
class StageData:
    train: list[dict]
    eval: list[dict]
    note: str = ""  # what was done to the data, for the log (a Message)
    # sft: the rows as the studio tokenized them itself (backend.data.tokenized.TokenizedSet; the fit step's pass)
    train_set: object = None
    eval_set: object = None


def check_stage(stage: str, kind: str) -> Stage:
    """The stage's record (backend/spec/stages.py); DataError when data of this kind cannot serve it."""
    record = get_stage(stage)
    if not record.convert:
        raise DataError(msg("rows.unknown_stage", stage=repr(stage)))
    if kind not in record.accepts:
        raise DataError(msg("rows.stage_needs", stage=stage, needs=record.detail, data=KIND_NAMES.get(kind, kind),
                            suggest=SUGGEST.get(kind) or msg("rows.another_stage")))
    return record


def for_stage(stage: str, loaded, tokenizer=None) -> StageData:
    """The train and eval examples in the form the stage's trainer takes (its record's converter)."""
    record = check_stage(stage, loaded.kind)
    if record.convert == "sft":
        from backend.data.load import as_sft

        return StageData(*as_sft(loaded))
    convert = CONVERTERS[record.convert]
    train, note = convert(loaded.kind, loaded.train, tokenizer)
    evals, _ = convert(loaded.kind, loaded.eval, tokenizer)
    if not train:
        raise DataError(msg("rows.no_usable_rows", stage=stage, why=note or loaded.kind))
    return StageData(train, evals, note)


def to_dataset(rows: list[dict]):
    from datasets import Dataset

    return Dataset.from_list(rows)


# -- per stage --------------------------------------------------------------------------------
def _pt(kind: str, examples: list[dict], tokenizer) -> tuple[list[dict], str]:
    if kind == "text":
        return [{"text": e["text"]} for e in examples], ""
    from backend.data.tokenize import render

    rows = [{"text": render(tokenizer, e["messages"], tools=e.get("tools"))} for e in examples]
    return rows, msg("rows.note_pt_rendered")


def _pairs(kind: str, examples: list[dict], tokenizer) -> tuple[list[dict], str]:
    return [{"prompt": _safe(e["prompt"]), "chosen": _safe(e["chosen"]), "rejected": _safe(e["rejected"]),
             "tools": _tools(e)} for e in examples], ""


def _rendered_pairs(kind: str, examples: list[dict], tokenizer) -> tuple[list[dict], str]:
    """Pairs rendered to text through the chat template (the orpo trainer takes text)."""
    rows, _ = _pairs(kind, examples, tokenizer)
    return _render_pairs(rows, tokenizer), msg("rows.note_orpo_rendered")


def _kto(kind: str, examples: list[dict], tokenizer) -> tuple[list[dict], str]:
    if kind == "kto":
        return [{"prompt": _safe(e["prompt"]), "completion": _safe(e["completion"]), "label": bool(e["label"]),
                 "tools": _tools(e)} for e in examples], ""
    rows = []
    for e in examples:  # preference: each pair gives one desirable and one undesirable reply
        prompt, tools = _safe(e["prompt"]), _tools(e)
        rows.append({"prompt": prompt, "completion": _safe(e["chosen"]), "label": True, "tools": tools})
        rows.append({"prompt": prompt, "completion": _safe(e["rejected"]), "label": False, "tools": tools})
    return rows, msg("rows.note_kto_unpaired")


def _grpo(kind: str, examples: list[dict], tokenizer) -> tuple[list[dict], str]:
    note = ""
    if kind == "prompt":
        rows = [{"prompt": e["prompt"], "reference": e.get("reference") or "", "tools": None} for e in examples]
    else:
        rows = []
        for e in examples:
            last = e["messages"][-1]
            if last["role"] != "assistant" or last.get("tool_calls") or len(e["messages"]) < 2:
                continue
            rows.append({"prompt": e["messages"][:-1], "reference": last.get("content") or "", "tools": e.get("tools")})
        note = msg("rows.note_grpo_split")
    if any(r["tools"] for r in rows):
        from backend.data.tokenize import render

        rows = [{"prompt": render(tokenizer, r["prompt"], add_generation_prompt=True, tools=r["tools"]),
                 "reference": r["reference"]} for r in rows]
        tools = msg("rows.note_grpo_tools")
        note = msg("rows.notes", first=note, second=tools) if note else tools
    else:
        rows = [{"prompt": _safe(r["prompt"]), "reference": r["reference"]} for r in rows]
    return rows, note


def _render_pairs(rows: list[dict], tokenizer) -> list[dict]:
    from trl.data_utils import apply_chat_template

    eos = getattr(tokenizer, "eos_token", None)
    out = []
    for r in rows:
        tools = json.loads(r["tools"]) if r.get("tools") else None
        text = apply_chat_template({k: r[k] for k in ("prompt", "chosen", "rejected")}, tokenizer, tools=tools)
        out.append({"prompt": text["prompt"], "chosen": _end_at_eos(text["chosen"], eos),
                    "rejected": _end_at_eos(text["rejected"], eos)})
    return out


def _end_at_eos(text: str, eos: str | None) -> str:
    """Drop what a template prints after the reply's end token (chatml: a newline): the orpo trainer
    appends EOS to a reply that does not end with it, which would train a second one."""
    stripped = text.rstrip()
    return stripped if eos and stripped.endswith(eos) else text


# A stage's `convert` names one of these (backend/spec/stages.py); "sft" is backend.data.load.as_sft.
CONVERTERS = {"text": _pt, "pairs": _pairs, "rendered_pairs": _rendered_pairs, "kto": _kto, "grpo": _grpo}


# -- helpers ----------------------------------------------------------------------------------
def _tools(e: dict) -> str | None:
    """A row's tool list as JSON text (TRL parses it back), so every row has one Arrow type."""
    tools = e.get("tools")
    return json.dumps(tools, ensure_ascii=False) if tools else None


def _safe(messages: list[dict]) -> list[dict]:
    """Messages with tool-call arguments as JSON text: arguments of different shapes would not share
    an Arrow schema (missing keys would come back as nulls). Chat templates print strings as they are."""
    out = []
    for m in messages:
        if m.get("tool_calls"):
            calls = []
            for c in m["tool_calls"]:
                fn = dict(c.get("function", c))
                if not isinstance(fn.get("arguments"), str):
                    fn["arguments"] = json.dumps(fn.get("arguments", {}), ensure_ascii=False)
                calls.append({"type": "function", "function": fn})
            m = {**m, "tool_calls": calls}
        out.append(m)
    return out
