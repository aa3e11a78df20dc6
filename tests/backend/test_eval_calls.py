"""Exact match on tool calls: the model's wrapping of a call against the call as the data writes it."""

import json

from backend.eval_calls import calls_and_text, same_answer
from backend.evaluation import reference_of, scores


def test_a_call_in_the_templates_wrapping_matches_the_data_s_call():
    ref = reference_of({"role": "assistant", "content": "", "tool_calls": [
        {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}}]})
    assert json.loads(ref) == {"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}
    wrapped = '<tool_call>\n{"name": "get_weather", "arguments": {"unit": "c", "city": "Paris"}}\n</tool_call>'
    assert same_answer(wrapped, ref)  # other key order, other spaces, the tags
    assert same_answer('{"name": "get_weather", "parameters": "{\\"city\\": \\"Paris\\", \\"unit\\": \\"c\\"}"}', ref)
    assert not same_answer(wrapped.replace("Paris", "Lyon"), ref)  # other arguments
    assert not same_answer(wrapped.replace("get_weather", "get_time"), ref)  # another function
    assert not same_answer("It is sunny in Paris.", ref)
    assert not same_answer(wrapped + wrapped, ref)  # one call too many
    assert scores([(wrapped, ref), ("no", ref)])["exact_match"] == 0.5


def test_text_around_the_calls_counts_and_plain_replies_are_compared_as_text():
    ref = 'Let me check.\n{"name": "f", "arguments": {}}'
    assert same_answer('Let me   check. <tool_call>{"name": "f", "arguments": {}}</tool_call>', ref)
    assert not same_answer('<tool_call>{"name": "f", "arguments": {}}</tool_call>', ref)
    assert same_answer(" Paris ", "Paris") and not same_answer("Paris.", "Paris")
    assert calls_and_text('a {"x": 1} b {broken') == ([], 'a {"x": 1} b {broken')
