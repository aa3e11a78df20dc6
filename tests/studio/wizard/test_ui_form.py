"""studio.wizard.form (wizard values -> JobSpec), studio.wizard.model_info and the Data step's helpers."""

from __future__ import annotations

import dataclasses
import json
import struct

import pytest

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec, SpecError
from studio.wizard.form import (
    DATA_PATH,
    DATA_SOURCE,
    MODEL_PATH,
    MODEL_SOURCE,
    PLACEHOLDER_VALUES,
    estimate_steps,
    form_from_spec,
    spec_fields,
    spec_from_form,
    wizard_fields,
)


def demo_spec() -> JobSpec:
    return JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))


def test_the_demo_form_round_trips_to_the_demo_spec():
    spec = demo_spec()
    assert spec_from_form(form_from_spec(spec), base=spec).to_dict() == spec.to_dict()


def test_form_values_become_the_spec_fields():
    values = {
        **form_from_spec(demo_spec()),
        "training.learning_rate": 1e-4,
        "method.lora_r": 16,
        PLACEHOLDER_VALUES: ["Aurora", "Acme"],
        "training.max_steps": 7,
        "training.scheduler": "linear",
        "data.eval_split": 0.1,
    }
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
    assert (values["training.save_steps"], values["training.save_minutes"]) == (40, 1.5)
    again = spec_from_form({**values, "training.save_steps": 0, "training.save_minutes": 0})
    assert (again.training.save_steps, again.training.save_minutes) == (0, 0)
    with pytest.raises(SpecError, match="training.save_minutes"):
        spec_from_form({**values, "training.save_minutes": -1})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"training.learning_rate": None}, "training.learning_rate"),
        ({"training.learning_rate": 0}, "training.learning_rate"),
        ({"training.batch_size": 0}, "training.batch_size"),
        ({"method.lora_r": 2.5}, "method.lora_r"),
        ({"training.scheduler": "sawtooth"}, "training.scheduler"),
        ({"data.eval_split": 0.9}, "data.eval_split"),
        ({"method.target_modules": "  "}, "method.target_modules"),
        ({MODEL_SOURCE: "local", MODEL_PATH: ""}, "model.name_or_path"),
        ({DATA_SOURCE: "upload", DATA_PATH: ""}, "data.train"),
    ],
)
def test_bad_values_name_the_field(change, field):
    values = {**form_from_spec(demo_spec()), **change}
    with pytest.raises(SpecError) as err:
        spec_from_form(values)
    assert field in [i.field for i in err.value.issues], err.value.issues
    assert f"`{field}`" in str(err.value)


def test_local_model_paths_are_stored_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    values = {MODEL_SOURCE: "local", MODEL_PATH: "my-model"}  # the other fields: the base spec's
    assert spec_from_form(values).model.name_or_path == str(tmp_path / "my-model")


# -- every field, both ways ---------------------------------------------------------------------------
# Values other than the default for the fields whose default change would not be valid on its own or
# would not round-trip (the others are changed by their type in `changed`).
CHANGED = {
    "model.name_or_path": "Qwen/Qwen2.5-0.5B-Instruct",
    "data.train": "/sets/a.jsonl,/sets/b.jsonl",
    "data.mix": [0.5, 200],
    "data.placeholders": {"name": "Aurora", "author": "Acme"},
    "data.columns": {"prompt": "question", "response": "answer"},
    "data.eval": "/sets/eval.jsonl",
    "align.rewards": {"format": 0.5, "length": 1.0},
    "training.early_stopping_patience": 3,
}
# A field that needs another one set to mean anything: (its value, the other fields' values).
NEEDS = {
    "data.dataset_dir": ("/sets/llamafactory", {"data.train": "identity"}),  # an entry of its dataset_info.json
    "data.subset": ("default", {"data.train": "org/name"}),  # a hub dataset's
    "data.split": ("test", {"data.train": "org/name"}),
    "training.early_stopping_patience": (3, {"data.eval_split": 0.1}),
    "data.mix": ([0.5, 200], {"data.train": "/sets/a.jsonl,/sets/b.jsonl"}),
}


def changed(path: str):
    """A valid value other than the default for a spec field, from its type where CHANGED has none."""
    if path in CHANGED:
        return CHANGED[path]
    f = spec_fields()[path]
    if f.kind == "choices":
        return [c for c in f.choices if c not in f.default][:1]
    if f.choices:
        return next(c for c in f.choices if c != f.default)
    if f.kind == "bool":
        return not f.default
    if f.kind == "int":
        return f.default + 1
    if f.kind == "float":
        return f.default * 2 if f.default else 0.25
    return "changed"


def with_values(changes: dict) -> JobSpec:
    raw = JobSpec().to_dict()
    for path, value in changes.items():
        section, _, name = path.partition(".")
        if name:
            raw[section][name] = value
        else:
            raw[section] = value
    return JobSpec.from_dict(raw)


@pytest.mark.parametrize("path", wizard_fields())
def test_each_wizard_field_goes_to_the_form_and_back(path):
    value, others = NEEDS.get(path, (changed(path), {}))
    spec = with_values({**others, path: value})
    assert spec.to_dict() != JobSpec().to_dict(), path
    assert spec_from_form(form_from_spec(spec)).to_dict() == spec.to_dict()


def test_every_wizard_field_at_once_goes_to_the_form_and_back():
    changes = {p: changed(p) for p in wizard_fields() if p not in ("data.dataset_dir", "data.subset")}
    spec = with_values({**changes, "data.eval_split": 0.1})
    values = form_from_spec(spec)
    again = spec_from_form(values, base=JobSpec())
    assert again.to_dict() == spec.to_dict()
    differs = [p for p in wizard_fields() if _value(again, p) != _value(JobSpec(), p)]
    assert set(differs) == set(changes) | {"data.eval_split"}


def _value(spec, path):
    section, _, name = path.partition(".")
    return getattr(getattr(spec, section), name) if name else getattr(spec, section)


def test_fields_the_wizard_does_not_show_come_from_the_base():
    base = with_values({"training.weight_decay": 0.05, "training.precision": "fp32", "data.tags": {"role_tag": "who"}})
    spec = spec_from_form({**form_from_spec(base), "training.learning_rate": 1e-3}, base=base)
    assert (spec.training.weight_decay, spec.training.precision, spec.data.tags) == (0.05, "fp32", {"role_tag": "who"})
    assert spec.training.learning_rate == 1e-3


def test_a_new_spec_field_reaches_the_cli_the_form_and_the_help(monkeypatch, capsys, tmp_path):
    """Declaring a field in a spec dataclass is enough for `studio fields`, the wizard (a widget keyed by
    its path, with the spec's help as its tooltip) and the form's round trip."""
    from dataclasses import field

    import gradio as gr

    import backend.spec as spec_module
    from backend.spec import TrainingSpec, field_help
    from backend.spec.checks import help_metadata
    from backend.store import JobStore
    from backend.workspace import Workspace
    from studio.cli.commands import cmd_fields
    from studio.context import Ctx
    from studio.i18n import strings
    from studio.wizard import build

    help_text = "How hard a knob only this test has is turned."

    @dataclasses.dataclass
    class WithKnob(TrainingSpec):
        throwaway_knob: int = field(default=7, metadata=help_metadata(help_text))

    @dataclasses.dataclass
    class JobSpecWithKnob(JobSpec):
        training: WithKnob = field(default_factory=WithKnob)

    monkeypatch.setitem(spec_module.SECTIONS, "training", WithKnob)
    monkeypatch.setattr(spec_module, "JobSpec", JobSpecWithKnob)

    assert cmd_fields() == 0
    listed = capsys.readouterr().out
    assert f"training.throwaway_knob: 7\n    {help_text}" in listed
    assert field_help("training.throwaway_knob") == help_text

    spec = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))
    values = form_from_spec(spec)
    assert values["training.throwaway_knob"] == 7
    assert spec_from_form({**values, "training.throwaway_knob": 9}, base=spec).training.throwaway_knob == 9

    ws = Workspace.at(tmp_path / "ws")
    ctx = Ctx(ws, JobStore(ws), strings("en"), spec, None)
    with gr.Blocks():
        form = build(ctx, values).form
    knob = form["training.throwaway_knob"]
    assert isinstance(knob, gr.Number) and knob.precision == 0 and knob.value == 7
    assert knob.info == help_text and knob.elem_id == "training-throwaway_knob"
    assert knob.label == "Throwaway knob"  # its English label, from its name (ui_en.py may give another)
    assert form.values({knob: 11, **{c: None for c in form.inputs - {knob}}})["training.throwaway_knob"] == 11


def test_step_estimate():
    spec = demo_spec()  # 15 epochs, batch 8
    assert estimate_steps(spec, 91) == 12 * 15
    spec.training.max_steps = 20
    assert estimate_steps(spec, 91) == 20
    spec.training.max_steps, spec.training.gradient_accumulation_steps, spec.data.eval_split = 0, 2, 0.1
    assert estimate_steps(spec, 91) == 6 * 15  # ceil(82 train rows / 16 per update)


def test_model_info_for_the_demo_before_and_after_it_is_built(tmp_path, demo_models_dir):
    from studio.wizard.model_info import describe_demo
    from studio.wizard.numbers import format_params

    before = describe_demo(tmp_path)
    assert before.architecture.startswith("qwen2") and before.chat_template is True
    assert not before.params_exact and 1_000_000 < before.params < 1_500_000

    after = describe_demo(demo_models_dir)
    assert after.params_exact and after.chat_template is True
    # The estimate uses the vocabulary the build's tokenizer gets (backend.demo.demo_config): the same count.
    assert after.params == before.params
    assert format_params(after.params, True).endswith(f"({after.params:,})")


def test_model_info_counts_safetensors_headers(tmp_path):
    from studio.wizard.model_info import count_safetensors_params, describe_local

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
    from studio.wizard.model_info import ModelInfoError, describe_hub, describe_local

    with pytest.raises(ModelInfoError, match="no such folder"):
        describe_local(tmp_path / "missing")
    with pytest.raises(ModelInfoError, match="config.json"):
        describe_local(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelInfoError, match="cannot reach the hub"):
        describe_hub("someone/some-model")


def test_uploads_stay_inside_the_workspace(tmp_path):
    from backend.data.read import DataError
    from backend.workspace import Workspace
    from studio.wizard.uploads import save_upload

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


def test_files_uploaded_together_go_into_a_folder_named_after_all_of_them(tmp_path):
    # The folder was named after the first file: "train-00000-of-00002" for both shards, "qa" for qa + pairs.
    from backend.workspace import Workspace
    from studio.wizard.uploads import save_upload

    ws = Workspace.at(tmp_path / "ws")

    def upload(*names: str) -> str:
        for name in names:
            (tmp_path / name).write_text('{"instruction": "hi", "output": "hello"}\n')
        return save_upload(ws, [str(tmp_path / name) for name in names])

    shards = upload("train-00000-of-00002.jsonl", "train-00001-of-00002.jsonl")
    assert shards == "uploads/train"
    assert sorted(p.name for p in (ws.root / shards).iterdir()) == ["train-00000-of-00002.jsonl",
                                                                    "train-00001-of-00002.jsonl"]
    assert upload("alpaca_en.jsonl", "alpaca_zh.jsonl.gz") == "uploads/alpaca"
    assert upload("qa.jsonl", "pairs.jsonl") == "uploads/qa-pairs"
    assert upload("qa.jsonl", "pairs.jsonl") == "uploads/qa-pairs-1"  # the first folder kept as it was
    assert upload("a" * 30 + ".jsonl", "b" * 30 + ".jsonl") == "uploads/dataset"


def test_a_compressed_upload_keeps_its_two_suffixes(tmp_path):
    import gzip

    from backend.data.read import DataError, read_rows
    from backend.workspace import Workspace
    from studio.wizard.uploads import save_upload

    ws = Workspace.at(tmp_path / "ws")
    src = tmp_path / "chat.jsonl.gz"
    src.write_bytes(gzip.compress(b'{"instruction": "hi", "output": "hello"}\n'))
    first, second = save_upload(ws, str(src)), save_upload(ws, str(src))
    assert first == "uploads/chat.jsonl.gz" and second == "uploads/chat-1.jsonl.gz"
    assert read_rows(ws.root / second) == [{"instruction": "hi", "output": "hello"}]
    bad = tmp_path / "t.parquet.gz"
    bad.write_bytes(gzip.compress(b"x"))
    with pytest.raises(DataError, match=r"unsupported file type \.parquet\.gz.*also compressed as \.gz"):
        save_upload(ws, str(bad))


def test_files_uploaded_together_are_one_dataset_of_one_kind_and_the_data_step_says_so(tmp_path):
    # Several files were joined silently: an sft file beside a preference file was read as sft, every preference
    # row skipped as "'instruction' is missing"; files of one kind joined without a word about it.
    import json

    import pytest

    from backend.data.inspect import inspect
    from backend.data.load import load_data
    from backend.data.read import DataError
    from backend.data.registry import Source
    from backend.spec import DataSpec
    from backend.workspace import Workspace
    from studio.i18n import EN, ZH, render
    from studio.views.data_view import summary_markdown
    from studio.wizard.uploads import save_upload

    ws = Workspace.at(tmp_path / "ws")
    qa, more, pairs = tmp_path / "qa.jsonl", tmp_path / "more.json", tmp_path / "pairs.jsonl"
    qa.write_text("".join(json.dumps({"instruction": f"q{i}", "output": f"a{i}"}) + "\n" for i in range(3)))
    more.write_text(json.dumps([{"messages": [{"role": "user", "content": "hi"},
                                              {"role": "assistant", "content": "hello"}]}] * 2))
    pairs.write_text(json.dumps({"instruction": "q", "chosen": "good", "rejected": "bad"}) + "\n")
    mixed = save_upload(ws, [str(qa), str(pairs)])
    with pytest.raises(DataError) as refused:
        inspect(Source(label="qa", path=ws.root / mixed))
    assert ("qa: its 2 files are read as one dataset, but their rows are of different kinds: pairs.jsonl is "
            "preference (preference), qa.jsonl is alpaca (sft)") in str(refused.value)
    assert "pairs.jsonl 是 preference（preference）" in render(refused.value, "zh")
    with pytest.raises(DataError, match="different kinds"):  # the job's own reading refuses it too
        load_data(DataSpec(train=mixed), ws.root)
    two_formats = ws.root / save_upload(ws, [str(qa), str(more)])
    with pytest.raises(DataError, match="in different formats: more.json is messages .sft., qa.jsonl is alpaca") as e:
        inspect(Source(label="qa", path=two_formats))  # more.json all skipped
    # each file's path, to add it as a dataset of its own ("Also mix in"), which reads it
    assert f"with its path ({two_formats / 'more.json'}, {two_formats / 'qa.jsonl'})" in str(e.value)
    assert f"填它的路径（{two_formats / 'more.json'}，{two_formats / 'qa.jsonl'}）" in render(e.value, "zh")
    assert load_data(DataSpec(train=f"{two_formats / 'qa.jsonl'},{two_formats / 'more.json'}"), ws.root)
    more.write_text(json.dumps([{"instruction": "hi", "output": "hello"}] * 2))
    together = save_upload(ws, [str(qa), str(more)])
    assert together == "uploads/qa-more-1"  # the folder of the refused pair above is kept
    report = inspect(Source(label="qa-more-1", path=ws.root / together))
    assert (report.kind, report.rows, report.valid_rows) == ("sft", 5, 5)
    assert ("the 2 files of qa-more-1 are used together as one dataset: more.json (2 rows), qa.jsonl (3 rows)"
            in summary_markdown(EN, report))
    assert "qa-more-1 中的 2 个文件合并为一个数据集使用：more.json（2 行），qa.jsonl（3 行）" in summary_markdown(ZH, report)
