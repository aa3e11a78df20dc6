"""English messages: bench (ids `bench.*`): standard benchmarks (backend/bench/)."""

EN: dict[str, str] = {
}
