"""The Data step's Next refuses the datasets mixed in ("Also mix in") that cannot go with the main one, as the Review
does, by file: a preference set mixed into the demo's conversations, a file that is not there."""

from __future__ import annotations

from backend.resources import DATA_DIR
from studio.wizard.data_next import more_sources_problem
from studio.wizard.form import MIX_WITH, form_from_spec


def test_next_names_a_mix_that_cannot_go_with_the_main_dataset(demo_wizard):
    ctx, _ = demo_wizard
    values = form_from_spec(ctx.defaults)
    assert more_sources_problem(ctx, values) == ""  # nothing mixed in: the main dataset's own check only
    same_kind = str(DATA_DIR / "identity.json")
    assert more_sources_problem(ctx, {**values, MIX_WITH: same_kind}) == ""
    pairs = str(DATA_DIR / "preference.jsonl")
    problem = more_sources_problem(ctx, {**values, MIX_WITH: pairs})
    assert "cannot be mixed" in problem and "preference.jsonl" in problem and "preference" in problem, problem
    missing = str(ctx.workspace.root / "nowhere.jsonl")
    problem = more_sources_problem(ctx, {**values, MIX_WITH: missing})
    assert "nowhere.jsonl" in problem, problem
    outside = more_sources_problem(ctx, {**values, MIX_WITH: "/etc/passwd"})
    assert outside and "root:" not in outside, outside  # a file outside the data folders is refused unread
