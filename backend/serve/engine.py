"""The engines' common interface, and what they share: the job's own chat template and stop strings.

    engine = TransformersEngine(targets); engine.load()
    prompt = engine.render("JOB", [{"role": "user", "content": "Hi"}])    # the job's chat template
    n = engine.count_tokens("JOB", prompt); engine.context_length("JOB")
    tokens, finish = engine.generate("JOB", prompt, params, emit=print, should_stop=lambda: False)

`generate` runs in a worker thread (runner.py holds the engine's lock around it): it calls `emit(text)` for
each piece of text as the model writes it, stops early when `should_stop()` turns true, and returns
(completion tokens, "stop" | "length").
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from backend.messages import msg
from backend.serve.errors import ApiError
from backend.serve.protocol import GenParams
from backend.serve.targets import Target

# Tokens that end a turn in the common chat templates (ChatML, Llama 3, Phi, Gemma, Llama 2 / Mistral).
END_OF_TURN = ("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|end_of_text|>")


class Engine:
    name = "engine"

    def __init__(self, targets: list[Target]):
        self.targets = {t.job: t for t in targets}
        self.lock = threading.Lock()  # one generation at a time (runner.py)
        self.tokenizers: dict[str, object] = {}

    # -- what every engine provides -------------------------------------------------------------------
    def load(self) -> None:
        raise NotImplementedError

    def model_ids(self) -> list[str]:
        """The job ids, and for base + adapter "<job>:base" (the base model, adapter off)."""
        ids = []
        for t in self.targets.values():
            ids.append(t.job)
            if t.adapter and t.gguf is None and self.serves_base:
                ids.append(f"{t.job}:base")
        return ids

    serves_base = True

    def count_tokens(self, model: str, text: str) -> int:
        raise NotImplementedError

    def context_length(self, model: str) -> int:
        raise NotImplementedError

    def generate(self, model: str, prompt: str, params: GenParams, emit: Callable[[str], None],
                 should_stop: Callable[[], bool]) -> tuple[int, str]:
        raise NotImplementedError

    # -- shared -----------------------------------------------------------------------------------------
    def target(self, model: str) -> Target:
        return self.targets[model.removesuffix(":base")]

    def check_model(self, model: str) -> None:
        if model not in self.model_ids():
            raise ApiError(404, msg("serve.unknown_model", model=model, models=", ".join(self.model_ids())),
                           param="model", code="model_not_found")

    def tokenizer(self, model: str):
        return self.tokenizers[self.target(model).job]

    def load_tokenizers(self) -> None:
        for t in self.targets.values():
            self.tokenizers[t.job] = job_tokenizer(t.tokenizer_dir, trust_remote_code=False)

    def render(self, model: str, messages: list[dict]) -> str:
        """The prompt string of `messages` (a text engine: a message holding an image is a 400)."""
        for i, m in enumerate(messages):
            if m.get("images"):
                raise ApiError(400, msg("serve.images_text_model", model=model, index=i),
                               param=f"messages.[{i}].content")
        return render_chat(self.tokenizer(model), messages)

    def end_of_turn(self, model: str) -> list[str]:
        return end_of_turn(self.tokenizer(model))


def job_tokenizer(folder: str, trust_remote_code: bool = False):
    """The tokenizer saved with the job (its adapter or merged folder), with the chat template it trained with."""
    from transformers import AutoTokenizer

    from backend.data.tokenize import ensure_chat_template

    tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=trust_remote_code)
    ensure_chat_template(tokenizer)
    return tokenizer


def render_chat(tokenizer, messages: list[dict]) -> str:
    """The prompt string the studio's chat gives the model (backend.training.generate.chat_inputs renders the
    same template with the generation prompt). A template that refuses the messages -> 400 on `messages`."""
    from jinja2 import TemplateError

    try:
        return tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    except (TemplateError, KeyError, TypeError, ValueError) as e:
        raise ApiError(400, msg("serve.template_refused", error=e), param="messages") from None


def end_of_turn(tokenizer) -> list[str]:
    """The strings that end the model's turn: its eos token and the end-of-turn tokens its template writes."""
    template = str(getattr(tokenizer, "chat_template", "") or "")
    found = [tok for tok in END_OF_TURN if tok in template]
    eos = getattr(tokenizer, "eos_token", None)
    if eos and eos not in found:
        found.append(eos)
    return found


class StopTrimmer:
    """Cuts streamed text at the first stop string, holding back a tail that may be the start of one."""

    def __init__(self, stops: list[str]):
        self.stops = [s for s in stops if s]
        self.buf, self.hit = "", False

    def feed(self, text: str) -> str:
        if self.hit or not self.stops:
            return "" if self.hit else text
        self.buf += text
        cuts = [self.buf.find(s) for s in self.stops if s in self.buf]
        if cuts:
            out, self.buf, self.hit = self.buf[:min(cuts)], "", True
            return out
        hold = 0
        for s in self.stops:
            hold = max(hold, next((k for k in range(min(len(s) - 1, len(self.buf)), 0, -1)
                                   if self.buf.endswith(s[:k])), 0))
        out = self.buf[:len(self.buf) - hold]
        self.buf = self.buf[len(out):]
        return out

    def flush(self) -> str:
        out = "" if self.hit else self.buf
        self.buf = ""
        return out
