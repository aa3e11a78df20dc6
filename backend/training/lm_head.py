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
with TRL's head to float precision (tests/backend/training/test_lm_head.py).
"""

from __future__ import annotations

import logging

from backend.plan.batches import DENSE_MAX_ELEMENTS  # the memory estimate counts with it too

log = logging.getLogger("studio.worker")

_installed = False


def dense_log_probs(hidden, weight, bias, targets, temperature, chunk_size, final_logit_softcapping, logit_scale,
                    outputs):
    """TRL's `ChunkedLogProbFunction.apply` (same arguments, same results) through whole logits:
    (log_probs, entropy, log_sum_sq_probs, mean_logits, is_top1), the ones not in `outputs` None.
    Not for final-logit softcapping (Gemma 2), which the dispatcher leaves to TRL."""
    if final_logit_softcapping:
        from backend.messages import msg

        raise ValueError(msg("training.dense_head_no_softcap"))
    log_probs, entropy, log_sum_sq_probs, mean_logits, is_top1 = _dense_function().apply(
        hidden, weight, bias, targets, logit_scale / temperature, outputs)
    return log_probs, entropy if "entropy" in outputs else None, log_sum_sq_probs, mean_logits, is_top1


_FUNCTION = None


def _dense_function():
    """A torch.autograd.Function made on first use (torch is imported late in the worker). One copy of
    the logits is kept for the backward pass, which turns it into the gradient in place."""
    global _FUNCTION
    if _FUNCTION is not None:
        return _FUNCTION
    import torch
    import torch.nn.functional as F

    class DenseLogProb(torch.autograd.Function):
        @staticmethod
        def forward(ctx, hidden, weight, bias, targets, scale, outputs):
            z = F.linear(hidden, weight, bias).float()
            if scale != 1.0:
                z.mul_(scale)
            log_z = torch.logsumexp(z, -1)
            log_probs = z.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - log_z
            entropy = log_sum_sq_probs = mean_logits = is_top1 = None
            if "mean_logits" in outputs:
                mean_logits = z.mean(-1)
            if "is_top1" in outputs:
                is_top1 = z.argmax(-1) == targets  # the first of equal maxima, as TRL's
            z.sub_(log_z.unsqueeze(-1))  # log-probabilities from here on
            if "log_sum_sq_probs" in outputs:
                log_sum_sq_probs = torch.logsumexp(2 * z, -1)
            # H = -sum p log p; kept for the backward pass even when not asked for (it costs one pass)
            entropy = -(z.exp() * z).sum(-1)
            ctx.save_for_backward(hidden, weight, bias, targets, z, entropy)
            ctx.scale = scale
            ctx.mark_non_differentiable(*(x for x in (log_sum_sq_probs, mean_logits, is_top1) if x is not None))
            return log_probs, entropy, log_sum_sq_probs, mean_logits, is_top1

        @staticmethod
        def backward(ctx, grad_log_probs, grad_entropy, *_):
            hidden, weight, bias, targets, log_p, entropy = ctx.saved_tensors
            # d log p_t / dz_j = [j = t] - p_j ;  dH / dz_j = -p_j (log p_j + H)
            grad = log_p  # the saved tensor becomes the gradient of the logits, in place
            p = log_p.exp()
            if grad_entropy is not None:
                grad.add_(entropy.unsqueeze(-1)).mul_(p).mul_(-grad_entropy.unsqueeze(-1))
            else:
                grad.zero_()
            if grad_log_probs is not None:
                grad.sub_(p.mul_(grad_log_probs.unsqueeze(-1)))
                grad.scatter_add_(-1, targets.unsqueeze(-1), grad_log_probs.unsqueeze(-1))
            del p
            if ctx.scale != 1.0:
                grad.mul_(ctx.scale)
            needs_hidden, needs_weight, needs_bias = ctx.needs_input_grad[:3]
            grad_hidden = (grad @ weight.float()).to(hidden.dtype) if needs_hidden else None
            grad_weight = (grad.t() @ hidden.float()).to(weight.dtype) if needs_weight else None
            grad_bias = grad.sum(0).to(bias.dtype) if needs_bias and bias is not None else None
            return grad_hidden, grad_weight, grad_bias, None, None, None

    _FUNCTION = DenseLogProb
    return _FUNCTION


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
            # rest: temperature, chunk size, final-logit softcapping (Gemma 2: left to TRL), logit scale, outputs
            if (hidden.device.type == "cpu" and not rest[2]
                    and hidden.shape[0] * weight.shape[0] <= DENSE_MAX_ELEMENTS):
                return dense_log_probs(hidden, weight, bias, targets, *rest)
            return tiled.apply(hidden, weight, bias, targets, *rest)

    trl_utils._ChunkedLogProbFunction = HeadOnCpu
    trl_utils._use_triton = lambda device: device.type == "cpu" or compact(device)
    _installed = True
    return True
