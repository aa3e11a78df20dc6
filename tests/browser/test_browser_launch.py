"""The Export panel's launch file row in a real browser: pick a job, write its SkyPilot task and its Slurm
script (into the job's exports/), each shown on the page; a bad GPU count is named in the status line.

    .venv/bin/pytest -m browser tests/browser/test_browser_launch.py -s

The job is queued with the store before the studio starts and never trained: a launch file needs its spec only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.browser.helpers import CHROMIUM, chromium_page, code_text, open_fold, studio_process

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def pick_option(page, dropdown_id: str, text: str) -> None:
    page.locator(f"#{dropdown_id} input").click()
    page.locator(f"#{dropdown_id} [role=option]", has_text=text).first.click()


def test_export_launch_files_from_the_page(workspace, store, tmp_path):
    from playwright.sync_api import expect

    from backend.resources import DEMO_SPEC
    from backend.spec import JobSpec

    job_id = store.create_job(JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")))
    store.mark_running(job_id, 0)
    store.mark_succeeded(job_id, 1.0)
    exports = store.job_dir(job_id) / "exports"
    with studio_process(workspace.root, tmp_path / "studio-launch.log") as url, chromium_page() as page:
        page.goto(url)
        page.get_by_role("tab", name="Monitor").click()
        pick_option(page, "job-picker", job_id)
        open_fold(page, "export-panel")
        status = page.locator("#export-status")

        pick_option(page, "launch-to", "skypilot")
        page.locator("#launch-gpus input").fill("2")
        page.locator("#launch-export").click()
        expect(status).to_contain_text(f"sky launch {job_id}-skypilot.yaml", timeout=20_000)
        expect(status).to_contain_text("2 GPU(s)")  # the note: the spec had one process
        expect(page.locator("#launch-file")).to_be_visible()
        shown = code_text(page, "launch-file")
        assert shown.strip() == (exports / f"{job_id}-skypilot.yaml").read_text().strip()  # the file, as written
        assert yaml.safe_load(shown)["resources"]["accelerators"] == "H100:2"

        pick_option(page, "launch-to", "slurm")
        page.locator("#launch-gpus input").fill("-1")
        page.locator("#launch-export").click()
        expect(status).to_contain_text("--gpus must be a whole number of at least 1, got -1", timeout=20_000)
        page.locator("#launch-gpus input").fill("0")  # 0: as the spec (one process)
        page.locator("#launch-export").click()
        expect(status).to_contain_text(f"sbatch {job_id}-slurm.sbatch", timeout=20_000)
        assert "#SBATCH --gpus-per-node=1" in code_text(page, "launch-file")
        assert (exports / f"{job_id}-slurm.sbatch").is_file()
