"""The warm worker (backend/jobs/warm.py): the first job starts cold and leaves a warm worker behind; the
next one is forked by it, trains to the same result, logs to its own log.txt, counts as alive for the
scheduler, answers a cancel, and starts in a fraction of the cold start-up."""

from __future__ import annotations

import json
import os
import signal

import pytest

from backend.jobs import warm
from backend.jobs.scheduler import is_worker_alive, spawn_worker, worker_process_env
from backend.spec import JobSpec
from tests.conftest import wait_for
from tests.conftest import warm_servers as servers

SPEC = {"data": {"train": "demo"}, "training": {"max_steps": 3, "save_minutes": 0, "sample_prompts": 0,
                                                 "device": "cpu", "logging_steps": 1, "report_to": []}}


def run(store, steps=3, **training):
    spec = JobSpec.from_dict({**SPEC, "training": {**SPEC["training"], "max_steps": steps, **training}})
    job_id = store.create_job(spec, state="running")
    proc = spawn_worker(store, job_id)
    store.set_pid(job_id, proc.pid)
    return job_id, proc


def summary(store, job_id) -> dict:
    return json.loads((store.job_dir(job_id) / "summary.json").read_text())


@pytest.mark.skipif(not warm.sys.platform.startswith("linux"), reason="abstract Unix sockets and fork: Linux")
def test_second_job_is_forked_warm_trains_the_same_and_starts_faster(store, warm_on):
    root = store.workspace.root
    cold_id, cold = run(store)
    assert not isinstance(cold, warm.WarmChild)  # nothing listening yet: cold, and a warm worker started
    assert cold.wait(timeout=300) == 0 and store.get(cold_id).state == "succeeded"
    env = worker_process_env(store.load_spec(cold_id))
    wait_for(lambda: servers(root), 30, "the warm worker to start")
    wait_for(lambda: "libraries loaded" in (root / "logs" / "warm.log").read_text(), 120,
             "the warm worker to load the libraries")

    outside = root.parent / "elsewhere"
    (outside / "spec.yaml").parent.mkdir()
    (outside / "spec.yaml").write_text("{}")
    assert warm.fork_job(root, outside, env) is None  # not a job folder of this workspace: refused
    assert "refused" in (root / "logs" / "warm.log").read_text()

    warm_id, child = run(store)
    assert isinstance(child, warm.WarmChild), "the second job was not forked by the warm worker"
    job = store.get(warm_id)
    assert child.pid != servers(root)[0] and is_worker_alive(job)  # the scheduler's liveness check knows it
    assert child.wait(timeout=300) == 0 and store.get(warm_id).state == "succeeded"
    assert not is_worker_alive(store.get(warm_id))

    log = (store.job_dir(warm_id) / "log.txt").read_text()
    assert "ready to train" in log and "adapter saved" in log
    cold_s, warm_s = summary(store, cold_id), summary(store, warm_id)
    assert warm_s["final_loss"] == pytest.approx(cold_s["final_loss"], rel=1e-5)  # the same training
    assert warm_s["startup_s"] < 0.5 * cold_s["startup_s"], (warm_s["startup_s"], cold_s["startup_s"])
    assert (store.job_dir(warm_id) / "adapter" / "adapter_model.safetensors").is_file()
    assert warm.key(root, env) == warm.key(root, dict(env))
    assert warm.key(root, {**env, "HF_HOME": "/elsewhere"}) != warm.key(root, env)  # another environment


@pytest.mark.skipif(not warm.sys.platform.startswith("linux"), reason="abstract Unix sockets and fork: Linux")
def test_a_forked_job_stops_on_request_and_qlora_starts_cold(store, warm_on):
    root = store.workspace.root
    first_id, first = run(store, steps=1)
    first.wait(timeout=300)
    wait_for(lambda: servers(root) and "libraries loaded" in (root / "logs" / "warm.log").read_text(), 120,
             "the warm worker")
    job_id, child = run(store, steps=2000, save_steps=0)
    assert isinstance(child, warm.WarmChild)
    progress = store.job_dir(job_id) / "progress.json"
    wait_for(lambda: progress.exists() and json.loads(progress.read_text()).get("step", 0) >= 1, 120,
             "the forked job to train")
    os.killpg(child.pid, signal.SIGTERM)  # what a cancel sends (scheduler.signal_worker)
    assert child.wait(timeout=120) == 3 and store.get(job_id).state == "cancelled"

    spec = JobSpec.from_dict({**SPEC, "method": {"name": "qlora"}})
    assert not warm.usable_for(spec)  # bitsandbytes is not in the warm worker
    assert servers(root)  # and the warm worker is still there for the next job
    # One warm worker a workspace: a job asked from another environment (another HF_HOME: another key) starts cold,
    # and no second warm worker starts beside the first.
    assert warm.running(root)
    other = {**worker_process_env(store.load_spec(job_id)), "HF_HOME": str(root / "other-hf")}
    assert warm.fork_job(root, store.job_dir(job_id), other) is None and warm.start_server(root, other) is None
