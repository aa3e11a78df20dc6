"""What the browser keeps (the page's language) is readable after the studio restarts: its BrowserState's secret is
the workspace's, not a new random one each start (which made a restart forget the language the user picked)."""

from __future__ import annotations

import stat

import gradio as gr

from backend.workspace import Workspace
from studio.browser_state import SECRET_FILE, secret


def browser_states(app: gr.Blocks) -> dict:
    return {b.storage_key: b for b in app.blocks.values() if isinstance(b, gr.BrowserState)}


def test_the_pages_language_is_stored_under_the_workspaces_secret(tmp_path):
    from studio.app import build_app

    ws = Workspace.at(tmp_path / "ws")
    first = browser_states(build_app(ws, "en"))["studio-lang"]
    again = browser_states(build_app(Workspace.at(tmp_path / "ws"), "en"))["studio-lang"]  # the studio restarted
    assert first.secret == again.secret == secret(ws) and len(first.secret) >= 24
    assert stat.S_IMODE((ws.root / SECRET_FILE).stat().st_mode) == 0o600
    assert secret(Workspace.at(tmp_path / "other")) != first.secret
