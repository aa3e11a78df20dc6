"""Guidance during a run: early stopping on the eval loss (spec rules, the callback, a real worker
run that stops), live advice from the curve (synthetic curves for each code, the demo's real curve
giving none, every message template formatting), the system sampler, and the timing probe CLI."""

from __future__ import annotations

import json
import logging
import math
import random
import subprocess
import sys
import time

import pytest

from backend.plan.advice import Advice, advise
from backend.resources import DEMO_SPEC
from backend.spec import JobSpec, SpecError
from studio.i18n import advice as i18n_advice

# -- early stopping: the spec -----------------------------------------------------------------


@pytest.mark.parametrize("training, data, field, words", [
    ({"early_stopping_patience": -1}, {"eval_split": 0.1}, "training.early_stopping_patience", "got -1"),
    ({"early_stopping_min_delta": -0.5}, {}, "training.early_stopping_min_delta", "non-negative"),
    ({"early_stopping_patience": 3}, {}, "training.early_stopping_patience", "set `data.eval_split` (e.g. 0.1)"),
])
def test_early_stopping_fields_are_checked(training, data, field, words):
    with pytest.raises(SpecError) as info:
        JobSpec.from_dict({"training": training, "data": data})
    assert field in [i.field for i in info.value.issues]
    assert f"`{field}`" in str(info.value) and words in str(info.value)


def test_early_stopping_without_eval_data_says_what_to_do():
    with pytest.raises(SpecError) as info:
        JobSpec.from_dict({"training": {"early_stopping_patience": 2}})
    [issue] = info.value.issues
    assert (issue.field, issue.message) == ("training.early_stopping_patience",
                                            "early stopping watches the eval loss: set `data.eval_split` (e.g. 0.1) "
                                            "or `data.eval`, or set this to 0.")
    for data in ({"eval_split": 0.1}, {"eval_split": 20}, {"eval": "held_out.jsonl"}):
        spec = JobSpec.from_dict({"training": {"early_stopping_patience": 2, "early_stopping_min_delta": 0.01},
                                  "data": data})
        assert spec.training.early_stopping_patience == 2


# -- early stopping: the callback -------------------------------------------------------------


def test_callback_counts_evaluations_without_an_improvement_beyond_min_delta():
    from transformers import TrainerControl, TrainerState

    from backend.training.early_stop import EarlyStopOnEvalLoss

    stopper, state, control = EarlyStopOnEvalLoss(patience=2, min_delta=0.05), TrainerState(), TrainerControl()
    for step, loss in [(1, 2.0), (2, 1.5), (3, 1.49), (4, 1.3), (5, 1.28), (6, 1.31), (7, 1.0)]:
        state.global_step = step
        stopper.on_evaluate(None, state, control, metrics={"eval_loss": loss})
        if control.should_training_stop:
            break
    # 1.49 is within min_delta of 1.5 (1 bad), 1.3 improves (reset), 1.28 and 1.31 do not: stop at step 6.
    assert stopper.summary() == {"stopped": True, "at_step": 6, "best": 1.3, "best_step": 4, "kept_step": None,
                                 "patience": 2, "min_delta": 0.05}


def test_the_best_evaluation_weights_are_put_back_at_the_end():
    import torch
    from transformers import TrainerControl, TrainerState

    from backend.training.early_stop import EarlyStopOnEvalLoss

    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 2))
    model[0].weight.requires_grad_(False)  # frozen weights are not copied, and not touched
    stopper, state, control = EarlyStopOnEvalLoss(patience=1), TrainerState(), TrainerControl()
    state.global_step = 1
    stopper.on_evaluate(None, state, control, metrics={"eval_loss": 1.0}, model=model)
    best = {n: p.detach().clone() for n, p in model.named_parameters()}
    with torch.no_grad():  # training goes on and makes it worse
        for p in model.parameters():
            p.add_(1.0)
    state.global_step = 2
    stopper.on_evaluate(None, state, control, metrics={"eval_loss": 1.5}, model=model)
    assert control.should_training_stop
    stopper.on_train_end(None, state, control, model=model)
    now = dict(model.named_parameters())
    assert torch.equal(now["1.weight"], best["1.weight"]) and torch.equal(now["0.bias"], best["0.bias"])
    assert torch.equal(now["0.weight"], best["0.weight"] + 1.0)  # frozen: left as it was
    assert stopper.summary()["kept_step"] == 1


def test_a_real_run_stops_early_and_the_worker_records_it(store, workspace, caplog):
    from backend.jobs.worker import StopRequest, _train

    spec = JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(
        ["data.eval_split=0.1", "training.max_steps=12", "training.logging_steps=1", "training.save_minutes=0",
         "training.early_stopping_patience=1", "training.early_stopping_min_delta=100"])
    job_id = store.create_job(spec, state="running")
    job_dir = store.job_dir(job_id)
    with caplog.at_level(logging.INFO, logger="studio.worker"):
        stopped_on_request = _train(store, job_id, job_dir, workspace, StopRequest())

    assert stopped_on_request is False and store.get(job_id).state == "succeeded"
    summary = json.loads((job_dir / "summary.json").read_text())
    # The first evaluation sets the best; no later one can beat it by 100, so patience 1 ends it at the second.
    assert summary["steps"] == 2 < 12
    early = summary["early_stopped"]
    assert (early["stopped"], early["at_step"], early["best_step"], early["kept_step"]) == (True, 2, 1, 1)
    assert "kept the weights of step 1" in caplog.text
    assert math.isfinite(early["best"])
    assert "early stopping at step 2" in caplog.text and f"best eval loss {early['best']:.4f} at step 1" in caplog.text
    evals = [m["eval_loss"] for m in store.read_metrics(job_id) if m.get("eval_loss") is not None]
    assert len(evals) == 2 and evals[0] == pytest.approx(early["best"])
    # The worker's sampler recorded the machine through loading and training.
    rows = [json.loads(line) for line in (job_dir / "system.jsonl").read_text().splitlines()]
    assert rows and set(rows[-1]) == SYSTEM_KEYS and rows[-1]["rss_mb"] > 50


# -- advice -----------------------------------------------------------------------------------
# The demo's real curve: templates/demo.yaml with data.eval_split=0.1 (logging every 5 steps, 165 steps).
DEMO_TRAIN = [7.524, 7.24, 5.573, 3.861, 2.818, 2.031, 1.493, 1.542, 1.104, 0.935, 0.793, 0.726, 0.55, 0.568, 0.431,
              0.411, 0.408, 0.305, 0.307, 0.257, 0.321, 0.254, 0.215, 0.201, 0.208, 0.192, 0.17, 0.162, 0.168, 0.17,
              0.162, 0.159, 0.179, 0.162]
DEMO_EVAL = [6.453, 4.547, 3.378, 2.648, 2.189, 1.908, 1.714, 1.667, 1.587, 1.545, 1.45, 1.421, 1.415, 1.435, 1.449,
             1.403, 1.382, 1.381, 1.418, 1.404, 1.389, 1.384, 1.397, 1.401, 1.399, 1.385, 1.38, 1.382, 1.383, 1.383,
             1.384, 1.384, 1.384]


def curve(train: list[float], evals: list[float] | None = None, every: int = 5) -> list[dict]:
    """metrics.jsonl rows as the reporter writes them: a training row per point, an eval row after it."""
    rows = []
    for i, loss in enumerate(train):
        step = (i + 1) * every
        rows.append({"step": step, "epoch": step / 100, "loss": loss, "learning_rate": 2e-4, "grad_norm": 1.0})
        if evals and i < len(evals):
            rows.append({"step": step, "epoch": step / 100, "eval_loss": evals[i]})
    return rows


def noisy_decay(n: int, seed: int = 0, noise: float = 0.25) -> list[float]:
    rng = random.Random(seed)
    return [(2.0 * math.exp(-i / 30) + 0.5) * (1 + noise * rng.uniform(-1, 1)) for i in range(n)]


def codes(rows: list[dict]) -> list[str]:
    return [a.code for a in advise(rows)]


def assert_quiet_at_every_point(rows: list[dict]) -> None:
    for i in range(len(rows) + 1):  # the monitor asks at every point of the run, not only at the end
        assert advise(rows[:i]) == [], (i, advise(rows[:i]))


def test_normal_curves_get_no_advice():
    assert_quiet_at_every_point([{"step": 1, "loss": DEMO_TRAIN[0]}, *curve(DEMO_TRAIN[1:], DEMO_EVAL)])
    for seed in range(5):  # small-batch noise of +-25% around a falling curve, eval falling smoothly
        evals = [2.0 * math.exp(-i / 30) + 0.6 for i in range(0, 200, 10)]
        rows = curve(noisy_decay(200, seed), evals, every=1)
        assert_quiet_at_every_point(rows)
        assert_quiet_at_every_point([dict(r, elapsed_s=r["step"], eta_s=200 - r["step"]) for r in rows])
    assert advise([]) == [] and advise([{"step": 3}, {"epoch": 1.0}, {"step": 4, "learning_rate": 1e-4}]) == []


def test_nan_or_inf_is_an_error_at_the_first_step_it_appeared():
    rows = curve([2.0, 1.8, 1.7, float("nan"), float("nan")])
    [a] = advise(rows)
    assert (a.code, a.severity, a.step, a.params) == ("not_finite", "error", 20, {"step": 20, "metric": "loss"})
    rows = curve([2.0, 1.8, 1.7], [1.9, float("inf")])
    assert [(a.code, a.params["metric"], a.step) for a in advise(rows)] == [("not_finite", "eval_loss", 10)]


def test_overfitting_when_eval_rises_while_training_falls():
    train = [2.0, 1.7, 1.5, 1.3, 1.1, 0.9, 0.7, 0.5]
    evals = [1.9, 1.6, 1.45, 1.4, 1.48, 1.6]
    [a] = advise(curve(train, evals))
    assert (a.code, a.severity, a.step) == ("overfitting", "warn", 30)
    assert a.params == {"best_step": 20, "best": 1.4, "now": 1.6, "step": 30}
    # One rise is noise; so is a small wobble (the demo's eval set is 9 rows).
    assert "overfitting" not in codes(curve(train, [1.9, 1.6, 1.45, 1.4, 1.43]))
    assert "overfitting" not in codes(curve(train, [1.9, 1.6, 1.45, 1.4, 1.41, 1.42]))
    # Clearly above the best two evaluations later, without two rises in a row, counts too.
    assert "overfitting" in codes(curve(train, [1.9, 1.6, 1.4, 1.7, 1.65]))
    # Eval rising while the training loss rises too is not overfitting.
    assert "overfitting" not in codes(curve([1.0, 1.1, 1.2, 1.3, 1.4, 1.5], [1.9, 1.6, 1.4, 1.5, 1.7]))


def test_flat_loss_after_enough_points():
    rng = random.Random(1)
    flat = [2.3 * (1 + 0.005 * rng.uniform(-1, 1)) for _ in range(30)]
    [a] = advise(curve(flat))
    assert (a.code, a.severity, a.step) == ("flat", "warn", 150)
    assert set(a.params) == {"start", "now", "change_pct", "points"} and a.params["points"] == 30
    assert abs(a.params["change_pct"]) < 2
    # Rows that say how far the run is (the reporter's elapsed_s and eta_s): 10 points and 30% of the run.
    assert codes([dict(r, elapsed_s=300.0, eta_s=700.0) for r in curve(flat[:10])]) == ["flat"]
    assert advise([dict(r, elapsed_s=300.0, eta_s=700.0) for r in curve(flat[:9])]) == []  # too few points
    assert advise([dict(r, elapsed_s=100.0, eta_s=900.0) for r in curve(flat)]) == []  # 10%: warm-up may hold it
    assert advise(curve(flat[:19])) == []  # without them, 20 points


def test_a_spike_is_found_and_a_jittery_low_loss_is_not():
    train = noisy_decay(40, seed=3, noise=0.1)
    train[25] = 8.0
    [a] = advise(curve(train, every=1))
    assert (a.code, a.severity, a.step, a.params["value"], a.params["count"]) == ("spike", "warn", 26, 8.0, 1)
    assert a.params["ratio"] > 3 and a.params["median"] == pytest.approx(a.params["value"] / a.params["ratio"], rel=0.05)
    low = [0.02, 0.01, 0.03, 0.01, 0.02, 0.01, 0.09, 0.01, 0.02]  # 5x the median, but 0.07 nats is no spike
    assert advise(curve([2.0, 1.0, 0.5, 0.2, 0.1, *low])) == []


def test_diverging_when_the_loss_climbs_above_its_start():
    train = [2.0, 1.9, 1.8, 1.8, 1.9, 2.1, 2.4, 2.8, 3.3, 3.9, 4.6, 5.4]
    found = advise(curve(train))
    assert [a.code for a in found] == ["diverging"]
    assert found[0].severity == "error" and found[0].params == {"start": 1.9, "now": 3.9, "step": 60}
    # Up again but still below where it started: not diverging.
    assert "diverging" not in codes(curve([2.0, 1.9, 1.8, 1.2, 1.0, 0.9, 1.0, 1.1, 1.2, 1.3]))


def test_grpo_like_losses_near_zero_are_not_judged_relatively():
    rng = random.Random(2)
    assert advise(curve([0.01 * rng.uniform(-1, 1) for _ in range(40)])) == []


EXAMPLES = {  # one curve per code, as advise() sees them
    "not_finite": curve([2.0, 1.8, float("nan")]),
    "overfitting": curve([2.0, 1.7, 1.5, 1.3, 1.1, 0.9, 0.7, 0.5], [1.9, 1.6, 1.45, 1.4, 1.48, 1.6]),
    "flat": curve([2.3, 2.31, 2.29] * 10),
    "spike": curve([2.0, 1.9, 1.8, 1.7, 1.6, 1.5, 9.0, 1.4]),
    "diverging": curve([2.0, 1.9, 1.8, 1.8, 1.9, 2.1, 2.4, 2.8, 3.3, 3.9, 4.6, 5.4]),
}


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_every_message_formats_with_the_params_advise_gives(code):
    [a] = [a for a in advise(EXAMPLES[code]) if a.code == code]
    assert isinstance(a, Advice)
    for table in (i18n_advice.EN, i18n_advice.ZH):
        text = table[f"advice.{code}"].format(**a.params)
        assert "{" not in text and len(text) > 40
    assert i18n_advice.EN[f"advice.{code}"] != i18n_advice.ZH[f"advice.{code}"]


def test_both_languages_have_the_same_advice_keys():
    assert set(i18n_advice.EN) == set(i18n_advice.ZH) == {"advice.title", *(f"advice.{c}" for c in EXAMPLES)}
    assert (i18n_advice.EN["advice.title"], i18n_advice.ZH["advice.title"]) == ("Advice", "建议")


# -- the system sampler -----------------------------------------------------------------------
SYSTEM_KEYS = {"time", "elapsed_s", "rss_mb", "cpu_pct", "ram_used_pct", "gpu_mem_mb", "gpu_util_pct"}


def test_sampler_records_memory_growth_with_the_exact_keys(tmp_path):
    from backend.training.sysmon import SystemSampler

    sampler = SystemSampler(tmp_path, interval_s=0.05).start()
    held = []
    for _ in range(8):
        held.append(b"x" * (25 * 2**20))  # 200 MB in all, touched
        time.sleep(0.05)
    sampler.stop()
    rows = [json.loads(line) for line in (tmp_path / "system.jsonl").read_text().splitlines()]
    assert len(rows) >= 3
    assert all(set(r) == SYSTEM_KEYS for r in rows)
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)
    assert all(0 <= r["elapsed_s"] < 30 for r in rows)
    assert all(0 <= r["cpu_pct"] <= 100 and 0 < r["ram_used_pct"] < 100 for r in rows)
    assert max(r["rss_mb"] for r in rows) - rows[0]["rss_mb"] > 100
    assert all(r["gpu_mem_mb"] is None and r["gpu_util_pct"] is None for r in rows)  # no CUDA here
    del held

    SystemSampler(tmp_path, interval_s=10).start().stop()  # a resumed job appends
    assert len((tmp_path / "system.jsonl").read_text().splitlines()) == len(rows) + 1


def test_sampler_counts_children_and_only_the_main_process_writes(tmp_path, monkeypatch):
    from backend.training.sysmon import SystemSampler

    sampler = SystemSampler(tmp_path)
    alone = sampler.sample()["rss_mb"]
    child = subprocess.Popen([sys.executable, "-c", "import time; x = b'x' * (150 * 2**20); time.sleep(30)"])
    try:
        deadline = time.time() + 10
        while sampler.sample()["rss_mb"] - alone < 120 and time.time() < deadline:
            time.sleep(0.1)
        assert sampler.sample()["rss_mb"] - alone >= 120
    finally:
        child.kill()
        child.wait()

    monkeypatch.setenv("LOCAL_RANK", "1")
    SystemSampler(tmp_path / "rank1", interval_s=0.01).start().stop()
    assert not (tmp_path / "rank1").exists()


# -- the timing probe -------------------------------------------------------------------------


def probe_cli(*args: str) -> tuple[subprocess.CompletedProcess, dict]:
    from tests.conftest import ROOT, python_env

    proc = subprocess.run([sys.executable, "-m", "backend.jobs.probe", *args], capture_output=True, text=True,
                          env=python_env(), cwd=ROOT, timeout=300)
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, (proc.stdout, proc.stderr[-3000:])
    return proc, json.loads(lines[0])


def test_probe_measures_real_steps_and_leaves_no_job(workspace):
    from backend.jobs.probe import ProbeResult, estimate_seconds

    proc, answer = probe_cli("--workspace", str(workspace.root), str(DEMO_SPEC), "--steps", "3")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert set(answer) == {"startup_s", "seconds_per_step", "steps", "rows_per_step", "device"}
    assert answer["steps"] == 3 and answer["rows_per_step"] == 8 and answer["device"] == "cpu"
    assert math.isfinite(answer["seconds_per_step"]) and 0 < answer["seconds_per_step"] < 30
    assert 0 < answer["startup_s"] < 120
    assert list(workspace.jobs_dir.iterdir()) == [] and not workspace.db_path.exists()
    result = ProbeResult(**answer)
    assert estimate_seconds(100, result) == pytest.approx(answer["startup_s"] + 100 * answer["seconds_per_step"])


def test_probe_answers_a_bad_spec_with_a_sentence_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("training:\n  learning_rate: -1\n")
    proc, answer = probe_cli("--workspace", str(tmp_path / "ws"), str(bad))
    assert proc.returncode == 2 and set(answer) == {"error", "error_ref"}  # the sentence, and its id and values
    assert "`training.learning_rate`" in answer["error"] and "Traceback" not in proc.stderr
    assert answer["error_ref"]["id"] == "jobs.probe_bad_spec" and answer["error_ref"]["text"] == answer["error"]



def test_probe_answers_a_missing_model_or_file_with_a_sentence(tmp_path):
    from argparse import Namespace

    from backend.jobs.probe import _run  # in-process: the CLI path without paying for the imports again

    missing = tmp_path / "no-model.yaml"
    missing.write_text(f"model:\n  name_or_path: {tmp_path / 'nowhere'}\n")
    answer, code = _run(Namespace(spec=str(missing), workspace=str(tmp_path / "ws"), steps=2))
    assert code == 2 and "`model.name_or_path`" in answer["error"] and "does not exist" in answer["error"]
    said = answer["error_ref"]  # the message and its hint, each by its id: the studio shows them in its language
    assert said["id"] == "jobs.probe_failed" and said["params"]["message"]["id"] == "training.model_folder_missing"
    assert said["params"]["hint"]["id"] == "training.model_source_hint"
    answer, code = _run(Namespace(spec=str(tmp_path / "absent.yaml"), workspace=str(tmp_path / "ws"), steps=2))
    assert code == 2 and "cannot read the spec file" in answer["error"]
    assert answer["error_ref"]["id"] == "jobs.probe_cannot_read_spec"
    assert list((tmp_path / "ws" / "jobs").iterdir()) == []


def test_weights_too_large_to_copy_are_left_as_they_are_and_said(monkeypatch):
    import torch
    from transformers import TrainerControl, TrainerState

    from backend.training import early_stop

    monkeypatch.setattr(early_stop, "KEEP_LIMIT_BYTES", 8)  # smaller than any layer here
    model = torch.nn.Linear(4, 2)
    stopper, state, control = early_stop.EarlyStopOnEvalLoss(patience=1), TrainerState(), TrainerControl()
    state.global_step = 1
    stopper.on_evaluate(None, state, control, metrics={"eval_loss": 1.0}, model=model)
    with torch.no_grad():
        model.weight.add_(1.0)
    after = model.weight.detach().clone()
    state.global_step = 2
    stopper.on_evaluate(None, state, control, metrics={"eval_loss": 2.0}, model=model)
    stopper.on_train_end(None, state, control, model=model)
    assert torch.equal(model.weight, after)
    summary = stopper.summary()
    assert summary["kept_step"] is None and "too large" in summary["best_not_kept"]
