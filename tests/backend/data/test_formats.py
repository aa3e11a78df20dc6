"""Every supported format, detected with its reason and converted to the internal forms;
column mapping; mixed and broken rows told by row and field."""

import json

import pytest

from backend.data.detect import detect
from backend.data.formats import Options, convert, convert_rows
from backend.data.read import DataError
from backend.data.turns import RowProblem


def user(text):
    return {"role": "user", "content": text}


def bot(text, **extra):
    return {"role": "assistant", "content": text, **extra}


def test_sharegpt_with_custom_tags_and_system_turn():
    rows = [{"dialog": [{"speaker": "narrator", "text": "Be brief."}, {"speaker": "customer", "text": "hi"},
                        {"speaker": "agent", "text": "hello"}]}]
    tags = {"role_tag": "speaker", "content_tag": "text", "user_tag": "customer", "assistant_tag": "agent",
            "system_tag": "narrator"}
    out = convert(rows, "sharegpt", columns={"messages": "dialog"}, tags=tags)
    assert out.examples[0]["messages"] == [{"role": "system", "content": "Be brief."}, user("hi"), bot("hello")]
    assert out.kind == "sft" and "chosen by you" in out.reason


def test_openai_messages_with_tool_calls_and_tool_results():
    call = {"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}}
    rows = [{"messages": [user("1+2?"), {"role": "assistant", "content": None, "tool_calls": [call]},
                          {"role": "tool", "content": "3"}, bot("It is 3.")],
             "tools": [{"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}]}]
    out = convert(rows)
    assert out.format == "messages" and "tools" in out.traits
    ex = out.examples[0]
    assert ex["tools"] == [{"name": "add", "parameters": {"type": "object"}}]
    assert ex["messages"][1]["tool_calls"] == [{"type": "function", "function": {"name": "add",
                                                                                   "arguments": {"a": 1, "b": 2}}}]
    assert ex["messages"][2] == {"role": "tool", "content": "3"}


def test_sharegpt_function_call_and_observation_turns():
    rows = [{"conversations": [
        {"from": "human", "value": "weather?"},
        {"from": "function_call", "value": '{"name": "weather", "arguments": {"city": "Oslo"}}'},
        {"from": "observation", "value": '{"t": 3}'},
        {"from": "gpt", "value": "3 degrees"}], "tools": '[{"name": "weather", "parameters": {}}]'}]
    out = convert(rows)
    msgs = out.examples[0]["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "assistant"]
    assert msgs[1]["tool_calls"][0]["function"] == {"name": "weather", "arguments": {"city": "Oslo"}}
    assert out.examples[0]["tools"] == [{"name": "weather", "parameters": {}}]


@pytest.mark.parametrize("mode, expected", [
    ("keep", "<think>\nadd them\n</think>\n\n4"),
    ("drop", "4"),
])
def test_reasoning_field_and_think_tags_kept_or_dropped(mode, expected):
    rows = [{"instruction": "2+2", "output": "4", "reasoning": "add them"},
            {"instruction": "3+3", "output": "<think>add</think>\n6"}]
    out = convert(rows, reasoning=mode)
    assert "reasoning" in out.traits
    assert out.examples[0]["messages"][-1]["content"] == expected
    assert out.examples[1]["messages"][-1]["content"] == ("<think>add</think>\n6" if mode == "keep" else "6")


def test_preference_in_alpaca_sharegpt_and_implicit_prompt_forms():
    alpaca = [{"instruction": "Greet", "input": "", "chosen": "Hello!", "rejected": "Go away."}]
    sharegpt = [{"conversations": [{"from": "human", "value": "Greet"}],
                 "chosen": {"from": "gpt", "value": "Hello!"}, "rejected": {"from": "gpt", "value": "Go away."}}]
    implicit = [{"chosen": [user("Greet"), bot("Hello!")], "rejected": [user("Greet"), bot("Go away.")]}]
    for rows in (alpaca, sharegpt, implicit):
        out = convert(rows)
        assert out.format == "preference" and out.kind == "preference", out.reason
        assert out.examples == [{"prompt": [user("Greet")], "chosen": [bot("Hello!")], "rejected": [bot("Go away.")],
                                 "tools": None}]


def test_preference_rows_that_cannot_be_pairs_are_reported():
    rows = [{"instruction": "q", "chosen": "same", "rejected": "same"},
            {"instruction": "q", "chosen": "", "rejected": "b"}]
    out = convert(rows)
    assert [(r, f) for r, f, _ in out.skipped] == [(1, "rejected"), (2, "chosen")]
    assert "same reply" in out.skipped[0][2] and "'chosen' is empty" in out.skipped[1][2]


def test_kto_from_messages_and_from_prompt_completion_columns():
    a = [{"messages": [user("hi"), bot("hey")], "label": True}, {"messages": [user("hi"), bot("go")], "label": False}]
    b = [{"prompt": "hi", "completion": "hey", "label": "true"}, {"prompt": "hi", "completion": "go", "label": "maybe"}]
    out = convert(a)
    assert out.format == "kto"
    assert out.examples[0] == {"prompt": [user("hi")], "completion": [bot("hey")], "label": True, "tools": None}
    assert out.examples[1]["label"] is False
    out = convert(b, "kto", columns={"kto_tag": "label"})
    assert out.examples[0]["label"] is True
    assert out.skipped == [(2, "label", "'label' is 'maybe'; set it to true (a reply to learn from) or false (one to avoid)")]


def test_text_and_prompt_only_formats():
    out = convert([{"text": "a document"}, {"text": "  "}])
    assert out.format == "text" and out.examples == [{"text": "a document"}]
    assert out.skipped == [(2, "text", "'text' is empty")]
    out = convert([{"problem": "2+2?", "solution": "4"}, {"problem": "3+3?"}])
    assert out.format == "prompt" and "reference" in out.reason
    assert out.examples == [{"prompt": [user("2+2?")], "reference": "4"}, {"prompt": [user("3+3?")], "reference": None}]


def test_question_answer_columns_are_read_as_alpaca_and_say_so():
    out = convert([{"question": "Why?", "answer": "Because."}])
    assert out.format == "alpaca" and "`question`" in out.reason and "`answer`" in out.reason
    assert out.examples[0]["messages"] == [user("Why?"), bot("Because.")]


def test_column_mapping_by_the_user():
    rows = [{"q": "Why?", "a": "Because.", "sys": "Be kind."}]
    with pytest.raises(DataError, match="cannot tell the format"):
        convert(rows)
    out = convert(rows, "alpaca", columns={"prompt": "q", "response": "a", "system": "sys"})
    assert out.examples[0]["messages"] == [{"role": "system", "content": "Be kind."}, user("Why?"), bot("Because.")]
    with pytest.raises(DataError, match=r"needs a column for response; .*\['a', 'q', 'sys'\]"):
        convert(rows, "alpaca", columns={"prompt": "q"})


def test_mixed_formats_in_one_file_name_the_missing_column():
    rows = [{"instruction": "q", "output": "a"}] * 3 + [{"messages": [user("hi"), bot("yo")]}]
    out = convert(rows)  # the majority decides, and the reason says other rows differ
    assert out.format == "alpaca" and "1 of the first 4 rows have other columns" in out.reason
    assert len(out.examples) == 3
    (row, field, message), = out.skipped
    assert row == 4 and field == "instruction"
    assert "'instruction' is missing" in message and "['messages']" in message and "read as alpaca" in message


@pytest.mark.parametrize("turns, problem", [
    ([user("hi")], "ends with a user turn"),
    ([bot("first")], "turn 1 is 'assistant' where user was expected"),
    ([user("a"), {"role": "robot", "content": "b"}], "speaker 'robot'"),
    ([user("a"), bot("b"), {"role": "system", "content": "late"}, bot("c")], "system prompt; it may only come first"),
    ([user("a"), bot("  ")], "turn 2 (assistant) is empty"),
    ([user("a"), {"role": "assistant", "content": ["x"]}], "expected text"),
    ([user("a"), {"role": "assistant", "content": [{"type": "image_url", "image_url": "x"}]}], "'image_url' part"),
    ([user("a"), {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "f"}}]},
      {"role": "tool", "content": "42"}], "ends with a tool turn"),
])
def test_conversation_problems_are_explained(turns, problem):
    out = convert([{"messages": turns}, {"messages": [user("ok"), bot("fine")]}])
    assert len(out.examples) == 1
    assert out.skipped[0][0] == 1 and out.skipped[0][1] == "messages"
    assert problem in out.skipped[0][2], out.skipped[0][2]


def test_a_conversation_ending_with_a_tool_call_trains_the_call(demo_models_dir):
    # xlam-style rows (a request, then the call) and LLaMA-Factory sharegpt rows ending with function_call were
    # all skipped as "ends with a tool call (nothing to learn)"; the call is the reply to learn.
    from backend.data.lite_tokenizer import LiteTokenizer
    from backend.data.preview import render_example

    call = {"name": "get_weather", "arguments": {"city": "Paris"}}
    tools = [{"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    openai = {"messages": [user("Weather in Paris?"), bot("", tool_calls=[{"type": "function", "function": call}])],
              "tools": tools}
    sharegpt = {"conversations": [{"from": "human", "value": "Weather in Paris?"},
                                  {"from": "function_call", "value": json.dumps(call)}], "tools": json.dumps(tools)}
    tok = LiteTokenizer.from_dir(demo_models_dir / "demo")
    for row in (openai, sharegpt):
        out = convert([row])
        assert not out.skipped and len(out.examples) == 1, out.skipped
        (panel,) = render_example(tok, out.examples[0], "sft", 1024)
        trained = "".join(s.text for s in panel.segments if s.trained)
        assert '"name": "get_weather"' in trained and "Weather in Paris?" not in trained


def test_convert_rows_streams_and_never_raises_on_bad_rows():
    opts = Options("alpaca", {"prompt": "instruction", "response": "output"})
    rows = [(1, {"instruction": "q", "output": "a"}), (2, "not a dict"), (3, {"instruction": 5, "output": {"x": 1}})]
    results = list(convert_rows(iter(rows), opts))
    assert isinstance(results[0][1], dict)
    assert isinstance(results[1][1], RowProblem) and isinstance(results[2][1], RowProblem)
    assert results[2][1].field == "output" and "dict" in results[2][1].message


def test_detection_reports_traits():
    rows = [{"system": "s", "instruction": "q", "output": "a", "history": [["h", "i"]]}]
    d = detect(rows)
    assert d.format == "alpaca" and d.traits == ["system", "multi-turn"]
    assert d.columns == {"prompt": "instruction", "response": "output", "system": "system", "history": "history"}


def test_numbers_are_text_but_booleans_and_lists_are_not():
    out = convert([{"instruction": 12, "output": 3.5}, {"instruction": "q", "output": True}])
    assert out.examples[0]["messages"] == [user("12"), bot("3.5")]
    assert out.skipped == [(2, "output", "'output' is true/false, expected text")]


def test_json_text_cells_from_csv_are_turns():
    rows = [{"messages": json.dumps([user("hi"), bot("yo")])}]
    assert convert(rows, "messages").examples[0]["messages"] == [user("hi"), bot("yo")]


def test_reasons_and_row_problems_carry_their_message_id_and_show_in_chinese():
    """A reason built from pieces and a turn's problem keep their ids: the page renders them in its
    language from the id (studio.i18n.render), never from the English."""
    from studio.i18n import render

    rows = [{"instruction": "a", "output": "b"}] * 5 + [{"chosen": "x", "rejected": "y"}] * 2
    out = convert(rows, "alpaca", columns={"system": "s"})
    assert out.reason == ("chosen by you (detection agrees: rows have `instruction` and `output` fields (2 of the "
                          "first 7 rows have other columns, e.g. ['chosen', 'rejected'])); columns mapped by you: system=s")
    assert out.reason.id == "rows.reason_mapped" and out.reason.params["reason"].id == "rows.chosen_agrees"
    assert render(out.reason, "zh") == ("由你选择（与自动识别一致：每行有 `instruction` 和 `output` 字段（前 7 行中有 2 行的列"
                                        "与其余不同，例如 ['chosen', 'rejected']））；你映射的列：system=s")
    bad = convert([{"messages": [user("hi"), {"role": "assistant", "content": True}]}])
    (_, _, problem), = bad.skipped
    assert problem == "messages turn 2 is true/false, expected text" and problem.id == "rows.turn_text_is_bool"
    assert render(problem, "zh") == "messages 第 2 轮是 true/false，应为文本"
    with pytest.raises(DataError) as e:
        convert([{"a": 1}])
    assert render(e.value, "zh").startswith("dataset：无法从列 ['a'] 判断格式")
