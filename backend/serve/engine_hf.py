"""The transformers engine (the default; works on a CPU): the base loaded once as the jobs trained on it, each
job's adapter loaded on it by name, switched per request; "<job>:base" answers with the adapters off.

The base is loaded the way the studio's chat loads it (backend.chat.weights.load_base): the same dtype and device,
and for a qlora job the base's quantized values (backend.training.quantized.load_trained_base), so the server
answers what the Chat tab answers for the same messages.
"""

from __future__ import annotations

import contextlib

from backend.serve.engine import Engine
from backend.serve.protocol import GenParams


class TransformersEngine(Engine):
    name = "transformers"

    def load(self) -> None:
        from backend.training.bnb_import import import_bitsandbytes

        import_bitsandbytes()  # peft imports it: keep its hub kernel fetch out
        from backend.chat.server import qlora_spec
        from backend.chat.weights import load_base

        auto = self.auto_class()
        self.load_tokenizers()
        first = next(iter(self.targets.values()))
        spec = qlora_spec(first.adapter, first.spec_file) if first.adapter else None
        model, device = load_base(auto, first.base, spec=spec)
        # peft adapter names cannot hold a ".", which job ids may: a1, a2, ... by job.
        self.adapter_names = {job: f"a{i}" for i, job in enumerate(self.targets) if self.targets[job].adapter}
        if self.adapter_names:
            from peft import PeftModel

            jobs = list(self.adapter_names)
            model = PeftModel.from_pretrained(model, self.targets[jobs[0]].adapter,
                                              adapter_name=self.adapter_names[jobs[0]])
            for job in jobs[1:]:
                model.load_adapter(self.targets[job].adapter, adapter_name=self.adapter_names[job])
        self.model = model.to(device).eval()
        config = self.model.config
        config = getattr(config, "get_text_config", lambda: config)()
        self._context = int(getattr(config, "max_position_embeddings", 0) or getattr(config, "n_positions", 0)
                            or 2048)

    def auto_class(self):
        from transformers import AutoModelForCausalLM

        return AutoModelForCausalLM

    def inputs(self, model: str, prompt: str):
        """The model's input tensors for a rendered prompt (a vision engine adds the prompt's images)."""
        return self.tokenizer(model)(prompt, add_special_tokens=False, return_tensors="pt").to(self.model.device)

    def extra_generate_kwargs(self) -> dict:
        return {}

    def count_tokens(self, model: str, text: str) -> int:
        return len(self.tokenizer(model)(text, add_special_tokens=False)["input_ids"])

    def context_length(self, model: str) -> int:
        return self._context

    def generate(self, model, prompt, params: GenParams, emit, should_stop) -> tuple[int, str]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextStreamer

        tokenizer = self.tokenizer(model)
        enc = self.inputs(model, prompt)

        class Streamer(TextStreamer):
            def on_finalized_text(self, text: str, stream_end: bool = False):
                if text:
                    emit(text)

        class Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return torch.full((input_ids.shape[0],), bool(should_stop()), dtype=torch.bool,
                                  device=input_ids.device)

        kwargs = dict(**enc, max_new_tokens=params.max_tokens, do_sample=params.temperature > 0,
                      pad_token_id=tokenizer.pad_token_id, stopping_criteria=StoppingCriteriaList([Stop()]),
                      streamer=Streamer(tokenizer, skip_prompt=True, skip_special_tokens=True),
                      **self.extra_generate_kwargs())
        if params.temperature > 0:
            kwargs.update(temperature=params.temperature, top_p=params.top_p)
        if params.seed is not None:
            torch.manual_seed(params.seed)
        adapters_off = contextlib.nullcontext()
        if model.endswith(":base") and self.adapter_names:
            adapters_off = self.model.disable_adapter()
        elif self.adapter_names:
            self.model.set_adapter(self.adapter_names[model])
        with torch.no_grad(), adapters_off:
            out = self.model.generate(**kwargs)
        new = out[0, enc["input_ids"].shape[1]:]
        eos = self.model.generation_config.eos_token_id
        eos = set(eos if isinstance(eos, list) else [eos]) | {tokenizer.eos_token_id}
        ended = len(new) > 0 and int(new[-1]) in eos
        # The end-of-turn token is not part of the reply (llama.cpp does not count it either).
        return len(new) - int(ended), "length" if len(new) >= params.max_tokens and not ended else "stop"
