"""The Monitor's panels that show a picked job's state (Benchmarks, Serve) speak the page's language after a
switch: their handlers drew them in the language of the moment, and the switch draws them again.

    .venv/bin/pytest -m browser tests/browser/test_browser_monitor_language.py -s
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, chromium_page, open_fold, studio_process

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_the_benchmarks_panel_redraws_in_chinese_after_the_switch(demo_job, tmp_path):
    from playwright.sync_api import expect

    ws, job_dir = demo_job
    assert not (job_dir / "eval" / "benchmarks.json").exists()  # the session's demo job is never benchmarked
    with studio_process(ws.root, tmp_path / "studio-lang.log") as url, chromium_page() as page:
        page.goto(url)
        page.get_by_role("tab", name="Monitor").click()
        page.locator("#job-picker input").click()
        page.locator("#job-picker [role=option]", has_text=job_dir.name).first.click()
        open_fold(page, "bench-panel")
        status = page.locator("#bench-status")
        expect(status).to_contain_text("No benchmark scores for this job yet", timeout=20_000)
        page.locator("#lang-switch label", has_text="中文").click()
        expect(status).to_contain_text("这个任务还没有评测分数", timeout=20_000)
        page.locator("#lang-switch label", has_text="English").click()
        expect(status).to_contain_text("No benchmark scores for this job yet", timeout=20_000)
