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
