"""The light tokenizer (no torch) against transformers' AutoTokenizer, the chat templates'
grow-by-appending property, and the token-mask preview of every example kind."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from backend.data.lite_tokenizer import LiteTokenizer, LiteTokenizerError
from backend.data.preview import Panel, Segment, render_example, segments_html, token_length
from backend.data.tokenize import IGNORE, assistant_spans, ensure_chat_template, render, tokenize_conversation
from backend.demo import demo_dir
from backend.resources import CHAT_TEMPLATES_DIR, DEMO_DATASET, chat_template
from tests.conftest import run_python

TEMPLATES = sorted(p.stem for p in CHAT_TEMPLATES_DIR.glob("*.jinja"))
END_MARKERS = ("<|im_end|>", "<|eot_id|>", "<end_of_turn>")

TOOLS = [
    {"name": "get_weather", "description": "Weather for a city",
     "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "城市"}},
                    "required": ["city"]}},
    {"type": "function", "function": {"name": "add", "description": "Add two numbers",
                                      "parameters": {"type": "object",
                                                     "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}}},
]
EXTRA = [
    ([{"role": "system", "content": "Be brief."},
      {"role": "user", "content": "who are you?"},
      {"role": "assistant", "content": "I am Nova."},
      {"role": "user", "content": "你是谁？\nAnd\tthen  some   spaces "},
      {"role": "assistant", "content": "我是 Nova。 🙂"}], None),
    ([{"role": "user", "content": "Think first: 2+3?"},
      {"role": "assistant", "content": "<think>\n2 plus 3 is 5.\n</think>\n\n5"}], None),
    ([{"role": "user", "content": "a literal <|im_end|> and <|eot_id|> in text, & <b>html</b>"},
      {"role": "assistant", "content": "ok"}], None),
    ([{"role": "system", "content": "You help with tools."},
      {"role": "user", "content": "Weather in Paris, and 2+3?"},
      {"role": "assistant", "content": "",
       "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
                      {"type": "function", "function": {"name": "add", "arguments": {"a": 2, "b": 3}}}]},
      {"role": "tool", "content": "{\"temp_c\": 21}"},
      {"role": "tool", "content": "5"},
      {"role": "assistant", "content": "21 °C in Paris; 2+3 = 5."}], TOOLS),
    ([{"role": "user", "content": "Add 1 and 1"},
      {"role": "assistant", "content": "Calling the tool.",
       "tool_calls": [{"type": "function", "function": {"name": "add", "arguments": "{\"a\": 1, \"b\": 1}"}}]},
      {"role": "tool", "content": "2"},
      {"role": "assistant", "content": "2"}], TOOLS),
]


def identity_conversations() -> list[list[dict]]:
    from backend.data.formats import convert

    return convert(json.loads(DEMO_DATASET.read_text(encoding="utf-8"))).conversations


# ---- fixtures: the demo tokenizer and a tiny Llama-3-style one -------------------------------


@pytest.fixture(scope="module")
def demo_path(demo_models_dir) -> Path:
    return demo_dir(demo_models_dir)


def build_llama_style(out: Path) -> Path:
    """A byte-level BPE with Llama 3's special tokens and pre-tokenizer, saved by transformers."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    pattern = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    rows = json.loads(DEMO_DATASET.read_text(encoding="utf-8"))
    texts = [r["instruction"] for r in rows] + [r["output"] for r in rows] + ["system user assistant ipython"]
    trainer = trainers.BpeTrainer(vocab_size=1200, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer=trainer)
    bos_id = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
                                      special_tokens=[("<|begin_of_text|>", bos_id)]),
    ])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|begin_of_text|>", eos_token="<|eot_id|>")
    fast.chat_template = chat_template("llama3")
    out.mkdir(parents=True, exist_ok=True)
    fast.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def llama_path(tmp_path_factory) -> Path:
    return build_llama_style(tmp_path_factory.mktemp("tok") / "llama_style")


def auto(path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path))


def assert_same(lite, ref, messages, tools=None):
    kw = {"tools": tools} if tools else {}
    for gen in (False, True):
        expected = ref.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen, **kw)
        assert lite.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen, **kw) == expected
    text = render(ref, messages, tools=tools)
    a = ref(text, add_special_tokens=False, return_offsets_mapping=True)
    b = lite(text, add_special_tokens=False, return_offsets_mapping=True)
    assert list(b["input_ids"]) == list(a["input_ids"])
    assert [tuple(o) for o in b["offset_mapping"]] == [tuple(o) for o in a["offset_mapping"]]
    assert tokenize_conversation(lite, messages, 4096, tools=tools) == tokenize_conversation(ref, messages, 4096, tools=tools)
    short = tokenize_conversation(lite, messages, 12, tools=tools)
    assert short == tokenize_conversation(ref, messages, 12, tools=tools)
    assert lite.decode(a["input_ids"]) == ref.decode(a["input_ids"])


# ---- equality with AutoTokenizer -----------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_demo_tokenizer_matches_autotokenizer(demo_path, template):
    ref, lite = auto(demo_path), LiteTokenizer.from_dir(demo_path)
    ref.chat_template = lite.chat_template = chat_template(template)
    conversations = [(c, None) for c in identity_conversations()] + EXTRA
    assert len(conversations) > 90
    for messages, tools in conversations:
        assert_same(lite, ref, messages, tools)


def test_demo_tokenizer_basics_match(demo_path):
    ref, lite = auto(demo_path), LiteTokenizer.from_dir(demo_path)
    assert lite.chat_template == ref.chat_template  # the model's own (chat_template.jinja)
    assert (lite.eos_token, lite.pad_token, lite.bos_token) == (ref.eos_token, ref.pad_token, ref.bos_token)
    assert (lite.eos_token_id, lite.pad_token_id) == (ref.eos_token_id, ref.pad_token_id)
    assert len(lite) == len(ref)
    text = "Who are you? 你是谁？ <|im_start|>user\nhi<|im_end|>"
    ids = lite(text)["input_ids"]
    assert ids == ref(text, add_special_tokens=False)["input_ids"]
    assert lite.convert_ids_to_tokens(ids) == ref.convert_ids_to_tokens(ids)
    assert lite.convert_ids_to_tokens(ids[0]) == ref.convert_ids_to_tokens(ids[0])
    assert lite.decode(ids, skip_special_tokens=True) == ref.decode(ids, skip_special_tokens=True)
    assert lite.apply_chat_template(EXTRA[0][0], tokenize=True, return_dict=False) == \
        ref.apply_chat_template(EXTRA[0][0], tokenize=True, return_dict=False)


@pytest.mark.parametrize("template", TEMPLATES)
def test_llama_style_tokenizer_matches_autotokenizer(llama_path, template):
    ref, lite = auto(llama_path), LiteTokenizer.from_dir(llama_path)
    assert lite.bos_token == ref.bos_token == "<|begin_of_text|>"
    assert lite.eos_token == ref.eos_token == "<|eot_id|>"
    assert lite.chat_template == ref.chat_template == chat_template("llama3")
    ref.chat_template = lite.chat_template = chat_template(template)
    for messages, tools in [(c, None) for c in identity_conversations()[:30]] + EXTRA:
        assert_same(lite, ref, messages, tools)
    text = "Hello! I am Nova <|eot_id|>\n\n  x"
    assert lite(text, add_special_tokens=True)["input_ids"] == ref(text, add_special_tokens=True)["input_ids"]
    assert lite(text, add_special_tokens=True)["input_ids"][0] == lite.bos_token_id


def test_legacy_config_forms_match_autotokenizer(llama_path, tmp_path):
    """Template list in tokenizer_config.json (tools pick "tool_use"), special tokens as AddedToken
    dicts in special_tokens_map.json, no chat_template.jinja."""
    folder = tmp_path / "legacy"
    shutil.copytree(llama_path, folder)
    (folder / "chat_template.jinja").unlink()
    config = json.loads((folder / "tokenizer_config.json").read_text())
    config.pop("added_tokens_decoder", None)
    config.pop("eos_token", None)
    config["chat_template"] = [{"name": "default", "template": chat_template("llama3")},
                               {"name": "tool_use", "template": chat_template("chatml")}]
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    (folder / "special_tokens_map.json").write_text(json.dumps({
        "bos_token": {"content": "<|begin_of_text|>", "lstrip": False, "normalized": False, "rstrip": False,
                      "single_word": False},
        "eos_token": {"content": "<|eot_id|>", "lstrip": False, "normalized": False, "rstrip": False,
                      "single_word": False}}))
    ref, lite = auto(folder), LiteTokenizer.from_dir(folder)
    assert lite.eos_token == ref.eos_token == "<|eot_id|>"
    assert lite.bos_token == ref.bos_token
    assert isinstance(lite.chat_template, dict) and set(lite.chat_template) == {"default", "tool_use"}
    for messages, tools in EXTRA:
        assert_same(lite, ref, messages, tools)
    with_tools = lite.apply_chat_template(EXTRA[3][0], tools=TOOLS)
    assert with_tools.startswith("<|im_start|>system")  # the tool_use template


def test_no_template_falls_back_to_chatml_on_both(llama_path, tmp_path):
    folder = tmp_path / "bare"
    shutil.copytree(llama_path, folder)
    (folder / "chat_template.jinja").unlink()
    ref, lite = auto(folder), LiteTokenizer.from_dir(folder)
    assert not lite.chat_template and not ref.chat_template
    with pytest.raises(ValueError):
        lite.apply_chat_template(EXTRA[0][0])
    assert ensure_chat_template(lite) == ensure_chat_template(ref) == "chatml (the tokenizer has none)"
    assert ensure_chat_template(lite, "gemma") == ensure_chat_template(ref, "gemma") == "gemma"
    assert_same(lite, ref, EXTRA[0][0])


def test_missing_files_raise_a_clear_error(tmp_path):
    with pytest.raises(LiteTokenizerError, match="tokenizer.json"):
        LiteTokenizer.from_dir(tmp_path)
    (tmp_path / "tokenizer.json").write_text("{not json")
    with pytest.raises(LiteTokenizerError):
        LiteTokenizer.from_dir(tmp_path)


def test_from_hub_downloads_the_small_files_only(monkeypatch, llama_path):
    """No network: hf_hub_download is replaced by a fake hub serving the llama-style folder."""
    import huggingface_hub
    from huggingface_hub.errors import EntryNotFoundError

    asked = []

    def fake_download(repo_id, filename, revision=None, token=None, **_):
        asked.append(filename)
        path = llama_path / filename
        if not path.is_file():
            raise EntryNotFoundError(f"{filename} not in {repo_id}")
        return str(path)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    tok = LiteTokenizer.from_hub("org/tiny")
    assert tok.name_or_path == "org/tiny" and tok.eos_token == "<|eot_id|>"
    assert tok.chat_template == chat_template("llama3")
    assert set(asked) == {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"}


def test_from_hub_offline_raises_a_catchable_error(monkeypatch):
    import huggingface_hub
    from huggingface_hub.errors import LocalEntryNotFoundError

    def offline(repo_id, filename, **_):
        raise LocalEntryNotFoundError("offline mode is enabled and the file is not cached")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", offline)
    with pytest.raises(LiteTokenizerError, match="org/missing"):
        LiteTokenizer.from_hub("org/missing")
    with pytest.raises(LiteTokenizerError):
        LiteTokenizer.from_pretrained("org/missing")


def test_ui_path_does_not_import_torch(demo_path):
    code = f"""
import sys
from backend.data.lite_tokenizer import LiteTokenizer
from backend.data.preview import render_example, segments_html, token_length
tok = LiteTokenizer.from_dir({str(demo_path)!r})
ex = {{"messages": [{{"role": "user", "content": "hi"}}, {{"role": "assistant", "content": "Hello!"}}], "tools": None}}
html = segments_html(render_example(tok, ex, "sft", 64)[0])
assert "Hello!" in html and token_length(tok, ex, "sft") > 3
bad = [m for m in ("torch", "transformers") if m in sys.modules]
assert not bad, bad
print("ok")
"""
    r = run_python(code, timeout=120)
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr


# ---- the templates ---------------------------------------------------------------------------

WORDS = ["hello", "Nova", "你好", "🙂", "a\nb", "  spaced ", "x&y", "<b>", "42", "{\"k\": 1}", "tab\there", "end."]


def random_conversation(rng: random.Random) -> tuple[list[dict], list | None]:
    def text():
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))

    messages = [{"role": "system", "content": text()}] if rng.random() < 0.5 else []
    tools = TOOLS if rng.random() < 0.4 else None
    for _ in range(rng.randint(1, 4)):
        messages.append({"role": "user", "content": text()})
        if rng.random() < 0.3:
            call = {"type": "function", "function": {"name": "add", "arguments": {"a": rng.randint(0, 9), "b": 1}}}
            messages.append({"role": "assistant", "content": rng.choice(["", text()]), "tool_calls": [call]})
            messages.append({"role": "tool", "content": text()})
        messages.append({"role": "assistant", "content": text()})
    return messages, tools


@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_grow_by_appending(demo_path, llama_path, template):
    rng = random.Random(template)
    for tok in (LiteTokenizer.from_dir(demo_path), LiteTokenizer.from_dir(llama_path)):
        tok.chat_template = chat_template(template)
        for _ in range(40):
            messages, tools = random_conversation(rng)
            whole = render(tok, messages, tools=tools)
            for i in range(1, len(messages)):
                before = render(tok, messages[:i], tools=tools)
                after = render(tok, messages[: i + 1], tools=tools)
                assert after.startswith(before), (template, i)
                assert whole.startswith(after), (template, i)
                if messages[i]["role"] == "assistant":
                    prompt = render(tok, messages[:i], add_generation_prompt=True, tools=tools)
                    assert after.startswith(prompt), (template, i)
                    reply = after[len(prompt):]
                    assert messages[i]["content"] in reply
                    # The reply ends with the end-of-turn / eos token, so the model learns to stop.
                    assert reply.rstrip("\n").endswith((tok.eos_token, *END_MARKERS)), (template, reply)
            # Every assistant turn (and nothing else) is found by the turn-by-turn rendering.
            _, spans = assistant_spans(tok, messages, tools=tools)
            assert len(spans) == sum(m["role"] == "assistant" for m in messages)


@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_render_tools_both_ways(demo_path, template):
    tok = LiteTokenizer.from_dir(demo_path)
    tok.chat_template = chat_template(template)
    messages = EXTRA[3][0]
    wrapped = [t if "function" in t else {"type": "function", "function": t} for t in TOOLS]
    bare = [t.get("function", t) for t in TOOLS]
    text = render(tok, messages, tools=wrapped)
    assert text == render(tok, messages, tools=bare)
    assert "get_weather" in text and "城市" in text  # the tool list, not ASCII-escaped
    assert "\"city\": \"Paris\"" in text and "{\"temp_c\": 21}" in text  # the call and its result


def test_chatml_plain_output_is_unchanged(demo_path):
    """Existing demo models were built with the old chatml: plain chats must render the same."""
    old = ("{%- for message in messages -%}\n{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + "
           "'<|im_end|>' + '\\n' }}\n{%- endfor -%}\n{%- if add_generation_prompt -%}\n{{ '<|im_start|>assistant\\n' }}\n"
           "{%- endif -%}\n")
    tok = LiteTokenizer.from_dir(demo_path)
    rng = random.Random(0)
    for messages in [m for m, tools in EXTRA if tools is None] + [random_conversation(rng)[0] for _ in range(30)]:
        messages = [m for m in messages if m["role"] != "tool" and "tool_calls" not in m]
        for gen in (False, True):
            assert tok.apply_chat_template(messages, chat_template=chat_template("chatml"), add_generation_prompt=gen) == \
                tok.apply_chat_template(messages, chat_template=old, add_generation_prompt=gen)


# ---- the preview -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lite(demo_path):
    return LiteTokenizer.from_dir(demo_path)


def joined(panel: Panel) -> str:
    return "".join(s.text for s in panel.segments)


def test_preview_sft_marks_the_replies(lite):
    messages = EXTRA[0][0]
    [panel] = render_example(lite, {"messages": messages, "tools": None}, "sft", 4096)
    assert joined(panel) == render(lite, messages)
    trained = [s.text for s in panel.segments if s.trained]
    assert trained == [m["content"] + "<|im_end|>\n" for m in messages if m["role"] == "assistant"]
    masked = "".join(s.text for s in panel.segments if not s.trained)
    assert all(m["content"] in masked for m in messages if m["role"] != "assistant")
    t = tokenize_conversation(lite, messages, 4096)
    assert panel.n_tokens == len(t.input_ids) == token_length(lite, {"messages": messages}, "sft")
    assert panel.n_trained == sum(x != IGNORE for x in t.labels)
    assert panel.truncated_tokens == 0 and not any(s.cut for s in panel.segments)
    # consecutive tokens of the same state are merged
    assert all((a.trained, a.cut) != (b.trained, b.cut) for a, b in zip(panel.segments, panel.segments[1:]))


def test_preview_sft_with_tools_and_truncation(lite):
    messages, tools = EXTRA[3]
    [full] = render_example(lite, {"messages": messages, "tools": tools}, "sft", None)
    assert "get_weather" in joined(full) and full.truncated_tokens == 0
    limit = full.n_tokens - 10
    [panel] = render_example(lite, {"messages": messages, "tools": tools}, "sft", limit)
    assert joined(panel) == joined(full)
    assert panel.truncated_tokens == 10 and panel.n_tokens == full.n_tokens
    cut = [s for s in panel.segments if s.cut]
    assert cut and panel.segments[-1].cut and "<|im_end|>" in cut[-1].text
    t = tokenize_conversation(lite, messages, limit, tools=tools)
    assert panel.n_trained == sum(x != IGNORE for x in t.labels) < full.n_trained
    trained = "".join(s.text for s in full.segments if s.trained)
    assert "<tool_call>" in trained and "21 °C in Paris" in trained and "{\"temp_c\": 21}" not in trained


def test_preview_preference_trains_only_the_reply(lite):
    prompt = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello there."},
              {"role": "user", "content": "who are you?"}]
    example = {"prompt": prompt, "chosen": [{"role": "assistant", "content": "I am Nova."}],
               "rejected": [{"role": "assistant", "content": "Nobody you would know, honestly, go away."}], "tools": None}
    chosen, rejected = render_example(lite, example, "preference", 4096)
    assert (chosen.title, rejected.title) == ("chosen", "rejected")
    assert [s.text for s in chosen.segments if s.trained] == ["I am Nova.<|im_end|>\n"]
    assert [s.text for s in rejected.segments if s.trained] == ["Nobody you would know, honestly, go away.<|im_end|>\n"]
    assert "Hello there." in chosen.segments[0].text and not chosen.segments[0].trained  # history stays masked
    assert token_length(lite, example, "preference") == max(chosen.n_tokens, rejected.n_tokens) == rejected.n_tokens


def test_preview_kto_text_and_prompt(lite):
    prompt = [{"role": "user", "content": "who are you?"}]
    good = {"prompt": prompt, "completion": [{"role": "assistant", "content": "I am Nova."}], "label": True}
    [panel] = render_example(lite, good, "kto", 4096)
    assert "(desirable)" in panel.title
    assert [s.text for s in panel.segments if s.trained] == ["I am Nova.<|im_end|>\n"]
    [bad] = render_example(lite, {**good, "label": False}, "kto", 4096)
    assert "undesirable" in bad.title
    assert token_length(lite, good, "kto") == panel.n_tokens

    [text] = render_example(lite, {"text": "Plain text to learn."}, "text", 4096)
    assert text.segments == [Segment("Plain text to learn.<|im_end|>", True, False)]
    assert text.n_trained == text.n_tokens == token_length(lite, {"text": "Plain text to learn."}, "text")
    [cut] = render_example(lite, {"text": "Plain text to learn."}, "text", 2)
    assert [s.cut for s in cut.segments] == [False, True] and cut.n_trained == 2

    [p] = render_example(lite, {"prompt": prompt, "reference": "Nova"}, "prompt", 4096)
    assert "Nova" in p.title and p.n_trained == 0
    assert joined(p) == render(lite, prompt, add_generation_prompt=True)
    assert joined(p).endswith("<|im_start|>assistant\n") and not any(s.trained for s in p.segments)
    [p2] = render_example(lite, {"prompt": prompt, "reference": None}, "prompt", 4096)
    assert "reference" not in p2.title
    with pytest.raises(ValueError):
        render_example(lite, {"text": "x"}, "nope", 10)


def test_preview_matches_with_autotokenizer(demo_path, lite):
    ref = auto(demo_path)
    for messages, tools in EXTRA:
        a = render_example(ref, {"messages": messages, "tools": tools}, "sft", 40)
        b = render_example(lite, {"messages": messages, "tools": tools}, "sft", 40)
        assert [(p.segments, p.n_tokens, p.n_trained, p.truncated_tokens) for p in a] == \
            [(p.segments, p.n_tokens, p.n_trained, p.truncated_tokens) for p in b]


def test_segments_html_escapes_and_styles(lite):
    messages = [{"role": "user", "content": "<script>alert('x')</script> & more"},
                {"role": "assistant", "content": "No <script> here.\n  Indented."}]
    [panel] = render_example(lite, {"messages": messages}, "sft", 14)
    out = segments_html(panel)
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp; more" in out
    assert '<mark class="trained"' in out and 'class="masked"' in out and '<del class="cut"' in out
    assert "white-space: pre-wrap" in out
    assert "\n  Indented." in out  # whitespace kept as is
    assert "&lt;|im_start|&gt;" in out and 'class="special"' in out  # special tokens visible
