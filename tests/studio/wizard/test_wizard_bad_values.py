"""What a user typing wrong values into the wizard sees: the Review names the field and what it accepts, also for a
number below the box's minimum (gradio's own "Value 0 is less than minimum value 1." named no field and failed every
handler given the form), an empty box ("is empty", not "got None") and a max length above the largest one."""

from __future__ import annotations

import pytest

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from studio.i18n import render
from studio.wizard.form import form_from_spec

DEMO = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wizard(demo_wizard):
    return demo_wizard


def review_issues(wizard, lang="en", **typed) -> dict[str, str]:
    """{field: problem} the Review shows after the form's boxes hand `typed` (form key: what the browser sent) to
    the handlers, each through its component's own preprocess as gradio does."""
    from studio.wizard import review

    ctx, form = wizard
    values = form_from_spec(DEMO)
    for key, sent in typed.items():
        values[key] = form[key].preprocess(sent)
    return {i.field: render(i.message, lang) for i in review.check(ctx, values).issues}


@pytest.mark.parametrize("key, sent", [("training.batch_size", 0), ("training.learning_rate", -1),
                                       ("method.lora_r", 0), ("training.num_epochs", -2)])
def test_a_number_below_its_boxs_minimum_reaches_the_review_which_names_the_field(wizard, key, sent):
    issues = review_issues(wizard, **{key: sent})
    assert list(issues) == [key] and f"got {sent}" in issues[key], issues


def test_an_empty_box_is_called_empty(wizard):
    issues = review_issues(wizard, **{"training.learning_rate": None, "training.batch_size": None})
    assert issues == {"training.learning_rate": "is empty; give a number.",
                      "training.batch_size": "is empty; give a whole number."}
    zh = review_issues(wizard, lang="zh", **{"training.learning_rate": None})
    assert zh["training.learning_rate"].startswith("为空") and "None" not in zh["training.learning_rate"], zh

def test_a_max_length_above_the_largest_says_the_range(wizard):
    issues = review_issues(wizard, **{"training.max_length": 100_000_000})
    assert issues == {"training.max_length": "must be a whole number of tokens from 8 to 1048576, got 100000000."}
    zh = review_issues(wizard, lang="zh", **{"training.max_length": 100_000_000})
    assert "8 到 1048576" in zh["training.max_length"], zh
