"""A sweep from the page, as a newcomer makes one: the Review step's *Try several values* (two learning rates),
*Start sweep*, its runs through the queue, the Runs tab's Sweeps view with the best run marked, and *Clone the best
run* filling the wizard with that run's learning rate.

    .venv/bin/pytest -m browser tests/browser/test_browser_sweep.py -s
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, chromium_page, open_fold, studio_process
from tests.conftest import wait_for

FINAL = ("succeeded", "failed", "cancelled", "interrupted")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_review_try_values_start_sweep_then_clone_the_best(workspace, tmp_path):
    from playwright.sync_api import expect

    from backend.store import JobStore
    from backend.sweep import study as st
    from backend.sweep.table import sweep_rows

    with studio_process(workspace.root, tmp_path / "studio-sweep.log") as url, chromium_page() as page:
        page.goto(url)
        expect(page.locator("#model-info")).to_contain_text("qwen2", timeout=30_000)
        page.locator("#model-next").click()
        expect(page.locator("#data-summary")).to_contain_text("91", timeout=20_000)
        page.locator("#data-next").click()
        page.locator("#method-next").click()
        page.locator("#training-max_steps input").fill("2")
        page.locator("#training-next").click()
        problems = page.locator("#review-problems")
        expect(problems).to_contain_text("ready", timeout=20_000)

        open_fold(page, "sweep-try")
        page.locator("#sweep-field-1 input").fill("training.learning_rate")
        page.locator("#sweep-field-1 input").press("Enter")
        page.locator("#sweep-values-1 textarea, #sweep-values-1 input").first.fill("1e-4, 5e-3")
        page.locator("#start-sweep-button").click()
        expect(problems).to_contain_text("2 runs through the queue", timeout=20_000)
        sweep_id = re.search(r"Sweep (\S+) started", problems.inner_text()).group(1)
        # Start sweep again at once (a double-click, the page seemed slow): that sweep, not a second one.
        page.locator("#start-sweep-button").click()
        expect(problems).to_contain_text(f"Not started again: sweep {sweep_id}", timeout=20_000)
        assert st.list_sweeps(workspace) == [sweep_id]

        # The runs go through the queue one after the other (parallel 1): wait for both to end.
        store = JobStore(workspace)

        def ended():
            rows, best, _ = sweep_rows(store, sweep_id)
            final = [r for r in rows if store.get(r["job"]) and store.get(r["job"]).state in FINAL]
            return (rows, best) if len(final) == 2 and best is not None else None

        rows, best = wait_for(ended, 240, "the sweep's two runs to end")
        assert sorted(r["params"]["training.learning_rate"] for r in rows) == [1e-4, 5e-3]
        for r in rows:  # the page's other settings travel with each run
            assert store.load_spec(r["job"]).training.max_steps == 2
        best_row = next(r for r in rows if r["best"])

        page.get_by_role("tab", name="Runs").click()
        open_fold(page, "sweeps")
        page.locator("#sweeps-refresh").click()
        page.locator("#sweeps-picker input").click()
        page.locator("#sweeps-picker [role=option]", has_text=sweep_id).first.click()
        table = page.locator("#sweeps-table")
        expect(table).to_contain_text("★", timeout=20_000)
        expect(table).to_contain_text(best_row["job"])
        expect(page.locator("#sweeps-plot img, #sweeps-plot canvas").first).to_be_visible()

        page.locator("#sweeps-clone-best").click()
        lr = page.locator("#training-learning_rate input")
        best_lr = best_row["params"]["training.learning_rate"]
        # the wizard first shows the page's default (0.002): wait for the clone's value
        wait_for(lambda: _number(lr.input_value()) == pytest.approx(best_lr), 20, f"the wizard's learning rate {best_lr}")


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
