"""The Runs tab's Sweeps view: the table of a sweep's runs marks the best with ★ (and a run stopped early as such),
and the overlay plot draws the best run's line thicker and labelled, in English and Chinese."""

from __future__ import annotations

import json

import pytest

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from backend.store import JobStore
from backend.sweep.controller import SweepController
from backend.sweep.create import create_sweep
from backend.workspace import Workspace
from studio.context import Ctx
from studio.i18n.tables import EN, ZH


def _finish(store, job_id, losses, final=True):
    store.mark_running(job_id, 0)
    (store.job_dir(job_id) / "metrics.jsonl").write_text(
        "".join(json.dumps({"step": i + 1, "eval_loss": v}) + "\n" for i, v in enumerate(losses)))
    if final:
        store.mark_succeeded(job_id, losses[-1])


@pytest.fixture
def swept(tmp_path):
    """A sweep of two runs, the second (lora_r 8) the better, as the controller leaves it."""
    ws = Workspace.at(tmp_path / "ws")
    store = JobStore(ws)
    spec = JobSpec.from_dict({"model": {"name_or_path": "demo"}, "data": {"train": "demo", "eval_split": 0.1}})
    sweep_id = create_sweep(store, spec, {"parameters": {"method.lora_r": [4, 8]}, "parallel": 2,
                                          "early_stop": "none"})
    controller = SweepController(store, min_interval_s=0)
    controller.tick()
    for job in store.list_jobs():
        r = store.load_spec(job.id).method.lora_r
        _finish(store, job.id, [3.0, 2.0, 1.0] if r == 8 else [3.0, 2.5, 2.2])
    controller.tick()
    return ws, store, sweep_id


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_table_and_plot_mark_the_best(swept, lang):
    from studio.views.sweeps import sweep_frame, sweep_plot

    ws, store, sweep_id = swept
    ctx = Ctx(ws, store, {'en': EN, 'zh': ZH}[lang], JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")), None)
    t = {'en': EN, 'zh': ZH}[lang]
    frame, best_job, rows, best, info = sweep_frame(ctx, sweep_id)
    assert list(frame.columns) == [t["sweep.col.trial"], "method.lora_r", t["sweep.col.state"],
                                   t["sweep.col.eval_loss"], t["sweep.col.best"], t["sweep.col.job"]]
    starred = frame[frame[t["sweep.col.best"]] == "★"]
    assert len(starred) == 1 and starred["method.lora_r"].item() == 8
    assert starred[t["sweep.col.job"]].item() == best_job and store.load_spec(best_job).method.lora_r == 8
    assert set(frame[t["sweep.col.state"]]) == {t["monitor.state.succeeded"]}
    fig = sweep_plot(ctx, rows, best, info)
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    best_label = next(label for label in lines if "★" in label)
    assert "lora_r=8" in best_label and t["sweep.best"] in best_label
    assert lines[best_label].get_linewidth() > max(x.get_linewidth() for k, x in lines.items() if k != best_label)
