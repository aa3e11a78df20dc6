"""llama.cpp's own converter (convert_hf_to_gguf.py), run in a process of its own with one change: a BPE
tokenizer whose pre-tokenizer llama.cpp does not know by hash gets its architecture's pre-tokenizer name.

    python -m backend.export.convert_runner CONVERTER_DIR MODEL_DIR --outfile F.gguf --outtype f16

CONVERTER_DIR holds convert_hf_to_gguf.py, conversion/ and gguf-py/ of one llama.cpp commit (see
backend.export.llama_cpp_tools). Its gguf-py goes first on sys.path, ahead of the `gguf` package of this
environment, as the converter itself does: the two differ and must not be mixed.

Why the change: the converter names a BPE pre-tokenizer by hashing the token ids of a test string and stops
on a hash it has no entry for ("BPE pre-tokenizer was not recognized"). Every tokenizer the studio trains
(the demo's byte-level BPE, trained locally on Qwen2's split pattern) or a user retrains is unknown to it,
though its splitting is the architecture's: qwen2 -> "qwen2", llama -> "llama-bpe". A known tokenizer keeps
the converter's own answer; for an unknown one the name used is logged (the parity check then compares the
token ids llama.cpp makes with the transformers ones, so a wrong guess shows there).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

# gguf architecture name -> the pre-tokenizer llama.cpp implements for that family's BPE split pattern
ARCH_PRE = {"qwen2": "qwen2", "qwen3": "qwen2", "llama": "llama-bpe"}
FALLBACK_NOTE = "llama.cpp has no hash for this tokenizer's pre-tokenizer; using the {arch} architecture's: {pre}"


def main(argv: list[str]) -> int:
    converter = Path(argv[0]).resolve()
    sys.path[:0] = [str(converter / "gguf-py"), str(converter)]
    sys.modules.pop("gguf", None)  # this environment's gguf must not stand in for llama.cpp's own
    import conversion.base as base  # noqa: PLC0415 (from the converter's folder, put on the path above)

    log = logging.getLogger("studio.convert")
    original = base.TextModel.get_vocab_base_pre

    def get_vocab_base_pre(self, tokenizer) -> str:
        try:
            return original(self, tokenizer)
        except NotImplementedError:
            arch = base.gguf.MODEL_ARCH_NAMES[self.model_arch]
            if arch not in ARCH_PRE:
                raise
            log.warning(FALLBACK_NOTE.format(arch=arch, pre=ARCH_PRE[arch]))
            print("studio-pre-tokenizer: " + ARCH_PRE[arch], file=sys.stderr, flush=True)
            return ARCH_PRE[arch]

    base.TextModel.get_vocab_base_pre = get_vocab_base_pre
    sys.argv = [str(converter / "convert_hf_to_gguf.py"), *argv[1:]]
    import importlib.util

    spec = importlib.util.spec_from_file_location("convert_hf_to_gguf", converter / "convert_hf_to_gguf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
