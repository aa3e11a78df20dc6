"""The `sweep:` section: what is accepted, and the messages that name a bad path, value or method."""

from __future__ import annotations

import pytest

from backend.spec import JobSpec
from backend.sweep.spec import SweepError, SweepSpec, apply, split_sweep


@pytest.fixture
def base() -> JobSpec:
    return JobSpec.from_dict({"model": {"name_or_path": "demo"}, "data": {"train": "demo"}})


def problems(raw, base) -> str:
    with pytest.raises(SweepError) as e:
        SweepSpec.from_dict(raw, base)
    return str(e.value)


def test_grid_is_every_combination(base):
    sweep = SweepSpec.from_dict({"parameters": {"training.learning_rate": [1e-4, 5e-4, 2e-3],
                                                "method.lora_r": [4, 8]}}, base)
    assert (sweep.method, sweep.trials, sweep.early_stop) == ("grid", 6, "median")
    assert {"training.learning_rate": 2e-3, "method.lora_r": 4} in sweep.grid()
    spec = apply(base, {"training.learning_rate": 2e-3, "method.lora_r": 4})
    assert (spec.training.learning_rate, spec.method.lora_r) == (2e-3, 4)


def test_exponents_without_a_dot_are_numbers(base):
    import yaml

    raw = yaml.safe_load("parameters: {training.learning_rate: [1e-4, 5e-4]}")
    assert SweepSpec.from_dict(raw, base).parameters == {"training.learning_rate": [1e-4, 5e-4]}


def test_random_takes_ranges(base):
    sweep = SweepSpec.from_dict({"method": "tpe", "trials": 5, "early_stop": "none", "parameters": {
        "training.learning_rate": {"low": 1e-5, "high": 1e-3, "log": True}, "method.lora_r": {"low": 4, "high": 32,
                                                                                              "step": 4}}}, base)
    assert sweep.trials == 5 and sweep.early_stop == "none"


def test_bad_path_named_with_a_suggestion(base):
    text = problems({"parameters": {"training.learning_rat": [1e-4]}}, base)
    assert "training.learning_rat is not a spec field" in text and "training.learning_rate" in text


def test_bad_value_named_with_the_spec_reason(base):
    text = problems({"parameters": {"method.lora_r": [8, -2]}}, base)
    assert "sweep.parameters.method.lora_r: the value -2 is not accepted" in text


def test_unknown_method_and_key(base):
    text = problems({"method": "bayes", "budget": 3, "parameters": {"method.lora_r": [4]}}, base)
    assert "sweep.method 'bayes' is not a method; use one of: grid, random, tpe" in text
    assert "sweep.budget is not a sweep setting" in text


def test_range_needs_random_or_tpe(base):
    text = problems({"parameters": {"training.learning_rate": {"low": 1e-5, "high": 1e-3}}}, base)
    assert "a range needs method random or tpe" in text
    assert "is not a range" in problems({"method": "random", "parameters": {"training.learning_rate": {"low": 1}}},
                                        base)


def test_split_sweep_takes_the_section_off():
    raw, section = split_sweep("model: {name_or_path: demo}\nsweep:\n  method: grid\n")
    assert raw == {"model": {"name_or_path": "demo"}} and section == {"method": "grid"}
    assert split_sweep("model: {name_or_path: demo}\n")[1] is None


def test_studio_train_points_to_studio_sweep(tmp_path, capsys):
    from studio.cli.commands import main

    path = tmp_path / "s.yaml"
    path.write_text("model: {name_or_path: demo}\ndata: {train: demo}\nsweep: {parameters: {method.lora_r: [4]}}\n")
    assert main(["--workspace", str(tmp_path / "ws"), "train", str(path)]) != 0
    assert f"run it with `studio sweep {path}`" in capsys.readouterr().err
