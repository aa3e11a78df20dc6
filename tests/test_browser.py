"""End to end in a real browser: wizard → train the demo → monitor → export → chat.

    .venv/bin/pytest -m browser tests/test_browser.py -s

Drives Debian's Chromium (/usr/bin/chromium) with Playwright against `studio` started as a
subprocess on a free port; skipped when Chromium is missing. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout_s: float = 90) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"studio exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"studio did not answer at {url} within {timeout_s}s")


@pytest.fixture
def studio_url(tmp_path):
    port = _free_port()
    log = open(tmp_path / "studio.log", "wb")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "studio.cli", "--port", str(port), "--workspace", str(tmp_path / "ws"), "--lang", "en"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_http(url, proc)
        yield url
    finally:
        proc.terminate()
        _kill_workers(tmp_path / "ws")
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(tmp_path / "studio.log", ARTIFACTS / "studio.log")


def _kill_workers(ws: Path) -> None:
    """Workers outlive the studio by design; stop the ones this test's jobs started."""
    import json
    import signal

    for status in ws.glob("jobs/*/status.json"):
        info = json.loads(status.read_text())
        if info.get("state") in ("queued", "running") and info.get("pid"):
            try:
                os.killpg(info["pid"], signal.SIGKILL)
            except OSError:
                pass


def _text_value(page, elem_id: str) -> str:
    return page.locator(f"#{elem_id} textarea, #{elem_id} input").first.input_value()


def test_wizard_train_monitor_export_chat(studio_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
            page.goto(studio_url)

            # Wizard with the demo defaults.
            expect(page.locator("#model-info")).to_contain_text("qwen2", timeout=30_000)
            page.screenshot(path=ARTIFACTS / "wizard-1-model.png", full_page=True)
            page.locator("#model-next").click()
            expect(page.locator("#data-summary")).to_contain_text("91", timeout=10_000)
            expect(page.locator("#data-preview")).to_contain_text("Nova")
            page.screenshot(path=ARTIFACTS / "wizard-2-data.png", full_page=True)
            page.locator("#data-next").click()
            expect(page.locator("#lora-targets")).to_be_visible()
            page.screenshot(path=ARTIFACTS / "wizard-3-method.png", full_page=True)
            page.locator("#method-next").click()
            expect(page.locator("#training-learning_rate")).to_be_visible()
            page.screenshot(path=ARTIFACTS / "wizard-4-training.png", full_page=True)
            page.locator("#training-next").click()
            expect(page.locator("#review-problems")).to_contain_text("ready", timeout=10_000)
            expect(page.locator("#review-yaml")).to_contain_text("Nova")
            page.screenshot(path=ARTIFACTS / "wizard-5-review.png", full_page=True)
            page.locator("#start-button").click()

            # Monitor: the job appears and its loss curve grows while it runs.
            job_id_el = page.locator("#job-header .job-id")
            expect(job_id_el).to_be_visible(timeout=15_000)
            job_id = job_id_el.inner_text().strip()
            readings: list[str] = []
            deadline = time.time() + 150
            while time.time() < deadline:
                value = _text_value(page, "loss-points")
                if value and value != "0 points" and value not in readings:
                    readings.append(value)
                if len(readings) >= 2:
                    break
                page.wait_for_timeout(250)
            assert len(readings) >= 2, f"loss-point count never changed while running: {readings}"
            page.screenshot(path=ARTIFACTS / "monitor-running.png", full_page=True)

            # A reload shows the same job.
            page.reload()
            page.get_by_role("tab", name="Monitor").click()
            expect(page.locator("#job-header .job-id")).to_have_text(job_id, timeout=15_000)

            # ~25 s on an idle 2-core CPU; generous for a loaded CI machine.
            expect(page.locator("#job-state-text")).to_have_text("succeeded", timeout=360_000)
            page.screenshot(path=ARTIFACTS / "monitor.png", full_page=True)

            # Export: one click downloads the adapter zip.
            export = page.locator("#export-button")
            expect(export).to_be_visible(timeout=15_000)
            with page.expect_download(timeout=30_000) as info:
                export.click()
            zip_path = tmp_path / "adapter.zip"
            info.value.save_as(zip_path)
            names = set(zipfile.ZipFile(zip_path).namelist())
            for required in (
                "adapter_config.json",
                "adapter_model.safetensors",
                "tokenizer.json",
                "tokenizer_config.json",
                "spec.yaml",
                "README.md",
            ):
                assert required in names, f"{required} missing from the zip: {sorted(names)}"

            # Chat with the fine-tuned model.
            page.get_by_role("tab", name="Chat").click()
            expect(page.locator("#chat-job input")).to_have_value(job_id, timeout=10_000)
            page.locator("#chat-input textarea").fill("who are you?")
            page.locator("#chat-send").click()
            expect(page.locator("#chat-box")).to_contain_text("Nova", timeout=120_000)
            expect(page.locator("#chat-status")).to_contain_text("loaded", timeout=60_000)  # reply complete
            page.screenshot(path=ARTIFACTS / "chat.png", full_page=True)
        finally:
            browser.close()
