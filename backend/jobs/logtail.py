"""What a job's log.txt says, told apart from its noise (for the Monitor's log view and the interrupted message).

The log keeps everything the worker printed; these read it line by line (as JobStore.read_log_tail gives it,
a progress bar's redraws already reduced to its last state):

    trainer_record("{'loss': '0.4312', 'grad_norm': '0.82', 'epoch': '1.3'}")  # {'loss': 0.4312, ...}
    without_warnings(lines)     # no "file.py:12: FutureWarning: ..." lines, nor the source line echoed under them
    meaningful_lines(text)      # the lines a person reads to know what happened: no warnings, trainer dicts, bars
"""

from __future__ import annotations

import ast
import re

# warnings.showwarning's format: "{filename}:{lineno}: {category}: {message}", then the source line indented.
WARNING = re.compile(r"^\S.*:\d+: (?:[A-Z]\w*Warning|DeprecationWarning): ")
# tqdm's bar ("label:  45%|████▌     | 81/180 [00:17<00:21,  4.6it/s]") and its count-only form ("0step [00:00, ?step/s]").
PROGRESS_BAR = re.compile(r"\d+%\|.*\|\s*\d+/\d+|\d+\s*\w+ \[\d+:\d\d")


def trainer_record(line: str) -> dict[str, float] | None:
    """The numbers of a line the Trainer printed from its log dict (`{'loss': '7.427', 'epoch': '0.08', ...}`:
    transformers 5 prints them as formatted strings, earlier versions as numbers); None for any other line."""
    text = line.strip()
    if not (text.startswith("{'") and text.endswith("}")):
        return None
    try:
        raw = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(raw, dict) or not raw:
        return None
    out = {}
    for key, value in raw.items():
        try:
            out[str(key)] = float(value)
        except (TypeError, ValueError):
            continue
    return out or None


def without_warnings(lines: list[str]) -> list[str]:
    """`lines` less the Python warnings (FutureWarning, UserWarning...) and the indented source line(s) printed
    under each."""
    out, in_warning = [], False
    for line in lines:
        if WARNING.match(line):
            in_warning = True
            continue
        if in_warning and line.startswith((" ", "\t")):
            continue
        in_warning = False
        out.append(line)
    return out


def is_progress_bar(line: str) -> bool:
    return bool(PROGRESS_BAR.search(line))


def meaningful_lines(text: str) -> list[str]:
    """The log's lines that say what the worker did: without blank lines, warnings, the Trainer's log dicts
    and progress bars (their numbers are in metrics.jsonl and progress.json)."""
    lines = without_warnings(text.splitlines())
    return [line for line in lines if line.strip() and trainer_record(line) is None and not is_progress_bar(line)]
