"""backend.data.tokenized.tokenize_sft with the demo tokenizer: the on-disk cache and what
misses it, several processes giving the same rows, label masks (tool calls included), and rows
dropped when the reply lies past max_length."""

import logging

import pytest

from backend.data.read import DataError
from backend.data.tokenize import IGNORE
from backend.data.tokenized import tokenize_sft
from tests.conftest import SHARED_DATASETS

needs_shared = pytest.mark.skipif(not (SHARED_DATASETS / "dataset_info.json").is_file(),
                                  reason="../shared/datasets is not beside this clone")

TOOLS = [{"name": "get_weather", "description": "Weather for a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]


def load_tokenizer(demo_models_dir):
    from transformers import AutoTokenizer

    from backend.demo import demo_dir

    return AutoTokenizer.from_pretrained(demo_dir(demo_models_dir))


@pytest.fixture(scope="module")
def tok(demo_models_dir):
    return load_tokenizer(demo_models_dir)


def user(text):
    return {"role": "user", "content": text}


def bot(text, **extra):
    return {"role": "assistant", "content": text, **extra}


def sft(*messages, tools=None):
    return {"messages": list(messages), "tools": tools}


def tool_example(city="Paris", sky="sunny"):
    call = {"type": "function", "function": {"name": "get_weather", "arguments": {"city": city}}}
    return sft(user(f"Weather in {city}?"), bot("", tool_calls=[call]),
               {"role": "tool", "content": f'{{"sky": "{sky}"}}'}, bot(f"It is {sky} in {city}."), tools=TOOLS)


def examples(n):
    """Varied rows: one turn, system + two turns, tool calls, long prompts (truncated or dropped)."""
    out = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            out.append(sft(user(f"who are you {i}?"), bot(f"I am Nova {i}.")))
        elif kind == 1:
            out.append(sft({"role": "system", "content": "Be brief."}, user(f"hi {i}"), bot("hello"),
                           user("你是谁？"), bot(f"我是 Nova {i}。")))
        elif kind == 2:
            out.append(tool_example(f"City{i}", "rainy" if i % 2 else "sunny"))
        elif kind == 3:
            out.append(sft(user("tell me " * (1 + i % 40)), bot(f"answer {i} " * (1 + i % 90))))  # some cut
        else:
            out.append(sft(user("a very long question " * 50), bot("too late")))  # dropped at max_length 512
    return out


def rows_of(result):
    return result.dataset.to_dict()


def split(tok, ids, labels):
    """(trained text, masked text) of one row."""
    trained = tok.decode([i for i, lab in zip(ids, labels) if lab != IGNORE])
    masked = tok.decode([i for i, lab in zip(ids, labels) if lab == IGNORE])
    return trained, masked


def test_second_call_loads_the_same_rows_from_the_cache(tok, demo_models_dir, tmp_path):
    data = examples(40)
    first = tokenize_sft(data, tok, 64, tmp_path / "cache")
    assert not first.cached and len(first.dataset) + first.dropped == 40
    second = tokenize_sft(data, tok, 64, tmp_path / "cache")
    assert second.cached and second.dropped == first.dropped
    assert rows_of(second) == rows_of(first)
    # The key is what decides the ids, not the object: a freshly loaded tokenizer hits too.
    third = tokenize_sft(data, load_tokenizer(demo_models_dir), 64, tmp_path / "cache")
    assert third.cached and rows_of(third) == rows_of(first)


def test_max_length_template_or_data_changes_miss_the_cache(demo_models_dir, tmp_path):
    from backend.resources import chat_template

    tok = load_tokenizer(demo_models_dir)  # its template is changed below
    data, cache = examples(20), tmp_path / "cache"
    base = tokenize_sft(data, tok, 64, cache)
    assert not tokenize_sft(data, tok, 48, cache).cached
    assert tokenize_sft(data, tok, 48, cache).cached
    edited = [*data[:-1], sft(user("a different last row"), bot("ok"))]
    assert not tokenize_sft(edited, tok, 64, cache).cached
    tok.chat_template = chat_template("plain")
    plain = tokenize_sft(data, tok, 64, cache)
    assert not plain.cached
    assert rows_of(plain)["input_ids"] != rows_of(base)["input_ids"]
    assert tokenize_sft(data, tok, 64, cache).cached
    assert len(list(cache.iterdir())) == 4  # 64, 48, edited data, plain template


def test_two_processes_give_exactly_the_rows_of_one(tok, caplog):
    data = examples(300)
    with caplog.at_level(logging.INFO, logger="studio.worker"):
        one = tokenize_sft(data, tok, 512, None, num_proc=1)
        two = tokenize_sft(data, tok, 512, None, num_proc=2)
    assert "tokenized 300 rows with 2 process(es)" in caplog.text
    assert two.dropped == one.dropped == 60  # every 5th row: a long prompt, the reply past 512 tokens
    assert max(map(len, rows_of(one)["input_ids"])) == 512  # some replies are cut, and kept
    assert rows_of(two) == rows_of(one)


def test_labels_are_ignored_everywhere_but_assistant_tokens(tok):
    data = examples(5)[:2]
    result = tokenize_sft(data, tok, 256, None)
    rows = rows_of(result)
    for ids, labels in zip(rows["input_ids"], rows["labels"]):
        assert len(ids) == len(labels) and all(lab in (IGNORE, i) for i, lab in zip(ids, labels))
    trained, masked = split(tok, rows["input_ids"][0], rows["labels"][0])
    assert trained == "I am Nova 0.<|im_end|>\n"
    assert masked == "<|im_start|>user\nwho are you 0?<|im_end|>\n<|im_start|>assistant\n"
    trained, masked = split(tok, rows["input_ids"][1], rows["labels"][1])
    assert trained == "hello<|im_end|>\n我是 Nova 1。<|im_end|>\n"
    assert "Be brief." in masked and "hi 1" in masked and "你是谁？" in masked and "Nova" not in masked


def glaive_examples():
    from backend.data.load import read_source
    from backend.data.registry import entry_source
    from backend.spec import DataSpec

    out = read_source(entry_source(SHARED_DATASETS, "glaive_toolcall_en_demo"), DataSpec())
    with_calls = [e for e in out.examples if e["tools"] and any(m.get("tool_calls") for m in e["messages"])
                  and any(m["role"] == "tool" for m in e["messages"])]
    assert len(with_calls) >= 10
    return with_calls[:12]


@pytest.mark.parametrize("source", ["handmade", pytest.param("glaive", marks=needs_shared)])
def test_tool_calls_are_trained_and_tool_results_are_not(tok, source):
    data = [tool_example(), tool_example("Oslo", "rainy")] if source == "handmade" else glaive_examples()
    result = tokenize_sft(data, tok, 8192, None)
    assert result.dropped == 0 and len(result.dataset) == len(data)
    rows = rows_of(result)
    for example, ids, labels in zip(data, rows["input_ids"], rows["labels"]):
        trained, masked = split(tok, ids, labels)
        calls = [c["function"]["name"] for m in example["messages"] for c in m.get("tool_calls") or []]
        assert trained.count("<tool_call>") == len(calls) and all(f'"name": "{n}"' in trained for n in calls)
        assert "<tool_response>" not in trained and masked.count("<tool_response>") == sum(
            m["role"] == "tool" for m in example["messages"])
        for m in example["messages"]:
            if m["role"] == "tool" and len(m["content"]) > 20:
                assert m["content"] not in trained
        assert "# Tools" in masked and "<tools>" not in trained  # the tool schemas are prompt, not reply
        assert trained.endswith("<|im_end|>\n") and example["messages"][-1]["content"].strip() in trained
    if source == "handmade":
        trained, _ = split(tok, rows["input_ids"][0], rows["labels"][0])
        assert trained == ('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
                           "<|im_end|>\nIt is sunny in Paris.<|im_end|>\n")


def test_rows_whose_reply_lies_past_max_length_are_dropped_and_counted(tok):
    short = [sft(user(f"q{i}"), bot(f"a{i}")) for i in range(5)]
    cut = [sft(user("why?"), bot("because " * 40))]  # the reply starts inside, ends outside: kept
    late = [sft(user("a very long question " * 20), bot(f"late {i}")) for i in range(3)]
    result = tokenize_sft(short + cut + late, tok, 32, None)
    assert result.dropped == 3 and len(result.dataset) == 6
    rows = rows_of(result)
    assert all(len(ids) <= 32 for ids in rows["input_ids"])
    assert all(any(lab != IGNORE for lab in labels) for labels in rows["labels"])
    trained, _ = split(tok, rows["input_ids"][5], rows["labels"][5])
    assert trained.startswith("because") and "<|im_end|>" not in trained  # truncated, still learned from


def test_a_set_with_every_reply_past_max_length_is_an_error_not_an_empty_set(tok, tmp_path):
    late = [sft(user("a very long question " * 20), bot(f"late {i}")) for i in range(3)]
    with pytest.raises(DataError, match=r"all 3 rows were dropped: .* max_length=32 .*`training.max_length`"):
        tokenize_sft(late, tok, 32, tmp_path / "cache")
    assert not any((tmp_path / "cache").glob("*/done"))  # nothing cached: the next run says it again


def test_batched_tokenizing_gives_each_rows_own_ids_and_labels(tok):
    """tokenize_sft renders and encodes a batch of rows at once; every row must equal what
    tokenize_conversation makes of it alone (ids, labels, length), truncation included."""
    from backend.data.tokenize import tokenize_conversation

    rows = examples(40)
    result = rows_of(tokenize_sft(rows, tok, 512, None))
    alone = [tokenize_conversation(tok, e["messages"], 512, tools=e["tools"]) for e in rows]
    alone = [t for t in alone if any(x != IGNORE for x in t.labels)]
    assert result["input_ids"] == [t.input_ids for t in alone]
    assert result["labels"] == [t.labels for t in alone]
    assert result["length"] == [len(t.input_ids) for t in alone]


def test_trained_flags_match_the_plain_definition():
    import random

    from backend.data.tokenize import trained_flags

    rng = random.Random(0)
    for _ in range(200):
        offsets, pos = [], 0
        for _ in range(rng.randint(0, 60)):
            width = rng.choice([0, 1, 2, 3])
            offsets.append((pos, pos + width))
            pos += width if rng.random() < 0.9 else 0
        spans = sorted((a, a + rng.randint(1, 20)) for a in rng.sample(range(0, pos + 5), k=min(3, pos + 5)))
        plain = [end > start and any(s <= start < e for s, e in spans) for start, end in offsets]
        assert trained_flags(offsets, spans) == plain
