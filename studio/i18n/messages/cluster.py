"""Chinese (simplified) for the backend's `cluster.*` messages (English: backend/messages/en/cluster.py)."""

ZH: dict[str, str] = {
}
