"""LLaMA-Factory's image rows (mllm_demo.json): `<image>` placeholders + an `images` list of paths relative to the
data file, carried as absolute paths; bad images are row problems that name the row and the path."""

import json
import shutil

import pytest

from backend.data.formats import convert
from backend.data.registry import entry_source
from tests.conftest import SHARED_DATASETS

MLLM = SHARED_DATASETS / "mllm_demo.json"
COLUMNS = {"messages": "messages", "images": "images"}
TAGS = {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"}


def _convert(rows, folder):
    return convert(rows, "sharegpt", columns=COLUMNS, tags=TAGS, media_dir=folder)


def test_mllm_demo_rows_carry_absolute_image_paths():
    rows = json.loads(MLLM.read_text(encoding="utf-8"))
    out = _convert(rows, MLLM.parent)
    assert not out.skipped and len(out.examples) == len(rows) == 6
    first = out.examples[0]
    assert first["images"] == [str((MLLM.parent / "mllm_demo_data" / "1.jpg").resolve())] * 2
    assert first["messages"][0] == {"role": "user", "content": "<image>Who are they?"}
    for example in out.examples:
        assert sum(m["content"].count("<image>") for m in example["messages"]) == len(example["images"])


def test_the_registry_entry_imports_as_is():
    source = entry_source(MLLM.parent, "mllm_demo")
    assert source.path == MLLM and source.columns["images"] == "images" and source.format == "sharegpt"
    with pytest.raises(Exception, match="not supported yet"):
        entry_source(MLLM.parent, "mllm_demo", allow_images=False)


def test_text_rows_are_unchanged():
    rows = [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}]
    out = convert(rows)
    assert out.examples == [{"messages": rows[0]["messages"], "tools": None}]


def test_broken_copy_row_errors_name_row_and_path(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(MLLM.parent / "mllm_demo_data", folder / "mllm_demo_data")
    (folder / "mllm_demo_data" / "2.jpg").unlink()  # missing
    (folder / "mllm_demo_data" / "3.jpg").write_bytes(b"not a jpeg")  # unreadable
    shutil.copy(MLLM.parent / "mllm_demo_data" / "1.jpg", tmp_path / "outside.jpg")
    rows = json.loads(MLLM.read_text(encoding="utf-8"))
    good = json.loads(json.dumps(rows[0]))
    rows[0]["images"] = ["mllm_demo_data/1.jpg"]  # two placeholders, one image
    rows[3]["images"] = ["../outside.jpg", "mllm_demo_data/1.jpg"]  # escapes the data file's folder
    rows.append(good)
    out = _convert(rows, folder)
    problems = {n: (field, str(m)) for n, field, m in out.skipped}
    assert sorted(problems) == [1, 2, 3, 4, 5, 6] and len(out.examples) == 1
    assert all(field == "images" for field, _ in problems.values())
    assert "2 <image> placeholder(s)" in problems[1][1] and "1 image(s)" in problems[1][1]
    assert "'mllm_demo_data/2.jpg' does not exist" in problems[2][1] and "2.jpg" in problems[5][1]
    assert "'mllm_demo_data/3.jpg' cannot be read as an image" in problems[3][1]
    assert "'../outside.jpg' lies outside the data file's folder" in problems[4][1]


def test_preference_pairs_with_images_read_and_carry_to_sft():
    from backend.data.load import as_sft, load_data
    from backend.resources import DEMO_VL_DPO_DATASET
    from backend.spec import DataSpec

    loaded = load_data(DataSpec(train="demo-vl-dpo", shuffle=False), None)
    assert loaded.kind == "preference" and len(loaded.train) == 12
    for pair in loaded.train:
        placeholders = sum(m["content"].count("<image>") for m in pair["prompt"])
        assert placeholders == len(pair["images"]) and all(p.endswith(".jpg") for p in pair["images"])
        assert pair["chosen"] != pair["rejected"]
    by_entry = load_data(DataSpec(train="mllm_dpo_demo", dataset_dir=str(DEMO_VL_DPO_DATASET.parent)), None)
    assert len(by_entry.train) == 12 and all("images" in p for p in by_entry.train)
    train, _, _ = as_sft(loaded)
    assert train[0]["images"] == loaded.train[0]["images"]
