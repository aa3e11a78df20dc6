"""Talk to a chat model running in its own process (backend.chat.server). No torch here.

    client = ChatClient(base="/path/base", adapter="/path/adapter")
    for text in client.stream([{"role": "user", "content": "who are you?"}]):
        print(text, end="")
    client.close()   # frees the model's memory
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from backend.messages import Message, msg
from backend.resources import PROJECT_ROOT


class ChatError(RuntimeError):
    pass


class ChatClosed(ChatError):
    """The client was closed while a reply was asked or streamed (the page switched to another job or weights):
    the reply is abandoned on purpose, and nothing is wrong to report."""


def _said(answer: dict) -> str | None:
    """The chat process's error (backend.chat.server sends its id and values beside the English): a Message,
    or the plain text; None when the answer has no error."""
    text = answer.get("error")
    if not text:
        return None
    return Message.from_json(answer.get("error_ref"), str(text))


class ChatClient:
    def __init__(self, base: str, adapter: str | None = None, trust_remote_code: bool = False, timeout_s: float = 300,
                 spec_file: str | None = None):
        """spec_file: the job's spec.yaml, so a qlora job's base is the one it trained on even without its
        adapter (backend.chat.server reads it only for qlora)."""
        self.base, self.adapter = base, adapter
        cmd = [sys.executable, "-m", "backend.chat.server", "--base", base]
        if adapter:
            cmd += ["--adapter", adapter]
        if spec_file:
            cmd += ["--spec", spec_file]
        if trust_remote_code:
            cmd.append("--trust-remote-code")
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", env=env, bufsize=1,
        )
        self._ids = itertools.count(1)
        self._lock = threading.Lock()  # one reply at a time
        self._write = threading.Lock()  # stdin: a request, or a cancel sent while a reply streams
        self._current: tuple[int, threading.Event | None] | None = None  # the reply streaming, and its stop
        self.closed = False
        hello = self._read_line()
        if not hello.get("ready"):
            err = self._proc.stderr.read()[-2000:] if self._proc.poll() is not None else ""
            self.close()
            raise ChatError(_said(hello) or msg("chat.start_failed", error=err.strip()))
        self.mem_mb = hello.get("mem_mb")
        self.params = hello.get("params")
        self.has_adapter = bool(hello.get("has_adapter"))
        self.vision = bool(hello.get("vision"))  # a vision-language model: messages may carry "images"

    def _read_line(self) -> dict:
        try:
            line = self._proc.stdout.readline()
        except (ValueError, OSError) as e:  # closed under the reader
            raise ChatClosed(msg("chat.not_running")) if self.closed else ChatError(msg("chat.process_stopped")) from e
        if self.closed:
            raise ChatClosed(msg("chat.not_running"))
        if not line:
            raise ChatError(msg("chat.process_stopped"))
        return json.loads(line)

    def stream(self, messages: list[dict], max_new_tokens: int = 128, temperature: float = 0.0, top_p: float = 0.9,
               adapter: bool = True, stop: threading.Event | None = None):
        """Yield the reply in pieces as the model writes it; adapter=False: the base model's reply. A message may
        carry "images": [paths] (stored by backend.chat.images) for a vision-language model.
        stop: once set (before or during the reply, with stop(stop) while it streams), the process stops
        generating and the reply ends where it got to; a reply abandoned mid-way (the generator closed) is
        stopped the same way, so the process is free for the next one."""
        with self._lock:
            rid = next(self._ids)
            request = {"id": rid, "messages": messages, "max_new_tokens": max_new_tokens,
                       "temperature": temperature, "top_p": top_p, "adapter": adapter}
            if self.closed:
                raise ChatClosed(msg("chat.not_running"))
            if stop is not None and stop.is_set():
                return
            try:
                with self._write:
                    self._send(request)
                    self._current = (rid, stop)
                    if stop is not None and stop.is_set():  # stopped between the check above and now
                        self._send({"cancel": rid})
            except (BrokenPipeError, OSError, ValueError) as e:  # ValueError: stdin closed by close()
                raise (ChatClosed if self.closed else ChatError)(msg("chat.not_running")) from e
            finished = False
            try:
                while True:
                    answer = self._read_line()
                    if answer.get("id") != rid:
                        continue  # the tail of a reply stopped earlier
                    if "error" in answer:
                        finished = True
                        raise ChatError(_said(answer) or str(answer["error"]))
                    if answer.get("done"):
                        finished = True
                        return
                    yield answer["delta"]
            finally:
                with self._write:
                    self._current = None
                    if not finished and not self.closed:  # left mid-reply: the process stops generating it
                        self._cancel(rid)

    def stop(self, stop: threading.Event | None = None) -> None:
        """Stop the reply streaming now (only the one asked with `stop`, when given): it ends at the next token."""
        with self._write:
            if self._current is not None and (stop is None or self._current[1] is stop):
                self._cancel(self._current[0])

    def _send(self, obj: dict) -> None:
        self._proc.stdin.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self._proc.stdin.flush()

    def _cancel(self, rid: int) -> None:
        try:
            self._send({"cancel": rid})
        except (OSError, ValueError):  # the process is gone or closing: nothing left to stop
            pass

    def reply(self, messages: list[dict], **kwargs) -> str:
        return "".join(self.stream(messages, **kwargs))

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self) -> None:
        self.closed = True
        if self._proc.poll() is None:
            try:
                self._proc.stdin.close()
                self._proc.wait(timeout=5)
            except Exception:  # noqa: BLE001
                self._proc.kill()
                self._proc.wait(timeout=10)  # reaped: `alive` is False once close() returns


def chat_weights(job_dir: Path) -> list[str]:
    """What a job offers to chat with: "final", its checkpoints ("checkpoint-N", by step) and "base"."""
    found = []
    for ckpt in (Path(job_dir) / "checkpoints").glob("checkpoint-*"):
        step = ckpt.name.removeprefix("checkpoint-")
        if step.isdigit() and ((ckpt / "adapter_config.json").is_file() or (ckpt / "config.json").is_file()):
            found.append((int(step), ckpt.name))
    return ["final", *[name for _, name in sorted(found)], "base"]


def job_chat_target(job_dir: Path, weights: str = "final") -> tuple[str, str | None]:
    """(base model path, adapter dir) of a finished job; (the trained model, None) for full and
    freeze jobs, which save a whole model. A reward model scores replies and cannot chat.
    weights: "final" (the job's result), "checkpoint-N" (that checkpoint's), or "base" (no adapter)."""
    adapter = Path(job_dir) / "adapter"
    cfg_path = adapter / "adapter_config.json"
    spec_path = Path(job_dir) / "spec.yaml"
    if spec_path.is_file() and "\nstage: rm\n" in spec_path.read_text(encoding="utf-8"):
        raise ChatError(msg("chat.reward_model", job=Path(job_dir).name))
    if not cfg_path.is_file():
        if (adapter / "config.json").is_file():
            return str(adapter), None
        raise ChatError(msg("chat.no_adapter", job=Path(job_dir).name))
    base = json.loads(cfg_path.read_text(encoding="utf-8")).get("base_model_name_or_path")
    if weights == "base":
        return base, None
    if weights != "final":
        ckpt = Path(job_dir) / "checkpoints" / weights
        if weights not in chat_weights(job_dir):
            raise ChatError(msg("chat.no_checkpoint", job=Path(job_dir).name, checkpoint=repr(weights)))
        return (str(ckpt), None) if (ckpt / "config.json").is_file() else (base, str(ckpt))
    return base, str(adapter)
