"""The Export panel on a vision-language job in a real browser, in Chinese: the session's vlm_job (copied into the
studio's workspace as succeeded, nothing trains here) picked in the Monitor shows the vision note and no GGUF
controls; the merged export (float32) runs as the studio's child and its parity table (prompts with an image,
the image pixels row included) says it matches; the Benchmarks panel hides its tasks and says why; Evaluate answers
the rows with their images.

    .venv/bin/pytest -m browser tests/browser/test_export_vision.py -s
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import ARTIFACTS, CHROMIUM, chromium_page, open_fold, studio_process
from tests.browser.test_chat_image import copied_job
from tests.conftest import vl_workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_export_panel_of_a_vision_job_in_chinese(vlm_job, demo_vl_models_dir, tmp_path):
    from playwright.sync_api import expect

    ws = vl_workspace(tmp_path / "ws", demo_vl_models_dir)
    job_id = copied_job(vlm_job, ws)
    with studio_process(ws.root, tmp_path / "studio-export-vision.log", launch_kwargs={"lang": "zh"}) as url, \
            chromium_page(viewport={"width": 1280, "height": 1400}) as page:
        page.goto(url)
        page.get_by_role("tab", name="监控").click()
        page.locator("#job-picker input").click()
        page.locator("#job-picker [role=option]", has_text=job_id).first.click()
        open_fold(page, "export-panel")
        note = page.locator("#export-vision-note")
        expect(note).to_be_visible(timeout=30_000)
        expect(note).to_contain_text("视觉语言任务")
        expect(page.locator("#export-gguf")).to_be_hidden()
        expect(page.locator("#export-merged")).to_be_visible()

        page.locator("#export-dtype input").click()
        page.locator("#export-dtype [role=option]", has_text="float32").first.click()
        page.locator("#export-merged").click()
        status, parity = page.locator("#export-status"), page.locator("#export-parity")
        expect(status).to_contain_text("已写入", timeout=180_000)
        expect(status).to_contain_text("merged-float32")
        for text in ("一致性检查：merged-float32", "4 个提示", "图像像素", "✓ 导出的模型与此处测试的模型回答一致"):
            expect(parity).to_contain_text(text)
        expect(parity).not_to_contain_text("不一致")
        assert (ws.job_dir(job_id) / "exports" / "merged-float32" / "preprocessor_config.json").is_file()

        page.locator("#eval-rows input").fill("3")
        page.locator("#eval-run").click()
        table = page.locator("#eval-table")
        expect(table).to_contain_text("图片", timeout=180_000)
        expect(table).to_contain_text("1.jpg")
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#export-panel").screenshot(path=ARTIFACTS / "export-vision-zh.png")

        open_fold(page, "bench-panel")
        expect(page.locator("#bench-status")).to_contain_text("视觉语言模型", timeout=30_000)
        expect(page.locator("#bench-status")).to_contain_text(f"studio eval {job_id}")
        expect(page.locator("#bench-controls")).to_be_hidden()
        expect(page.locator("#bench-run")).to_be_hidden()
