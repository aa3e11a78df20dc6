"""Can the Hugging Face hub be reached? Asked before any download, so offline fails in seconds
(the hub clients retry for about half a minute before giving up)."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

from backend.messages import msg


def unreachable_reason(timeout_s: float = 3.0) -> str | None:
    """None when the hub endpoint accepts a connection; else a sentence saying why not."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return msg("jobs.hub_offline")
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection((url.hostname, url.port or 443), timeout=timeout_s):
            return None
    except OSError as e:
        return f"{url.hostname}: {e}"


def looks_like_hub_id(name: str) -> bool:
    """`org/name`: one slash, no path-like start."""
    name = name.strip()
    return name.count("/") == 1 and not name.startswith(("/", ".", "~")) and "\\" not in name and " " not in name


def model_unreachable(name: str, timeout_s: float = 3.0, cache_dir=None, reason_of=None):
    """Why the hub model `name` cannot be had, or None: it is not in this machine's Hugging Face cache and the hub
    cannot be reached. Asked before loading, since transformers retries each file for about 20 s before it gives up
    (over a minute for a job). None for a local name, a cached model, or a reachable hub. `reason_of(timeout_s)`:
    the hub probe (unreachable_reason; the studio's Review passes one that remembers it a while)."""
    if not looks_like_hub_id(name):
        return None
    from huggingface_hub import try_to_load_from_cache
    from huggingface_hub.errors import HFValidationError

    try:
        if isinstance(try_to_load_from_cache(name.strip(), "config.json", cache_dir=cache_dir), str):
            return None
    except HFValidationError:
        return None  # not a valid repo id: the loader says so
    reason = (reason_of or unreachable_reason)(timeout_s)
    return msg("training.model_hub_unreachable", name=name.strip(), reason=reason) if reason else None
