"""Chinese (simplified) for the backend's `plan.*` messages (English: backend/messages/en/plan.py)."""

ZH: dict[str, str] = {
}
