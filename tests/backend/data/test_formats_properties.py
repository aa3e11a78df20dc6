"""Property-based tests of the converters: any row either converts faithfully or is skipped
with a field and a reason; nothing raises; content is never altered."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.data.detect import FORMATS, detect
from backend.data.formats import Options, convert, convert_rows, fill_placeholders
from backend.data.turns import RowProblem

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
text = st.text(min_size=0, max_size=30)
nonblank = text.filter(lambda s: s.strip() != "")
scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text)
json_value = st.recursive(scalar, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                         st.dictionaries(text, kids, max_size=4)), max_leaves=12)
COLUMN_NAMES = ["instruction", "input", "output", "messages", "conversations", "chosen", "rejected", "label",
                "text", "prompt", "completion", "system", "history", "tools", "from", "role", "content"]
any_row = st.dictionaries(st.sampled_from(COLUMN_NAMES) | text, json_value, max_size=6)


@SETTINGS
@given(instruction=nonblank, inp=text, output=nonblank)
def test_alpaca_keeps_text_exactly(instruction, inp, output):
    out = convert([{"instruction": instruction, "input": inp, "output": output}], "alpaca")
    assert not out.skipped
    msgs = out.examples[0]["messages"]
    assert msgs[-1] == {"role": "assistant", "content": output}
    assert msgs[-2]["role"] == "user" and msgs[-2]["content"].startswith(instruction)
    if inp.strip():
        assert msgs[-2]["content"] == f"{instruction}\n{inp}"


@SETTINGS
@given(fmt=st.sampled_from(FORMATS), rows=st.lists(any_row, min_size=1, max_size=5))
def test_any_row_converts_or_is_skipped_with_a_field_and_a_reason(fmt, rows):
    columns = {"prompt": "instruction", "query": "input", "response": "output", "messages": "messages",
               "chosen": "chosen", "rejected": "rejected", "kto_tag": "label", "text": "text", "system": "system",
               "history": "history", "tools": "tools"}
    opts = Options(fmt, columns)
    results = list(convert_rows(enumerate(rows, start=1), opts))
    assert [n for n, _ in results] == list(range(1, len(rows) + 1))
    for _, r in results:
        if isinstance(r, RowProblem):
            assert r.field and r.message and isinstance(r.message, str)
        else:
            json.dumps(r)  # examples are plain JSON data


@st.composite
def conversations(draw):
    """A valid conversation: optional system, user/assistant pairs, sometimes a tool round."""
    msgs = []
    if draw(st.booleans()):
        msgs.append({"role": "system", "content": draw(text)})
    for _ in range(draw(st.integers(1, 3))):
        msgs.append({"role": "user", "content": draw(nonblank)})
        if draw(st.booleans()):
            msgs.append({"role": "assistant", "content": "", "tool_calls": [
                {"type": "function", "function": {"name": draw(nonblank), "arguments": {"x": draw(st.integers())}}}]})
            msgs.append({"role": "tool", "content": draw(text)})
        msgs.append({"role": "assistant", "content": draw(nonblank)})
    return msgs


@SETTINGS
@given(conv=conversations(), sharegpt=st.booleans())
def test_valid_conversations_round_trip_in_both_turn_styles(conv, sharegpt):
    if sharegpt:
        names = {"user": "human", "assistant": "gpt", "tool": "observation", "system": "system"}
        turns = []
        for m in conv:
            if m.get("tool_calls"):
                fn = m["tool_calls"][0]["function"]
                turns.append({"from": "function_call", "value": json.dumps(fn)})
            else:
                turns.append({"from": names[m["role"]], "value": m["content"]})
        row = {"conversations": turns}
    else:
        row = {"messages": conv}
    out = convert([row])
    assert not out.skipped, out.skipped
    assert out.format == ("sharegpt" if sharegpt else "messages")
    assert out.examples[0]["messages"] == conv


@SETTINGS
@given(roles=st.lists(st.sampled_from(["user", "assistant", "system"]), min_size=1, max_size=6))
def test_turn_order_is_accepted_exactly_when_it_alternates(roles):
    row = {"messages": [{"role": r, "content": f"{r} {i}"} for i, r in enumerate(roles)]}
    body = roles[1:] if roles[0] == "system" else roles
    valid = bool(body) and all(r == ("user" if i % 2 == 0 else "assistant") for i, r in enumerate(body)) \
        and body[-1] == "assistant"
    out = convert([row], "messages")
    assert bool(out.examples) == valid
    if not valid:
        assert out.skipped[0][0] == 1 and out.skipped[0][2]


@SETTINGS
@given(rows=st.lists(any_row, min_size=1, max_size=8))
def test_detection_never_raises_and_explains_itself(rows):
    d = detect(rows)
    assert d.reason
    assert d.format in FORMATS or (d.format == "" and not d.confident)


@SETTINGS
@given(s=text.filter(lambda s: "{{" not in s), values=st.dictionaries(st.from_regex(r"\w+", fullmatch=True), text))
def test_placeholders_leave_other_text_alone(s, values):
    assert fill_placeholders(s, values) == s
    for k, v in values.items():
        assert fill_placeholders("{{" + k + "}}", values) == v
