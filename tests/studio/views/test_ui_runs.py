"""The Runs, queue, compare and Monitor helpers on a real store (no browser, no training)."""

from __future__ import annotations

import json

import pytest

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from backend.store import JobError, JobStore
from backend.workspace import Workspace
from studio.context import Ctx
from studio.i18n import strings


@pytest.fixture
def ctx(tmp_path):
    ws = Workspace.at(tmp_path / "ws")
    return Ctx(ws, JobStore(ws), strings("en"), JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")), None)


def new_job(ctx, losses=(), state="queued") -> str:
    job_id = ctx.store.create_job(ctx.defaults)
    lines = [json.dumps({"step": i + 1, "loss": loss}) for i, loss in enumerate(losses)]
    (ctx.store.job_dir(job_id) / "metrics.jsonl").write_text("".join(line + "\n" for line in lines))
    if state != "queued":
        ctx.store.mark_running(job_id, 0)
    if state == "succeeded":
        ctx.store.mark_succeeded(job_id, losses[-1] if losses else None)
    elif state == "failed":
        ctx.store.mark_failed(job_id, JobError("memory", "CUDA out of memory", "lower the batch size"))
    return job_id


def test_runs_filter_and_delete(ctx):
    from studio.views.runs import delete_job, runs_frame

    done, failed, running = new_job(ctx, [1.0], "succeeded"), new_job(ctx, [], "failed"), new_job(ctx, [], "running")
    assert set(runs_frame(ctx)["id"]) == {done, failed, running}
    assert list(runs_frame(ctx, ["failed"])["id"]) == [failed]
    assert runs_frame(ctx, []).empty  # nothing ticked shows nothing

    ok, message = delete_job(ctx, running)
    assert not ok and "running" in message and ctx.store.job_dir(running).exists()
    ok, message = delete_job(ctx, done)
    assert ok and done in message and not ctx.store.job_dir(done).exists()
    ok, message = delete_job(ctx, done)
    assert not ok and "no longer exists" in message


def test_runs_table_has_a_column_for_each_setting_that_differs(ctx):
    """15 and 60 epochs, two learning rates: a column each, labelled in the page's language; settings all the
    jobs share, and the method (its own column), get none; one job alone has none."""
    from studio.i18n import SessionStrings
    from studio.views.runs import runs_frame

    first = new_job(ctx, [1.0], "succeeded")
    assert list(runs_frame(ctx).columns) == ["id", "state", "method", "dataset", "final loss", "created"]
    spec = ctx.store.load_spec(first)
    spec.training.num_epochs, spec.training.learning_rate, spec.method.name = 60.0, 1e-4, "dora"
    second = ctx.store.create_job(spec)
    frame = runs_frame(ctx)
    assert list(frame.columns) == ["id", "state", "method", "dataset", "Epochs", "Learning rate", "final loss",
                                   "created"]
    rows = frame.set_index("id")
    assert (rows.loc[first, "Epochs"], rows.loc[first, "Learning rate"]) == ("15", "0.002")
    assert (rows.loc[second, "Epochs"], rows.loc[second, "Learning rate"], rows.loc[second, "method"]) == \
        ("60", "0.0001", "dora")
    assert list(runs_frame(ctx, ["queued"]).columns)[4] == "final loss"  # one job listed: nothing differs

    zh = Ctx(ctx.workspace, JobStore(ctx.workspace), SessionStrings("zh"), ctx.defaults, None)
    assert {"训练轮数", "学习率"} <= set(runs_frame(zh).columns)
    # the state column in the page's language too (the filter's choices carry the same words)
    assert set(runs_frame(zh).iloc[:, 1]) == {"已完成", "排队中"} and set(frame["state"]) == {"succeeded", "queued"}


def test_compare_frame_has_one_series_per_job(ctx):
    from studio.views.compare import compare_frame

    a, b = new_job(ctx, [2.0, 1.0], "succeeded"), new_job(ctx, [3.0, 2.0, 1.5], "succeeded")
    frame = compare_frame(ctx, [a, b, "gone-job"])
    assert frame.groupby("job").size().to_dict() == {a: 2, b: 3}
    assert list(frame.columns) == ["step", "loss", "job"]


def test_the_compare_summary_follows_a_language_switch(ctx):
    """The language switch leaves the compare summary to its timer, which redrew only when the jobs or their
    curves changed: after a switch to Chinese it kept "Pick two or more jobs..." in English."""
    import gradio as gr

    from studio.i18n import SessionStrings
    from studio.views.compare import build

    a = new_job(ctx, [2.0, 1.0], "succeeded")
    t = SessionStrings("en")  # outside a request its language is the default: the switch is a new default here
    with gr.Blocks():
        view = build(Ctx(ctx.workspace, ctx.store, t, ctx.defaults, None))
    *_, text, seen = view.current([a], None)
    assert text == strings("en")["compare.empty"]
    assert view.current([a], seen)[2] == gr.skip()  # nothing changed: nothing redrawn
    t.default = "zh"
    *_, text, _ = view.current([a], seen)
    assert text == strings("zh")["compare.empty"], text


def test_queue_order_moves_and_cancel(ctx):
    from studio.views.queue import cancel, move, queue_frame

    first, second, third = new_job(ctx), new_job(ctx), new_job(ctx)
    assert list(queue_frame(ctx)["id"]) == [first, second, third]
    assert move(ctx, third, -1) == ""
    assert list(queue_frame(ctx)["id"]) == [first, third, second]
    assert "cancelled" in cancel(ctx, first)
    assert list(queue_frame(ctx)["id"]) == [third, second]
    assert "not queued" in move(ctx, first, 1)  # refused with the store's reason, not an exception


def test_monitor_cancel_button_resume_and_error(ctx):
    from studio.views.monitor import cancel_mode, render

    queued = new_job(ctx)
    assert cancel_mode(ctx.store.get(queued)) == "cancel"
    running = new_job(ctx, [2.0, 1.5], "running")
    assert cancel_mode(ctx.store.get(running)) == "cancel"
    ctx.store.request_cancel(running)  # first click: graceful stop asked
    assert cancel_mode(ctx.store.get(running)) == "kill"
    assert render(ctx, running)["resume"] == ""  # no Resume button

    failed = new_job(ctx, [2.0], "failed")
    shown = render(ctx, failed)
    assert shown["cancel"] == "off" and shown["resume"] == "Start again from step 0 (no checkpoint yet)"
    assert (
        "memory" in shown["error"]
        and "CUDA out of memory" in shown["error"]
        and "lower the batch size" in shown["error"]
    )
    ctx.store.mark_resumed(failed)
    shown = render(ctx, failed)
    assert shown["resume"] == "" and shown["error"] == "" and shown["cancel"] == "cancel"
    assert shown["points"] == "1 points"  # the curve so far stays


def test_monitor_shows_a_stored_error_in_the_pages_language(ctx):
    """A failed job whose error has an id, read back from SQLite by a fresh store, shows in Chinese on a Chinese
    page (message and hint); an error row an earlier version wrote as plain text still shows as it is."""
    from backend.messages import msg
    from studio.i18n import SessionStrings
    from studio.views.monitor import render

    job_id = new_job(ctx, [2.0], "running")
    ctx.store.mark_failed(job_id, JobError("nan_loss", msg("training.nan_loss", loss="nan", step=7),
                                           msg("training.nan_loss_hint")))
    zh = Ctx(ctx.workspace, JobStore(ctx.workspace), SessionStrings("zh"), ctx.defaults, None)
    shown = render(zh, job_id)["error"]
    assert "损失在第 7 步变成了 nan。" in shown and "请调低 `training.learning_rate`" in shown, shown
    assert "The loss became" not in shown and "Lower" not in shown
    assert "The loss became nan at step 7." in render(ctx, job_id)["error"]  # the English page

    old = new_job(ctx, [], "failed")  # JobError("memory", "CUDA out of memory", "lower the batch size"): no refs
    assert ctx.store.get(old).error_message_ref is None
    shown = render(zh, old)["error"]
    assert "CUDA out of memory" in shown and "lower the batch size" in shown


def test_clone_fills_every_wizard_field(ctx):
    """Runs → Clone puts a job's spec into every component of the wizard (checked by field path)."""
    import gradio as gr

    from studio.wizard import build
    from studio.wizard.form import DATA_SOURCE, MIX_WITH, PLACEHOLDER_KEYS, PLACEHOLDER_VALUES, form_from_spec

    spec = ctx.defaults
    spec.training.learning_rate, spec.training.save_steps, spec.training.save_minutes = 1e-4, 50, 2.5
    spec.training.early_stopping_patience, spec.training.early_stopping_min_delta = 3, 0.01
    spec.data.mix, spec.data.dedupe, spec.data.seed = [0.5], True, 7
    spec.model.chat_template = "llama3"
    spec.stage, spec.method.name, spec.align.beta, spec.align.rewards = "grpo", "qlora", 0.3, {"format": 0.5}
    spec.distributed.num_processes, spec.distributed.strategy = 4, "fsdp"
    spec.training.group_by_length, spec.training.padding_free = "off", "on"
    spec.training.gradient_checkpointing = "on"
    spec.training.attention, spec.training.fused_kernels, spec.training.compile = "varlen", "off", "on"
    with gr.Blocks():
        form = build(ctx, form_from_spec(ctx.defaults)).form
    shown = form.updates(form_from_spec(spec))
    assert set(shown) == form.inputs  # every component of the wizard gets a value

    def at(key):
        return shown[form[key]]

    expected = {
        "distributed.num_processes": 4, "distributed.strategy": "fsdp", "training.group_by_length": "off",
        "training.padding_free": "on", "training.gradient_checkpointing": "on", "training.attention": "varlen",
        "training.fused_kernels": "off", "training.compile": "on",
        "training.save_steps": 50, "training.save_minutes": 2.5, "training.learning_rate": 1e-4,
        "data.dataset_dir": "", "data.subset": "", "data.split": "train", "data.columns": {},
        "data.reasoning": "keep", "data.dedupe": True, MIX_WITH: "", "data.mix": "0.5", "data.eval": "",
        "data.seed": 7, "model.chat_template": "llama3", DATA_SOURCE: "demo",
        "stage": "grpo", "method.name": "qlora", "align.beta": 0.3,
        "align.rewards.exact_match": 0.0, "align.rewards.format": 0.5, "align.rewards.length": 0.0,
        "align.rewards.valid_json": 0.0,
        "training.early_stopping_patience": 3, "training.early_stopping_min_delta": 0.01,
        "training.report_to": ["tensorboard"], PLACEHOLDER_KEYS: ["name", "author"],
    }  # fmt: skip
    assert {k: at(k) for k in expected} == expected
    first, *_, last = form[PLACEHOLDER_VALUES]
    assert shown[first]["label"] == "name" and shown[first]["visible"] is True  # a slot per placeholder
    assert shown[last]["visible"] is False


def test_monitor_warns_when_a_running_worker_stops_beating(ctx):
    import time

    from studio.views.monitor import render

    job_id = new_job(ctx, [2.0], "running")
    ctx.store.heartbeat(job_id)
    assert "No heartbeat" not in render(ctx, job_id)["stats"]
    ctx.store._update(job_id, heartbeat_at=time.time() - 95)
    assert "No heartbeat from the worker for 95 s" in render(ctx, job_id)["stats"]


def test_an_export_error_from_the_cli_process_shows_in_the_pages_language(ctx):
    """The Export tab runs `studio export` in a process of its own: its error comes back by id and values
    (STUDIO_ERROR_REF), so a Chinese page shows it in Chinese; the English page as the CLI printed it."""
    from studio.i18n import SessionStrings
    from studio.views.export import run_cli

    zh = Ctx(ctx.workspace, JobStore(ctx.workspace), SessionStrings("zh"), ctx.defaults, None)
    ok, shown = run_cli(zh, ["export", "nope", "--to", "adapter"])
    assert not ok and "中没有任务 'nope'" in shown, shown
    ok, shown = run_cli(ctx, ["export", "nope", "--to", "adapter"])
    assert not ok and shown.startswith("no job 'nope' in "), shown
    ok, shown = run_cli(zh, ["export", "../x", "--to", "adapter"])  # the workspace refuses the id: its message
    assert not ok and "不是任务 ID" in shown, shown
