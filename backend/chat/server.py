"""A chat model in its own process: `python -m backend.chat.server --base PATH [--adapter DIR] [--spec FILE]`.

The base is loaded as the job trained on it (backend.training.quantized.load_trained_base): for a qlora
job, its quantized layers hold the values of the quantized weights the adapter learnt against, so chat
answers as the trained model did (the original weights are off by logits of 2-3 on the demo). The job is
read from its spec: `--spec`, else the spec.yaml of the job the adapter folder belongs to
(`<job>/adapter` or `<job>/checkpoints/checkpoint-N`). With the adapter switched off, the reply is that
same base's: the one the job trained on.

Speaks JSON lines on stdin/stdout so the UI process never imports torch:
  in : {"id": 1, "messages": [...], "max_new_tokens": 128, "temperature": 0.7, "top_p": 0.9,
        "adapter": true}   (false: the base model's reply, with the adapter switched off)
       a message may carry "images": [paths] (a vision-language model: backend.chat.vision; the UI stores each
       upload in the workspace first, backend.chat.images); a text model answers such a request with an error
       {"cancel": 1}: stop request 1 (the Chat tab's Stop, or a reply the page stopped reading): its reply ends
       at the next token with {"id": 1, "done": true, "stopped": true}; a request not started yet is skipped the
       same way. The model stays loaded and the next request is answered from its start.
  out: {"ready": true, "mem_mb": ..., "vision": bool} once loaded; then per request
       {"id": 1, "delta": "text"} ... {"id": 1, "done": true}   or   {"id": 1, "error": "..."}
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading

from backend.chat.weights import load_weights
from backend.messages import Message, msg


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _error(message) -> dict:
    """{"error": the English text, "error_ref": its id and values (Message.to_json())}: the client
    (backend.chat.client) rebuilds the Message, so the studio shows it in the page's language."""
    answer = {"error": str(message)}
    if isinstance(message, Message):
        answer["error_ref"] = message.to_json()
    return answer


def qlora_spec(adapter: str | None, spec_file: str | None = None):
    """The JobSpec of the job whose weights chat loads when that job is qlora, else None. The spec is
    `spec_file`, else the spec.yaml of the job the adapter folder belongs to (`<job>/adapter`,
    `<job>/checkpoints/checkpoint-N`); a folder of no job is loaded as it is."""
    from pathlib import Path

    import yaml

    from backend.spec import JobSpec

    path = Path(spec_file) if spec_file else None
    if path is None and adapter:
        folder = Path(adapter)
        if folder.name == "adapter":
            path = folder.parent / "spec.yaml"
        elif folder.parent.name == "checkpoints":
            path = folder.parent.parent / "spec.yaml"
        path = path if path is not None and path.is_file() else None
    if path is None:
        return None
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    method = raw.get("method") or {}
    if not isinstance(method, dict) or method.get("name") != "qlora":
        return None  # only a qlora job's base differs from the saved one
    return JobSpec.from_dict(raw)


class Refused(Exception):
    """A request the loaded model cannot answer; its Message goes back to the client as the error."""


def load(base: str, adapter: str | None, trust_remote_code: bool = False, spec_file: str | None = None):
    """(tokenizer, model); for a vision-language model (processor, model): backend.chat.vision."""
    from backend.training.bnb_import import import_bitsandbytes

    import_bitsandbytes()  # peft imports it: keep its hub kernel fetch out
    from backend.vlm import is_vision_model

    if is_vision_model(base):
        from backend.chat.vision import load_vision

        return load_vision(base, adapter, trust_remote_code, qlora_spec(adapter, spec_file))
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from backend.data.tokenize import ensure_chat_template

    tok_source = adapter or base
    tokenizer = AutoTokenizer.from_pretrained(tok_source, trust_remote_code=trust_remote_code)
    ensure_chat_template(tokenizer)
    return tokenizer, load_weights(AutoModelForCausalLM, base, adapter, trust_remote_code,
                                   qlora_spec(adapter, spec_file))


def model_inputs(tokenizer, model, messages: list[dict]):
    """The prompt's tensors: through the processor for a vision-language model (a message's "images" included),
    the tokenizer's chat template otherwise (a text model given an image: Refused)."""
    from pathlib import Path

    from backend.vlm.processor import is_processor

    images = [str(p) for m in messages for p in (m.get("images") or [])]
    for path in images:
        if not Path(path).is_file():
            raise Refused(msg("chat.image_missing", path=Path(path).name))
    if is_processor(tokenizer):
        from backend.chat.vision import vision_inputs

        return vision_inputs(tokenizer, messages, model.device)
    if images:
        raise Refused(msg("chat.image_text_model"))
    from backend.training.generate import chat_inputs

    plain = [{k: v for k, v in m.items() if k != "images"} for m in messages]
    return chat_inputs(tokenizer, plain, model.device)


def context_limit(model) -> int | None:
    """The most positions the model reads (its language model's, for a vision-language model); None if unsaid."""
    config = model.config
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    limit = getattr(text, "max_position_embeddings", None)
    return limit if isinstance(limit, int) and limit > 0 else None


def room_to_reply(model, inputs, max_new_tokens: int) -> int:
    """max_new_tokens, cut to what fits in the model's context after the prompt. A prompt that fills the context
    is Refused with its length: past it, the model gave an empty reply (or babble) and nothing said why."""
    limit = context_limit(model)
    used = int(inputs["input_ids"].shape[-1])
    if limit is None:
        return max_new_tokens
    if used >= limit:
        raise Refused(msg("chat.too_long", tokens=used, limit=limit))
    return max(1, min(max_new_tokens, limit - used))


class Requests:
    """stdin read in a thread of its own, so that a cancel is seen while a reply is being generated: requests
    queue up in order (None once stdin closes); {"cancel": id} sets the stop of that request."""

    def __init__(self, lines):
        self._lines = lines
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._cancelled: set = set()
        self._current = None
        self.stop = threading.Event()  # set: the request being answered was cancelled
        self.closed = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self._lines:
            try:
                request = json.loads(line) if line.strip() else None
            except json.JSONDecodeError:
                continue
            if not isinstance(request, dict):
                continue
            if "cancel" in request:
                with self._lock:
                    self._cancelled.add(request["cancel"])
                    if request["cancel"] == self._current:
                        self.stop.set()
                continue
            self._queue.put(request)
        with self._lock:  # stdin closed (the studio closed this chat): the reply being written ends too
            self.closed = True
            self.stop.set()
        self._queue.put(None)

    def next(self) -> tuple[dict | None, bool]:
        """(the next request, whether it was cancelled before it started); (None, False) once stdin is closed."""
        request = self._queue.get()
        with self._lock:
            if request is None or self.closed:
                return None, False
            self._current = request.get("id")
            self.stop.clear()
            cancelled = self._current in self._cancelled
            self._cancelled.discard(self._current)
            return request, cancelled


def _stopping(stop: threading.Event):
    """A stopping criterion of generate(): True for every row once `stop` is set."""
    import torch
    from transformers import StoppingCriteria

    class _Stop(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            return torch.full((input_ids.shape[0],), stop.is_set(), dtype=torch.bool, device=input_ids.device)

    return _Stop()


def generate_stream(tokenizer, model, request: dict, stop: threading.Event | None = None):
    """The reply in pieces as the model writes it; `stop` set: generation ends at the next token."""
    import torch
    from transformers import StoppingCriteriaList, TextIteratorStreamer

    inputs = model_inputs(tokenizer, model, request["messages"])
    tokenizer = getattr(tokenizer, "tokenizer", tokenizer)  # a processor's own tokenizer decodes the reply
    temperature = float(request.get("temperature", 0.0))
    kwargs = dict(
        **inputs,
        max_new_tokens=room_to_reply(model, inputs, int(request.get("max_new_tokens", 128))),
        do_sample=temperature > 0,
        pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
    )
    if temperature > 0:
        kwargs.update(temperature=temperature, top_p=float(request.get("top_p", 0.9)))
    from backend.vlm import placeholder_ids

    if placeholder_ids(model):  # a vision-language model: a reply never holds an image placeholder token
        kwargs["suppress_tokens"] = placeholder_ids(model)
    if stop is not None:
        kwargs["stopping_criteria"] = StoppingCriteriaList([_stopping(stop)])
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    errors: list[BaseException] = []

    import contextlib

    use_adapter = bool(request.get("adapter", True))
    off = model.disable_adapter() if not use_adapter and hasattr(model, "disable_adapter") else contextlib.nullcontext()

    def run():
        try:
            with torch.no_grad(), off:
                model.generate(**kwargs, streamer=streamer)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
            streamer.end()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield from streamer
    thread.join()
    if errors:
        raise errors[0]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--adapter")
    ap.add_argument("--trust-remote-code", action="store_true")
    ap.add_argument("--spec", help="the job's spec.yaml (default: the one beside the adapter's job folder)")
    args = ap.parse_args()
    try:
        tokenizer, model = load(args.base, args.adapter, args.trust_remote_code, args.spec)
    except Exception as e:  # noqa: BLE001
        _emit({"ready": False, **_error(msg("chat.load_failed", type=type(e).__name__, error=e))})
        return 1
    from backend.training.callback import rss_mb

    n_params = sum(p.numel() for p in model.parameters())
    from backend.vlm.processor import is_processor

    _emit({"ready": True, "mem_mb": round(rss_mb(), 1), "params": n_params, "has_adapter": bool(args.adapter),
           "vision": is_processor(tokenizer)})
    requests = Requests(sys.stdin)
    while True:
        request, cancelled = requests.next()
        if request is None:
            return 0
        rid = request.get("id")
        if cancelled:
            _emit({"id": rid, "done": True, "stopped": True})
            continue
        try:
            for delta in generate_stream(tokenizer, model, request, requests.stop):
                if delta:
                    _emit({"id": rid, "delta": delta})
            _emit({"id": rid, "done": True, **({"stopped": True} if requests.stop.is_set() else {})})
        except Refused as e:
            _emit({"id": rid, **_error(e.args[0])})
        except Exception as e:  # noqa: BLE001
            _emit({"id": rid, **_error(msg("chat.generation_failed", type=type(e).__name__, error=e))})


if __name__ == "__main__":
    sys.exit(main())
