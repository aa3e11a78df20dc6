"""The vLLM engine, for a GPU machine with vllm installed: the base loaded once with LoRA enabled, each job's
adapter a LoRARequest, so several jobs of one base share a server (and "<job>:base" is the base alone).

NOT RUN in this project's tests or on its CI: vllm needs a CUDA GPU and is not installable on the CPU
machines the suite runs on; `--engine vllm` without it says so (serve.no_vllm). Kept to vllm's documented
offline API (vllm.LLM, SamplingParams, LoRARequest): a reply is generated whole, so a streamed reply arrives
as one piece. A qlora job's adapter is applied to the base as saved, not to its quantized values (use the
transformers engine to get exactly the trained model's answers).
"""

from __future__ import annotations

import json
from pathlib import Path

from backend.serve.engine import Engine
from backend.serve.protocol import GenParams


class VllmEngine(Engine):
    name = "vllm"

    def load(self) -> None:
        from vllm import LLM
        from vllm.lora.request import LoRARequest

        self.load_tokenizers()
        first = next(iter(self.targets.values()))
        adapters = {job: t.adapter for job, t in self.targets.items() if t.adapter}
        ranks = [json.loads((Path(a) / "adapter_config.json").read_text(encoding="utf-8")).get("r", 8)
                 for a in adapters.values()]
        options = dict(enable_lora=True, max_loras=len(adapters), max_lora_rank=max(ranks)) if adapters else {}
        self.llm = LLM(model=first.base, tokenizer=first.tokenizer_dir, trust_remote_code=False, **options)
        self.loras = {job: LoRARequest(job, i + 1, path) for i, (job, path) in enumerate(adapters.items())}
        self._context = int(self.llm.llm_engine.model_config.max_model_len)

    def count_tokens(self, model: str, text: str) -> int:
        return len(self.tokenizer(model)(text, add_special_tokens=False)["input_ids"])

    def context_length(self, model: str) -> int:
        return self._context

    def generate(self, model, prompt, params: GenParams, emit, should_stop) -> tuple[int, str]:
        from vllm import SamplingParams

        sampling = SamplingParams(temperature=params.temperature, top_p=params.top_p, max_tokens=params.max_tokens,
                                  stop=[*self.end_of_turn(model), *params.stop], seed=params.seed)
        lora = None if model.endswith(":base") else self.loras.get(model)
        out = self.llm.generate([prompt], sampling, lora_request=lora, use_tqdm=False)[0].outputs[0]
        if out.text:
            emit(out.text)
        return len(out.token_ids), "length" if out.finish_reason == "length" else "stop"
