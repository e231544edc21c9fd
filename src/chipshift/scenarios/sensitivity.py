"""Global sensitivity of a linked market case: Sobol' first-order and total indices, with one-at-a-time swings
for reading. Pure computation over arrays.

What the indices say. For an output Y and a parameter X_i varied uniformly over its range with the others:

* first order S1_i = Var(E[Y | X_i]) / Var(Y): the share of Y's variance X_i explains alone;
* total ST_i = E[Var(Y | X_~i)] / Var(Y): the share left unexplained when every parameter but X_i is known,
  so it includes X_i's interactions. ST_i near 0 means X_i can be fixed anywhere in its range without
  changing Y; ST_i well above S1_i means X_i acts through interactions.

How. Saltelli's design (`SALib.sample.sobol.sample`, scrambled Sobol' sequence, first and total order only):
``n`` base points, each a block of ``D + 2`` rows (matrix A, A with column i from B for each i, B), so
``n (D + 2)`` evaluations; the estimators are Saltelli et al. (2010) and Jansen (1999) as implemented in
`SALib.analyze.sobol.analyze`, with 95% bootstrap half-widths. The one-at-a-time points (each parameter alone
at its low and high end, the others at the centre) and the centre itself ride in the same batched
evaluation, so a case is run once, in chunks.

Every ranged parameter (``high > low``) is varied, fitted or not: the question is how much each assumption
moves each headline, over the range the case declares for it. The centre, and so the one-at-a-time swings,
is the run as reported: defaults, fitted parameters at their fitted values.

No silent wrong answers: a draw whose output is undefined (NaN, e.g. a share of a market with no sales)
removes its whole Saltelli block (the estimators need A, B and every A_B^i of a base point); if more than
half of the blocks go, the indices are None with the reason. An output that does not vary over the ranges
has no variance to share out: its indices are None, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from SALib.analyze.sobol import analyze as salib_analyze
from SALib.sample.sobol import sample as salib_sample

from chipshift.scenarios.linked_case import Draws, FloatArray, Governed, LinkedCase, outputs, run
from chipshift.scenarios.market_analysis import base_draws

#: A batched model: one array per varied parameter (one value per draw) -> outputs x draws (or draws).
Evaluator = Callable[[Draws], FloatArray]

#: Draws run together (a linked case solves every quarter of a chunk in one batch).
SOBOL_CHUNK = 500
#: An output whose spread over all kept draws is at most this, relative to its size, does not vary: its
#: differences are the matching solver's rounding, and indices of them would be noise.
FLAT = 1e-9
#: Confidence level of the bootstrap half-widths.
CONF_LEVEL = 0.95
#: Bootstrap resamples for the half-widths.
RESAMPLES = 200


@dataclass(frozen=True)
class Indices:
    """One output's Sobol' indices, in the order of the varied parameters, with their bootstrap half-widths;
    all None with a `reason` where they cannot be estimated. `kept` base points of `n` were used."""

    first_order: tuple[float, ...] | None
    first_order_ci: tuple[float, ...] | None
    total: tuple[float, ...] | None
    total_ci: tuple[float, ...] | None
    kept: int
    n: int
    reason: str | None = None


@dataclass(frozen=True)
class Swings:
    """One output one parameter at a time: at the centre, and with each parameter alone at its low and its
    high end (NaN where the output is undefined)."""

    central: float
    at_low: tuple[float, ...]
    at_high: tuple[float, ...]


@dataclass(frozen=True)
class GlobalSensitivity:
    """Indices and swings of every output an evaluator returns, over the parameters in `names`."""

    names: tuple[str, ...]
    indices: tuple[Indices, ...]
    swings: tuple[Swings, ...]
    evaluations: int


def _problem(ranges: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [[lo, hi] for lo, hi in ranges.values()]}


def saltelli_points(ranges: Mapping[str, tuple[float, float]], n: int, seed: int) -> FloatArray:
    """Saltelli's design, ``n (D + 2)`` rows by ``D`` parameters, uniform over each ``(low, high)``; `n` must
    be a power of two (the balance of the Sobol' sequence)."""
    if n < 2 or n & (n - 1):
        raise ValueError(f"the number of base points must be a power of two (2, 4, 8, ...), not {n}")
    if not ranges or any(not hi > lo for lo, hi in ranges.values()):
        raise ValueError("every varied parameter needs a range with high > low")
    points = salib_sample(_problem(ranges), n, calc_second_order=False, scramble=True, seed=seed)
    return np.asarray(points, dtype=np.float64)


def one_at_a_time_points(ranges: Mapping[str, tuple[float, float]], centre: Mapping[str, float]) -> FloatArray:
    """``2 D + 1`` rows: the centre, then for each parameter in turn the centre with it at low, at high."""
    names = list(ranges)
    mid = np.array([centre[k] for k in names], dtype=np.float64)
    points = np.tile(mid, (2 * len(names) + 1, 1))
    for j, name in enumerate(names):
        points[1 + 2 * j, j], points[2 + 2 * j, j] = ranges[name]
    return points


def evaluate_in_chunks(evaluate: Evaluator, names: Sequence[str], points: FloatArray, chunk: int) -> FloatArray:
    """The evaluator over every row of `points` (draws x parameters), `chunk` rows per call: outputs x draws."""
    parts = []
    for start in range(0, len(points), chunk):
        block = points[start: start + chunk]
        values = np.asarray(evaluate({k: block[:, j].copy() for j, k in enumerate(names)}), dtype=np.float64)
        parts.append(np.atleast_2d(values))
    return np.concatenate(parts, axis=1)


def indices(y: FloatArray, names: Sequence[str], n: int, seed: int) -> Indices:
    """Sobol' first-order and total indices of one output over Saltelli's design (`y`: ``n (D + 2)`` values in
    the design's order). Blocks with a NaN are dropped; None with a reason when more than half are, or when
    the output does not vary. An index is a share of the output's variance, so an estimate that sampling
    error puts below 0 or above 1 is given as that bound; its half-width keeps the estimate's uncertainty."""
    d = len(names)
    blocks = np.asarray(y, dtype=np.float64).reshape(n, d + 2)
    whole = np.all(np.isfinite(blocks), axis=1)
    kept = int(whole.sum())
    dropped = n - kept
    if kept < max(2, (n + 1) // 2):
        return Indices(None, None, None, None, kept, n,
                       f"the output is undefined in {dropped} of {n} base points (e.g. a share of no sales)")
    y_kept = blocks[whole]
    scale = max(1.0, float(np.max(np.abs(y_kept))))
    if float(np.ptp(y_kept)) <= FLAT * scale:
        return Indices(None, None, None, None, kept, n, "the output does not vary over the parameters' ranges")
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    # a fresh generator per output: an output's half-widths do not depend on which outputs came before it
    result = salib_analyze(problem, y_kept.ravel(), calc_second_order=False, num_resamples=RESAMPLES,
                           conf_level=CONF_LEVEL, seed=np.random.default_rng(seed))
    reason = f"{dropped} of {n} base points dropped: the output is undefined there" if dropped else None

    def values(key: str) -> tuple[float, ...]:
        return tuple(float(v) for v in result[key])

    def shares(key: str) -> tuple[float, ...]:
        return tuple(min(1.0, max(0.0, v)) for v in values(key))

    return Indices(shares("S1"), values("S1_conf"), shares("ST"), values("ST_conf"), kept, n, reason)


def sobol_indices(evaluate: Evaluator, ranges: Mapping[str, tuple[float, float]], n: int = 64,
                  seed: int = 20261203, chunk: int = SOBOL_CHUNK,
                  centre: Mapping[str, float] | None = None) -> GlobalSensitivity:
    """Sobol' indices and one-at-a-time swings of every output of a batched `evaluate` over the parameters in
    `ranges` (name -> (low, high)), each uniform over its range. Saltelli's design (`n` base points, a power of
    two) and the one-at-a-time points around `centre` (default: the middle of each range) are evaluated
    together, `chunk` draws per call: ``n (D + 2) + 2 D + 1`` evaluations."""
    names = tuple(ranges)
    centre = centre if centre is not None else {k: (lo + hi) / 2 for k, (lo, hi) in ranges.items()}
    design = saltelli_points(ranges, n, seed)
    points = np.concatenate([design, one_at_a_time_points(ranges, centre)])
    values = evaluate_in_chunks(evaluate, names, points, chunk)
    m = len(design)
    found = tuple(indices(row[:m], names, n, seed) for row in values)
    swings = tuple(Swings(float(row[m]), tuple(float(v) for v in row[m + 1::2]),
                          tuple(float(v) for v in row[m + 2::2])) for row in values)
    return GlobalSensitivity(names, found, swings, len(points))


# -- linked cases ---------------------------------------------------------------------------------------------


def period_of(periods: Sequence[str], period: str | None) -> str:
    """The period asked for if the output has it, else its last whole year (calendar or fiscal), else its last
    period — as `linked_analysis.sensitivity` chooses."""
    if period in periods:
        return str(period)
    years = [p for p in periods if p.isdigit() or p.startswith("FY")]
    return years[-1] if years else periods[-1]


def varied(case: LinkedCase) -> dict[str, tuple[float, float]]:
    """Every parameter with a range (fitted or not): name -> (low, high)."""
    return {p.id: (p.low, p.high) for p in case.params.values() if p.high > p.low}


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def sobol(case: LinkedCase, governed: Governed, fitted: Mapping[str, float], headlines: Sequence[str],
          period: str | None = None, n: int = 64, seed: int = 20261203,
          chunk: int = SOBOL_CHUNK) -> list[dict[str, Any]]:
    """Sobol' first-order and total indices of each headline output in `period` (default: its last whole
    year) over every ranged parameter, uniform over its range, with each parameter's one-at-a-time values
    (at_low, at_high around the central run: defaults, fitted parameters at `fitted`) for a tornado chart.

    One row per output and parameter: output, period, unit, parameter, first_order, first_order_ci, total,
    total_ci (bootstrap 95% half-widths), central, at_low, at_high, swing, rank (1 = largest total index;
    by swing where the indices are None) and reason (None, or why indices are missing or fewer base points
    were used). Rows come by output (in `headlines` order), then rank. ``n (D + 2) + 2 D + 1`` model
    evaluations for D ranged parameters."""
    ranges = varied(case)
    centre_draws = base_draws(case, fitted, 1)
    central = outputs(case, run(case, governed, centre_draws), lambda name: name in headlines)
    wanted = [h for h in headlines if h in central]
    if not ranges or not wanted:
        return []
    at = {h: period_of(central[h][0], period) for h in wanted}
    rows_at = {h: central[h][0].index(at[h]) for h in wanted}

    def evaluate(draws: Draws) -> FloatArray:
        size = len(next(iter(draws.values())))
        full = base_draws(case, fitted, size) | draws
        out = outputs(case, run(case, governed, full), lambda name: name in rows_at)
        return np.stack([out[h][1][rows_at[h]] for h in wanted])

    centre = {k: float(centre_draws[k][0]) for k in ranges}
    found = sobol_indices(evaluate, ranges, n, seed, chunk, centre)
    rows: list[dict[str, Any]] = []
    for h, ix, sw in zip(wanted, found.indices, found.swings, strict=True):
        block: list[dict[str, Any]] = []
        for j, name in enumerate(found.names):
            lo, hi = sw.at_low[j], sw.at_high[j]
            block.append({
                "output": h, "period": at[h], "unit": central[h][2], "parameter": name,
                "first_order": None if ix.first_order is None else _round(ix.first_order[j]),
                "first_order_ci": None if ix.first_order_ci is None else _round(ix.first_order_ci[j]),
                "total": None if ix.total is None else _round(ix.total[j]),
                "total_ci": None if ix.total_ci is None else _round(ix.total_ci[j]),
                "central": _round(sw.central), "at_low": _round(lo), "at_high": _round(hi),
                "swing": _round(abs(hi - lo)), "rank": 0, "reason": ix.reason})
        block.sort(key=lambda r: (r["total"] is None, -(r["total"] or 0.0), r["swing"] is None, -(r["swing"] or 0.0)))
        for rank, row in enumerate(block, start=1):
            row["rank"] = rank
        rows += block
    return rows
