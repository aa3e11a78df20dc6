"""Reward functions for grpo, picked and weighted by a no-code user (`align.rewards: {name: weight}`).

Each takes TRL's reward-function arguments (completions, plus the dataset's columns such as
`reference`, and `completion_ids`) and returns one float per completion, or None where it does
not apply (exact_match on a prompt without a reference). Completions are either text or, for
chat prompts, a list of messages whose assistant content is the reply.

    funcs, weights = reward_functions(spec.align)   # -> GRPOTrainer(reward_funcs=funcs), GRPOConfig(reward_weights=weights)
"""

from __future__ import annotations

import functools
import json
import re

THINK_END = "</think>"
_FORMAT = re.compile(r"^\s*<think>.*?</think>\s*\S", re.DOTALL)


def reply_text(completion) -> str:
    """The text of a completion: itself, or the assistant contents of a list of messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    return "".join(str(m.get("content") or "") for m in completion if m.get("role", "assistant") == "assistant")


def final_answer(text: str) -> str:
    """The answer part of a reply: the text after the last `</think>` if there is one, stripped."""
    if THINK_END in text:
        text = text.rsplit(THINK_END, 1)[1]
    return text.strip()


def exact_match(completions, reference=None, **kwargs) -> list[float | None]:
    """1 when the reply's final answer (after `</think>`, stripped) equals the example's reference, else 0."""
    refs = reference if reference is not None else [None] * len(completions)
    out: list[float | None] = []
    for completion, ref in zip(completions, refs):
        if ref is None or not str(ref).strip():
            out.append(None)  # no reference: the reward does not apply to this prompt
        else:
            out.append(1.0 if final_answer(reply_text(completion)) == final_answer(str(ref)) else 0.0)
    return out


def format(completions, **kwargs) -> list[float]:  # noqa: A001 - the name the user picks and the logs show
    """1 when the reply is `<think>...</think>` followed by a non-empty answer, else 0."""
    return [1.0 if _FORMAT.match(reply_text(c)) else 0.0 for c in completions]


def length(completions, completion_ids=None, length_target: int = 32, **kwargs) -> list[float]:
    """1 - |tokens - length_target| / length_target, floored at 0: highest for replies of the target length."""
    target = max(int(length_target), 1)
    out = []
    for i, c in enumerate(completions):
        n = len(completion_ids[i]) if completion_ids is not None else len(reply_text(c).split())
        out.append(max(0.0, 1.0 - abs(n - target) / target))
    return out


def valid_json(completions, **kwargs) -> list[float]:
    """1 when the reply's final answer parses as JSON, else 0."""
    out = []
    for c in completions:
        try:
            json.loads(final_answer(reply_text(c)))
            out.append(1.0)
        except ValueError:
            out.append(0.0)
    return out


REWARDS = {"exact_match": exact_match, "format": format, "length": length, "valid_json": valid_json}
# One line each, for the UI.
DESCRIPTIONS = {name: fn.__doc__.strip().splitlines()[0] for name, fn in REWARDS.items()}


def reward_functions(align) -> tuple[list, list[float]]:
    """(reward functions, weights) of the spec's `align.rewards`, rewards weighted 0 left out."""
    funcs, weights = [], []
    for name, weight in align.rewards.items():
        if not weight:
            continue
        fn = REWARDS[name]
        if name == "length":
            fn = functools.partial(fn, length_target=align.length_target)  # TRL logs it as `length`
        funcs.append(fn)
        weights.append(float(weight))
    return funcs, weights
