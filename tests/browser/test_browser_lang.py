"""The language switch in a real browser: what was entered stays, every part of the page changes
language (labels, buttons a handler only enables, the texts handlers wrote), backend messages and the
studio's own errors too, and the choice survives a reload.

    .venv/bin/pytest -m browser tests/browser/test_browser_lang.py -s

It runs against the session's shared studio (tests/conftest.py: started once, no job is ever started
on it), in a browser of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.helpers import ARTIFACTS, CHROMIUM, chromium_page, text_value

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def step(page, name: str):
    return page.locator("button[role=tab]").filter(has_text=name).first


def switch(page, name: str) -> None:
    page.locator("#lang-switch label").filter(has_text=name).click()


def test_switch_language_keeps_the_entered_values(shared_studio):
    from playwright.sync_api import expect

    url, ws = shared_studio
    with chromium_page() as page:
        page.goto(url)
        expect(page.locator("#model-info")).to_contain_text("qwen2", timeout=30_000)

        # A hub model checked in English (offline here: its problem is what the Model step shows).
        page.locator("#model-source label").filter(has_text="Hugging Face hub id").click()
        page.locator("#model-path textarea, #model-path input").first.fill("someone/some-model")
        page.locator("#model-check").click()
        expect(page.locator("#model-info")).to_contain_text("cannot reach the hub", timeout=20_000)

        # Enter values on three steps: a method, a learning rate, a data source with a bad path.
        step(page, "Method").click()
        page.locator("#method-name label").filter(has_text="DoRA").click()
        step(page, "Training").click()
        lr = page.locator("#training-learning_rate input")
        lr.fill("0.00031")
        lr.press("Tab")
        step(page, "Data").click()
        page.locator("#data-source label").filter(has_text="Path on this machine").click()
        page.locator("#data-path-input textarea, #data-path-input input").first.fill("/etc/passwd")
        page.locator("#data-path-read").click()
        expect(page.locator("#data-summary")).to_contain_text("data-root", timeout=20_000)

        switch(page, "中文")
        expect(step(page, "训练")).to_be_visible(timeout=10_000)
        expect(page.locator("#data-source")).to_contain_text("本机路径", timeout=10_000)
        # The studio's refusal of a path outside the allowed folders is redrawn in Chinese.
        expect(page.locator("#data-summary")).to_contain_text("不在本工作室可读取的文件夹", timeout=20_000)
        expect(page.locator("#data-summary")).to_contain_text("--data-root")
        assert text_value(page, "data-path-input") == "/etc/passwd"
        page.screenshot(path=ARTIFACTS / "lang-zh-data.png", full_page=True)

        step(page, "方法").click()
        expect(page.locator("#method-name input[value=dora]")).to_be_checked()
        # What a handler wrote when the page was built (the stage and method advice) is redrawn too.
        expect(page.locator("#method-advice")).to_contain_text("学会像示例那样回答", timeout=10_000)
        step(page, "训练参数").click()
        assert float(page.locator("#training-learning_rate input").input_value()) == pytest.approx(0.00031)
        expect(page.locator("#training-learning_rate")).to_contain_text("学习率")

        # A button that handlers only enable is relabelled; the studio's own model errors are in Chinese, the hub
        # model's too (redrawn from what it said: no hub request), and the model's details.
        step(page, "确认").click()
        expect(page.locator("#start-button")).to_contain_text("开始训练", timeout=10_000)
        step(page, "模型").click()
        expect(page.locator("#model-info")).to_contain_text("无法连接 Hub", timeout=10_000)
        page.locator("#model-source label").filter(has_text="内置演示模型").click()
        info = page.locator("#model-info")
        expect(info).to_contain_text("已找到", timeout=10_000)
        for label in ("架构", "参数量", "对话模板", "位置", "内置示例"):
            expect(info).to_contain_text(label)
        expect(info).not_to_contain_text("Architecture")
        missing = f"{ws}/models/nonexistent"  # in the workspace: looked at (outside it: refused unseen)
        page.locator("#model-source label").filter(has_text="本地文件夹").click()
        page.locator("#model-path textarea, #model-path input").first.fill(missing)
        page.locator("#model-check").click()
        expect(page.locator("#model-info")).to_contain_text(f"{missing}：文件夹不存在。", timeout=10_000)
        step(page, "确认").click()
        expect(page.locator("#review-problems")).to_contain_text("不是模型文件夹（没有 config.json）", timeout=20_000)

        # A reload keeps Chinese (remembered in the browser); switching back gives English again.
        page.reload()
        expect(step(page, "训练")).to_be_visible(timeout=30_000)
        switch(page, "English")
        expect(step(page, "Train")).to_be_visible(timeout=10_000)
        expect(page.locator("#app-title")).to_contain_text("Fine-tuning Studio")
        step(page, "Review").click()
        expect(page.locator("#start-button")).to_contain_text("Start training", timeout=10_000)


def test_chinese_shows_on_a_machine_without_cjk_fonts(shared_studio):
    """The page's fallback face (studio/fonts.py: Noto Sans SC from the noto-cjk-sans-otc package) is loaded, so
    Chinese is never boxes on a machine without CJK fonts (this one); the studio serves its folder and nothing
    beside it. gradio's own screen-reader labels switch language with the page."""
    from urllib.parse import quote, urljoin

    import httpx
    from playwright.sync_api import expect

    from studio import fonts

    url, ws = shared_studio
    family = fonts.PAGE_FAMILY
    with chromium_page() as page:
        page.goto(url)
        expect(page.locator("#lang-switch")).to_contain_text("中文", timeout=30_000)
        # The English page's "中文" choice already needs the face: loaded (and check() is true only then).
        page.wait_for_function(
            f"""() => document.fonts.check('16px "{family}"', '中文')
                && [...document.fonts].some(f => f.family.replace(/"/g, '') === '{family}' && f.status === 'loaded')""",
            timeout=30_000)
        # gradio's own labels follow the page's language too (studio/i18n/gradio_texts.py), and the key its
        # tables lack is no longer announced as "common.complete".
        step(page, "Method").click()
        reset = page.locator("#lora-dropout button[aria-label]").first
        expect(reset).to_have_attribute("aria-label", "Reset to default value", timeout=10_000)
        switch(page, "中文")
        expect(reset).to_have_attribute("aria-label", "恢复默认值", timeout=10_000)
        expect(page.get_by_text("common.complete")).to_have_count(0)
        # A toast's title too (gr.Warning's "Warning"): Open on the Runs tab with no job picked warns.
        page.locator("#tab-runs-button").click()
        page.locator("#runs-open").click()
        toast = page.locator("[data-testid=toast-body]").first
        expect(toast).to_contain_text("请先选择任务", timeout=10_000)
        expect(toast.locator(".toast-title")).to_have_text("警告")
        src = page.evaluate(f"""() => [...document.styleSheets].flatMap(s => [...s.cssRules])
            .filter(r => r instanceof CSSFontFaceRule && r.style.fontFamily.replace(/"/g, '') === '{family}')
            .map(r => r.style.getPropertyValue('src'))""")
    (font_url,) = {u for s in src for u in re.findall(r'url\("?([^")]+)"?\)', s)}
    folder, path = fonts.page_font()
    assert font_url.endswith(fonts.font_url(path))
    with httpx.Client(timeout=30) as client:
        head = client.get(urljoin(url, font_url), headers={"Range": "bytes=0-3"})
        assert head.status_code in (200, 206) and head.content[:4] == b"OTTO"  # an OpenType (CFF) face
        file_route = url + "gradio_api/file="
        for outside in (f"{folder}/../../../../../../../etc/passwd", f"{ws}/studio.db", str(folder.parent)):
            assert client.get(file_route + quote(outside, safe="")).status_code == 403, outside
