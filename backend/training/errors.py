"""Turn an exception from a training run into a JobError a person can act on."""

from __future__ import annotations

import errno

from backend.data.read import DataError
from backend.messages import Message, message_of, msg
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
    """A failure we diagnosed ourselves: carries its kind and hint (message and hint: Messages, backend.messages)."""

    def __init__(self, kind: str, message: str, hint: str = ""):
        super().__init__(message)
        self.error = JobError(kind, message, hint)


def explain(exc: BaseException) -> JobError:
    """The JobError for `exc`: its kind, and its message and hint as Messages (the exception's own Message when
    it was raised with one; a library's text as it is)."""
    if isinstance(exc, TrainingError):
        return exc.error
    said = message_of(exc)  # the exception's Message, or its text (by its class name when it has none)
    text = str(exc) or type(exc).__name__
    if isinstance(exc, SpecError):
        return JobError("bad_spec", said, msg("training.fix_spec_hint"))
    if isinstance(exc, DataError):
        return JobError("dataset", said, msg("training.fix_data_hint"))
    lowered = text.lower()
    if isinstance(exc, MemoryError) or "out of memory" in lowered:
        return JobError("out_of_memory", msg("training.out_of_memory"), msg("training.out_of_memory_hint"))
    if _disk_full(exc, lowered):
        return JobError("disk_full", msg("training.disk_full"), msg("training.disk_full_hint"))
    if "gated repo" in lowered or "401" in lowered and "huggingface" in lowered:
        return JobError("model_gated", text.splitlines()[0], msg("training.model_gated_hint"))
    if (
        "offline" in lowered
        or "couldn't connect" in lowered
        or "connection" in lowered
        or "name resolution" in lowered
        or "we couldn't connect" in lowered
    ):
        return JobError("no_network", msg("training.no_network", reason=_first_line(said)),
                        msg("training.no_network_hint"))
    if "contains custom code which must be executed" in lowered:  # transformers, trust_remote_code off
        return JobError("bad_spec", msg("training.needs_remote_code"), msg("training.needs_remote_code_hint"))
    if isinstance(exc, (OSError, ValueError)) and (
        "does not appear to have" in lowered or "is not a local folder" in lowered or "not a valid model" in lowered
        or "repository not found" in lowered or "can't load" in lowered
    ):
        return JobError("model_not_found", _first_line(said), msg("training.model_not_found_hint"))
    return JobError("unexpected", msg("training.unexpected", type=type(exc).__name__, error=_first_line(said)),
                    msg("training.unexpected_hint"))


def _first_line(said: str) -> str:
    """A message's first line: a Message of one line as it is (its id kept), else the text's first line."""
    if isinstance(said, Message) and "\n" not in said:
        return said
    return (str(said).splitlines() or [""])[0]


def _disk_full(exc: BaseException, lowered: str) -> bool:
    """ENOSPC however a library words it: an OSError, safetensors' "No space left on device (os error 28)",
    torch's writer failing under one, or any of these as the cause of what was raised."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return True
        text = (str(exc) or "").lower()
        if "no space left on device" in text or "os error 28" in text or "errno 28" in text:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return "no space left on device" in lowered
