"""The Monitor's Serve panel in a real browser: Start serves the finished demo job (`studio serve-model` as the
studio's child), the panel shows its URL, the official openai client gets the tuned model's reply from that URL,
and Stop stops it.

    .venv/bin/pytest -m browser tests/browser/test_browser_serve.py -s
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, chromium_page, free_port, open_fold, studio_process

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_serve_panel_starts_a_server_the_openai_client_answers_and_stops_it(demo_job, tmp_path):
    import openai
    from playwright.sync_api import expect

    ws, job_dir = demo_job
    port = free_port()
    with studio_process(ws.root, tmp_path / "studio-serve.log") as url, chromium_page() as page:
        page.goto(url)
        page.get_by_role("tab", name="Monitor").click()
        page.locator("#job-picker input").click()
        page.locator("#job-picker [role=option]", has_text=job_dir.name).first.click()
        open_fold(page, "serve-panel")
        page.locator("#serve-port input").fill(str(port))
        page.locator("#serve-key input").fill("sk-panel")
        page.locator("#serve-start").click()
        status = page.locator("#serve-status")
        base_url = f"http://127.0.0.1:{port}/v1"
        expect(status).to_contain_text(base_url, timeout=90_000)
        expect(status).to_contain_text(f"{job_dir.name}:base")
        expect(page.locator("#serve-python")).to_contain_text("OpenAI(base_url=")
        assert "sk-panel" not in page.content()  # the key is never written back into the page
        client = openai.OpenAI(base_url=re.search(r"http://\S+/v1", status.inner_text()).group(0),
                               api_key="sk-panel", max_retries=0, timeout=60)
        reply = client.chat.completions.create(model=job_dir.name, temperature=0, max_tokens=24,
                                               messages=[{"role": "user", "content": "Who are you?"}])
        assert "Nova" in reply.choices[0].message.content
        page.locator("#serve-stop").click()
        expect(status).to_contain_text("stopped", timeout=20_000)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5)
