"""Chinese (simplified) for the backend's `serve.*` messages (English: backend/messages/en/serve.py)."""

ZH: dict[str, str] = {
}
