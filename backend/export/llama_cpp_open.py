"""A GGUF file opened in llama.cpp (llama-cpp-python) on the CPU, the one way the studio does it (the export's
parity check and `studio serve-model --engine llamacpp`):

    llm = open_llama(path, n_ctx=0)                     # 0: the context the file was trained with
    llm = open_llama(path, n_ctx=512, logits_all=True)  # every position's logits (the parity check)

Without the CPU backend's repacked weight layouts ("extra buffer types", llama_model_params.use_extra_bufts,
which Llama() does not expose): with them, llama-cpp-python 0.3.36 (built here for AVX-512) crashes the whole
process in its first decode of the demo's q8_0, q4_0, q4_K and q6_K files (f16 and q5_0 load fine); the plain
layout computes the same products. Recheck when llama-cpp-python moves past 0.3.36.
"""

from __future__ import annotations

import os
from pathlib import Path


def open_llama(path: Path, n_ctx: int, logits_all: bool = False):
    import llama_cpp
    import llama_cpp.llama as llama_module

    default = llama_module.llama_cpp.llama_model_default_params

    def params():
        p = default()
        p.use_extra_bufts = False
        return p

    llama_module.llama_cpp.llama_model_default_params = params
    try:
        return llama_cpp.Llama(str(path), n_ctx=n_ctx, logits_all=logits_all, verbose=False, seed=0,
                               n_threads=max(1, os.cpu_count() or 1), n_gpu_layers=0)
    finally:
        llama_module.llama_cpp.llama_model_default_params = default
