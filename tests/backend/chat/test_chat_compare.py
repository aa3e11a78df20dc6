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


def test_a_checkpoint_or_the_base_model_can_be_chosen(demo_job, tmp_path):
    import shutil

    import pytest

    from backend.chat.client import ChatError, chat_weights

    _, job_dir = demo_job
    job = tmp_path / "job"
    shutil.copytree(job_dir / "adapter", job / "adapter")
    (job / "spec.yaml").write_text((job_dir / "spec.yaml").read_text())
    for step in (20, 5):  # what the trainer leaves: adapter files in checkpoints/checkpoint-N
        shutil.copytree(job_dir / "adapter", job / "checkpoints" / f"checkpoint-{step}")
    (job / "checkpoints" / "checkpoint-7").mkdir()  # half-written: no adapter in it
    assert chat_weights(job) == ["final", "checkpoint-5", "checkpoint-20", "base"]
    base, adapter = job_chat_target(job)
    assert adapter == str(job / "adapter")
    assert job_chat_target(job, "checkpoint-20") == (base, str(job / "checkpoints" / "checkpoint-20"))
    assert job_chat_target(job, "base") == (base, None)
    with pytest.raises(ChatError, match="checkpoint-7"):
        job_chat_target(job, "checkpoint-7")


def test_the_chat_processs_error_keeps_its_id_across_the_process(tmp_path):
    """The chat process sends an error's id and values beside the English; the client raises ChatError with
    the rebuilt Message, which the page shows in its language."""
    import pytest

    from backend.chat.client import ChatError
    from backend.messages import message_of
    from studio.i18n import render

    with pytest.raises(ChatError) as info:
        ChatClient(str(tmp_path / "no-model-here"))
    said = message_of(info.value)
    assert said.id == "chat.load_failed" and str(said).startswith("could not load the model: ")
    assert render(info.value, "zh").startswith("无法加载模型：")
