"""studio.form (wizard values -> JobSpec), studio.model_info and the Data step's helpers."""

from __future__ import annotations

import dataclasses
import json
import struct

import pytest

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec, SpecError
from studio.form import FormValues, estimate_steps, form_from_spec, spec_from_form


def demo_spec() -> JobSpec:
    return JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))


def test_the_demo_form_round_trips_to_the_demo_spec():
    spec = demo_spec()
    assert spec_from_form(form_from_spec(spec), base=spec).to_dict() == spec.to_dict()


def test_form_values_become_the_spec_fields():
    values = dataclasses.replace(
        form_from_spec(demo_spec()),
        learning_rate=1e-4,
        lora_r=16,
        placeholder_values=["Aurora", "Acme"],
        max_steps=7,
        scheduler="linear",
        eval_split=0.1,
    )
    spec = spec_from_form(values)
    assert spec.training.learning_rate == 1e-4
    assert spec.method.lora_r == 16
    assert spec.data.placeholders == {"name": "Aurora", "author": "Acme"}
    assert spec.training.max_steps == 7 and spec.training.scheduler == "linear"
    assert spec.data.eval_split == 0.1


def test_checkpoint_interval_maps_both_ways():
    spec = demo_spec()
    spec.training.save_steps, spec.training.save_minutes = 40, 1.5
    values = form_from_spec(spec)
    assert (values.save_steps, values.save_minutes) == (40, 1.5)
    again = spec_from_form(dataclasses.replace(values, save_steps=0, save_minutes=0))
    assert (again.training.save_steps, again.training.save_minutes) == (0, 0)
    with pytest.raises(SpecError, match="training.save_minutes"):
        spec_from_form(dataclasses.replace(values, save_minutes=-1))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"learning_rate": None}, "training.learning_rate"),
        ({"learning_rate": 0}, "training.learning_rate"),
        ({"batch_size": 0}, "training.batch_size"),
        ({"lora_r": 2.5}, "method.lora_r"),
        ({"scheduler": "sawtooth"}, "training.scheduler"),
        ({"eval_split": 0.9}, "data.eval_split"),
        ({"target_modules": "  "}, "method.target_modules"),
        ({"model_source": "local", "model_path": ""}, "model.name_or_path"),
        ({"data_source": "upload", "data_path": ""}, "data.train"),
    ],
)
def test_bad_values_name_the_field(change, field):
    values = dataclasses.replace(form_from_spec(demo_spec()), **change)
    with pytest.raises(SpecError) as err:
        spec_from_form(values)
    assert field in [i.field for i in err.value.issues], err.value.issues
    assert f"`{field}`" in str(err.value)


def test_local_model_paths_are_stored_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    values = dataclasses.replace(FormValues(), model_source="local", model_path="my-model")
    assert spec_from_form(values).model.name_or_path == str(tmp_path / "my-model")


def test_step_estimate():
    spec = demo_spec()  # 15 epochs, batch 8
    assert estimate_steps(spec, 91) == 12 * 15
    spec.training.max_steps = 20
    assert estimate_steps(spec, 91) == 20
    spec.training.max_steps, spec.training.gradient_accumulation_steps, spec.data.eval_split = 0, 2, 0.1
    assert estimate_steps(spec, 91) == 6 * 15  # ceil(82 train rows / 16 per update)


def test_model_info_for_the_demo_before_and_after_it_is_built(tmp_path, demo_models_dir):
    from studio.model_info import describe_demo, format_params

    before = describe_demo(tmp_path)
    assert before.architecture.startswith("qwen2") and before.chat_template is True
    assert not before.params_exact and 1_000_000 < before.params < 1_500_000

    after = describe_demo(demo_models_dir)
    assert after.params_exact and after.chat_template is True
    # The estimate assumes the full 2048-token vocabulary; the trained tokenizer may be smaller.
    assert after.params <= before.params < 1.2 * after.params
    assert format_params(after.params, True).endswith(f"({after.params:,})")


def test_model_info_counts_safetensors_headers(tmp_path):
    from studio.model_info import count_safetensors_params, describe_local

    header = json.dumps(
        {
            "__metadata__": {},
            "a": {"dtype": "F32", "shape": [3, 4], "data_offsets": [0, 48]},
            "b": {"dtype": "F32", "shape": [5], "data_offsets": [48, 68]},
        }
    ).encode()
    (tmp_path / "model.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 68)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]}))
    (tmp_path / "chat_template.jinja").write_text("{{ messages }}")
    assert count_safetensors_params(tmp_path) == 17
    info = describe_local(tmp_path)
    assert info.params == 17 and info.chat_template is True and "LlamaForCausalLM" in info.architecture


def test_model_info_problems_are_messages(tmp_path, monkeypatch):
    from studio.model_info import ModelInfoError, describe_hub, describe_local

    with pytest.raises(ModelInfoError, match="no such folder"):
        describe_local(tmp_path / "missing")
    with pytest.raises(ModelInfoError, match="config.json"):
        describe_local(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelInfoError, match="cannot reach the hub"):
        describe_hub("someone/some-model")


def test_uploads_stay_inside_the_workspace(tmp_path):
    from backend.data.readers import DataError
    from backend.workspace import Workspace
    from studio.steps.data import save_upload

    ws = Workspace.at(tmp_path / "ws")
    src = tmp_path / "..evil name!.jsonl"
    src.write_text('{"instruction": "hi", "output": "hello"}\n')
    first, second = save_upload(ws, str(src)), save_upload(ws, str(src))
    assert first == "uploads/evil_name_.jsonl" and second == "uploads/evil_name_-1.jsonl"
    assert (ws.root / second).read_text() == src.read_text()
    backslashed = tmp_path / "..\\..\\windows.csv"  # a Windows path as one file name
    backslashed.write_text("instruction,output\nhi,hello\n")
    assert save_upload(ws, str(backslashed)) == "uploads/windows.csv"
    bad = tmp_path / "x.exe"
    bad.write_text("MZ")
    with pytest.raises(DataError, match="unsupported file type"):
        save_upload(ws, str(bad))
