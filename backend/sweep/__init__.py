"""Sweeps: one job spec tried with several values of some of its fields, every run through the job queue.

    sweep = create_sweep(store, spec, SweepSpec.from_dict(raw["sweep"], spec))   # backend/sweep/create.py
    # the scheduler's loop (Scheduler.tick -> backend/sweep/hook.py) queues its trials, stops the clearly
    # worse ones early (Optuna's MedianPruner on the eval loss) and tells each finished run's metric to the study
    rows, best = sweep_table(store, sweep.id)                                       # backend/sweep/table.py

One Optuna study per sweep (grid: GridSampler, random: RandomSampler, tpe: TPESampler), ask-and-tell, its storage
a SQLite file in the sweep's folder <workspace>/sweeps/<sweep_id>/study.db, so a restarted studio goes on.
"""

from backend.sweep.spec import METHODS, SweepError, SweepSpec, split_sweep

__all__ = ["METHODS", "SweepError", "SweepSpec", "split_sweep"]
