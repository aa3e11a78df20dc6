"""The shipped local task, studio_mini: well-formed items in English and Chinese, and YAML that
lm-evaluation-harness loads from the files beside it, offline."""

from __future__ import annotations

import json
import re

import yaml

from backend.bench.tasks import LOCAL_DIR, write_local_task

CJK = re.compile(r"[\u4e00-\u9fff]")


def _items(lang):
    return [json.loads(line) for line in (LOCAL_DIR / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()]


def test_items_are_well_formed_in_both_languages():
    seen = set()
    for lang in ("en", "zh"):
        items = _items(lang)
        assert len(items) == 24
        answers = [0, 0, 0, 0]
        for item in items:
            assert set(item) == {"id", "question", "choices", "answer"}
            assert item["id"].startswith(f"{lang}-")
            assert len(item["choices"]) == 4 and len(set(item["choices"])) == 4, item
            assert all(isinstance(c, str) and c.strip() for c in item["choices"]), item
            assert item["answer"] in (0, 1, 2, 3)
            answers[item["answer"]] += 1
            assert bool(CJK.search(item["question"])) == (lang == "zh"), item
            assert item["question"] not in seen and item["id"] not in seen
            seen |= {item["question"], item["id"]}
        assert answers == [6, 6, 6, 6]  # the right answer is A, B, C and D equally often


def test_yaml_tasks_point_at_the_shipped_files_by_absolute_path(tmp_path):
    folder = write_local_task(tmp_path)
    configs = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in folder.glob("*.yaml")}
    assert set(configs) == {"studio_mini", "studio_mini_en", "studio_mini_zh"}
    assert configs["studio_mini"]["task"] == ["studio_mini_en", "studio_mini_zh"]
    for lang in ("en", "zh"):
        config = configs[f"studio_mini_{lang}"]
        assert config["output_type"] == "multiple_choice" and config["metadata"]["version"] == 1.0
        assert [m["metric"] for m in config["metric_list"]] == ["acc", "acc_norm"]
        assert config["dataset_kwargs"]["data_files"] == {"test": str(LOCAL_DIR / f"{lang}.jsonl")}
    # the files in the project keep relative names: the checkout can move
    shipped = yaml.safe_load((LOCAL_DIR / "studio_mini_en.yaml").read_text(encoding="utf-8"))
    assert shipped["dataset_kwargs"]["data_files"] == {"test": "en.jsonl"}
