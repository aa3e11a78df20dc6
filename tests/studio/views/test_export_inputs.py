"""The Monitor panels' boxes left wrong (no Hub repository, eval prompts 0 or 9999 or empty, a server port 0): a
message naming the box in the page's language, before any process starts. They were gradio's "Value 0 is less than minimum value 1." (no box
named, the status left under a bare "Error") and the CLI's "--to hub needs --repo ..." (its flags, in English on a
Chinese page)."""

from __future__ import annotations

import gradio as gr
import pytest

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from backend.store import JobStore
from backend.workspace import Workspace
from studio.context import Ctx
from studio.i18n import SessionStrings, strings


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    from studio.views import export, serve_panel

    ws = Workspace.at(tmp_path_factory.mktemp("ws"))
    store = JobStore(ws)
    ctx = Ctx(ws, store, SessionStrings("en"), JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")), None)
    job = store.create_job(ctx.defaults)
    with gr.Blocks() as page:
        picker = gr.Dropdown([job], value=job)
        view = export.build(ctx)
        export.wire(ctx, view, picker)
        view.serving = serve_panel.build(ctx)
        serve_panel.wire(ctx, view.serving, picker)
    return ctx, page, view, job


def clicked(page, button):
    """The function a click on `button` runs, as gradio holds it."""
    (fn,) = [f.fn for f in page.fns.values() if (button._id, "click") in f.targets]
    return fn


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_push_without_a_repository_names_the_box(panel, lang):
    ctx, page, view, job = panel
    ctx.t.default = lang  # outside a request the page's language is the default
    try:
        shown = list(clicked(page, view.push)(job, "  ", True, ""))
    finally:
        ctx.t.default = "en"
    assert shown == [strings(lang)["export.need_repo"]]
    assert "--repo" not in shown[0]


@pytest.mark.parametrize("sent", [0, -3, 501, None])
def test_eval_prompts_out_of_range_name_the_box(panel, sent):
    ctx, page, view, job = panel
    rows = view.rows.preprocess(sent)  # gradio hands the value to the handler (it refused it before)
    shown = list(clicked(page, view.evaluate)(job, rows))
    assert len(shown) == 1 and shown[0][0].startswith("⚠ **Eval prompts** must be a whole number from 1 to 500, got ")
    assert "Running" not in str(shown)  # refused before any process started


@pytest.mark.parametrize("sent", [0, 70000, None])
def test_a_server_port_out_of_range_names_the_box(panel, sent):
    ctx, page, view, job = panel
    port = view.serving.port.preprocess(sent)
    shown = list(clicked(page, view.serving.start)(job, "transformers", None, port, ""))
    assert len(shown) == 1 and shown[0][0].startswith("⚠ **Port** must be a whole number from 1 to 65535, got ")
