"""English messages: jobs (ids `jobs.*`)."""

EN: dict[str, str] = {
}
