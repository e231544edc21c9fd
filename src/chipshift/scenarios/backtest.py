"""Back-tests: an episode (a linked case set up with what was known on its ``as_of`` date) calibrated on its
observations, then scored on the outcomes observed afterwards. Pure computation; loading is in ``chipshift.api``.

For each episode:

1. **Calibrate** on the observations marked fit (all before ``as_of``), over the quarters up to the last of
   them: a posterior over every ranged parameter and the model error (``chipshift.scenarios.posterior``).
2. **Predict** each outcome from posterior draws over the whole run. The model gives the *change* from the
   outcome's reference period (its ratio ``model(period) / model(from)``, or its difference when the model's
   reference value is 0), applied to the observed reference level. The model's error and the outcome
   figure's own error are drawn on top, which makes it a posterior predictive sample of the published
   figure. The model's error is its track record: learned from the *other* episodes' outcomes (leave one
   episode out, ``error_model``: Student-t, its scale growing with the square root of the years since
   as_of).
3. **Score** the observed change against the sample of predicted changes: direction (the median's sign),
   size (median within +/-50% of the observed change), whether the 50% and 90% central intervals hold it,
   the CRPS and the 90% interval score (both on log levels, log-odds for percentages: unitless, so episodes
   in different units can be averaged, and finite under the heavy-tailed error).
"""

from __future__ import annotations

import math
import statistics
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from chipshift.domain.period import Period, moment_text, parse_moment
from chipshift.errors import DataError, Problem
from chipshift.market.errors import ConvergenceError
from chipshift.scenarios import linked_case as linked
from chipshift.scenarios.linked_case import Draws, FloatArray, Governed, LinkedCase
from chipshift.scenarios.market_analysis import Progress
from chipshift.scenarios.market_case_check import linked_output
from chipshift.scenarios.market_run import HasParams, default_draws
from chipshift.scenarios.posterior import (
    IMPORTANCE_DRAWS,
    LITERAL_ERROR,
    STATUS_ERROR,
    Posterior,
    Prior,
    Target,
    combine,
    model_error_prior,
    sample,
)

#: Posterior predictive draws per episode, and how many are run together.
PREDICTIVE_DRAWS = 1_000
CHUNK = 500
#: Outcomes less than this many years after as_of count as this far (a quarter) for the model error.
MIN_HORIZON = 0.25
#: Degrees of freedom the track record's error may have (inf: normal), chosen with its scale.
ERROR_DOF = (1.0, 2.0, 3.0, 5.0, 10.0, 30.0, math.inf)
#: The resolution of a published figure, below which a level counts at it: half a percentage point of a share
#: (trackers round shares to a point or half a point), half a percent of the reference level otherwise. A
#: model share of 0 is then a miss by the distance to 0.5%, not by an arbitrary depth in log-odds.
LEVEL_FLOOR = 0.005
#: The largest model error per square-root year the track record may give (in logs: a factor of e^3).
MAX_ERROR_SCALE = 3.0
#: Size counts as right when the median change is within this part of the observed change.
SIZE_TOLERANCE = 0.5
#: What the bundled library should reach (shown beside the scorecard): direction and size hit rates, and the
#: share of outcomes the 90% intervals hold (too wide is a failure too).
DIRECTION_TARGET = 0.8
SIZE_TARGET = 0.6
COVERAGE90_TARGET = (0.8, 0.97)



@dataclass(frozen=True)
class EpisodeJob:
    """Everything an episode's back-test needs, with no store: picklable, so it runs on any worker."""

    file: str
    case: LinkedCase  # the whole run
    governed: Governed
    fit_case: LinkedCase  # the run up to the last fitted observation
    fit_governed: Governed
    errors: Mapping[str, float]  # source (fact id or literal basis) -> error of the figure (sd of the log)
    conditioned_on: tuple[str, ...] = ()  # rules announced after as_of that the run assumes


@dataclass(frozen=True)
class OutcomeScore:
    output: str
    period: str
    reference: str
    reference_value: float  # at the outcome period's length (a year's flow, for a quarter: a quarter of it)
    observed: float
    source: str
    observed_change: float
    model_value: float  # the run's own value at the posterior median of its change
    median: float  # predicted change
    p5: float
    p25: float
    p75: float
    p95: float
    direction_hit: bool | None  # None: no observed change
    within_size: bool
    in50: bool
    in90: bool
    crps: float  # on log levels (log-odds for percentages)
    interval_score: float  # of the 90% interval, on the same scale
    horizon: float  # years from the episode's as_of to the middle of the outcome's period, at least MIN_HORIZON


@dataclass(frozen=True)
class Prediction:
    """An outcome's posterior predictive levels before the model error is drawn on top."""

    outcome: linked.Outcome
    levels: FloatArray  # the observed reference level times the model's change, per posterior draw
    model_error: FloatArray  # the posterior's model error, per draw
    figure_error: float  # the outcome figure's own error (sd of the log)
    horizon: float  # years from as_of to the middle of the outcome's period
    model_value: float  # the run's own median value in the outcome's period
    percent: bool = False  # a percentage (0-100): errors act on its log-odds, so it stays in range
    span: float = 1.0  # a flow's outcome period over its reference period, in quarters (a quarter from a year: 1/4)

    def scaled(self, x: FloatArray | float) -> FloatArray:
        """Where changes and errors act: log-odds of a percentage, else the log. Levels below what a published
        figure resolves count at that resolution (``LEVEL_FLOOR``): a share of 0.5 points, a level of 0.5% of
        the reference level at the outcome period's length."""
        return _scaled(np.asarray(x, dtype=np.float64), self.percent, self.outcome.reference_value * self.span)

    def unscaled(self, y: FloatArray) -> FloatArray:
        return _unscaled(y, self.percent)


def _unscaled(y: FloatArray, percent: bool) -> FloatArray:
    y = np.clip(y, -700.0, 700.0)  # a heavy-tailed draw far out is a huge level, not an overflow
    return np.asarray(100.0 / (1.0 + np.exp(-y)) if percent else np.exp(y))


def apply_change(level: float, at: FloatArray, ref: FloatArray, percent: bool) -> FloatArray:
    """The observed reference `level` moved by the model's change from `ref` to `at` (per draw): in log-odds
    for a percentage, in logs otherwise, each level floored at what a figure resolves (``LEVEL_FLOOR``)."""
    floor = float(np.median(ref))
    change = _scaled(at, percent, floor) - _scaled(ref, percent, floor)
    return _unscaled(_scaled(np.array([level]), percent, level) + change, percent)


def _scaled(v: FloatArray, percent: bool, reference: float) -> FloatArray:
    if percent:
        q = np.clip(v / 100.0, LEVEL_FLOOR, 1.0 - LEVEL_FLOOR)
        return np.asarray(np.log(q / (1.0 - q)))
    return np.asarray(np.log(np.maximum(v, LEVEL_FLOOR * abs(reference))))


@dataclass(frozen=True)
class EpisodeResult:
    file: str
    name: str
    mechanism: str
    as_of: str
    summary: str
    posterior: Posterior
    targets: tuple[Target, ...]
    predictions: tuple[Prediction, ...]
    conditioned_on: tuple[str, ...]
    seconds: float
    written: str | None = None  # when its outcomes were written down (a day, or a day and UTC time), if said


@dataclass(frozen=True)
class EpisodeScores:
    result: EpisodeResult
    outcomes: tuple[OutcomeScore, ...]
    error: ErrorModel | None  # the model error learned from the other episodes
    error_from: int  # how many other episodes it was learned from (0: the episode's own posterior)


def priors(case: HasParams) -> list[Prior]:
    """A PERT prior per ranged parameter, mode at its default, then the model error's."""
    out = [Prior(p.id, p.low, p.default, p.high) for p in case.params.values() if p.high > p.low]
    return [*out, model_error_prior()]


def targets(case: LinkedCase, errors: Mapping[str, float]) -> list[Target]:
    """The fitted observations as targets, one per output and period."""
    groups: dict[tuple[str, str], list[tuple[float, float, str]]] = {}
    for obs in case.observations:
        if obs.fit and obs.value > 0.0:
            groups.setdefault((obs.output, obs.period), []).append(
                (obs.value, errors.get(obs.source, LITERAL_ERROR), obs.source))
    return [combine(output, period, figures) for (output, period), figures in groups.items()]


def error_of(status: str | None) -> float:
    """A published figure's error (sd of the log) from what kind of number it is."""
    return STATUS_ERROR.get(status or "", LITERAL_ERROR)


def _with(case: HasParams, sampled: Draws, size: int) -> Draws:
    """Every parameter at its default, the sampled ones (the case's own) as drawn."""
    return default_draws(case, size) | {k: v for k, v in sampled.items() if k in case.params}


def _values(case: LinkedCase, governed: Governed, draws: Draws, wanted: Sequence[tuple[str, str]],
            start: FloatArray | None = None) -> FloatArray:
    """Model values ``(wanted, draws)`` of (output, period) pairs (NaN where the run has none, and for draws
    whose markets do not clear: a batch that fails is split until the failing draws are found)."""
    size = len(next(iter(draws.values()))) if draws else 1
    names = {output for output, _ in wanted}
    try:
        out = linked.outputs(case, linked.run(case, governed, draws, start), names.__contains__)
    except ConvergenceError:
        if size == 1:
            return np.full((len(wanted), 1), np.nan)
        half = size // 2
        return np.concatenate([_values(case, governed, {k: v[:half] for k, v in draws.items()}, wanted, start),
                               _values(case, governed, {k: v[half:] for k, v in draws.items()}, wanted, start)],
                              axis=1)
    rows = np.full((len(wanted), size), np.nan)
    for i, (output, period) in enumerate(wanted):
        got = out.get(output)
        if got is not None and period in got[0]:
            rows[i] = got[1][got[0].index(period)]
    return rows


def run_episode(job: EpisodeJob, *, draws: int = PREDICTIVE_DRAWS, steps: int = 300, seed: int = 20261203,
                progress: Progress | None = None, calibration_draws: int = IMPORTANCE_DRAWS) -> EpisodeResult:
    """Calibrate an episode on its observations, predict its outcomes, score them. ``calibration_draws`` prior
    draws per round of importance sampling, whose effective sample must reach a quarter of them
    (``posterior.sample``; the default's quarter is ``MIN_IMPORTANCE_ESS``)."""
    import time

    started = time.perf_counter()
    case = job.case
    episode = case.episode
    if episode is None:
        raise ValueError(f"{job.file} is not an episode (no `episode:` block)")
    fitted = targets(case, job.errors)
    wanted = [(t.output, t.period) for t in fitted]
    fit_case, fit_governed = job.fit_case, job.fit_governed

    # every draw's demand matching starts from the central draw's (fewer rounds; the same answer to within
    # the matching tolerance)
    fit_start = linked.demand(fit_case, fit_governed, _with(fit_case, {}, 1))

    def model(sampled: Draws) -> FloatArray:
        size = len(next(iter(sampled.values()))) if sampled else 1
        return _values(fit_case, fit_governed, _with(fit_case, sampled, size), wanted, fit_start)

    try:
        posterior = sample(priors(case), model, fitted, prior_draws=calibration_draws, min_ess=calibration_draws / 4,
                           steps=steps, seed=seed, progress=progress)
    except ValueError as exc:
        raise DataError([Problem(str(exc), job.file, field="observations")]) from None
    rng = np.random.default_rng(seed + 1)
    chosen = posterior.draws(draws, rng)
    pairs = [(o.output, p) for o in episode.outcomes for p in (o.period, o.reference)]
    start = linked.demand(case, job.governed, _with(case, {}, 1))
    values = np.concatenate([
        _values(case, job.governed, _with(case, {k: v[i:i + CHUNK] for k, v in chosen.items()},
                                          min(CHUNK, draws - i)), pairs, start)
        for i in range(0, draws, CHUNK)], axis=1)
    predictions = []
    for k, outcome in enumerate(episode.outcomes):
        at, ref = values[2 * k], values[2 * k + 1]
        spec = linked_output(outcome.output)
        percent = spec is not None and spec.unit == "pct"
        ok = np.isfinite(at) & np.isfinite(ref) & (ref > 0.0)
        if not ok.any():
            raise DataError([Problem(f"the model gives no value of {outcome.output} in {outcome.reference} (or "
                                     f"{outcome.period}) to measure a change from", job.file,
                                     field="outcomes")])
        predicted = np.full(len(at), np.nan)
        predicted[ok] = apply_change(outcome.reference_value, at[ok], ref[ok], percent)
        middle = case.period_middle(outcome.output, outcome.period)
        horizon = max((middle - episode.as_of).days / 365.25, MIN_HORIZON)
        flow = spec is not None and spec.unit in FLOW_UNITS
        predictions.append(Prediction(outcome, predicted, chosen["model_error"],
                                      job.errors.get(outcome.source, LITERAL_ERROR), horizon,
                                      float(np.nanmedian(at)), percent,
                                      span_of(outcome.period, outcome.reference) if flow else 1.0))
    return EpisodeResult(job.file, case.name, episode.mechanism, episode.as_of.isoformat(), episode.summary,
                         posterior, tuple(fitted), tuple(predictions), job.conditioned_on,
                         time.perf_counter() - started,
                         None if episode.written is None else moment_text(episode.written))


@dataclass(frozen=True)
class ErrorModel:
    """The model's error on outcomes it was not fitted to (in logs; log-odds for percentages): Student-t with
    `dof` degrees of freedom (inf: normal) and scale ``scale * sqrt(years since as_of)``; and the factor by which
    predictive draws are then `stretch`ed about their median so that 90% bands hold 90% of the outcomes
    (``stretch_of``; 1 leaves them as drawn)."""

    scale: float
    dof: float
    stretch: float = 1.0

    def draw(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Standard draws of its shape (to be multiplied by the scale)."""
        if math.isinf(self.dof):
            return rng.standard_normal(size)
        return rng.standard_t(self.dof, size)


#: The largest move the error model makes (in logs): its heavy tails would otherwise reach factors no float
#: holds; e^12 is a factor of some 160,000.
MAX_SHOCK = 12.0


def with_model_error(values: FloatArray, percent: bool, years: FloatArray, later: npt.NDArray[np.bool_],
                     error: ErrorModel, own: FloatArray, rng: np.random.Generator) -> FloatArray:
    """``values`` (periods x draws) moved by the model's error, in logs (log-odds for a percentage). A period
    after the case's knowledge ends (`later`) takes one draw of the track record's error per draw, scaled by the
    square root of its `years` from there (at least ``MIN_HORIZON``); one by then takes the model error each
    draw's posterior gives (`own`, normal). Zeros and undefined values stay as they are: the error model has
    nothing to say of a level the model puts at nothing."""
    n = values.shape[1]
    span = np.maximum(years, MIN_HORIZON)[:, None]
    raw = np.where(later[:, None], error.scale * np.sqrt(span) * error.draw(rng, n)[None, :],
                   own[None, :] * rng.standard_normal(size=(1, n)))
    shock = np.clip(raw, -MAX_SHOCK, MAX_SHOCK)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if percent:
            q = values / 100.0
            moved = 100.0 / (1.0 + np.exp(-(np.log(q / (1.0 - q)) + shock)))
            ok = (q > 0.0) & (q < 1.0)
        else:
            moved = values * np.exp(shock)
            ok = values > 0.0
    return np.asarray(np.where(ok & np.isfinite(moved), moved, values))


def _log_t(r: FloatArray, var: FloatArray, dof: float) -> FloatArray:
    """Log density of residuals ``r`` under Student-t (normal when dof is inf) with squared scale ``var``."""
    if math.isinf(dof):
        return np.asarray(-0.5 * (r**2 / var + np.log(2.0 * math.pi * var)))
    const = math.lgamma((dof + 1.0) / 2.0) - math.lgamma(dof / 2.0) - 0.5 * math.log(dof * math.pi)
    return np.asarray(const - 0.5 * np.log(var) - (dof + 1.0) / 2.0 * np.log1p(r**2 / (dof * var)))


#: The scales ``error_model`` chooses among (in logs, per square root of a year).
ERROR_SCALES = np.linspace(0.0, MAX_ERROR_SCALE, 601)


def residuals(predictions: Sequence[Prediction]) -> list[tuple[Prediction, tuple[float, float, float, float]]]:
    """Each usable prediction with what the model error is learned from: the observed level less the median
    predicted one, the predicted levels' variance, the figure's error squared and the horizon (in logs, log-odds
    for percentages). A prediction with no observed level or fewer than two predicted ones is left out."""
    out = []
    for p in predictions:
        logs = p.scaled(p.levels)
        logs = logs[np.isfinite(logs)]
        seen = float(p.scaled(p.outcome.value))
        if math.isfinite(seen) and len(logs) > 1:
            out.append((p, (seen - float(np.median(logs)), float(np.var(logs)), p.figure_error**2, p.horizon)))
    return out


def error_model(predictions: Sequence[Prediction]) -> ErrorModel | None:
    """The model's error learned by maximum likelihood from outcomes it was not fitted to: each observed
    level less the median predicted one (in logs; log-odds for percentages) is Student-t with squared scale
    the spread of the predicted levels, plus the figure's error squared, plus ``scale^2 * horizon``. Scale
    and degrees of freedom (``ERROR_DOF``) are chosen together: heavy tails when the model now and then misses
    by far. None without usable outcomes."""
    return _fitted([row for _, row in residuals(predictions)])


def _fitted(rows: Sequence[tuple[float, float, float, float]]) -> ErrorModel | None:
    """``error_model`` of the residual rows ``residuals`` gives."""
    if not rows:
        return None
    r, v, f, h = (np.array(x) for x in zip(*rows, strict=True))
    grid = ERROR_SCALES[:, None]
    var = np.maximum(v[None, :] + f[None, :] + grid**2 * h[None, :], 1e-12)
    best: tuple[float, float, float] = (-math.inf, 0.0, math.inf)
    for dof in ERROR_DOF:
        loglik = np.sum(_log_t(r[None, :], var, dof), axis=1)
        k = int(np.argmax(loglik))
        if loglik[k] > best[0]:
            best = (float(loglik[k]), float(grid[k, 0]), dof)
    return ErrorModel(best[1], best[2])


def episode_seed(seed: int, name: str) -> int:
    """An episode's own seed: the run's seed and its name, so adding or reordering episodes changes no other
    episode's numbers."""
    return seed + zlib.crc32(name.encode()) % 1_000_003


#: Outputs that add up over time (spending, receipts, quantities delivered), whose level over a year is four
#: quarters' levels; shares, prices and indices do not.
FLOW_UNITS = frozenset({"value_unit", "seller_quantity"})
_QUARTER_DAYS = 365.25 / 4


def span_of(period: str, reference: str) -> float:
    """How many of the reference period's lengths the outcome's period is, counted in whole quarters (a quarter
    from a year: 1/4; a year from a quarter: 4; a year from a year: 1)."""
    def quarters(label: str) -> int:
        p = Period.parse(label)
        return max(1, round(((p.end - p.start).days + 1) / _QUARTER_DAYS))
    return quarters(period) / quarters(reference)


#: The bands' coverage level: each episode's predictive draws are stretched about their median so that its 90%
#: band would have held this share of the other episodes' outcomes (split conformal, leave one episode out).
BAND_LEVEL = 0.9


def conformity(p: Prediction, logs: FloatArray, level: float = BAND_LEVEL) -> float | None:
    """How far outside its own central band (90% by default) an outcome lies: the distance from the draws' median to
    the observed level over the distance from the median to the band's end (the 5% or 95% point at 90%), on the side
    it lies (on the scores' scale); 1 is the band's edge. None when there are too few draws."""
    finite = logs[np.isfinite(logs)]
    seen = float(p.scaled(p.outcome.value))
    if len(finite) < 2 or not math.isfinite(seen):
        return None
    tail = round(50.0 * (1.0 - level), 9)
    low, middle, high = (float(v) for v in np.percentile(finite, [tail, 50, 100.0 - tail]))
    return (seen - middle) / max(high - middle, 1e-9) if seen >= middle else (middle - seen) / max(middle - low, 1e-9)


def stretch_of(scores: Sequence[float], level: float = BAND_LEVEL) -> float:
    """The ``level`` quantile of conformity scores, (n + 1)-corrected: the factor that makes a band hold that share
    of the outcomes they come from; 1 with none."""
    ranked = sorted(scores)
    return ranked[min(len(ranked) - 1, math.ceil((len(ranked) + 1) * level) - 1)] if ranked else 1.0


def score_library(results: Sequence[EpisodeResult], seed: int = 20261203,
                  reference: Sequence[EpisodeResult] = ()) -> list[EpisodeScores]:
    """Score every episode's outcomes. Each episode's predictions get the model error learned from the other
    episodes' outcomes (``error_model``: leave the episode out, and any outcome that cites one of its own
    outcomes' sources), growing with the square root of the time from its as_of date, and its draws are then
    stretched about their median by ``stretch_of`` the other episodes' conformity scores, so that its 90% bands
    would have held 90% of their outcomes (adopted on 8 December 2026 by the rule docs/backtest.md gives).
    ``reference`` episodes only lend their outcomes to the error and the stretch. With no other episode, the error
    is the one its own posterior drew (``model_error``), which knows nothing of the model's track record, and the
    draws are not stretched."""
    pool = [*results, *reference]
    drawn, scored_by = _predictive_pool(pool, seed)
    out = []
    for result in results:
        learned, lenders, logs = drawn[result.name]
        factor = stretch_of([c for name, c in scored_by if name != result.name])
        scores = []
        for p, draws in zip(result.predictions, logs, strict=True):
            ok = np.isfinite(draws)
            middle = float(np.median(draws[ok])) if ok.any() else 0.0
            predicted = p.unscaled(middle + factor * (draws - middle))
            scores.append(score(p.outcome, predicted - p.outcome.reference_value * p.span, p.model_value, p.scaled,
                                horizon=p.horizon, span=p.span))
        out.append(EpisodeScores(result, tuple(scores), learned, lenders if learned is not None else 0))
    return out


def _predictive_pool(pool: Sequence[EpisodeResult], seed: int
                     ) -> tuple[dict[str, tuple[ErrorModel | None, int, list[FloatArray]]], list[tuple[str, float]]]:
    """Each episode's predictive draws (in logs) with the model error learned from the others (and how many
    lent outcomes), and every outcome's conformity score by episode name."""
    # each prediction's residual, worked out once: every episode's error is learned from nearly all of them
    usable = {id(p): row for p, row in residuals([p for r in pool for p in r.predictions])}
    drawn: dict[str, tuple[ErrorModel | None, int, list[FloatArray]]] = {}
    for result in pool:
        learned, lenders = error_left_out(result, pool, usable)
        rng = np.random.default_rng(episode_seed(seed, result.name) + 1)
        drawn[result.name] = (learned, lenders, [predictive_logs(p, learned, rng) for p in result.predictions])
    scored_by = [(r.name, c) for r in pool for p, logs in zip(r.predictions, drawn[r.name][2], strict=True)
                 if (c := conformity(p, logs)) is not None]
    return drawn, scored_by


def library_stretch(results: Sequence[EpisodeResult], seed: int = 20261203) -> float:
    """The stretch a case outside the library gets: ``stretch_of`` the conformity scores of every episode's
    outcomes, each episode's draws carrying the error learned from the others, as ``score_library`` draws them."""
    return stretch_of([c for _, c in _predictive_pool(results, seed)[1]])


def stretched(low: float, middle: float, high: float, factor: float, percent: bool) -> tuple[float, float]:
    """A band's ends stretched about its median by ``factor`` where the draws are stretched (in logs; log-odds
    for a percentage): the same as stretching every draw, as a stretch keeps the draws' order. An end at zero
    (or at 0 or 100 for a percentage) stays where it is, as the error model leaves such levels."""
    def scale(v: float) -> float | None:
        if percent:
            return math.log(v / (100.0 - v)) if 0.0 < v < 100.0 else None
        return math.log(v) if v > 0.0 else None

    m = scale(middle)
    if m is None or factor == 1.0:
        return low, high
    ends = []
    for v in (low, high):
        y = scale(v)
        ends.append(v if y is None else float(_unscaled(np.array(m + factor * (y - m)), percent)))
    return ends[0], ends[1]


def stretch_band(band: dict[str, Any], later: Sequence[bool], factor: float, percent: bool) -> None:
    """A band (``p5``, ``median``, ``p95`` lists by period) stretched in place by ``stretched`` at the periods
    marked ``later`` (after the case's knowledge ends)."""
    for i, after in enumerate(later):
        if after:
            band["p5"][i], band["p95"][i] = stretched(band["p5"][i], band["median"][i], band["p95"][i], factor,
                                                      percent)


def error_left_out(result: EpisodeResult, pool: Sequence[EpisodeResult],
                   usable: Mapping[int, tuple[float, float, float, float]]) -> tuple[ErrorModel | None, int]:
    """The model error an episode's predictions get: learned from the ``pool``'s other episodes (leaving out any
    outcome that cites one of its own outcomes' sources), from their residual rows ``usable`` (by prediction id, as
    ``residuals`` gives them); and how many episodes lent outcomes."""
    own = {p.outcome.source for p in result.predictions}
    lenders = [r for r in pool if r.file != result.file]
    others = [p for r in lenders for p in r.predictions if p.outcome.source not in own]
    learned = _fitted([usable[id(p)] for p in others if id(p) in usable]) if others else None
    return learned, len(lenders)


def predictive_logs(p: Prediction, learned: ErrorModel | None, rng: np.random.Generator) -> FloatArray:
    """An outcome's predictive draws in logs (log-odds for percentages): its posterior's levels with the figure's
    error and the ``learned`` model error drawn on top (the posterior's own model error without one)."""
    n = len(p.levels)
    if learned is not None:
        noise = p.figure_error * rng.standard_normal(n) + learned.scale * math.sqrt(p.horizon) * learned.draw(rng, n)
    else:
        noise = np.hypot(p.figure_error, p.model_error) * rng.standard_normal(n)
    return np.asarray(p.scaled(p.levels) + noise)


def crps(sample: FloatArray, y: float) -> float:
    """The continuous ranked probability score of a sample's distribution at ``y``:
    ``E|X - y| - E|X - X'| / 2``, in the sample's units (0 is perfect)."""
    x = np.sort(sample[np.isfinite(sample)])
    n = len(x)
    if n == 0:
        return math.nan
    spread = 2.0 * float(np.sum((2.0 * np.arange(1, n + 1) - n - 1.0) * x)) / (n * n)
    return float(np.mean(np.abs(x - y))) - 0.5 * spread


def interval_score(low: float, high: float, y: float, alpha: float = 0.1) -> float:
    """The interval score of a central ``1 - alpha`` interval (Gneiting and Raftery 2007): its width plus
    ``2 / alpha`` times how far ``y`` falls outside it."""
    return (high - low) + (2.0 / alpha) * (max(low - y, 0.0) + max(y - high, 0.0))


def score(outcome: linked.Outcome, change: FloatArray, model_value: float,
          scaled: Callable[[FloatArray | float], FloatArray] | None = None, *, horizon: float, span: float = 1.0
          ) -> OutcomeScore:
    """An outcome's observed change against a sample of predicted changes. CRPS, interval score and whether the
    50% and 90% intervals hold the observed level are taken on the ``scaled`` levels (logs, or log-odds of
    percentages: unitless, and finite under heavy-tailed errors), where a level below what a figure resolves
    counts at that resolution on both sides (an observed zero and a predicted trickle of 0.5% of the reference
    level are one level); without ``scaled``, on the changes (divided by the reference level for the scores).
    The changes are measured from the reference level at the outcome period's length (``span`` times it: a
    year's imports are four quarters', so a quarter is measured from a quarter of them), else a flow over a
    shorter period than its reference would always have fallen."""
    base = outcome.reference_value * span
    observed = outcome.value - base
    finite = change[np.isfinite(change)]
    p5, p25, median, p75, p95 = (float(v) for v in np.percentile(finite, [5, 25, 50, 75, 95]))
    if scaled is not None:
        levels = scaled(finite + base)
        levels = levels[np.isfinite(levels)]
        seen = float(scaled(outcome.value))
        low, q25, q75, high = (float(v) for v in np.percentile(levels, [5, 25, 75, 95]))
        proper, interval = crps(levels, seen), interval_score(low, high, seen)
        in50, in90 = q25 <= seen <= q75, low <= seen <= high
    else:
        size = abs(base) or 1.0
        proper, interval = crps(finite, observed) / size, interval_score(p5, p95, observed) / size
        in50, in90 = p25 <= observed <= p75, p5 <= observed <= p95
    return OutcomeScore(
        output=outcome.output, period=outcome.period, reference=outcome.reference,
        reference_value=base, observed=outcome.value, source=outcome.source,
        observed_change=observed, model_value=model_value, median=median, p5=p5, p25=p25, p75=p75, p95=p95,
        direction_hit=None if observed == 0.0 else bool(np.sign(median) == np.sign(observed)),
        within_size=abs(median - observed) <= SIZE_TOLERANCE * abs(observed),
        in50=in50, in90=in90, crps=proper, interval_score=interval,
        horizon=horizon)


@dataclass(frozen=True)
class Scorecard:
    outcomes: int
    direction: float | None  # share of outcomes with a change whose direction the median got right
    size: float | None
    coverage50: float | None
    coverage90: float | None
    crps: float | None  # mean, on log levels (log-odds for percentages)
    interval_score: float | None
    # the median, over the outcomes whose direction is right, of the predicted change over the observed change
    # (1: sized right on the middle outcome; 0.5: half the change that happened)
    size_ratio: float | None = None


#: When the model's mechanisms last changed (UTC). Episodes written on or after it (their `written` moment; a
#: bare day counts from its midnight) were written without knowing how this model scores them: they are its
#: held-out test set, reported apart.
MODEL_CHANGED = datetime(2026, 12, 8, 0, 30, tzinfo=UTC)


def held_out(result: EpisodeResult) -> bool:
    """Whether an episode was written after the model's mechanisms last changed (``MODEL_CHANGED``)."""
    return result.written is not None and parse_moment(result.written) >= MODEL_CHANGED


#: Lead times the scorecard is broken down by, in years from as_of to the middle of the outcome's period: a
#: forecast's skill is judged by how far ahead it looks, as weather forecasts are verified by lead time.
HORIZONS: tuple[tuple[str, float, float], ...] = (
    ("under 6 months", 0.0, 0.5), ("6-12 months", 0.5, 1.0), ("1-2 years", 1.0, 2.0),
    ("2 years or more", 2.0, math.inf))


def horizon_label(years: float) -> str:
    """The lead-time band (``HORIZONS``) an outcome ``years`` after its episode's as_of falls in."""
    for label, low, high in HORIZONS:
        if low <= years < high:
            return label
    raise ValueError(f"no lead-time band for {years!r} years")


#: What an outcome did, for scores apart: a gain the restriction made (a winner's sales or share, a rush) is
#: predicted by other parts of the model than a loss it imposed.
CHANGES: tuple[str, ...] = ("rose", "fell", "unchanged")


def change_label(observed_change: float) -> str:
    """Whether the observed level rose, fell or stayed the same (``CHANGES``)."""
    return "rose" if observed_change > 0 else "fell" if observed_change < 0 else "unchanged"


def scorecard(scores: Sequence[OutcomeScore]) -> Scorecard:
    """The library's overall scores."""

    def rate(flags: Sequence[bool]) -> float | None:
        return sum(flags) / len(flags) if flags else None

    def mean(xs: Sequence[float]) -> float | None:
        finite = [x for x in xs if math.isfinite(x)]
        return sum(finite) / len(finite) if finite else None

    ratios = [s.median / s.observed_change for s in scores if s.direction_hit and s.observed_change != 0]
    return Scorecard(
        outcomes=len(scores),
        direction=rate([s.direction_hit for s in scores if s.direction_hit is not None]),
        size=rate([s.within_size for s in scores]), coverage50=rate([s.in50 for s in scores]),
        coverage90=rate([s.in90 for s in scores]), crps=mean([s.crps for s in scores]),
        interval_score=mean([s.interval_score for s in scores]),
        size_ratio=statistics.median(ratios) if ratios else None)
