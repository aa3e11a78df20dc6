"""The requirements `pip install -e ".[EXTRA]"` installs (the project's dependencies and the extra's, the extras it
names of the project itself expanded), one a line, for CI to install them while llama.cpp compiles (.ci/run).

    python .ci/requirements.py test --without llama-cpp-python

Why: the README's install then finds them in place and only adds the compiled wheel and the project; it still runs
as written (pip checks every requirement). Needs only the standard library (Python 3.11+: tomllib).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def name_of(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower().replace("_", "-")


def requirements(extra: str, without: set[str]) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    me, extras = project["name"], project.get("optional-dependencies", {})
    found, seen = list(project["dependencies"]), set()

    def add(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for r in extras[name]:
            own = re.fullmatch(rf"{re.escape(me)}\[([^\]]+)\]", r.strip())
            if own:
                for e in own.group(1).split(","):
                    add(e.strip())
            else:
                found.append(r)

    add(extra)
    return [r for r in found if name_of(r) not in without]


def main(argv: list[str]) -> int:
    extra, without = argv[0], set()
    if "--without" in argv:
        without = {name_of(n) for n in argv[argv.index("--without") + 1:]}
    print("\n".join(requirements(extra, without)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
