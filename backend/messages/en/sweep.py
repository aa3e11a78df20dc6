"""English messages: sweep (ids `sweep.*`): sweeps (backend/sweep/)."""

EN: dict[str, str] = {
}
