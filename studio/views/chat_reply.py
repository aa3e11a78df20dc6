"""The Chat tab's replies: a message answered by the fine-tuned model as it writes, then (side by side) by the base
model; Stop, Regenerate and Undo of the last exchange. Every handler yields, in this order,
    (tuned box, its history, message box, status, base box, its history, image box, Send, Stop, kept conversations)
(Undo and Clear give the boxes and their histories, Undo the message box too). While a reply streams, Stop stands
where Send was; Clear stops it as well.

Stop ends the reply in the chat process (ChatHost.stop: the model stops generating and stays loaded) and the
handler finishes as usual with what was written, rather than gradio's `cancels=`, which would drop the handler
mid-yield: the conversation state would keep half an exchange (the base box a question with no answer).

A user message carries a "turn" id, so that Regenerate and Undo take the same exchange out of both boxes (the base
box lacks the exchanges asked with side by side off).

An error (the model failed to load, an image sent to a text model...) shows in the status line at the top of the
tab and, since the user is typing at the bottom, as a warning toast too.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import gradio as gr

from backend.chat.client import ChatClosed, ChatError
from backend.messages import msg
from studio.context import Ctx
from studio.unexpected import unexpected
from studio.views import chat_saved
from studio.views.chat_images import attach, drawn, for_model, is_vision_job, user_message

WAITING = {"role": "assistant", "content": "…"}
SKIP7 = 7  # the outputs before Send and Stop


def sentences(t, *parts: str) -> str:
    """Sentences of the status line one after another: a space between English ones, none after a Chinese 。"""
    return ("" if getattr(t, "lang", "en") == "zh" else " ").join(parts)


def loaded_line(t, job_id, client, *more: str) -> str:
    mem = f"{client.mem_mb:,.0f} MB" if client.mem_mb else "?"
    return sentences(t, t["chat.ready"].format(job=job_id), t["chat.memory"].format(mem=mem), *more)


def last_turn(hist: list[dict]) -> int | None:
    """Where the last exchange starts (its user message), None in an empty conversation."""
    return next((i for i in range(len(hist) - 1, -1, -1) if hist[i].get("role") == "user"), None)


def without_turn(hist: list[dict], asked: dict) -> list[dict]:
    """`hist` without the exchange of `asked` when it is its last one (the base box may not have it)."""
    i = last_turn(hist)
    return hist[:i] if i is not None and hist[i].get("turn", object()) == asked.get("turn") else hist


class Replies:
    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self._stops: dict[str, threading.Event] = {}  # a session's Stop (by gradio's session hash)
        self._cleared: dict[str, threading.Event] = {}  # a session's Clear

    def _stop_of(self, request: gr.Request | None) -> threading.Event:
        return self._stops.setdefault(getattr(request, "session_hash", None) or "", threading.Event())

    def _cleared_of(self, request: gr.Request | None) -> threading.Event:
        return self._cleared.setdefault(getattr(request, "session_hash", None) or "", threading.Event())

    def clear(self, request: gr.Request):
        """Clear (the button, or a box's trash icon): the conversation goes, and a reply being written stops there
        (it came back with the reply's next word). Returns (tuned box, history, base box, base history)."""
        self._cleared_of(request).set()
        self.stop(request)
        return [], [], [], []

    def stop(self, request: gr.Request):
        """Stop: the reply of this session ends at the next token, with what it has written."""
        stop = self._stop_of(request)
        stop.set()
        with unexpected(self.ctx.t, "chat"):
            self.ctx.chat.stop(stop)

    def respond(self, job_id, weights_name, text, hist, base_hist, sys_prompt, temp, p, max_new, side_by_side, upload,
                saved, request: gr.Request):
        """Send: the message (and image) answered. The conversation is kept with the message as soon as it is asked
        (chat_saved: a reload mid-reply gives the message back)."""
        t = self.ctx.t
        hist, base_hist = list(hist or []), list(base_hist or [])
        text = (text or "").strip()
        if not text and not upload:
            yield gr.skip(), hist, gr.skip(), gr.skip(), gr.skip(), base_hist, *(gr.skip(),) * 4
            return
        if not job_id:
            yield gr.skip(), hist, gr.skip(), t["chat.pick_job"], gr.skip(), base_hist, *(gr.skip(),) * 4
            return

        def ask() -> dict:
            if upload and not is_vision_job(self.ctx, job_id):
                raise ChatError(msg("chat.image_text_model"))
            asked = user_message(text, attach(self.ctx, upload) if upload else None)
            return {**asked, "turn": uuid.uuid4().hex[:12]}

        def keep(hist, base_hist):
            return chat_saved.kept(saved, job_id, weights_name, hist, base_hist)

        yield from self._streaming(self._converse(job_id, weights_name, ask, hist, base_hist, (text, upload),
                                                  sys_prompt, temp, p, max_new, side_by_side, request), keep)

    def regenerate(self, job_id, weights_name, hist, base_hist, sys_prompt, temp, p, max_new, side_by_side,
                   request: gr.Request):
        """A chat box's retry icon: the last exchange asked again (with the settings as they are now), in both
        boxes; an error or a Stop before the first word leaves the old reply."""
        hist, base_hist = list(hist or []), list(base_hist or [])
        i = last_turn(hist)
        if i is None or not job_id:
            yield (gr.skip(),) * 10
            return
        asked = hist[i]
        yield from self._streaming(self._converse(job_id, weights_name, lambda: asked, hist[:i],
                                                  without_turn(base_hist, asked), None, sys_prompt, temp, p, max_new,
                                                  side_by_side, request, before=(hist, base_hist)))

    def undo(self, hist, base_hist, text):
        """A chat box's undo icon: the last exchange out of both boxes, its message back in the message box (when
        the box is empty: nothing typed there is lost)."""
        hist, base_hist = list(hist or []), list(base_hist or [])
        i = last_turn(hist)
        if i is None:
            return gr.skip(), hist, gr.skip(), base_hist, gr.skip(), gr.skip()
        asked = hist[i]
        base_hist = without_turn(base_hist, asked)
        empty = not (text or "").strip()
        back = asked.get("content") if empty else gr.skip()
        shown = [p for p in asked.get("shown") or [] if Path(p).is_file()]
        image = shown[0] if empty and shown else gr.skip()  # its image back in the image box too
        return drawn(hist[:i]), hist[:i], drawn(base_hist), base_hist, back, image

    @staticmethod
    def _streaming(replies, keep=None):
        """Stop in place of Send while the reply streams, Send back once it ends. keep(hist, base_hist): the kept
        conversations with the first boxes (the message asked), written at once (a gradio event of its own sharing
        Send's click would run only after the reply)."""
        first = True
        for out in replies:
            buttons = (gr.update(visible=False), gr.update(visible=True)) if first else (gr.skip(), gr.skip())
            kept = gr.skip()
            if first and keep is not None:
                with unexpected.optional("save_chat"):
                    kept = keep(out[1], out[5])
            yield *out, *buttons, kept
            first = False
        yield *(gr.skip(),) * SKIP7, gr.update(visible=True), gr.update(visible=False), gr.skip()

    def _converse(self, job_id, weights_name, ask, hist, base_hist, back, sys_prompt, temp, p, max_new, side_by_side,
                  request, before=None):
        """ask(): the user message (ChatError: what is wrong with it) put to the model after `hist`, then side by side
        to the base model after `base_hist`. before: the boxes an error (or a Stop before the first word) leaves
        (default: hist, base_hist); back: (text, image) put back in the message and image boxes then, None: those
        boxes untouched (a regenerate)."""
        t, ctx = self.ctx.t, self.ctx
        stop, cleared = self._stop_of(request), self._cleared_of(request)
        stop.clear()
        cleared.clear()
        before_hist, before_base = before or (hist, base_hist)
        text_back, image_back = back if back is not None else (gr.skip(), gr.skip())
        clear = (gr.skip(), gr.skip()) if back is None else ("", None)

        def restored(status):
            return (drawn(before_hist), before_hist, text_back, status, drawn(before_base), before_base, image_back)

        def forgotten(client):  # cleared mid-reply: the status only
            return (gr.skip(),) * 3 + (loaded_line(t, job_id, client),) + (gr.skip(),) * 3

        head = [{"role": "system", "content": sys_prompt.strip()}] if (sys_prompt or "").strip() else []
        with unexpected(t, "chat") as failed:
            try:
                asked = ask()
                hist, base_hist = [*hist, asked], [*base_hist, asked]
                yield (drawn([*hist, WAITING]), hist, clear[0], t["chat.loading"].format(job=job_id),
                       drawn(base_hist) if back is None else gr.skip(), base_hist, clear[1])
                settings = dict(max_new_tokens=int(max_new), temperature=float(temp), top_p=float(p), stop=stop)
                client = ctx.chat.client_for(job_id, ctx.store.job_dir(job_id), weights_name or "final")
                reply = ""
                for piece in client.stream(head + for_model(hist), **settings):
                    if cleared.is_set():  # Clear mid-reply: nothing of this conversation is drawn again
                        yield forgotten(client)
                        return
                    reply += piece
                    yield (drawn([*hist, {"role": "assistant", "content": reply}]), hist, gr.skip(), gr.skip(),
                           gr.skip(), base_hist, gr.skip())
                if cleared.is_set():
                    yield forgotten(client)
                    return
                if stop.is_set() and not reply:  # stopped before the first word: as if not asked
                    yield restored(t["chat.stopped"])
                    return
                hist.append({"role": "assistant", "content": reply})
                base_reply = ""
                if side_by_side and client.has_adapter and not stop.is_set():
                    for piece in client.stream(head + for_model(base_hist), adapter=False, **settings):
                        if cleared.is_set():
                            yield forgotten(client)
                            return
                        base_reply += piece
                        yield (drawn(hist), hist, gr.skip(), gr.skip(),
                               drawn([*base_hist, {"role": "assistant", "content": base_reply}]), base_hist, gr.skip())
                if base_reply or (side_by_side and client.has_adapter and not stop.is_set()):
                    base_hist.append({"role": "assistant", "content": base_reply})
                else:  # not asked (side by side off, or stopped first): the base box has no such exchange
                    base_hist.pop()
                if cleared.is_set():
                    yield forgotten(client)
                    return
                status = loaded_line(t, job_id, client, *([t["chat.stopped"]] if stop.is_set() else []))
                yield drawn(hist), hist, gr.skip(), status, drawn(base_hist), base_hist, gr.skip()
            except ChatClosed:  # another job or weights were picked mid-reply: that conversation is gone, say nothing
                return
            except ChatError as e:
                message = t["chat.error"].format(message=e)
                gr.Warning(message)  # the status line is at the top of the tab, off screen while typing
                yield restored(message)
        if failed.message:  # the conversation as it was, the message (and image) back in its box
            yield restored(failed.message)
