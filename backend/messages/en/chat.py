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
    "chat.image_text_model": "this model reads text only, so it cannot see the attached image: remove the image, "
                             "or pick a job that fine-tuned a vision-language model (e.g. templates/demo_vl.yaml).",
    "chat.image_missing": "the image {path} is gone from the workspace; attach it again.",
    "chat.too_long": "the conversation is {tokens} tokens, and this model reads at most {limit}: shorten the "
                     "message, or clear the conversation to start a new one.",
    # backend/chat/images.py: an image attached to a chat message
    "chat.image_too_big": "{name} is {size} MB; images up to {limit} MB can be attached. Attach a smaller copy.",
    "chat.image_too_many_pixels": "{name} is {width} x {height} pixels, more than {limit}; attach a smaller copy.",
    "chat.image_unreadable": "{name} cannot be read as an image ({error}); attach a JPEG, PNG or WebP file.",
    "chat.image_format": "{name} is a {format} image; attach one of: {formats}.",
}
