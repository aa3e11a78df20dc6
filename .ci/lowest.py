"""The lowest versions pyproject.toml declares, as pip pins, for CI's second pass (.ci/run).

    python .ci/lowest.py              # transformers==5.0 trl==1.16 ... (every runtime dependency but torch)
    python .ci/lowest.py --verify     # exit 1 unless each of those is installed at exactly that version

Why a script: the floors are written once, in pyproject.toml; repeating the numbers in .ci/run would let
the two drift apart, and a floor nobody runs is a guess. torch is left out: CI installs the CPU wheel
(torch==2.13.0) first, as the first pass does; its floor (2.11) is run on a GPU machine.
Needs only the standard library (and the project's own pyproject reader).
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.versions import requirements_from_pyproject  # noqa: E402

SKIP = {"torch"}  # installed before, as the first pass does (see the docstring)


def floors() -> dict[str, str]:
    """{package: lowest version} of every runtime dependency with a `>=` bound, torch left out."""
    found = {}
    for line in requirements_from_pyproject((ROOT / "pyproject.toml").read_text(encoding="utf-8")) or []:
        name = re.match(r"[A-Za-z0-9._-]+", line).group(0)
        low = re.search(r">=\s*([^,;\s]+)", line)
        if name not in SKIP and low:
            found[name] = low.group(1)
    return found


def main(argv: list[str]) -> int:
    pins = floors()
    if "--verify" not in argv:
        print(" ".join(f"{name}=={version}" for name, version in pins.items()))
        return 0
    from packaging.version import Version

    wrong = []
    for name, version in pins.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed is None or Version(installed) != Version(version):
            wrong.append(f"{name}: pyproject's floor is {version}, installed {installed}")
    for line in wrong:
        print(f"lowest versions: {line}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
