"""Show a backend message in the page's language: `render(message_or_exception, lang)`.

    render(DataError(msg("data.row_missing_field", row=4, field="instruction")), "zh")  # "第 4 行：……"

A Message (backend.messages) is formatted from its id's template in `lang` (studio/i18n/messages/) with
its values, each value that is itself a message rendered the same way: translation happens before
formatting. An exception shows the message it carries. Text with no id (a library's own error, or a
message an earlier version stored as plain text) is shown as it is, in English.
"""

from __future__ import annotations

from typing import Any

from backend.messages import Message, message_of
from studio.i18n.messages import CATALOGS


def render(value: Any, lang: str) -> str:
    """`value` (a Message, an exception, or text) as a person reads it in `lang` ("en", "zh")."""
    if isinstance(value, BaseException):
        value = message_of(value)
    if not isinstance(value, Message):
        return value if isinstance(value, str) else str(value)
    if lang == "en":
        return str(value)
    template = CATALOGS.get(lang, {}).get(value.id)
    if template is None:
        return str(value)
    values = {k: _value(v, lang) for k, v in value.params.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a stored message whose values the catalog no longer fits
        return str(value)


def _value(value: Any, lang: str) -> Any:
    if isinstance(value, (Message, BaseException)):
        return render(value, lang)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Message) for v in value):
        return "\n".join(render(v, lang) for v in value)
    return value

