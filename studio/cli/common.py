"""What the `studio` commands share: the workspace they act on, the version check, and how an error is printed."""

from __future__ import annotations

import os
import sys


def _workspace(args):
    from backend.workspace import Workspace

    return Workspace.at(args.workspace) if args.workspace else Workspace.default()


def _versions_refused(where: str, training: bool = False) -> bool:
    """Print why the installed libraries do not fit pyproject.toml's ranges (backend.versions) and return
    True, so the command exits 2 before it starts; False when they fit (or STUDIO_SKIP_VERSION_CHECK=1,
    which prints the same as a warning). Reads metadata only: no library is imported."""
    from backend.versions import refusal

    error = refusal(where, training=training)
    if error is None:
        return False
    _fail(f"{error.message}\nwhat to try: {error.hint}")
    return True


def port_number(text: str) -> int:
    """argparse's type for a --port: a whole number from 0 to 65535 (0: any free one, where a command takes it)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number; give a whole number such as 8000") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number; give one from 1 to 65535, such as 8000")
    return value


def at_least_one(text: str) -> int:
    """argparse's type for a count that must be 1 or more (--max-jobs, --max-upload-mb)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def _fail(message: str, code: int = 2) -> int:
    """Print `message` as the command's error. For the studio, which runs some commands in a process of their
    own (STUDIO_ERROR_REF=1), a Message also goes out as its id and values, so the page shows it in its
    language."""
    print(f"error: {message}", file=sys.stderr)
    if os.environ.get("STUDIO_ERROR_REF") == "1" and getattr(message, "id", None):
        import json

        print(f"error-ref: {json.dumps(message.to_json(), ensure_ascii=False)}", file=sys.stderr)
    return code


def _job_dir(job: str, workspace):
    """The folder of `job` (an id of this workspace, or a job folder), or the message saying why there is none."""
    from pathlib import Path

    from backend.messages import message_of, msg
    from backend.workspace import PathError

    candidate = Path(job)
    try:
        job_dir = candidate.resolve() if candidate.is_dir() else workspace.job_dir(job)
    except PathError as e:
        return None, message_of(e)
    if not (job_dir / "spec.yaml").is_file():
        return None, msg("jobs.no_job", job=repr(job), folder=str(workspace.jobs_dir))
    return job_dir, None


def spec_refusal(path, issues, overrides=()) -> str:
    """`PATH is not a valid job spec` with a line an issue; one whose field a `--set` gave says so (the file may
    be fine: the value came from the command line)."""
    given = {}
    for item in overrides or ():
        key, _, _ = item.partition("=")
        given[key.strip()] = item
    lines = []
    for issue in issues:
        field = str(getattr(issue, "field", ""))
        source = next((given[k] for k in given if field == k or field.startswith(k + ".") or k.startswith(field + ".")),
                      None)
        lines.append(f"  - {issue}" + (f" (from --set {source})" if source else ""))
    return f"{path} is not a valid job spec:\n" + "\n".join(lines)


def spec_file_problem(path) -> str | None:
    """Why `path` cannot be read as a spec file (missing, a folder, not UTF-8 text), or None."""
    if path.is_dir():
        return f"{path} is a folder; give the spec file in it, e.g. {path / 'job.yaml'}."
    if not path.is_file():
        return f"{path}: no such spec file."
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        return (f"{path} is not UTF-8 text (byte {e.start}); save it as UTF-8 (a text editor: save with encoding "
                "UTF-8).")
    except OSError as e:
        return f"{path} cannot be read: {e.strerror or e}."
    return None


def data_refusal(spec) -> str | None:
    """Why `studio train` / `studio sweep` refuse the spec's data before a job is made (exit 2), or None: a source
    that cannot be read, no usable rows, or data of a kind the stage does not learn from (the check the worker
    makes before it loads the model, backend.data.stage_data.check_stage)."""
    from backend.data.load import load_data
    from backend.data.read import DataError
    from backend.data.stage_data import check_stage

    try:
        loaded = load_data(spec.data, None)
    except DataError as e:
        return f"data: {e}"
    try:
        check_stage(spec.stage, loaded.kind)
    except DataError as e:  # with what each source was read as, and why (e.g. a `label` column that is not one)
        return f"data: {e}" + "".join(f"\n  {s.label}: {s.format} — {s.reason}" for s in loaded.sources)
    return None


def absolute_paths(spec):
    """The spec's data paths made absolute (paths in a spec are relative to the current folder), so the job reads
    the same files whatever folder it runs from; the built-in sets, hub ids and registry entry names stay as they
    are. Returns the spec."""
    from pathlib import Path

    from backend.data.sources import BUILT_IN, source_names

    for attr in ("train", "eval"):
        parts = source_names(getattr(spec.data, attr))
        setattr(spec.data, attr, ",".join(
            str(Path(p).expanduser().resolve()) if p not in BUILT_IN and Path(p).expanduser().exists() else p
            for p in parts))
    if spec.data.dataset_dir:
        spec.data.dataset_dir = str(Path(spec.data.dataset_dir).expanduser().resolve())
    return spec
