"""Five ways of post-processing the back-test's predictions, each scored against the model as it is on the same
run of the bundled library (same seeds, same posterior draws), all learned leave one episode out:

1. **The model error by kind of output.** One error scale per kind (share, revenue share, revenue, quantity,
   price, ...) instead of one for all, each shrunk towards the pooled scale by a normal prior on its log with sd
   ``--tau`` (partial pooling; the degrees of freedom stay shared).
2. **A learned correction of sizes, judged by the proper scores.** Every predictive draw moved by (f - 1) times
   the median change, f the inverse of the median predicted/observed ratio over the right-signed outcomes of the
   other episodes (the median change becomes f times itself, the spread stays), with the model error re-learned
   on the corrected predictions.
3. **Parameters tilted within their ranges.** The posterior reweighted by exp(theta * (u - 1/2)), u a parameter's
   position in its range, for the commonest parameters: the log predictive density of all outcomes for a few
   theta (theta = 0 is the model as it is).
4. **Bands widened to their coverage (split conformal; at 90%, the model's default since 8 December 2026).**
   Each outcome's conformity score is how far outside its
   own band's half-width the observed level lies (the distance from the median over the distance from the median
   to the 5% or 95% point, on the side it lies); an episode's predictive draws are stretched about their median by
   the ``level`` quantile of the other episodes' scores (the (n+1)-corrected rank), so that its 90% band would
   have held that share of the others' outcomes. Medians, and so directions and sizes, do not move.
5. **Bars that leak as the library's did.** Where the model lets (nearly) nothing through (the median predicted
   level at no more than 1.5 times what a figure resolves), its draws are replaced by the reference level times
   the observed-to-reference ratios of the other episodes' outcomes the model likewise barred (drawn at random,
   with the figure's error), so that a bar carries the library's record of bars holding and leaking (stocks sold
   off, parallel imports, informal halts, licences) rather than a certain zero; then widened as the model is (4,
   at 90%).
6. **Bands widened at two levels.** One stretch of the whole band brings the 90% bands to 90% but leaves the 50%
   ones holding more than half. Here each side of an episode's draws is mapped piecewise-linearly about its median:
   the part within the 25% or 75% point is stretched by the 50% quantile of the other episodes' conformity at the
   50% band (distance from the median over the distance to the 25% or 75% point), the part beyond it so that the 5%
   or 95% point lands where the 90% stretch (4, at 90%) puts it. Medians do not move.

Run from the repository root (about three minutes; the CSET dataset is imported into a throwaway store):
    .venv/bin/python benchmarks/backtest_variants.py [--judged-after 2026-12-06T04:13Z]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import statistics
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

from chipshift.api import backtest as api
from chipshift.api.data import import_cset, open_store
from chipshift.config import Settings
from chipshift.domain.period import parse_moment
from chipshift.scenarios import backtest as bt

CSET = Path(os.environ.get("CHIPSHIFT_CSET", Path(__file__).resolve().parents[2] / "shared" / "data" / "cset-eto"))
SEED = api.TRACK_RECORD_SEED
STEPS = 400  # `chipshift backtest`'s default, so "the model as it is" is its scorecard
def kind(p: bt.Prediction) -> str:
    """The kind of an outcome's output: the part before its firm and region (``revenue_share:asml@CHN``)."""
    return p.outcome.output.split("@")[0].split(":")[0]


def scales_by_kind(predictions: Sequence[bt.Prediction], tau: float | None
                   ) -> tuple[Callable[[str], float], float]:
    """The pooled error (``backtest.error_model``) and, when ``tau`` is given, one scale per kind of output shrunk
    towards it (the degrees of freedom stay the pooled ones); returns (kind -> scale, degrees of freedom)."""
    pooled = bt.error_model(predictions)
    assert pooled is not None
    if tau is None:
        return (lambda _: pooled.scale), pooled.dof
    rows = bt.residuals(predictions)
    kinds = np.array([kind(p) for p, _ in rows])
    r, v, f, h = (np.array(x) for x in zip(*(row for _, row in rows), strict=True))
    grid = bt.ERROR_SCALES
    var = np.maximum(v[None, :] + f[None, :] + grid[:, None] ** 2 * h[None, :], 1e-12)
    prior = -0.5 * ((np.log(np.maximum(grid, 1e-9)) - math.log(max(pooled.scale, 1e-9))) / tau) ** 2
    scales = {}
    for key in set(kinds):
        mine = kinds == key
        loglik = np.sum(bt._log_t(r[None, mine], var[:, mine], pooled.dof), axis=1) + prior
        scales[str(key)] = float(grid[int(np.argmax(loglik))])
    return (lambda key: scales.get(key, pooled.scale)), pooled.dof


def size_factor(predictions: Sequence[bt.Prediction]) -> float:
    ratios = []
    for p in predictions:
        ref = float(p.scaled(p.outcome.reference_value * p.span))
        model = float(np.nanmedian(p.scaled(p.levels))) - ref
        seen = float(p.scaled(p.outcome.value)) - ref
        if model * seen > 0:
            ratios.append(model / seen)
    return 1.0 / statistics.median(ratios) if len(ratios) >= 3 else 1.0


def shifted(p: bt.Prediction, factor: float) -> bt.Prediction:
    """The prediction with its median change times ``factor`` and its spread kept."""
    logs = p.scaled(p.levels)
    ref = float(p.scaled(p.outcome.reference_value * p.span))
    return dataclasses.replace(p, levels=p.unscaled(logs + (factor - 1.0) * (float(np.nanmedian(logs)) - ref)))


def scored(results: Sequence[bt.EpisodeResult], tau: float | None, correct_sizes: bool
           ) -> list[tuple[bt.EpisodeResult, bt.OutcomeScore]]:
    """``backtest.score_library`` with the variant's error and sizes, leave one episode out."""
    out = []
    for result in results:
        own = {p.outcome.source for p in result.predictions}
        others = [p for r in results if r.file != result.file for p in r.predictions if p.outcome.source not in own]
        factor = size_factor(others) if correct_sizes else 1.0
        scale_of, dof = scales_by_kind([shifted(p, factor) for p in others], tau)
        shape = bt.ErrorModel(1.0, dof)
        rng = np.random.default_rng(bt.episode_seed(SEED, result.name) + 1)
        for p0 in result.predictions:
            p = shifted(p0, factor)
            n = len(p.levels)
            noise = (p.figure_error * rng.standard_normal(n)
                     + scale_of(kind(p)) * math.sqrt(p.horizon) * shape.draw(rng, n))
            predicted = p.unscaled(p.scaled(p.levels) + noise)
            out.append((result, bt.score(p.outcome, predicted - p.outcome.reference_value * p.span, p.model_value,
                                         p.scaled, horizon=p.horizon, span=p.span)))
    return out


def _logs_with_error(results: Sequence[bt.EpisodeResult]) -> dict[tuple[str, int], np.ndarray]:
    """Each outcome's predictive draws in logs (log-odds for percentages) with the model error learned from the other
    episodes, as ``backtest.score_library`` draws them."""
    usable = {id(p): row for p, row in bt.residuals([p for r in results for p in r.predictions])}
    out: dict[tuple[str, int], np.ndarray] = {}
    for result in results:
        learned, _ = bt.error_left_out(result, results, usable)
        rng = np.random.default_rng(bt.episode_seed(SEED, result.name) + 1)
        for i, p in enumerate(result.predictions):
            out[(result.name, i)] = bt.predictive_logs(p, learned, rng)
    return out


def widened(results: Sequence[bt.EpisodeResult], level: float) -> list[tuple[bt.EpisodeResult, bt.OutcomeScore]]:
    """The model's predictions with each episode's draws stretched about their median by the ``level`` quantile of
    the other episodes' conformity scores (split conformal, leave one episode out)."""
    return _stretched(results, _logs_with_error(results), level)


def _stretched(results: Sequence[bt.EpisodeResult], logs: dict[tuple[str, int], np.ndarray], level: float
               ) -> list[tuple[bt.EpisodeResult, bt.OutcomeScore]]:
    """Each episode's draws ``logs`` stretched about their median by the ``level`` quantile of the other episodes'
    conformity scores, and scored."""
    conformity = {key: bt.conformity(p, logs[key]) for r in results for key, p in
                  (((r.name, i), p) for i, p in enumerate(r.predictions))}
    out = []
    for result in results:
        factor = bt.stretch_of([c for (name, _), c in conformity.items() if name != result.name and c is not None],
                               level)
        for i, p in enumerate(result.predictions):
            draws = logs[(result.name, i)]
            ok = np.isfinite(draws)
            middle = float(np.median(draws[ok])) if ok.any() else 0.0
            predicted = p.unscaled(middle + factor * (draws - middle))
            out.append((result, bt.score(p.outcome, predicted - p.outcome.reference_value * p.span, p.model_value,
                                         p.scaled, horizon=p.horizon, span=p.span)))
    return out


#: A prediction is a bar when its median level is at most this many times what a figure resolves.
BARRED_WITHIN = 1.5


def barred(p: bt.Prediction) -> bool:
    """The model lets (nearly) nothing through: its median level at what a published figure resolves."""
    floor = bt.LEVEL_FLOOR * (100.0 if p.percent else abs(p.outcome.reference_value * p.span))
    return bool(np.nanmedian(p.levels) <= BARRED_WITHIN * floor)


def ratio(p: bt.Prediction) -> float:
    """The observed level over the reference at the outcome period's length."""
    return float(p.outcome.value / (p.outcome.reference_value * (1.0 if p.percent else p.span)))


def leaking(results: Sequence[bt.EpisodeResult]) -> list[tuple[bt.EpisodeResult, bt.OutcomeScore]]:
    """Variant 5: barred predictions drawn from the other episodes' barred outcomes, then widened at 90%."""
    logs = _logs_with_error(results)
    bars = [(r.name, ratio(p)) for r in results for p in r.predictions if barred(p) and p.outcome.reference_value > 0]
    for result in results:
        rng = np.random.default_rng(bt.episode_seed(SEED, result.name) + 7)
        others = np.array([x for name, x in bars if name != result.name])
        for i, p in enumerate(result.predictions):
            if barred(p) and len(others):
                n = len(p.levels)
                level = others[rng.integers(0, len(others), n)] * p.outcome.reference_value * (
                    1.0 if p.percent else p.span)
                logs[(result.name, i)] = p.scaled(level) + p.figure_error * rng.standard_normal(n)
    return _stretched(results, logs, 0.9)


def two_level(draws: np.ndarray, inner: float, outer: float) -> np.ndarray:
    """Draws mapped about their median: within the 25%/75% point stretched by ``inner``, beyond it linearly so that
    the 5%/95% point is stretched by ``outer`` (never flatter than a twentieth, so the map keeps the draws' order)."""
    ok = np.isfinite(draws)
    if ok.sum() < 2:
        return draws
    p5, p25, m, p75, p95 = (float(v) for v in np.percentile(draws[ok], [5, 25, 50, 75, 95]))
    out = draws.copy()
    for sign, a, b in ((1.0, p75 - m, p95 - m), (-1.0, m - p25, m - p5)):
        side = ok & ((draws - m) * sign > 0)
        u = (draws[side] - m) * sign
        slope = max((outer * b - inner * a) / (b - a), 0.05) if b > a else outer
        moved = np.where(u <= a, inner * u, inner * a + (u - a) * slope)
        out[side] = m + sign * moved
    return out


def widened_two_levels(results: Sequence[bt.EpisodeResult]) -> list[tuple[bt.EpisodeResult, bt.OutcomeScore]]:
    """Variant 6: each episode's draws mapped by ``two_level`` with the other episodes' 50% and 90% stretches."""
    logs = _logs_with_error(results)
    keys = [((r.name, i), p) for r in results for i, p in enumerate(r.predictions)]
    c90 = {key: bt.conformity(p, logs[key]) for key, p in keys}
    c50 = {key: bt.conformity(p, logs[key], 0.5) for key, p in keys}
    out = []
    for result in results:
        outer = bt.stretch_of([c for (name, _), c in c90.items() if name != result.name and c is not None], 0.9)
        inner = bt.stretch_of([c for (name, _), c in c50.items() if name != result.name and c is not None], 0.5)
        for i, p in enumerate(result.predictions):
            predicted = p.unscaled(two_level(logs[(result.name, i)], inner, outer))
            out.append((result, bt.score(p.outcome, predicted - p.outcome.reference_value * p.span, p.model_value,
                                         p.scaled, horizon=p.horizon, span=p.span)))
    return out


JUDGED_AFTER: datetime | None = None  # also score the episodes written at or after this moment (--judged-after)


def _written_after(result: bt.EpisodeResult) -> bool:
    return JUDGED_AFTER is not None and result.written is not None and parse_moment(result.written) >= JUDGED_AFTER


def line(label: str, scores: Sequence[tuple[bt.EpisodeResult, bt.OutcomeScore]]) -> None:
    parts: list[tuple[str, Callable[[bt.EpisodeResult], bool]]] = [("all", lambda r: True), ("held out", bt.held_out)]
    if JUDGED_AFTER is not None:
        parts.append((f"written from {JUDGED_AFTER:%Y-%m-%d %H:%M}", _written_after))
    for part, keep in parts:
        card = bt.scorecard([s for r, s in scores if keep(r)])
        if not card.outcomes:
            continue
        print(f"| {label} | {part} | {card.outcomes} | {card.direction:.1%} | {card.size:.1%} | "
              f"{card.coverage50:.1%} | {card.coverage90:.1%} | {card.crps:.6f} | {card.interval_score:.3f} |")


def tilt_loglik(results: Sequence[bt.EpisodeResult], parameter: str, theta: float, scale: float, dof: float
                ) -> float:
    """Log predictive density of every outcome with the posterior reweighted by exp(theta * (u - 1/2))."""
    total = 0.0
    for r in results:
        chosen = r.posterior.draws(bt.PREDICTIVE_DRAWS, np.random.default_rng(bt.episode_seed(SEED, r.name) + 1))
        log_w = np.zeros(bt.PREDICTIVE_DRAWS)
        for prior in r.posterior.priors:
            if prior.name == parameter:
                log_w += theta * ((chosen[prior.name] - prior.low) / (prior.high - prior.low) - 0.5)
        w = np.exp(log_w - log_w.max())
        for p in r.predictions:
            logs = p.scaled(p.levels)
            ok = np.isfinite(logs)
            if ok.sum() < 2:
                continue
            order = np.argsort(logs[ok])
            cum = np.cumsum(w[ok][order])
            middle = float(logs[ok][order][np.searchsorted(cum / cum[-1], 0.5)])
            var = (np.average((logs[ok] - middle) ** 2, weights=w[ok]) + p.figure_error**2
                   + scale**2 * p.horizon)
            total += float(bt._log_t(np.array([float(p.scaled(p.outcome.value)) - middle]), np.array([var]),
                                     dof)[0])
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tau", type=float, default=0.5, help="sd of the log scale's shrinkage towards the pool")
    parser.add_argument("--judged-after", default=None, help="also score the episodes written at or after this UTC "
                        "time (e.g. 2026-12-06T04:13Z): those a variant was not tried on")
    args = parser.parse_args()
    global JUDGED_AFTER
    JUDGED_AFTER = parse_moment(args.judged_after) if args.judged_after else None
    with tempfile.TemporaryDirectory() as tmp, open_store(Settings.from_env(store=Path(tmp) / "s.duckdb")) as store:
        import_cset(store, CSET)
        jobs = [api.episode_job(store, p) for p in api.library()]
        results = api._run(jobs, bt.PREDICTIVE_DRAWS, STEPS, SEED, None, None, None)
    print("| variant | outcomes | n | direction | size ±50% | in 50% | in 90% | CRPS | interval score |")
    print("|---|---|---|---|---|---|---|---|---|")
    line("the model as it is (bands widened to 90%, the default since 8 December 2026)",
         [(e.result, s) for e in bt.score_library(results, SEED) for s in e.outcomes])
    line("the bands unwidened (the model before 8 December 2026)", scored(results, None, False))
    line(f"error scale by kind of output (tau {args.tau})", scored(results, args.tau, False))
    line("learned correction of sizes", scored(results, None, True))
    for level in (0.85, 0.9):
        line(f"bands widened to their coverage ({level:.0%} of the other episodes' outcomes)", widened(results, level))
    leaks = leaking(results)
    line("bars that leak as the library's did (then widened at 90%)", leaks)
    line("bands widened at two levels (50% and 90%)", widened_two_levels(results))
    flags = [barred(p) for r in results for p in r.predictions]
    as_is = [(e.result, s) for e in bt.score_library(results, SEED) for s in e.outcomes]
    for label, scores in (("the model as it is", as_is), ("bars that leak", leaks)):
        line(f"{label}, the barred outcomes only", [x for x, bar in zip(scores, flags, strict=True) if bar])
    bars = [(r, p) for r in results for p in r.predictions if barred(p)]
    print(f"\n{len(bars)} outcomes in {len({r.name for r, _ in bars})} episodes barred by the model; observed over "
          f"reference: {', '.join(f'{ratio(p):.2f}' for _, p in bars)}")
    pooled = bt.error_model([p for r in results for p in r.predictions])
    assert pooled is not None
    print()
    print("| parameter | episodes | log predictive density at theta = -2, 0, +2, +4 |")
    print("|---|---|---|")
    for parameter in ("sigma", "demand_elasticity", "market_growth", "approval"):
        count = sum(parameter in r.posterior.names for r in results)
        values = ", ".join(f"{tilt_loglik(results, parameter, t, pooled.scale, pooled.dof):.1f}"
                           for t in (-2.0, 0.0, 2.0, 4.0))
        print(f"| {parameter} | {count} | {values} |")


if __name__ == "__main__":
    main()
