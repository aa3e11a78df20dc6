"""A YAML syntax error as a person reads it: the line and column, that line's text and what the parser expected,
with what to check; not PyYAML's own report (`in "<unicode string>", line 5, column 2` twice, with carets)."""

from __future__ import annotations

import yaml

from backend.messages import Message, msg


def yaml_problem(error: yaml.YAMLError, text: str) -> Message | str:
    """`line 5, column 2 (` training:`): expected <block end>, ... Check the indentation ...` for an error PyYAML
    places in `text`; its own words otherwise."""
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return str(error)
    lines = text.splitlines()
    line = lines[mark.line] if 0 <= mark.line < len(lines) else ""
    problem = (getattr(error, "problem", None) or str(error)).strip()
    context, start = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and start is not None and start.line != mark.line:  # e.g. a `{` opened on an earlier line
        problem = f"{problem} ({context} from line {start.line + 1})"
    return msg("spec.yaml_at", line=mark.line + 1, column=mark.column + 1, text=line.rstrip()[:80],
               problem=problem)
