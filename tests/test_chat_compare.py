"""Side by side in chat: one chat process answers with the adapter and, switched off, as the base
model; the base reply is exactly what the plain base model (no adapter loaded) says, greedily,
through the chat server's own loading and generation code."""

from __future__ import annotations

from backend.chat.client import ChatClient, job_chat_target


def test_adapter_off_answers_as_the_plain_base_model(demo_job):
    _, job_dir = demo_job
    base, adapter = job_chat_target(job_dir)
    messages = [{"role": "system", "content": "You are concise."}, {"role": "user", "content": "who are you?"}]
    tuned_client = ChatClient(base, adapter)
    try:
        assert tuned_client.has_adapter and tuned_client.mem_mb > 0
        tuned = tuned_client.reply(messages, max_new_tokens=16)
        as_base = tuned_client.reply(messages, max_new_tokens=16, adapter=False)
        assert tuned_client.reply(messages, max_new_tokens=16) == tuned  # the adapter is back on after
    finally:
        tuned_client.close()
    from backend.chat.server import generate_stream, load

    tokenizer, model = load(base, None)
    plain = "".join(generate_stream(tokenizer, model, {"messages": messages, "max_new_tokens": 16}))
    assert as_base == plain
    assert tuned != as_base
