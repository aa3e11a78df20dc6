"""Chinese (simplified) for the backend's `export.*` messages (English: backend/messages/en/export.py)."""

ZH: dict[str, str] = {
}
