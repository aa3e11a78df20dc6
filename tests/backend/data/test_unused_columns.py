"""Columns detection leaves unused, said: a `label` that is not a kto label, half a preference pair."""

from backend.data.detect import detect
from backend.data.formats import Options, convert_rows

TURNS = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]


def rows(labels):
    return [{"messages": TURNS, "label": label} for label in labels]


def test_every_label_the_kto_rows_accept_is_detected_as_kto():
    # "yes"/"no" and "1"/"0" train with data.format kto; auto-detection read them as plain conversations
    for labels in (["yes", "no"], ["1", "0"], [True, False], [1, 0]):
        d = detect(rows(labels * 3))
        assert d.format == "kto" and d.columns["kto_tag"] == "label", (labels, d.reason)
        converted = convert_rows(enumerate(rows(labels * 3), 1), Options(format="kto", columns=d.columns))
        assert [example["label"] for _, example in converted] == [True, False] * 3


def test_a_label_column_that_is_not_one_is_named_in_the_reason():
    d = detect(rows(["yes", "maybe", "no"]))
    assert d.format == "messages"
    assert "the `label` column is not taken as a kto label, as it holds 'maybe'" in d.reason
    assert "kto label" not in detect([{"messages": TURNS}]).reason


def test_half_a_preference_pair_is_named_and_a_file_with_no_usable_rows_says_what_it_was_read_as(tmp_path):
    import json

    import pytest

    from backend.data.load import load_data
    from backend.data.read import DataError
    from backend.spec import DataSpec

    pairs = [{"conversations": [{"from": "human", "value": "Hi"}], "chosen": {"from": "gpt", "value": "Hello!"}}] * 3
    assert "the `chosen` column has no `rejected` column beside it" in detect(pairs).reason
    data = tmp_path / "pairs.json"
    data.write_text(json.dumps(pairs))
    with pytest.raises(DataError) as refused:  # was only "row 1: the conversation ends with a user turn"
        load_data(DataSpec(train=str(data)), None)
    assert "pairs.json: no usable rows out of 3" in str(refused.value)
    assert "The rows were read as sharegpt" in str(refused.value) and "`rejected=<column>`" in str(refused.value)


def test_a_kto_file_with_a_few_unlabelled_rows_is_kto_and_names_each_row(tmp_path):
    # Was read as a plain conversation set ("the `label` column is not taken as a kto label, as it holds None"):
    # a kto job then trained the wrong thing or was refused with a message about the data's kind.
    import json

    from backend.data.inspect import inspect
    from backend.data.registry import Source

    data = rows([True, False] * 10)
    data[2]["label"], data[11]["label"] = None, "maybe"
    del data[6]["label"]
    d = detect(data)
    assert d.format == "kto" and d.columns["kto_tag"] == "label", d.reason
    assert "3 of the first 20 rows have no true/false `label` (rows 3, 7, 12)" in d.reason
    path = tmp_path / "kto.json"
    path.write_text(json.dumps(data))
    report = inspect(Source(label="kto.json", path=path))
    assert (report.kind, report.rows, report.valid_rows) == ("kto", 20, 17)
    assert [str(line) for line in report.error_lines()] == [
        "row 3: 'label' is null; set it to true (a reply to learn from) or false (one to avoid)",
        "row 7: 'label' is missing; add `\"label\": true` (a reply to learn from) or false (one to avoid)",
        "row 12: 'label' is 'maybe'; set it to true (a reply to learn from) or false (one to avoid)"]
    # Mostly without a label, it is no kto file, and the reason says why the column is unused.
    sparse = rows([True] * 3 + [None] * 7)
    d = detect(sparse)
    assert d.format == "messages" and "as 7 of the first 10 rows have no value in it" in d.reason
