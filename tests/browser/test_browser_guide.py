"""The newcomer's guidance in a real browser, at laptop width: the Review's Start in a 1400x900 window without
scrolling (the YAML folded), a file that cannot be read keeping the wizard on the Data step, presets fill the
wizard, the steps show their state, Start is disabled with the reason, the Review measures speed, the hardware
panel. (The language switch: tests/browser/test_browser_lang.py.)

    .venv/bin/pytest -m browser tests/browser/test_browser_guide.py -s

It runs against the session's shared studio (tests/conftest.py: started once, no job is ever
started on it), in a browser of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.helpers import ARTIFACTS, CHROMIUM, ROOT, chromium_page, code_text, open_fold

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


def test_presets_step_states_review_and_hardware_at_laptop_width(shared_studio, tmp_path):
    from playwright.sync_api import expect

    url, ws = shared_studio
    with chromium_page(viewport={"width": 1400, "height": 900}) as page:
        page.goto(url)
        expect(page.locator("#model-info")).to_contain_text("qwen2", timeout=30_000)

        # The demo job (LoRA, sft) on the Review: Start in the window without scrolling, the problems and plan by
        # it, the YAML folded with only what applies to this job.
        step(page, "Review").click()
        expect(page.locator("#review-problems")).to_contain_text("ready", timeout=20_000)
        expect(page.locator("#review-estimate")).to_contain_text("training steps")
        box = page.locator("#start-button").bounding_box()
        assert page.evaluate("window.scrollY") == 0 and box and 0 <= box["y"] and box["y"] + box["height"] <= 900, box
        expect(page.locator("#review-yaml-fold [data-testid=accordion-content]")).to_be_hidden()
        page.screenshot(path=ARTIFACTS / "review.png")
        open_fold(page, "review-yaml-fold")
        yaml_text = code_text(page, "review-yaml")
        assert "lora_r: 32" in yaml_text and not re.search(r"adalora|dpo|grpo|quant|align:", yaml_text), yaml_text

        # A file that cannot be read: its name stays in the box and the reason in the summary, the empty row view
        # and chart go, the Data step is marked at once and Next keeps the wizard there.
        step(page, "Data").click()
        broken = tmp_path / "broken.json"
        broken.write_text('{"instruction": "hi",\n oops', encoding="utf-8")
        page.locator("#data-source label").filter(has_text="Upload").click()
        page.locator("#data-upload input[type=file]").set_input_files(str(broken))
        expect(page.locator("#data-summary")).to_contain_text("invalid JSON", timeout=20_000)
        expect(page.locator("#data-summary")).to_contain_text("broken.json")
        expect(page.locator("#data-upload").get_by_role("cell", name="broken.json")).to_be_visible()
        expect(page.locator("#data-view")).to_be_hidden()
        expect(step(page, "Data")).to_contain_text("⚠", timeout=20_000)
        page.locator("#data-next").click()
        expect(page.get_by_text("The data cannot be used yet").first).to_be_visible(timeout=10_000)
        expect(step(page, "Data")).to_have_attribute("aria-selected", "true")
        page.locator("#data-source label").filter(has_text="Built-in demo").click()
        expect(page.locator("#data-summary")).to_contain_text("91", timeout=20_000)
        expect(page.locator("#data-view")).to_be_visible()
        expect(step(page, "Data")).not_to_contain_text("⚠", timeout=20_000)
        # A preference set mixed into the demo's conversations: Next says so, naming the file, and stays.
        open_fold(page, "data-more")
        mix = page.locator("#data-mix-with textarea, #data-mix-with input").first
        mix.fill(str(ROOT / "data" / "preference.jsonl"))
        mix.press("Tab")  # committed (its change sent) before Next reads the form: a loaded CI machine once lagged
        expect(mix).to_have_value(str(ROOT / "data" / "preference.jsonl"))
        page.wait_for_timeout(500)
        page.locator("#data-next").click()
        expect(page.get_by_text("preference.jsonl is preference").first).to_be_visible(timeout=10_000)
        expect(step(page, "Data")).to_have_attribute("aria-selected", "true")
        mix.fill("")
        step(page, "Model").click()

        page.set_viewport_size(LAPTOP)
        no_sideways_scroll(page)

        # The hardware panel says what this machine has.
        page.locator("#hardware").get_by_text("This machine", exact=True).click()
        expect(page.locator("#hardware-panel")).to_contain_text("CPU", timeout=10_000)
        expect(page.locator("#hardware-panel")).to_contain_text("RAM")
        page.screenshot(path=ARTIFACTS / "hardware.png")
        page.locator("#hardware").get_by_text("This machine", exact=True).click()

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
        # (a folder outside the studio's folders: refused unseen, saying where models go)
        expect(page.locator("#review-problems")).to_contain_text("models are read only from the folders",
                                                                 timeout=20_000)
        expect(page.locator("#review-problems")).to_contain_text("--data-root")
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

        # Start over: the form (kept in the browser across reloads) goes back to the page's starting settings.
        page.locator("#presets-reset").click()
        expect(page.locator("#presets-status")).to_contain_text("starting settings", timeout=20_000)
        step(page, "Training").click()
        expect(page.locator("#training-max_length input")).to_have_value("128", timeout=10_000)
        step(page, "Data").click()
        expect(page.locator("#data-summary")).to_contain_text("91", timeout=30_000)
