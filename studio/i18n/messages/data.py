"""Chinese (simplified) for the backend's `data.*` messages (English: backend/messages/en/data.py)."""

ZH: dict[str, str] = {
}
