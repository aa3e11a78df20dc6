"""What every part of the UI needs: the workspace, the job store, the strings, the defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.spec import JobSpec
from backend.store import JobStore
from backend.workspace import Workspace


@dataclass
class Ctx:
    workspace: Workspace
    store: JobStore
    t: dict[str, str]
    defaults: JobSpec  # templates/demo.yaml: the wizard's starting values
    chat: object  # studio.views.chat.ChatHost
    upload_limit_mb: int = 200  # the largest upload the server accepts (launch's max_file_size)
    # Folders whose files the Data step may read by path (the workspace and data/ always).
    data_roots: list = field(default_factory=list)

