"""A number above its range is refused with the range's top, in both languages: learning_rate 10 read "must be a
positive number such as 2e-4, got 10.0", and 10 is positive."""

from __future__ import annotations

import pytest

from backend.spec import JobSpec, SpecError
from studio.i18n import render


@pytest.mark.parametrize("section, field, value, top", [("training", "learning_rate", 10, "1"),
                                                        ("align", "beta", 500, "100")])
def test_too_big_says_the_most_allowed(section, field, value, top):
    raw = {section: {field: value}, **({"stage": "dpo"} if section == "align" else {})}
    with pytest.raises(SpecError) as info:
        JobSpec.from_dict(raw)
    issue = next(i for i in info.value.issues if i.field == f"{section}.{field}")
    assert f"at most {top}, got {value}" in str(issue.message)
    assert f"不超过 {top} 的正数" in render(issue.message, "zh")
