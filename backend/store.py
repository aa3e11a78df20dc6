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
    resumes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, created_at);
"""
# Columns added after the first release, for workspaces made before them.
_ADDED_COLUMNS = {
    "queue_pos": "REAL NOT NULL DEFAULT 0",
    "resumes": "INTEGER NOT NULL DEFAULT 0",
}
RESUMABLE_STATES = ("failed", "cancelled", "interrupted")
# A running worker beats every 2 s; this much silence means it is stuck or frozen.
HEARTBEAT_STALE_S = 60.0


class InvalidTransition(RuntimeError):
    pass


@dataclass
class JobError:
    kind: str
    message: str
    hint: str = ""


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

    @property
    def error(self) -> JobError | None:
        if not self.error_kind:
            return None
        return JobError(self.error_kind, self.error_message or "", self.error_hint or "")

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
        )

    def move_in_queue(self, job_id: str, steps: int) -> None:
        """Move a queued job earlier (steps < 0) or later (steps > 0) in the queue."""
        order = [j.id for j in self.queue()]
        if job_id not in order:
            raise InvalidTransition(f"job {job_id} is not queued; only queued jobs can be reordered.")
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
            raise InvalidTransition(f"job {job_id} is running; cancel it before deleting it.")
        with closing(self._connect()) as db:
            cur = db.execute("DELETE FROM jobs WHERE id = ? AND state != 'running'", (job_id,))
            if cur.rowcount != 1:
                raise InvalidTransition(f"job {job_id} started meanwhile; cancel it before deleting it.")
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
                raise InvalidTransition(f"job {job_id} is {now}; it cannot become {to_state}.")
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
        status["error"] = asdict(job.error) if job.error else None
        path = self.job_dir(job_id) / "status.json"
        tmp = path.with_name(f".status.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(status, indent=2), encoding="utf-8")
        os.replace(tmp, path)


def _error_fields(error: JobError) -> dict:
    return {"error_kind": error.kind, "error_message": error.message, "error_hint": error.hint}


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
