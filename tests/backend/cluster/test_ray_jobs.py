"""Jobs on a real local Ray head (tests/backend/cluster/conftest.py): where they run, sharing the cluster, cancel,
a killed worker and Resume."""

import json
import os
import signal

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from backend.store import FINAL_STATES
from tests.conftest import wait_for


def demo(*overrides):
    return JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(["training.cpu_threads=1", *overrides])


def node_record(store, job_id):
    path = store.job_dir(job_id) / "node.json"
    return json.loads(path.read_text()) if path.is_file() else None


def parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def cmdline(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ").decode(errors="replace").strip()


def ancestors(pid: int) -> list[int]:
    chain = []
    while pid > 1:
        pid = parent(pid)
        chain.append(pid)
    return chain


def test_jobs_run_in_ray_workers_two_at_once_while_a_third_waits(store, cluster_scheduler):
    ids = [store.create_job(demo("training.max_steps=3")) for _ in range(3)]
    where = {}

    def two_started():
        for j in ids[:2]:
            where[j] = where.get(j) or node_record(store, j)
        return all(where.get(j) for j in ids[:2])

    wait_for(two_started, 90, "two jobs to start on the cluster")
    # Each job's worker is a child of a Ray worker process (its actor), which is not the test's process nor one of
    # its descendants: the head's raylet started it.
    for j in ids[:2]:
        w = where[j]
        assert os.getpid() not in (w["pid"], w["ray_pid"])
        try:
            assert parent(w["pid"]) == w["ray_pid"]
            assert cmdline(w["ray_pid"]).startswith("ray::JobRunner")
            assert os.getpid() not in ancestors(w["ray_pid"])
        except FileNotFoundError:
            pass  # it finished already; node.json still says where it ran
    states = []

    def two_done():
        states.append([store.get(j).state for j in ids])
        return all(store.get(j).is_final for j in ids[:2])

    wait_for(two_done, 180, "the two jobs to finish")
    # 2 CPUs, a CPU a job: the third waited for room while the two ran (it may start once the first one ends)
    both_running = [s for s in states if not any(state in FINAL_STATES for state in s[:2])]
    assert all(s[2] == "queued" for s in both_running), states
    assert store.request_cancel(ids[2]) in ("cancelled", "running")
    a, b = (store.get(j) for j in ids[:2])
    for job in (a, b):
        w = where[job.id]
        print(f"\njob {job.id}: {job.state}, ran {job.started_at:.1f}-{job.ended_at:.1f} on node "
              f"{w['node_id'][:12]} ({w['hostname']}, {w['node_ip']}), Ray worker pid {w['ray_pid']}, "
              f"job pid {w['pid']}; test process pid {os.getpid()}")
        assert job.state == "succeeded", store.read_log_tail(job.id)
        assert job.pid == 0 and w["hostname"] in job.host and len(w["node_id"]) > 20
        assert store.read_metrics(job.id) and (store.job_dir(job.id) / "adapter" / "adapter_config.json").is_file()
        assert "[cluster] running on node" in store.read_log_tail(job.id, 64_000)
    assert a.started_at < b.ended_at and b.started_at < a.ended_at  # they ran at the same time
    assert where[a.id]["ray_pid"] != where[b.id]["ray_pid"]  # an actor each


def test_cancel_of_a_cluster_job(store, cluster_scheduler):
    job_id = store.create_job(demo("training.num_epochs=200"))
    wait_for(lambda: store.read_progress(job_id).get("step", 0) >= 2, 120, "training to start")
    store.request_cancel(job_id)
    wait_for(lambda: store.get(job_id).is_final, 60, "the job to stop")
    assert store.get(job_id).state == "cancelled"
    pid = node_record(store, job_id)["pid"]
    wait_for(lambda: not os.path.exists(f"/proc/{pid}") or " Z " in open(f"/proc/{pid}/stat").read(), 10,
             "the worker to end")


def test_a_killed_job_process_is_interrupted_and_resumes(store, cluster_scheduler):
    job_id = store.create_job(demo("training.max_steps=6", "training.save_steps=2"))
    wait_for(lambda: store.read_progress(job_id).get("step", 0) >= 3, 120, "training to pass a checkpoint")
    os.kill(node_record(store, job_id)["pid"], signal.SIGKILL)
    wait_for(lambda: store.get(job_id).is_final, 30, "the job to be marked")
    job = store.get(job_id)
    assert job.state == "interrupted" and "signal 9" in job.error.message
    store.mark_resumed(job_id)
    wait_for(lambda: store.get(job_id).is_final, 120, "the resumed job to finish")
    assert store.get(job_id).state == "succeeded", store.read_log_tail(job_id)
    assert "resum" in store.read_log_tail(job_id, 64_000).lower()
