"""Chat conversations kept in the browser (localStorage, under the workspace's secret: studio.browser_state): a
reload, a closed tab or a studio restart brings back the conversation with the job and weights it was held with,
and picking a job again brings back its conversation. The most recent few are kept, each to its last messages.

    talks = stored(ctx.workspace, STORAGE_KEY)       # inside the Blocks
    talks = kept(talks, job, weights, hist, base)    # when a message is sent, after each reply, regenerate, undo, clear
    hist, base = conversation(talks, job, weights)   # when a job or weights are picked
    hist, base, asked = unanswered(hist, base)       # a reply the reload cut off: its message back in the box

A conversation is kept when a message is sent too, so that a reload (or a closed tab) mid-reply does not lose the
message: the exchange comes back without the cut-off reply, its message in the message box to send again.
"""

from __future__ import annotations

import time
from pathlib import Path

STORAGE_KEY = "studio-chat"
VERSION = 1
KEEP = 8  # conversations (job and weights) kept, the most recent
MAX_MESSAGES = 200  # each conversation's last messages


def key_of(job_id: str, weights: str | None) -> str:
    return f"{job_id}:{weights or 'final'}"


def _talks(saved) -> dict:
    if not isinstance(saved, dict) or saved.get("version") != VERSION or not isinstance(saved.get("talks"), dict):
        return {}
    return {k: v for k, v in saved["talks"].items() if isinstance(k, str) and ":" in k and isinstance(v, dict)}


def _newest(talks: dict) -> list[str]:
    """The kept conversations' keys, the most recent first."""
    return sorted(talks, key=lambda k: talks[k].get("at", 0), reverse=True)


def kept(saved, job_id: str | None, weights: str | None, hist: list, base_hist: list, now: float | None = None) -> dict:
    """The stored value with this conversation kept (or dropped when it is empty)."""
    talks = dict(_talks(saved))
    if not job_id:
        return {"version": VERSION, "talks": talks}
    key = key_of(job_id, weights)
    if hist:
        talks[key] = {"history": list(hist)[-MAX_MESSAGES:], "base": list(base_hist or [])[-MAX_MESSAGES:],
                      "at": time.time() if now is None else now}
    else:
        talks.pop(key, None)
    return {"version": VERSION, "talks": {k: talks[k] for k in _newest(talks)[:KEEP]}}


def _message(m, images_root: Path) -> dict | None:
    """A stored message as the chat state holds it, or None when it is not one. An image whose workspace copy is gone
    is left out of it (the text stays); the copy the page drew is kept only while it is still there."""
    if not isinstance(m, dict) or m.get("role") not in ("user", "assistant") or not isinstance(m.get("content"), str):
        return None
    out = {"role": m["role"], "content": m["content"]}
    if isinstance(m.get("turn"), str):
        out["turn"] = m["turn"]
    images = [p for p in m.get("images") or [] if isinstance(p, str) and _inside(p, images_root)]
    if images:
        shown = [p for p in m.get("shown") or [] if isinstance(p, str) and Path(p).is_file()]
        out["images"] = images
        if shown:
            out["shown"] = shown
    return out


def _inside(path: str, root: Path) -> bool:
    try:
        p = Path(path).resolve()
        return p.is_file() and p.is_relative_to(root.resolve())
    except (OSError, ValueError):
        return False


def conversation(saved, job_id: str | None, weights: str | None, images_root: Path) -> tuple[list, list]:
    """(history, base history) kept for this job and weights; ([], []) when there is none."""
    talk = _talks(saved).get(key_of(job_id, weights)) if job_id else None
    if talk is None:
        return [], []

    def messages(items) -> list:
        return [m for m in (_message(x, images_root) for x in (items if isinstance(items, list) else [])) if m]

    return messages(talk.get("history")), messages(talk.get("base"))


def unanswered(hist: list, base_hist: list) -> tuple[list, list, dict | None]:
    """A kept conversation whose last reply was cut off (the page reloaded or closed while it was written):
    (history, base history, the unanswered user message or None). The tuned box's unanswered exchange leaves both
    boxes (its message goes back to the message box); the base box's alone (the tuned reply came) leaves the base
    box, as when side by side was off."""
    hist, base_hist = list(hist), list(base_hist)
    asked = hist.pop() if hist and hist[-1].get("role") == "user" else None
    if base_hist and base_hist[-1].get("role") == "user":
        if asked is None or base_hist[-1].get("turn") == asked.get("turn"):
            base_hist.pop()
    return hist, base_hist, asked


def last_weights(saved, job_id: str | None, offered: list[str]) -> str:
    """The weights this job was last talked to with (among those it offers), else its final weights."""
    for key in _newest(_talks(saved)):
        job, weights = key.split(":", 1)
        if job == job_id and weights in offered:
            return weights
    return "final"


def last_job(saved, job_ids: list[str]) -> str | None:
    """The job of the most recent conversation kept, when it is still one to chat with."""
    for key in _newest(_talks(saved)):
        job_id = key.split(":", 1)[0]
        if job_id in job_ids:
            return job_id
    return None
