"""A conversation longer than the model's context is refused with its length and what to do (it gave an empty
reply and no reason); one that nearly fills it gets a reply cut to the room left."""

from __future__ import annotations

import pytest

from backend.chat.server import Refused, context_limit, generate_stream, load, room_to_reply
from backend.messages import message_of
from studio.i18n import render


def test_too_long_is_refused_and_near_the_limit_the_reply_fits(demo_models_dir):
    tokenizer, model = load(str(demo_models_dir / "demo"), None)
    limit = context_limit(model)
    assert limit == 2048
    with pytest.raises(Refused) as info:
        list(generate_stream(tokenizer, model, {"messages": [{"role": "user", "content": "hello " * 3000}],
                                                "max_new_tokens": 16}))
    said = message_of(info.value.args[0])
    assert said.id == "chat.too_long" and said.params["limit"] == 2048 and said.params["tokens"] > 2048
    assert "clear the conversation" in str(said) and "清空对话" in render(said, "zh")

    from backend.training.generate import chat_inputs

    near = [{"role": "user", "content": "hello " * 1000}]
    inputs = chat_inputs(tokenizer, near, model.device)
    used = inputs["input_ids"].shape[-1]
    assert used < limit < used + 128
    assert room_to_reply(model, inputs, 128) == limit - used
    list(generate_stream(tokenizer, model, {"messages": near, "max_new_tokens": 128}))  # no error
