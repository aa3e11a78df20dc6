"""The Data step in a real browser: upload a file the studio cannot read by itself, map its
columns, see every skipped row, the loss mask and the length histogram, train on it; then a
path on this machine, a path outside the allowed folders, a LLaMA-Factory dataset_info.json
entry and a hub id offline.

    .venv/bin/pytest -m browser tests/browser/test_browser_data.py -s
"""

from __future__ import annotations

import csv
import json
import re
import time
from pathlib import Path

import pytest

from tests.browser.helpers import ARTIFACTS, CHROMIUM, chromium_page, code_text, open_fold, studio_process
from tests.conftest import SHARED_DATASETS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


def make_files(roots: Path) -> None:
    roots.mkdir(parents=True)
    with (roots / "qa.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["q", "a", "note"])
        w.writeheader()
        for i in range(30):
            w.writerow({"q": f"What is {i}+{i}?", "a": "" if i % 7 == 0 else str(2 * i), "note": "x"})
    with (roots / "chat.jsonl").open("w", encoding="utf-8") as f:
        for i in range(20):
            f.write(json.dumps({"messages": [{"role": "user", "content": f"hi {i}"},
                                             {"role": "assistant", "content": f"<think>greet</think>hello {i}"}]}) + "\n")
        f.write("{bad json\n")


def pick(page, elem_id: str, option: str) -> None:
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def choose_source(page, label: str) -> None:
    page.locator("#data-source label", has_text=label).click()


def wait_for_token_view(page, timeout_s: float = 90) -> None:
    """The token view needs the tokenizer, which the studio loads in the background."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if page.locator("#data-preview mark.trained").count():
            return
        page.locator("#data-row-next").click()
        page.wait_for_timeout(1000)
        page.locator("#data-row-prev").click()
        page.wait_for_timeout(1000)
    raise AssertionError("the token view never appeared: " + page.locator("#data-preview").inner_text())


def test_data_step_sources_mapping_preview_and_training(tmp_path, monkeypatch, demo_models_dir):
    from playwright.sync_api import expect

    from backend.workspace import Workspace

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the hub case must fail fast and the same everywhere
    roots = tmp_path / "roots"
    make_files(roots)
    outside = tmp_path / "outside.jsonl"
    outside.write_text('{"text": "secret"}\n')
    # The session's demo model (a fresh workspace building its own is tests/browser/test_browser.py's case).
    workspace = Workspace.at(tmp_path / "ws")
    (workspace.models_dir / "demo").symlink_to(demo_models_dir / "demo", target_is_directory=True)
    launch = {"data_roots": [str(roots), str(SHARED_DATASETS)]}
    with studio_process(workspace.root, tmp_path / "studio-data.log", launch_kwargs=launch) as url, chromium_page() as page:
        page.goto(url)
        page.locator("#model-next").click()
        summary, preview = page.locator("#data-summary"), page.locator("#data-preview")
        expect(summary).to_contain_text("91", timeout=20_000)
        wait_for_token_view(page)
        expect(preview.locator("mark.trained").first).to_contain_text("Nova")
        expect(preview).to_contain_text("Chat template in use: the tokenizer's own")
        expect(page.locator("#data-hist img")).to_be_visible()
        # Another chat template from templates/chat: the preview shows its text at once (and
        # the job below trains with it).
        pick(page, "data-template", "llama3")
        expect(preview).to_contain_text("<|start_header_id|>", timeout=20_000)
        expect(preview).to_contain_text("Chat template in use: llama3")

        # Upload a csv whose columns say nothing: the studio asks, the user maps two columns.
        choose_source(page, "Upload")
        page.locator("#data-upload input[type=file]").set_input_files(str(roots / "qa.csv"))
        expect(summary).to_contain_text("cannot tell the format", timeout=20_000)
        expect(summary).to_contain_text("['q', 'a', 'note']")
        pick(page, "map-prompt", "q")
        expect(summary).to_contain_text("your mapping (prompt=q) fits prompt", timeout=20_000)  # rescanned
        pick(page, "map-response", "a")
        expect(summary).to_contain_text("25 valid", timeout=20_000)
        expect(summary).to_contain_text("5 skipped")
        skipped = page.locator("#data-skipped textarea")
        expect(skipped).to_have_value("\n".join(f"row {r}: 'a' is empty" for r in (1, 8, 15, 22, 29)))
        expect(preview.locator("mark.trained").first).to_contain_text("2")  # row 2: "What is 1+1?" -> "2"
        expect(preview).to_contain_text("What is 1+1?")
        expect(page.locator("#data-hist img")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "data-mapping.png", full_page=True)
        page.locator("#data-row-next-skipped").click()
        expect(page.locator("#data-row input")).to_have_value("8")
        expect(preview).to_contain_text("Row 8 is skipped: 'a' is empty")

        # Train on it: the mapping travels in the spec to the worker.
        page.locator("#data-next").click()
        page.locator("#method-next").click()
        page.locator("#training-max_steps input").fill("2")
        page.locator("#training-next").click()
        expect(page.locator("#review-problems")).to_contain_text("ready", timeout=20_000)
        open_fold(page, "review-yaml-fold")  # the YAML is folded under the plan
        expect(page.locator("#review-yaml a[download]").first).to_be_attached()
        # The Review drawn when the page opened is there first: wait for this job's.
        deadline = time.time() + 20
        while "prompt: q" not in (yaml_text := code_text(page, "review-yaml")) and time.time() < deadline:
            page.wait_for_timeout(500)
        assert "prompt: q" in yaml_text and "chat_template: llama3" in yaml_text, yaml_text
        expect(page.locator("#review-estimate")).to_contain_text("25")
        page.locator("#start-button").click()
        expect(page.locator("#job-state-text")).to_have_text("succeeded", timeout=240_000)

        # A path on this machine: chat rows with reasoning and one broken line.
        page.get_by_role("tab", name="Train").click()
        page.get_by_role("tab", name="2 · Data").click()
        choose_source(page, "Path on this machine")
        expect(summary).to_contain_text("Type the path", timeout=20_000)
        page.locator("#data-path-input textarea, #data-path-input input").first.fill(str(roots / "chat.jsonl"))
        page.locator("#data-path-read").click()
        expect(summary).to_contain_text("20 valid", timeout=20_000)
        expect(summary).to_contain_text("messages")
        expect(summary).to_contain_text("reasoning")
        expect(skipped).to_have_value(re.compile(r"^row 21: line 21 is not valid JSON"))
        expect(preview).to_contain_text("<think>")
        open_fold(page, "data-more")
        page.locator("#data-reasoning label", has_text="drop").click()
        expect(preview).not_to_contain_text("<think>", timeout=20_000)
        expect(preview).to_contain_text("hello 0")

        # Outside the allowed folders: refused, with what to do.
        page.locator("#data-path-input textarea, #data-path-input input").first.fill(str(outside))
        page.locator("#data-path-read").click()
        expect(summary).to_contain_text("outside the folders this studio may read", timeout=20_000)
        expect(summary).to_contain_text("--data-root")

        # A hub id, offline: a clear message, quickly.
        choose_source(page, "Hugging Face hub")
        expect(summary).to_contain_text("Type a hub dataset id", timeout=20_000)
        page.locator("#data-hub-id textarea, #data-hub-id input").first.fill("someone/some-dataset")
        page.locator("#data-hub-read").click()
        expect(summary).to_contain_text("cannot reach the Hugging Face hub", timeout=20_000)

        # LLaMA-Factory's dataset_info.json, as it is.
        if (SHARED_DATASETS / "dataset_info.json").is_file():
            choose_source(page, "dataset_info.json")
            page.locator("#data-registry-dir textarea, #data-registry-dir input").first.fill(str(SHARED_DATASETS))
            page.locator("#data-registry-load").click()
            expect(summary).to_contain_text("identity", timeout=20_000)
            pick(page, "data-registry-entry", "glaive_toolcall_en_demo")
            expect(summary).to_contain_text("sharegpt", timeout=20_000)
            expect(summary).to_contain_text("tool calls")
            expect(summary).to_contain_text("300 valid")
            page.screenshot(path=ARTIFACTS / "data-registry.png", full_page=True)
