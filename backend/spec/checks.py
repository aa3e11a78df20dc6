"""The generic part of checking a spec: its problems (SpecIssue, SpecError), reading a section's
values into its dataclass with the field's type, and the small checks every rule uses.

    issues: list[SpecIssue] = []
    section = build_section("training", TrainingSpec, {"batch_size": "8"}, issues)
    check_range(issues, "training.batch_size", section.batch_size, 1, 4096, msg("spec.accept_whole_at_least", low=1))
    raise SpecError(issues)       # one message per problem, each naming its field

A problem's text is a Message (backend.messages: an id, its values and the English), and so are SpecIssue's
and SpecError's, so the studio shows them in the page's language.

backend/spec/sections.py, training.py and distributed.py hold the sections, job.py the rules of what fits
together; this file knows nothing of them.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import Any

import yaml

from backend.messages import Message, msg


@dataclass
class SpecIssue:
    """One problem in a spec: the dotted field and a sentence a person understands (a Message; the studio's
    own checks may give plain text)."""

    field: str
    message: str

    @property
    def text(self) -> Message:
        """"`field`: message", as a Message."""
        return msg("spec.issue", field=self.field, message=self.message)

    def __str__(self) -> str:
        return self.text


class SpecError(ValueError):
    """Every problem found: `issues`, and a message with one line per issue."""

    def __init__(self, issues: list[SpecIssue]):
        self.issues = issues
        super().__init__(msg("spec.issues", issues=[i.text for i in issues]))


def help_metadata(text: str, **extra: Any) -> dict:
    """A spec field's metadata: its help text (the UI's tooltip too) and e.g. its choices."""
    return {"help": text, **extra}


def unknown_field(key: Any, allowed: list[str]) -> Message:
    close = difflib.get_close_matches(str(key), allowed, n=1)
    hint = msg("spec.did_you_mean", name=close[0]) if close else ""
    return msg("spec.unknown_field", hint=hint, accepted=", ".join(allowed))


def _kinds() -> dict[str, Message]:
    """A field's type in words, for "must be ..., got ..."."""
    return {"str": msg("spec.kind_text"), "float": msg("spec.kind_number"), "int": msg("spec.kind_whole_number"),
            "bool": msg("spec.kind_bool"), "list": msg("spec.kind_list"), "dict": msg("spec.kind_mapping")}


def build_section(name: str, cls: type, values: dict, issues: list[SpecIssue]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in values.items():
        dotted = f"{name}.{key}"
        if key not in fields:
            issues.append(SpecIssue(dotted, unknown_field(key, list(fields))))
            continue
        default = fields[key].default
        if default is dataclasses.MISSING:
            default = fields[key].default_factory()  # type: ignore[misc]
        try:
            kwargs[key] = coerce(value, default)
        except (TypeError, ValueError):
            kind = type(default).__name__
            accepted = _kinds().get(kind, kind)
            if value is None or value == "":  # a form's box left empty (YAML: `learning_rate:`), not "got None"
                issues.append(SpecIssue(dotted, msg("spec.is_empty", accepted=accepted)))
            else:
                issues.append(SpecIssue(dotted, msg("spec.must_be", accepted=accepted, value=repr(value))))
    return cls(**kwargs)


def coerce(value: Any, default: Any) -> Any:
    """Turn YAML/form values into the field's type, refusing what cannot be meant."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "on", "off"):
            return value.lower() in ("true", "yes", "on")
        raise ValueError(value)
    if isinstance(default, int):
        if isinstance(value, bool):
            raise ValueError(value)
        f = float(value)
        if f != int(f):
            raise ValueError(value)
        return int(f)
    if isinstance(default, float):
        if isinstance(value, bool):
            raise ValueError(value)
        return float(value)
    if isinstance(default, str):
        if value is None:
            return ""
        if isinstance(value, bool):  # `padding_free: true` in an older spec, for an auto/on/off field
            return "on" if value else "off"
        if isinstance(value, (dict, list)):
            raise ValueError(value)
        return str(value)
    if isinstance(default, list):
        if isinstance(value, str):  # "0.5, 200" or "adapter, merged": each item read as a YAML scalar
            return [yaml.safe_load(v.strip()) for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ValueError(value)
        return value
    if isinstance(default, dict):
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError(value)
        # Numbers stay numbers (reward weights); everything else is text (names, columns), but a nested mapping or
        # list (YAML reads `name=Aurora: the AI` as one) is kept for the field's own check to name.
        return {str(k): "" if v is None else v if isinstance(v, (int, float, dict, list)) and not isinstance(v, bool)
                else str(v) for k, v in value.items()}
    return value


def check_nonempty(p: list[SpecIssue], name: str, value: str, accepted: Message) -> None:
    """`accepted`: what the field takes, in words (a Message)."""
    if not str(value).strip():
        p.append(SpecIssue(name, msg("spec.is_empty", accepted=accepted)))


def check_choice(p: list[SpecIssue], name: str, value: Any, choices: tuple) -> None:
    if value not in choices:
        p.append(SpecIssue(name, msg("spec.not_a_choice", value=repr(value), choices=", ".join(map(str, choices)))))


def check_range(p, name, value, low, high, accepted, low_open=False) -> None:
    """`accepted`: the range in words (a Message), e.g. msg("spec.accept_whole_at_least", low=1)."""
    ok = low < value <= high if low_open else low <= value <= high
    if not ok:
        p.append(SpecIssue(name, msg("spec.must_be", accepted=accepted, value=repr(value))))
