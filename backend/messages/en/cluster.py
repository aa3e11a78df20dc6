"""English messages: cluster (ids `cluster.*`): the Ray cluster backend (backend/cluster/)."""

EN: dict[str, str] = {
}
