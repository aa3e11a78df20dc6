"""Every failure gets a kind, a message in plain words and a hint."""

import errno

import pytest

from backend.data.read import DataError
from backend.spec import JobSpec, SpecError
from backend.training.errors import explain


@pytest.mark.parametrize(
    "exc, kind, hint_words",
    [
        (RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"), "out_of_memory", "batch_size"),
        (MemoryError(), "out_of_memory", "max_length"),
        (OSError(errno.ENOSPC, "No space left on device"), "disk_full", "Free space"),
        (DataError("data.json: row 3: 'output' is empty"), "dataset", "row"),
        (OSError("We couldn't connect to 'https://huggingface.co' to load the files"), "no_network", "local folder"),
        (OSError("You are trying to access a gated repo. Make sure to have access"), "model_gated", "licence"),
        (OSError("org/nothing is not a local folder and is not a valid model identifier"), "model_not_found",
         "model.name_or_path"),
        (ValueError("The repository /m contains custom code which must be executed to correctly load the model."),
         "bad_spec", "model.trust_remote_code: true"),  # was `unexpected`: "report it with the log"
        (ZeroDivisionError("division by zero"), "unexpected", "log"),
    ],
)
def test_failures_are_classified_with_a_hint(exc, kind, hint_words):
    error = explain(exc)
    assert error.kind == kind
    assert error.message and hint_words in error.hint


def test_spec_errors_keep_the_field_names():
    with pytest.raises(SpecError) as info:
        JobSpec.from_dict({"training": {"batch_size": 0}})
    error = explain(info.value)
    assert error.kind == "bad_spec" and "`training.batch_size`" in error.message


def test_the_message_and_hint_keep_their_ids_and_the_english_stays():
    """explain() gives Messages (an id and values, for the page's language) with the same English as before; an
    exception raised with a Message keeps it, also inside the `unexpected` and `no_network` sentences."""
    from backend.messages import msg
    from backend.training.errors import TrainingError
    from studio.i18n import render

    error = explain(ZeroDivisionError("division by zero\nmore"))
    assert error.message == "ZeroDivisionError: division by zero" and error.message.id == "training.unexpected"
    assert error.hint.id == "training.unexpected_hint"
    inner = msg("training.adalora_needs_total_steps")
    error = explain(ValueError(inner))
    assert error.message == f"ValueError: {inner}" and error.message.params["error"] is inner
    assert render(error.message, "zh") == "ValueError: adalora 需要知道本次训练的优化器总步数（total_steps > 0）"
    error = explain(OSError("connection refused\nretrying"))
    assert error.message == "The model or data could not be downloaded: connection refused"
    assert render(error.message, "zh") == "无法下载模型或数据：connection refused"
    error = explain(MemoryError())
    assert (error.message, error.message.id) == ("The run ran out of memory.", "training.out_of_memory")
    raised = TrainingError("nan_loss", msg("training.nan_loss", loss="nan", step=4), msg("training.nan_loss_hint"))
    assert explain(raised).message.id == "training.nan_loss" and str(raised) == "The loss became nan at step 4."
