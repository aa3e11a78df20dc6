"""The Data step's view of image rows (issue 22): the row through demo-vl's real processor with its loss mask and
image-token runs collapsed, the thumbnails (inline, only from allowed folders), the bad-image rows in the error list,
and the wizard form's demo-vl choices."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from backend.data.tokenize import IGNORE

ROOT = Path(__file__).resolve().parents[3]
DEMO_DIR = ROOT / "data" / "vision_demo"


@pytest.fixture(scope="module")
def processor(demo_vl_models_dir):
    from backend.vlm.processor import load_processor

    return load_processor(demo_vl_models_dir / "demo-vl")


@pytest.fixture(scope="module")
def report():
    from backend.data.inspect import inspect
    from backend.data.sources import parse_sources
    from backend.spec import DataSpec

    return inspect(parse_sources(DataSpec(train="demo-vl"), None)[0])


def test_the_panel_is_the_training_encoding_with_image_runs_collapsed(processor, report):
    from backend.data.vision_preview import render_vision_example
    from backend.data.vision_rows import encode

    example = report.sample[0][1]
    enc = encode(processor, example)
    panel = render_vision_example(processor, example, 512)
    assert panel.n_tokens == len(enc["input_ids"])
    assert panel.n_trained == sum(1 for x in enc["labels"] if x != IGNORE) > 0
    trained = "".join(s.text for s in panel.segments if s.trained)
    assert "They're Kane and Gretzka from Bayern Munich." in trained
    assert "They are celebrating on the soccer field." in trained
    masked = "".join(s.text for s in panel.segments if not s.trained)
    assert "Who are they?" in masked and "<|image_pad|>" not in trained
    image_id = processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    runs = [int(n) for n in re.findall(r"<\|image_pad\|> ×(\d+)", masked)]
    assert len(runs) == 2 and sum(runs) == enc["input_ids"].count(image_id)  # two images, each one marker
    assert "<|image_pad|><|image_pad|>" not in masked
    # Longer than max_length with its image tokens: left out by training (nothing trained), never cut.
    short = render_vision_example(processor, example, 32)
    assert short.n_trained == 0 and not any(s.cut for s in short.segments)


def test_the_row_html_shows_thumbnails_and_the_processors_tokens(processor, report, tmp_path):
    from studio.i18n import EN
    from studio.views.data_view import example_html

    example = report.sample[0][1]
    html = example_html(EN, None, example, "sft", 512, (processor, [DEMO_DIR]))
    assert html.count("<img class='dp-thumb' src='data:image/jpeg;base64,") == 2
    assert "mark class=\"trained\"" in html and "×" in html and "image tokens" in html
    # Images outside the allowed folders are named, never read.
    outside = example_html(EN, None, example, "sft", 512, (processor, [tmp_path]))
    assert "<img" not in outside and "1.jpg" in outside
    # A text model: the thumbnails, a note that it cannot see them, and the text template's view.
    text = example_html(EN, None, example, "sft", 512, (None, [DEMO_DIR]))
    assert text.count("<img") == 2 and "text model" in text


def test_missing_and_unreadable_images_are_row_errors_naming_row_and_path(tmp_path):
    from backend.data.inspect import inspect
    from backend.data.registry import Source
    from studio.i18n import EN
    from studio.views.data_view import errors_text

    shutil.copytree(DEMO_DIR / "mllm_demo_data", tmp_path / "mllm_demo_data")
    (tmp_path / "mllm_demo_data" / "3.jpg").write_bytes(b"not a jpeg")
    rows = json.loads((DEMO_DIR / "mllm_demo.json").read_text())
    rows[1]["images"] = ["mllm_demo_data/gone.jpg"]
    (tmp_path / "rows.json").write_text(json.dumps(rows))
    rep = inspect(Source(label="rows.json", path=tmp_path / "rows.json"))
    text = errors_text(rep, EN)
    assert rep.valid_rows == len(rows) - 1 - sum("3.jpg" in r["images"][0] for r in rows)
    assert re.search(r"row 2\b.*gone\.jpg", text), text
    assert "3.jpg" in text and "cannot be read" in text, text


def test_the_form_offers_demo_vl_for_model_and_data():
    from backend.spec import JobSpec
    from studio.wizard.form import DATA_SOURCE, MODEL_SOURCE, form_from_spec, spec_from_form

    spec = JobSpec.from_dict({"model": {"name_or_path": "demo-vl"}, "data": {"train": "demo-vl"}})
    values = form_from_spec(spec)
    assert values[MODEL_SOURCE] == "demo-vl" and values[DATA_SOURCE] == "demo-vl"
    back = spec_from_form(values)
    assert back.model.name_or_path == "demo-vl" and back.data.train == "demo-vl"
