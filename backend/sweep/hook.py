"""The scheduler's hook: `tick_sweeps(scheduler)` at each Scheduler.tick drives the workspace's sweeps
(backend/sweep/controller.py), in the studio, `studio serve-worker` and a headless `studio sweep` alike."""

from __future__ import annotations

import logging

log = logging.getLogger("studio.sweep")


def tick_sweeps(scheduler) -> None:
    controller = getattr(scheduler, "_sweeps", None)
    if controller is None:
        from backend.sweep.controller import SweepController

        controller = scheduler._sweeps = SweepController(scheduler.store)
    try:
        controller.tick()
    except Exception:  # the queue goes on whatever a sweep does
        log.exception("sweeps: the controller failed")
