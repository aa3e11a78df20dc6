"""English messages: training (ids `training.*`)."""

EN: dict[str, str] = {
}
