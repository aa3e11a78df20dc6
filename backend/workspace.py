"""Where the studio keeps its files, and the one gate every user-given path goes through.

    from backend.workspace import Workspace
    ws = Workspace.default()          # $STUDIO_WORKSPACE or ~/.finetune-studio
    ws.inside("uploads/data.json")    # a Path inside the workspace, or PathError

Nothing from user input is read for serving or written outside the workspace: names with
`..`, absolute paths and links that point out of it are refused by `inside`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from backend.messages import msg

ENV_VAR = "STUDIO_WORKSPACE"


class PathError(ValueError):
    pass


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def default(cls) -> Workspace:
        return cls.at(os.environ.get(ENV_VAR) or Path.home() / ".finetune-studio")

    @classmethod
    def at(cls, path: str | os.PathLike) -> Workspace:
        root = Path(path).expanduser().resolve()
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("jobs", "uploads", "models"):
            (root / sub).mkdir(exist_ok=True)
        return cls(root)

    @property
    def db_path(self) -> Path:
        return self.root / "studio.db"

    @property
    def jobs_dir(self) -> Path:
        return self.root / "jobs"

    @property
    def uploads_dir(self) -> Path:
        return self.root / "uploads"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    def job_dir(self, job_id: str) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", job_id or "") or job_id in (".", ".."):
            raise PathError(msg("jobs.bad_job_id", job=repr(job_id)))
        return self.inside(Path("jobs") / job_id)

    def inside(self, relative: str | os.PathLike) -> Path:
        """Resolve a user-given relative path; refuse anything that lands outside the workspace."""
        rel = Path(relative)
        if rel.is_absolute():
            raise PathError(msg("jobs.absolute_path", path=repr(str(relative))))
        target = (self.root / rel).resolve()
        if target != self.root and self.root not in target.parents:
            raise PathError(msg("jobs.outside_workspace", path=repr(str(relative)), root=str(self.root)))
        return target


def under_roots(path: str | os.PathLike, roots) -> bool:
    """Whether a user-given `path` lies under one of `roots` (or is one): as written, when it has no `..` part (a
    link an admin put inside a root, e.g. models/x pointing at a cache, counts), or once every link is resolved.
    Decided from the path alone: its answer says nothing about whether the path exists."""
    if not str(path).strip():
        return False
    given = Path(str(path).strip()).expanduser()
    written, resolved = Path(os.path.abspath(given)), given.resolve()
    for root in roots:
        root = Path(root).expanduser()
        root_written, root_resolved = Path(os.path.abspath(root)), root.resolve()
        if ".." not in given.parts and (written == root_written or root_written in written.parents):
            return True
        if resolved == root_resolved or root_resolved in resolved.parents:
            return True
    return False


def safe_filename(name: str, default: str = "file") -> str:
    """A plain file name from an uploaded one: no folders, no leading dots, no odd characters."""
    base = Path(str(name).replace("\\", "/")).name
    base = re.sub(r"[^\w.\-]+", "_", base, flags=re.UNICODE).lstrip(".")
    return base[:120] or default
