"""The Chat tab's Undo and Regenerate take the same exchange out of both boxes, by its turn id: the base box lacks the
exchanges asked with side by side off, and an earlier exchange there with the same words stays. And the status redraw
(page load, language switch) does not wait for a model being loaded."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from studio.i18n import EN
from studio.views.chat_host import ChatHost
from studio.views.chat_reply import Replies, last_turn, without_turn


def exchange(text: str, turn: str, reply: str) -> list[dict]:
    return [{"role": "user", "content": text, "turn": turn}, {"role": "assistant", "content": reply}]


def test_undo_takes_the_last_exchange_out_of_both_boxes_and_only_that(tmp_path):
    first, second = exchange("hello", "t1", "Hi, I am Nova."), exchange("hello", "t2", "Hello again.")
    replies = Replies(SimpleNamespace(t=EN))
    # side by side on for both exchanges: both go from both boxes' last
    box, hist, base_box, base_hist, back, _ = replies.undo(first + second, first + exchange("hello", "t2", "babble"),
                                                          "")
    assert hist == first and base_hist == first and back == "hello"
    assert box == [{"role": m["role"], "content": m["content"]} for m in first]
    # the second asked with side by side off: the base box keeps its "hello" exchange (the same words, another turn)
    _, hist, _, base_hist, back, image = replies.undo(first + second, first, "typed meanwhile")
    assert hist == first and base_hist == first
    assert back is not None and back != "hello"  # gr.skip(): what the user typed is kept
    assert image != "" and not isinstance(image, str)  # gr.skip(): the image box untouched
    # an exchange that carried an image: its image back in the image box with its text
    shown = tmp_path / "upload.png"
    shown.write_bytes(b"png")
    asked = {"role": "user", "content": "what is it?", "turn": "t3", "images": ["ws.png"], "shown": [str(shown)]}
    *_, back, image = replies.undo(first + [asked, {"role": "assistant", "content": "a cat"}], first, "")
    assert (back, image) == ("what is it?", str(shown))
    assert last_turn([]) is None and without_turn(first, second[0]) == first


def test_the_status_redraw_does_not_wait_for_a_model_being_loaded():
    host = ChatHost()
    loading, loaded = threading.Event(), threading.Event()

    def load():  # what client_for does while a model loads: holds the lock for seconds
        with host._lock:
            loading.set()
            loaded.wait(10)

    thread = threading.Thread(target=load)
    thread.start()
    loading.wait(5)
    started = time.monotonic()
    assert host.loaded("job:final") is None
    assert time.monotonic() - started < 0.5
    loaded.set()
    thread.join()


def test_the_status_line_reads_as_one_text_in_either_language():
    from studio.i18n.strings import SessionStrings
    from studio.views.chat_reply import loaded_line

    client = SimpleNamespace(mem_mb=451.0)
    en, zh = SessionStrings("en"), SessionStrings("zh")
    assert "loaded. Its process holds 451 MB" in loaded_line(en, "J", client)
    line = loaded_line(zh, "J", client, zh["chat.stopped"])
    assert "已加载。其进程占用 451 MB" in line and "释放。回复已停止" in line and " 其" not in line, line
