"""The studio's UI process never imports the training stack (fast start, no model memory)."""

from __future__ import annotations

from tests.conftest import run_python

HEAVY = ("torch", "transformers", "trl", "peft", "datasets", "accelerate")


def test_building_the_app_imports_no_training_code(tmp_path):
    code = f"""
import sys
from backend.workspace import Workspace
import studio.app
app = studio.app.build_app(Workspace.at({str(tmp_path / "ws")!r}), "en")
assert app is not None
print("LOADED", [m for m in {HEAVY!r} if m in sys.modules])
"""
    result = run_python(code, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout, result.stdout


def test_both_languages_have_the_same_keys():
    from studio.i18n import EN, ZH, pick_language, strings

    assert set(EN) == set(ZH)
    for key, text in EN.items():
        assert text.count("{") == ZH[key].count("{"), key  # same format fields
    assert strings("zh") is ZH and strings("en") is EN
    assert pick_language(None) in ("en", "zh")


def test_launch_refuses_malformed_auth():
    import pytest

    from studio.app import parse_auth

    assert parse_auth("me:secret") == ("me", "secret")
    assert parse_auth(None) is None
    with pytest.raises(SystemExit):
        parse_auth("no-colon")


def test_every_spec_field_has_help_in_both_languages():
    import dataclasses

    from backend.spec import SECTIONS, field_help
    from studio.i18n import EN, ZH

    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            key = f"help.{section}.{f.name}"
            assert EN[key] == field_help(f"{section}.{f.name}")
            assert ZH[key] and ZH[key] != EN[key], f"{key} has no Chinese help"
