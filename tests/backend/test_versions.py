"""The declared version ranges are read, checked before anything starts, and the API differences inside
them are bridged (backend/versions.py, backend/training/compat.py).

    pytest tests/backend/test_versions.py

Why: a library outside pyproject.toml's range used to fail deep inside a job with a TypeError the page
called "unexpected"; now the worker, `studio train`, `studio serve-worker` and the web studio refuse to
start with the package, the version found, the range and the pip command. The installed versions are
never changed here: the lookup is monkeypatched.
"""

from __future__ import annotations

import subprocess
import sys
import types
from importlib import metadata

import pytest

from backend import versions
from backend.versions import VersionProblem, find_problems, job_error, requirements_from_pyproject
from tests.conftest import ROOT, python_env

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]

[project]
name = "finetune-studio"
version = "0.1.0"
dependencies = [
    "torch>=2.11",
    # a comment with "quotes" inside
    "transformers>=5.0,<6",  # and one after
    "pywin32>=300; sys_platform == 'win32'",
]

[project.optional-dependencies]
test = ["pytest>=8"]
"""

METADATA_REQUIRES = ["torch>=2.11", "transformers<6,>=5.0", 'pytest>=8; extra == "test"',
                     "ruff>=0.6; extra == 'test'"]


def fake_versions(**found):
    """A lookup that knows only the given versions (name with _ for -): everything else is missing."""
    return lambda name: found.get(name.replace("-", "_"))


# -- reading the ranges ------------------------------------------------------------------------------
def test_the_ranges_are_read_from_a_pyproject_text():
    assert requirements_from_pyproject(PYPROJECT) == ["torch>=2.11", "transformers>=5.0,<6",
                                                      "pywin32>=300; sys_platform == 'win32'"]
    assert requirements_from_pyproject(PYPROJECT.replace('"finetune-studio"', '"other"')) is None


def test_the_plain_reader_for_python_3_10_reads_the_same_as_tomllib():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert versions._requirements_from_pyproject_plain(text) == requirements_from_pyproject(text)
    assert versions._requirements_from_pyproject_plain(PYPROJECT) == requirements_from_pyproject(PYPROJECT)


def test_the_ranges_are_read_from_the_installed_metadata_without_the_extras(monkeypatch, tmp_path):
    assert versions.requirements_from_metadata(METADATA_REQUIRES) == ["torch>=2.11", "transformers<6,>=5.0"]
    # No pyproject.toml beside the code (a wheel install): the distribution's metadata.
    monkeypatch.setattr(versions, "SOURCE_PYPROJECT", tmp_path / "pyproject.toml")
    monkeypatch.setattr(metadata, "requires", lambda name: METADATA_REQUIRES if name == "finetune-studio" else None)
    assert versions.declared() == (["torch>=2.11", "transformers<6,>=5.0"], "the installed finetune-studio package")


def test_a_checkout_reads_its_own_pyproject():
    found, source = versions.declared()
    assert source == str(ROOT / "pyproject.toml")
    assert any(r.startswith("transformers") for r in found) and not any(r.startswith("pytest") for r in found)


def test_this_environment_fits_the_declared_ranges():
    """The venv the tests run in (CI's newest and lowest passes alike) is inside the ranges."""
    assert find_problems() == []


# -- a version outside the range ---------------------------------------------------------------------
def test_a_version_outside_the_range_is_named_with_its_range():
    lookup = fake_versions(torch="2.13.0+cpu", transformers="4.57.1", pywin32=None)
    problems = find_problems(requirements_from_pyproject(PYPROJECT), lookup)
    assert problems == [VersionProblem("transformers", "4.57.1", ">=5.0,<6")]  # pywin32: not this platform
    error = job_error(problems)
    assert error.kind == "environment"
    assert "transformers" in error.message and "4.57.1" in error.message and "transformers>=5.0,<6" in error.message
    assert 'pip install "transformers>=5.0,<6"' in error.hint and "STUDIO_SKIP_VERSION_CHECK=1" in error.hint


def test_a_missing_package_is_named_the_same_way():
    problems = find_problems(["gguf>=0.17,<1", "torch>=2.11"], fake_versions(torch="2.13.0"))
    assert problems == [VersionProblem("gguf", None, ">=0.17,<1")]
    assert "gguf is not installed (this studio needs gguf>=0.17,<1)" in job_error(problems).message


def test_a_missing_packaging_the_check_reads_with_is_named_too(monkeypatch):
    monkeypatch.setitem(sys.modules, "packaging.requirements", None)  # its import fails
    problems = find_problems(["torch>=2.11", "packaging>=22"], fake_versions(torch="2.13.0"))
    assert problems == [VersionProblem("packaging", None, ">=22")]


def test_training_alone_does_without_the_page_the_scores_and_gguf(monkeypatch):
    """A GPU server for headless jobs (our GPU run's image: no gradio, rouge-score, gguf) trains; a missing
    bitsandbytes or tensorboard only matters to the jobs that use them, which say so; an installed library
    outside its range still stops training."""
    lookup = fake_versions(torch="2.13.0", gradio=None, gguf=None, bitsandbytes=None, tensorboard=None,
                           transformers="5.17.0", trl="0.24.0")
    requirements = ["torch>=2.11", "gradio>=6.0,<7", "gguf>=0.17,<1", "bitsandbytes>=0.47", "tensorboard>=2.21",
                    "transformers>=5.0,<6", "trl>=1.16,<2"]
    problems = find_problems(requirements, lookup)
    assert {p.package for p in problems} == {"gradio", "gguf", "bitsandbytes", "tensorboard", "trl"}
    assert [p.package for p in versions.for_training(problems)] == ["trl"]
    monkeypatch.delenv(versions.SKIP_ENV, raising=False)
    monkeypatch.setattr(versions, "find_problems", lambda *a, **k: [VersionProblem("gradio", None, ">=6.0,<7")])
    assert versions.refusal("studio train", training=True) is None
    assert versions.refusal("studio").kind == "environment"


def test_local_builds_and_pre_releases_count_by_their_number():
    assert find_problems(["torch>=2.11"], fake_versions(torch="2.13.0+cu128")) == []
    assert find_problems(["torch>=2.11"], fake_versions(torch="2.14.0.dev20260101")) == []
    assert find_problems(["torch>=2.11"], fake_versions(torch="2.10.0+cu126"))[0].found == "2.10.0+cu126"


def test_the_message_translates_line_by_line():
    from studio.i18n import render

    error = job_error([VersionProblem("transformers", "4.57.1", ">=5.0,<6"), VersionProblem("gguf", None, ">=0.17")])
    assert error.message.splitlines()[1:] == ["version 4.57.1 of transformers is installed, outside the range this "
                                              "studio needs (transformers>=5.0,<6)",
                                              "gguf is not installed (this studio needs gguf>=0.17)"]
    zh = render(error.message, "zh")
    assert "4.57.1" in zh and "gguf" in zh and "installed" not in zh and len(zh.splitlines()) == 3, zh
    assert "installed" not in render(error.hint, "zh")


@pytest.fixture
def outside(monkeypatch):
    """The installed transformers is 4.57.1 (only as far as the check can tell)."""
    monkeypatch.delenv(versions.SKIP_ENV, raising=False)
    problem = [VersionProblem("transformers", "4.57.1", ">=5.0,<6")]
    monkeypatch.setattr(versions, "find_problems", lambda *a, **k: problem)


def test_the_escape_hatch_turns_the_refusal_into_a_warning(outside, monkeypatch, capsys):
    assert versions.refusal("studio train").kind == "environment"
    monkeypatch.setenv(versions.SKIP_ENV, "1")
    assert versions.refusal("studio train") is None
    assert "warning: studio train:" in capsys.readouterr().err


# -- where it is checked -----------------------------------------------------------------------------
def test_the_worker_refuses_a_job_with_kind_environment(outside, tmp_path):
    from backend.jobs.worker import run_job
    from backend.spec import JobSpec
    from backend.store import JobStore
    from backend.workspace import Workspace

    store = JobStore(Workspace.at(tmp_path / "ws"))
    job_id = store.create_job(JobSpec())
    assert run_job(store.job_dir(job_id)) == 1
    job = store.get(job_id)
    assert job.state == "failed" and job.error.kind == "environment"
    assert "version 4.57.1 of transformers is installed" in job.error.message
    assert "transformers>=5.0,<6" in job.error.message and "pip install" in job.error.hint
    assert job.error.message.id == "jobs.libraries_do_not_fit" and job.error.hint.id == "jobs.libraries_hint"


@pytest.mark.parametrize("argv", [["train", "templates/demo.yaml"], ["serve-worker"], [], ["serve", "--port", "0"]])
def test_the_commands_refuse_to_start(outside, monkeypatch, capsys, tmp_path, argv):
    from studio.cli import commands as cli

    def never(*a, **k):
        raise AssertionError("started despite the version problem")

    monkeypatch.setitem(sys.modules, "studio.app", types.SimpleNamespace(launch=never))
    monkeypatch.setattr("backend.jobs.scheduler.Scheduler.start", never)
    assert cli.main(["--workspace", str(tmp_path / "ws"), *argv]) == 2
    err = capsys.readouterr().err
    assert "4.57.1" in err and "transformers>=5.0,<6" in err and "what to try:" in err
    assert not (tmp_path / "ws" / "jobs").exists() or not any((tmp_path / "ws" / "jobs").iterdir())


def test_the_check_imports_no_library():
    code = ("import sys, time; t = time.perf_counter(); from backend.versions import find_problems; find_problems(); "
            "print(round(time.perf_counter() - t, 3), sorted({'torch', 'transformers', 'trl', 'gradio'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=python_env(), cwd=ROOT,
                         check=True).stdout.split(maxsplit=1)
    assert out[1].strip() == "[]", out
    assert float(out[0]) < 2.0, out


def test_every_error_kind_has_a_label_for_the_new_kind():
    from backend.training.errors import KINDS
    from studio.i18n import EN
    from studio.i18n.ui_zh import ZH

    assert "environment" in KINDS
    assert EN["error.kind.environment"] and ZH["error.kind.environment"]


# -- the compatibility spellings ---------------------------------------------------------------------
def test_the_checkpointing_kwarg_is_one_the_installed_transformers_takes(tmp_path):
    from transformers import TrainingArguments
    from trl import SFTConfig

    from backend.training.compat import checkpointing_kwarg, training_argument_names

    for on in (True, False):
        kwarg = checkpointing_kwarg(on)
        assert set(kwarg) <= training_argument_names()
        args = TrainingArguments(output_dir=str(tmp_path), use_cpu=True, report_to="none", **kwarg)
        assert args.gradient_checkpointing is on  # the old name reads back on every version
        # TRL's configs default it to True: the kwarg wins
        assert SFTConfig(output_dir=str(tmp_path), use_cpu=True, report_to="none", bf16=False,
                         **kwarg).gradient_checkpointing is on


def test_the_length_grouping_kwarg_reads_back(tmp_path):
    from transformers import TrainingArguments

    from backend.training.compat import groups_by_length, length_grouping_kwarg, training_argument_names

    for on in (True, False):
        kwarg = length_grouping_kwarg(on)
        assert set(kwarg) <= training_argument_names()
        assert groups_by_length(TrainingArguments(output_dir=str(tmp_path), use_cpu=True, report_to="none",
                                                  **kwarg)) is on
