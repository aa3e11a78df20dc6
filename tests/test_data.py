"""Reading and converting datasets: formats, row-level problems, placeholders, real files."""

import json

import pytest

from backend.data.formats import convert, detect_format, fill_placeholders, placeholders_in
from backend.data.load import load_conversations, resolve_path, train_eval_split
from backend.data.readers import DataError, read_rows
from backend.spec import DataSpec
from tests.conftest import SHARED_DATASETS


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_alpaca_rows_become_conversations_with_system_and_history(tmp_path):
    rows = [{"instruction": "Add", "input": "2+2", "output": "4", "system": "Be exact.",
             "history": [["hi", "hello"]]}]
    out = convert(rows)
    assert out.format == "alpaca" and "instruction" in out.reason
    assert out.conversations == [[
        {"role": "system", "content": "Be exact."},
        {"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "Add\n2+2"}, {"role": "assistant", "content": "4"},
    ]]


def test_every_bad_row_is_reported_with_its_number_and_reason():
    rows = [
        {"instruction": "ok", "output": "fine"},
        {"instruction": "q", "output": ""},
        {"instruction": "", "input": "", "output": "x"},
        {"instruction": "q", "output": ["not", "text"]},
        {"instruction": "q", "output": "a", "history": "nope"},
    ]
    out = convert(rows)
    assert len(out.conversations) == 1 and out.rows_read == 5
    assert out.skipped == [
        (2, "'output' is empty"),
        (3, "'instruction' and 'input' are both empty"),
        (4, "'output' is a list, expected text"),
        (5, "'history' must be a list of [question, answer] pairs"),
    ]


def test_messages_rows_are_checked_turn_by_turn():
    rows = [
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]},
        {"messages": [{"role": "user", "content": "hi"}]},
        {"messages": [{"role": "assistant", "content": "first"}]},
        {"messages": [{"role": "user", "content": "a"}, {"role": "robot", "content": "b"}]},
        {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"},
                      {"role": "assistant", "content": "a"}]},
    ]
    out = convert(rows)
    assert detect_format(rows)[0] == "messages"
    assert len(out.conversations) == 2
    reasons = dict(out.skipped)
    assert reasons[2] == "conversation ends with a user turn (nothing to learn)"
    assert "turn 1 is 'assistant'" in reasons[3]
    assert "role 'robot'" in reasons[4]


def test_placeholders_are_found_and_filled():
    rows = [{"instruction": "who?", "output": "I am {{name}} by {{ author }}."}]
    assert placeholders_in(rows) == ["name", "author"]
    out = convert(rows, placeholders={"name": "Nova", "author": "Acme"})
    assert out.conversations[0][-1]["content"] == "I am Nova by Acme."
    assert fill_placeholders("{{name}} {{other}}", {"name": "N"}) == "N {{other}}"


def test_file_formats_json_jsonl_csv_and_column_json(tmp_path):
    rows = [{"instruction": "q", "input": "", "output": "a"}]
    assert read_rows(write(tmp_path, "a.json", json.dumps(rows))) == rows
    assert read_rows(write(tmp_path, "a.jsonl", json.dumps(rows[0]) + "\n\n")) == rows
    assert read_rows(write(tmp_path, "a.csv", "instruction,input,output\nq,,a\n")) == rows
    assert read_rows(write(tmp_path, "c.json", json.dumps({"instruction": ["q"], "input": [""], "output": ["a"]}))) == rows


@pytest.mark.parametrize(
    "name, text, words",
    [
        ("bad.json", '[{"instruction": "q",}]', "bad.json: invalid JSON at line 1"),
        ("bad.jsonl", '{"a": 1}\n{"a": \n', "bad.jsonl: line 2 is not valid JSON"),
        ("empty.json", "  ", "the file is empty"),
        ("x.txt", "hello", "unsupported file type .txt"),
        ("nums.json", "[1, 2]", "row 1 is a int"),
        ("ragged.csv", "a,b\n1,2,3\n", "row 1 has more values"),
        ("cols.json", '[{"question": "q", "answer": "a"}]', "cannot tell the format"),
    ],
)
def test_unreadable_files_name_the_file_and_the_place(tmp_path, name, text, words):
    path = write(tmp_path, name, text)
    with pytest.raises(DataError, match=None) as info:
        load_conversations(path, DataSpec(train=str(path)))
    assert words in str(info.value)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_rows(tmp_path / "nope.json")


def test_demo_dataset_is_bilingual_and_fills_the_identity():
    out = load_conversations(resolve_path("demo"), DataSpec(placeholders={"name": "Nova", "author": "Acme"}))
    assert len(out.conversations) == 91 and not out.skipped
    replies = " ".join(c[-1]["content"] for c in out.conversations)
    assert "{{" not in replies and "Nova" in replies and "我是 Nova" in replies


def test_eval_split_holds_out_a_share(tmp_path):
    train, held = train_eval_split(DataSpec(eval_split=0.1), None, seed=1)
    assert len(held) == 9 and len(train.conversations) == 82
    one = write(tmp_path, "one.json", json.dumps([{"instruction": "q", "output": "a"}]))
    with pytest.raises(DataError, match="`data.eval_split` 0.5 leaves no training rows"):
        train_eval_split(DataSpec(train=str(one), eval_split=0.5), None, seed=1)


needs_shared = pytest.mark.skipif(not SHARED_DATASETS.is_dir(), reason="../shared/datasets is not beside this clone")


@needs_shared
@pytest.mark.parametrize("name, expected_rows", [("identity.json", 91), ("alpaca_en_demo.json", 999),
                                                  ("alpaca_zh_demo.json", 1000)])
def test_llamafactory_alpaca_files_load(name, expected_rows):
    out = load_conversations(SHARED_DATASETS / name, DataSpec(placeholders={"name": "Nova", "author": "Acme"}))
    assert out.format == "alpaca"
    assert len(out.conversations) + len(out.skipped) == expected_rows
    assert len(out.conversations) >= expected_rows * 0.95
