"""Chat conversations kept in the browser: what is stored, what comes back, and what is left out of it."""

from studio.views.chat_saved import KEEP, MAX_MESSAGES, conversation, kept, last_job, last_weights, unanswered


def talk(n: int, turn: str = "t1") -> list[dict]:
    out = []
    for i in range(n):
        out += [{"role": "user", "content": f"q{i}", "turn": f"{turn}{i}"}, {"role": "assistant", "content": f"a{i}"}]
    return out


def test_a_conversation_comes_back_for_its_job_and_weights_only(tmp_path):
    saved = kept(None, "job-a", "final", talk(2), talk(1), now=1.0)
    assert conversation(saved, "job-a", "final", tmp_path) == (talk(2), talk(1))
    assert conversation(saved, "job-a", "checkpoint-10", tmp_path) == ([], [])
    assert conversation(saved, "job-b", "final", tmp_path) == ([], [])
    assert conversation({"version": 99, "talks": saved["talks"]}, "job-a", "final", tmp_path) == ([], [])
    # cleared: the stored conversation goes too
    assert conversation(kept(saved, "job-a", "final", [], [], now=2.0), "job-a", "final", tmp_path) == ([], [])


def test_the_most_recent_are_kept_each_to_its_last_messages(tmp_path):
    saved = None
    for i in range(KEEP + 3):
        saved = kept(saved, f"job-{i}", "final", talk(1), [], now=float(i))
    assert len(saved["talks"]) == KEEP
    assert conversation(saved, "job-0", "final", tmp_path) == ([], [])
    assert conversation(saved, f"job-{KEEP + 2}", "final", tmp_path)[0] == talk(1)
    long = kept(None, "job-a", None, talk(MAX_MESSAGES), [], now=1.0)
    hist, _ = conversation(long, "job-a", "final", tmp_path)
    assert len(hist) == MAX_MESSAGES and hist[-1] == {"role": "assistant", "content": f"a{MAX_MESSAGES - 1}"}


def test_the_last_job_and_weights_talked_to(tmp_path):
    saved = kept(None, "job-a", "checkpoint-10", talk(1), [], now=1.0)
    saved = kept(saved, "job-b", "final", talk(1), [], now=2.0)
    saved = kept(saved, "job-a", "final", talk(1), [], now=3.0)
    assert last_job(saved, ["job-a", "job-b"]) == "job-a"
    assert last_job(saved, ["job-b"]) == "job-b"  # job-a deleted since
    assert last_job(saved, []) is None
    assert last_weights(saved, "job-a", ["final", "checkpoint-10", "base"]) == "final"
    saved = kept(saved, "job-a", "checkpoint-10", talk(2), [], now=4.0)
    assert last_weights(saved, "job-a", ["final", "checkpoint-10", "base"]) == "checkpoint-10"
    assert last_weights(saved, "job-a", ["final", "base"]) == "final"  # that checkpoint is gone


def test_an_image_comes_back_only_from_the_workspace_and_while_it_is_there(tmp_path):
    ws = tmp_path / "ws"
    (ws / "uploads" / "chat").mkdir(parents=True)
    copy = ws / "uploads" / "chat" / "abc.png"
    copy.write_bytes(b"png")
    drawn_copy = tmp_path / "gradio" / "up.png"
    drawn_copy.parent.mkdir()
    drawn_copy.write_bytes(b"png")
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"png")
    hist = [{"role": "user", "content": "what is it?", "images": [str(copy)], "shown": [str(drawn_copy)]},
            {"role": "user", "content": "and this?", "images": [str(outside)], "shown": [str(outside)]},
            {"role": "tool", "content": "x"}, "not a message", {"role": "assistant", "content": 3}]
    back, _ = conversation(kept(None, "job-a", "final", hist, []), "job-a", "final", ws)
    assert back == [hist[0], {"role": "user", "content": "and this?"}]
    drawn_copy.unlink()  # gradio's cache emptied by a restart: the text and the model's copy stay
    back, _ = conversation(kept(None, "job-a", "final", hist, []), "job-a", "final", ws)
    assert back[0] == {"role": "user", "content": "what is it?", "images": [str(copy)]}


def test_a_reply_cut_off_by_a_reload_gives_its_message_back():
    q1 = {"role": "user", "content": "hi", "turn": "t1"}
    a1 = {"role": "assistant", "content": "hello"}
    q2 = {"role": "user", "content": "who are you?", "turn": "t2"}
    a2 = {"role": "assistant", "content": "I am Nova"}
    # cut off in the tuned reply: the exchange leaves both boxes, its message comes back
    assert unanswered([q1, a1, q2], [q1, a1, q2]) == ([q1, a1], [q1, a1], q2)
    # cut off in the base reply (the tuned one came): the base box alone loses the exchange
    assert unanswered([q1, a1, q2, a2], [q1, a1, q2]) == ([q1, a1, q2, a2], [q1, a1], None)
    # complete, or side by side off (the base box lacks the exchange): untouched
    assert unanswered([q1, a1, q2, a2], [q1, a1]) == ([q1, a1, q2, a2], [q1, a1], None)
    assert unanswered([q1, a1, q2], [q1, a1]) == ([q1, a1], [q1, a1], q2)
    assert unanswered([], []) == ([], [], None)
