"""The one chat model the studio holds loaded (backend.chat), shared by the page's sessions: picking another job or
other weights closes it; Stop ends the reply it is writing."""

from __future__ import annotations

import threading
from pathlib import Path

from backend.chat.client import ChatClient, job_chat_target


class ChatHost:
    """Holds the one loaded chat model, shared by the page's sessions (it is memory, not state)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._job: str | None = None
        self._client: ChatClient | None = None

    def client_for(self, job_id: str, job_dir, weights: str = "final") -> ChatClient:
        key = f"{job_id}:{weights}"
        with self._lock:
            if self._client is not None and self._job == key and self._client.alive:
                return self._client
            self._close_locked()
            base, adapter = job_chat_target(job_dir, weights)
            spec = Path(job_dir) / "spec.yaml"  # a qlora job's base as it trained (also when `weights` is base)
            self._client = ChatClient(base, adapter, spec_file=str(spec) if spec.is_file() else None)
            self._job = key
            return self._client

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def loaded(self, key: str) -> ChatClient | None:
        """The client of `key` ("job:weights") when it is the one loaded and running, else None (also while a model
        is being loaded: the status redrawn on a page load or language switch waited for the load, seconds, then
        said "loaded" over the reply still streaming)."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if self._client is not None and self._job == key and self._client.alive:
                return self._client
            return None
        finally:
            self._lock.release()

    def release_unless(self, key: str | None) -> None:
        """Free the loaded model when the user switches to another job or other weights."""
        with self._lock:
            if self._job is not None and self._job != key:
                self._close_locked()

    def stop(self, stop: threading.Event) -> None:
        """End the reply asked with `stop` (the session's Stop) if the loaded model is writing it. Not under the lock:
        a model being loaded holds it for seconds, and the reply checks `stop` before it asks."""
        client = self._client
        if client is not None:
            client.stop(stop)

    def _close_locked(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client, self._job = None, None
