"""English messages: data (ids `data.*`)."""

EN: dict[str, str] = {
}
