"""The language switch in a real browser: what was entered stays, every part of the page changes
language, backend messages too, and the choice survives a reload.

    .venv/bin/pytest -m browser tests/test_browser_lang.py -s
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_helpers import ARTIFACTS, CHROMIUM, chromium_page, studio_process, text_value

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def switch(page, name: str) -> None:
    page.locator("#lang-switch label").filter(has_text=name).click()


def test_switch_language_keeps_the_entered_values(tmp_path):
    from playwright.sync_api import expect

    with studio_process(tmp_path / "ws", tmp_path / "studio.log") as url, chromium_page() as page:
        page.goto(url)
        expect(page.locator("#model-info")).to_contain_text("qwen2", timeout=30_000)

        # Enter values on three steps: a method, a learning rate, a data source with a bad path.
        page.locator("button[role=tab]").filter(has_text="Method").first.click()
        page.locator("#method-name label").filter(has_text="DoRA").click()
        page.locator("button[role=tab]").filter(has_text="Training").first.click()
        lr = page.locator("#training-learning_rate input")
        lr.fill("0.00031")
        lr.press("Tab")
        page.locator("button[role=tab]").filter(has_text="Data").first.click()
        page.locator("#data-source label").filter(has_text="Path on this machine").click()
        page.locator("#data-path-input textarea, #data-path-input input").first.fill("/etc/passwd")
        page.locator("#data-path-read").click()
        expect(page.locator("#data-summary")).to_contain_text("data-root", timeout=20_000)

        switch(page, "中文")
        expect(page.locator("button[role=tab]").filter(has_text="训练").first).to_be_visible(timeout=10_000)
        expect(page.locator("#data-source")).to_contain_text("本机路径", timeout=10_000)
        # The backend's refusal of a path outside the allowed folders is redrawn in Chinese.
        expect(page.locator("#data-summary")).to_contain_text("不在本工作室可读取的文件夹", timeout=20_000)
        expect(page.locator("#data-summary")).to_contain_text("--data-root")
        assert text_value(page, "data-path-input") == "/etc/passwd"
        page.screenshot(path=ARTIFACTS / "lang-zh-data.png", full_page=True)

        page.locator("button[role=tab]").filter(has_text="方法").first.click()
        expect(page.locator("#method-name input[value=dora]")).to_be_checked()
        page.locator("button[role=tab]").filter(has_text="训练参数").first.click()
        assert float(page.locator("#training-learning_rate input").input_value()) == pytest.approx(0.00031)
        expect(page.locator("#training-learning_rate")).to_contain_text("学习率")

        # A reload keeps Chinese (remembered in the browser); switching back gives English again.
        page.reload()
        expect(page.locator("button[role=tab]").filter(has_text="训练").first).to_be_visible(timeout=30_000)
        switch(page, "English")
        expect(page.locator("button[role=tab]").filter(has_text="Train").first).to_be_visible(timeout=10_000)
        expect(page.locator("#app-title")).to_contain_text("Fine-tuning Studio")
