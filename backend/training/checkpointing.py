"""Gradient checkpointing when memory needs it (`training.gradient_checkpointing`: auto | on | off).

auto asks backend.plan.estimate whether the job fits the device's memory (the first GPU, or the RAM free
now) as it is; when it does not, checkpointing goes on and the log says why. The estimate's Review
line says the same before the job starts (estimate.recommend)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from backend.spec import JobSpec

log = logging.getLogger("studio.worker")


def model_config(model_path: str, trust_remote_code: bool = False) -> dict | None:
    """config.json of a local model folder, or of a hub model (its cached config); None if unreadable."""
    local = Path(model_path) / "config.json"
    try:
        if local.is_file():
            return json.loads(local.read_text(encoding="utf-8"))
        from transformers import AutoConfig

        return AutoConfig.from_pretrained(model_path, trust_remote_code=trust_remote_code).to_dict()
    except Exception:  # noqa: BLE001 - no estimate, no automatic checkpointing; training goes on
        return None


def use_checkpointing(spec: JobSpec, model_path: str | None, device: str, budget: int | None = None,
                      lengths: list[int] | None = None) -> bool:
    """on/off as the spec says; auto: on when the memory estimate of the job as it is exceeds the usable
    memory (`budget`: bytes, default what backend.plan.hardware finds for `device`). `lengths`: the training rows'
    token counts (sft), so the estimate counts the largest batch the data really makes."""
    mode = spec.training.gradient_checkpointing
    if mode != "auto" or model_path is None:
        return mode == "on"
    from backend.plan.estimate import EstimateError, estimate_memory, fits, format_bytes, with_checkpointing

    config = model_config(model_path, spec.model.trust_remote_code)
    if config is None:
        return False
    if budget is None:
        from backend.plan.hardware import detect

        budget = detect().budget_bytes(device)
    try:
        plain = estimate_memory(spec, config, device, lengths=lengths)
        if budget is None or fits(plain, budget):
            return False
        checkpointed = estimate_memory(with_checkpointing(spec), config, device, lengths=lengths)
    except EstimateError:
        return False
    log.info("memory: the job needs about %s without gradient checkpointing, more than the %s usable here; "
             "turning it on (training.gradient_checkpointing: auto): about %s, a third slower",
             format_bytes(plain.total), format_bytes(budget), format_bytes(checkpointed.total))
    return True
