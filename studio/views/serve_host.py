"""The model servers the studio started (`studio serve-model` child processes), one per job at most.

    host = SERVERS
    server = host.start(workspace_root, job, port, engine="auto", gguf=None, api_key=None)
    server.wait_ready(300)   # True once it prints "Serving ... at URL"; False if it exited (server.error says why)
    host.get(job); host.stop(job); host.stop_all()   # stop_all runs when the studio's process exits

The child watches the studio (STUDIO_SERVE_PARENT): when the studio process is gone, even killed, the server
stops too (studio/cli/serve_model.py). The API key goes in the environment, never on the command line.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from backend.messages import Message
from backend.resources import PROJECT_ROOT


@dataclass
class Server:
    job: str
    port: int
    engine: str
    keyed: bool
    proc: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    url: str | None = None
    models: list[str] = field(default_factory=list)
    engine_name: str = ""
    ready: threading.Event = field(default_factory=threading.Event)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_ready(self, timeout_s: float) -> bool:
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if self.ready.wait(0.2):
                return True
            if not self.alive:
                self.ready.wait(0.5)  # its last lines
                return self.ready.is_set()
        return False

    def error(self):
        """Why it stopped: the CLI's error (a Message when it sent its id), else its last line; None if none."""
        refs = [ln.removeprefix("error-ref: ") for ln in self.lines if ln.startswith("error-ref: ")]
        errors = [ln.removeprefix("error: ") for ln in self.lines if ln.startswith("error: ")]
        text = errors[-1] if errors else (self.lines[-1] if self.lines else None)
        if refs and text:
            try:
                return Message.from_json(json.loads(refs[-1]), text)
            except ValueError:
                pass
        return text

    def _read(self) -> None:
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.lines = [*self.lines[-200:], line]
            if line.startswith("Serving ") and " at " in line:
                self.url = line.split(" at ", 1)[1].split()[0]
                inside = line[line.find("(model ids: ") + 12:].rstrip(")")
                ids, _, rest = inside.partition("; engine: ")
                self.models, self.engine_name = ids.split(", "), rest.split(";")[0]
                self.ready.set()


class ServerHost:
    def __init__(self):
        self._lock = threading.Lock()
        self._servers: dict[str, Server] = {}
        atexit.register(self.stop_all)

    def get(self, job: str) -> Server | None:
        with self._lock:
            server = self._servers.get(job)
            return server if server is not None and server.alive else None

    def start(self, workspace_root: Path, job: str, port: int, engine: str = "auto", gguf: str | None = None,
              api_key: str | None = None) -> Server:
        with self._lock:
            running = self._servers.get(job)
            if running is not None and running.alive:
                return running
            cmd = [sys.executable, "-m", "studio.cli", "serve-model", job, "--port", str(int(port)), "--engine",
                   engine, "--workspace", str(workspace_root)]
            if gguf:
                cmd += ["--gguf", gguf]
            env = {**os.environ, "STUDIO_ERROR_REF": "1", "STUDIO_SERVE_PARENT": str(os.getpid()),
                   "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false",
                   "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p)}
            env.pop("STUDIO_API_KEY", None)
            if api_key:
                env["STUDIO_API_KEY"] = api_key
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, encoding="utf-8", errors="replace", env=env, cwd=PROJECT_ROOT)
            server = Server(job, int(port), engine, bool(api_key), proc)
            threading.Thread(target=server._read, daemon=True, name=f"serve-{job}").start()
            self._servers[job] = server
            return server

    def stop(self, job: str) -> bool:
        with self._lock:
            server = self._servers.pop(job, None)
        if server is None or not server.alive:
            return False
        server.proc.terminate()
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
        return True

    def stop_all(self) -> None:
        for job in list(self._servers):
            self.stop(job)


SERVERS = ServerHost()
