"""Images in the Chat tab: the image box beside the message (shown for a vision-language job), the upload checked
and copied into the workspace (backend.chat.images), and the conversation as the chat boxes draw it.

A user message that carries an image is kept in the conversation state as
    {"role": "user", "content": text, "images": [the workspace copy], "shown": [the upload, in gradio's cache]}
"images" is what the chat process reads (backend.chat.vision); "shown" is what the page draws: gradio serves its
own upload folder, never the workspace (studio/app.py launch).
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import yaml

from backend.chat.images import MAX_IMAGE_MB, store_chat_image
from backend.vlm import is_vision_model


def image_box(ctx, visible: bool) -> gr.Image:
    """The image box beside the message. Its upload reaches the handler even when gradio's own Pillow step cannot
    open it, so that the handler says what is wrong with the file (backend.chat.images) instead of gradio's bare
    "Error" (a wrapper on this box, not a gr.Image subclass: gradio writes a .pyi file beside a subclass)."""
    t = ctx.t
    limit = min(MAX_IMAGE_MB, ctx.upload_limit_mb)
    box = gr.Image(type="filepath", image_mode=None, sources=["upload", "clipboard"], height=200, scale=2,
                   label=t["vl.chat.image"].format(mb=limit), visible=visible, elem_id="chat-image")
    checked = box.preprocess

    def preprocess(payload):
        try:
            return checked(payload)
        except Exception:  # noqa: BLE001 - an unreadable upload: store_chat_image names the problem
            return str(payload.path) if payload is not None and payload.path else None

    box.preprocess = preprocess
    return box


def is_vision_job(ctx, job_id: str | None) -> bool:
    """Whether the job fine-tuned a vision-language model (its spec's model: demo-vl, or a config with a vision
    tower; a hub id is looked up in the local cache only)."""
    if not job_id:
        return False
    spec = Path(ctx.store.job_dir(job_id)) / "spec.yaml"
    try:
        raw = yaml.safe_load(spec.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return False
    model = (raw.get("model") or {}) if isinstance(raw, dict) else {}
    name = model.get("name_or_path") if isinstance(model, dict) else None
    return bool(name) and is_vision_model(str(name))


def attach(ctx, upload: str) -> tuple[str, str]:
    """(the workspace copy, the upload to draw) of an attached image; ChatError saying what is wrong otherwise."""
    limit = min(MAX_IMAGE_MB, ctx.upload_limit_mb)
    return str(store_chat_image(ctx.workspace, upload, max_mb=limit)), str(upload)


def user_message(text: str, image: tuple[str, str] | None) -> dict:
    if image is None:
        return {"role": "user", "content": text}
    stored, shown = image
    return {"role": "user", "content": text, "images": [stored], "shown": [shown]}


def for_model(messages: list[dict]) -> list[dict]:
    """The conversation as the chat process reads it (the drawn copies and the turn ids of studio.views.chat_reply
    left out)."""
    return [{k: v for k, v in m.items() if k not in ("shown", "turn")} for m in messages]


def drawn(messages: list[dict]) -> list[dict]:
    """The conversation as a gr.Chatbot draws it: a message's images above its text."""
    out = []
    for m in messages:
        shown = m.get("shown") or []
        if not shown:
            out.append({"role": m["role"], "content": m["content"]})
            continue
        parts = [{"path": p} for p in shown]
        out.append({"role": m["role"], "content": [*parts, m["content"]] if m["content"] else parts})
    return out
