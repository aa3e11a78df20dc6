"""A model's parameter count as the Model step says it: 1.1M, 7.6B (as model names say it), the exact count beside it,
"≈" when it is worked out from a config rather than counted."""

from __future__ import annotations


def format_params(n: int | None, exact: bool) -> str:
    if n is None:
        return "?"
    approx = "" if exact else "≈ "
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            return f"{approx}{n / size:.1f}{unit} ({n:,})"
    return f"{approx}{n}"
