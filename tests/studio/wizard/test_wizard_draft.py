"""The wizard's draft kept in the browser (studio/wizard/draft.py): what a reload gives back is the form as the user
left it, through the JSON localStorage holds; a draft of another version, or none, leaves the form as it is."""

from __future__ import annotations

import json

import pytest

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from studio.wizard.draft import VERSION, from_draft, to_draft
from studio.wizard.form import DATA_PATH, DATA_SOURCE, PLACEHOLDER_VALUES, form_from_spec

DEMO = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def form(demo_wizard):
    return demo_wizard[1]


def on_page(updates: dict) -> dict:
    """{component: value} the page holds after `updates` (a gr.update's value, or the value itself)."""
    return {c: v.get("value") if isinstance(v, dict) else v for c, v in updates.items()}


def test_a_reload_gives_back_the_form_as_it_was_left(form):
    left = {**form_from_spec(DEMO), "training.num_epochs": 25, "training.learning_rate": 7e-4, "method.lora_r": 8,
            "stage": "sft", DATA_SOURCE: "path", DATA_PATH: "/data/sets/mine.jsonl",
            PLACEHOLDER_VALUES: ["Aurora", "Me"] + [""] * (len(form[PLACEHOLDER_VALUES]) - 2)}
    page = on_page(form.updates(left))
    stored = json.loads(json.dumps(to_draft(form, page)))  # what localStorage keeps
    assert stored["version"] == VERSION
    back = form.values(on_page(from_draft(form, stored)))
    for key in ("training.num_epochs", "training.learning_rate", "method.lora_r", DATA_SOURCE, DATA_PATH,
                PLACEHOLDER_VALUES):
        assert back[key] == left[key], key
    assert back == form.values(page)


@pytest.mark.parametrize("draft", [None, {}, "text", {"version": VERSION + 1, "values": {"training.num_epochs": 3}},
                                   {"version": VERSION, "values": None}])
def test_no_draft_or_one_of_another_version_leaves_the_form(form, draft):
    assert from_draft(form, draft) == {}


def test_keys_the_form_no_longer_has_are_left_out(form):
    updates = from_draft(form, {"version": VERSION, "values": {"training.gone_field": 1, "training.num_epochs": 4}})
    assert list(updates.values()) == [4] and form["training.num_epochs"] in updates
