"""`studio jobs ...` against a real store (no training needed)."""

import json

from backend.spec import JobSpec
from backend.store import JobError
from studio.cli import main


def jobs(capsys, workspace, *args):
    code = main(["jobs", "--workspace", str(workspace.root), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_show_and_filter(store, workspace, capsys):
    a = store.create_job(JobSpec())
    b = store.create_job(JobSpec())
    store.mark_running(b, 1)
    store.mark_failed(b, JobError("dataset", "data.json: row 7: 'output' is empty", "Fix row 7."))
    code, out, _ = jobs(capsys, workspace, "list")
    assert code == 0 and out.index(b) < out.index(a) and "failed" in out and "queued" in out
    code, out, _ = jobs(capsys, workspace, "list", "--state", "failed", "--json")
    assert [j["id"] for j in json.loads(out)] == [b]
    code, out, _ = jobs(capsys, workspace, "show", b)
    assert code == 0 and "[dataset] data.json: row 7: 'output' is empty" in out and "Fix row 7." in out


def test_cancel_resume_move_delete(store, workspace, capsys):
    a, b, c = (store.create_job(JobSpec()) for _ in range(3))
    assert jobs(capsys, workspace, "move", c, "-2")[0] == 0
    assert [j.id for j in store.queue()] == [c, a, b]
    assert jobs(capsys, workspace, "cancel", a)[0] == 0
    assert store.get(a).state == "cancelled"
    code, out, _ = jobs(capsys, workspace, "resume", a)
    assert code == 0 and store.get(a).state == "queued" and store.get(a).resumes == 1
    assert [j.id for j in store.queue()] == [c, b, a]  # back of the queue
    store.mark_running(c, 1)
    code, _, err = jobs(capsys, workspace, "delete", c, "--yes")
    assert code == 2 and "running" in err and store.get(c)
    code, _, _ = jobs(capsys, workspace, "delete", b, "--yes")
    assert code == 0 and store.get(b) is None and not store.job_dir(b).exists()


def test_unknown_or_hostile_ids_are_refused(workspace, capsys):
    for bad in ("nope", "../../etc", "/etc/passwd"):
        code, _, err = jobs(capsys, workspace, "show", bad)
        assert code == 2 and "no job" in err


def test_a_succeeded_job_cannot_be_resumed(store, workspace, capsys):
    a = store.create_job(JobSpec())
    store.mark_running(a, 1)
    store.mark_succeeded(a, 0.1)
    code, _, err = jobs(capsys, workspace, "resume", a)
    assert code == 2 and "succeeded" in err
