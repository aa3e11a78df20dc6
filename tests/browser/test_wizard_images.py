"""The wizard with images in a real browser (issue 22): the vision-language demo model and the image demo data, the
row's thumbnails and its tokens as the model's processor makes them (trained tokens marked, image tokens one
marker), the vision options on the Method step, then 20 steps of training that succeed with a loss curve; the
Data step in Chinese is screenshotted.

    .venv/bin/pytest -m browser tests/browser/test_wizard_images.py -s
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.browser.helpers import ARTIFACTS, CHROMIUM, chromium_page, code_text, open_fold, studio_process, text_value
from tests.conftest import vl_workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_wizard_trains_the_vision_demo_on_images(tmp_path, demo_vl_models_dir):
    from playwright.sync_api import expect

    ws = vl_workspace(tmp_path / "ws", demo_vl_models_dir)  # demo-vl already built: no build on the page
    with studio_process(ws.root, tmp_path / "studio.log") as url, chromium_page() as page:
        page.goto(url)
        expect(page.locator("#model-info")).to_contain_text("qwen2", timeout=30_000)

        # Model: the vision-language demo, described as one (its where line says so).
        page.locator("#model-source label").filter(has_text="vision-language demo").click()
        expect(page.locator("#model-info")).to_contain_text("qwen2_vl", timeout=20_000)
        expect(page.locator("#model-info")).to_contain_text("vision-language model")
        expect(page.locator("#model-path")).to_be_hidden()
        page.locator("#model-next").click()

        # Data: the image demo; each row shows its images and the processor's tokens.
        page.locator("#data-source label").filter(has_text="Built-in image demo").click()
        expect(page.locator("#data-summary")).to_contain_text("6", timeout=20_000)
        preview = page.locator("#data-preview")
        expect(preview.locator("img.dp-thumb").first).to_be_visible(timeout=60_000)
        assert preview.locator("img.dp-thumb").count() == 2  # row 1 asks about 1.jpg twice
        assert preview.locator("img.dp-thumb").first.get_attribute("src").startswith("data:image/jpeg;base64,")
        expect(preview.locator("mark.trained").first).to_contain_text("Kane and Gretzka")
        tokens = preview.locator(".token-preview").inner_text()
        runs = [int(n) for n in re.findall(r"<\|image_pad\|> ×(\d+)", tokens)]
        assert len(runs) == 2 and all(n >= 4 for n in runs), tokens  # each image: one marker of its token run
        assert "<|image_pad|><|image_pad|>" not in tokens
        expect(preview).to_contain_text("image tokens")
        # max length 128 (the wizard's default): the two longest rows, with their image tokens, are left out.
        expect(page.locator("#data-fit")).to_contain_text("2 of 6 sampled rows are longer", timeout=20_000)
        page.locator("#data-row-next").click()  # row 2: another photo
        expect(preview.locator("figcaption").first).to_contain_text("2.jpg", timeout=20_000)
        page.screenshot(path=ARTIFACTS / "wizard-images-data.png", full_page=True)

        # The Data step in Chinese: thumbnails and the token view redrawn in the page's language.
        page.locator("#lang-switch label").filter(has_text="中文").click()
        expect(preview).to_contain_text("图像词元", timeout=60_000)
        expect(preview.locator("img.dp-thumb").first).to_be_visible()
        page.screenshot(path=ARTIFACTS / "wizard-images-data-zh.png", full_page=True)
        page.get_by_role("tab", name="1 · 模型").click()  # the model's facts in Chinese: it reads images
        expect(page.locator("#model-info")).to_contain_text("可读图像", timeout=20_000)
        expect(page.locator("#model-info")).to_contain_text("视觉编码器")
        page.screenshot(path=ARTIFACTS / "wizard-images-model-zh.png", full_page=True)
        page.get_by_role("tab", name="2 · 数据").click()
        page.locator("#lang-switch label").filter(has_text="English").click()
        expect(preview).to_contain_text("image tokens", timeout=60_000)

        # Method: LoRA, with the vision options (off by default) shown for this model.
        page.locator("#data-next").click()
        expect(page.locator("#vision-options").first).to_be_visible(timeout=10_000)
        projector = page.locator("#method-train_projector input")
        expect(projector).not_to_be_checked()
        projector.check()
        page.locator("#method-next").click()

        # Training: 20 steps.
        page.locator("#training-max_steps input").fill("20")
        page.locator("#training-max_steps input").press("Tab")
        page.locator("#training-next").click()
        expect(page.locator("#review-problems")).to_contain_text("ready", timeout=30_000)
        expect(page.get_by_text("Vision tower and projector (in the estimate)")).to_be_visible(timeout=30_000)
        open_fold(page, "review-yaml-fold")
        yaml_text = code_text(page, "review-yaml")
        assert "name_or_path: demo-vl" in yaml_text and "train: demo-vl" in yaml_text, yaml_text
        assert "train_projector: true" in yaml_text and "train_vision_tower: false" in yaml_text, yaml_text
        page.locator("#start-button").click()

        job_id_el = page.locator("#job-header .job-id")
        expect(job_id_el).to_be_visible(timeout=15_000)
        job_id = job_id_el.inner_text().strip()
        expect(page.locator("#job-state-text")).to_have_text("succeeded", timeout=150_000)
        shown = 0
        for _ in range(100):  # the curve's last points arrive with the final refresh
            shown = int(text_value(page, "loss-points").split()[0])
            if shown >= 3:
                break
            page.wait_for_timeout(200)
        page.screenshot(path=ARTIFACTS / "wizard-images-trained.png", full_page=True)

    job_dir = ws.root / "jobs" / job_id
    losses = [json.loads(x)["loss"] for x in (job_dir / "metrics.jsonl").read_text().splitlines()
              if x.strip() and json.loads(x).get("loss") is not None]
    assert shown >= 3 and len(losses) >= 3, (shown, losses)
    assert losses[-1] < losses[0], losses
    spec = (job_dir / "spec.yaml").read_text()
    assert "demo-vl" in spec and "train_projector: true" in spec and "max_steps: 20" in spec, spec
    assert (job_dir / "adapter" / "adapter_config.json").is_file()
