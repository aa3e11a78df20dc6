"""Chinese (simplified) for the backend's `training.*` messages (English: backend/messages/en/training.py)."""

ZH: dict[str, str] = {
}
