"""A message a person reads: a stable id, its values, and its English text.

    raise DataError(msg("data.row_missing_field", row=4, field="instruction"))
    str(e)                # "row 4: 'instruction' is missing ..."   (logs, the CLI, `in` checks)
    e.args[0].id          # "data.row_missing_field"; .params == {"row": 4, "field": "instruction"}

Why a `str` subclass: the backend, its logs and the CLI keep handling plain English strings, while the
studio renders the same message from its id and values in the page's language (studio.i18n.render),
before formatting, so nothing is ever translated back from finished English. A value may itself be a
Message (or an exception carrying one): it is rendered in the same language. What crosses a process
or lands on disk (a job's error, a data report) is stored with `to_json()` beside its text, and comes
back with `from_json()`; text an earlier version wrote has no id and is shown as it is.
"""

from __future__ import annotations

from typing import Any

from backend.messages.en import ENGLISH

__all__ = ["Message", "msg", "message_of", "english", "UnknownMessage"]


class UnknownMessage(KeyError):
    """A msg() id no catalog in backend/messages/en/ holds: a bug, caught by the tests."""


def english(message_id: str) -> str:
    try:
        return ENGLISH[message_id]
    except KeyError:
        raise UnknownMessage(f"no message `{message_id}` in backend/messages/en/") from None


def _plain(value: Any) -> Any:
    """A value as the English text shows it: an exception by its message, anything else as it is."""
    if isinstance(value, BaseException):
        return message_of(value)
    if isinstance(value, (list, tuple)) and any(isinstance(v, (Message, BaseException)) for v in value):
        return [_plain(v) for v in value]
    return value


def _shown(value: Any) -> Any:
    """A value as the English text shows it: a list of messages one per line (as studio.i18n.render does)."""
    if isinstance(value, list) and value and all(isinstance(v, Message) for v in value):
        return "\n".join(value)
    return value


class Message(str):
    """English text that remembers its id and values (see the module's docstring)."""

    id: str
    params: dict[str, Any]

    def __new__(cls, message_id: str, /, **params: Any) -> Message:
        template = english(message_id)
        values = {k: _plain(v) for k, v in params.items()}
        self = super().__new__(cls, template.format(**{k: _shown(v) for k, v in values.items()}))
        self.id, self.params = message_id, values
        return self

    @classmethod
    def _restore(cls, message_id: str, params: dict, text: str) -> Message:
        """The message as it was made, even when the catalog's English changed since."""
        self = super().__new__(cls, text)
        self.id, self.params = message_id, params
        return self

    def __reduce__(self):
        return Message._restore, (self.id, self.params, str(self))

    def __copy__(self) -> Message:
        return self

    def __deepcopy__(self, memo) -> Message:
        return self

    def to_json(self) -> dict:
        """{"id", "params", "text"}: values that are messages nest; others as JSON takes them."""
        return {"id": self.id, "params": {k: _to_json(v) for k, v in self.params.items()}, "text": str(self)}

    @classmethod
    def from_json(cls, data: Any, text: str | None = None) -> Message | str | None:
        """The Message stored by to_json(); `text` (or None) when `data` is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return text
        params = {k: _from_json(v) for k, v in (data.get("params") or {}).items()}
        return cls._restore(data["id"], params, str(data.get("text", text or "")))


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        return Message.from_json(value, value)
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def _to_json(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_json()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    return str(value)


msg = Message


def message_of(value: Any) -> Message | str:
    """The message an exception (or a value) carries: its Message when it was raised with one, else its
    text (an exception with no text by its class name)."""
    if isinstance(value, Message):
        return value
    if isinstance(value, BaseException):
        carried = getattr(value, "message", None)
        if isinstance(carried, Message):
            return carried
        if value.args and isinstance(value.args[0], Message) and len(value.args) == 1:
            return value.args[0]
        return str(value) or type(value).__name__
    return value if isinstance(value, str) else str(value)
