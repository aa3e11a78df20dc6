"""The Chat tab: talk to a succeeded job's model, loaded in its own process (backend.chat), with a
system prompt and the sampling settings; side by side, the same prompt answered by the base model
(the same process, the adapter switched off: no second model in memory). Side by side is on by default
whenever the picked weights are an adapter (what the fine-tune changed is the point); the user can turn it off.

At most one model is loaded in the studio at a time (ChatHost); picking another job closes it, and
the tab says what is loaded and how much memory its process holds.

A vision-language job (studio.views.chat_images) shows an image box beside the message: the image, checked and
copied into the workspace, goes with the message to the model and shows in the conversation; side by side, the
base model answers about the same image.

The replies (studio.views.chat_reply): Stop in place of Send while a reply streams; the retry and undo icons under
the last reply regenerate it or take the exchange back, in both boxes.

The conversations are kept in the browser (studio.views.chat_saved): a reload, a closed tab or a studio restart
brings back the last one with its job and weights, and picking a job again brings back its own. A message is kept
when it is sent: a reload mid-reply puts it back in the message box (the cut-off reply is not kept).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import gradio as gr

from backend.chat.client import chat_weights
from studio.browser_state import stored
from studio.context import Ctx
from studio.i18n import relabel
from studio.unexpected import unexpected
from studio.views import chat_saved
from studio.views.chat_host import ChatHost
from studio.views.chat_images import drawn, image_box, is_vision_job
from studio.views.chat_reply import Replies, loaded_line

__all__ = ["CSS", "ChatHost", "ChatTab", "build"]


# The chat boxes' label and toolbar (copy all, clear) float over the top of the conversation: start the
# conversation below them, so that no icon covers a message when it scrolls (.sp-chat: both boxes).
CSS = """
.sp-chat .wrapper { flex-direction: column; }
.sp-chat .bubble-wrap { margin-top: 40px; flex: 1 1 auto; min-height: 0; height: auto !important; padding-top: 4px; }
"""


@dataclass
class ChatTab:
    job: gr.Dropdown
    status: gr.Markdown
    refresh_jobs: object  # callable: () -> dropdown update
    redraw: tuple  # (fn, inputs, outputs): the status line again in the page's new language (studio/app.py)
    opening: tuple  # (fn, inputs, outputs): the conversation kept in the browser, when the page opens


def succeeded_jobs(ctx: Ctx) -> list[str]:
    return [j.id for j in ctx.store.list_jobs(("succeeded",))]


def has_adapter(ctx: Ctx, job_id: str | None, weights: str | None = "final") -> bool:
    """Whether the job's `weights` are an adapter, which can be switched off for the base model's reply
    (a full or freeze job saves a whole model; "base" is the base model alone)."""
    if not job_id or weights == "base":
        return False
    job_dir = ctx.store.job_dir(job_id)
    folder = job_dir / "adapter" if weights in (None, "final") else job_dir / "checkpoints" / weights
    return (folder / "adapter_config.json").is_file()


def weight_choices(ctx: Ctx, job_id: str | None) -> list[tuple[str, str]]:
    """(label, value) of the weights a job offers: final, each checkpoint, the base model."""
    t = ctx.t
    if not job_id:
        return [(t["chat.weights.final"], "final")]
    out = []
    for w in chat_weights(ctx.store.job_dir(job_id)):
        if w in ("final", "base"):
            out.append((t[f"chat.weights.{w}"], w))
        else:
            out.append((t["chat.weights.checkpoint"].format(step=w.removeprefix("checkpoint-")), w))
    return out


def build(ctx: Ctx) -> ChatTab:
    t = ctx.t
    host: ChatHost = ctx.chat
    gr.Markdown(t["chat.intro"])
    ids = succeeded_jobs(ctx)
    with gr.Row():
        job = gr.Dropdown(ids, value=ids[0] if ids else None, label=t["chat.job"], scale=4, elem_id="chat-job")
        weights = gr.Dropdown(weight_choices(ctx, ids[0] if ids else None), value="final", label=t["chat.weights"],
                              scale=2, elem_id="chat-weights")
        refresh = gr.Button(t["btn.refresh"], scale=1, elem_id="chat-refresh")
    status = relabel.handler_writes(gr.Markdown("" if ids else t["chat.no_jobs"], elem_id="chat-status"))
    system = gr.Textbox(label=t["chat.system"], placeholder=t["chat.system.placeholder"], lines=1,
                        elem_id="chat-system")
    side = has_adapter(ctx, ids[0] if ids else None)
    compare = gr.Checkbox(side, label=t["chat.compare"], info=t["chat.compare.info"], elem_id="chat-compare")
    with gr.Row():
        # No "share" button (to Hugging Face Spaces discussions: this studio is private by design).
        base_box = gr.Chatbot(label=t["chat.base"], height=360, visible=side, elem_id="chat-base-box",
                              elem_classes="sp-chat", buttons=["copy", "copy_all"])
        chatbot = gr.Chatbot(label=t["chat.tuned"], height=360, elem_id="chat-box", elem_classes="sp-chat",
                             buttons=["copy", "copy_all"])
    history = gr.State([])
    base_history = gr.State([])
    talks = stored(ctx.workspace, chat_saved.STORAGE_KEY)  # the conversations kept in the browser
    with gr.Row(equal_height=True):
        message = gr.Textbox(
            label=t["chat.input"], placeholder=t["chat.input.placeholder"], scale=5, elem_id="chat-input", max_lines=6
        )
        image = image_box(ctx, is_vision_job(ctx, ids[0] if ids else None))
        send = gr.Button(t["btn.send"], variant="primary", scale=1, elem_id="chat-send")
        stop = gr.Button(t["chat.stop"], variant="stop", scale=1, visible=False, elem_id="chat-stop")
    with gr.Accordion(t["chat.settings"], open=False, elem_id="chat-settings"):
        temperature = gr.Slider(0.0, 1.5, value=0.0, step=0.05, label=t["chat.temperature"])
        top_p = gr.Slider(0.05, 1.0, value=0.9, step=0.05, label=t["chat.top_p"])
        max_tokens = gr.Slider(16, 1024, value=128, step=16, label=t["chat.max_new_tokens"], elem_id="chat-max-tokens")
    clear = gr.Button(t["btn.clear"], elem_id="chat-clear")

    def refresh_jobs(current=None):
        ids = succeeded_jobs(ctx)
        value = current if current in ids else (ids[0] if ids else None)
        return gr.update(choices=ids, value=value), ("" if ids else t["chat.no_jobs"])

    def redraw_status(job_id, weights_name):
        """After a language switch: what the status says of the loaded model, in the new language."""
        client = host.loaded(f"{job_id}:{weights_name or 'final'}") if job_id else None
        if client is not None:
            return loaded_line(t, job_id, client)
        return gr.skip() if succeeded_jobs(ctx) else t["chat.no_jobs"]

    def on_job_change(job_id, weights_name="final", saved=None, typed=""):
        # Another job or other weights: their conversation as kept in the browser (or a new one), the old model's
        # memory back, side by side on when these weights are an adapter, the image box there for a vision model.
        # A message whose reply a reload cut off goes back to the message box (and its image to the image box).
        side_by_side, sees, back = gr.skip(), gr.skip(), gr.skip()
        hist, base_hist = [], []
        with unexpected(t, "chat_model"):
            host.release_unless(f"{job_id}:{weights_name or 'final'}")
            side_by_side = has_adapter(ctx, job_id, weights_name)
            hist, base_hist = chat_saved.conversation(saved, job_id, weights_name, ctx.workspace.root)
            hist, base_hist, asked = chat_saved.unanswered(hist, base_hist)
            shown = (asked or {}).get("shown") or []  # chat_saved.conversation kept only the copies still there
            sees = gr.update(visible=is_vision_job(ctx, job_id), value=shown[0] if shown else None)
            back = asked["content"] if asked and not (typed or "").strip() else gr.skip()  # not over typed text
        # The status named the model just freed ("loaded, holds N MB"): it says nothing until the next reply loads one
        status_line = "" if succeeded_jobs(ctx) else t["chat.no_jobs"]
        return drawn(hist), hist, drawn(base_hist), base_hist, side_by_side, sees, status_line, back

    def pick(job_id, saved, typed="") -> list:
        """The weights dropdown (the ones this job was last talked to with) and what on_job_change gives."""
        choices = weight_choices(ctx, job_id)
        weights_name = chat_saved.last_weights(saved, job_id, [v for _, v in choices])
        return [gr.update(choices=choices, value=weights_name), *on_job_change(job_id, weights_name, saved, typed)]

    @unexpected(t, "chat_model",
                fallback=lambda message: (gr.skip(), [], [], [], [], gr.skip(), gr.skip(), message, gr.skip()))
    def on_pick_job(job_id, saved, typed):
        return tuple(pick(job_id, saved, typed))

    def restore(saved):
        """When the page opens: the last conversation kept, with its job and weights (the page opens without it
        when it cannot be read back)."""
        out = None
        with unexpected.optional("restore_chat", logging.WARNING):
            job_id = chat_saved.last_job(saved, succeeded_jobs(ctx))
            out = pick(job_id, saved) if job_id else None
            out = [job_id, *out[:-2], out[-1]] if out else None  # not the status line: no model is loaded yet
        return out or [gr.skip()] * 9

    @unexpected.optional("save_chat", logging.WARNING)
    def save(job_id, weights_name, hist, base_hist, saved):
        return chat_saved.kept(saved, job_id, weights_name, hist, base_hist)

    keep = dict(fn=save, inputs=[job, weights, history, base_history, talks], outputs=talks, queue=False,
                show_progress="hidden")

    replies = Replies(ctx)
    outputs = [chatbot, history, message, status, base_box, base_history, image, send, stop, talks]
    settings = [system, temperature, top_p, max_tokens, compare]
    # one event for Send and Enter: a second press while the reply streams is not a second reply on the same state
    gr.on([send.click, message.submit], replies.respond,
          [job, weights, message, history, base_history, *settings, image, talks], outputs,
          trigger_mode="once").then(**keep)  # kept when the message is asked (Replies.respond), and after the reply

    stop.click(replies.stop, None, None, queue=False)
    for box in (chatbot, base_box):  # the retry and undo icons under the last reply: both boxes alike
        box.retry(replies.regenerate, [job, weights, history, base_history, *settings], outputs).then(**keep)
        box.undo(replies.undo, [history, base_history, message],
                 [chatbot, history, base_box, base_history, message, image]).then(**keep)
    conversation = [chatbot, history, base_box, base_history]
    clear.click(replies.clear, None, conversation).then(**keep)
    for box in (chatbot, base_box):  # a box's own clear icon: the conversation the model sees goes too
        box.clear(replies.clear, None, conversation).then(**keep)
    job.change(on_pick_job, [job, talks, message], [weights, *conversation, compare, image, status, message])
    weights.change(on_job_change, [job, weights, talks, message], [*conversation, compare, image, status, message])
    compare.change(lambda on: gr.update(visible=on), compare, base_box)
    refresh.click(refresh_jobs, job, [job, status])
    return ChatTab(job, status, refresh_jobs, (redraw_status, [job, weights], status),
                   (restore, talks, [job, weights, *conversation, compare, image, message]))
