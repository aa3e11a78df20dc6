"""Picking another job mid-reply closes the chat process under the streaming reply: the reply ends with ChatClosed
(which the Chat tab drops quietly), not "ValueError: I/O operation on closed file" reported as an unexpected failure.
Before that, the same process: a reply stopped mid-way (Stop) ends at once and leaves the process free and clean."""

from __future__ import annotations

import threading
import time

import pytest

from backend.chat.client import ChatClient, ChatClosed, ChatError

HELLO = [{"role": "user", "content": "hello"}]


def stopped_promptly_and_next_reply_clean(client: ChatClient) -> None:
    """Stop mid-reply (the Chat tab's Stop): the reply ends at once with what it had, the process stops generating
    (the next reply comes in well under the ~50 s that 1000 tokens take) and reads none of the old reply's tail;
    a reply the page stopped reading (its generator closed) is stopped the same way."""
    short = client.reply(HELLO, max_new_tokens=8)
    stop = threading.Event()
    pieces, started = [], time.monotonic()
    for piece in client.stream(HELLO, max_new_tokens=1000, stop=stop):
        pieces.append(piece)
        if len(pieces) == 3:
            stop.set()
            threading.Thread(target=client.stop, args=(stop,)).start()  # the Stop button's handler: another thread
    assert 3 <= len(pieces) < 20 and time.monotonic() - started < 10, (len(pieces), time.monotonic() - started)
    asked = time.monotonic()
    assert client.reply(HELLO, max_new_tokens=8) == short  # the same greedy reply: nothing of the stopped one
    assert time.monotonic() - asked < 10
    abandoned = client.stream(HELLO, max_new_tokens=1000)
    assert next(abandoned)
    abandoned.close()
    asked = time.monotonic()
    assert client.reply(HELLO, max_new_tokens=8) == short
    assert time.monotonic() - asked < 10
    assert list(client.stream(HELLO, stop=stop)) == []  # stopped before it began: nothing asked
    assert client.reply(HELLO, max_new_tokens=8) == short


def test_stop_then_closing_mid_reply_ends_it_quietly_and_a_later_ask_says_closed(demo_models_dir):
    client = ChatClient(str(demo_models_dir / "demo"))  # the random base babbles to max_new_tokens: a long reply
    stopped_promptly_and_next_reply_clean(client)
    pieces = client.stream([{"role": "user", "content": "hello"}], max_new_tokens=400)
    assert next(pieces)
    closer = threading.Thread(target=client.close)  # the page's job.change handler runs in another thread
    closing = time.monotonic()
    closer.start()
    with pytest.raises(ChatClosed):
        for _ in pieces:
            pass
    closer.join(timeout=30)
    assert not client.alive
    # the process stopped generating and left at once (it went on with the reply until killed after 5 s, and the
    # page's job switch waited for it)
    assert time.monotonic() - closing < 4
    with pytest.raises(ChatClosed):  # the side-by-side base reply asked after the close
        client.reply([{"role": "user", "content": "hello"}], adapter=False)
    assert issubclass(ChatClosed, ChatError)  # callers that catch ChatError still catch it
