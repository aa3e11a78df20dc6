"""Which Ray cluster the studio uses, and connecting to it.

Where the address comes from, first found: `--cluster ADDRESS` (`auto`: the cluster running on this machine),
$STUDIO_CLUSTER, the workspace's settings.json {"cluster": "ADDRESS"}. None of them (or "off"/""): no cluster,
jobs run on this machine as before.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from backend.messages import msg

SETTINGS = "settings.json"
NAMESPACE = "finetune-studio"
OFF = ("", "off", "none", "local")


class ClusterError(RuntimeError):
    """The cluster cannot be used; its message says the address, what to run and how to turn it off."""


def resolve_address(arg: str | None, workspace=None) -> str | None:
    """The cluster address to use, or None for none."""
    for value in (arg, os.environ.get("STUDIO_CLUSTER"), saved_address(workspace)):
        if value is not None:
            value = str(value).strip()
            return None if value.lower() in OFF else value
    return None


def saved_address(workspace) -> str | None:
    if workspace is None:
        return None
    path = Path(workspace.root) / SETTINGS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ClusterError(msg("cluster.bad_settings", path=path, error=exc)) from exc
    value = data.get("cluster") if isinstance(data, dict) else None
    return None if value is None else str(value)


def save_address(workspace, address: str | None) -> None:
    """Remember the address in the workspace's settings.json (None: no cluster)."""
    path = Path(workspace.root) / SETTINGS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data["cluster"] = address or "off"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def connect(address: str | None):
    """A ClusterDispatcher for the cluster at `address` (None: None). Raises ClusterError when it cannot be
    reached or ray is not installed."""
    if not address:
        return None
    try:
        import ray
    except ImportError as exc:
        raise ClusterError(msg("cluster.no_ray", address=address)) from exc
    from backend.resources import PROJECT_ROOT

    problem = _unreachable(address)
    if problem:  # ray.init would retry for minutes
        raise ClusterError(msg("cluster.unreachable", address=address, error=problem))
    if not ray.is_initialized():
        try:
            # Each node imports this project from the same path (the runner and the worker are its modules).
            ray.init(address=address, namespace=NAMESPACE, log_to_driver=False, logging_level="WARNING",
                     runtime_env={"env_vars": {"PYTHONPATH": str(PROJECT_ROOT)}})
        except Exception as exc:  # noqa: BLE001 - ConnectionError, ValueError, RaySystemError...
            raise ClusterError(msg("cluster.unreachable", address=address, error=str(exc).splitlines()[0]
                                   if str(exc) else type(exc).__name__)) from exc
    from backend.cluster.dispatch import ClusterDispatcher

    return ClusterDispatcher(address)


def _unreachable(address: str) -> str | None:
    """Why HOST:PORT takes no connection (within 3 s), or None (also for `auto` and ray:// addresses)."""
    import socket

    host, _, port = address.rpartition(":")
    if address == "auto" or "://" in address or not port.isdigit():
        return None
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=3).close()
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def connect_for(arg: str | None, workspace):
    """The dispatcher for the cluster these settings name (resolve_address), or None; ClusterError when it is
    named and cannot be used."""
    return connect(resolve_address(arg, workspace))


def state_line() -> dict:
    """The connection state for the page: {"connected": bool, "address", "nodes", "cpus", "gpus", "free_cpus",
    "free_gpus"}."""
    try:
        import ray
    except ImportError:
        return {"connected": False}
    if not ray.is_initialized():
        return {"connected": False}
    try:
        total, free = ray.cluster_resources(), ray.available_resources()
        nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
    except Exception:  # noqa: BLE001 - the cluster went away
        return {"connected": False}
    return {"connected": True, "address": ray.get_runtime_context().gcs_address, "nodes": nodes,
            "cpus": total.get("CPU", 0), "gpus": total.get("GPU", 0),
            "free_cpus": free.get("CPU", 0), "free_gpus": free.get("GPU", 0)}
