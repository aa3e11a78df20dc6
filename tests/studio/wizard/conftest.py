"""The wizard built on the demo spec in a workspace of its own, once per test module: (ctx, form)."""

from __future__ import annotations

import gradio as gr
import pytest

from backend.resources import DATA_DIR, DEMO_SPEC
from backend.spec import JobSpec
from studio.i18n import EN
from studio.wizard.form import form_from_spec


@pytest.fixture(scope="module")
def demo_wizard(tmp_path_factory):
    from backend.store import JobStore
    from backend.workspace import Workspace
    from studio.context import Ctx
    from studio.wizard import build

    demo = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))
    ws = Workspace.at(tmp_path_factory.mktemp("ws"))
    ctx = Ctx(ws, JobStore(ws), EN, demo, chat=None, data_roots=[ws.root, DATA_DIR])
    with gr.Blocks():
        form = build(ctx, form_from_spec(demo)).form
    return ctx, form
