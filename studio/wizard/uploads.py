"""The Data step's uploads: files the browser sent, copied into <workspace>/uploads/ under safe, unused names.

    rel = save_upload(workspace, uploaded, t)    # "uploads/train.jsonl", or a folder for several files
    check_upload_types(files, t)                 # a DataError naming the first file no reader takes
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from backend.data.read import ACCEPTED, COMPRESSED, DataError, is_data_file
from backend.workspace import Workspace, safe_filename
from studio.i18n import EN, msg


def save_upload(workspace: Workspace, uploaded, t: Mapping = EN) -> str:
    """Copy uploaded file(s) into <workspace>/uploads/ under safe, unused names; return the path
    relative to the workspace (several files go into one new folder, read as one dataset). A file of a
    type no reader takes is refused (DataError worded from the UI's table `t`, the page's `ctx.t`)."""
    files = [Path(u) for u in (uploaded if isinstance(uploaded, list) else [uploaded])]
    check_upload_types(files, t)
    if len(files) == 1:
        return _unused_copy(workspace, files[0], Path("uploads"))
    folder = _unused(workspace, Path("uploads") / safe_filename(files[0].stem, default="dataset"))
    workspace.inside(folder).mkdir(parents=True)
    for src in files:
        _unused_copy(workspace, src, folder)
    return folder.as_posix()


def check_upload_types(files, t: Mapping = EN) -> None:
    """A DataError naming the first file of a type no reader takes."""
    for src in map(Path, files):
        if not is_data_file(src):
            raise DataError(t["data.err.upload_type"].format(file=src.name, suffix=_suffix(src) or "(none)",
                                                             accepted=msg(t, ACCEPTED)))


def _suffix(path: Path) -> str:
    """".jsonl", or ".jsonl.gz" for a compressed file (its name keeps both when made unique)."""
    return "".join(path.suffixes[-2:]) if path.suffix.lower() in COMPRESSED else path.suffix


def _unused(workspace: Workspace, rel: Path) -> Path:
    suffix = _suffix(rel)
    stem, n = rel.name[:len(rel.name) - len(suffix)], 1
    while workspace.inside(rel).exists():
        rel = rel.with_name(f"{stem}-{n}{suffix}")
        n += 1
    return rel


def _unused_copy(workspace: Workspace, src: Path, folder: Path) -> str:
    name = safe_filename(src.name, default="data.json")
    rel = _unused(workspace, folder / name)
    workspace.inside(rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, workspace.inside(rel))
    return rel.as_posix()
