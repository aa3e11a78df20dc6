"""Where the benchmark scores of `studio bench` show (the session's `bench_job`, benchmarked for real): the
model card, the Runs table and comparison, the Benchmarks panel and the evaluation scores, in English and
Chinese."""

from __future__ import annotations

import gradio as gr
import pytest

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from studio.context import Ctx
from studio.i18n import strings


@pytest.fixture
def ctx_of(bench_job):
    ws, store, _, _, _ = bench_job
    return lambda lang: Ctx(ws, store, strings(lang), JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")), None)


def _tuned(report, task="studio_mini", metric="acc"):
    return next(r for r in report["rows"] if r["task"] == task and r["metric"] == metric)


def test_model_card_has_the_benchmarks_table(bench_job):
    import lm_eval

    from backend.export.model_card import model_card

    _, store, job_id, report, _ = bench_job
    card = model_card(store.job_dir(job_id))
    assert "## Benchmarks" in card
    row = _tuned(report, "studio_mini_zh", "acc_norm")
    assert (f"| studio_mini_zh | 1.0 | acc_norm | {row['base']:.4f} | {row['tuned']:.4f} | {row['delta']:+.4f} | 4 |"
            in card)
    assert "| gsm8k | 3.0 | exact_match (strict-match) | 0.0000 | 0.5000 | +0.5000 | 2 |" in card
    assert f"- studio_mini: lm-eval {lm_eval.__version__}, through the chat template, first 4 items per task" in card


@pytest.mark.parametrize("lang, label", [("en", "studio_mini acc (fine-tuned)"), ("zh", "studio_mini acc（微调后）")])
def test_runs_table_and_comparison_show_the_scores(ctx_of, bench_job, lang, label):
    from studio.views import compare
    from studio.views.runs import runs_frame

    _, store, job_id, report, _ = bench_job
    ctx = ctx_of(lang)
    other = store.create_job(ctx.defaults)  # a run never benchmarked: empty cells
    try:
        frame = runs_frame(ctx)
        frame = frame.set_index(frame.columns[0])  # the job id
        acc = _tuned(report)
        assert frame.loc[job_id, label] == f"{acc['tuned']:.3f} ({acc['tuned'] - acc['base']:+.3f})"
        assert frame.loc[other, label] == ""

        with gr.Blocks():
            compared = compare.build(ctx)
        _, _, summary, _ = compared.current([job_id, other], None)
        heading = "**Standard benchmarks of the picked runs**" if lang == "en" else "**所选运行的标准评测**"
        assert heading in summary
        assert (f"| {job_id} | studio_mini | 1.0 | acc | {acc['base']:.4f} | {acc['tuned']:.4f} | "
                f"{acc['delta']:+.4f} |") in summary
        assert f"| {other} |" not in summary
    finally:
        store.delete_job(other)


def test_panel_and_eval_scores_show_the_saved_table_in_chinese(ctx_of, bench_job):
    from studio.views.bench_panel import bench_args, saved
    from studio.views.bench_table import job_markdown

    _, store, job_id, report, _ = bench_job
    ctx = ctx_of("zh")
    status, table, notes = saved(ctx, job_id)
    frame = table["value"]
    assert status == "" and table["visible"] is True
    assert list(frame.columns) == ["任务", "版本", "指标", "基座", "微调后", "差值", "题数"]
    assert list(frame["任务"]) == ["gsm8k"] + [r["task"] for r in report["rows"]]
    assert "studio_mini：lm-eval" in notes and "对话模板，每个任务前 4 题" in notes
    assert saved(ctx, None)[0] == ""
    assert job_markdown(ctx.t, store.job_dir(job_id)).startswith("\n\n**标准评测**（lm-evaluation-harness）")

    assert bench_args(job_id, ["studio_mini", "gsm8k"], 0, True) == ["bench", job_id, "--tasks", "studio_mini,gsm8k",
                                                                      "--json"]
    assert bench_args(job_id, ["studio_mini"], 5, False)[-3:] == ["--limit", "5", "--no-chat-template"]
    # the box takes any number (gradio's own minimum check named no box): 0 or less is every example
    assert "--limit" not in bench_args(job_id, ["studio_mini"], -3, True)
