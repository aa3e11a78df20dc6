"""What every part of the UI needs: the workspace, the job store, the strings, the defaults."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import gradio as gr

from backend.spec import JobSpec
from backend.store import JobStore
from backend.workspace import Workspace

log = logging.getLogger("studio.ui")


@dataclass
class Ctx:
    workspace: Workspace
    store: JobStore
    t: dict[str, str]
    defaults: JobSpec  # templates/demo.yaml: the wizard's starting values
    chat: object  # studio.chat.ChatHost
    upload_limit_mb: int = 200  # the largest upload the server accepts (launch's max_file_size)
    # Folders whose files the Data step may read by path (the workspace and data/ always).
    data_roots: list = field(default_factory=list)


def warn_unexpected(t: dict[str, str], exc: BaseException) -> str:
    """Log a handler's unexpected error and show it as a toast; returns the message."""
    log.exception("handler failed")
    message = t["error.unexpected"].format(message=f"{type(exc).__name__}: {exc}")
    gr.Warning(message)
    return message
