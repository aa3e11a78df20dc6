"""Rows that cannot train at max_length are left out before any trainer sees them (backend/data/fit.py, through
stages/common.begin, for every stage), said in the job log with how many and why, and never reach a loss:

- LLaMA-Factory's dpo_en_demo with the demo model at its max_length 128 (most prompts fill it): orpo and dpo
  train on the pairs that fit, with finite losses and rewards, well within a minute (orpo took 133 s a step and
  grew to 22.6 GB before);
- pairs whose chosen or rejected reply is empty once rendered are left out and counted (rm, dpo, orpo, kto; sft
  trains on the chosen replies);
- data where no row fits is refused before the model loads, naming max_length and a length to try.
"""

from __future__ import annotations

import logging
import math
import re
import time

import pytest

from backend.data.load import load_data
from backend.data.read import DataError
from backend.spec import JobSpec
from backend.store import JobStore
from backend.training.callback import JobReporter
from backend.training.run import build_run
from tests.conftest import SHARED_DATASETS, write_jsonl

TRAINING = {"max_steps": 3, "batch_size": 4, "max_length": 128, "logging_steps": 1, "learning_rate": 5e-3,
            "save_minutes": 0, "warmup_ratio": 0.0, "device": "cpu"}
DPO_DEMO = SHARED_DATASETS / "dpo_en_demo.json"


def build(ws, stage: str, data: dict, training: dict | None = None):
    spec = JobSpec.from_dict({"stage": stage, "data": data, "training": {**TRAINING, **(training or {})}})
    store = JobStore(ws)
    job_dir = store.job_dir(store.create_job(spec, state="running"))
    return build_run(spec, job_dir, ws, JobReporter(job_dir), data=load_data(spec.data, ws.root))


def assert_finite(logs: list[dict]) -> None:
    losses = [row["loss"] for row in logs if "loss" in row]
    assert losses, logs
    numbers = [v for row in logs for v in row.values() if isinstance(v, float)]
    assert all(math.isfinite(v) for v in numbers), logs  # losses, rewards, log-odds


def assert_every_row_has_a_completion(trainer) -> None:
    data = trainer.train_dataset
    if "labels" in data.column_names:  # sft: each row has a trained token
        assert all(any(x != -100 for x in labels) for labels in data["labels"])
    if "chosen_labels" in data.column_names:  # orpo
        for side in ("chosen_labels", "rejected_labels"):
            assert all(any(x != -100 for x in labels) for labels in data[side])
    for side in ("chosen_ids", "rejected_ids", "completion_ids"):
        if side in data.column_names and "prompt_ids" in data.column_names:
            prompt_max = max(len(p) for p in data["prompt_ids"])
            assert prompt_max < TRAINING["max_length"] and all(len(c) for c in data[side])


@pytest.mark.skipif(not DPO_DEMO.is_file(), reason="../shared/datasets is not beside this clone")
@pytest.mark.parametrize("stage", ["orpo", "dpo"])
def test_llamafactory_dpo_demo_at_max_length_128_trains_on_the_pairs_that_fit(stage_ws, caplog, stage):
    caplog.set_level(logging.INFO, logger="studio.worker")
    start = time.monotonic()
    run = build(stage_ws, stage, {"train": str(DPO_DEMO)})
    result = run.trainer.train()
    took = time.monotonic() - start
    assert took < 60, took
    assert result.global_step == TRAINING["max_steps"]
    assert_finite(run.trainer.state.log_history)
    assert_every_row_has_a_completion(run.trainer)
    said = re.search(r"(\d+) of 300 pairs cannot train at max_length=128 and are left out: (\d+) whose prompt alone "
                     r"fills max_length \(no room for a reply token\)\.", caplog.text)
    assert said, caplog.text
    dropped = int(said.group(1))
    assert int(said.group(2)) == dropped and 0 < dropped < 300
    assert run.n_train == 300 - dropped  # the trainer left out nothing more (our count is its count)
    assert re.search(rf"\d+ of the {run.n_train} pairs kept are longer than max_length=128: their replies are cut",
                     caplog.text)
    assert "dropped: longer than max_length" not in caplog.text
    assert "The prompt alone fills" not in caplog.text  # TRL's warning: no row reached it


@pytest.fixture(scope="module")
def untrainable(tmp_path_factory) -> str:
    """12 pairs: 6 that train, 2 whose chosen and 1 whose rejected reply is reasoning only (empty once
    `data.reasoning: drop` removes it), 3 whose prompt alone is longer than max_length 64."""
    q = [f"What is {i} plus {i}?" for i in range(12)]
    long = "Tell me all about the weather in every city you know of, one by one. " * 6
    rows = []
    for i in range(12):
        chosen, rejected = f"It is {2 * i}.", f"Maybe {2 * i + 1}?"
        if i in (1, 2):
            chosen = "<think>only thinking</think>"
        if i == 5:
            rejected = "<think>x</think>"
        rows.append({"prompt": long + q[i] if i in (7, 9, 11) else q[i], "chosen": chosen, "rejected": rejected})
    return write_jsonl(tmp_path_factory.mktemp("untrainable") / "pairs.jsonl", rows)


@pytest.mark.parametrize("stage", ["orpo", "dpo", "kto", "rm", "sft"])
def test_empty_replies_and_prompts_that_fill_max_length_are_left_out_and_counted(stage_ws, untrainable, caplog, stage):
    caplog.set_level(logging.INFO, logger="studio.worker")
    run = build(stage_ws, stage, {"train": untrainable, "reasoning": "drop", "shuffle": False},
                {"max_length": 64, "max_steps": 2, "batch_size": 2})
    if stage == "kto":  # unpaired: each pair is two replies, and only the emptied one is left out
        expected = ("9 of 24 replies cannot train at max_length=64 and are left out: 3 with an empty reply once "
                    "rendered through the chat template, 6 whose prompt alone fills max_length (no room for a reply "
                    "token).")
    elif stage == "sft":  # the chosen replies: 2 emptied, 3 after a prompt that fills max_length
        expected = ("5 of 12 rows cannot train at max_length=64 and are left out: 2 with an empty reply once "
                    "rendered through the chat template, 3 whose prompt alone fills max_length (no room for a reply "
                    "token).")
    else:
        why = ("3 longer than max_length (the reward trainer leaves out, rather than cuts, a pair that does not fit)"
               if stage == "rm" else "3 whose prompt alone fills max_length (no room for a reply token)")
        expected = (f"6 of 12 pairs cannot train at max_length=64 and are left out: 3 with an empty reply once "
                    f"rendered through the chat template, {why}.")
    assert expected in caplog.text, caplog.text
    assert run.n_train == {"kto": 15, "sft": 7}.get(stage, 6)
    result = run.trainer.train()
    assert result.global_step == 2
    assert_finite(run.trainer.state.log_history)
    assert_every_row_has_a_completion(run.trainer)


@pytest.mark.parametrize("stage, data", [("orpo", "preference"), ("dpo", "preference"), ("rm", "preference"),
                                         ("kto", "kto"), ("sft", "chat"), ("grpo", "prompt")])
def test_no_row_that_fits_is_refused_before_the_model_loads(stage_ws, stage_files, monkeypatch, stage, data):
    import backend.training.stages.common as common

    monkeypatch.setattr(common, "build_model", lambda *a, **k: pytest.fail("the model was loaded"))
    with pytest.raises(DataError) as e:
        build(stage_ws, stage, {"train": stage_files[data]}, {"max_length": 8})
    message = e.value.args[0]
    assert message.id == "rows.fit_none_left", message
    unit = {"orpo": "pairs", "dpo": "pairs", "rm": "pairs", "kto": "replies", "grpo": "prompts"}.get(stage, "rows")
    assert message.startswith(f"none of the 8 {unit} can train at max_length=8: 8 ")
    assert "Raise `training.max_length` to 64 (it keeps 100% of them whole), or shorten the prompts." in message
