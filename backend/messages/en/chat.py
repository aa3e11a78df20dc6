"""English messages: chat (ids `chat.*`): backend/chat/ (the chat process and its client)."""

EN: dict[str, str] = {
    # backend/chat/client.py
    "chat.start_failed": "the chat process failed to start: {error}",
    "chat.process_stopped": "the chat process stopped; see the studio's console for its error.",
    "chat.not_running": "the chat process is not running; load the model again.",
    "chat.reward_model": "job {job} trained a reward model: it scores replies and does not chat.",
    "chat.no_adapter": "job {job} has no adapter yet; chat works once the job has succeeded.",
    "chat.no_checkpoint": "job {job} has no checkpoint {checkpoint} (checkpoints keep only the latest two).",
    # backend/chat/server.py (sent to the client as {"error": text, "error_ref": id and values})
    "chat.load_failed": "could not load the model: {type}: {error}",
    "chat.generation_failed": "{type}: {error}",
}
