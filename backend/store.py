"""The job store: a SQLite index (WAL) over job directories, and the only shared state.

    store = JobStore(Workspace.default())
    job_id = store.create_job(spec)          # queued
    store.mark_running(job_id, pid)          # queued -> running
    store.mark_succeeded(job_id, final_loss) # running -> succeeded

States: queued -> running -> succeeded | failed | cancelled | interrupted (queued may also go
straight to cancelled or failed). Each transition is one atomic UPDATE guarded by the states it
may leave from; status.json in the job directory is rewritten to match after every change.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from backend.messages import Message, msg
from backend.spec import JobSpec
from backend.workspace import Workspace

STATES = ("queued", "running", "succeeded", "failed", "cancelled", "interrupted")
FINAL_STATES = ("succeeded", "failed", "cancelled", "interrupted")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    created_at REAL NOT NULL,
    started_at REAL,
    ended_at REAL,
    heartbeat_at REAL,
    pid INTEGER,
    host TEXT,
    stage TEXT NOT NULL,
    method TEXT NOT NULL,
    model TEXT NOT NULL,
    dataset TEXT NOT NULL,
    final_loss REAL,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    error_kind TEXT,
    error_message TEXT,
    error_hint TEXT,
    queue_pos REAL NOT NULL DEFAULT 0,
    resumes INTEGER NOT NULL DEFAULT 0,
    error_message_ref TEXT,
    error_hint_ref TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, created_at);
"""
# Columns added after the first release, for workspaces made before them.
_ADDED_COLUMNS = {
    "queue_pos": "REAL NOT NULL DEFAULT 0",
    "resumes": "INTEGER NOT NULL DEFAULT 0",
    # The id and values of the error's message and hint (Message.to_json(), as JSON) beside their English text,
    # so the page shows them in its language; rows an earlier version wrote have none and show the text.
    "error_message_ref": "TEXT",
    "error_hint_ref": "TEXT",
}
RESUMABLE_STATES = ("failed", "cancelled", "interrupted")
# A running worker beats every 2 s; this much silence means it is stuck or frozen.
HEARTBEAT_STALE_S = 60.0


class InvalidTransition(RuntimeError):
    pass


@dataclass
class JobError:
    """Why a job failed: its kind (README: "Every failure has a kind"), a message and a hint, each a Message
    (backend.messages: English text with an id and values) or, as an earlier version stored it, plain text."""

    kind: str
    message: str
    hint: str = ""

    def to_json(self) -> dict:
        """status.json's "error": the texts, and beside each Message its id and values ("message_ref",
        "hint_ref": Message.to_json()); plain text has no ref."""
        data = {"kind": self.kind, "message": str(self.message), "hint": str(self.hint)}
        for key, text in (("message_ref", self.message), ("hint_ref", self.hint)):
            if _ref(text):
                data[key] = _ref(text)
        return data

    @classmethod
    def from_json(cls, data: dict | None) -> JobError | None:
        """The error status.json holds (to_json()); what an earlier version wrote (no refs) as plain text."""
        if not isinstance(data, dict) or not data.get("kind"):
            return None
        message, hint = str(data.get("message") or ""), str(data.get("hint") or "")
        return cls(str(data["kind"]), Message.from_json(data.get("message_ref"), message),
                   Message.from_json(data.get("hint_ref"), hint))


@dataclass
class Job:
    id: str
    state: str
    created_at: float
    started_at: float | None
    ended_at: float | None
    heartbeat_at: float | None
    pid: int | None
    host: str | None
    stage: str
    method: str
    model: str
    dataset: str
    final_loss: float | None
    cancel_requested: int
    error_kind: str | None
    error_message: str | None
    error_hint: str | None
    queue_pos: float = 0.0
    resumes: int = 0
    error_message_ref: str | None = None  # JSON of the message's Message.to_json() (None: plain text)
    error_hint_ref: str | None = None

    @property
    def error(self) -> JobError | None:
        """The recorded error, its message and hint rebuilt as Messages where their ids were stored."""
        if not self.error_kind:
            return None
        return JobError(self.error_kind, _from_ref(self.error_message_ref, self.error_message or ""),
                        _from_ref(self.error_hint_ref, self.error_hint or ""))

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    def silent_for(self, now: float | None = None) -> float | None:
        """Seconds since a running job's last heartbeat, when that is longer than HEARTBEAT_STALE_S."""
        if self.state != "running" or not self.heartbeat_at:
            return None
        silence = (now or time.time()) - self.heartbeat_at
        return silence if silence > HEARTBEAT_STALE_S else None


class JobStore:
    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            have = {row["name"] for row in db.execute("PRAGMA table_info(jobs)")}
            for column, decl in _ADDED_COLUMNS.items():
                if column not in have:
                    db.execute(f"ALTER TABLE jobs ADD COLUMN {column} {decl}")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.workspace.db_path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=30000")
        return db

    # -- reading ----------------------------------------------------------------------------
    def job_dir(self, job_id: str) -> Path:
        return self.workspace.job_dir(job_id)

    def get(self, job_id: str) -> Job | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job(**dict(row)) if row else None

    def list_jobs(self, states: tuple[str, ...] | None = None) -> list[Job]:
        """All jobs, newest first (optionally only some states)."""
        sql, args = "SELECT * FROM jobs", ()
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
            args = tuple(states)
        with closing(self._connect()) as db:
            rows = db.execute(sql + " ORDER BY created_at DESC, rowid DESC", args).fetchall()
        return [Job(**dict(r)) for r in rows]

    def next_queued(self) -> Job | None:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT * FROM jobs WHERE state = 'queued' ORDER BY queue_pos, created_at, rowid LIMIT 1"
            ).fetchone()
        return Job(**dict(row)) if row else None

    def queue(self) -> list[Job]:
        """Queued jobs in the order they will run."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT * FROM jobs WHERE state = 'queued' ORDER BY queue_pos, created_at, rowid"
            ).fetchall()
        return [Job(**dict(r)) for r in rows]

    def load_spec(self, job_id: str) -> JobSpec:
        return JobSpec.from_yaml((self.job_dir(job_id) / "spec.yaml").read_text(encoding="utf-8"))

    # -- transitions ------------------------------------------------------------------------
    def create_job(self, spec: JobSpec, state: str = "queued") -> str:
        """Make the job directory with spec.yaml and index it as queued (or running, for the CLI)."""
        now = time.time()
        job_id = time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + "-" + secrets.token_hex(3)
        d = self.job_dir(job_id)
        d.mkdir(parents=True)
        (d / "spec.yaml").write_text(spec.to_yaml(), encoding="utf-8")
        (d / "log.txt").touch()
        (d / "metrics.jsonl").touch()
        with closing(self._connect()) as db:
            db.execute(
                "INSERT INTO jobs (id, state, created_at, stage, method, model, dataset, queue_pos)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (job_id, "queued", now, spec.stage, spec.method.name, spec.model.name_or_path, spec.dataset_label,
                 now),
            )
        self._write_status(job_id)
        if state == "running":  # claimed by its starter, which sets the pid once the worker exists
            self.mark_running(job_id, 0)
        return job_id

    def mark_running(self, job_id: str, pid: int) -> None:
        now = time.time()
        self._transition(job_id, ("queued",), "running", started_at=now, heartbeat_at=now, pid=pid, host=os.uname().nodename)

    def set_pid(self, job_id: str, pid: int) -> None:
        self._update(job_id, pid=pid)

    def set_host(self, job_id: str, host: str) -> None:
        """Where the job runs, when not on the machine that claimed it (a cluster node: backend/cluster/runner.py)."""
        self._update(job_id, host=host)

    def heartbeat(self, job_id: str) -> None:
        self._update(job_id, heartbeat_at=time.time(), write_status=False)

    def mark_succeeded(self, job_id: str, final_loss: float | None) -> None:
        self._transition(job_id, ("running",), "succeeded", ended_at=time.time(), final_loss=final_loss)

    def mark_failed(self, job_id: str, error: JobError) -> None:
        self._transition(job_id, ("queued", "running"), "failed", ended_at=time.time(), **_error_fields(error))

    def mark_cancelled(self, job_id: str) -> None:
        self._transition(job_id, ("queued", "running"), "cancelled", ended_at=time.time())

    def mark_interrupted(self, job_id: str, error: JobError) -> None:
        self._transition(job_id, ("running",), "interrupted", ended_at=time.time(), **_error_fields(error))

    def mark_resumed(self, job_id: str) -> None:
        """Queue a stopped job again; the worker continues from its last checkpoint."""
        job = self.get(job_id)
        if job is None:
            raise KeyError(job_id)
        self._transition(
            job_id, RESUMABLE_STATES, "queued", queue_pos=time.time(), resumes=job.resumes + 1, ended_at=None,
            pid=None, cancel_requested=0, error_kind=None, error_message=None, error_hint=None,
            error_message_ref=None, error_hint_ref=None,
        )

    def move_in_queue(self, job_id: str, steps: int) -> None:
        """Move a queued job earlier (steps < 0) or later (steps > 0) in the queue."""
        order = [j.id for j in self.queue()]
        if job_id not in order:
            raise InvalidTransition(msg("jobs.not_queued", job=job_id))
        i = order.index(job_id)
        order.insert(max(0, min(len(order) - 1, i + steps)), order.pop(i))
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            base = db.execute("SELECT MIN(queue_pos) FROM jobs WHERE state = 'queued'").fetchone()[0] or 0.0
            for n, jid in enumerate(order):
                db.execute("UPDATE jobs SET queue_pos = ? WHERE id = ? AND state = 'queued'", (base + n * 1e-3, jid))
            db.execute("COMMIT")

    def delete_job(self, job_id: str) -> None:
        """Remove a job that is not running, with its directory."""
        import shutil

        job = self.get(job_id)
        if job is None:
            raise KeyError(job_id)
        if job.state == "running":
            raise InvalidTransition(msg("jobs.delete_running", job=job_id))
        with closing(self._connect()) as db:
            cur = db.execute("DELETE FROM jobs WHERE id = ? AND state != 'running'", (job_id,))
            if cur.rowcount != 1:
                raise InvalidTransition(msg("jobs.delete_started", job=job_id))
        shutil.rmtree(self.job_dir(job_id), ignore_errors=True)

    def request_cancel(self, job_id: str) -> str:
        """Cancel a queued job at once; flag a running one for the scheduler. Returns the state."""
        job = self.get(job_id)
        if job is None:
            raise KeyError(job_id)
        if job.state == "queued":
            try:
                self.mark_cancelled(job_id)
                return "cancelled"
            except InvalidTransition:
                job = self.get(job_id)  # it started in the meantime
        if job.state == "running":
            self._update(job_id, cancel_requested=job.cancel_requested + 1)
        return job.state

    # -- files ------------------------------------------------------------------------------
    def read_metrics(self, job_id: str) -> list[dict]:
        return read_jsonl(self.job_dir(job_id) / "metrics.jsonl")

    def read_log_tail(self, job_id: str, max_bytes: int = 8000) -> str:
        path = self.job_dir(job_id) / "log.txt"
        try:
            with open(path, "rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                f.seek(max(0, size - max_bytes))
                data = f.read()
        except FileNotFoundError:
            return ""
        text = data.decode("utf-8", errors="replace")
        # Progress bars redraw with \r; keep the last state of each line.
        return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))

    def read_progress(self, job_id: str) -> dict:
        """The worker's progress.json (total steps, current step), or {}."""
        try:
            return json.loads((self.job_dir(job_id) / "progress.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    # -- internals --------------------------------------------------------------------------
    def _transition(self, job_id: str, from_states: tuple[str, ...], to_state: str, **fields) -> None:
        sets = ", ".join(f"{k} = ?" for k in ["state", *fields])
        marks = ",".join("?" * len(from_states))
        with closing(self._connect()) as db:
            cur = db.execute(
                f"UPDATE jobs SET {sets} WHERE id = ? AND state IN ({marks})",
                (to_state, *fields.values(), job_id, *from_states),
            )
            if cur.rowcount != 1:
                row = db.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()
                now = row["state"] if row else "missing"
                raise InvalidTransition(msg("jobs.bad_transition", job=job_id, state=now, to=to_state))
        self._write_status(job_id)

    def _update(self, job_id: str, write_status: bool = True, **fields) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        with closing(self._connect()) as db:
            db.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*fields.values(), job_id))
        if write_status:
            self._write_status(job_id)

    def _write_status(self, job_id: str) -> None:
        job = self.get(job_id)
        if job is None:
            return
        status = {k: v for k, v in asdict(job).items() if not k.startswith("error_")}
        status["error"] = job.error.to_json() if job.error else None
        path = self.job_dir(job_id) / "status.json"
        tmp = path.with_name(f".status.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(status, indent=2), encoding="utf-8")
        os.replace(tmp, path)


def _error_fields(error: JobError) -> dict:
    ref, hint_ref = _ref(error.message), _ref(error.hint)
    return {"error_kind": error.kind, "error_message": str(error.message), "error_hint": str(error.hint),
            "error_message_ref": json.dumps(ref, ensure_ascii=False) if ref else None,
            "error_hint_ref": json.dumps(hint_ref, ensure_ascii=False) if hint_ref else None}


def _ref(text) -> dict | None:
    """The id and values of a Message (Message.to_json()); None for plain text."""
    return text.to_json() if isinstance(text, Message) else None


def _from_ref(ref: str | None, text: str) -> str:
    """The Message a stored ref describes, with its stored English `text`; `text` itself without a ref (or
    with one that does not parse)."""
    if not ref:
        return text
    try:
        data = json.loads(ref)
    except ValueError:
        return text
    return Message.from_json(data, text)


def read_status(job_dir: Path) -> dict:
    """A job's status.json, its "error" as a JobError (Messages rebuilt from their refs), or {} when unreadable."""
    try:
        status = json.loads((Path(job_dir) / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if isinstance(status, dict):
        status["error"] = JobError.from_json(status.get("error"))
        return status
    return {}


def read_jsonl(path: Path) -> list[dict]:
    """The objects of a jsonl file the worker appends to; none when it does not exist yet. A line
    that does not parse (being written right now) is skipped."""
    out = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return out
    for line in lines:
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return out
