"""Chinese (simplified) for the backend's `chat.*` messages (English: backend/messages/en/chat.py)."""

ZH: dict[str, str] = {
}
