"""English messages: export (ids `export.*`)."""

EN: dict[str, str] = {
}
