"""English messages: chat (ids `chat.*`)."""

EN: dict[str, str] = {
}
