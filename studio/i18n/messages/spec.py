"""Chinese (simplified) for the backend's `spec.*` messages (English: backend/messages/en/spec.py)."""

ZH: dict[str, str] = {
}
