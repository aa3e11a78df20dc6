"""Turn an exception from a training run into a JobError a person can act on."""

from __future__ import annotations

import errno

from backend.data.read import DataError
from backend.spec import SpecError
from backend.store import JobError

# Every kind a job's error can have (README: "Every failure has a kind"), and where it comes from. The
# page names each by `error.kind.<kind>` in studio/i18n/ui_en.py and ui_zh.py.
KINDS = {
    "bad_spec": "a spec field the run cannot use (explain, or raised as TrainingError)",
    "dataset": "a file or row of the data (DataError)",
    "out_of_memory": "the run ran out of memory",
    "nan_loss": "the loss became NaN or infinite (backend.training.callback)",
    "model_not_found": "no model at `model.name_or_path`",
    "no_network": "the model or data could not be downloaded",
    "model_gated": "the hub refused a gated model",
    "disk_full": "no space left in the workspace",
    "environment": "an installed library is missing or outside the range pyproject.toml declares (backend.versions)",
    "distributed": "a process of a multi-process job stopped or lost contact (backend.jobs.worker)",
    "interrupted": "the worker died without recording an end (backend.jobs.scheduler)",
    "probe": "the speed probe could not time its steps (backend.jobs.probe)",
    "unexpected": "anything else: the traceback is in the log",
}


class TrainingError(RuntimeError):
    """A failure we diagnosed ourselves: carries its kind and hint."""

    def __init__(self, kind: str, message: str, hint: str = ""):
        super().__init__(message)
        self.error = JobError(kind, message, hint)


def explain(exc: BaseException) -> JobError:
    if isinstance(exc, TrainingError):
        return exc.error
    text = str(exc) or type(exc).__name__
    if isinstance(exc, SpecError):
        return JobError("bad_spec", text, "Fix the named field in the spec and start again.")
    if isinstance(exc, DataError):
        return JobError("dataset", text, "Fix the named file or row, or pick another dataset.")
    lowered = text.lower()
    if isinstance(exc, MemoryError) or "out of memory" in lowered:
        return JobError(
            "out_of_memory",
            "The run ran out of memory.",
            "Lower `training.batch_size` (raise `gradient_accumulation_steps` to keep the effective "
            "batch), lower `training.max_length`, or pick a smaller model.",
        )
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return JobError("disk_full", "The disk is full.", "Free space in the workspace, or delete old jobs.")
    if "gated repo" in lowered or "401" in lowered and "huggingface" in lowered:
        return JobError(
            "model_gated",
            text.splitlines()[0],
            "Accept the model's licence on its hub page and log in with `hf auth login`.",
        )
    if (
        "offline" in lowered
        or "couldn't connect" in lowered
        or "connection" in lowered
        or "name resolution" in lowered
        or "we couldn't connect" in lowered
    ):
        return JobError(
            "no_network",
            "The model or data could not be downloaded: " + text.splitlines()[0],
            "Check the network, or download it once and give its local folder.",
        )
    if isinstance(exc, (OSError, ValueError)) and (
        "does not appear to have" in lowered or "is not a local folder" in lowered or "not a valid model" in lowered
        or "repository not found" in lowered or "can't load" in lowered
    ):
        return JobError(
            "model_not_found",
            text.splitlines()[0],
            "Check `model.name_or_path`: a local folder with config.json, or a hub id like `org/name`.",
        )
    return JobError(
        "unexpected",
        f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}",
        "The full traceback is in the job's log. If the log does not explain it, report it with the log.",
    )
