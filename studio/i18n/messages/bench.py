"""Chinese (simplified) for the backend's `bench.*` messages (English: backend/messages/en/bench.py)."""

ZH: dict[str, str] = {
}
