"""What the studio keeps in the browser (localStorage: the page's language, the wizard's draft), readable after the
studio restarts.

    lang = stored(workspace, "studio-lang")     # a gr.BrowserState, inside the Blocks

gradio encrypts a BrowserState's value with its `secret`, a new random one at each start unless given: the value
a browser kept from the previous start could not be read, so a restart forgot the language the user picked. The
secret is made once per workspace (<workspace>/browser-secret, readable by its owner only).
"""

from __future__ import annotations

import os
import secrets

import gradio as gr

from backend.workspace import Workspace

SECRET_FILE = "browser-secret"


def secret(workspace: Workspace) -> str:
    """The workspace's key for the browser's stored values, made on first use."""
    path = workspace.root / SECRET_FILE
    try:
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key)
    return key


def stored(workspace: Workspace, key: str, default=None) -> gr.BrowserState:
    """A value the browser keeps under `key` in localStorage, readable by every later start on `workspace`."""
    return gr.BrowserState(default, storage_key=key, secret=secret(workspace))
