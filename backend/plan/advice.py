"""Live advice from a run's curve: is it overfitting, stuck, spiking or blowing up, and what to do.

    from backend.plan.advice import advise
    for a in advise(store.read_metrics(job_id)):       # the monitor calls this every second
        print(a.severity, t[f"advice.{a.code}"].format(**a.params))   # texts: studio/i18n/advice.py

Pure Python (no torch: the UI imports it). Rows are metrics.jsonl lines; a row may carry only some
of step, loss, eval_loss, ... Losses of small batches are noisy, so every rule compares medians of
windows rather than single points, and says nothing until it has enough points to judge: a
normal falling curve gives no advice at all. The rules, each a function below:

    not_finite   a NaN or infinite loss or eval loss                              error
    diverging    the smoothed loss is now clearly above where it started and rising  error
    overfitting  the eval loss rose for 2 evaluations in a row (or is clearly above
                 its best) while the training loss kept falling                   warn
    spike        one loss several times the median of the points before it        warn
    flat         after 10+ points and 30%+ of the run (20+ points when the rows do
                 not say how far the run is) the smoothed loss moved < 2% (plus what
                 the noise allows) from its start                                 warn
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import median

START_POINTS = 5  # where the curve starts: the median of its first points
MIN_START = 0.1  # relative rules need a positive starting loss (grpo's sits near 0 by design)
MIN_POINTS_FLAT = 10  # logged training losses before "flat" may be said...
MIN_PROGRESS_FLAT = 0.3  # ...with this share of the run done (from the rows' elapsed_s and eta_s)
MIN_POINTS_FLAT_BLIND = 20  # without elapsed_s/eta_s: more points, as warm-up and noise can hide a fall
FLAT_FALL = 0.02  # a change smaller than this share of the starting loss (plus the noise's) is "flat"
FLAT_PRECISION = 0.10  # "flat" only when a fall of this share would have shown through the noise
MIN_POINTS_DIVERGE = 10
DIVERGE_RISE = 0.25  # the smoothed loss this much above its start is "diverging"...
DIVERGE_SIGMAS = 4  # ...and this many standard errors of (now - start) above it: beyond what noise does
SPIKE_FACTOR = 3.0  # a point this many times the running median is a spike...
SPIKE_MIN_JUMP = 0.5  # ...and at least this much above it (tiny late losses jitter by large factors)
SPIKE_WINDOW = 10  # points the running median looks back over
OVERFIT_RISE = 0.03  # two rises in a row must end this share above the best (small eval sets wobble)
OVERFIT_CLEAR = 0.05  # or: this share above the best, two evaluations or more after it

@dataclass(frozen=True)
class Advice:
    code: str  # "not_finite" | "overfitting" | "flat" | "spike" | "diverging"
    severity: str  # "error" | "warn"
    step: int | None  # where it was seen
    params: dict = field(default_factory=dict)  # numbers for the message template


def advise(metrics: list[dict]) -> list[Advice]:
    """Advice for the curve so far, errors first; [] when all looks normal or it is too early to say."""
    train = _series(metrics, "loss")
    evals = _series(metrics, "eval_loss")
    broken = _not_finite(train, evals)
    if broken:  # the rest of the curve means nothing once the loss is NaN
        return [broken]
    found = [_diverging(train), _overfitting(train, evals), _spike(train), _flat(train, _progress(metrics))]
    return [a for a in found if a is not None]


# -- the rules -------------------------------------------------------------------------------
def _not_finite(train: list[tuple], evals: list[tuple]) -> Advice | None:
    bad = [(step, name) for name, series in (("loss", train), ("eval_loss", evals))
           for step, v in series if not math.isfinite(v)]
    if not bad:
        return None
    step, name = min(bad, key=lambda b: (b[0] is None, b[0] or 0))
    return Advice("not_finite", "error", step, {"step": step, "metric": name})


def _diverging(train: list[tuple]) -> Advice | None:
    values = [v for _, v in train]
    k = _window(len(values))
    if len(values) < max(2 * k, MIN_POINTS_DIVERGE):
        return None
    start, now, before = median(values[:START_POINTS]), median(values[-k:]), median(values[-2 * k:-k])
    rise = max(DIVERGE_RISE, DIVERGE_SIGMAS * _se(_noise(values), START_POINTS, k))
    if start >= MIN_START and now > start * (1 + rise) and now > before:
        return Advice("diverging", "error", train[-1][0], {"start": _r(start), "now": _r(now), "step": train[-1][0]})
    return None


def _overfitting(train: list[tuple], evals: list[tuple]) -> Advice | None:
    if len(evals) < 3:
        return None
    values = [v for _, v in evals]
    i_best = min(range(len(values)), key=values.__getitem__)
    best, now = values[i_best], values[-1]
    best_step, step = evals[i_best][0], evals[-1][0]
    rose_twice = values[-3] < values[-2] < values[-1] and now > best * (1 + OVERFIT_RISE)
    clearly_above = now > best * (1 + OVERFIT_CLEAR) and i_best <= len(values) - 3
    if best <= 0 or not (rose_twice or clearly_above):
        return None
    if train:  # overfitting means memorising: the training loss still falls while the eval loss rises
        then, later = _train_level(train, best_step), _train_level(train, step)
        if then is None or later is None or later >= then:
            return None
    return Advice("overfitting", "warn", step, {"best_step": best_step, "best": _r(best), "now": _r(now),
                                                 "step": step})


def _spike(train: list[tuple]) -> Advice | None:
    spikes = []
    for i in range(5, len(train)):
        window = [v for _, v in train[max(0, i - SPIKE_WINDOW):i]]
        med, value = median(window), train[i][1]
        if med > 0 and value > SPIKE_FACTOR * med and value - med >= SPIKE_MIN_JUMP:
            spikes.append((train[i][0], value, med))
    if not spikes:
        return None
    step, value, med = spikes[-1]
    return Advice("spike", "warn", step, {"step": step, "value": _r(value), "median": _r(med),
                                          "ratio": round(value / med, 1), "count": len(spikes)})


def _flat(train: list[tuple], progress: float | None) -> Advice | None:
    values = [v for _, v in train]
    if progress is None and len(values) < MIN_POINTS_FLAT_BLIND:
        return None
    if len(values) < MIN_POINTS_FLAT or (progress is not None and progress < MIN_PROGRESS_FLAT):
        return None
    k, sigma = _window(len(values)), _noise(values)
    first, early, now = median(values[:START_POINTS]), median(values[:k]), median(values[-k:])
    se_early, se_first = _se(sigma, k, k), _se(sigma, START_POINTS, k)
    if first < MIN_START or early <= 0 or 2 * se_early > FLAT_PRECISION:  # too noisy to tell flat from slow
        return None
    if abs(now - early) / early > FLAT_FALL + 2 * se_early:  # it moved, down or up
        return None
    if (first - now) / first > FLAT_FALL + 2 * se_first:  # a fast fall, then level: the curve of a good run
        return None
    return Advice("flat", "warn", train[-1][0], {"start": _r(first), "now": _r(now),
                                                 "change_pct": round(100 * (now - first) / first, 1),
                                                 "points": len(values)})


# -- helpers ---------------------------------------------------------------------------------
def _series(rows: list[dict], key: str) -> list[tuple]:
    """[(step, value)] of the rows that carry a number under `key` (NaN and inf kept)."""
    out = []
    for row in rows:
        v = row.get(key) if isinstance(row, dict) else None
        if isinstance(v, str):  # "NaN" / "Infinity" written by a non-Python writer
            try:
                v = float(v)
            except ValueError:
                continue
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            step = row.get("step")
            out.append((int(step) if isinstance(step, (int, float)) and math.isfinite(step) else None, float(v)))
    return out


def _window(n: int) -> int:
    """Points in the window that says where the loss is now: a tenth of the curve, at least 5."""
    return max(5, n // 10)


def _noise(values: list[float]) -> float:
    """The relative batch-to-batch scatter of the loss (a standard deviation, e.g. 0.1 for +-10%), from
    consecutive differences: they hold little of the trend and all of the noise. Robust: a spike barely
    moves it. inf when there are too few points to say."""
    rel = [2 * (b - a) / (a + b) for a, b in zip(values, values[1:]) if a + b > 0]
    if len(rel) < 4:
        return math.inf
    mid = median(rel)
    return 1.4826 * median(abs(d - mid) for d in rel) / math.sqrt(2)


def _se(sigma: float, n1: int, n2: int) -> float:
    """Standard error of the relative difference of two window medians (a median's is 1.25 sigma/sqrt(n))."""
    return 1.2533 * sigma * math.sqrt(1 / n1 + 1 / n2)


def _train_level(train: list[tuple], step: int | None) -> float | None:
    """The median of the last 3 training losses logged at or before `step`."""
    before = [v for s, v in train if s is not None and step is not None and s <= step]
    return median(before[-3:]) if before else None


def _progress(rows: list[dict]) -> float | None:
    """Share of the run done, from the last row's elapsed_s and eta_s; None when unknown."""
    for row in reversed(rows):
        elapsed, eta = row.get("elapsed_s"), row.get("eta_s")
        if isinstance(elapsed, (int, float)) and isinstance(eta, (int, float)) and elapsed + eta > 0:
            return elapsed / (elapsed + eta)
    return None


def _r(x: float) -> float:
    return round(x, 4)
