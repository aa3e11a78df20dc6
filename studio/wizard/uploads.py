"""The Data step's uploads: files the browser sent, copied into <workspace>/uploads/ under safe, unused names.

    rel = save_upload(workspace, uploaded, t)    # "uploads/train.jsonl", or a folder for several files
    check_upload_types(files, t)                 # a DataError naming the first file no reader takes
"""

from __future__ import annotations

import os
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
    folder = _unused(workspace, Path("uploads") / folder_name(files))
    workspace.inside(folder).mkdir(parents=True)
    for src in files:
        _unused_copy(workspace, src, folder)
    return folder.as_posix()


def folder_name(files: list[Path]) -> str:
    """The folder of files uploaded together, named after all of them, not the first one: what their names share
    ("train-00000-of-00002.parquet" and "train-00001-of-00002.parquet": "train"; "alpaca_en.json" and
    "alpaca_zh.json": "alpaca"), else their names joined ("qa-pairs") while short, else "dataset"."""
    stems = [safe_filename(f.name[:len(f.name) - len(_suffix(f))], default="") for f in files]
    shared = os.path.commonprefix(stems).rstrip("0123456789-_. ")
    if len(shared) >= 2:
        return shared
    joined = "-".join(s for s in stems if s)
    return joined if 0 < len(joined) <= 40 else "dataset"


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
