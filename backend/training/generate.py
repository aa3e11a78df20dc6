"""Replies from a chat model, the way every part of the studio asks for them: the chat template with
the generation prompt, then generate.

    enc = chat_inputs(tokenizer, messages, model.device)       # input_ids + attention_mask
    text = greedy_reply(model, tokenizer, messages, 64)          # the reply alone, greedy (repeatable)

Used by the sample replies during training, `studio eval` and the chat process (which streams).
"""

from __future__ import annotations


def chat_inputs(tokenizer, messages: list[dict], device, tools: list[dict] | None = None):
    return tokenizer.apply_chat_template(messages, tools=tools, add_generation_prompt=True, return_tensors="pt",
                                         return_dict=True).to(device)


def pad_id(tokenizer) -> int | None:
    return tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id


def greedy_reply(model, tokenizer, messages: list[dict], max_new_tokens: int, tools: list[dict] | None = None) -> str:
    import torch

    enc = chat_inputs(tokenizer, messages, model.device, tools)
    with torch.no_grad():
        out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=pad_id(tokenizer))
    return tokenizer.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True).strip()
