"""What this machine has to train on: GPUs, CPU cores, RAM, free disk. Torch-free and fast.

    from backend.plan.hardware import detect
    hw = detect("/path/to/workspace")
    hw.device                    # "cuda" when nvidia-smi lists a GPU, else "cpu"
    hw.budget_bytes(hw.device)   # first GPU's total memory, or the RAM available now
    print(hw.summary())

The UI process calls this on every page view, so it never imports torch (which takes seconds
and, with CUDA, a context of its own) and never raises: anything it cannot find out is None.
GPUs come from `nvidia-smi` (no nvidia-smi: no GPU), cached for a few seconds so that a page
refresh does not run it again; RAM from /proc/meminfo, capped by a cgroup (container) limit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024
NVIDIA_SMI_QUERY = ["--query-gpu=name,memory.total,memory.used", "--format=csv,noheader,nounits"]
_GPU_CACHE: dict = {}  # {"at": monotonic time, "gpus": [...]}; nvidia-smi takes 50-300 ms


@dataclass
class Gpu:
    name: str
    memory_total: int | None  # bytes
    memory_used: int | None  # bytes, by every process at detection time


@dataclass
class Hardware:
    gpus: list[Gpu] = field(default_factory=list)
    cpu_cores: int | None = None  # cores this process may run on
    cpu_name: str | None = None
    ram_total: int | None = None  # bytes (the cgroup limit when lower)
    ram_available: int | None = None  # bytes the kernel can hand out without swapping
    disk_free: int | None = None  # bytes free in disk_path
    disk_path: str | None = None

    @property
    def device(self) -> str:
        return "cuda" if self.gpus else "cpu"

    def budget_bytes(self, device: str | None = None) -> int | None:
        """Memory a job on `device` may fill: the first GPU's memory, or the RAM available now."""
        device = device or self.device
        if device == "cuda":
            total = self.gpus[0].memory_total if self.gpus else None
            cap = gpu_memory_cap()
            return min(total, cap) if total and cap else total
        return self.ram_available

    def summary(self) -> str:
        """One line a person reads, e.g. `GPU: NVIDIA H100 (80.0 GB) · CPU: 16 cores · RAM: 12.1 GB free of 125.8 GB`."""
        parts = []
        if self.gpus:
            gpus = ", ".join(f"{g.name} ({_gb(g.memory_total)})" for g in self.gpus)
            parts.append(f"GPU: {gpus}")
        else:
            parts.append("GPU: none")
        parts.append(f"CPU: {self.cpu_cores if self.cpu_cores is not None else '?'} cores")
        parts.append(f"RAM: {_gb(self.ram_available)} free of {_gb(self.ram_total)}")
        if self.disk_free is not None:
            parts.append(f"disk: {_gb(self.disk_free)} free")
        return " · ".join(parts)


def gpu_memory_cap() -> int | None:
    """Bytes of STUDIO_GPU_MEMORY_GB, the most GPU memory a worker may use (backend.training.accel caps the
    process); None when unset or not a positive number."""
    try:
        gb = float(os.environ.get("STUDIO_GPU_MEMORY_GB", "") or 0)
    except ValueError:
        return None
    return int(gb * 2**30) if gb > 0 else None


def detect(path: str | os.PathLike | None = None, nvidia_smi_timeout_s: float = 2.0,
           gpu_cache_s: float = 10.0) -> Hardware:
    """Look at the machine; `path`: the folder whose disk's free space matters (the workspace)."""
    hw = Hardware()
    for name, probe in (("gpus", lambda: gpus(nvidia_smi_timeout_s, gpu_cache_s)), ("cpu_cores", cpu_cores),
                        ("cpu_name", cpu_name)):
        try:
            setattr(hw, name, probe())
        except Exception:  # noqa: BLE001 - an unknown stays None
            pass
    try:
        hw.ram_total, hw.ram_available = ram()
    except Exception:  # noqa: BLE001
        pass
    if path is not None:
        hw.disk_path = str(path)
        try:
            hw.disk_free = disk_free(path)
        except Exception:  # noqa: BLE001
            pass
    return hw


def gpus(timeout_s: float = 2.0, cache_s: float = 10.0) -> list[Gpu]:
    """GPUs nvidia-smi lists (none when it is missing, fails or hangs)."""
    cached = _GPU_CACHE.get("gpus")
    if cached is not None and time.monotonic() - _GPU_CACHE["at"] < cache_s:
        return list(cached)
    exe = shutil.which("nvidia-smi")
    found: list[Gpu] = []
    if exe:
        try:
            out = subprocess.run([exe, *NVIDIA_SMI_QUERY], capture_output=True, text=True, timeout=timeout_s)
            if out.returncode == 0:
                found = parse_nvidia_smi(out.stdout)
        except (OSError, subprocess.SubprocessError):
            found = []
    _GPU_CACHE.update(at=time.monotonic(), gpus=found)
    return list(found)


def parse_nvidia_smi(text: str) -> list[Gpu]:
    """Lines `name, total MiB, used MiB` (nvidia-smi's csv,noheader,nounits)."""
    found = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.rsplit(",", 2)]
        if len(cells) != 3 or not cells[0]:
            continue
        found.append(Gpu(cells[0], _mib(cells[1]), _mib(cells[2])))
    return found


def cpu_cores() -> int | None:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or None
    return os.cpu_count()


def cpu_name() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip() or None
    except OSError:
        return None
    return None


def ram() -> tuple[int | None, int | None]:
    """(total, available) bytes from /proc/meminfo, lowered to the cgroup's memory limit if any."""
    info = {}
    try:
        with open("/proc/meminfo", encoding="ascii", errors="replace") as f:
            for line in f:
                key, _, rest = line.partition(":")
                fields = rest.split()
                if fields and fields[0].isdigit():
                    info[key] = int(fields[0]) * 1024  # kB
    except OSError:
        return None, None
    total = info.get("MemTotal")
    available = info.get("MemAvailable", info.get("MemFree"))
    limit, used = _cgroup_memory()
    if limit is not None and (total is None or limit < total):
        total = limit
        if used is not None:
            room = max(0, limit - used)
            available = room if available is None else min(available, room)
    return total, available


def _cgroup_memory() -> tuple[int | None, int | None]:
    """(limit, usage) of this process's cgroup (v2, else v1), or Nones when unlimited/unknown."""
    for limit_file, usage_file in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            raw = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if not raw.isdigit() or int(raw) >= 1 << 60:  # "max", or v1's "no limit" (~2**63)
            return None, None
        try:
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            usage = None
        return int(raw), usage
    return None, None


def disk_free(path: str | os.PathLike) -> int | None:
    """Free bytes on the disk holding `path` (or its nearest existing parent)."""
    p = Path(path).expanduser()
    for candidate in (p, *p.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free
    return None


def _mib(cell: str) -> int | None:
    try:
        return int(float(cell) * MIB)
    except ValueError:  # "[N/A]", "[Not Supported]"
        return None


def _gb(n: int | None) -> str:
    return "?" if n is None else f"{n / 1e9:.1f} GB"


if __name__ == "__main__":
    import sys

    t0 = time.perf_counter()
    found = detect(sys.argv[1] if len(sys.argv) > 1 else ".")
    print(found.summary())
    print(found)
    print(f"{(time.perf_counter() - t0) * 1000:.1f} ms")
