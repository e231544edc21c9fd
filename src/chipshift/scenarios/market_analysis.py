"""Calibration, Monte Carlo bands and sensitivity for a market case. Pure computation over arrays.

* Calibration: the parameters marked ``fit`` are chosen on a grid over their ranges (21 points each, fewer
  when several share a budget of 2,000; every grid point is one draw of a single batched run) to minimise
  the squared error against the observations marked ``fit``. A parameter is reported as *not pinned down*
  when grid points within 10% of the best error span more than half of its range. With no parameter marked
  ``fit``, or no observation to fit to, nothing is fitted (the parameters keep their defaults) and the RMSE
  is None, not NaN.
* Monte Carlo: the other parameters with a range are drawn uniformly and independently from it (seeded);
  draws run in chunks and only a fixed-size reservoir per output is kept, so memory stays flat in N.
* Sensitivity: each ranged parameter alone at its low and high end, the rest at their defaults (fitted
  values for fitted ones); parameters are ranked by how far they move each headline output.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chipshift.scenarios.market_case import MarketCase
from chipshift.scenarios.market_run import (
    Draws,
    FloatArray,
    HasParams,
    RuleContext,
    default_draws,
    outputs,
    simulate,
)

#: Told how many of the draws are done: ``progress(done, total)``.
Progress = Callable[[int, int], None]


GRID_POINTS = 21
GRID_BUDGET = 2_000  # most grid points in one calibration run (all parameters together)
CHUNK = 2_000
RESERVOIR = 20_000
BAND = (5.0, 50.0, 95.0)


@dataclass(frozen=True)
class Calibration:
    fitted: dict[str, float]  # empty when nothing is fitted
    pinned: dict[str, bool]
    rmse: float | None  # of the fitted model against the observations fitted to; None when nothing is fitted
    table: list[dict[str, Any]]  # observation, model, error per observation
    unfitted: str | None = None  # why nothing is fitted, when nothing is


def _observed(case: MarketCase, out: dict[str, tuple[tuple[int, ...], FloatArray]], fit_only: bool) -> tuple[
        list[Any], FloatArray, FloatArray]:
    rows, model, observed = [], [], []
    for obs in case.observations:
        if fit_only and not obs.fit:
            continue
        years, values = out[obs.output]
        if obs.year not in years:
            continue
        rows.append(obs)
        model.append(values[years.index(obs.year)])
        observed.append(obs.value)
    return rows, np.array(model), np.array(observed)


def grid_points(n_free: int) -> int:
    """Points per fitted parameter: GRID_POINTS, fewer when several parameters share the budget."""
    if n_free == 0:
        return 1
    return max(5, min(GRID_POINTS, int(GRID_BUDGET ** (1.0 / n_free))))


def calibrate(case: MarketCase, rules: RuleContext, grid: int | None = None) -> Calibration:
    free = [p for p in case.params.values() if p.fit]
    unfitted = None
    if not free:
        unfitted = "none is marked fit (the model runs at the parameters' defaults)"
    elif not any(o.fit for o in case.observations):
        unfitted = (f"no observation is marked fit, so {', '.join(p.id for p in free)} keep "
                    f"{'its default' if len(free) == 1 else 'their defaults'}")
        free = []
    grid = grid or grid_points(len(free))
    axes = [np.linspace(p.low, p.high, grid) for p in free]
    points = np.array(list(itertools.product(*axes))) if free else np.zeros((1, 0))
    draws = default_draws(case, len(points))
    for j, p in enumerate(free):
        draws[p.id] = points[:, j]
    out = outputs(simulate(case, rules, draws))
    _, model, observed = _observed(case, out, fit_only=True)
    if len(observed) == 0:
        best = 0
        sse = np.zeros(len(points))
    else:
        sse = ((model - observed[:, None]) ** 2).sum(axis=0)
        best = int(np.nanargmin(sse))
    fitted = {p.id: round(float(points[best, j]), 6) for j, p in enumerate(free)}
    near = sse <= sse[best] * 1.1 + 1e-9
    pinned = {p.id: bool(np.ptp(points[near, j]) <= 0.5 * (p.high - p.low)) for j, p in enumerate(free)}
    chosen = {**{k: v[best: best + 1] for k, v in draws.items()}}
    final = outputs(simulate(case, rules, chosen))
    rows, model1, _ = _observed(case, final, fit_only=False)
    table = [{"output": o.output, "year": o.year, "observed": o.value, "model": round(float(m[0]), 3),
              "error": round(float(m[0]) - o.value, 3), "fitted_to": o.fit, "fact": o.fact,
              "basis": o.basis or None, "source": o.source}
             for o, m in zip(rows, model1, strict=True)]
    errors = [r["error"] for r in table if r["fitted_to"]]
    rmse = float(np.sqrt(np.mean(np.square(errors)))) if errors and fitted else None
    return Calibration(fitted, pinned, rmse, table, unfitted)


def base_draws(case: HasParams, fitted: Mapping[str, float], size: int) -> Draws:
    """`size` draws of every parameter at its default, fitted ones at their fitted values."""
    draws = default_draws(case, size)
    for k, v in fitted.items():
        draws[k] = np.full(size, v)
    return draws


def ranged(case: HasParams) -> list[str]:
    """Parameters Monte Carlo varies: not fitted, with a range."""
    return [p.id for p in case.params.values() if not p.fit and p.high > p.low]


class Reservoir:
    """A fixed-size uniform sample of a stream of values (per output and period), seeded (Algorithm R)."""

    def __init__(self, shape: tuple[int, ...], size: int, rng: np.random.Generator,
                 dtype: type[np.floating[Any]] = np.float64) -> None:
        self.values = np.empty((size, *shape), dtype=dtype)
        self.size, self.seen, self.rng = size, 0, rng

    def add(self, batch: FloatArray) -> None:  # batch: draws x shape
        """Keep each new row with probability size / (rows seen so far); later rows replace earlier ones in
        order, as one at a time would."""
        free = max(0, min(self.size - self.seen, len(batch)))
        self.values[self.seen: self.seen + free] = batch[:free]
        rest = batch[free:]
        if len(rest):
            stream = self.seen + free + np.arange(len(rest))
            slots = (self.rng.random(len(rest)) * (stream + 1)).astype(np.int64)
            kept = np.flatnonzero(slots < self.size)
            # where two rows land in one slot the later stays: take each slot's last row
            last = len(kept) - 1 - np.unique(slots[kept][::-1], return_index=True)[1]
            self.values[slots[kept][last]] = rest[kept][last]
        self.seen += len(batch)

    def percentiles(self) -> FloatArray:
        kept = self.values[: min(self.seen, self.size)]
        return np.asarray(np.percentile(kept, BAND, axis=0))


def monte_carlo(case: MarketCase, rules: RuleContext, fitted: dict[str, float], n: int, seed: int = 20261125,
                chunk: int = CHUNK, progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """Bands (p5, median, p95) per output and year over ``n`` seeded draws of the ranged parameters."""
    return draw_bands(case, fitted, n, lambda draws: outputs(simulate(case, rules, draws)), seed=seed,
                      chunk=chunk, axis="years", progress=progress)


def draw_bands(case: HasParams, fitted: Mapping[str, float], n: int,
               evaluate: Callable[[Draws], Mapping[str, tuple[Sequence[Any], FloatArray]]], *, seed: int,
               chunk: int, axis: str, keep: int = RESERVOIR, dtype: type[np.floating[Any]] = np.float64,
               progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """Bands (p5, median, p95) per output and period over `n` seeded draws of the ranged parameters (uniform
    over their ranges, the rest at their defaults or fitted values), run `chunk` draws at a time through
    `evaluate` (draws -> output -> (periods, periods x draws)); `keep` draws per output are kept (a seeded
    reservoir), so memory stays flat in `n`. `progress(done, n)` is called after each chunk."""
    rng = np.random.default_rng(seed)
    varied = ranged(case)
    bands = Bands(keep, seed, dtype)
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        draws = base_draws(case, fitted, size)
        for name in varied:
            p = case.params[name]
            draws[name] = rng.uniform(p.low, p.high, size)
        for name, (periods, values) in evaluate(draws).items():
            bands.add(name, periods, values)
        if progress is not None:
            progress(start + size, n)
    return bands.result(axis)


class Bands:
    """p5, median and p95 per output and period over a stream of draws: a seeded fixed-size reservoir per output,
    so memory stays flat in the number of draws."""

    def __init__(self, keep: int, seed: int, dtype: type[np.floating[Any]] = np.float64) -> None:
        self.keep, self.seed, self.dtype = keep, seed, dtype
        self.reservoirs: dict[str, Reservoir] = {}
        self.periods: dict[str, list[Any]] = {}

    def add(self, name: str, periods: Sequence[Any], values: FloatArray) -> None:
        """One chunk of an output: ``values`` periods x draws."""
        if name not in self.reservoirs:
            self.reservoirs[name] = Reservoir((len(periods),), self.keep,
                                              np.random.default_rng(self.seed + len(self.reservoirs)), self.dtype)
            self.periods[name] = list(periods)
        self.reservoirs[name].add(values.T)

    def result(self, axis: str) -> dict[str, dict[str, Any]]:
        out = {}
        for name, res in self.reservoirs.items():
            pct = res.percentiles()
            out[name] = {axis: self.periods[name], "p5": pct[0].tolist(), "median": pct[1].tolist(),
                         "p95": pct[2].tolist(), "draws": res.seen, "kept": min(res.seen, res.size)}
        return out


def sensitivity(case: MarketCase, rules: RuleContext, fitted: dict[str, float],
                headlines: Sequence[str]) -> list[dict[str, Any]]:
    """How far each ranged parameter, alone at its low and high end, moves each headline output (last year)."""
    varied = ranged(case)
    if not varied:
        return []
    size = 2 * len(varied)
    draws = base_draws(case, fitted, size)
    for j, name in enumerate(varied):
        p = case.params[name]
        draws[name] = draws[name].copy()
        draws[name][2 * j], draws[name][2 * j + 1] = p.low, p.high
    out = outputs(simulate(case, rules, draws))
    rows: list[dict[str, Any]] = []
    for headline in headlines:
        if headline not in out:
            continue
        years, values = out[headline]
        last = values[-1]
        for j, name in enumerate(varied):
            lo, hi = float(last[2 * j]), float(last[2 * j + 1])
            rows.append({"output": headline, "year": years[-1], "parameter": name,
                         "at_low": round(lo, 3), "at_high": round(hi, 3), "swing": round(abs(hi - lo), 3)})
    rows.sort(key=lambda r: (r["output"], -r["swing"]))
    for headline in headlines:
        for rank, row in enumerate(r for r in rows if r["output"] == headline):
            row["rank"] = rank + 1
    return rows
