import json
import multiprocessing as mp

import pytest

from backend.spec import JobSpec
from backend.store import InvalidTransition, JobError, JobStore
from backend.workspace import Workspace


def _status(store, job_id):
    return json.loads((store.job_dir(job_id) / "status.json").read_text())


def test_create_makes_the_job_directory_and_indexes_it(store):
    job_id = store.create_job(JobSpec())
    d = store.job_dir(job_id)
    assert d.name == job_id
    assert {p.name for p in d.iterdir()} >= {"spec.yaml", "status.json", "metrics.jsonl", "log.txt"}
    assert JobSpec.from_yaml((d / "spec.yaml").read_text()) == JobSpec()
    job = store.get(job_id)
    assert job.state == "queued" and job.method == "lora" and job.stage == "sft"
    assert _status(store, job_id)["state"] == "queued"


def test_success_path(store):
    job_id = store.create_job(JobSpec())
    store.mark_running(job_id, 1234)
    assert store.get(job_id).state == "running" and store.get(job_id).pid == 1234
    store.mark_succeeded(job_id, 0.25)
    job = store.get(job_id)
    assert job.state == "succeeded" and job.final_loss == 0.25 and job.ended_at >= job.started_at
    assert _status(store, job_id)["state"] == "succeeded"


@pytest.mark.parametrize("final", ["failed", "cancelled", "interrupted"])
def test_running_job_can_end_each_way(store, final):
    job_id = store.create_job(JobSpec())
    store.mark_running(job_id, 1)
    error = JobError("dataset", "row 3: 'output' is empty", "fix row 3")
    {"failed": lambda: store.mark_failed(job_id, error),
     "cancelled": lambda: store.mark_cancelled(job_id),
     "interrupted": lambda: store.mark_interrupted(job_id, error)}[final]()
    job = store.get(job_id)
    assert job.state == final
    if final != "cancelled":
        assert job.error == error
        assert _status(store, job_id)["error"] == {"kind": "dataset", "message": "row 3: 'output' is empty",
                                                   "hint": "fix row 3"}


def test_queued_job_can_be_cancelled_or_fail_but_not_succeed(store):
    a, b, c = (store.create_job(JobSpec()) for _ in range(3))
    assert store.request_cancel(a) == "cancelled"
    store.mark_failed(b, JobError("bad_spec", "x"))
    with pytest.raises(InvalidTransition, match="queued"):
        store.mark_succeeded(c, 1.0)
    with pytest.raises(InvalidTransition):
        store.mark_interrupted(c, JobError("x", "y"))


def test_final_states_are_final(store):
    job_id = store.create_job(JobSpec())
    store.mark_running(job_id, 1)
    store.mark_succeeded(job_id, 1.0)
    for move in (lambda: store.mark_running(job_id, 2), lambda: store.mark_cancelled(job_id),
                 lambda: store.mark_failed(job_id, JobError("x", "y"))):
        with pytest.raises(InvalidTransition, match="succeeded"):
            move()
    assert store.get(job_id).state == "succeeded"


def test_cancel_of_a_running_job_is_a_request_counted_for_the_scheduler(store):
    job_id = store.create_job(JobSpec())
    store.mark_running(job_id, 1)
    assert store.request_cancel(job_id) == "running"
    assert store.request_cancel(job_id) == "running"
    assert store.get(job_id).cancel_requested == 2


def test_list_is_newest_first_and_filters(store):
    ids = [store.create_job(JobSpec()) for _ in range(3)]
    store.mark_running(ids[1], 1)
    assert [j.id for j in store.list_jobs()] == ids[::-1]
    assert [j.id for j in store.list_jobs(("running",))] == [ids[1]]
    assert store.next_queued().id == ids[0]


def test_metrics_reader_skips_a_half_written_line(store):
    job_id = store.create_job(JobSpec())
    (store.job_dir(job_id) / "metrics.jsonl").write_text('{"step": 1, "loss": 2.0}\n{"step": 2, "lo')
    assert store.read_metrics(job_id) == [{"step": 1, "loss": 2.0}]


def _hammer(root: str, n: int, queue) -> None:
    store = JobStore(Workspace.at(root))
    made = []
    for _ in range(n):
        job_id = store.create_job(JobSpec())
        store.mark_running(job_id, 1)
        store.heartbeat(job_id)
        store.mark_succeeded(job_id, 0.5)
        made.append(job_id)
    queue.put(made)


def test_two_processes_writing_at_once_lose_nothing(workspace):
    JobStore(workspace)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_hammer, args=(str(workspace.root), 40, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    made = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    jobs = JobStore(workspace).list_jobs()
    assert len(jobs) == 80 and len({j.id for j in jobs}) == 80
    assert {j.id for j in jobs} == set(made[0]) | set(made[1])
    assert all(j.state == "succeeded" and j.final_loss == 0.5 for j in jobs)


def test_workspace_refuses_paths_outside_it(workspace):
    from backend.workspace import PathError, safe_filename

    for bad in ("../x", "/etc/passwd", "uploads/../../x"):
        with pytest.raises(PathError):
            workspace.inside(bad)
    with pytest.raises(PathError):
        workspace.job_dir("../../etc")
    (workspace.root / "uploads" / "link").symlink_to("/etc")
    with pytest.raises(PathError):
        workspace.inside("uploads/link/passwd")
    assert safe_filename("../../evil name.json") == "evil_name.json"
    assert safe_filename("..\\..\\x.csv") == "x.csv"


def test_an_errors_id_and_values_survive_sqlite_and_status_json(workspace):
    """A job's error is stored with its message's id and values beside the English: read back from SQLite (by
    another store, as the studio reads what the worker wrote) or from status.json, it is the same Message."""
    from backend.messages import Message, msg
    from backend.store import read_status
    from studio.i18n import render

    store = JobStore(workspace)
    job_id = store.create_job(JobSpec())
    store.mark_running(job_id, 123)
    how = msg("jobs.how_signal", signal=9)
    error = JobError("interrupted", msg("jobs.worker_died_log", how=how, lines="step 3\nKilled"),
                     msg("jobs.worker_died_hint", resume=msg("jobs.resume_from_start")))
    store.mark_interrupted(job_id, error)

    raw = _status(store, job_id)["error"]
    assert raw["message"] == "The worker process was killed by signal 9 before the job finished. Last log lines:\n" \
                             "step 3\nKilled"
    assert raw["message_ref"]["id"] == "jobs.worker_died_log" and raw["hint_ref"]["id"] == "jobs.worker_died_hint"
    for again in (JobStore(workspace).get(job_id).error, read_status(store.job_dir(job_id))["error"]):
        assert again == error and isinstance(again.message, Message) and isinstance(again.hint, Message)
        assert again.message.id == "jobs.worker_died_log" and again.message.params["how"].id == "jobs.how_signal"
        assert render(again.message, "zh") == "任务完成前，工作进程被信号 9 终止。最后几行日志：\nstep 3\nKilled"
        assert render(again.hint, "zh").startswith("进程被强制结束时")
        assert again.hint.params["resume"].id == "jobs.resume_from_start"  # a message inside a message, kept
    store.mark_resumed(job_id)  # a resumed job forgets its error, refs included
    job = store.get(job_id)
    assert job.error is None and job.error_message_ref is None and job.error_hint_ref is None


def test_a_workspace_from_before_the_refs_upgrades_and_shows_its_errors_as_text(workspace):
    """A studio.db and status.json an earlier version wrote (no ref columns or keys): the columns are added,
    and the stored error comes back as the plain text it was."""
    import sqlite3

    from backend.messages import Message
    from backend.store import read_status

    with sqlite3.connect(workspace.db_path) as db:
        db.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, state TEXT NOT NULL, created_at REAL NOT NULL, "
                   "started_at REAL, ended_at REAL, heartbeat_at REAL, pid INTEGER, host TEXT, stage TEXT NOT NULL, "
                   "method TEXT NOT NULL, model TEXT NOT NULL, dataset TEXT NOT NULL, final_loss REAL, "
                   "cancel_requested INTEGER NOT NULL DEFAULT 0, error_kind TEXT, error_message TEXT, error_hint TEXT)")
        db.execute("INSERT INTO jobs (id, state, created_at, stage, method, model, dataset, error_kind, error_message, "
                   "error_hint) VALUES ('old-job', 'failed', 1.0, 'sft', 'lora', 'demo', 'identity', 'nan_loss', "
                   "'The loss became nan at step 4.', 'Lower `training.learning_rate`.')")
    job = JobStore(workspace).get("old-job")
    assert job.error == JobError("nan_loss", "The loss became nan at step 4.", "Lower `training.learning_rate`.")
    assert not isinstance(job.error.message, Message) and not isinstance(job.error.hint, Message)
    folder = workspace.job_dir("old-job")
    folder.mkdir()
    (folder / "status.json").write_text(json.dumps({"state": "failed", "error": {
        "kind": "nan_loss", "message": "The loss became nan at step 4.", "hint": ""}}))
    status = read_status(folder)
    assert status["state"] == "failed" and status["error"] == JobError("nan_loss", "The loss became nan at step 4.")
    assert not isinstance(status["error"].message, Message)
