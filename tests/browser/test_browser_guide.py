"""The newcomer's guidance in a real browser, at laptop width: presets fill the wizard, the steps
show their state, Start is disabled with the reason, the Review measures speed, the hardware panel.
(The language switch: tests/browser/test_browser_lang.py.)

    .venv/bin/pytest -m browser tests/browser/test_browser_guide.py -s

It runs against the session's shared studio (tests/conftest.py: started once, no job is ever
started on it), in a browser of its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import ARTIFACTS, CHROMIUM, ROOT, chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]
LAPTOP = {"width": 1366, "height": 768}


def no_sideways_scroll(page) -> None:
    width, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client + 1, f"the page scrolls sideways at {client}px: {width}px wide"


def step(page, name: str):
    return page.locator("button[role=tab]").filter(has_text=name).first


def test_presets_step_states_review_and_hardware_at_laptop_width(shared_studio):
    from playwright.sync_api import expect

    url, ws = shared_studio
    with chromium_page(viewport=LAPTOP) as page:
        page.goto(url)
        expect(page.locator("#model-info")).to_contain_text("qwen2", timeout=30_000)
        no_sideways_scroll(page)

        # The hardware panel says what this machine has.
        page.locator("#hardware").get_by_text("This machine").click()
        expect(page.locator("#hardware-panel")).to_contain_text("CPU", timeout=10_000)
        expect(page.locator("#hardware-panel")).to_contain_text("RAM")
        page.screenshot(path=ARTIFACTS / "hardware.png")
        page.locator("#hardware").get_by_text("This machine").click()

        # A spec file loads into the wizard; the current wizard saves as a preset of one's own.
        page.locator("#presets").get_by_text("Presets and spec files").click()
        page.locator("#presets-upload input[type=file]").set_input_files(str(ROOT / "templates" / "demo.yaml"))
        expect(page.locator("#presets-status")).to_contain_text("demo.yaml", timeout=20_000)
        page.locator("#presets-name textarea, #presets-name input").first.fill("my-demo")
        page.locator("#presets-save").click()
        expect(page.locator("#presets-status")).to_contain_text("saved/my-demo", timeout=20_000)
        assert (ws / "presets" / "my-demo.yaml").is_file()

        # A task preset fills the wizard: the JSON-reply data and a max length that fits it.
        page.locator("#presets-pick input").click()
        page.get_by_role("option", name="Task: Always reply in JSON").click()
        expect(page.locator("#presets-description")).to_contain_text("JSON", timeout=10_000)
        page.screenshot(path=ARTIFACTS / "presets.png")
        page.locator("#presets-apply").click()
        expect(page.locator("#presets-status")).to_contain_text("Always reply in JSON", timeout=20_000)
        step(page, "Data").click()
        expect(page.locator("#data-summary")).to_contain_text("48", timeout=30_000)
        step(page, "Training").click()
        expect(page.locator("#training-max_length input")).to_have_value("384", timeout=10_000)
        no_sideways_scroll(page)
        page.screenshot(path=ARTIFACTS / "wizard-4-training.png", full_page=True)

        # A step with a problem is marked, and Start is disabled with the reason.
        step(page, "Model").click()
        page.locator("#model-source label").filter(has_text="Local folder").click()
        page.locator("#model-path textarea, #model-path input").first.fill("/nonexistent/model")
        step(page, "Review").click()
        expect(page.locator("#review-problems")).to_contain_text("not a model folder", timeout=20_000)
        expect(page.locator("#start-button")).to_be_disabled()
        expect(step(page, "Model")).to_contain_text("⚠", timeout=10_000)
        expect(step(page, "Data")).to_contain_text("✓")
        page.screenshot(path=ARTIFACTS / "review-problem.png", full_page=True)

        # Back to the demo model: the Review plans steps, rows and tokens, and measures the time.
        step(page, "Model").click()
        page.locator("#model-source label").filter(has_text="Built-in demo").click()
        step(page, "Review").click()
        expect(page.locator("#review-problems")).to_contain_text("ready", timeout=20_000)
        expect(page.locator("#start-button")).to_be_enabled()
        expect(step(page, "Model")).not_to_contain_text("⚠", timeout=10_000)
        expect(page.locator("#review-estimate")).to_contain_text("training steps")
        expect(page.locator("#review-estimate")).to_contain_text("Tokens")
        expect(page.locator("#review-estimate")).to_contain_text("not measured yet")
        page.locator("#review-measure").click()
        expect(page.locator("#review-estimate")).to_contain_text("measured by the speed test", timeout=120_000)
        no_sideways_scroll(page)
        page.screenshot(path=ARTIFACTS / "wizard-5-review.png", full_page=True)
