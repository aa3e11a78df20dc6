"""Every message the backend gives a person, by id: `msg("area.name", **values)` (backend.messages.message).

The English of each id is in backend/messages/en/<area>.py, one small table per area of the backend;
the studio's other languages key their tables by the same ids (studio/i18n/messages/). Adding a
message: its id and English here, its Chinese there; tests/backend/test_messages.py checks both.
"""

from backend.messages.message import Message, UnknownMessage, english, message_of, msg

__all__ = ["Message", "UnknownMessage", "english", "message_of", "msg"]
