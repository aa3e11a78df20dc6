"""What the machine does during a run: one JSON line every few seconds in `<job_dir>/system.jsonl`.

    sampler = SystemSampler(job_dir, interval_s=2.0).start()   # the worker, before loading anything
    try: train()
    finally: sampler.stop()                                     # one last sample, then the thread ends

Each line: time, elapsed_s, rss_mb (this process and its children), cpu_pct (0-100 of the cores
this process may use), ram_used_pct (the whole machine), gpu_mem_mb and gpu_util_pct (null
without a GPU). It shows why a run is slow (a core-starved CPU, swapping, an idle GPU) next to the
loss curve. Read from /proc, so it needs no extra package; elsewhere the /proc values are null.
Only the main process of a multi-process run writes; a resumed job appends to the same file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20 if hasattr(os, "sysconf") else 4096 / 2**20
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def is_main_process() -> bool:
    return all(os.environ.get(k, "0") in ("", "0") for k in ("RANK", "LOCAL_RANK"))


class SystemSampler:
    def __init__(self, job_dir: str | Path, interval_s: float = 2.0):
        self.path = Path(job_dir) / "system.jsonl"
        self.interval_s = interval_s
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = time.time()
        self._last = (time.monotonic(), _cpu_seconds(_descendants(os.getpid())))
        self._smi_missing = False
        self._cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

    def start(self) -> SystemSampler:
        """Begin sampling on a daemon thread (does nothing outside the main process)."""
        if not is_main_process() or self._thread is not None:
            return self
        self._t0 = time.time()
        self._last = (time.monotonic(), _cpu_seconds(_descendants(os.getpid())))
        self._thread = threading.Thread(target=self._loop, name="system-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Write one last sample and wait for the thread to end."""
        if self._thread is None:
            return
        self._done.set()
        self._thread.join(timeout=self.interval_s + 10)
        self._thread = None
        self._write(self.sample())

    def sample(self) -> dict:
        """One row: the numbers since the previous sample (cpu) or right now (the rest)."""
        kids = _descendants(os.getpid())  # one walk of /proc per sample
        now, cpu = time.monotonic(), _cpu_seconds(kids)
        last_now, last_cpu = self._last
        self._last = (now, cpu)
        cpu_pct = None
        if now > last_now:  # a process whose child exited unwaited loses that time: clamp at 0
            cpu_pct = round(min(100.0, max(0.0, (cpu - last_cpu) / (now - last_now) / self._cores * 100)), 1)
        rss = _rss_mb(kids)
        gpu_mem = _gpu_mem_mb()
        return {
            "time": round(time.time(), 3),
            "elapsed_s": round(time.time() - self._t0, 2),
            "rss_mb": None if rss is None else round(rss, 1),
            "cpu_pct": cpu_pct,
            "ram_used_pct": _ram_used_pct(),
            "gpu_mem_mb": gpu_mem,
            "gpu_util_pct": self._gpu_util_pct() if gpu_mem is not None else None,
        }

    # -- internals ---------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._done.wait(self.interval_s):
            self._write(self.sample())

    def _write(self, row: dict) -> None:
        try:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")
        except OSError:  # a full disk or a deleted job dir must not stop the training
            pass

    def _gpu_util_pct(self) -> float | None:
        if self._smi_missing:
            return None
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"],
                                 capture_output=True, text=True, timeout=5).stdout
            values = [float(v) for v in out.split() if v.replace(".", "", 1).isdigit()]
        except FileNotFoundError:
            self._smi_missing = True
            return None
        except Exception:  # noqa: BLE001 - a hung or odd nvidia-smi only loses this number
            return None
        if not values:
            return None
        index = _physical_gpu_index()
        return values[index] if index is not None and index < len(values) else values[0]


def _descendants(root: int) -> list[int]:
    """The pids under `root` (children, grandchildren...), from /proc; [] where there is none."""
    parents: dict[int, list[int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(name))
    found, todo = [], [root]
    while todo:
        kids = parents.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _stat_cpu_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime of a live process, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / TICKS
    except (OSError, ValueError, IndexError):
        return 0.0


def _cpu_seconds(descendants: list[int]) -> float:
    """CPU time of this process, its finished (waited-for) children and its live descendants."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system + sum(map(_stat_cpu_seconds, descendants))


def _rss_mb(descendants: list[int]) -> float | None:
    """Resident memory of this process and its live descendants; None without /proc."""
    total = 0.0
    for pid in [os.getpid(), *descendants]:
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE_MB
        except (OSError, ValueError, IndexError):
            if pid == os.getpid():
                return None
    return total


def _ram_used_pct() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            info = {line.split(":")[0]: int(line.split()[1]) for line in f if line.split()[1:2]}
        return round(100 * (1 - info["MemAvailable"] / info["MemTotal"]), 1)
    except (OSError, ValueError, KeyError, ZeroDivisionError):
        return None


def _gpu_mem_mb() -> float | None:
    """Memory torch holds on the GPU; None when torch is not loaded or CUDA not initialized (never
    imports torch or initializes CUDA itself: the sampler must not change what it measures)."""
    torch = sys.modules.get("torch")
    try:
        if torch is None or not torch.cuda.is_initialized():
            return None
        return round(torch.cuda.memory_reserved() / 2**20, 1)
    except Exception:  # noqa: BLE001
        return None


def _physical_gpu_index() -> int | None:
    """nvidia-smi numbers the GPUs physically; map torch's current device through CUDA_VISIBLE_DEVICES."""
    torch = sys.modules.get("torch")
    try:
        current = torch.cuda.current_device() if torch is not None else 0
    except Exception:  # noqa: BLE001
        current = 0
    visible = [v.strip() for v in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if v.strip()]
    if not visible:
        return current
    if current < len(visible) and visible[current].isdigit():
        return int(visible[current])
    return None
