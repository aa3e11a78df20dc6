"""The LM head on a CPU: whole logits where they are small, instead of TRL's tiled head.

TRL's trainers (sft, dpo, kto, grpo) score the next token through a fused LM head
(`trl.trainer.utils.add_fused_lm_head`): the logits are built tile by tile, never whole, and built
again in the backward pass. On a GPU that runs as Triton kernels on the trained positions only; on
any other device TRL folds the tiles in plain torch and scores every position, the prompt and the
padding included, because a changing number of rows would recompile its kernels there.

On a CPU neither reason holds (no compilation; memory is the machine's RAM), so `install()` makes the
head there (a) score only the positions that have a label, and (b) when those positions' logits fit
in DENSE_MAX_ELEMENTS, build them whole once and let autograd take the gradient (one matmul fewer
than tiles built twice). Larger logits (a long batch on a 150k-token vocabulary) keep TRL's tiles.
On the bench job (benchmarks/bench_train.py) a step takes about 20% less CPU time; the losses agree
with TRL's head to float precision (tests/test_lm_head.py).
"""

from __future__ import annotations

import logging

log = logging.getLogger("studio.worker")

# Logits of up to this many numbers (fp32: 128 MB; autograd keeps about two such tensors) are built whole.
DENSE_MAX_ELEMENTS = 1 << 25
_installed = False


def dense_log_probs(hidden, weight, bias, targets, temperature, chunk_size, final_logit_softcapping, logit_scale,
                    outputs):
    """TRL's `ChunkedLogProbFunction.apply` (same arguments, same results) through whole logits:
    (log_probs, entropy, log_sum_sq_probs, mean_logits, is_top1), the ones not in `outputs` None."""
    import torch
    import torch.nn.functional as F

    z = F.linear(hidden, weight, bias).float()
    if logit_scale != 1.0:
        z = z * logit_scale
    if final_logit_softcapping:
        z = final_logit_softcapping * torch.tanh(z / final_logit_softcapping)
    if temperature != 1.0:
        z = z / temperature
    entropy = None
    if "entropy" in outputs:  # differentiable, as TRL's is (GRPO can train on it)
        log_p = z.log_softmax(-1)
        log_probs = log_p.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        entropy = -(log_p.exp() * log_p).sum(-1)
    else:
        log_probs = -F.cross_entropy(z, targets, reduction="none")
    with torch.no_grad():
        log_sum_sq_probs = torch.logsumexp(2 * z.log_softmax(-1), -1) if "log_sum_sq_probs" in outputs else None
        mean_logits = z.mean(-1) if "mean_logits" in outputs else None
        is_top1 = z.argmax(-1) == targets if "is_top1" in outputs else None  # the first of equal maxima, as TRL's
    return log_probs, entropy, log_sum_sq_probs, mean_logits, is_top1


def install() -> bool:
    """Route TRL's fused LM head through the CPU path above for tensors on a CPU (other devices keep
    TRL's own). Process-wide and idempotent; False (and TRL's head unchanged) when this TRL lacks the
    two names it relies on."""
    global _installed
    if _installed:
        return True
    try:
        import trl.trainer.utils as trl_utils

        tiled = trl_utils._ChunkedLogProbFunction
        compact = trl_utils._use_triton
    except (ImportError, AttributeError):
        log.info("this TRL has no tiled LM head to replace: keeping its own")
        return False

    class HeadOnCpu:
        """Dispatches like a torch.autograd.Function's apply."""

        @staticmethod
        def apply(hidden, weight, bias, targets, *rest):
            if hidden.device.type == "cpu" and hidden.shape[0] * weight.shape[0] <= DENSE_MAX_ELEMENTS:
                return dense_log_probs(hidden, weight, bias, targets, *rest)
            return tiled.apply(hidden, weight, bias, targets, *rest)

    trl_utils._ChunkedLogProbFunction = HeadOnCpu
    trl_utils._use_triton = lambda device: device.type == "cpu" or compact(device)
    _installed = True
    return True
