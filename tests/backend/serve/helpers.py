"""A real `studio serve-model` in a subprocess, for the serve tests, the browser test and the benchmark.

    with model_server(ws_root, ["JOB"], env={"STUDIO_API_KEY": "k"}) as (url, proc): ...   # url ends in /v1
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def start_server(ws_root: Path, args: list[str], env: dict | None = None, timeout_s: float = 120):
    """(process, base URL) once the server printed its "Serving ... at URL" line; RuntimeError with its output if it
    exits or stays silent first."""
    cmd = [sys.executable, "-m", "studio.cli", "serve-model", *args, "--port", "0", "--workspace", str(ws_root)]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines: queue.Queue = queue.Queue()
    seen: list[str] = []

    def read():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        while True:
            line = lines.get(timeout=timeout_s)
            if line is None:
                raise RuntimeError(f"serve-model exited ({proc.wait()}):\n{''.join(seen)}")
            seen.append(line)
            if line.startswith("Serving "):
                return proc, line.split(" at ", 1)[1].split()[0]
    except queue.Empty:
        proc.kill()
        raise RuntimeError(f"serve-model said nothing in {timeout_s}s:\n{''.join(seen)}") from None


@contextlib.contextmanager
def model_server(ws_root: Path, args: list[str], env: dict | None = None):
    proc, url = start_server(ws_root, args, env)
    try:
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
