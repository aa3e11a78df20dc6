"""Presets: every built-in one applies over the demo defaults, keeps what it should keep, and trains
2 real steps on the tiny demo model; saving, listing and loading round-trip; bad names, broken
preset files and bad spec files are refused with messages that say where and what. Plus the
presets panel's logic (no browser): applying fills the form, a task preset keeps the model."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pytest
import torch
import yaml

from backend.plan.presets import (
    PRESETS_DIR,
    PresetError,
    apply_preset,
    get_preset,
    list_presets,
    load_spec_text,
    save_preset,
)
from backend.resources import DATA_DIR, DEMO_SPEC
from backend.spec import JobSpec, SpecError

BUILT_IN = [p.id for p in list_presets()]
QUALITY = [f"{level}-{size}" for size in ("tiny", "0.5b", "7b") for level in ("quick-try", "balanced", "best-quality")]
TASKS = ["identity", "style", "json-format", "dpo", "images"]
# Task presets keep the model and method, except where their data needs another kind of model (image rows).
VISION_TASKS = {"images"}
# Small enough to run every preset for real on the demo model in a few seconds each.
SMALL_RUN = {
    "model.name_or_path": "demo",
    "training.max_steps": 2,
    "training.batch_size": 2,
    "training.gradient_accumulation_steps": 1,
    "training.save_minutes": 0,
    "training.device": "cpu",
    "training.logging_steps": 1,
}


@pytest.fixture(scope="module")
def demo_defaults() -> JobSpec:
    return JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))


def test_the_built_in_presets_are_listed_smallest_and_quickest_first():
    assert BUILT_IN == QUALITY + TASKS
    for p in list_presets():
        assert p.title["en"] and p.title["zh"] and p.description["en"] and p.description["zh"], p.id
        assert p.path == PRESETS_DIR / f"{p.id}.yaml"
        assert "preset" not in p.spec
        if p.group == "quality":
            assert p.size == p.id.rsplit("-", 1)[1] and {"model", "method", "training"} <= set(p.spec)
            assert set(p.spec.get("data", {})) <= {"eval_split"}, "quality presets leave the dataset alone"
        else:
            assert p.group == "task" and p.size is None and "stage" in p.spec
            assert ("model" in p.spec) == (p.id in VISION_TASKS), p.id


@pytest.mark.parametrize("preset_id", BUILT_IN)
def test_preset_applies_over_the_demo_defaults_and_trains(stage_ws, demo_defaults, preset_id):
    from backend.data.load import load_data
    from backend.store import JobStore
    from backend.training.callback import JobReporter
    from backend.training.run import build_run

    preset = get_preset(preset_id)
    spec = apply_preset(demo_defaults, preset)
    applied = spec.to_dict()
    for section, fields in preset.spec.items():
        if not isinstance(fields, dict):
            assert applied[section] == fields
            continue
        for name, value in fields.items():
            if (section, name) != ("data", "train"):
                assert applied[section][name] == value, f"{section}.{name}"
    vision = preset_id in VISION_TASKS
    if preset.group == "task" and not vision:
        assert spec.model == demo_defaults.model and spec.method == demo_defaults.method
    train = spec.data.train
    assert train in ("demo", "demo-vl") or (
        Path(train).is_absolute() and Path(train).parent == DATA_DIR and Path(train).is_file())

    small = spec.with_overrides(
        [f"{k}={v}" for k, v in SMALL_RUN.items()] + [f"training.max_length={min(spec.training.max_length, 128)}"]
        + (["model.name_or_path=demo-vl", "training.max_length=512"] if vision else [])
    )
    store = JobStore(stage_ws)
    job_id = store.create_job(small, state="running")
    job_dir = store.job_dir(job_id)
    run = build_run(small, job_dir, stage_ws, JobReporter(job_dir), data=load_data(small.data, stage_ws.root))
    trainable = {n: p for n, p in run.trainer.model.named_parameters() if p.requires_grad}
    before = {n: p.detach().clone() for n, p in trainable.items()}
    result = run.trainer.train()
    losses = [row["loss"] for row in run.trainer.state.log_history if "loss" in row]
    assert result.global_step == 2 and len(losses) == 2 and all(math.isfinite(x) for x in losses)
    assert any(not torch.equal(before[n], p.detach()) for n, p in trainable.items()), "no trainable weight moved"
    if spec.data.eval_split:
        assert any("eval_loss" in row for row in run.trainer.state.log_history)


def test_a_task_preset_keeps_the_model_and_method_of_a_quality_preset(demo_defaults):
    spec = apply_preset(demo_defaults, get_preset("best-quality-7b"))
    spec = apply_preset(spec, get_preset("style"))
    assert spec.model.name_or_path == "Qwen/Qwen2.5-7B-Instruct" and spec.method.name == "dora"
    assert spec.data.eval_split == 0.05 and spec.training.early_stopping_patience == 3  # kept
    assert Path(spec.data.train) == DATA_DIR / "style.jsonl" and spec.data.placeholders == {}  # the old set's
    spec = apply_preset(spec, get_preset("quick-try-7b"))  # back to quick: no eval, so no early stopping
    assert (spec.method.name, spec.data.eval_split, spec.training.early_stopping_patience) == ("qlora", 0, 0)
    assert Path(spec.data.train) == DATA_DIR / "style.jsonl"


def test_a_preset_naming_its_data_drops_the_old_datasets_mapping(demo_defaults):
    base = demo_defaults.with_overrides(
        ["data.train=my.csv", "data.columns={prompt: q, response: a}", "data.mix=[100]", "data.eval_split=0.1"]
    )
    spec = apply_preset(base, get_preset("dpo"))
    assert spec.stage == "dpo" and spec.data.format == "preference"
    assert spec.data.columns == {} and spec.data.mix == [] and spec.data.eval_split == 0.1


def test_save_list_get_round_trip(workspace, demo_defaults):
    spec = demo_defaults.with_overrides(["training.learning_rate=5e-4", "data.placeholders.name=Kit"])
    saved = save_preset(workspace, "my-run_1", spec, title="My run")
    assert saved.id == "saved/my-run_1" and saved.group == "saved" and saved.title["en"] == "My run"
    assert saved.path == workspace.root / "presets" / "my-run_1.yaml"
    assert [p.id for p in list_presets(workspace)] == BUILT_IN + ["saved/my-run_1"]
    again = get_preset("saved/my-run_1", workspace)
    assert apply_preset(JobSpec(), again) == spec
    assert load_spec_text(saved.path.read_text(encoding="utf-8"), "saved") == spec  # runs headless as well
    save_preset(workspace, "my-run_1", spec.with_overrides(["training.num_epochs=2"]))  # overwriting is fine
    assert get_preset("saved/my-run_1", workspace).spec["training"]["num_epochs"] == 2


@pytest.mark.parametrize(
    "name, says",
    [
        ("../x", "not accepted"),
        ("", "not accepted"),
        ("a b", "not accepted"),
        ("x" * 65, "not accepted"),
        ("a.yaml", "not accepted"),
        ("balanced-tiny", "built-in preset"),
        ("balanced-0.5b", "built-in preset"),
    ],
)
def test_bad_preset_names_are_refused(workspace, name, says):
    with pytest.raises(PresetError, match=says):
        save_preset(workspace, name, JobSpec())
    assert not list(workspace.root.rglob("*.yaml")) and not (workspace.root.parent / "x.yaml").exists()


def test_an_unknown_preset_id_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"no preset named 'fast'; choose one of: quick-try-tiny, .*dpo"):
        get_preset("fast")


def test_a_broken_preset_file_is_skipped_with_a_warning(workspace, caplog, tmp_path, monkeypatch):
    folder = workspace.root / "presets"
    folder.mkdir()
    (folder / "broken.yaml").write_text("preset: {title: {en: x}\ntraining: [", encoding="utf-8")
    (folder / "typo.yaml").write_text(
        "preset: {title: {en: Typo}, group: saved}\ntraining: {lerning_rate: 1}\n", encoding="utf-8"
    )
    (folder / "bare.yaml").write_text("training: {num_epochs: 1}\n", encoding="utf-8")
    save_preset(workspace, "good", JobSpec())
    built_in = tmp_path / "built_in"  # a broken built-in is skipped the same way
    built_in.mkdir()
    (built_in / "style.yaml").write_text((PRESETS_DIR / "style.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (built_in / "oops.yaml").write_text("- a list, not a preset\n", encoding="utf-8")
    monkeypatch.setattr("backend.plan.presets.PRESETS_DIR", built_in)
    with caplog.at_level(logging.WARNING, logger="backend.plan.presets"):
        ids = [p.id for p in list_presets(workspace)]
    assert ids == ["style", "saved/good"]
    text = caplog.text
    assert "broken.yaml: cannot be read as YAML" in text and "bare.yaml: has no `preset:` block" in text
    assert "typo.yaml: not a valid spec" in text and "learning_rate" in text and "oops.yaml" in text


def test_load_spec_text_reads_a_partial_spec_and_names_the_source_of_problems():
    spec = load_spec_text((PRESETS_DIR / "json-format.yaml").read_text(encoding="utf-8"), "json-format.yaml")
    assert spec.data.train == str(DATA_DIR / "json_format.jsonl") and spec.training.max_length == 384
    assert spec.training.learning_rate == JobSpec().training.learning_rate  # the rest: the defaults
    with pytest.raises(SpecError, match=r"my-spec\.yaml is not valid YAML"):
        load_spec_text("training: {num_epochs: [1\n", "my-spec.yaml")
    with pytest.raises(SpecError, match=r"`training.lerning_rate`.*learning_rate.*\(in my-spec\.yaml\)"):
        load_spec_text("training: {lerning_rate: 1e-4}\n", "my-spec.yaml")
    with pytest.raises(SpecError, match="empty.yaml is empty"):
        load_spec_text("# nothing\n", "empty.yaml")
    with pytest.raises(SpecError, match="list.yaml must be a mapping"):
        load_spec_text("- 1\n", "list.yaml")


def test_the_shipped_task_data_is_detected_as_its_stage_needs():
    from backend.data.detect import detect
    from backend.data.read import open_source

    for name, fmt, at_least in (
        ("style.jsonl", "messages", 40),
        ("json_format.jsonl", "alpaca", 40),
        ("preference.jsonl", "preference", 40),
    ):
        rows = [r for _, r in open_source(DATA_DIR / name).iter_rows()]
        assert len(rows) >= at_least and detect(rows).format == fmt, name
    for row in (r for _, r in open_source(DATA_DIR / "json_format.jsonl").iter_rows()):
        assert list(yaml.safe_load(row["output"])) == ["answer", "category", "confidence"]


# -- the panel's logic ----------------------------------------------------------------------------
@pytest.fixture
def ctx(workspace, demo_defaults, monkeypatch):
    from backend.store import JobStore
    from studio import i18n
    from studio.context import Ctx
    from studio.i18n import presets as i18n_presets

    for table, extra in ((i18n.EN, i18n_presets.EN), (i18n.ZH, i18n_presets.ZH)):
        for key, text in extra.items():
            monkeypatch.setitem(table, key, text)  # until studio/i18n/tables.py merges them
    return Ctx(workspace, JobStore(workspace), i18n.EN, demo_defaults, chat=None, data_roots=[workspace.root, DATA_DIR])


def test_applying_a_task_preset_in_the_form_keeps_the_chosen_model(ctx, demo_models_dir):
    from studio.wizard.form import DATA_PATH, DATA_SOURCE, MODEL_PATH, MODEL_SOURCE, form_from_spec, spec_from_form
    from studio.wizard.presets import apply_to_form

    local = str(demo_models_dir / "demo")
    values = form_from_spec(ctx.defaults.with_overrides([f"model.name_or_path={local}"]))
    after = apply_to_form(ctx, "json-format", values)
    assert (after[MODEL_SOURCE], after[MODEL_PATH]) == ("local", local)
    assert (after[DATA_SOURCE], after[DATA_PATH]) == ("path", str(DATA_DIR / "json_format.jsonl"))
    assert spec_from_form(after, base=ctx.defaults).model.name_or_path == local

    hub = apply_to_form(ctx, "balanced-0.5b", after)  # a hub id stays a hub id, not a folder under the cwd
    assert (hub[MODEL_SOURCE], hub[MODEL_PATH], hub["method.lora_r"]) == ("hub", "Qwen/Qwen2.5-0.5B-Instruct", 16)
    spec = spec_from_form(hub, base=ctx.defaults)
    assert spec.model.name_or_path == "Qwen/Qwen2.5-0.5B-Instruct" and Path(spec.data.train).name == "json_format.jsonl"


def test_a_spec_file_fills_the_form_or_says_what_is_wrong(ctx, tmp_path):
    from studio.wizard.presets import dropped_fields, spec_file_to_form

    good = tmp_path / "mine.yaml"
    good.write_text(
        "preset: {title: {en: ignored}}\nmethod: {name: dora, lora_r: 12}\n"
        "training: {num_epochs: 2, weight_decay: 0.05}\n",
        encoding="utf-8",
    )
    values, spec = spec_file_to_form(ctx, good)
    assert (values["method.name"], values["method.lora_r"], values["training.num_epochs"]) == ("dora", 12, 2.0)
    assert dropped_fields(ctx, spec, values) == ["training.weight_decay"]  # the wizard has no box for it
    bad = tmp_path / "broken.yaml"
    bad.write_text("method: {name: [\n", encoding="utf-8")
    with pytest.raises(SpecError, match="broken.yaml is not valid YAML"):
        spec_file_to_form(ctx, bad)


def test_saving_from_the_form_and_the_panel_builds(ctx):
    import gradio as gr

    from studio.wizard.fields import Form
    from studio.wizard.form import form_from_spec
    from studio.wizard.presets import build, choices, describe, save_from_form, wire

    saved = save_from_form(ctx, "from-form", form_from_spec(ctx.defaults))
    assert saved.id == "saved/from-form" and choices(ctx)[-1] == ("Saved: from-form", "saved/from-form")
    assert choices(ctx)[0] == ("Quality: Quick try · tiny demo", "quick-try-tiny")
    assert "30 seconds" in describe(ctx, "quick-try-tiny")
    with gr.Blocks():
        view = build(ctx)
        form = Form(ctx, form_from_spec(ctx.defaults))
        for key in ("training.learning_rate", "method.lora_r", "stage"):
            form(key)
        with gr.Tabs() as tabs:
            pass
        wire(ctx, view, form, tabs, after=dict(fn=lambda: None))
    update, text = view.refresh[0]("style")
    assert update["value"] == "style" and len(update["choices"]) == len(BUILT_IN) + 1 and "pirate" in text
