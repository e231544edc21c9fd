"""Calibration, Monte Carlo bands and sensitivity for a linked market case. Pure computation over arrays.

* Calibration: the parameters marked ``fit`` are chosen on a grid over their ranges (all grid points in one
  batched run) to minimise the squared *relative* error against the observations marked ``fit`` (outputs mix
  percent, money and price indices, so each error is taken relative to its observed value).
* Monte Carlo: the other ranged parameters are drawn uniformly from their ranges (seeded), in chunks; a
  fixed-size reservoir per output (`LINKED_RESERVOIR` draws) keeps memory flat in the number of draws.
* Sensitivity is global (Sobol' indices): ``chipshift.scenarios.sensitivity``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from chipshift.scenarios.linked_case import (
    Draws,
    FloatArray,
    Governed,
    LinkedCase,
    default_draws,
    demand,
    observed,
    outputs,
    run,
)
from chipshift.scenarios.market_analysis import Progress, base_draws, draw_bands, grid_points

Outputs = dict[str, tuple[tuple[str, ...], FloatArray, str]]

#: Draws kept per output for the bands: a linked case has scores of outputs by quarter and year, so fewer
#: than the single-market runner keeps (the 5th percentile of 4,000 draws is within about 0.7 points of
#: percentile rank), and in single precision.
LINKED_RESERVOIR = 4_000
#: Draws run together: every quarter of a chunk is solved in one batch, so chunks are smaller than the
#: single-market runner's.
LINKED_CHUNK = 500


@dataclass(frozen=True)
class Calibration:
    fitted: dict[str, float]
    pinned: dict[str, bool]
    error: float | None  # root mean squared relative error over the fitted observations; None: nothing fitted
    table: list[dict[str, Any]]


def evaluate(case: LinkedCase, governed: Governed, draws: Draws) -> Outputs:
    return outputs(case, run(case, governed, draws))


def calibrate(case: LinkedCase, governed: Governed, grid: int | None = None) -> Calibration:
    """Grid calibration of the parameters marked fit; with no observation marked fit nothing is fitted (the
    parameters keep their defaults)."""
    has_targets = any(o.fit for o in case.observations)
    free = [p for p in case.params.values() if p.fit] if has_targets else []
    grid = grid or grid_points(len(free))
    axes = [np.linspace(p.low, p.high, grid) for p in free]
    points = np.array(list(itertools.product(*axes))) if free else np.zeros((1, 0))
    draws = default_draws(case, len(points))
    for j, p in enumerate(free):
        draws[p.id] = points[:, j]
    best = 0
    sse = np.zeros(len(points))
    if free:
        _, model, seen = observed(case, evaluate(case, governed, draws), fit_only=True)
        if len(seen):
            rel = (model - seen[:, None]) / np.where(seen[:, None] != 0, np.abs(seen[:, None]), 1.0)
            sse = np.nansum(rel**2, axis=0)
            best = int(np.nanargmin(sse))
    fitted = {p.id: round(float(points[best, j]), 6) for j, p in enumerate(free)}
    near = sse <= sse[best] * 1.1 + 1e-12
    pinned = {p.id: bool(np.ptp(points[near, j]) <= 0.5 * (p.high - p.low)) for j, p in enumerate(free)}
    chosen = {k: v[best: best + 1] for k, v in draws.items()}
    rows, model1, _ = observed(case, evaluate(case, governed, chosen), fit_only=False)
    table = [{"output": o.output, "period": o.period, "observed": o.value, "model": round(float(m[0]), 4),
              "error": round(float(m[0]) - o.value, 4), "fitted_to": o.fit, "source": o.source}
             for o, m in zip(rows, model1, strict=True)]
    fitted_rel = [float(m[0]) / o.value - 1.0 for o, m in zip(rows, model1, strict=True) if o.fit and o.value]
    error = float(np.sqrt(np.mean(np.square(fitted_rel)))) if free and fitted_rel else None
    return Calibration(fitted, pinned, error, table)


def monte_carlo(case: LinkedCase, governed: Governed, fitted: dict[str, float], n: int, seed: int = 20261125,
                chunk: int = LINKED_CHUNK, progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """Bands (p5, median, p95) per output and period over `n` seeded draws of the ranged parameters."""
    central = demand(case, governed, base_draws(case, fitted, 1))  # every draw starts matching from here

    def evaluate(draws: Draws) -> dict[str, tuple[tuple[str, ...], FloatArray]]:
        return {k: (p, v) for k, (p, v, _) in outputs(case, run(case, governed, draws, central)).items()}

    return draw_bands(case, fitted, n, evaluate, seed=seed, chunk=chunk, axis="periods",
                      keep=LINKED_RESERVOIR, dtype=np.float32, progress=progress)
