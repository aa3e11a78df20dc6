"""A failed job's error line names its kind in the page's language: every kind the backend records has a label in
English and Chinese (the nan_loss and cluster kinds showed their raw ids, `nan_loss:` also on the Chinese page)."""

from __future__ import annotations

import re

from backend.messages import msg
from backend.resources import DEMO_SPEC, PROJECT_ROOT
from backend.spec import JobSpec
from backend.store import JobError, JobStore
from backend.workspace import Workspace
from studio.context import Ctx
from studio.i18n import EN, ZH, SessionStrings
from studio.views.monitor import render

KIND = re.compile(r'(?:JobError|TrainingError)\("([a-z_]+)"')


def test_every_recorded_kind_has_a_label_in_both_languages():
    kinds = {k for path in (PROJECT_ROOT / "backend").rglob("*.py") for k in KIND.findall(path.read_text())}
    assert {"nan_loss", "cluster", "out_of_memory", "bad_spec"} <= kinds
    missing = sorted(k for k in kinds if f"error.kind.{k}" not in EN or f"error.kind.{k}" not in ZH)
    assert not missing, f"no error.kind.* label for: {missing}"


def test_the_nan_loss_error_line_reads_in_chinese(tmp_path):
    ws = Workspace.at(tmp_path / "ws")
    store = JobStore(ws)
    job_id = store.create_job(JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")))
    store.mark_running(job_id, 0)
    store.mark_failed(job_id, JobError("nan_loss", msg("training.nan_loss", loss="nan", step=20),
                                       msg("training.nan_loss_hint")))
    en = render(Ctx(ws, store, SessionStrings("en"), None, None), job_id)["error"]
    zh = render(Ctx(ws, store, SessionStrings("zh"), None, None), job_id)["error"]
    assert "Loss became NaN" in en and "step 20" in en
    assert "nan_loss" not in zh and "损失变成了 NaN" in zh and "第 20 步" in zh
