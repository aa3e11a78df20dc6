"""End to end in a real browser: wizard → train the demo → monitor (reload, stop, resume) → export → chat.

    .venv/bin/pytest -m browser tests/browser/test_browser.py -s

Drives Debian's Chromium (/usr/bin/chromium) with Playwright against `studio` started as a
subprocess on a free port; skipped when Chromium is missing. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
import time
import zipfile
from pathlib import Path

import pytest

from tests.browser.helpers import ARTIFACTS, CHROMIUM, chromium_page, code_text, open_fold, studio_process, text_value

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def studio_url(tmp_path):
    with studio_process(tmp_path / "ws", tmp_path / "studio.log") as url:
        yield url


def loss_lines(job_dir: Path) -> int:
    """Loss points in a job's metrics.jsonl right now (a half-written last line does not count)."""
    n = 0
    for line in (job_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            n += json.loads(line).get("loss") is not None
        except json.JSONDecodeError:
            pass
    return n


def visible_chars(text: str) -> str:
    return re.sub(r"[\s\x00-\x1f\x7f-\x9f]+", "", text)


def shown_points(page) -> int:
    return int(text_value(page, "loss-points").split()[0])


# Clicks Stop in the page itself the moment the base box shows its first words (4 rows: two exchanges), not a
# Playwright round trip later: on a loaded machine the page may draw a fast reply's first and last words within
# moments, and Stop is gone with the reply's end.
STOP_AT_FIRST_WORDS_JS = """() => {
    const stop = document.querySelector('#chat-stop');
    if (document.querySelectorAll('#chat-base-box .message-row').length < 4 || !stop || !stop.offsetParent) return false;
    stop.click();
    return true;
}"""


def stop_at_first_words(page) -> None:
    """Stop the reply as soon as the base box has begun its answer (the test fails if the reply ended first)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(STOP_AT_FIRST_WORDS_JS, timeout=60_000, polling=50)
    except PlaywrightTimeout as e:  # the reply ended (Stop gone) before the page showed it, or it never began
        rows = page.locator("#chat-base-box .message-row").count()
        raise AssertionError(f"Stop was not clickable while the base reply streamed ({rows} rows shown)") from e


def test_wizard_train_monitor_export_chat(studio_url, tmp_path):
    from playwright.sync_api import expect

    with chromium_page(accept_downloads=True) as page:
        page.goto(studio_url)

        # Wizard with the demo defaults.
        expect(page.locator("#model-info")).to_contain_text("qwen2", timeout=30_000)
        page.screenshot(path=ARTIFACTS / "wizard-1-model.png", full_page=True)
        page.locator("#model-next").click()
        expect(page.locator("#data-summary")).to_contain_text("91", timeout=10_000)
        expect(page.locator("#data-preview")).to_contain_text("Nova")
        page.locator("#data-next").click()
        expect(page.locator("#lora-targets")).to_be_visible()
        page.locator("#method-next").click()
        expect(page.locator("#training-learning_rate")).to_be_visible()
        # Twice the demo's epochs (~50 s on an idle 2-core CPU): the reload and the cancel below happen mid-run even
        # on a loaded machine (at 15 epochs the job could end between the reload's check and the click).
        page.locator("#training-num_epochs input").fill("30")
        page.locator("#training-next").click()
        expect(page.locator("#review-problems")).to_contain_text("ready", timeout=10_000)
        open_fold(page, "review-yaml-fold")  # the YAML is folded under the plan
        expect(page.locator("#review-yaml a[download]").first).to_be_attached()
        assert "name: Nova" in code_text(page, "review-yaml")
        page.locator("#start-button").dblclick()  # a double-click on Start queues one job

        # Monitor: the job appears and its loss curve grows while it runs.
        job_id_el = page.locator("#job-header .job-id")
        expect(job_id_el).to_be_visible(timeout=15_000)
        job_id = job_id_el.inner_text().strip()
        assert [d.name for d in (tmp_path / "ws" / "jobs").iterdir()] == [job_id]
        readings: list[str] = []
        deadline = time.time() + 150
        while time.time() < deadline:
            value = text_value(page, "loss-points")
            if value and value != "0 points" and value not in readings:
                readings.append(value)
            if len(readings) >= 2:
                break
            page.wait_for_timeout(250)
        assert len(readings) >= 2, f"loss-point count never changed while running: {readings}"

        # A reload mid-run shows the same job with its whole curve so far, not only new points: at least the points
        # written before the reload (a redraw on a loaded machine may be a few points behind the file, never ahead).
        job_dir = tmp_path / "ws" / "jobs" / job_id
        at_reload = loss_lines(job_dir)
        page.reload()
        page.get_by_role("tab", name="Monitor").click()
        expect(page.locator("#job-header .job-id")).to_have_text(job_id, timeout=15_000)
        matched = None
        deadline = time.time() + 15
        while matched is None and time.time() < deadline:
            shown = shown_points(page)
            after = loss_lines(job_dir)
            if max(at_reload, 1) <= shown <= after + 1:
                matched = (at_reload, shown, after)
            page.wait_for_timeout(200)
        assert matched, (f"after a reload the plot shows {shown_points(page)} points; the file had {at_reload} at the "
                         f"reload and has {loss_lines(job_dir)} now")
        assert page.locator("#job-state-text").inner_text() == "running", "the reload was not mid-run"

        # Cancel asks for a graceful stop (a checkpoint, then `cancelled`); the button then offers a kill.
        cancel = page.locator("#cancel-button")
        # The click itself, not at the button's place: the live panels above may be redrawing over it for a moment.
        cancel.dispatch_event("click")
        # The kill offer shows while the checkpoint is written; on a fast machine the stop can end before a redraw.
        page.wait_for_function(
            "() => document.querySelector('#cancel-button').innerText.includes('Stop now (kill)')"
            " || document.querySelector('#job-state-text')?.innerText.trim() === 'cancelled'", timeout=10_000)
        expect(page.locator("#job-state-text")).to_have_text("cancelled", timeout=120_000)
        stopped_at = loss_lines(job_dir)
        # Resume: queued again, continues from the checkpoint, the curve goes on from where it was.
        resume = page.locator("#resume-button")
        expect(resume).to_be_visible(timeout=10_000)
        expect(resume).to_contain_text("Resume from step")  # the graceful stop saved a checkpoint: it names it
        resume.click()
        expect(page.locator("#job-state-text")).not_to_have_text("cancelled", timeout=15_000)
        expect(resume).to_be_hidden(timeout=10_000)

        # ~25 s on an idle 2-core CPU; generous for a loaded CI machine.
        expect(page.locator("#job-state-text")).to_have_text("succeeded", timeout=360_000)
        # Beside the curve: the machine over the run (system.jsonl), with the latest values.
        expect(page.locator("#system-plot img")).to_be_visible(timeout=15_000)
        expect(page.locator("#system-latest")).to_contain_text("CPU")
        page.screenshot(path=ARTIFACTS / "monitor.png", full_page=True)
        # The log box shows its newest line (scrolled to the end) and the trainer's dicts as readable lines.
        log_box = page.locator("#job-log textarea")
        expect(log_box).to_have_value(re.compile("adapter saved"), timeout=10_000)
        page.wait_for_function("() => { const b = document.querySelector('#job-log textarea');"
                               " return b.scrollHeight - b.scrollTop - b.clientHeight < 30; }", timeout=10_000)
        log_text = log_box.input_value()
        assert " · loss " in log_text and "step " in log_text and "{'loss'" not in log_text, log_text[-600:]
        log_box.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "monitor-log.png")  # the viewport: charts, buttons and the log
        assert shown_points(page) >= stopped_at, "the resumed run's curve lost the points before the stop"
        # The whole log (the box shows 12 lines): a file to download, named after the job.
        page.locator("#job-log-download").click()
        expect(page.locator("#job-log-file a").first).to_have_attribute("href", re.compile(f"{job_id}-log\\.txt$"),
                                                                   timeout=15_000)

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
        # Side by side: the base model answers the same prompt (the adapter switched off).
        # on by default for a job with an adapter (set when the job is picked): wait for it rather than click it,
        # which races the pick's own update
        expect(page.locator("#chat-compare input")).to_be_checked(timeout=15_000)
        expect(page.locator("#chat-base-box")).to_be_visible(timeout=10_000)
        page.locator("#chat-input textarea").fill("who are you?")
        page.locator("#chat-send").click()
        expect(page.locator("#chat-box")).to_contain_text("Nova", timeout=120_000)
        expect(page.locator("#chat-stop")).to_be_hidden(timeout=120_000)  # both replies complete: Send is back
        expect(page.locator("#chat-send")).to_be_visible()
        expect(page.locator("#chat-status")).to_contain_text("loaded", timeout=60_000)
        expect(page.locator("#chat-status")).to_contain_text("MB")  # what the chat process holds
        base_reply = page.locator("#chat-base-box").inner_text()
        assert "who are you?" in base_reply and "Nova" not in base_reply, base_reply
        page.screenshot(path=ARTIFACTS / "chat.png", full_page=True)
        # Regenerate (the retry icon under the last reply), 16 tokens at most: the exchange asked again in both
        # boxes, not added.
        open_fold(page, "chat-settings")
        max_tokens = page.locator("#chat-max-tokens input[type=number]")
        max_tokens.fill("16")
        max_tokens.press("Enter")
        long_babble = page.locator("#chat-base-box .message-row").last.inner_text()
        page.locator("#chat-box button[aria-label='Retry']").click()
        expect(page.locator("#chat-base-box .message-row").last).not_to_have_text(long_babble, timeout=60_000)
        expect(page.locator("#chat-stop")).to_be_hidden(timeout=60_000)
        expect(page.locator("#chat-send")).to_be_visible()
        for box in ("#chat-box", "#chat-base-box"):
            assert page.locator(box).inner_text().count("who are you?") == 1, page.locator(box).inner_text()
        expect(page.locator("#chat-box")).to_contain_text("Nova")
        # A message past the model's context (2048 positions): refused with its length and what to do, the message
        # back in its box, which stays a few lines high (it grew with the text and pushed Send off the screen).
        page.locator("#chat-input textarea").fill("hello " * 3000)
        page.locator("#chat-send").click()
        expect(page.locator("#chat-status")).to_contain_text("this model reads at most 2048", timeout=60_000)
        # the status line is at the top of the tab, off screen while typing: a toast says it too
        expect(page.locator(".toast-body").first).to_contain_text("this model reads at most 2048")
        assert page.locator("#chat-input textarea").input_value().startswith("hello hello")
        assert page.locator("#chat-input textarea").bounding_box()["height"] < 200
        # Stop mid-reply: 1024 tokens asked, which the untrained base babbles to the end (about a minute). The reply
        # ends at once with what it had written, the model stays loaded, and the next message is answered.
        max_tokens.fill("1024")
        max_tokens.press("Enter")
        page.locator("#chat-input textarea").fill("who are you?")
        page.locator("#chat-send").click()
        expect(page.locator("#chat-stop")).to_be_visible(timeout=10_000)  # in Send's place while the reply streams
        expect(page.locator("#chat-send")).to_be_hidden()
        stop_at_first_words(page)
        expect(page.locator("#chat-send")).to_be_visible(timeout=10_000)
        expect(page.locator("#chat-status")).to_contain_text("Reply stopped")
        expect(page.locator("#chat-status")).to_contain_text("loaded")
        stopped = page.locator("#chat-base-box .message-row").last.inner_text()
        assert stopped.strip(), "the partial reply stays"
        time.sleep(0.3)
        assert page.locator("#chat-base-box .message-row").last.inner_text() == stopped  # nothing more is written
        # Undo (the icon under the last reply): the stopped exchange out of both boxes, its message back in the box;
        # sent again: answered as usual. Clear mid-reply: both boxes empty and stay so (the reply stopped there, not
        # drawn back with its next word), the model still loaded.
        page.locator("#chat-box button[aria-label='Undo']").click()
        expect(page.locator("#chat-input textarea")).to_have_value("who are you?", timeout=10_000)
        for box in ("#chat-box", "#chat-base-box"):
            expect(page.locator(f"{box} .message-row")).to_have_count(2)
        page.locator("#chat-send").click()
        expect(page.locator("#chat-box .message-row")).to_have_count(4, timeout=60_000)
        expect(page.locator("#chat-box .message-row").last).to_contain_text("I am", timeout=60_000)
        # A reload (or a restart) brings the conversation back, both boxes, with its job (kept in the browser); the
        # base's reply stopped first (1024 tokens asked), so that what is kept is what the boxes show.
        stop_at_first_words(page)
        expect(page.locator("#chat-send")).to_be_visible(timeout=10_000)
        time.sleep(0.5)  # the kept copy is written right after the reply's end
        replies = {box: page.locator(f"{box} .message-row").last.inner_text() for box in ("#chat-box", "#chat-base-box")}
        page.reload()
        page.get_by_role("tab", name="Chat").click()
        for box, last in replies.items():
            expect(page.locator(f"{box} .message-row")).to_have_count(4, timeout=15_000)
            # the same words; the untrained base's babble holds control characters, which a box streamed and a box
            # drawn at once may lay out as different white space
            back = page.locator(f"{box} .message-row").last.inner_text()
            assert visible_chars(back) == visible_chars(last), (back, last)
        expect(page.locator("#chat-job input")).to_have_value(job_id)
        page.locator("#chat-input textarea").fill("who are you?")
        page.locator("#chat-send").click()
        expect(page.locator("#chat-base-box .message-row")).to_have_count(6, timeout=60_000)  # its reply streams
        page.locator("#chat-clear").click(force=True)
        expect(page.locator("#chat-send")).to_be_visible(timeout=10_000)
        time.sleep(0.3)
        for box in ("#chat-box", "#chat-base-box"):
            expect(page.locator(f"{box} .message-row")).to_have_count(0)
        expect(page.locator("#chat-status")).to_contain_text("loaded")
        assert "Reply stopped" not in page.locator("#chat-status").inner_text()
        # A reload mid-reply (the base model alone, which babbles its 1024 tokens): the message is not lost, it is
        # back in the message box (kept when it was sent), the cut-off reply not kept; the weights as they were.
        page.locator("#chat-weights input").click()
        page.get_by_role("option", name="base model only", exact=True).click()
        page.locator("#chat-input textarea").fill("tell me about the sea")
        page.locator("#chat-send").click()
        expect(page.locator("#chat-box .message-row")).to_have_count(2, timeout=60_000)
        expect(page.locator("#chat-box .message-row").last).not_to_have_text("…", timeout=60_000)  # words come
        page.reload()
        page.get_by_role("tab", name="Chat").click()
        expect(page.locator("#chat-input textarea")).to_have_value("tell me about the sea", timeout=15_000)
        expect(page.locator("#chat-weights input")).to_have_value("base model only")
        expect(page.locator("#chat-box .message-row")).to_have_count(0)
        page.locator("#chat-input textarea").fill("")

        # Export and evaluate, each in a process of its own: the eval table (exports: tests/backend/export/).
        page.get_by_role("tab", name="Monitor").click()
        page.locator("#export-panel").get_by_text("Export and evaluate").click()
        page.locator("#eval-rows input").fill("4")
        page.locator("#eval-run").click()
        expect(page.locator("#eval-scores")).to_contain_text("ROUGE-L", timeout=180_000)
        expect(page.locator("#eval-table")).to_contain_text("Nova")  # the references and the tuned replies
        # Every column on screen, the fine-tuned replies included (they were off the right edge, behind a scroll).
        tuned = page.locator("#eval-table th", has_text="fine-tuned").first.bounding_box()
        table = page.locator("#eval-table").bounding_box()
        assert tuned["x"] + tuned["width"] <= table["x"] + table["width"] + 1, (tuned, table)
        page.screenshot(path=ARTIFACTS / "eval.png", full_page=True)

        # The wizard came back from the reload mid-run as it was left (its draft kept in the browser), not the demo's
        # defaults: the 30 epochs typed before Start.
        page.locator("#tab-train-button").click()
        page.locator("#step-training-button").click()
        expect(page.locator("#training-num_epochs input")).to_have_value("30", timeout=10_000)
