"""The UI's unexpected-error path (studio/unexpected.py): a handler that raises is logged with its
traceback, the user is told what failed and what to do in the page's language, the handler's
fallback is shown, and the studio keeps answering."""

from __future__ import annotations

import logging
import re
import socket

import gradio as gr
import pytest

from studio.i18n import SessionStrings
from studio.unexpected import unexpected


@pytest.fixture
def toasts(monkeypatch):
    shown = []
    monkeypatch.setattr(gr, "Warning", lambda message, *a, **k: shown.append(message))
    return shown


def test_a_failing_handler_gives_its_fallback_and_says_what_failed(toasts, caplog):
    t = SessionStrings("en")

    @unexpected(t, "review", fallback=lambda message: ("kept", message))
    def handler(x):
        raise RuntimeError(f"disk on fire {x}")

    with caplog.at_level(logging.ERROR, logger="studio.ui"):
        kept, message = handler(7)
    assert kept == "kept"
    assert message.startswith("Checking the job failed unexpectedly (RuntimeError: disk on fire 7).")
    assert "try again" in message and "log" in message  # what to do
    assert toasts == [message]
    (record,) = [r for r in caplog.records if r.name == "studio.ui"]
    assert record.exc_info and "disk on fire 7" in str(record.exc_info[1])  # the traceback is in the log


def test_without_a_failure_the_handler_is_untouched(toasts):
    t = SessionStrings("en")

    @unexpected(t, "review")
    def handler(x, *, y=1):
        """Doc."""
        return x + y

    assert handler(1, y=2) == 3 and handler.__doc__ == "Doc." and toasts == []


def test_the_default_fallback_leaves_the_outputs_and_a_stream_keeps_what_it_gave(toasts):
    t = SessionStrings("en")

    @unexpected(t, "monitor")
    def tick():
        raise KeyError("gone")

    assert tick() == gr.skip()

    @unexpected(t, "export", fallback=lambda message: message)
    def stream():
        yield "working"
        raise OSError("no space left")

    given = list(stream())
    assert given[0] == "working" and "Exporting failed unexpectedly (OSError: no space left)" in given[1]


def test_the_message_is_in_the_page_language(toasts):
    t = SessionStrings("zh")

    @unexpected(t, "data", fallback=lambda message: message)
    def handler():
        raise ValueError("boom")

    message = handler()
    assert message.startswith("读取数据时出现意外错误") and "ValueError" in message


def test_expected_errors_stay_where_they_are_caught_and_optional_parts_are_quiet(toasts, caplog):
    t = SessionStrings("en")
    with unexpected(t, "chat") as failed:
        try:
            raise LookupError("expected here")
        except LookupError:
            pass
    assert failed.error is None and failed.message is None and toasts == []

    with caplog.at_level(logging.DEBUG, logger="studio.ui"):
        value = None
        with unexpected.optional("a detail") as probe:
            value = 1 / 0
    assert value is None and isinstance(probe.error, ZeroDivisionError) and probe.message is None
    assert toasts == [] and any(r.exc_info for r in caplog.records if r.name == "studio.ui")


def test_a_stop_is_not_swallowed():
    t = SessionStrings("en")
    with pytest.raises(KeyboardInterrupt), unexpected(t, "chat"):
        raise KeyboardInterrupt


@unexpected(SessionStrings("en"), "runs")
def _pick_row(frame, evt: gr.SelectData):
    return evt


@unexpected(SessionStrings("en"), "load")
def _on_load(request: gr.Request):
    return request


def test_gradio_still_passes_request_and_select_data_through_the_decorator():
    from gradio.helpers import special_args
    from gradio.utils import get_function_params

    assert [p[0] for p in get_function_params(_pick_row)] == ["frame"]  # evt is given by gradio, not an input
    _, _, event_index, _ = special_args(_pick_row)
    assert event_index == 1
    request = object()
    inputs, *_ = special_args(_on_load, [], request=request)
    assert inputs == [request]


def test_a_served_app_answers_after_a_handler_failed(toasts):
    """A real server: the failing handler answers with the message, and the next calls are served."""
    from gradio_client import Client

    t = SessionStrings("en")

    @unexpected(t, "review", fallback=lambda message: message)
    def boom(text):
        raise RuntimeError(f"cannot check {text}")

    with gr.Blocks() as app:
        box, out = gr.Textbox(), gr.Textbox()
        gr.Button("boom").click(boom, box, out, api_name="boom")
        gr.Button("echo").click(lambda x: f"echo {x}", box, out, api_name="echo")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        first = client.predict("job", api_name="/boom")
        assert re.match(r"Checking the job failed unexpectedly \(RuntimeError: cannot check job\)", first), first
        assert client.predict("hello", api_name="/echo") == "echo hello"
        assert "cannot check again" in client.predict("again", api_name="/boom")
    finally:
        app.close()


def test_the_studio_review_handler_shows_the_failure(tmp_path, toasts, monkeypatch):
    """The real Review handler of the built studio, with the check raising: the problem box says so,
    Start is disabled, and the next call with the check working answers as usual."""
    from backend.workspace import Workspace
    from studio.app import build_app
    from studio.wizard import review as review_step

    app = build_app(Workspace.at(tmp_path / "ws"), "en")
    fns = app.fns.values() if isinstance(app.fns, dict) else app.fns
    show = next(f for f in fns if f.name == "show_review")
    data = {c: c.value for c in show.inputs}
    real = review_step.check
    monkeypatch.setattr(review_step, "check", lambda *a: (_ for _ in ()).throw(RuntimeError("probe crashed")))
    failed = show.fn(data)
    problems = next(v for c, v in failed.items() if c.elem_id == "review-problems")
    start = next(v for c, v in failed.items() if c.elem_id == "start-button")
    assert "Checking the job failed unexpectedly (RuntimeError: probe crashed)" in problems
    assert start["interactive"] is False and toasts == [problems]
    monkeypatch.setattr(review_step, "check", real)
    fine = show.fn(data)
    assert next(v for c, v in fine.items() if c.elem_id == "review-yaml").startswith("model:")
