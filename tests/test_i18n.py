"""Every user-facing string of the studio exists in English and Chinese.

- the two tables have the same keys and the same format fields, and no Chinese entry is an English
  copy (a text may stay the same only when it has no English words: names, symbols, units);
- the built page has no text that is not in the tables (labels, help, placeholders, choices, static
  texts), and switching it to Chinese relabels every one of them;
- no studio module shows an English sentence written in the code instead of a table key (the CLI
  and log lines are English by design; backend messages are translated by studio.backend_text,
  whose catalog has its own test);
- a session's language follows its own switch, and formatting translates backend messages.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Texts that read the same in both languages (product and method names, units, code).
SAME_IN_BOTH = re.compile(r"^[\W\d_]*(?:(?:LoRA|DoRA|rsLoRA|QLoRA|AdaLoRA|IA³|P-tuning|GPU|CPU|YAML|JSON|DPO|KTO|GRPO|"
                          r"English|Hugging Face Hub|Weights & Biases|SwanLab|your-name/my-model|sft|pt|rm|dpo|orpo|kto|grpo|ppo|full|freeze|Beta|org/dataset|MB|GB|NF4)[\W\d_]*)*$")
# Labels that are the user's own data: the demo set's {{name}} and {{author}} placeholder slots.
DATA_LABELS = {"name", "author"}


def english_words(text: str) -> list[str]:
    """Words of 3+ Latin letters outside `code`, {fields}, <tags>, and paths."""
    text = re.sub(r"`[^`]*`|\{[^}]*\}|<[^>]*>|\S+/\S+|\S+\.\w{2,5}\b", " ", text)
    return re.findall(r"[A-Za-z]{3,}", text)


def test_tables_match_and_chinese_is_not_a_copy():
    from studio.i18n import EN, ZH

    assert set(EN) == set(ZH), set(EN) ^ set(ZH)
    copies = []
    for key, text in EN.items():
        assert sorted(re.findall(r"\{(\w*)", text)) == sorted(re.findall(r"\{(\w*)", ZH[key])), key
        if ZH[key] == text and english_words(text) and not SAME_IN_BOTH.match(text):
            copies.append(f"{key}: {text[:70]!r}")
    assert not copies, "Chinese entries that are English copies:\n" + "\n".join(copies)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from backend.workspace import Workspace
    from studio.app import build_app

    ws = Workspace.at(tmp_path_factory.mktemp("ws"))
    return {lang: build_app(ws, lang) for lang in ("en", "zh")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_text_on_the_page_comes_from_the_tables(built, lang):
    from studio import relabel
    from studio.i18n import LANGUAGES

    missing = [m for m in relabel.untranslated(built[lang], LANGUAGES[lang])
               if m.split(": ", 1)[1].strip("'\"") not in DATA_LABELS]
    assert not missing, "texts on the page that are in no table:\n" + "\n".join(missing)


def test_switching_to_chinese_relabels_the_whole_page(built):
    from studio import relabel
    from studio.i18n import EN

    app = built["en"]
    entries = relabel.plan(app, EN)
    updates = relabel.updates(entries, "zh")
    assert len(entries) > 80  # every step, tab and panel
    left = []
    for entry, update in zip(entries, updates, strict=True):
        for prop, text in update.items():
            if prop == "__type__":
                continue
            texts = [c[0] for c in text if c[0] != c[1]] if prop == "choices" else [text]
            for shown in texts:
                if english_words(shown) and not re.search(r"[\u4e00-\u9fff]", shown) and not SAME_IN_BOTH.match(shown):
                    left.append(f"{type(entry.block).__name__} {prop}: {shown[:60]!r}")
    assert not left, "still English after the switch:\n" + "\n".join(left)
    # What the user enters is never part of a relabel: values change only on static texts.
    for entry, update in zip(entries, updates, strict=True):
        assert "value" not in update or isinstance(entry.block, relabel.VALUE_TYPES), entry.block


# Modules that speak to a terminal (English by design) or hold the tables themselves.
NOT_UI = {"cli.py", "data_cli.py", "jobs_cli.py", "eval_cli.py", "i18n.py", "i18n_zh.py", "help_zh.py", "i18n_advice.py",
          "i18n_monitor.py", "i18n_presets.py", "backend_text.py", "backend_zh.py", "message_extract.py", "fonts.py"}
# Sentences in UI modules that no user reads as such, each with why.
NOT_SHOWN = {
    "--auth must look like user:password": "the command line's exit message (studio --auth)",
    "cannot tell the format": "a test on a backend message, not a text",
    "chatml (the tokenizer has none)": "a value backend.data.tokenize returns, mapped to a table key there",
}
LOG_CALLS = {"debug", "info", "warning", "error", "exception", "critical"}


def hard_coded_sentences(path: Path) -> list[str]:
    """English sentences (3+ words) in string literals and f-strings that are not docstrings, log
    lines, or dictionary keys: text a user would see that no table translates."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {id(c): n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docs or isinstance(parents.get(id(node)), ast.JoinedStr):
                continue
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        else:
            continue
        if not re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", re.sub(r"`[^`]*`|<[^>]*>", " ", text)):
            continue
        call = parents.get(id(node))
        while call is not None and not isinstance(call, ast.Call):
            call = parents.get(id(call))
        if call is not None and isinstance(call.func, ast.Attribute) and call.func.attr in LOG_CALLS:
            continue
        found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


def test_no_english_sentence_is_written_in_the_ui_code():
    """A sentence in the code is fine only when the message catalog translates it (the studio's own
    SpecIssue/*Error messages are read by studio.message_extract like the backend's)."""
    from studio.backend_text import translate

    found = []
    for path in sorted((ROOT / "studio").rglob("*.py")):
        if path.name in NOT_UI or "i18n" in path.relative_to(ROOT).parts:
            continue
        for where, text in hard_coded_sentences(path):
            if text not in NOT_SHOWN and translate(text, "zh") == text:
                found.append(f"{where}: {text[:90]!r}")
    assert not found, "English in the UI code that no table or catalog translates:\n" + "\n".join(found)


def test_each_session_has_its_own_language_and_formats_translate():
    from types import SimpleNamespace

    from gradio.context import LocalContext

    from studio.i18n import SessionStrings

    t = SessionStrings("en")
    t.set_lang("b", "zh")
    try:
        LocalContext.request.set(SimpleNamespace(session_hash="a"))
        assert t["tab.train"] == "Train" and t.lang == "en"
        LocalContext.request.set(SimpleNamespace(session_hash="b"))
        assert t["tab.train"] == "训练" and t.lang == "zh"
        # A backend message passed to a Chinese template comes out in Chinese too.
        from backend.spec import JobSpec, SpecError

        with pytest.raises(SpecError) as e:
            JobSpec.from_dict({"training": {"learning_rate": -1}})
        shown = t["data.error"].format(message=e.value.issues[0].message)
        assert re.search(r"[\u4e00-\u9fff]{4}", shown.removeprefix("⚠")), shown
        assert t["tab.train"].key == "tab.train"
    finally:
        LocalContext.request.set(None)
    assert t["tab.train"] == "Train"  # outside a request: the default
