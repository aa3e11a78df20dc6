"""Chat with an image: the demo vision-language job (vlm_job, 45 LoRA steps on mllm_demo) answers about a photo
through the chat process (processor + AutoModelForImageTextToText + the job's adapter), the base model (adapter
off) answers about the same photo; uploads are checked and copied into the workspace; a text model given an image
says so and keeps answering."""

from __future__ import annotations

import re
import shutil

import pytest

from backend.chat.client import ChatClient, ChatError, job_chat_target
from backend.chat.images import store_chat_image
from backend.messages import message_of
from backend.resources import PROJECT_ROOT

PHOTOS = PROJECT_ROOT / "data" / "vision_demo" / "mllm_demo_data"
ANSWERS = [  # mllm_demo's replies, the only text the demo model was trained on
    "They're Kane and Gretzka from Bayern Munich.", "They are celebrating on the soccer field.",
    "He's Thomas Muller from Bayern Munich.", "Because he's sliding on his knees to celebrate.",
    "Chinese astronaut Gui Haichao is giving a speech.", "He was appointed to be a payload specialist on Shenzhou 16 "
    "mission in June 2022, thus becoming the first Chinese civilian of Group 3 in space.",
]


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z']+", text.lower())


def test_the_tuned_vlm_answers_about_the_photo_and_the_base_does_not(vlm_job):
    ws, job_dir = vlm_job
    stored = store_chat_image(ws, PHOTOS / "1.jpg")
    assert stored.parent == ws.uploads_dir / "chat" and stored.suffix == ".jpg"
    base, adapter = job_chat_target(job_dir)
    client = ChatClient(base, adapter)
    try:
        assert client.vision and client.has_adapter
        question = [{"role": "user", "content": "Who are they?", "images": [str(stored)]}]
        tuned = client.reply(question, max_new_tokens=12)
        as_base = client.reply(question, max_new_tokens=12, adapter=False)
        other = client.reply([{"role": "user", "content": "Who is he?",
                               "images": [str(store_chat_image(ws, PHOTOS / "2.jpg"))]}], max_new_tokens=12)
        # a later turn about the same photo: the image stays in the conversation the model reads
        follow = client.reply([*question, {"role": "assistant", "content": tuned},
                               {"role": "user", "content": "What are they doing?"}], max_new_tokens=12)
    finally:
        client.close()
    known = set(words(" ".join(ANSWERS)))
    said = words(tuned)[:-1]  # the last word may be cut by max_new_tokens
    assert said and sum(w in known for w in said) >= 0.8 * len(said), tuned
    assert said[0] in ("they're", "they"), tuned  # the answer's opening for 1.jpg's question
    assert tuned != as_base and sum(w in known for w in words(as_base)) < 0.5 * max(len(words(as_base)), 1), as_base
    assert words(other)[:1] == ["he's"] and other != tuned, other  # another photo, another question: its answer
    assert follow and follow != tuned


def test_a_text_model_given_an_image_says_so_and_keeps_answering(demo_job, tmp_path):
    _, job_dir = demo_job
    client = ChatClient(*job_chat_target(job_dir))
    try:
        assert not client.vision
        with pytest.raises(ChatError) as info:
            client.reply([{"role": "user", "content": "what is this?", "images": [str(PHOTOS / "1.jpg")]}])
        assert message_of(info.value).id == "chat.image_text_model"
        assert client.alive and client.reply([{"role": "user", "content": "who are you?"}], max_new_tokens=4)
    finally:
        client.close()


def test_uploads_are_checked_and_copied_into_the_workspace(tmp_path):
    from backend.workspace import Workspace
    from studio.i18n import render

    ws = Workspace.at(tmp_path / "ws")
    first = store_chat_image(ws, PHOTOS / "2.jpg", orig_name="muller.jpg")
    again = store_chat_image(ws, shutil.copy(PHOTOS / "2.jpg", tmp_path / "copy.jpg"))
    assert first == again and first.read_bytes() == (PHOTOS / "2.jpg").read_bytes()  # named by its content
    (tmp_path / "notes.png").write_text("not a picture")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes((PHOTOS / "3.jpg").read_bytes()[:2000])  # a JPEG cut short: Pillow opens, cannot decode
    for bad, expected in ((tmp_path / "notes.png", "chat.image_unreadable"), (cut, "chat.image_unreadable"),
                          (tmp_path / "gone.jpg", "chat.image_missing")):
        with pytest.raises(ChatError) as info:
            store_chat_image(ws, bad)
        said = message_of(info.value)
        assert said.id == expected and bad.name in str(said), said
        assert bad.name in render(info.value, "zh")
    with pytest.raises(ChatError) as info:
        store_chat_image(ws, PHOTOS / "1.jpg", max_mb=0.001)
    assert message_of(info.value).id == "chat.image_too_big"
    assert sorted(p.name for p in (ws.uploads_dir / "chat").iterdir()) == [first.name]  # nothing else kept
