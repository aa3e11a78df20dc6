"""Every backend message a user can see has Chinese, and translate() turns real ones into Chinese.

    .venv/bin/pytest tests/test_backend_text.py

Why: the backend speaks English (CLI, logs) and the UI translates at display time, so a new
`raise DataError(f"...")` without a studio/backend_zh.py entry would show English in the Chinese UI.
The first tests read the templates from backend/ itself (studio.message_extract.extract_templates) and
print the entries to paste when one is missing; the rest translate messages the real backend makes.
"""

from __future__ import annotations

import errno
import json
import re
import string
from pathlib import Path

import pytest

from backend.data.detect import FORMAT_HELP
from backend.data.inspect import inspect
from backend.data.read import DataError
from backend.data.registry import Source
from backend.data.stage_data import check_stage
from backend.demo import DEMO_CONFIG, VOCAB_SIZE
from backend.plan import hardware as hw
from backend.plan.estimate import recommend
from backend.spec import JobSpec, MethodSpec, SpecError, TrainingSpec, stage_method_problems
from backend.training.errors import explain
from backend.training.model import check_model_source
from studio.backend_text import holes, is_message, translate
from studio.backend_zh import ZH
from studio.message_extract import IGNORED, extract_templates

ROOT = Path(__file__).resolve().parents[1]
GB = 1024**3
QWEN_7B = dict(model_type="qwen2", hidden_size=3584, intermediate_size=18944, num_hidden_layers=28,
               num_attention_heads=28, num_key_value_heads=4, vocab_size=152064, tie_word_embeddings=False)


@pytest.fixture(scope="module")
def templates() -> dict[str, list[str]]:
    return extract_templates(ROOT)


# -- the catalog against the backend's source ------------------------------------------------------
def test_every_backend_message_has_chinese(templates):
    missing = {t: where for t, where in templates.items() if t not in ZH}
    lines = []
    for t, where in sorted(missing.items(), key=lambda kv: kv[1][0]):
        numbered = "".join(f"{p}{{{i}}}" for i, p in enumerate(holes(t)[:-1])) + holes(t)[-1]
        lines.append(f"    # {', '.join(where)}  (holes in order: {numbered!r})")
        lines.append(f"    {json.dumps(t, ensure_ascii=False)}: \"\",")
    assert not missing, (f"{len(missing)} backend message(s) have no Chinese; add to ZH in studio/backend_zh.py "
                         "(holes numbered {0}, {1}... in the English order):\n" + "\n".join(lines))


def test_no_chinese_for_a_message_the_backend_no_longer_has(templates):
    stale = sorted(t for t in ZH if t not in templates)
    assert not stale, "ZH entries no backend message uses any more (delete or re-key them):\n" + "\n".join(
        f"    {json.dumps(t, ensure_ascii=False)}" for t in stale)


def test_chinese_templates_fill_the_same_holes():
    bad = []
    for english, zh in ZH.items():
        wanted = [str(i) for i in range(len(holes(english)) - 1)]
        try:
            used = [f for _, f, _, _ in string.Formatter().parse(zh) if f is not None]
        except ValueError as e:
            bad.append(f"{english!r}: {e}")
            continue
        if sorted(used) != wanted:
            bad.append(f"{english!r}: holes {used}, want each of {wanted} once")
        if not re.search(r"[\u4e00-\u9fff]", zh):
            bad.append(f"{english!r}: no Chinese in {zh!r}")
        if not is_message(english):
            bad.append(f"{english!r}: only holes, punctuation or one name; it would match anything")
    assert not bad, "\n".join(bad)


def test_every_template_translates_a_message_made_from_it():
    wrong = []
    for english in ZH:
        pieces = holes(english)
        values = [f"v{i}" for i in range(len(pieces) - 1)]
        text = "".join(p + v for p, v in zip(pieces, [*values, ""]))
        zh = translate(text, "zh")
        if not re.search(r"[\u4e00-\u9fff]", zh) or any(v not in zh for v in values):
            wrong.append(f"{text!r} -> {zh!r}")
    assert not wrong, "\n".join(wrong)


def test_ignored_messages_still_exist():
    everything = extract_templates(ROOT, ignored={})
    gone = [pair for pair in IGNORED if pair[1] not in everything
            or not any(w.startswith(pair[0] + ":") for w in everything[pair[1]])]
    assert not gone, f"IGNORED entries no longer in the backend (remove them): {gone}"


def test_extractor_rules_on_a_small_backend(tmp_path):
    (tmp_path / "backend").mkdir()
    (tmp_path / "backend" / "m.py").write_text('''
import logging
log = logging.getLogger(__name__)
NAMES = {"a": "first choice words", "b": "second choice words"}

def _accepted(p, name, accepted):
    p.append(SpecIssue(name, f"must be {accepted}, got {name!r}."))

def check(p, path, k, x):
    log.warning("logged %s, never shown", path)
    print(f"printed {path}")
    if x:
        raise TypeError(f"internal misuse {x}")
    _accepted(p, "a.b", "a whole number of rows")
    extra = f" (see {k})" if k else ""
    raise DataError(f"{path}: cannot be read{extra}; " "fix it." + f" Or pick {NAMES[k]}.")

def fail(e):
    return JobError("kind", f"{e}: {e}", hint="Try again later.")
''')
    found = extract_templates(tmp_path, ignored={})
    assert set(found) == {
        "must be {}, got {}.", "a whole number of rows", " (see {})", "{}: cannot be read{}; fix it. Or pick {}.",
        "first choice words", "second choice words", "Try again later.",
    }
    assert found["a whole number of rows"] == ["backend/m.py:14"]


# -- translate() on messages the real backend makes --------------------------------------------
_NOT_PROSE = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|\[[^\]]*\]|\S*[./_\\=][^\s，。；：（）]*|\d\S*")


def assert_chinese(english: str, keep: tuple[str, ...] = ()) -> str:
    """Its translation holds Chinese, keeps `keep` (rows, paths, fields) and no English sentence."""
    zh = translate(english, "zh")
    assert re.search(r"[\u4e00-\u9fff]", zh), f"no Chinese for {english!r}"
    for k in keep:
        assert k in zh, f"{k!r} lost: {english!r} -> {zh!r}"
    rest = _NOT_PROSE.sub(" ", zh)
    run = re.search(r"[A-Za-z]+(?: [A-Za-z]+){3,}", rest)  # a list of names has commas: not a sentence
    assert run is None, f"English left ({run.group(0)!r}): {english!r} -> {zh!r}"
    return zh


def _write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_row_problems_and_the_format_reason(tmp_path):
    good = json.dumps({"instruction": "hi", "output": "hello"})
    path = _write_jsonl(tmp_path / "mixed.jsonl", [good, good, good,
                                                   '{"instruction": "x" "output": "y"}',
                                                   json.dumps({"messages": [{"role": "user", "content": "q"}]}),
                                                   json.dumps({"instruction": "", "output": "z"}),
                                                   json.dumps({"instruction": "a", "output": True}),
                                                   "[1, 2]"])
    report = inspect(Source(label="mixed.jsonl", path=path), dedupe=True)
    lines = report.error_lines()
    assert len(lines) == 7  # two copies of the first row, then five broken rows
    zh = [assert_chinese(line, keep=(f"第 {e['row']} 行",)) for line, e in zip(lines, report.errors)]
    assert "'instruction'" in zh[3] and "['messages']" in zh[3] and "alpaca" in zh[3]
    for e in report.errors:  # the message alone, as the row view shows it
        assert_chinese(e["message"])
    assert_chinese(report.reason, keep=("`instruction`", "`output`", "['messages']"))
    for what in FORMAT_HELP.values():  # the data step's line on the format
        assert_chinese(what)


@pytest.mark.parametrize("name, content, keep", [
    ("gbk.csv", "instruction,output\n你好,世界\n".encode("gbk"), ("gbk.csv", "GBK", "UTF-8", "第 2 行")),
    ("empty.jsonl", b"", ("empty.jsonl",)),
    ("blank.jsonl", b"\n \n", ("blank.jsonl",)),
    ("semi.csv", b"instruction;output\na;b\n", ("semi.csv", "'instruction;output'", ".csv")),
    ("wide.csv", b"instruction,output\na,b,c\n", ("wide.csv", "第 1 行")),
    ("one.json", b'{"instruction": "a"}', ("one.json",)),
    ("cols.json", b'{"instruction": ["a", "b"], "output": ["c"]}', ("cols.json",)),
    ("table.txt", b"\x00\x01binary", ("table.txt", "NUL")),
])
def test_files_that_cannot_be_read(tmp_path, name, content, keep):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DataError) as info:
        inspect(Source(label=name, path=tmp_path / name))
    assert_chinese(str(info.value), keep)


def test_a_missing_file(tmp_path):
    from backend.data.read import open_source

    with pytest.raises(DataError) as info:
        open_source(tmp_path / "nope.jsonl")
    assert_chinese(str(info.value), keep=(str(tmp_path / "nope.jsonl"),))


def test_spec_errors(tmp_path):
    raw = {"training": {"batch_size": 0, "learning_rate": "fast", "leraning_rate": 1, "early_stopping_patience": 3},
           "method": {"name": "lora", "adalora_init_r": 2, "adalora_target_r": 8},
           "data": {"mix": [1, 2], "eval_split": 0.9}, "stage": "ppo", "export": {"formats": ["zip"]}}
    with pytest.raises(SpecError) as info:
        JobSpec.from_dict(raw)
    for issue in info.value.issues:
        assert_chinese(issue.message)
    zh = assert_chinese(str(info.value), keep=("`training.batch_size`", "`training.leraning_rate`", "`learning_rate`",
                                               "'fast'", "`data.mix`", "adalora_target_r"))
    assert zh.count("\n") == str(info.value).count("\n")
    assert_chinese(explain(info.value).hint)
    with pytest.raises(SpecError) as info:
        JobSpec.from_yaml("training: [1, 2")
    assert translate(info.value.issues[0].message, "zh").startswith("文本不是有效的 YAML：")  # then PyYAML's words
    assert_chinese(stage_method_problems("rm", "prefix")[0].message, keep=("lora", "freeze"))


def _spec(method: str, batch: int = 4, length: int = 1024) -> JobSpec:
    return JobSpec(method=MethodSpec(name=method), training=TrainingSpec(batch_size=batch, max_length=length))


@pytest.mark.parametrize("budget_gb, action", [(200, "keep"), (40, "change"), (12, "change"), (2, "nothing_fits")])
def test_memory_recommendations(budget_gb, action):
    machine = hw.Hardware(gpus=[hw.Gpu("Test GPU", budget_gb * GB, 0)], cpu_cores=8)
    rec = recommend(_spec("full"), QWEN_7B, machine)
    assert rec.action == action
    number = re.search(r"\d+\.\d GB", rec.reason).group(0)
    assert_chinese(rec.reason, keep=(number, "GPU"))


def test_memory_recommendation_without_a_budget():
    rec = recommend(_spec("lora"), {**DEMO_CONFIG, "vocab_size": VOCAB_SIZE}, hw.Hardware())
    assert rec.action == "unknown"
    assert_chinese(rec.reason)


@pytest.mark.parametrize("exc", [
    RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"),
    OSError(errno.ENOSPC, "No space left on device"),
    DataError("data.json: has no rows."),
    OSError("We couldn't connect to 'https://huggingface.co' to load the files"),
    OSError("You are trying to access a gated repo."),
    OSError("org/nothing is not a local folder and is not a valid model identifier"),
    ZeroDivisionError("division by zero"),
])
def test_job_errors_and_their_hints(exc):
    error = explain(exc)
    assert_chinese(error.hint)
    if error.kind in ("out_of_memory", "disk_full", "dataset"):  # the others quote the library's English
        assert_chinese(error.message)
    if error.kind == "no_network":
        assert translate(error.message, "zh").startswith("无法下载模型或数据：We couldn't connect")


def test_stage_and_model_problems(tmp_path):
    with pytest.raises(DataError) as info:
        check_stage("dpo", "sft")
    assert_chinese(str(info.value), keep=("dpo", "sft"))
    (tmp_path / "model").mkdir()
    assert_chinese(check_model_source(str(tmp_path / "model")), keep=("`model.name_or_path`", str(tmp_path)))
    assert_chinese(check_model_source(str(tmp_path / "none") + "/"), keep=(str(tmp_path / "none"),))


# -- translate() itself ------------------------------------------------------------------------
def test_english_and_unknown_text_come_back_unchanged():
    message = "row 4: 'instruction' is missing (this row has ['messages']; the file is read as alpaca)"
    assert translate(message, "en") is message
    assert translate(message, "fr") is message
    for text in ("", "ZeroDivisionError: division by zero", "some words nobody wrote in the backend", "a: b"):
        assert translate(text, "zh") == text


def test_names_in_quotes_stay_and_the_most_specific_template_wins():
    # `conversations` names a column here: kept, though "conversations" alone is translated.
    assert translate("rows have one text column (`conversations`): plain documents", "zh") == \
        "每行只有一个文本列（`conversations`）：纯文本文档"
    assert translate("conversations", "zh") == "对话"
    assert translate("'prompt' is empty", "zh") == "'prompt' 为空"
    assert translate("row 3", "zh") == "第 3 行"
    assert translate("b.jsonl row 3: 'prompt' is empty", "zh") == "b.jsonl 第 3 行：'prompt' 为空"
    # "{} turn {}" names a place; it does not swallow the message that follows it.
    assert translate("conversations turn 2 has speaker 'bot'; accepted: assistant, user", "zh") == \
        "conversations 第 2 轮的说话人为 'bot'；可选：assistant, user"
