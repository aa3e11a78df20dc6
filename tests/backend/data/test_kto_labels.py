"""A `label` column: taken as kto labels when every value is one the kto rows accept, else said why not."""

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
