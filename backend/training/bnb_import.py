"""Import bitsandbytes without letting it fetch code from the Hugging Face hub.

On a CPU with AVX-512 BF16, importing bitsandbytes (0.50 here) asks the `kernels` package for
`kernels-community/quantization-bitsandbytes`: a network call at run time, and remote code run in the
studio's process, where the studio keeps `trust_remote_code` off unless the user turns it on. Offline
(or untrusted) it logs "Failed to load CPU gemm_4bit_forward from kernels-community ..." and falls back
to the CPU kernel bitsandbytes bundles, which is what the studio uses. So the studio imports bitsandbytes
with `kernels` hidden (a None entry in sys.modules reads as "not installed"; the entry is put back
afterwards, since transformers has its own uses for `kernels`) and drops that one warning. peft imports
bitsandbytes whenever it is installed, so every process that imports peft calls this first: the
worker and the speed probe (through hide_unused_packages), the exports, chat and evaluation.

STUDIO_HUB_KERNELS=1 in the environment opts in: bitsandbytes then imports as it would on its own and
may download and run the hub kernel (faster 4-bit inference on such CPUs).
"""

from __future__ import annotations

import logging
import os
import sys

HUB_KERNELS_ENV = "STUDIO_HUB_KERNELS"
_MISSING = object()


def hub_kernels_allowed() -> bool:
    return os.environ.get(HUB_KERNELS_ENV, "").strip().lower() in ("1", "true", "yes", "on")


class _DropHubKernelWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "kernels-community" not in record.getMessage()


def import_bitsandbytes() -> bool:
    """Import bitsandbytes (once per process) with the hub kernels out of its reach unless the user opted
    in; True when it is importable. Call before transformers/peft import it for themselves."""
    if "bitsandbytes" in sys.modules:
        return sys.modules["bitsandbytes"] is not None
    if hub_kernels_allowed():
        return _import()
    saved = sys.modules.get("kernels", _MISSING)
    sys.modules["kernels"] = None
    quiet = _DropHubKernelWarning()
    loggers = [logging.getLogger(name) for name in ("bitsandbytes.backends.cpu.ops", "bitsandbytes")]
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        return _import()
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)
        if saved is _MISSING:
            sys.modules.pop("kernels", None)
        else:
            sys.modules["kernels"] = saved


def _import() -> bool:
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        return False
    return True
