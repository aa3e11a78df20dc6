"""Chat with an image in a real browser: a trained vision-language job (the session's vlm_job, copied into the
studio's workspace and indexed as succeeded, so nothing trains here) in the Chat tab; a broken upload is a message
naming the file; 1.jpg of mllm_demo attached to "Who are they?": the image shows in both columns, the tuned model
answers what it was taught about that photo and the base model (adapter off) does not; then the page in Chinese.

    .venv/bin/pytest -m browser tests/browser/test_chat_image.py -s
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.browser.helpers import ARTIFACTS, CHROMIUM, chromium_page, studio_process
from tests.conftest import vl_workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

PHOTO = Path(__file__).resolve().parents[2] / "data" / "vision_demo" / "mllm_demo_data" / "1.jpg"


def copied_job(vlm_job, ws) -> str:
    """vlm_job's spec, metrics and adapter as a succeeded job of `ws`."""
    from backend.spec import JobSpec
    from backend.store import JobStore

    _, trained = vlm_job
    store = JobStore(ws)
    job_id = store.create_job(JobSpec.from_yaml((trained / "spec.yaml").read_text(encoding="utf-8")))
    store.mark_running(job_id, 0)
    job_dir = store.job_dir(job_id)
    shutil.copytree(trained / "adapter", job_dir / "adapter")
    shutil.copy(trained / "metrics.jsonl", job_dir / "metrics.jsonl")
    losses = [json.loads(line).get("loss") for line in (job_dir / "metrics.jsonl").read_text().splitlines()]
    store.mark_succeeded(job_id, [x for x in losses if x is not None][-1])
    return job_id


def test_chat_about_an_uploaded_image_base_and_tuned(vlm_job, demo_vl_models_dir, tmp_path):
    from playwright.sync_api import expect

    ws = vl_workspace(tmp_path / "ws", demo_vl_models_dir)
    job_id = copied_job(vlm_job, ws)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(PHOTO.read_bytes()[:1500])  # a JPEG cut short: the browser may draw it, Pillow cannot decode

    with studio_process(ws.root, tmp_path / "studio-chat-image.log") as url, chromium_page() as page:
        page.goto(url)
        page.get_by_role("tab", name="Chat").click()
        expect(page.locator("#chat-job input")).to_have_value(job_id, timeout=30_000)
        expect(page.locator("#chat-compare input")).to_be_checked(timeout=15_000)
        image = page.locator("#chat-image")
        expect(image).to_be_visible(timeout=10_000)  # a vision-language job: the image box beside the message

        # A broken file: a message naming it, the conversation untouched, the studio still answering below.
        image.locator("input[type=file]").set_input_files(broken)
        page.locator("#chat-input textarea").fill("Who are they?")
        page.locator("#chat-send").click()
        expect(page.locator("#chat-status")).to_contain_text("broken.jpg", timeout=30_000)
        expect(page.locator("#chat-status")).to_contain_text("cannot be read as an image")
        expect(page.locator("#chat-box img")).to_have_count(0)
        image.locator("button[aria-label='Remove Image']").click()  # the broken file came back to its box

        image.locator("input[type=file]").set_input_files(PHOTO)
        expect(image.locator("img").first).to_be_visible(timeout=15_000)
        page.locator("#chat-input textarea").fill("Who are they?")
        page.locator("#chat-send").click()
        expect(page.locator("#chat-status")).to_contain_text("loaded", timeout=120_000)  # both replies complete
        tuned = page.locator("#chat-box")
        base = page.locator("#chat-base-box")
        expect(tuned).to_contain_text("Kane and Gretzka")  # mllm_demo's answer about 1.jpg
        for box in (tuned, base):  # the photo in both conversations, above the question
            expect(box.locator("img").first).to_be_visible()
            expect(box).to_contain_text("Who are they?")
        base_text = base.inner_text()
        assert "Kane" not in base_text and base_text.strip() != "Who are they?", base_text  # the base answered too
        expect(image.locator("img")).to_have_count(0)  # the image went with the message
        page.screenshot(path=ARTIFACTS / "chat_image.png", full_page=True)

        page.locator("#lang-switch label").filter(has_text="中文").click()
        expect(page.get_by_role("tab", name="对话")).to_be_visible(timeout=15_000)
        expect(image).to_contain_text("图片（不超过", timeout=15_000)
        expect(image).to_contain_text("将图片拖放到此处")  # gradio's own drop-zone words, in Chinese too
        expect(image).not_to_contain_text("Drop Image Here")
        expect(page.locator("#chat-status")).to_contain_text("已加载", timeout=15_000)  # redrawn in Chinese
        expect(tuned.locator("img").first).to_be_visible()
        page.screenshot(path=ARTIFACTS / "chat_image_zh.png", full_page=True)
