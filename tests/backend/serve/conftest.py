"""The studio's own chat on the demo job (backend/chat/server.py, in this process): what the server must match."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def studio_chat(demo_job):
    """reply(messages, max_new_tokens, adapter=True): the Chat tab's greedy reply for the demo job."""
    from backend.chat.client import job_chat_target
    from backend.chat.server import generate_stream, load

    job_dir = demo_job[1]
    base, adapter = job_chat_target(job_dir)
    tokenizer, model = load(base, adapter, spec_file=str(job_dir / "spec.yaml"))

    def reply(messages, max_new_tokens, adapter=True):
        request = {"messages": messages, "max_new_tokens": max_new_tokens, "temperature": 0, "adapter": adapter}
        return "".join(generate_stream(tokenizer, model, request))
    return reply
