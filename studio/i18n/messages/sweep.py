"""Chinese (simplified) for the backend's `sweep.*` messages (English: backend/messages/en/sweep.py)."""

ZH: dict[str, str] = {
}
