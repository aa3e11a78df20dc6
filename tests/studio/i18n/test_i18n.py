"""Every user-facing string of the studio exists in English and Chinese.

- the two tables have the same keys and the same format fields, and no Chinese entry is an English
  copy (a text may stay the same only when it has no English words: names, symbols, units);
- the built page has no text that is not in the tables (labels, help, placeholders, choices, static
  texts), and switching it to Chinese relabels every one of them;
- no studio module shows an English sentence written in the code instead of a table key (the CLI
  and log lines are English by design; backend messages carry an id and are rendered from the
  catalogs of studio/i18n/messages/, checked by tests/backend/test_messages.py);
- a session's language follows its own switch, and formatting translates backend messages.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

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


def test_every_spec_field_has_a_chinese_label_and_help():
    """A field added to the spec needs its Chinese in studio/i18n/fields_zh.py, and only there."""
    from studio.i18n.fields_zh import FIELDS_ZH
    from studio.i18n.tables import _FIELDS

    missing = [f'    "{name}": ("<label>", "<help>"),' for name in _FIELDS
               if not all(FIELDS_ZH.get(name, ("", "")))]
    assert not missing, "spec fields without Chinese; add to studio/i18n/fields_zh.py:\n" + "\n".join(missing)
    stale = sorted(set(FIELDS_ZH) - set(_FIELDS))
    assert not stale, f"studio/i18n/fields_zh.py has fields the spec no longer has: {stale}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from backend.workspace import Workspace
    from studio.app import build_app

    ws = Workspace.at(tmp_path_factory.mktemp("ws"))
    return {lang: build_app(ws, lang) for lang in ("en", "zh")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_text_on_the_page_comes_from_the_tables(built, lang):
    from studio.i18n import LANGUAGES, relabel

    missing = [m for m in relabel.untranslated(built[lang], LANGUAGES[lang])
               if m.split(": ", 1)[1].strip("'\"") not in DATA_LABELS]
    assert not missing, "texts on the page that are in no table:\n" + "\n".join(missing)


def test_switching_to_chinese_relabels_the_whole_page(built):
    from studio.i18n import EN, relabel

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
    # What the user enters is never part of a relabel: values change only on static texts, and never on a
    # text a handler writes.
    for entry, update in zip(entries, updates, strict=True):
        assert "value" not in update or (isinstance(entry.block, relabel.VALUE_TYPES)
                                         and not relabel.is_handler_written(entry.block)), entry.block


# Handler outputs whose value is a text from the tables and that the switch relabels all the same: their
# handlers only show, hide or enable them (elem_id: the handler, and what it writes).
WRITTEN_FOR_VISIBILITY = {
    "model-check": "wizard/model.py on_source: visible",
    "model-trust-warning": "wizard/model.py trust.change: visible",
    "start-button": "app.py show_review: interactive",
    "resume-button": "views/monitor.py updates: visible",
    "chat-send": "views/chat_reply.py _streaming: visible (Stop in its place while a reply streams)",
    "chat-stop": "views/chat_reply.py _streaming: visible",
}


def test_every_text_a_handler_writes_is_marked_so(built):
    """A component whose value comes from the tables and that a handler writes is marked with
    relabel.handler_writes (the switch leaves its value to the handler), or listed above. Read from the
    page's config (what the browser gets): the one place a test may look at the wiring."""
    from studio.i18n import EN, relabel

    app = built["en"]
    key_of = {id(block): key for key, block in app.blocks.items()}
    deps = app.get_config_file()["dependencies"]
    targets = {key_of[id(b)] for b in relabel.components(relabel.plan(app, EN))}
    switch = [d for d in deps if targets <= set(d["outputs"])]
    assert len(switch) == 2, "the language switch and its restore on load"
    written = {o for d in deps if d not in switch for o in d["outputs"]}
    back = relabel.reverse(EN)
    unmarked, seen = [], set()
    for block in relabel.walk(app):
        elem = getattr(block, "elem_id", None)
        seen.add(elem)
        if (key_of[id(block)] in written and isinstance(block, relabel.VALUE_TYPES)
                and not relabel.is_handler_written(block) and relabel._find(block.value, back)
                and elem not in WRITTEN_FOR_VISIBILITY):
            unmarked.append(f"{type(block).__name__} #{elem}: {str(block.value)[:60]!r}")
    assert not unmarked, "handler outputs the switch would reset to their first text:\n" + "\n".join(unmarked)
    assert not set(WRITTEN_FOR_VISIBILITY) - seen, "stale WRITTEN_FOR_VISIBILITY entries"


# Modules (and studio/cli/) that speak to a terminal (English by design) or hold tables themselves (studio/i18n/ is skipped
# as a whole).
NOT_UI = {"cli", "fonts.py"}
# Sentences in UI modules that no user reads as such, each with why.
NOT_SHOWN = {
    "--auth must look like user:password": "the command line's exit message (studio --auth)",
    "Studio running on {}": "the terminal's start-up line (studio.app.launch), English as the command line",
    "cannot tell the format": "a test on a backend message's English, not a text",
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
    """A sentence the studio shows is a table string (`t["key"]`, formatted where it is used: the
    studio's own errors too, e.g. `ModelInfoError(t["model.err.no_such_folder"].format(folder=f))`) or a
    backend message with an id (`msg("area.name", ...)`, written in backend/); a sentence written in a UI
    module's code is allowed only when NOT_SHOWN says why no user reads it."""
    found = []
    for path in sorted((ROOT / "studio").rglob("*.py")):
        parts = path.relative_to(ROOT / "studio").parts
        if parts[0] in NOT_UI or "i18n" in parts:
            continue
        for where, text in hard_coded_sentences(path):
            if text not in NOT_SHOWN:
                found.append(f"{where}: {text[:90]!r}")
    assert not found, "English in the UI code that no table holds (make it a table key):\n" + "\n".join(found)


def test_the_studios_own_errors_are_worded_in_the_pages_language(tmp_path):
    """The wizard's form, the Model step and the Data step raise in the language of the table they are
    given (the page's), and the English stays what it was."""
    from backend.data.read import DataError
    from backend.spec import JobSpec, SpecError
    from studio.i18n import ZH, render, strings
    from studio.wizard.form import DATA_SOURCE, MODEL_SOURCE, form_from_spec, spec_from_form
    from studio.wizard.model_info import ModelInfoError, describe_local
    from studio.wizard.uploads import save_upload

    values = {**form_from_spec(JobSpec()), MODEL_SOURCE: "ftp", DATA_SOURCE: "path", "ui.data_path": ""}
    for lang, expected in (("en", ["unknown model source 'ftp'.", "give the path of a file or folder on this machine."]),
                           ("zh", ["未知的模型来源 'ftp'。", "请填写本机上文件或文件夹的路径。"])):
        with pytest.raises(SpecError) as e:
            spec_from_form(values, t=strings(lang))
        shown = [render(i.message, lang) for i in e.value.issues]
        assert all(text in shown for text in expected), shown
    with pytest.raises(SpecError, match="unknown model source 'ftp'"):
        spec_from_form(values)  # no table: English
    with pytest.raises(ModelInfoError) as e:
        describe_local(tmp_path / "missing", ZH)
    assert render(e.value, "zh") == f"{tmp_path / 'missing'}：文件夹不存在。"
    (tmp_path / "a.docx").write_text("x")
    with pytest.raises(DataError, match=r"^a\.docx：不支持的文件类型 \.docx；"):
        save_upload(None, str(tmp_path / "a.docx"), ZH)


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
