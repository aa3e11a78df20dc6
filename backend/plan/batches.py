"""How a batch goes through the model, decided without torch: whether rows are joined padding-free and
grouped by length (resolve_batching), how many rows pass at once (rows_per_pass), and up to which size a
CPU builds the logits whole (DENSE_MAX_ELEMENTS). The worker carries these out (backend/training/batching.py,
backend/training/lm_head.py); the memory estimate counts with the same answers (backend/plan/estimate.py).

    padding_free, grouped = resolve_batching(spec, "cuda")
    part = rows_per_pass(spec, batch=8, max_length=1024, device="cpu")   # 2: 8 rows in 4 passes of 2
"""

from __future__ import annotations

from backend.spec import PROMPT_METHODS, JobSpec, get_stage

CPU_TOKENS_PER_PASS = 2048
# Logits of up to this many numbers (fp32: 128 MB; autograd keeps about two such tensors) are built whole.
DENSE_MAX_ELEMENTS = 1 << 25


def resolve_batching(spec: JobSpec, device: str, varlen: bool = True) -> tuple[bool, bool]:
    """(padding_free, group_by_length) for `training.padding_free` / `group_by_length` (auto | on | off).

    padding_free auto: on for sft on a GPU where a variable-length attention kernel runs (`varlen`:
    PyTorch's FlashAttention or the flash-attn package), off on a CPU (rows of similar length together do
    as well there: benchmarks/README.md) and for prompt-based methods (their virtual tokens ignore
    position ids). group_by_length auto: on when batches are padded (less padding), off when padding-free:
    there is no padding to save, and a random order keeps the largest batch, so the memory peak, small.
    Torch-free (the memory estimate asks it too, with varlen assumed on a GPU)."""
    t = spec.training
    by_length = get_stage(spec.stage).length_batches
    if t.padding_free == "auto":
        padding_free = device == "cuda" and varlen and by_length and spec.method.name not in PROMPT_METHODS
    else:
        padding_free = t.padding_free == "on" and by_length
    group = (not padding_free) if t.group_by_length == "auto" else t.group_by_length == "on"
    return padding_free, group and by_length


def rows_per_pass(spec: JobSpec, batch: int, max_length: int, device: str) -> int:
    """The rows of a batch that go through the model at once (split_batches; the memory estimate too)."""
    budget = spec.training.tokens_per_pass or (CPU_TOKENS_PER_PASS if device == "cpu" else -1)
    if not get_stage(spec.stage).split_batches or budget < 0 or batch * max_length <= budget:
        return batch
    return max(d for d in range(1, batch + 1) if batch % d == 0 and (d * max_length <= budget or d == 1))
