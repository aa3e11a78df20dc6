"""The cluster's connection state, a line under the Train tab's hardware panel (studio/views/hardware.py): empty
when the studio runs its jobs on this machine (no `--cluster`), so nothing changes without a cluster."""

from __future__ import annotations

import sys


def cluster_line(t: dict[str, str]) -> str:
    if "backend.cluster.dispatch" not in sys.modules:  # no cluster was connected in this studio
        return ""
    from backend.cluster.connect import state_line

    state = state_line()
    if not state.get("connected"):
        return "\n\n⚠ " + t["cluster.state.off"]
    return "\n- " + t["cluster.state.on"].format(**{k: v for k, v in state.items() if k != "connected"})
