"""The UI's unexpected-error path, in one place: a failure nobody planned for is logged with its
traceback, the user is told (in the page's language) what failed and what to do, and the studio
keeps answering. Expected errors (SpecError, DataError, ...) are caught where they happen, by type.

A handler, as a decorator: its `fallback` (a value, or a function of the message) is what the
handler gives instead; by default every output stays as it was.

    @unexpected(t, "review", fallback=lambda message: {problems: message})
    def show_review(values): ...

Part of a function, as a context manager (it records what failed and carries on after the block):

    with unexpected(t, "chat") as failed:
        ...
    if failed.message:
        yield history, failed.message

A detail a page can do without (an optional probe): logged, never shown, the block left.

    lengths = None
    with unexpected.optional("sample_lengths"):
        lengths = sample_lengths(...)
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("studio.ui")
_SKIP = object()  # the default fallback: every output of the handler stays as it was


class unexpected:  # noqa: N801 - used like a function (a decorator or `with unexpected(...)`)
    """See the module's docstring. `action` names what failed: the table key `action.<action>` for
    the user's message, or (optional, no `t`) a name for the log."""

    def __init__(self, t, action: str, fallback: Any = _SKIP, *, quiet: bool = False, level: int = logging.ERROR):
        self.t, self.action, self.fallback, self.quiet, self.level = t, action, fallback, quiet, level
        self.error: Exception | None = None  # what was raised, once something failed
        self.message: str | None = None  # what the user was shown (None: nothing failed, or quiet)

    @classmethod
    def optional(cls, what: str, level: int = logging.DEBUG) -> unexpected:
        """A part the page can do without: a failure is logged (at `level`) and the block left."""
        return cls(None, what, quiet=True, level=level)

    # -- as a context manager ---------------------------------------------------------------------
    def __enter__(self) -> unexpected:
        return self

    def __exit__(self, kind, error, tb) -> bool:
        if not isinstance(error, Exception):  # nothing raised, or a stop (GeneratorExit, Ctrl-C)
            return False
        self.error = error
        log.log(self.level, "%s failed", self.action, exc_info=error)
        if not self.quiet:
            self.message = self.t["error.failed"].format(action=self.t[f"action.{self.action}"],
                                                         message=f"{type(error).__name__}: {error}")
            import gradio as gr

            gr.Warning(self.message)
        return True

    # -- as a decorator ------------------------------------------------------------------------------
    def _given(self, failed: unexpected) -> Any:
        if self.fallback is _SKIP:
            import gradio as gr

            return gr.skip()
        return self.fallback(failed.message) if callable(self.fallback) else self.fallback

    def _again(self) -> unexpected:
        """A fresh record for one call (a handler runs for many sessions at once)."""
        return unexpected(self.t, self.action, self.fallback, quiet=self.quiet, level=self.level)

    def __call__(self, fn: Callable) -> Callable:
        # functools.wraps keeps the signature gradio reads (gr.Request, gr.SelectData parameters).
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def stream(*args, **kwargs):
                with self._again() as failed:
                    yield from fn(*args, **kwargs)
                if failed.error is not None:
                    yield self._given(failed)
            return stream

        @functools.wraps(fn)
        def call(*args, **kwargs):
            with self._again() as failed:
                return fn(*args, **kwargs)
            return self._given(failed)
        return call
