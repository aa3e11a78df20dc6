"""The Method step in a real browser: each stage and method shows its own settings, pairs that
cannot work are refused with the reason (Start stays disabled), and Review shows the trainable
parameters and the memory estimate.

    .venv/bin/pytest -m browser tests/browser/test_browser_method.py -s
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import ARTIFACTS, CHROMIUM, chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_method_step_fields_refusals_and_review(shared_studio):
    from playwright.sync_api import expect

    # Groups appear after a server round trip; a loaded CI machine can take longer than the 5 s default.
    expect.set_options(timeout=20_000)
    url, _ = shared_studio  # tests/conftest.py: one studio for the browser tests that start no job
    with chromium_page() as page:
        page.goto(url)
        page.get_by_role("tab", name="3 · Method").click()
        advice = page.locator("#method-advice")
        expect(page.locator("#lora-r")).to_be_visible()
        expect(page.locator("#align-beta")).to_be_hidden()

        # dpo + QLoRA: beta, the DPO loss and the bits appear; GRPO's settings do not.
        page.locator("#stage label", has_text="dpo").click()
        page.locator("#method-name label", has_text="QLoRA").click()
        for shown in ("#align-beta", "#dpo-loss", "#quant-bits", "#lora-r"):
            expect(page.locator(shown)).to_be_visible()
        for hidden in ("#num-generations", "#kto-desirable", "#virtual-tokens", "#freeze-layers"):
            expect(page.locator(hidden)).to_be_hidden()
        expect(advice).to_contain_text("preference pairs")

        # full fine-tuning brings a tenfold lower learning rate; freeze shows its layer count.
        page.locator("#method-name label", has_text="full").click()
        expect(page.locator("#lora-r")).to_be_hidden()
        page.get_by_role("tab", name="4 · Training").click()
        expect(page.locator("#training-learning_rate input")).to_have_value("0.0002")
        page.get_by_role("tab", name="3 · Method").click()
        page.locator("#method-name label", has_text="freeze").click()
        expect(page.locator("#freeze-layers")).to_be_visible()
        # AdaLoRA has its own ranks: LoRA's rank (which it ignores) is not offered beside them.
        page.locator("#method-name label", has_text="AdaLoRA").click()
        expect(page.locator("#adalora-init-r")).to_be_visible()
        expect(page.locator("#lora-alpha")).to_be_visible()
        expect(page.locator("#lora-r")).to_be_hidden()
        page.locator("#method-name label", has_text="freeze").click()

        # grpo: generations, loss, GSPO switch and the reward weights with what each does.
        page.locator("#stage label", has_text="grpo").click()
        for shown in ("#num-generations", "#grpo-loss", "#importance-sampling", "#reward-format"):
            expect(page.locator(shown)).to_be_visible()
        expect(page.locator("#reward-format")).to_contain_text("<think>")
        page.screenshot(path=ARTIFACTS / "wizard-3-method-grpo.png", full_page=True)
        # The target length is the length reward's: shown once that reward has a weight.
        expect(page.locator("#length-target")).to_be_hidden()
        page.locator("#reward-length input[type=number]").fill("0.5")
        page.locator("#reward-length input[type=number]").press("Enter")
        expect(page.locator("#length-target")).to_be_visible()

        # A pair that cannot work: said at once, and Start stays disabled on Review.
        page.locator("#stage label", has_text="rm").click()
        page.locator("#method-name label", has_text="prompt tuning").click()
        expect(advice).to_contain_text("a reward model scores with a classification head")
        page.get_by_role("tab", name="5 · Review").click()
        page.get_by_role("tab", name="4 · Training").click()
        page.locator("#training-next").click()
        problems = page.locator("#review-problems")
        expect(problems).to_contain_text("method.name", timeout=20_000)
        expect(page.locator("#start-button")).to_be_disabled()
        # rm with LoRA is a fine pair, but the demo set has no preference pairs: said on Review.
        page.get_by_role("tab", name="3 · Method").click()
        page.locator("#method-name label", has_text="LoRA").first.click()
        page.get_by_role("tab", name="4 · Training").click()
        page.locator("#training-next").click()
        expect(problems).to_contain_text("stage rm cannot learn from this data (sft)", timeout=20_000)
        expect(page.locator("#start-button")).to_be_disabled()

        # PPO is listed, and says why it cannot run.
        page.get_by_role("tab", name="3 · Method").click()
        page.locator("#stage label", has_text="ppo").click()
        expect(advice).to_contain_text("TRL 1.16 no longer ships PPO")

        # A valid pair: Review shows the trainable share and the memory estimate.
        page.locator("#stage label", has_text="sft · instructions").click()
        page.locator("#method-name label", has_text="LoRA").first.click()
        page.get_by_role("tab", name="4 · Training").click()
        page.locator("#training-next").click()
        estimate = page.locator("#review-estimate")
        expect(problems).to_contain_text("ready", timeout=20_000)
        expect(estimate).to_contain_text("Trainable parameters:")
        expect(estimate).to_contain_text("Peak memory (estimate):")
        expect(page.locator("#start-button")).to_be_enabled()
