"""Are the installed libraries inside the ranges pyproject.toml declares? Asked before anything starts.

    problems = find_problems()                # [] when every runtime dependency fits
    error = refusal("studio train")           # a JobError (kind `environment`) or None; warns instead
                                              # when STUDIO_SKIP_VERSION_CHECK=1

Why: a library outside the declared range fails deep inside a job (a renamed keyword, a missing
function) with a message that names neither the library nor the fix. Checked up front, the failure
names the package, the version found and the range, and gives the pip command.

Cheap on purpose (the CLI starts in a fraction of a second): no library is imported, only their
installed metadata is read (importlib.metadata, one pass over the installed distributions), and the
ranges come from the source tree's pyproject.toml when the code runs from a checkout (PYTHONPATH, no
install: how it runs on a GPU server; an editable install's metadata is a copy taken at install
time, the pyproject beside the code is what this code declares), else from the installed
distribution's metadata. Only the runtime dependencies count, not the `test` extras.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT = "finetune-studio"
SOURCE_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
SKIP_ENV = "STUDIO_SKIP_VERSION_CHECK"
KIND = "environment"


@dataclass(frozen=True)
class VersionProblem:
    """A runtime dependency that is missing (found None) or outside its declared range."""

    package: str
    found: str | None
    wanted: str  # the specifier, e.g. ">=5.0,<6" (empty: any version)

    @property
    def requirement(self) -> str:
        return f"{self.package}{self.wanted}"


def describe(problem: VersionProblem) -> str:
    """One problem in words: the package, the version found (or that none is) and the declared range."""
    from backend.messages import msg

    if problem.found is None:
        return msg("jobs.package_missing", package=problem.package, requirement=problem.requirement)
    return msg("jobs.package_outside_range", found=problem.found, package=problem.package,
               requirement=problem.requirement)


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements_from_pyproject(text: str) -> list[str] | None:
    """[project].dependencies of a pyproject.toml text, or None when it is not this project's."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the standard library has no TOML reader yet
        return _requirements_from_pyproject_plain(text)
    project = tomllib.loads(text).get("project", {})
    if _normalize(project.get("name", "")) != PROJECT:
        return None
    return list(project.get("dependencies", []))


def _requirements_from_pyproject_plain(text: str) -> list[str] | None:
    """The same for our own pyproject.toml without a TOML library: the quoted strings of the
    `dependencies = [...]` array of [project] (comments dropped)."""
    section = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    if not section or not re.search(rf'^name\s*=\s*"{PROJECT}"', section.group(1), re.M):
        return None
    array = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", section.group(1), re.M | re.S)
    if not array:
        return []
    body = "\n".join(line.split("#", 1)[0] for line in array.group(1).splitlines())
    return re.findall(r'"([^"]+)"', body)


def requirements_from_metadata(lines: list[str] | None) -> list[str]:
    """The runtime requirements among an installed distribution's Requires-Dist lines: those of an
    extra (`pytest>=8; extra == "test"`) dropped."""
    return [line for line in lines or [] if not re.search(r";.*\bextra\s*==", line)]


def declared() -> tuple[list[str], str]:
    """(requirement strings, where they were read): the checkout's pyproject.toml, else the installed
    distribution's metadata; ([], "") when neither is there (nothing is declared, nothing to check)."""
    from importlib import metadata

    if SOURCE_PYPROJECT.is_file():
        found = requirements_from_pyproject(SOURCE_PYPROJECT.read_text(encoding="utf-8"))
        if found is not None:
            return found, str(SOURCE_PYPROJECT)
    try:
        return requirements_from_metadata(metadata.requires(PROJECT)), f"the installed {PROJECT} package"
    except metadata.PackageNotFoundError:
        return [], ""


def installed_version(name: str) -> str | None:
    """The installed version of a distribution (its metadata, not an import), or None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def find_problems(requirements: list[str] | None = None, lookup=installed_version) -> list[VersionProblem]:
    """Every requirement (default: the declared runtime ones) that the installed version (`lookup(name)`,
    None when missing) does not meet. A requirement whose marker does not apply here is skipped;
    pre-releases and local builds (2.14.0.dev, 2.13.0+cu128) count by their number."""
    requirements = declared()[0] if requirements is None else requirements
    try:
        from packaging.requirements import Requirement
    except ModuleNotFoundError:  # the check's own reader is missing: named like any other package
        line = next((r for r in requirements if re.match(r"packaging\s*[<>=!~;]|packaging$", r)), "packaging")
        return [VersionProblem("packaging", None, line.split(";")[0][len("packaging"):].strip())]
    problems = []
    for line in requirements:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        found = lookup(req.name)
        wanted = str(req.specifier)
        if found is None or not req.specifier.contains(found, prereleases=True):
            problems.append(VersionProblem(req.name, found, ",".join(sorted(wanted.split(","), key=_lower_first))
                                           if wanted else ""))
    return problems


def _lower_first(part: str) -> tuple[int, str]:
    """Lower bounds before upper ones (packaging sorts a SpecifierSet's parts alphabetically: `<6,>=5.0`)."""
    return (0 if part.startswith(">") else 1 if part.startswith(("=", "~", "!")) else 2, part)


def pip_command(problems: list[VersionProblem]) -> str:
    """`python -m pip`, so that the packages land in the Python that runs the studio (in backticks: code,
    shown as it is in either language)."""
    return "`python -m pip install " + " ".join(f'"{p.requirement}"' for p in problems) + "`"


def job_error(problems: list[VersionProblem]):
    """The JobError (kind `environment`) a job fails with: every problem, and the pip command that fixes them."""
    from backend.messages import msg
    from backend.store import JobError

    details = [describe(problem) for problem in problems]  # a list of messages: one a line
    return JobError(KIND, msg("jobs.libraries_do_not_fit", details=details),
                    msg("jobs.libraries_hint", command=pip_command(problems), env=SKIP_ENV))


def skipped() -> bool:
    return os.environ.get(SKIP_ENV, "").strip().lower() not in ("", "0", "false", "no")


# What training alone (the worker, `studio train`, `studio serve-worker`) can do without: the web page (gradio),
# Evaluate's scores (rouge-score, sacrebleu) and the GGUF export (gguf). A GPU server often lacks them (the
# image of our GPU run did), and a headless job must not be refused for them; what uses them checks them.
NOT_FOR_TRAINING = frozenset({"gradio", "rouge-score", "sacrebleu", "gguf"})
# Needed by some jobs only, and each explains itself when a job needs it and it is missing: bitsandbytes
# (qlora), tensorboard (training.report_to). Missing is fine for training; installed, its version must fit.
TRAINING_OPTIONAL = frozenset({"bitsandbytes", "tensorboard"})


def for_training(problems: list[VersionProblem]) -> list[VersionProblem]:
    """The problems that matter to a process that only trains."""
    return [p for p in problems if _normalize(p.package) not in NOT_FOR_TRAINING
            and not (p.found is None and _normalize(p.package) in TRAINING_OPTIONAL)]


def refusal(where: str = "", training: bool = False) -> object | None:
    """The JobError to stop with when an installed library is outside its range, else None. `training`: for a
    process that only trains (for_training). With STUDIO_SKIP_VERSION_CHECK=1 the problems are printed to
    stderr as a warning and None is returned."""
    problems = find_problems()
    if training:
        problems = for_training(problems)
    if not problems:
        return None
    error = job_error(problems)
    if skipped():
        print(f"warning: {where + ': ' if where else ''}{error.message}\n(going on because {SKIP_ENV} is set)",
              file=sys.stderr)
        return None
    return error
