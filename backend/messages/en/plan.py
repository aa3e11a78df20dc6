"""English messages: plan (ids `plan.*`)."""

EN: dict[str, str] = {
}
