"""The Ollama Modelfile beside a GGUF: its TEMPLATE (Go-template syntax) renders a conversation exactly as the
job's chat template does, for ChatML (the demo, Qwen) and Llama-3 templates; stop tokens and a default system
prompt are carried; another template gets no TEMPLATE (Ollama then uses the one embedded in the GGUF)."""

from __future__ import annotations

import re

import pytest

from backend.export.modelfile import go_render, modelfile_text
from backend.resources import chat_template

CONVERSATION = [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "Who made you?"},
                {"role": "assistant", "content": "Studio Labs.\nThey did."}, {"role": "user", "content": "谢谢！"}]


@pytest.fixture
def tokenizer(demo_models_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(demo_models_dir / "demo")


def template_of(text: str) -> str:
    return re.search(r'TEMPLATE """(.*?)"""', text, re.S).group(1)


def test_chatml_template_renders_as_the_jobs(tokenizer):
    text = modelfile_text("demo-q4_k_m.gguf", tokenizer, generation_eos=2)
    assert "FROM ./demo-q4_k_m.gguf" in text and 'PARAMETER stop "<|im_end|>"' in text and "SYSTEM" not in text
    want = tokenizer.apply_chat_template(CONVERSATION, tokenize=False, add_generation_prompt=True)
    assert go_render(template_of(text), CONVERSATION) == want
    assert go_render(template_of(text), CONVERSATION[1:2]) == "<|im_start|>user\nWho made you?<|im_end|>\n" \
                                                               "<|im_start|>assistant\n"


def test_llama3_template_and_a_default_system_prompt(tokenizer):
    tokenizer.chat_template = chat_template("llama3")
    tokenizer.bos_token = "<|endoftext|>"
    text = modelfile_text("m.gguf", tokenizer)
    want = tokenizer.apply_chat_template(CONVERSATION, tokenize=False, add_generation_prompt=True)
    assert want.startswith("<|endoftext|>")  # llama.cpp adds the BOS token itself; the TEMPLATE leaves it out
    assert go_render(template_of(text), CONVERSATION) == want.removeprefix("<|endoftext|>")

    tokenizer.chat_template = ("{% if messages[0]['role'] != 'system' %}<|im_start|>system\nYou are Nova.<|im_end|>\n"
                               "{% endif %}" + chat_template("chatml"))
    assert 'SYSTEM """You are Nova."""' in modelfile_text("m.gguf", tokenizer)


def test_other_templates_rely_on_the_gguf_embedded_one(tokenizer):
    tokenizer.chat_template = chat_template("mistral")
    text = modelfile_text("m.gguf", tokenizer, generation_eos=[2, 0])
    assert "TEMPLATE" not in text.replace("No TEMPLATE", "") and "embedded in the GGUF" in text
    assert 'PARAMETER stop "<|im_end|>"' in text and 'PARAMETER stop "<|endoftext|>"' in text
