"""Chinese (simplified) for the backend's `rows.*` messages (English: backend/messages/en/rows.py)."""

ZH: dict[str, str] = {
}
