"""English messages: serve (ids `serve.*`): the OpenAI-compatible model server (backend/serve/)."""

EN: dict[str, str] = {
}
