"""A sweep's runs go through the same queue, so with a cluster they run on it: a 2x1 grid of demo runs, two at
once (parallel 2) on the local Ray head, each in a Ray worker, and the sweep ends with its best run marked."""

from __future__ import annotations

from backend.sweep import study as st
from backend.sweep.create import create_sweep
from backend.sweep.table import sweep_rows
from tests.backend.cluster.test_ray_jobs import demo, node_record
from tests.conftest import wait_for


def test_a_sweep_runs_on_the_cluster(store, cluster_scheduler):
    spec = demo("training.max_steps=3", "data.eval_split=0.1", "training.logging_steps=1")
    sweep_id = create_sweep(store, spec, {"method": "grid", "early_stop": "none", "parallel": 2,
                                          "parameters": {"training.learning_rate": [2e-3, 1e-6]}})
    d = st.sweep_dir(store.workspace, sweep_id)
    wait_for(lambda: st.read_state(d).get("state") == "done", 180, "the sweep to finish on the cluster")
    rows, best, _ = sweep_rows(store, sweep_id)
    assert len(rows) == 2 and best is not None
    for r in rows:
        job = store.get(r["job"])
        assert job.state == "succeeded" and not job.pid  # no local worker: it ran in the cluster
        assert node_record(store, r["job"])["node_id"]
    assert next(r for r in rows if r["best"])["params"] == {"training.learning_rate": 2e-3}
