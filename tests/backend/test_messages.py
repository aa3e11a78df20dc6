"""Backend messages by id (backend.messages) and their Chinese (studio.i18n.messages): complete, used,
and rendered before formatting."""

from __future__ import annotations

import pickle
import re
import string

import pytest

from backend.messages import Message, UnknownMessage, message_of, msg
from backend.messages.en import AREAS, ENGLISH
from studio.i18n import render
from studio.i18n.messages import ZH
from tests.conftest import ROOT

# msg("area.name", ...) or Message("area.name", ...): the id is always a literal, so a text search is exact.
CALL = re.compile(r"\b(?:msg|Message)\(\s*\"([a-z_0-9]+\.[a-z_0-9.]+)\"")


def names(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def used_ids() -> dict[str, str]:
    found = {}
    for path in sorted((ROOT / "backend").rglob("*.py")) + sorted((ROOT / "studio").rglob("*.py")):
        if "messages" in path.relative_to(ROOT).parts or path.name == "render.py":
            continue  # the catalogs and the docstrings that show how a msg() call looks
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1), str(path.relative_to(ROOT)))
    return found


def test_every_id_has_chinese_with_the_same_values():
    missing = sorted(set(ENGLISH) - set(ZH))
    extra = sorted(set(ZH) - set(ENGLISH))
    assert not missing, "ids with no Chinese in studio/i18n/messages/: " + ", ".join(missing)
    assert not extra, "Chinese for ids no English catalog holds: " + ", ".join(extra)
    differ = [k for k in ENGLISH if names(ENGLISH[k]) != names(ZH[k])]
    assert not differ, "placeholders differ between English and Chinese: " + ", ".join(differ)


def test_ids_are_named_by_their_area():
    wrong = [k for area, table in AREAS.items() for k in table if not k.startswith(area + ".")]
    assert not wrong, "ids outside their area's prefix: " + ", ".join(wrong)


def test_every_id_the_code_uses_exists_and_every_id_is_used():
    used = used_ids()
    unknown = sorted(f"{k} ({where})" for k, where in used.items() if k not in ENGLISH)
    assert not unknown, "msg() ids with no English in backend/messages/en/: " + ", ".join(unknown)
    unused = sorted(set(ENGLISH) - set(used))
    assert not unused, "ids no code uses (remove them): " + ", ".join(unused)


def test_a_message_is_its_english_text_and_keeps_id_and_values():
    ENGLISH.setdefault("jobs._test_inner", "row {row}: {why}")
    ENGLISH.setdefault("jobs._test_outer", "{path}: {error}")
    ZH.setdefault("jobs._test_inner", "第 {row} 行：{why}")
    ZH.setdefault("jobs._test_outer", "{path}：{error}")
    try:
        inner = msg("jobs._test_inner", row=4, why="bad")
        outer = msg("jobs._test_outer", path="a.json", error=ValueError(inner))
        assert outer == "a.json: row 4: bad" and isinstance(outer, str)
        assert outer.id == "jobs._test_outer" and outer.params["error"].id == "jobs._test_inner"
        assert render(outer, "zh") == "a.json：第 4 行：bad" and render(outer, "en") == str(outer)
        assert render(ValueError(outer), "zh") == "a.json：第 4 行：bad"
        again = pickle.loads(pickle.dumps(outer))
        assert again.id == outer.id and render(again, "zh") == render(outer, "zh")
        stored = Message.from_json(outer.to_json())
        assert stored == outer and render(stored, "zh") == render(outer, "zh")
        assert message_of(RuntimeError(outer)) is outer and message_of(RuntimeError("x")) == "x"
        assert render("plain text a library wrote", "zh") == "plain text a library wrote"
    finally:
        for k in ("jobs._test_inner", "jobs._test_outer"):
            ENGLISH.pop(k, None)
            ZH.pop(k, None)
    with pytest.raises(UnknownMessage):
        msg("jobs.no_such_message")
