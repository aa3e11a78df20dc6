"""The message of a job whose worker died: the log lines that say something, and where Resume continues
(no worker, no training: a log and checkpoints written by hand)."""

from __future__ import annotations

import json

import pytest

from backend.jobs.logtail import meaningful_lines, trainer_record, without_warnings
from backend.jobs.scheduler import interrupted_error
from backend.messages import msg
from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from backend.store import JobStore
from backend.workspace import Workspace
from studio.i18n import render

LOG = (
    "01:46:25 INFO data: demo: 91 rows read, 91 usable, 91 taken\n"
    "/venv/transformers/modeling_utils.py:3314: FutureWarning: `is_gradient_checkpointing` is deprecated.\n"
    "  warnings.warn(\n"
    "01:46:25 INFO ready to train after 14.0 s: 91 training rows, 0 eval rows\n"
    "  0%|          | 0/180 [00:00<?, ?it/s]\r  1%|          | 1/180 [00:00<00:39,  4.52it/s]\r"
    "{'loss': '7.427', 'grad_norm': '1.825', 'learning_rate': '0', 'epoch': '0.08333'}\n"
    "{'loss': 0.4312, 'grad_norm': 0.82, 'learning_rate': 0.00019, 'epoch': 1.3}\n"
    " 22%|██▏       | 40/180 [00:09<00:23,  6.09it/s]\r 23%|██▎       | 41/180 [00:09<00:23,  5.89it/s]"
)


def test_the_log_is_told_apart_from_its_noise():
    assert trainer_record("{'loss': '7.427', 'epoch': '0.08333', 'note': 'x'}") == {"loss": 7.427, "epoch": 0.08333}
    assert trainer_record("{'loss': 0.4312}") == {"loss": 0.4312}
    assert trainer_record("01:46:25 INFO {'a': 1}") is None and trainer_record("{'a': os.system('x')}") is None
    assert without_warnings(["a", "x.py:1: UserWarning: w", "  echo", "b"]) == ["a", "b"]
    as_read = "\n".join(line.rsplit("\r", 1)[-1] for line in LOG.split("\n"))  # as JobStore.read_log_tail gives it
    assert meaningful_lines(as_read) == [
        "01:46:25 INFO data: demo: 91 rows read, 91 usable, 91 taken",
        "01:46:25 INFO ready to train after 14.0 s: 91 training rows, 0 eval rows",
    ]


@pytest.fixture
def store(tmp_path):
    return JobStore(Workspace.at(tmp_path / "ws"))


def killed_job(store: JobStore) -> str:
    job_id = store.create_job(JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")))
    store.mark_running(job_id, 0)
    (store.job_dir(job_id) / "log.txt").write_text(LOG + "\nKilled\n", encoding="utf-8")
    return job_id


def test_the_message_quotes_meaningful_lines_and_the_hint_says_step_0_without_a_checkpoint(store):
    job_id = killed_job(store)
    error = interrupted_error(store, job_id, msg("jobs.how_signal", signal=9))
    assert error.kind == "interrupted"
    assert error.message.endswith(
        "Last log lines:\n01:46:25 INFO data: demo: 91 rows read, 91 usable, 91 taken\n"
        "01:46:25 INFO ready to train after 14.0 s: 91 training rows, 0 eval rows\nKilled"), error.message
    assert "{'loss'" not in error.message and "Warning" not in error.message and "it/s" not in error.message
    assert error.hint.id == "jobs.worker_died_hint"
    assert "Resume starts the job again from step 0" in error.hint and "Start the job again" not in error.hint
    assert "从第 0 步重新开始" in render(error.hint, "zh")


def test_the_hint_names_the_checkpoint_resume_continues_from(store):
    job_id = killed_job(store)
    for step in (20, 40):
        folder = store.job_dir(job_id) / "checkpoints" / f"checkpoint-{step}"
        folder.mkdir(parents=True)
        (folder / "optimizer.pt").write_bytes(b"PK")
        (folder / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    error = interrupted_error(store, job_id, msg("jobs.how_signal", signal=9))
    assert "Resume continues from step 40 (checkpoint-40)" in error.hint, error.hint
    store.mark_interrupted(job_id, error)
    again = JobStore(store.workspace).get(job_id)  # read back from SQLite: id and values kept
    assert "第 40 步" in render(again.error.hint, "zh") and "checkpoint-40" in render(again.error.hint, "zh")
