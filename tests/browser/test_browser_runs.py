"""The Runs tab in a real browser: filled as soon as it opens (a job that ended after the page was
built, with a column for the setting that differs), filter by state, clone into the wizard, compare,
delete (and the trust_remote_code warning on the way); then the Chat tab, side by side on by default
for that job's adapter.

    .venv/bin/pytest -m browser tests/browser/test_browser_runs.py -s

The jobs are written with the store before the studio starts, already final, so the studio
never runs them (no training: the test takes seconds, not minutes).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.browser.helpers import ARTIFACTS, CHROMIUM, TimerTicks, chromium_page, studio_process, text_value

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def finished_job(store, spec, losses: list[float], state: str = "succeeded") -> str:
    from backend.store import JobError

    job_id = store.create_job(spec)
    store.mark_running(job_id, 0)
    lines = [json.dumps({"step": 5 * (i + 1), "loss": loss}) for i, loss in enumerate(losses)]
    (store.job_dir(job_id) / "metrics.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if state == "failed":
        store.mark_failed(job_id, JobError("data", "row 3 has no output", "fix the row"))
    else:
        store.mark_succeeded(job_id, losses[-1])
    return job_id


def pick_option(page, dropdown_id: str, text: str) -> None:
    page.locator(f"#{dropdown_id} input").click()
    page.locator(f"#{dropdown_id} [role=option]", has_text=text).first.click()


def test_runs_filter_clone_compare_delete(workspace, store, tmp_path):
    from playwright.sync_api import expect

    from backend.resources import DEMO_SPEC
    from backend.spec import JobSpec

    spec = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))
    spec.training.learning_rate, spec.training.save_minutes = 1e-4, 2.5
    clone_me = finished_job(store, spec, [2.0, 1.5, 1.1, 0.9])
    other = finished_job(store, JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")), [2.1, 1.2, 0.7])
    broken = finished_job(store, spec, [2.2], state="failed")

    with studio_process(workspace.root, tmp_path / "studio-runs.log") as url, chromium_page() as page:
        ticks = TimerTicks(page)
        page.goto(url)
        expect(page.locator("#model-info")).to_contain_text("qwen2", timeout=30_000)
        # The page polls only for the tab shown: on the Train tab neither the Monitor (1 s) nor the Runs tab
        # (2, 3, 5 s) asks the server anything; nor, once the Monitor has been shown, do the Runs tab's timers, nor
        # on the Chat tab the Monitor's (gradio keeps a tab's timers once it has drawn the tab).
        ticks.read()
        on_train = time.monotonic()
        # Ticking trust_remote_code warns what it means; unticking hides the warning.
        warning = page.locator("#model-trust-warning")
        expect(warning).to_be_hidden()
        page.locator("#model-trust input").check()
        expect(warning).to_contain_text("runs Python files", timeout=10_000)
        page.locator("#model-trust input").uncheck()
        expect(warning).to_be_hidden(timeout=10_000)
        # A job that ended after the studio built the page (an adapter of its own, 60 epochs): the Runs tab shows
        # it, and the settings that tell the jobs apart, as it opens, well before its 3 s timer.
        longer = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))
        longer.training.num_epochs = 60
        late = finished_job(store, longer, [1.9, 0.4])
        (store.job_dir(late) / "adapter").mkdir()
        (store.job_dir(late) / "adapter" / "adapter_config.json").write_text('{"base_model_name_or_path": "x"}')
        ticks.quiet({1, 2, 3, 5}, on_train, 2.5)
        page.get_by_role("tab", name="Runs").click()
        on_runs = time.monotonic()
        table = page.locator("#runs-table")
        expect(table).to_contain_text(late, timeout=2_500)
        expect(table).to_contain_text("Epochs", timeout=1_000)
        expect(table).to_contain_text(broken)

        # Filter: without `succeeded` only the failed job is listed.
        page.locator("#runs-filter label", has_text="succeeded").click()
        expect(table).not_to_contain_text(clone_me, timeout=10_000)
        expect(table).to_contain_text(broken)
        page.locator("#runs-filter label", has_text="succeeded").click()
        expect(table).to_contain_text(clone_me, timeout=10_000)

        # Compare two jobs: one plot, one colour per job.
        pick_option(page, "compare-jobs", clone_me)
        pick_option(page, "compare-jobs", other)
        expect(page.locator("#compare-summary")).to_contain_text("2 jobs · 7 points", timeout=10_000)
        page.keyboard.press("Escape")
        page.locator("#compare-plot").scroll_into_view_if_needed()
        expect(page.locator("#compare-plot img")).to_be_visible(timeout=10_000)
        page.wait_for_function("document.querySelector('#compare-plot img').complete", timeout=10_000)
        page.screenshot(path=ARTIFACTS / "runs-compare.png", full_page=True)

        # The Runs tab's own timers tick while it is shown, the Monitor's does not.
        ticks.wait_for(2, on_runs)
        assert 1 not in ticks.since(on_runs)

        # Clone into the wizard: the cloned job's values show up in the Training step.
        table.locator("[data-testid^=cell-]", has_text=clone_me).first.click()
        expect(page.locator("#runs-selected input")).to_have_value(clone_me, timeout=10_000)
        page.locator("#runs-clone").click()
        expect(page.locator("#model-info")).to_be_visible(timeout=10_000)
        page.get_by_role("tab", name="4 · Training").click()
        expect(page.locator("#training-save_minutes input")).to_have_value("2.5", timeout=10_000)
        assert float(text_value(page, "training-learning_rate")) == pytest.approx(1e-4)

        # Delete asks first; confirming removes the job and its directory.
        page.get_by_role("tab", name="Runs").click()
        table.locator("[data-testid^=cell-]", has_text=other).first.click()
        expect(page.locator("#runs-selected input")).to_have_value(other, timeout=10_000)
        page.locator("#runs-delete").click()
        confirm = page.locator("#runs-confirm-delete")
        expect(confirm).to_have_text(f"Really delete {other}?", timeout=10_000)
        assert store.job_dir(other).exists(), "deleted before the confirmation"
        confirm.click()
        expect(confirm).to_be_hidden(timeout=10_000)
        expect(table).not_to_contain_text(other, timeout=10_000)
        assert not store.job_dir(other).exists() and store.get(other) is None

        # Open the failed job in Monitor: the error box says what, why and what to try; Resume is offered.
        table.locator("[data-testid^=cell-]", has_text=broken).first.click()
        expect(page.locator("#runs-selected input")).to_have_value(broken, timeout=10_000)
        page.locator("#runs-open").click()
        on_monitor = time.monotonic()  # a handler's switch (Open): the Monitor polls, the Runs tab stops
        expect(page.locator("#job-header .job-id")).to_have_text(broken, timeout=10_000)
        error = page.locator("#job-error")
        expect(error).to_contain_text("data", timeout=10_000)
        expect(error).to_contain_text("row 3 has no output")
        expect(error).to_contain_text("fix the row")
        expect(page.locator("#resume-button")).to_be_visible()
        expect(page.locator("#cancel-button")).to_be_disabled()

        ticks.wait_for(1, on_monitor)
        ticks.quiet({2, 3, 5}, on_monitor, 3.0)  # longer than the queue's 2 s: the Runs tab's timers are off

        # Chat: the newest succeeded job has an adapter, so base and tuned side by side is on; it can be turned off.
        page.get_by_role("tab", name="Chat").click()
        on_chat = time.monotonic()
        expect(page.locator("#chat-job input")).to_have_value(late, timeout=10_000)
        expect(page.locator("#chat-compare input")).to_be_checked(timeout=10_000)
        expect(page.locator("#chat-base-box")).to_be_visible()
        page.locator("#chat-compare input").uncheck()
        expect(page.locator("#chat-base-box")).to_be_hidden(timeout=10_000)
        ticks.quiet({1, 2, 3, 5}, on_chat, 2.5)
