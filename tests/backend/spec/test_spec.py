import dataclasses

import pytest

from backend.resources import DEMO_SPEC
from backend.spec import SECTIONS, JobSpec, SpecError, field_help


def test_demo_spec_round_trips_through_yaml():
    spec = JobSpec.from_yaml(DEMO_SPEC.read_text())
    assert spec.model.name_or_path == "demo" and spec.data.train == "demo"
    assert spec.data.placeholders == {"name": "Nova", "author": "Studio Labs"}
    again = JobSpec.from_yaml(spec.to_yaml())
    assert again == spec
    assert set(spec.to_dict()) == {"model", "data", "method", "stage", "align", "training", "export", "distributed"}


def test_defaults_round_trip_and_overrides_are_typed():
    spec = JobSpec()
    assert JobSpec.from_dict(spec.to_dict()) == spec
    changed = spec.with_overrides(["training.max_steps=10", "training.learning_rate=1e-4",
                                   "data.placeholders.name=Aurora", "method.target_modules=q_proj,v_proj"])
    assert changed.training.max_steps == 10
    assert changed.training.learning_rate == pytest.approx(1e-4)
    assert changed.data.placeholders == {"name": "Aurora"}
    assert changed.method.target_modules == "q_proj,v_proj"


@pytest.mark.parametrize(
    "raw, field, words",
    [
        ({"training": {"learning_rate": -1}}, "training.learning_rate", "positive"),
        ({"training": {"lerning_rate": 1e-4}}, "training.lerning_rate", "learning_rate"),
        ({"training": {"batch_size": "eight"}}, "training.batch_size", "whole number"),
        ({"training": {"num_epochs": 0, "max_steps": 0}}, "training.num_epochs", "max_steps"),
        ({"method": {"name": "lorax"}}, "method.name", "lora"),
        ({"method": {"lora_r": 0}}, "method.lora_r", "1 to 1024"),
        ({"method": {"lora_dropout": 2}}, "method.lora_dropout", "0 to 0.9"),
        ({"stage": "sftt"}, "stage", "sft"),
        ({"data": {"eval_split": 0.9}}, "data.eval_split", "0 to 0.5"),
        ({"data": {"train": ""}}, "data.train", "empty"),
        ({"modle": {}}, "modle", "model"),
        ({"training": [1, 2]}, "training", "mapping"),
        ({"training": {"scheduler": "exp"}}, "training.scheduler", "cosine"),
        # `--set data.placeholders.name=Aurora: the AI` reads as a mapping: named, with the quoting that fixes it
        ({"data": {"placeholders": {"name": {"Aurora": "the AI"}}}}, "data.placeholders.name", "needs quotes"),
        ({"data": {"columns": {"prompt": ["q", "a"]}}}, "data.columns.prompt", "must be text"),
    ],
)
def test_bad_specs_name_the_field_value_and_what_is_accepted(raw, field, words):
    with pytest.raises(SpecError) as info:
        JobSpec.from_dict(raw)
    fields = [issue.field for issue in info.value.issues]
    assert field in fields
    message = str(info.value)
    assert f"`{field}`" in message and words in message


def test_all_problems_are_reported_at_once():
    with pytest.raises(SpecError) as info:
        JobSpec.from_dict({"training": {"learning_rate": 0, "batch_size": 0}, "method": {"lora_r": 0}})
    assert {i.field for i in info.value.issues} >= {"training.learning_rate", "training.batch_size", "method.lora_r"}


def test_invalid_yaml_is_explained():
    with pytest.raises(SpecError, match="not valid YAML"):
        JobSpec.from_yaml("training: [unclosed")


def test_every_field_has_help_text():
    for name, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            assert len(field_help(f"{name}.{f.name}")) > 10, f"{name}.{f.name} has no help"
