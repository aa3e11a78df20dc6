"""Real backend errors carry message ids, so a Chinese page shows them in Chinese.

    .venv/bin/pytest tests/studio/i18n/test_backend_messages_zh.py

tests/backend/test_messages.py checks the catalogs (every id has Chinese with the same placeholders);
this file makes real errors (bad rows, unreadable files, spec mistakes, memory advice, job errors) and
renders what they carry with studio.i18n.render: the result holds Chinese, keeps the values a person
needs (rows, paths, fields) and no English sentence. A message raised as plain text would fail here.
"""

from __future__ import annotations

import errno
import json
import re
from pathlib import Path

import pytest

from backend.data.detect import FORMAT_HELP
from backend.data.inspect import inspect
from backend.data.read import DataError
from backend.data.registry import Source
from backend.data.stage_data import check_stage
from backend.demo import DEMO_CONFIG, VOCAB_SIZE
from backend.messages import Message, msg
from backend.plan import hardware as hw
from backend.plan.estimate import recommend
from backend.spec import JobSpec, MethodSpec, SpecError, TrainingSpec, stage_method_problems
from backend.training.errors import explain
from backend.training.model import check_model_source
from studio.i18n.render import render

GB = 1024**3
QWEN_7B = dict(model_type="qwen2", hidden_size=3584, intermediate_size=18944, num_hidden_layers=28,
               num_attention_heads=28, num_key_value_heads=4, vocab_size=152064, tie_word_embeddings=False)
_NOT_PROSE = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|\[[^\]]*\]|\S*[./_\\=][^\s，。；：（）]*|\d\S*")


def assert_chinese(value, keep: tuple[str, ...] = ()) -> str:
    """`value` (a Message or an exception carrying one) renders in Chinese, keeps `keep` and no English sentence."""
    carried = value
    if isinstance(value, BaseException):
        carried = getattr(value, "message", None) or (value.args or [None])[0]
    assert isinstance(carried, Message), f"no message id: {value!r}"
    zh = render(value, "zh")
    assert re.search(r"[\u4e00-\u9fff]", zh), f"no Chinese for {str(value)!r}"
    for k in keep:
        assert k in zh, f"{k!r} lost: {str(value)!r} -> {zh!r}"
    rest = _NOT_PROSE.sub(" ", zh)
    run = re.search(r"[A-Za-z]+(?: [A-Za-z]+){3,}", rest)  # a list of names has commas: not a sentence
    assert run is None, f"English left ({run.group(0)!r}): {str(value)!r} -> {zh!r}"
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
    assert_chinese(info.value, keep)


def test_a_missing_file(tmp_path):
    from backend.data.read import open_source

    with pytest.raises(DataError) as info:
        open_source(tmp_path / "nope.jsonl")
    assert_chinese(info.value, keep=(str(tmp_path / "nope.jsonl"),))


def test_spec_errors(tmp_path):
    raw = {"training": {"batch_size": 0, "learning_rate": "fast", "leraning_rate": 1, "early_stopping_patience": 3},
           "method": {"name": "lora", "adalora_init_r": 2, "adalora_target_r": 8},
           "data": {"mix": [1, 2], "eval_split": 0.9}, "stage": "ppo", "export": {"formats": ["zip"]}}
    with pytest.raises(SpecError) as info:
        JobSpec.from_dict(raw)
    for issue in info.value.issues:
        assert_chinese(issue.message)
    zh = assert_chinese(info.value, keep=("`training.batch_size`", "`training.leraning_rate`", "`learning_rate`",
                                               "'fast'", "`data.mix`", "adalora_target_r"))
    assert zh.count("\n") == str(info.value).count("\n")
    assert_chinese(explain(info.value).hint)
    with pytest.raises(SpecError) as info:
        JobSpec.from_yaml("training: [1, 2")
    assert render(info.value.issues[0].message, "zh").startswith("文本不是有效的 YAML：")  # then PyYAML's words
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
    DataError(msg("data.empty_array", label="data.json")),
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
        assert render(error.message, "zh").startswith("无法下载模型或数据：We couldn't connect")


def test_stage_and_model_problems(tmp_path):
    with pytest.raises(DataError) as info:
        check_stage("dpo", "sft")
    assert_chinese(info.value, keep=("dpo", "sft"))
    (tmp_path / "model").mkdir()
    assert_chinese(check_model_source(str(tmp_path / "model")), keep=("`model.name_or_path`", str(tmp_path)))
    assert_chinese(check_model_source(str(tmp_path / "none") + "/"), keep=(str(tmp_path / "none"),))

