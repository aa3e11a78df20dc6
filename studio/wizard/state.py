"""Each wizard step's state on its tab: done (✓, visited and fine), has errors (⚠, a problem in a
field of that step), or neither yet; the current step is the selected tab.

    labels = tab_labels(t, issues, visited)   # one label per step, in WIZARD_STEPS order
"""

from __future__ import annotations

WIZARD_STEPS = ("model", "data", "method", "training", "review")
DONE, ERROR = "✓", "⚠"

# The step where each part of the spec is set.
STEP_OF_SECTION = {"model": "model", "data": "data", "method": "method", "stage": "method", "align": "method",
                   "training": "training", "export": "review"}


def step_of(field: str) -> str:
    """The step of a dotted spec field (`data.eval_split` is set on the Training step)."""
    if field in ("data.eval_split",):
        return "training"
    return STEP_OF_SECTION.get(field.split(".")[0], "review")


def states(issues, visited) -> dict[str, str]:
    """step -> "error" | "done" | "" for the steps before Review."""
    bad = {step_of(i.field) for i in issues}
    out = {}
    for step in WIZARD_STEPS[:-1]:
        out[step] = "error" if step in bad else "done" if step in visited else ""
    out["review"] = "error" if issues and "review" in visited else ""
    return out


def tab_labels(t, issues, visited) -> list[str]:
    marks = {"error": f" {ERROR}", "done": f" {DONE}", "": ""}
    now = states(issues, visited)
    return [t[f"step.{step}"] + marks[now[step]] for step in WIZARD_STEPS]
