"""Whether an uncached hub model can be had, as the Review asks it at every redraw (each field change): the
hub's answer is remembered per model id for TTL_S seconds, so an offline machine waits for the probe's timeout
once a minute, not at every change. The local cache is looked at every time (a model downloaded meanwhile is
taken at once).

    problem = HUB_PROBES.unreachable("org/model")   # backend.hub.model_unreachable's Message, or None
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from backend.hub import model_unreachable, unreachable_reason

TTL_S = 60.0
SIZE = 64  # model ids remembered


class HubProbes:
    def __init__(self, ttl_s: float = TTL_S, clock=time.monotonic, reason_of=unreachable_reason):
        self.ttl_s, self.clock, self.reason_of = ttl_s, clock, reason_of
        self._seen: OrderedDict[str, tuple[float, str | None]] = OrderedDict()
        self._lock = threading.Lock()

    def unreachable(self, name: str, timeout_s: float = 2.0, cache_dir=None):
        key = name.strip()

        def probe(timeout: float) -> str | None:
            with self._lock:
                hit = self._seen.get(key)
            if hit is not None and self.clock() - hit[0] < self.ttl_s:
                return hit[1]
            reason = self.reason_of(timeout)
            with self._lock:
                self._seen[key] = (self.clock(), reason)
                self._seen.move_to_end(key)
                while len(self._seen) > SIZE:
                    self._seen.popitem(last=False)
            return reason

        return model_unreachable(name, timeout_s=timeout_s, cache_dir=cache_dir, reason_of=probe)


HUB_PROBES = HubProbes()
