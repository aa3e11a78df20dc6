"""Attention for padding-free batches through PyTorch's own variable-length FlashAttention kernel.

A padding-free batch is one row holding every row of the batch one after another; TRL's collator
marks where each starts (`cu_seq_lens_q/k`, `max_length_q/k`) and restarts the position ids. The
FlashAttention package reads those boundaries, but it is a large CUDA build that most machines lack;
without it transformers turns the restarts into a (tokens x tokens) block-diagonal mask for SDPA,
which computes attention across the whole joined row and throws most of it away.

`register()` adds the implementation NAME to transformers' attention registry. Its attention function
hands a padding-free batch on a GPU to `torch.nn.attention.varlen.varlen_attn` (FlashAttention 2
inside PyTorch, torch >= 2.10), causal within each row, grouped-query heads as they are; everything
else (padded batches, generation with a KV cache, a CPU) goes to transformers' SDPA path unchanged.
Its mask function skips building the block-diagonal mask when there is no padding mask: the kernel
needs the boundaries, not the mask. Where the kernel cannot run (a CPU, an older GPU, a torch whose
call differs) the same boundaries build the block-diagonal mask for SDPA instead, so the result is
the same either way; the first call on a GPU is checked against that path and the kernel is dropped,
with a warning in the log, if they disagree.
"""

from __future__ import annotations

import inspect
import logging

log = logging.getLogger("studio.worker")

NAME = "studio_varlen"
# bf16 FlashAttention against SDPA on the same inputs: well under this relative error when right
CHECK_TOLERANCE = 2e-2

_state = {"registered": False, "checked": False, "kernel_ok": None}


def kernel_available() -> bool:
    """Whether this torch has the variable-length FlashAttention call and a GPU that runs FlashAttention 2
    (compute capability 8.0 or newer). Asked once per process."""
    if "available" not in _state:
        _state["available"] = _probe()
    return _state["available"]


def _probe() -> bool:
    try:
        import torch
        from torch.nn.attention import varlen  # noqa: F401
    except ImportError:
        return False
    if not torch.cuda.is_available():
        return False
    major, _ = torch.cuda.get_device_capability()
    return major >= 8


def register() -> str:
    """Add NAME to transformers' attention and mask registries (idempotent); returns NAME."""
    if _state["registered"]:
        return NAME
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface

    AttentionInterface.register(NAME, attention)
    AttentionMaskInterface.register(NAME, _mask)
    _state["registered"] = True
    return NAME


def _mask(**kwargs):
    """transformers' SDPA mask, except where there is no padding mask and no cache offset (a padding-free
    training batch, or one unpadded row): then None, and `attention` works from the boundaries."""
    from transformers.masking_utils import sdpa_mask

    if kwargs.get("attention_mask") is None:
        q_length = kwargs.get("q_length")
        if q_length is None and kwargs.get("cache_position") is not None:  # transformers before 5.x's q_length
            q_length = kwargs["cache_position"].shape[0]
        if q_length is not None and q_length == kwargs.get("kv_length") and not kwargs.get("q_offset"):
            return None
    return sdpa_mask(**kwargs)


def attention(module, query, key, value, attention_mask, dropout: float = 0.0, scaling=None, sliding_window=None,
              softcap=None, **kwargs):
    """transformers' attention-function interface: query (batch, heads, q_len, dim), key/value
    (batch, kv_heads, kv_len, dim); returns (output (batch, q_len, heads, dim), None)."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    cu = boundaries(query, attention_mask, kwargs)
    if cu is None:
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling,
                                      **kwargs)
    max_len = kwargs.get("max_length_q")
    if max_len is None:
        max_len = int((cu[1:] - cu[:-1]).max())
    usable = (query.is_cuda and not dropout and not softcap and not sliding_window
              and _state["kernel_ok"] is not False and kernel_available())
    if usable:
        try:
            out = _varlen(query, key, value, cu, int(max_len), scaling)
        except Exception as exc:  # noqa: BLE001 - an unsupported GPU/torch: the mask path gives the same result
            _give_up(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        else:
            if not _state["checked"]:
                _check(module, query, key, value, cu, scaling, out, kwargs)
            if _state["kernel_ok"] is not False:
                return out, None
    return _masked(module, query, key, value, cu, dropout, scaling, kwargs)


def boundaries(query, attention_mask, kwargs):
    """The cumulative row starts (int32, [0, ..., tokens]) of a padding-free batch, or None for anything
    else. From the collator's `cu_seq_lens_q` when given, else from position ids that restart at 0."""
    import torch

    if attention_mask is not None or query.shape[0] != 1 or query.shape[2] <= 1:
        return None
    cu = kwargs.get("cu_seq_lens_q")
    if cu is not None:
        return cu.to(device=query.device, dtype=torch.int32)
    positions = kwargs.get("position_ids")
    if positions is None or positions.shape[-1] != query.shape[2]:
        return None
    starts = (positions.reshape(-1) == 0).nonzero().flatten()
    if starts.numel() <= 1:
        return None  # one row: plain causal attention
    end = torch.tensor([positions.shape[-1]], device=starts.device)
    return torch.cat([starts, end]).to(device=query.device, dtype=torch.int32)


def _varlen(query, key, value, cu, max_len: int, scaling):
    """PyTorch's variable-length FlashAttention, causal, on (tokens, heads, dim) views of the one row. The
    keyword that asks for causality changed between torch releases (`window_size=(-1, 0)` in 2.10+,
    `is_causal` in some builds): the signature says which."""
    import torch
    from torch.nn.attention.varlen import varlen_attn

    q, k, v = (x[0].transpose(0, 1) for x in (query, key, value))
    dtype = q.dtype
    if dtype not in (torch.bfloat16, torch.float16):
        # fp32 projections (qlora: prepare_model_for_kbit_training keeps the residual stream in fp32): the kernel
        # takes bf16/fp16 only, as SDPA under autocast would compute it
        half = torch.get_autocast_dtype("cuda") if torch.is_autocast_enabled("cuda") else torch.bfloat16
        q, k, v = (x.to(half) for x in (q, k, v))
    q, k, v = (x if x.stride(-1) == 1 else x.contiguous() for x in (q, k, v))
    if "params" not in _state:  # asked once: every layer of every step calls this
        _state["params"] = frozenset(inspect.signature(varlen_attn).parameters)
    params = _state["params"]
    extra = {"scale": scaling}
    if "window_size" in params:
        extra["window_size"] = (-1, 0)
    else:
        extra["is_causal"] = True
    if k.shape[1] != q.shape[1] and "enable_gqa" in params:
        extra["enable_gqa"] = True
    out = varlen_attn(q, k, v, cu, cu, max_len, max_len, **extra)
    return out.to(dtype).unsqueeze(0)


def _masked(module, query, key, value, cu, dropout, scaling, kwargs):
    """SDPA with the block-diagonal causal mask the boundaries describe (the CPU, and the fallback)."""
    import torch
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    tokens = query.shape[2]
    row = torch.repeat_interleave(torch.arange(cu.numel() - 1, device=query.device), cu[1:] - cu[:-1])
    index = torch.arange(tokens, device=query.device)
    mask = (row[:, None] == row[None, :]) & (index[None, :] <= index[:, None])
    kwargs = {k: v for k, v in kwargs.items() if k not in ("is_causal",)}
    return sdpa_attention_forward(module, query, key, value, mask[None, None], dropout=dropout, scaling=scaling,
                                  **kwargs)


def _check(module, query, key, value, cu, scaling, out, kwargs) -> None:
    """Compare the kernel's first output with the masked SDPA path on the same inputs, once per process."""
    import torch

    _state["checked"] = True
    with torch.no_grad():
        ref, _ = _masked(module, query.detach(), key.detach(), value.detach(), cu, 0.0, scaling, kwargs)
        err = ((out.detach().float() - ref.float()).norm() / ref.float().norm().clamp_min(1e-6)).item()
    if err > CHECK_TOLERANCE or err != err:
        from backend.messages import msg

        _give_up(msg("training.varlen_differs", err=err))
    else:
        _state["kernel_ok"] = True
        log.info("attention: PyTorch's variable-length FlashAttention agrees with SDPA (relative difference %.1e)",
                 err)


def _give_up(why: str) -> None:
    if _state["kernel_ok"] is not False:
        log.warning("attention: PyTorch's variable-length FlashAttention cannot be used here (%s); padding-free "
                    "batches go through SDPA with a block-diagonal mask instead (same results, slower)", why)
    _state["kernel_ok"] = False
