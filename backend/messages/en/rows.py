"""English messages: rows (ids `rows.*`)."""

EN: dict[str, str] = {
}
