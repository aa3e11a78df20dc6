"""A sweep's folder and its Optuna study.

    <workspace>/sweeps/<sweep_id>/sweep.yaml    the base job spec and its `sweep:` section, as checked
                                  /study.db      the Optuna study (SQLite): trials, their values, their eval losses
                                  /state.json    {"state": "running" | "done" | "stopped", ...}

A trial's job records its sweep in its own folder (<job>/sweep.json: {"sweep": id, "trial": n}); the study
records its job (the trial's user attribute "job_id").
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import time
from pathlib import Path

import yaml

from backend.spec import SECTIONS, JobSpec
from backend.sweep.spec import SweepSpec

STUDY_NAME = "sweep"


def sweeps_dir(workspace) -> Path:
    return Path(workspace.root) / "sweeps"


def sweep_dir(workspace, sweep_id: str) -> Path:
    """The folder of a sweep; an id that is not a plain name (a path) is refused."""
    if not sweep_id or "/" in sweep_id or "\\" in sweep_id or sweep_id.startswith(".") or \
            not all(c.isalnum() or c in "-_" for c in sweep_id):
        from backend.messages import msg
        from backend.sweep.spec import SweepError

        raise SweepError([msg("sweep.bad_id", sweep=repr(sweep_id))], section=False)
    return sweeps_dir(workspace) / sweep_id


def existing_sweep_dir(workspace, sweep_id: str) -> Path:
    """The folder of a sweep that exists; SweepError naming the sweeps folder otherwise."""
    d = sweep_dir(workspace, sweep_id)
    if not (d / "sweep.yaml").is_file():
        from backend.messages import msg
        from backend.sweep.spec import SweepError

        raise SweepError([msg("sweep.no_sweep", sweep=sweep_id, folder=str(sweeps_dir(workspace)))], section=False)
    return d


def new_sweep_id() -> str:
    return "sweep-" + time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def list_sweeps(workspace) -> list[str]:
    """Sweep ids, newest first."""
    root = sweeps_dir(workspace)
    if not root.is_dir():
        return []
    return sorted((p.name for p in root.iterdir() if (p / "sweep.yaml").is_file()), reverse=True)


def write_sweep(workspace, spec: JobSpec, sweep: SweepSpec, sweep_id: str | None = None) -> str:
    sweep_id = sweep_id or new_sweep_id()
    d = sweep_dir(workspace, sweep_id)
    d.mkdir(parents=True)
    open_study(d, sweep)  # creates study.db, before the scheduler's loop can see the sweep (its sweep.yaml)
    write_state(d, "running")
    text = yaml.safe_dump({**spec.to_dict(), "sweep": sweep.to_dict()}, sort_keys=False, allow_unicode=True)
    tmp = d / ".sweep.yaml.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, d / "sweep.yaml")
    return sweep_id


def read_sweep(d: Path) -> tuple[JobSpec, SweepSpec]:
    raw = yaml.safe_load((d / "sweep.yaml").read_text(encoding="utf-8"))
    section = raw.pop("sweep")
    spec = JobSpec.from_dict(raw)
    sweep = SweepSpec(**section)
    return spec, sweep


def read_state(d: Path) -> dict:
    try:
        return json.loads((d / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_state(d: Path, state: str, **extra) -> None:
    data = {**read_state(d), "state": state, "updated_at": time.time(), **extra}
    tmp = d / f".state.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, d / "state.json")


def sampler(sweep: SweepSpec):
    import optuna

    if sweep.method == "grid":
        return _Grid(sweep.parameters, seed=sweep.seed)
    if sweep.method == "random":
        return optuna.samplers.RandomSampler(seed=sweep.seed)
    return optuna.samplers.TPESampler(seed=sweep.seed, n_startup_trials=min(5, max(1, sweep.trials // 3)))


def _grid_class():
    import optuna

    class Grid(optuna.samplers.GridSampler):
        """The grid, without its end-of-grid study.stop() (made for study.optimize): the controller ends the sweep
        when every trial is told."""

        def after_trial(self, study, trial, state, values) -> None:
            return None

    return Grid


def _Grid(*args, **kwargs):  # noqa: N802 - a class, made on first use (optuna imported only for a sweep)
    return _grid_class()(*args, **kwargs)


def pruner(sweep: SweepSpec):
    import optuna

    if sweep.early_stop != "median":
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(n_startup_trials=sweep.min_trials, n_warmup_steps=sweep.min_steps)


def open_study(d: Path, sweep: SweepSpec):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage(f"sqlite:///{d / 'study.db'}",
                                         engine_kwargs={"connect_args": {"timeout": 30}})
    return optuna.create_study(study_name=STUDY_NAME, storage=storage, direction="minimize",
                               sampler=sampler(sweep), pruner=pruner(sweep), load_if_exists=True)


def distributions(sweep: SweepSpec) -> dict:
    """Each swept field's Optuna distribution: a list is categorical; a range a float or int one by the field's type."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    out = {}
    for path, values in sweep.parameters.items():
        if isinstance(values, list):
            out[path] = CategoricalDistribution(values)
            continue
        low, high, log, step = values["low"], values["high"], bool(values.get("log")), values.get("step")
        if _field_type(path) == "int":
            out[path] = IntDistribution(int(low), int(high), log=log, step=1 if log else int(step or 1))
        else:
            out[path] = FloatDistribution(float(low), float(high), log=log, step=None if log else step)
    return out


def _field_type(path: str) -> str:
    section, _, name = path.partition(".")
    for f in dataclasses.fields(SECTIONS.get(section, object)) if section in SECTIONS else ():
        if f.name == name:
            return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    return ""
