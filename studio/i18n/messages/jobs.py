"""Chinese (simplified) for the backend's `jobs.*` messages (English: backend/messages/en/jobs.py)."""

ZH: dict[str, str] = {
}
