"""The Monitor's Benchmarks panel in a real browser, in Chinese: picking the benchmarked demo job shows its saved
table (base vs fine-tuned, with the task version), and Run runs `studio bench` as the studio's child and shows
the new scores.

    .venv/bin/pytest -m browser tests/browser/test_browser_bench.py -s
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, chromium_page, open_fold, studio_process

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_bench_panel_shows_the_saved_table_and_runs_in_chinese(bench_job, tmp_path):
    from backend.bench import results

    ws, store, job_id, _, _ = bench_job
    eval_dir = store.job_dir(job_id) / "eval"
    kept = {p: p.read_bytes() for p in eval_dir.rglob("*.json*")}  # the session's scores, put back after
    try:
        _run_panel(ws, job_id, tmp_path)
        entry = results.load(store.job_dir(job_id))["tasks"]["studio_mini"]
        assert entry["limit"] == 2 and {r["n"] for r in entry["rows"] if r["task"] != "studio_mini"} == {2}
    finally:
        for path, data in kept.items():
            path.write_bytes(data)


def _run_panel(ws, job_id, tmp_path):
    from playwright.sync_api import expect

    with studio_process(ws.root, tmp_path / "studio-bench.log", launch_kwargs={"lang": "zh"}) as url, \
            chromium_page() as page:
        page.goto(url)
        page.get_by_role("tab", name="监控").click()
        page.locator("#job-picker input").click()
        page.locator("#job-picker [role=option]", has_text=job_id).first.click()
        open_fold(page, "bench-panel")
        table = page.locator("#bench-table")
        for text in ("任务", "版本", "基座", "微调后", "差值", "studio_mini_zh", "acc_norm", "gsm8k"):
            expect(table).to_contain_text(text, timeout=30_000)
        expect(page.locator("#bench-meta")).to_contain_text("每个任务前 4 题")
        expect(page.locator("#bench-tasks")).to_contain_text("从 Hugging Face Hub 下载 cais/mmlu")

        page.locator("#bench-limit input").fill("2")
        page.locator("#bench-run").click()
        expect(page.locator("#bench-status")).to_contain_text("分数已保存在", timeout=120_000)
        expect(page.locator("#bench-meta")).to_contain_text("每个任务前 2 题")
