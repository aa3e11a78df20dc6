"""One generation at a time per engine: the engine's `generate` runs in a thread of its own holding the
engine's lock (so concurrent requests queue instead of sharing the model mid-generation), and hands its
text to the event loop through an asyncio queue.

    run = Generation(engine, "JOB", prompt, params, prompt_tokens=12)
    async for text in run.deltas():   # stop strings already cut; a client that goes away stops the model
        ...
    run.completion_tokens, run.finish_reason
"""

from __future__ import annotations

import asyncio
import threading

from backend.serve.engine import Engine, StopTrimmer
from backend.serve.protocol import GenParams

_END = object()


class Generation:
    def __init__(self, engine: Engine, model: str, prompt: str, params: GenParams, prompt_tokens: int):
        self.engine, self.model, self.prompt, self.params = engine, model, prompt, params
        self.prompt_tokens = prompt_tokens
        self.completion_tokens, self.finish_reason = 0, "stop"
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._trim = StopTrimmer(params.stop)

    def _work(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue) -> None:
        def put(item) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        def emit(text: str) -> None:
            kept = self._trim.feed(text)
            if kept:
                put(kept)
            if self._trim.hit:
                self._stop.set()

        try:
            with self.engine.lock:
                if not self._stop.is_set():
                    self.completion_tokens, self.finish_reason = self.engine.generate(
                        self.model, self.prompt, self.params, emit, self._stop.is_set)
            if self._trim.hit:
                self.finish_reason = "stop"
            tail = self._trim.flush()
            if tail:
                put(tail)
        except BaseException as e:  # noqa: BLE001 - reported to the client as a 500 error object
            self.error = e
        finally:
            put(_END)

    async def deltas(self):
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        threading.Thread(target=self._work, args=(loop, queue), daemon=True, name="serve-generate").start()
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    break
                yield item
        finally:
            self._stop.set()  # the client went away, or the stream is done: the model stops at its next token
        if self.error is not None:
            raise self.error
