"""The llama.cpp engine (llama-cpp-python) for a job's GGUF export: one job, one file.

The prompt is the job's own chat template rendered by the job's tokenizer (the same string the transformers
engine and the studio's chat give the model), passed to llama.cpp as raw text; generation stops at the
template's end-of-turn tokens (engine.end_of_turn), so a GGUF file answers as the job does, not by whatever
template the file's metadata carries.
"""

from __future__ import annotations

from backend.serve.engine import Engine
from backend.serve.protocol import GenParams


class LlamaCppEngine(Engine):
    name = "llama.cpp"
    serves_base = False

    def load(self) -> None:
        from backend.export.llama_cpp_open import open_llama

        self.load_tokenizers()
        target = next(iter(self.targets.values()))
        # n_ctx=0: the context the model was trained with (the GGUF's metadata). Opened as the parity check opens
        # it: without repacked weights, on which llama-cpp-python 0.3.36 crashes with q8_0 and k-quant files.
        self.llm = open_llama(target.gguf, n_ctx=0)
        self._context = int(self.llm.n_ctx())

    def count_tokens(self, model: str, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), special=True))

    def context_length(self, model: str) -> int:
        return self._context

    def generate(self, model, prompt, params: GenParams, emit, should_stop) -> tuple[int, str]:
        kwargs = dict(prompt=prompt, max_tokens=params.max_tokens, temperature=params.temperature,
                      top_p=params.top_p, stop=[*self.end_of_turn(model), *params.stop], stream=True)
        if params.seed is not None:
            kwargs["seed"] = params.seed
        pieces, finish = [], "stop"
        for chunk in self.llm.create_completion(**kwargs):
            choice = chunk["choices"][0]
            if choice.get("text"):
                pieces.append(choice["text"])
                emit(choice["text"])
            finish = choice.get("finish_reason") or finish
            if should_stop():
                break
        tokens = len(self.llm.tokenize("".join(pieces).encode("utf-8"), add_bos=False)) if pieces else 0
        return tokens, "length" if finish == "length" else "stop"
