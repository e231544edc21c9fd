"""Bayesian calibration and posterior predictive bands for a single-market case. Pure computation over arrays.

The same method as a linked case's (``linked_analysis``): every ranged parameter gets a PERT prior on its range
with its mode at the default, and the model's own error a prior of its own (``backtest.priors``); the
observations marked fit are published figures, each with the error of its kind (``backtest.error_of``), several
figures of one quantity one target (``posterior.combine``); ``posterior.sample`` picks the sampler by
measurement. Bands draw the parameters from the posterior and move each output by the model's error: after the
last fitted year by the error learned from the back-test library, by then by the posterior's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from chipshift.scenarios import backtest as bt
from chipshift.scenarios.backtest import ErrorModel
from chipshift.scenarios.market_analysis import CHUNK, RESERVOIR, Bands, Progress
from chipshift.scenarios.market_case import MarketCase
from chipshift.scenarios.market_run import Draws, FloatArray, RuleContext, default_draws, outputs, simulate
from chipshift.scenarios.posterior import IMPORTANCE_DRAWS, LITERAL_ERROR, Posterior, Target, combine, sample

#: Outputs in percent (shares, localization, a firm's revenue share): their error is in log-odds.
PERCENT = ("share:", "localization", "revenue_share", "unmet")
#: Outputs no one publishes, so the track record says nothing of their error: their bands are the parameters'.
UNOBSERVED = ("unmet",)


@dataclass(frozen=True)
class Bayesian:
    """A single-market case calibrated by its posterior; nothing to fit leaves the prior."""

    posterior: Posterior
    targets: tuple[Target, ...]
    medians: dict[str, float]  # each ranged parameter's posterior median: the central run
    origin: float  # where the case's knowledge ends, in years: the end of the last fitted year (else the start)
    rmse: float | None  # of the central run against the observations fitted to (their units); None: none
    table: list[dict[str, Any]]


def targets(case: MarketCase, errors: Mapping[str, float]) -> list[Target]:
    """The observations marked fit as targets, one per output and year; a fact takes the error of its kind of
    figure (``errors``: fact id -> sd of the log), a literal ``LITERAL_ERROR``."""
    groups: dict[tuple[str, int], list[tuple[float, float, str]]] = {}
    for obs in case.observations:
        if obs.fit and obs.value > 0.0:
            error = errors.get(obs.fact, LITERAL_ERROR) if obs.fact else LITERAL_ERROR
            groups.setdefault((obs.output, obs.year), []).append((obs.value, error, obs.fact or obs.basis))
    return [combine(output, str(year), figures) for (output, year), figures in groups.items()]


def _values(case: MarketCase, rules: RuleContext, draws: Draws, wanted: list[tuple[str, int]]) -> FloatArray:
    """Model values ``(wanted, draws)`` of (output, year) pairs; NaN where the run has none."""
    size = len(next(iter(draws.values()))) if draws else 1
    out = outputs(simulate(case, rules, draws))
    rows = []
    for output, year in wanted:
        years, values = out.get(output, ((), np.empty((0, size))))
        rows.append(values[years.index(year)] if year in years else np.full(size, np.nan))
    return np.array(rows).reshape(len(wanted), size)


def bayesian_calibration(case: MarketCase, rules: RuleContext, errors: Mapping[str, float], *,
                         seed: int = 20261125, draws: int = IMPORTANCE_DRAWS,
                         progress: Progress | None = None) -> Bayesian:
    """The posterior of the case's ranged parameters given its observations marked fit; ``draws`` prior draws
    per round of importance sampling, whose effective sample must reach a quarter of them."""
    fitted = targets(case, errors)
    wanted = [(t.output, int(t.period)) for t in fitted]

    def model(sampled: Draws) -> FloatArray:
        size = len(next(iter(sampled.values()))) if sampled else 1
        return _values(case, rules, bt._with(case, sampled, size), wanted)

    post = sample(bt.priors(case), model, fitted, prior_draws=draws, min_ess=draws / 4, seed=seed,
                  progress=progress)
    medians = {name: float(np.median(post.samples[:, j])) for j, name in enumerate(post.names)
               if name in case.params}
    central = outputs(simulate(case, rules, default_draws(case, 1) | {k: np.full(1, v) for k, v in medians.items()}))
    table, errs = [], []
    for obs in case.observations:
        years, values = central.get(obs.output, ((), np.empty((0, 1))))
        if obs.year not in years:
            continue
        model1 = float(values[years.index(obs.year), 0])
        table.append({"output": obs.output, "year": obs.year, "observed": obs.value, "model": round(model1, 3),
                      "error": round(model1 - obs.value, 3), "fitted_to": obs.fit, "fact": obs.fact,
                      "basis": obs.basis or None, "source": obs.source})
        if obs.fit:
            errs.append(model1 - obs.value)
    origin = float(max((o.year for o in case.observations if o.fit), default=case.start_year - 1) + 1)
    rmse = float(np.sqrt(np.mean(np.square(errs)))) if errs and fitted else None
    return Bayesian(post, tuple(fitted), medians, origin, rmse, table)


def predictive_bands(case: MarketCase, rules: RuleContext, calibration: Bayesian, n: int, *,
                     error: ErrorModel | None, seed: int = 20261125, chunk: int = CHUNK,
                     progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """Bands (p5, median, p95) per output and year over `n` posterior draws of the parameters, each output moved
    by the model's error (``backtest.with_model_error``; the years counted from the calibration's origin to each
    year's middle), the bands of years after it then stretched about their medians by the error's ``stretch``, as
    the back-test scores it. Without ``error`` the bands are the parameters' alone."""
    rng = np.random.default_rng(seed)
    chosen = calibration.posterior.draws(n, rng)
    bands = Bands(RESERVOIR, seed)
    for first in range(0, n, chunk):
        size = min(chunk, n - first)
        draws = bt._with(case, {k: v[first:first + size] for k, v in chosen.items()}, size)
        own = chosen["model_error"][first:first + size]
        for name, (years, values) in outputs(simulate(case, rules, draws)).items():
            if error is not None and not name.startswith(UNOBSERVED):
                middles = np.array(years, dtype=np.float64) + 0.5
                values = bt.with_model_error(values, name.startswith(PERCENT), middles - calibration.origin,
                                             middles > calibration.origin, error, own, rng)
            bands.add(name, years, values)
        if progress is not None:
            progress(first + size, n)
    result = bands.result("years")
    if error is not None:
        for name, band in result.items():
            if not name.startswith(UNOBSERVED):
                later = [year + 0.5 > calibration.origin for year in band["years"]]
                bt.stretch_band(band, later, error.stretch, name.startswith(PERCENT))
    return result
