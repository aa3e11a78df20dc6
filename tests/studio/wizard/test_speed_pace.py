"""The Review's pace from a finished job of the same setup (studio.wizard.speed.known_pace)."""

from __future__ import annotations

import json
from types import SimpleNamespace

from backend.spec import JobSpec
from studio.wizard import speed


def finished(store, spec: JobSpec, steps: int, runtime: float, startup: float) -> str:
    job_id = store.create_job(spec, state="running")
    (store.job_dir(job_id) / "summary.json").write_text(
        json.dumps({"steps": steps, "train_runtime_s": runtime, "startup_s": startup}), encoding="utf-8")
    store.mark_succeeded(job_id, 1.0)
    return job_id


def test_a_finished_job_of_the_same_setup_gives_the_pace(store):
    ctx = SimpleNamespace(store=store, workspace=store.workspace)
    spec = JobSpec.from_dict({"training": {"batch_size": 8, "max_length": 128}})
    job_id = finished(store, spec, steps=40, runtime=20.0, startup=6.0)
    assert speed.known_pace(ctx, spec) == (0.5, 6.0, job_id)
    assert speed.known_pace(ctx, spec) == (0.5, 6.0, job_id)  # the second time from the remembered key
    # What changes the pace does not match: batch size, batching, processes.
    for changed in ({"training": {"batch_size": 4, "max_length": 128}},
                    {"training": {"batch_size": 8, "max_length": 128, "group_by_length": "off"}},
                    {"training": {"batch_size": 8, "max_length": 128, "attention": "eager"}},
                    {"training": {"batch_size": 8, "max_length": 128}, "distributed": {"num_processes": 2}}):
        assert speed.known_pace(ctx, JobSpec.from_dict(changed)) is None
    # What does not change it (the number of epochs) still matches.
    more = JobSpec.from_dict({"training": {"batch_size": 8, "max_length": 128, "num_epochs": 9}})
    assert speed.known_pace(ctx, more) == (0.5, 6.0, job_id)


def test_the_probes_error_is_shown_in_the_pages_language(store, monkeypatch):
    """The probe process sends its error's id and values beside the English (backend.jobs.probe): the page
    rebuilds the message and shows it in its language; an answer with no id (an earlier probe) as it is."""
    import subprocess

    from backend.messages import msg
    from studio.i18n import SessionStrings

    said = msg("jobs.probe_failed", message=msg("jobs.probe_too_few_steps", steps=1),
               hint=msg("jobs.probe_too_few_steps_hint"))
    answers = [{"error": str(said), "error_ref": said.to_json()}, {"error": "plain words"}]

    def run(cmd, **kwargs):
        return subprocess.CompletedProcess(cmd, 2, stdout=json.dumps(answers.pop(0)) + "\n", stderr="")

    monkeypatch.setattr(speed.subprocess, "run", run)
    ctx = SimpleNamespace(store=store, workspace=store.workspace, t=SessionStrings("zh"))
    shown = speed.measure(ctx, JobSpec())["error"]
    assert shown == "试跑只运行了 1 步；数据可能不足一个批次。 请调小 `training.batch_size`，或增加数据行。"
    assert speed.measure(ctx, JobSpec())["error"] == "plain words"
