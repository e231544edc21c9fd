"""Bands and sensitivity for a market case. Pure computation over arrays.

* Bands: p5, median and p95 per output and period over a stream of draws (``Bands``): a seeded fixed-size
  reservoir per output, so memory stays flat in the number of draws. The draws come from a posterior
  (``market_posterior``, ``linked_analysis``).
* Sensitivity: each ranged parameter alone at its low and high end, the rest at given values (the posterior
  medians); parameters are ranked by how far they move each headline output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numba
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


CHUNK = 2_000
RESERVOIR = 20_000
BAND = (5.0, 50.0, 95.0)


def base_draws(case: HasParams, fitted: Mapping[str, float], size: int) -> Draws:
    """`size` draws of every parameter at its default, fitted ones at their fitted values."""
    draws = default_draws(case, size)
    for k, v in fitted.items():
        draws[k] = np.full(size, v)
    return draws


def ranged(case: HasParams) -> list[str]:
    """Parameters Monte Carlo varies: not fitted, with a range."""
    return [p.id for p in case.params.values() if not p.fit and p.high > p.low]


@numba.njit(cache=True)
def _replace_in_order(values: Any, rows: Any, draws: Any, first: int) -> None:
    """Algorithm R's replacements: row j, the stream's row ``first + j``, goes to slot ``floor(draws[j] (first +
    j + 1))`` when that is a slot of `values`, rows in order, so that where two land in one slot the later
    stays."""
    size = values.shape[0]
    for j in range(rows.shape[0]):
        slot = int(draws[j] * (first + j + 1))
        if slot < size:
            values[slot] = rows[j]


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
            _replace_in_order(self.values, np.asarray(rest, dtype=np.float64), self.rng.random(len(rest)),
                              self.seen + free)
        self.seen += len(batch)

    def percentiles(self) -> FloatArray:
        """`BAND`'s percentiles of the kept rows, ``(len(BAND), *shape)``: what ``np.percentile`` (linear) gives,
        to the bit, from one sort of each column along the draws rather than numpy's partition, which was
        several times slower on a reservoir's columns. Its interpolation is numpy's own: ``a + (b - a) g``,
        from the upper end ``b - (b - a) (1 - g)`` where the weight g is at least one half, in the precision of
        the weights (float64); a column with a NaN gives NaN."""
        kept = self.values[: min(self.seen, self.size)]
        n = len(kept)
        if n == 0 or kept.ndim != 2:
            return np.asarray(np.percentile(kept, BAND, axis=0))
        ordered = np.sort(kept.T, axis=1)  # (columns, draws); NaN sorts last
        where = (n - 1) * (np.asarray(BAND) / 100.0)
        low = np.floor(where).astype(np.intp)
        weight = (where - low)[:, None]
        below, above = ordered[:, low].T, ordered[:, np.minimum(low + 1, n - 1)].T
        with np.errstate(invalid="ignore"):
            gap = above - below
            out = np.add(below, gap * weight)
            np.subtract(above, gap * (1.0 - weight), out=out, where=np.broadcast_to(weight >= 0.5, out.shape),
                        casting="unsafe")
        out[:, np.isnan(ordered[:, -1])] = np.nan
        return np.asarray(out)


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
