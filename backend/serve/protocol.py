"""The request bodies of /v1/chat/completions and /v1/completions (pydantic; unknown fields are accepted
and ignored, as OpenAI-compatible servers do), their sampling parameters, and the response objects.

    body = ChatRequest.model_validate(json)      # a pydantic ValidationError -> 400 (app.py)
    params = body.params(max_new_default=256)    # GenParams for the engine
    chat_chunk(rid, created, model, {"content": "Hi"})   # one `chat.completion.chunk`
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from backend.messages import msg
from backend.serve.errors import ApiError

MAX_TOKENS_DEFAULT = 256


@dataclass
class GenParams:
    max_tokens: int = MAX_TOKENS_DEFAULT
    temperature: float = 1.0  # 0: greedy
    top_p: float = 1.0
    stop: list[str] = field(default_factory=list)
    seed: int | None = None


class _Request(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float = Field(1.0, ge=0, le=2)
    top_p: float = Field(1.0, gt=0, le=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    stream: bool = False
    stream_options: dict | None = None
    n: int = 1

    def params(self) -> GenParams:
        if self.n != 1:
            raise ApiError(400, msg("serve.only_one_choice", n=self.n), param="n")
        unsupported = _unsupported(self.model_extra or {})
        if unsupported:
            raise ApiError(400, msg("serve.unsupported", param=unsupported), param=unsupported)
        stop = [self.stop] if isinstance(self.stop, str) else list(self.stop or [])
        if len(stop) > 4 or any(not s for s in stop):
            raise ApiError(400, msg("serve.bad_stop"), param="stop")
        return GenParams(max_tokens=self.max_completion_tokens or self.max_tokens or MAX_TOKENS_DEFAULT,
                         temperature=self.temperature, top_p=self.top_p, stop=stop, seed=self.seed)

    @property
    def include_usage(self) -> bool:
        return bool((self.stream_options or {}).get("include_usage"))


def _unsupported(extra: dict) -> str | None:
    """The first field asking for what this server cannot give (tool calls, a JSON or schema-bound reply, log
    probabilities): refused rather than answered as if it had not been asked (the client would take free text for
    a tool call or valid JSON). Penalties and other sampling hints are left to the defaults."""
    if extra.get("tools") or extra.get("functions"):
        return "tools" if extra.get("tools") else "functions"
    if extra.get("tool_choice") not in (None, "none", "auto"):
        return "tool_choice"
    rf = extra.get("response_format")
    if rf is not None and not (isinstance(rf, dict) and rf.get("type", "text") == "text"):
        return "response_format"
    if extra.get("logprobs") or extra.get("top_logprobs"):
        return "logprobs" if extra.get("logprobs") else "top_logprobs"
    return None


class ChatRequest(_Request):
    messages: list[dict]

    def plain_messages(self) -> list[dict]:
        """The messages as the chat template takes them: {"role", "content": str}; content given as a list of
        parts ([{"type": "text", "text": ...}]) is joined, each image part (a base64 data URL) becoming an "<image>"
        placeholder where it stood and a decoded image in the message's "images". Empty or malformed -> 400 on
        `messages`."""
        if not self.messages:
            raise ApiError(400, msg("serve.empty_messages"), param="messages")
        out = []
        for i, m in enumerate(self.messages):
            role, content = m.get("role"), m.get("content")
            if role not in ("system", "user", "assistant", "tool", "developer"):
                raise ApiError(400, msg("serve.bad_role", index=i, role=repr(role)), param=f"messages.[{i}].role")
            images = []
            if isinstance(content, list):
                content, images = _joined(content, i)
            if content is None and m.get("tool_calls"):
                content = ""
            if not isinstance(content, str):
                raise ApiError(400, msg("serve.bad_content", index=i), param=f"messages.[{i}].content")
            message = {**m, "role": "system" if role == "developer" else role, "content": content}
            if images:
                message["images"] = images
            out.append(message)
        return out


def _joined(parts: list, index: int) -> tuple[str, list]:
    """A list of content parts as one string (an "<image>" where each image part was) and the decoded images."""
    from backend.data.images import IMAGE_PLACEHOLDER
    from backend.serve.images import decode_part, is_image_part

    text, images = "", []
    for part in parts:
        if is_image_part(part):
            images.append(decode_part(part, index))
            text += IMAGE_PLACEHOLDER
        elif isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
            text += part["text"]
        else:
            raise ApiError(400, msg("serve.bad_content", index=index), param=f"messages.[{index}].content")
    return text, images


class CompletionRequest(_Request):
    prompt: str | list[str]

    def text(self) -> str:
        prompt = self.prompt
        if isinstance(prompt, list):
            if len(prompt) != 1:
                raise ApiError(400, msg("serve.one_prompt", count=len(prompt)), param="prompt")
            prompt = prompt[0]
        if not prompt:
            raise ApiError(400, msg("serve.empty_prompt"), param="prompt")
        return prompt


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:24]}"


def now() -> int:
    return int(time.time())


def usage(prompt_tokens: int, completion_tokens: int) -> dict:
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens}


def chat_completion(rid: str, created: int, model: str, text: str, finish: str, used: dict) -> dict:
    return {"id": rid, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "logprobs": None,
                         "finish_reason": finish}], "usage": used}


def chat_chunk(rid: str, created: int, model: str, delta: dict, finish: str | None = None) -> dict:
    return {"id": rid, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}


def text_completion(rid: str, created: int, model: str, text: str, finish: str | None, used: dict | None) -> dict:
    body = {"id": rid, "object": "text_completion", "created": created, "model": model,
            "choices": [{"index": 0, "text": text, "logprobs": None, "finish_reason": finish}]}
    if used is not None:
        body["usage"] = used
    return body
