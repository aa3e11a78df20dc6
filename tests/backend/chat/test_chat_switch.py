"""Picking another job mid-reply closes the chat process under the streaming reply: the reply ends with ChatClosed
(which the Chat tab drops quietly), not "ValueError: I/O operation on closed file" reported as an unexpected failure."""

from __future__ import annotations

import threading

import pytest

from backend.chat.client import ChatClient, ChatClosed, ChatError


def test_closing_mid_reply_ends_it_quietly_and_a_later_ask_says_closed(demo_models_dir):
    client = ChatClient(str(demo_models_dir / "demo"))  # the random base babbles to max_new_tokens: a long reply
    pieces = client.stream([{"role": "user", "content": "hello"}], max_new_tokens=400)
    assert next(pieces)
    closer = threading.Thread(target=client.close)  # the page's job.change handler runs in another thread
    closer.start()
    with pytest.raises(ChatClosed):
        for _ in pieces:
            pass
    closer.join(timeout=30)
    assert not client.alive
    with pytest.raises(ChatClosed):  # the side-by-side base reply asked after the close
        client.reply([{"role": "user", "content": "hello"}], adapter=False)
    assert issubclass(ChatClosed, ChatError)  # callers that catch ChatError still catch it
