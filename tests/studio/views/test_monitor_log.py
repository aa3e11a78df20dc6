"""The Monitor's log box, job header, Elapsed clock and Resume button on a real store (no training, no browser)."""

from __future__ import annotations

import json

import pytest

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from backend.store import JobStore
from backend.workspace import Workspace
from studio.context import Ctx
from studio.i18n import EN, ZH, SessionStrings
from studio.views.joblog import log_view
from studio.views.monitor import elapsed_seconds, render

# The end of a real log.txt of the demo (transformers 5 prints the trainer's numbers as strings).
LOG = """\
01:46:25 INFO data: demo: 91 rows read, 91 usable, 91 taken
/venv/lib/python3.11/site-packages/transformers/modeling_utils.py:3314: FutureWarning: `is_gradient_checkpointing` \
is deprecated and will be removed in v6. Use `is_activation_checkpointing` instead.
  warnings.warn(
/venv/lib/python3.11/site-packages/torch/utils/checkpoint.py:86: UserWarning: None of the inputs have requires_grad
  return fn(*args, **kwargs)
01:46:25 INFO ready to train after 14.0 s: 91 training rows, 0 eval rows
{'loss': '7.427', 'grad_norm': '1.825', 'learning_rate': '0', 'entropy': '6.287', 'epoch': '0.08333', \
'train_runtime': '0.23', 'train_tokens_per_second': '1757'}
{'loss': '0.4312', 'grad_norm': '0.8213', 'learning_rate': '0.0001948', 'entropy': '0.95', 'epoch': '1.25', \
'train_runtime': '5.1', 'train_tokens_per_second': '1300'}
{'train_runtime': '36.95', 'train_samples_per_second': '36.95', 'train_loss': '1.014', 'epoch': '15'}
100%|██████████| 180/180 [00:36<00:00,  4.87it/s]
01:47:03 INFO adapter saved"""
METRICS = [
    {"step": 1, "epoch": 0.0833, "loss": 7.426825, "learning_rate": 0.0},
    {"step": 12, "epoch": 1.25, "loss": 0.431234, "learning_rate": 0.00019481},
    {"step": 180, "epoch": 15.0, "loss": 0.174, "learning_rate": 1.6e-07},
]


def test_the_trainers_dicts_become_readable_lines_and_warnings_are_left_out():
    shown = log_view(EN, LOG, METRICS).splitlines()
    assert shown == [
        "01:46:25 INFO data: demo: 91 rows read, 91 usable, 91 taken",
        "01:46:25 INFO ready to train after 14.0 s: 91 training rows, 0 eval rows",
        "step 1 · loss 7.4270 · lr 0 · grad norm 1.82 · epoch 0.08",
        "step 12 · loss 0.4312 · lr 1.9e-4 · grad norm 0.82 · epoch 1.25",
        "training finished in 37.0 s · mean loss 1.0140",
        "100%|██████████| 180/180 [00:36<00:00,  4.87it/s]",
        "01:47:03 INFO adapter saved",
    ]
    zh = log_view(ZH, LOG, METRICS)
    assert "第 12 步 · 损失 0.4312 · 学习率 1.9e-4 · 梯度范数 0.82 · 轮次 1.25" in zh
    # Without the metrics row the step is left out, not guessed; "show every line" is the log as written.
    assert log_view(EN, LOG, []).splitlines()[3] == "loss 0.4312 · lr 1.9e-4 · grad norm 0.82 · epoch 1.25"
    raw = log_view(EN, LOG, METRICS, raw=True)
    assert "FutureWarning" in raw and "  warnings.warn(" in raw and "{'loss': '0.4312'" in raw


@pytest.fixture
def ctx(tmp_path):
    ws = Workspace.at(tmp_path / "ws")
    return Ctx(ws, JobStore(ws), SessionStrings("en"), JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")),
               None)


def zh(ctx) -> Ctx:
    return Ctx(ctx.workspace, ctx.store, SessionStrings("zh"), ctx.defaults, None)


def test_header_state_in_the_pages_language_and_names_as_code(ctx):
    job_id = ctx.store.create_job(ctx.defaults)
    ctx.store.mark_running(job_id, 0)
    (ctx.store.job_dir(job_id) / "log.txt").write_text(LOG, encoding="utf-8")
    header = render(ctx, job_id)["header"]
    assert 'class="sp-state sp-running" id="job-state-text">running<' in header
    assert "<code>demo</code>" in header and "`" not in header
    shown = render(zh(ctx), job_id)
    assert 'class="sp-state sp-running" id="job-state-text">运行中<' in shown["header"]
    assert "第 1 步 · 损失 7.4270" not in shown["log"] and "损失 0.4312" in shown["log"]  # no metrics: no step


def test_elapsed_is_one_clock_that_never_goes_back(ctx):
    job_id = ctx.store.create_job(ctx.defaults)
    ctx.store.mark_running(job_id, 0)
    job = ctx.store.get(job_id)
    start = job.started_at
    # Loading: the worker's clock has not started; the wall clock since the start counts.
    assert elapsed_seconds(job, {}, {}, now=start + 8) == pytest.approx(8)
    # Training started after 8 s of loading: the worker says 0.5 s; Elapsed stays on the wall clock (no 0:08 -> 0:00).
    assert elapsed_seconds(job, {"elapsed_s": 0.5}, {}, now=start + 9) == pytest.approx(9)
    # A resumed job's worker counts the training before the resume: ahead of this run's wall clock, it wins.
    assert elapsed_seconds(job, {"elapsed_s": 50.0}, {}, now=start + 9) == pytest.approx(50)
    ctx.store.mark_succeeded(job_id, 0.2)
    done = ctx.store.get(job_id)
    assert elapsed_seconds(done, {}, {}, now=start + 1000) == pytest.approx(done.ended_at - start)  # stopped
    assert elapsed_seconds(done, {"elapsed_s": 50.0}, {}) == pytest.approx(50)  # the same clock as while running

    # Per page: what was shown for the job is never undercut (a resumed worker's first progress.json).
    other = ctx.store.create_job(ctx.defaults)
    ctx.store.mark_running(other, 0)
    (ctx.store.job_dir(other) / "progress.json").write_text(json.dumps({"step": 3, "elapsed_s": 95.0}))
    memo = {}
    assert "**Elapsed:** 1:35" in render(ctx, other, memo=memo)["stats"]
    (ctx.store.job_dir(other) / "progress.json").write_text(json.dumps({"step": 1, "elapsed_s": 2.0}))
    assert "**Elapsed:** 1:35" in render(ctx, other, memo=memo)["stats"]
    assert "**Elapsed:** 0:0" in render(ctx, other)["stats"]  # a fresh page reads the clocks as they are


def checkpoint(job_dir, step: int, complete: bool = True):
    folder = job_dir / "checkpoints" / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    (folder / "optimizer.pt").write_bytes(b"PK")
    (folder / "trainer_state.json").write_text(json.dumps({"global_step": step}) if complete else '{"glob')


def test_resume_says_which_step_it_continues_from(ctx):
    job_id = ctx.store.create_job(ctx.defaults)
    ctx.store.mark_running(job_id, 0)
    assert render(ctx, job_id)["resume"] == ""  # running: no Resume
    ctx.store.mark_cancelled(job_id)
    assert render(ctx, job_id)["resume"] == "Start again from step 0 (no checkpoint yet)"
    job_dir = ctx.store.job_dir(job_id)
    checkpoint(job_dir, 20)
    checkpoint(job_dir, 40)
    checkpoint(job_dir, 60, complete=False)  # killed mid-save: the worker would skip it
    assert render(ctx, job_id)["resume"] == "Resume from step 40 (checkpoint-40)"
    assert render(zh(ctx), job_id)["resume"] == "从第 40 步继续（checkpoint-40）"
    assert (job_dir / "checkpoints" / "checkpoint-60").is_dir()  # only read: the worker decides what to drop


def test_a_tick_for_the_previous_job_is_dropped(ctx):
    """After a pick, a tick that still carries the job shown before changes nothing (no old header, points or bar
    over the new job's)."""
    import gradio as gr

    from studio.views import monitor

    old, new = ctx.store.create_job(ctx.defaults), ctx.store.create_job(ctx.defaults)
    with gr.Blocks() as page:
        monitor.build(ctx)
    handlers = {f.fn.__name__: f.fn for f in page.fns.values() if f.fn is not None}
    request = type("Request", (), {"session_hash": "s1"})()
    *shown, seen = handlers["select"](new, False, request)
    assert new in shown[monitor.OUTPUT_NAMES.index("header")]
    stale = handlers["tick"](old, {}, False, request)
    assert all(u == gr.skip() for u in stale), stale
    fresh = handlers["tick"](new, seen, False, request)
    assert fresh[-1]["ids"] == [new, old]  # answered: the picker's choices, the outputs that changed, the state


def test_the_whole_log_downloads_as_a_copy_named_after_the_job(tmp_path):
    """The box shows 12 lines; the button hands over all of log.txt (a copy outside the workspace, which gradio
    serves), and says so when there is none yet."""
    from studio.views.joblog import log_for_download

    job = tmp_path / "20261207-101010-abcdef"
    job.mkdir()
    assert log_for_download(job) is None
    lines = "".join(f"line {i}\n" for i in range(500))
    (job / "log.txt").write_text(lines, encoding="utf-8")
    got = log_for_download(job)
    assert got.endswith("20261207-101010-abcdef-log.txt") and not got.startswith(str(tmp_path))
    assert open(got, encoding="utf-8").read() == lines
