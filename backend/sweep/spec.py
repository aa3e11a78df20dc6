"""The `sweep:` section of a job spec YAML: which fields to try with which values, how, and how many at once.

    sweep:
      method: grid            # grid | random | tpe
      parameters:
        training.learning_rate: [1e-4, 5e-4, 2e-3]          # a list of values
        method.lora_r: {low: 4, high: 32, step: 4}          # random/tpe: a range ({low, high, log, step})
      trials: 6               # random/tpe (grid: every combination)
      parallel: 1             # runs queued at once
      metric: eval_loss       # minimized; the final train loss when the job has no eval split
      early_stop: median      # or none; min_steps: report steps before any run is judged
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import yaml

from backend.messages import msg
from backend.spec import SECTIONS, JobSpec, SpecError

METHODS = ("grid", "random", "tpe")
METRICS = ("eval_loss", "loss")
EARLY_STOPS = ("median", "none")
_KEYS = ("method", "parameters", "trials", "parallel", "metric", "early_stop", "min_steps", "min_trials", "seed")
MAX_TRIALS = 1000


class SweepError(ValueError):
    """Every problem in a `sweep:` section, one Message per line."""

    def __init__(self, problems: list, section: bool = True):
        """`section`: False for a problem that is not in a sweep: section (no such sweep, a file without one)."""
        self.problems = problems
        super().__init__(msg("sweep.problems", problems=problems) if section else problems[0])


@dataclass
class SweepSpec:
    method: str = "grid"
    parameters: dict[str, Any] = field(default_factory=dict)  # path -> list of values, or {low, high, log, step}
    trials: int = 0  # grid: the number of combinations
    parallel: int = 1
    metric: str = "eval_loss"
    early_stop: str = "median"
    min_steps: int = 0  # MedianPruner's n_warmup_steps
    min_trials: int = 2  # finished runs needed before the median rule judges (n_startup_trials)
    seed: int = 0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: Any, base: JobSpec) -> SweepSpec:
        """Read and check a `sweep:` section against the job spec it sweeps; raises SweepError naming each bad key,
        field path or value and what is allowed."""
        problems: list = []
        if not isinstance(raw, dict):
            raise SweepError([msg("sweep.not_a_mapping", got=type(raw).__name__)])
        for key in raw:
            if key not in _KEYS:
                problems.append(msg("sweep.unknown_key", key=str(key), accepted=", ".join(_KEYS)))
        out = cls()
        out.method = str(raw.get("method", "grid"))
        if out.method not in METHODS:
            problems.append(msg("sweep.bad_method", value=out.method, accepted=", ".join(METHODS)))
        out.metric = str(raw.get("metric", "eval_loss"))
        if out.metric not in METRICS:
            problems.append(msg("sweep.bad_metric", value=out.metric, accepted=", ".join(METRICS)))
        stop = raw.get("early_stop", "median")
        out.early_stop = "none" if stop in (None, False, "none") else str(stop)
        if out.early_stop not in EARLY_STOPS:
            problems.append(msg("sweep.bad_early_stop", value=out.early_stop, accepted=", ".join(EARLY_STOPS)))
        for key, low in (("parallel", 1), ("min_steps", 0), ("min_trials", 1), ("seed", 0), ("trials", 0)):
            value = raw.get(key, getattr(out, key))
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_TRIALS * 1000:
                problems.append(msg("sweep.bad_whole_number", key=key, value=repr(value), low=low))
            else:
                setattr(out, key, value)
        params = raw.get("parameters")
        if not isinstance(params, dict) or not params:
            problems.append(msg("sweep.no_parameters"))
            params = {}
        for path, values in params.items():
            checked = _check_parameter(str(path), values, out.method, base, problems)
            if checked is not None:
                out.parameters[str(path)] = checked
        if out.method == "grid" and out.parameters and not problems:
            out.trials = math.prod(len(v) for v in out.parameters.values())
        elif out.method != "grid" and out.trials < 1 and "trials" not in raw:
            out.trials = 10
        if out.trials > MAX_TRIALS:
            problems.append(msg("sweep.too_many_trials", trials=out.trials, most=MAX_TRIALS))
        if problems:
            raise SweepError(problems)
        return out

    def grid(self) -> list[dict[str, Any]]:
        """Every combination (grid)."""
        keys = list(self.parameters)
        return [dict(zip(keys, combo)) for combo in itertools.product(*(self.parameters[k] for k in keys))]


def split_sweep(text: str) -> tuple[dict, dict | None]:
    """A spec YAML's mapping without its `sweep:` section, and that section (None when there is none)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}, None  # the spec reader says what is wrong
    if not isinstance(raw, dict):
        return raw, None
    return raw, raw.pop("sweep", None)


def overrides(params: dict[str, Any]) -> list[str]:
    """A trial's values as `--set` strings (JobSpec.with_overrides; values written as YAML)."""
    return [f"{path}={yaml.safe_dump(value, default_flow_style=True).strip().removesuffix('...').strip()}"
            for path, value in params.items()]


def apply(base: JobSpec, params: dict[str, Any]) -> JobSpec:
    """The job spec of one trial."""
    return base.with_overrides(overrides(params))


def _field_paths() -> list[str]:
    return [f"{s}.{f.name}" for s, cls in SECTIONS.items() for f in dataclasses.fields(cls)] + ["stage"]


def _check_parameter(path: str, values: Any, method: str, base: JobSpec, problems: list):
    """The values of one swept field (a list, or a range for random/tpe), each tried on the base spec."""
    paths = _field_paths()
    if path not in paths:
        import difflib

        close = difflib.get_close_matches(path, paths, n=1)
        problems.append(msg("sweep.bad_path", path=path, hint=msg("spec.did_you_mean", name=close[0]) if close else "",
                            example="training.learning_rate, method.lora_r"))
        return None
    if isinstance(values, dict):
        if method == "grid":
            problems.append(msg("sweep.range_in_grid", path=path))
            return None
        return _check_range(path, values, base, problems)
    if not isinstance(values, list) or not values:
        problems.append(msg("sweep.bad_values", path=path, value=repr(values)))
        return None
    ok = []
    values = [_yaml11_number(v) for v in values]
    for value in values:
        if _bad_value(path, value, base, problems):
            continue
        ok.append(value)
    if len(ok) < len(values):
        return None
    if len({repr(v) for v in ok}) < len(ok):
        problems.append(msg("sweep.repeated_value", path=path))
        return None
    return ok


def _check_range(path: str, values: dict, base: JobSpec, problems: list):
    extra = set(values) - {"low", "high", "log", "step"}
    low, high = values.get("low"), values.get("high")
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high))
    if extra or not numbers or low >= high or (values.get("log") and low <= 0):
        problems.append(msg("sweep.bad_range", path=path, value=repr(values)))
        return None
    if any(_bad_value(path, v, base, problems) for v in (low, high)):
        return None
    return dict(values)


def _bad_value(path: str, value: Any, base: JobSpec, problems: list) -> bool:
    """Whether `path`=`value` makes the base spec invalid (then the problem is added, with the spec's reason)."""
    try:
        apply(base, {path: value})
    except SpecError as e:
        reasons = "; ".join(str(i.message) for i in e.issues)
        problems.append(msg("sweep.bad_value", path=path, value=repr(value), reason=reasons))
        return True
    return False


def _yaml11_number(value: Any) -> Any:
    """1e-4 as a number: YAML 1.1 (PyYAML) reads a float without a dot as text."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value
