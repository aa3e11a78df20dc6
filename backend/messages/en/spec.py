"""English messages: spec (ids `spec.*`)."""

EN: dict[str, str] = {
}
