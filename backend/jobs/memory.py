"""How much memory a job holds and how much the machine has left, read from /proc and the cgroup.

    used = tree_rss(pid)                 # bytes: the worker and every process under it
    left = memory_left()                 # bytes the machine (or the container's cgroup) can still give
    reserve(total_memory())              # what must stay free: the studio and the system live in it

No extra package; on a system without /proc every function returns None and the guard stands aside.
"""

from __future__ import annotations

from pathlib import Path

from backend.training.sysmon import _descendants

PAGE = 4096
CGROUP = Path("/sys/fs/cgroup")


def tree_rss(pid: int) -> int | None:
    """Resident bytes of `pid` and its descendants (a launcher's ranks, dataloader workers), or None."""
    total, seen = 0, False
    for p in [pid, *_descendants(pid)]:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
            seen = True
        except (OSError, ValueError, IndexError):
            continue
    return total if seen else None


def _meminfo() -> dict[str, int]:
    out = {}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                name, _, rest = line.partition(":")
                parts = rest.split()
                if parts and parts[0].isdigit():
                    out[name] = int(parts[0]) * 1024
    except OSError:
        pass
    return out


def _cgroup_left() -> int | None:
    """Bytes left under this process's cgroup memory limit (v2, then v1), or None when it has none."""
    for limit_file, usage_file in ((CGROUP / "memory.max", CGROUP / "memory.current"),
                                   (CGROUP / "memory" / "memory.limit_in_bytes",
                                    CGROUP / "memory" / "memory.usage_in_bytes")):
        try:
            limit = limit_file.read_text().strip()
            usage = int(usage_file.read_text().strip())
        except (OSError, ValueError):
            continue
        if limit == "max" or not limit.isdigit() or int(limit) >= 1 << 60:
            return None
        return int(limit) - usage
    return None


def memory_left() -> int | None:
    """What the machine can still give before the kernel must kill: MemAvailable, or the cgroup's headroom
    when that is smaller (a container)."""
    available = _meminfo().get("MemAvailable")
    cgroup = _cgroup_left()
    candidates = [v for v in (available, cgroup) if v is not None]
    return min(candidates) if candidates else None


def total_memory() -> int | None:
    return _meminfo().get("MemTotal")


def reserve(total: int | None) -> int:
    """What the guard keeps free: 5% of the RAM, at least 512 MiB and at most 4 GiB."""
    if not total:
        return 512 << 20
    return max(512 << 20, min(4 << 30, total // 20))
