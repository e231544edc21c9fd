"""Bayesian calibration and posterior predictive bands for a linked market case. Pure computation over arrays.

* Calibration: ``bayesian_calibration``, the posterior of every ranged parameter given the observations marked
  fit (``posterior.sample``), the model run only up to the last fitted observation.
* Bands: ``predictive_bands``, posterior draws run in chunks, each output moved by the model's error; a
  fixed-size reservoir per output (`LINKED_RESERVOIR` draws) keeps memory flat in the number of draws.
* Sensitivity is global (Sobol' indices): ``chipshift.scenarios.sensitivity``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from chipshift.domain.period import Period
from chipshift.scenarios import backtest as bt
from chipshift.scenarios.backtest import ErrorModel
from chipshift.scenarios.linked_case import (
    Draws,
    FloatArray,
    Governed,
    LinkedCase,
    default_draws,
    demand,
    fitted_window,
    observed,
    outputs,
    run,
)
from chipshift.scenarios.market_analysis import Bands, Progress
from chipshift.scenarios.market_case_check import linked_output
from chipshift.scenarios.posterior import IMPORTANCE_DRAWS, Posterior, Target, sample

Outputs = dict[str, tuple[tuple[str, ...], FloatArray, str]]

#: Draws kept per output for the bands: a linked case has scores of outputs by quarter and year, so fewer
#: than the single-market runner keeps (the 5th percentile of 4,000 draws is within about 0.7 points of
#: percentile rank), and in single precision.
LINKED_RESERVOIR = 4_000
#: Draws run together: every quarter of a chunk is solved in one batch, so chunks are smaller than the
#: single-market runner's.
LINKED_CHUNK = 500


def evaluate(case: LinkedCase, governed: Governed, draws: Draws) -> Outputs:
    return outputs(case, run(case, governed, draws))


#: Outputs no one publishes, so the track record says nothing of their error: their bands are the parameters'.
UNOBSERVED = ("unmet@", "capacity_rent:", "rationed:")


@dataclass(frozen=True)
class Bayesian:
    """A linked case calibrated by its posterior: every ranged parameter drawn from its PERT prior and weighed
    by the observations marked fit (``posterior.sample``); nothing to fit leaves the prior."""

    posterior: Posterior
    targets: tuple[Target, ...]
    medians: dict[str, float]  # each ranged parameter's posterior median: the central run
    origin: date  # where the case's knowledge ends: the last fitted observation's period (else the first quarter)
    error: float | None  # root mean squared relative error of the central run over the fitted observations
    table: list[dict[str, Any]]


def bayesian_calibration(case: LinkedCase, governed: Governed, errors: Mapping[str, float], *,
                         seed: int = 20261125, draws: int = IMPORTANCE_DRAWS,
                         progress: Progress | None = None) -> Bayesian:
    """The posterior of a case's ranged parameters given its observations marked fit, each a published figure
    with the error of its kind (``errors``: source -> sd of the log; see ``backtest.targets``). The model is
    run only up to the last fitted observation while sampling. ``draws`` prior draws per round of importance
    sampling; their effective sample must reach a quarter of them (``posterior.sample``)."""
    fitted = bt.targets(case, errors)
    fit_obs = [o for o in case.observations if o.fit]
    origin = max((case.period_end(o.output, o.period) for o in fit_obs),
                 default=Period.parse(case.start).start)
    fit_case, fit_governed = fitted_window(case, governed)
    wanted = [(t.output, t.period) for t in fitted]
    start = demand(fit_case, fit_governed, bt._with(fit_case, {}, 1))

    def model(sampled: Draws) -> FloatArray:
        size = len(next(iter(sampled.values()))) if sampled else 1
        return bt._values(fit_case, fit_governed, bt._with(fit_case, sampled, size), wanted, start)

    post = sample(bt.priors(case), model, fitted, prior_draws=draws, min_ess=draws / 4, seed=seed, progress=progress)
    medians = {name: float(np.median(post.samples[:, j])) for j, name in enumerate(post.names)
               if name in case.params}
    central = default_draws(case, 1) | {k: np.full(1, v) for k, v in medians.items()}
    rows, model1, _ = observed(case, evaluate(case, governed, central), fit_only=False)
    table = [{"output": o.output, "period": o.period, "observed": o.value, "model": round(float(m[0]), 4),
              "error": round(float(m[0]) - o.value, 4), "fitted_to": o.fit, "source": o.source,
              "document": o.document}
             for o, m in zip(rows, model1, strict=True)]
    rel = [float(m[0]) / o.value - 1.0 for o, m in zip(rows, model1, strict=True) if o.fit and o.value]
    error = float(np.sqrt(np.mean(np.square(rel)))) if rel else None
    return Bayesian(post, tuple(fitted), medians, origin, error, table)


def predictive_bands(case: LinkedCase, governed: Governed, calibration: Bayesian, n: int, *,
                     error: ErrorModel | None, seed: int = 20261125, chunk: int = LINKED_CHUNK,
                     progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """Bands (p5, median, p95) per output and period over `n` posterior draws of the parameters, each output
    moved by the model's error (``_with_model_error``): after the case's `origin`, the error learned from the
    model's track record (``error``: Student-t in logs, log-odds for percentages, its scale growing with the
    square root of the years from `origin`), its bands then stretched about their medians by the error's
    ``stretch``, as the back-test scores it; by `origin`, the posterior's own. Without ``error`` the bands are the
    parameters' alone."""
    rng = np.random.default_rng(seed)
    chosen = calibration.posterior.draws(n, rng)
    start = demand(case, governed, default_draws(case, 1) | {k: np.full(1, v)
                                                               for k, v in calibration.medians.items()})
    bands = Bands(LINKED_RESERVOIR, seed, np.float32)
    for first in range(0, n, chunk):
        size = min(chunk, n - first)
        draws = bt._with(case, {k: v[first:first + size] for k, v in chosen.items()}, size)
        for name, (periods, values, _) in outputs(case, run(case, governed, draws, start, rationing=True)).items():
            bands.add(name, periods, _with_model_error(case, name, periods, values, calibration.origin, error,
                                                       chosen["model_error"][first:first + size], rng))
        if progress is not None:
            progress(first + size, n)
    result = bands.result("periods")
    if error is not None:
        for name, band in result.items():
            spec = linked_output(name)
            if spec is not None and not spec.pattern.startswith(UNOBSERVED):
                later = [case.period_middle(name, p) > calibration.origin for p in band["periods"]]
                bt.stretch_band(band, later, error.stretch, spec.unit == "pct")
    return result


def _with_model_error(case: LinkedCase, name: str, periods: Sequence[str], values: FloatArray, origin: date,
                      error: ErrorModel | None, own: FloatArray, rng: np.random.Generator) -> FloatArray:
    """``values`` (periods x draws) moved by the model's error (``backtest.with_model_error``), the years counted
    from `origin` to each period's middle; outputs no one publishes keep the parameters' bands."""
    spec = linked_output(name)
    if error is None or spec is None or spec.pattern.startswith(UNOBSERVED):
        return values
    middles = [case.period_middle(name, p) for p in periods]
    years = np.array([(m - origin).days / 365.25 for m in middles])
    later = np.array([m > origin for m in middles])
    moved = bt.with_model_error(values, spec.unit == "pct", years, later, error, own, rng)
    if spec.unit == "index" and len(periods) and np.allclose(values[0], 1.0, rtol=0.0, atol=1e-12):
        moved[0] = values[0]  # an index at its base quarter is 1 by definition, not a prediction with an error
    return moved
