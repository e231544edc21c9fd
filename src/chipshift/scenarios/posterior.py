"""Bayesian calibration: priors from parameters' ranges, an error model for published figures, a posterior
sampled with emcee's affine-invariant ensemble sampler, and the diagnostics that say how far to trust it.
Pure computation: the model is a function from parameter draws to the fitted figures' model values.

* **Priors.** Each ranged parameter gets a PERT prior on its range: a Beta on ``[low, high]`` with its mode at
  the default (shape ``1 + 4 (default - low) / (high - low)``), so the default is the likeliest value and the
  range's ends are possible but unlikely.
* **Errors.** A published figure ``y`` and the model's ``m`` differ in logs by the figure's own error and the
  model's: ``log m - log y ~ N(0, s_y^2 + s_model^2)``. ``s_y`` comes from what kind of number it is
  (``STATUS_ERROR``); several published figures for one quantity (one output and period) are one target at
  their geometric mean whose error grows by half their spread in logs: competing estimates widen it rather
  than average away. ``s_model`` (``model_error``) is sampled with the parameters under its own prior
  (``MODEL_ERROR``), so bands carry the model's misfit as well as the parameters' uncertainty.
* **Sampler, picked per case by measurement.** Importance sampling from the prior (large batches, where the
  vectorised model is fastest) when its effective sample size is large enough; else adaptive importance
  sampling (up to ``ADAPTIVE_ROUNDS`` rounds of a normal proposal on the logit scale fitted to the weighted
  draws, mixed with the prior), when it reaches that size; else emcee's stretch move,
  walkers started from the weighted prior draws, all walkers of a step evaluated in one batch. Diagnostics:
  the effective sample size; for emcee also the mean acceptance and the integrated autocorrelation time per
  parameter. A chain shorter than ``MIN_TAU_MULTIPLE`` autocorrelation times, or an acceptance below
  ``MIN_ACCEPTANCE``, is reported as not converged.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import emcee
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Draws = dict[str, FloatArray]

#: Error (sd of the log) of a published figure, by what kind of number it is (facts' ``status``).
STATUS_ERROR: Mapping[str, float] = {"reported": 0.03, "estimate": 0.10, "claim": 0.15, "forecast": 0.20}
#: Error of a literal observation (a figure stated in the case file with its basis).
LITERAL_ERROR = 0.10
#: The model's own error (sd of the log of model / truth): low, mode, high of its PERT prior. A well-specified
#: trade model misses market shares by some 10% (research/market-models.md); 50% is a badly wrong structure.
MODEL_ERROR = (0.02, 0.10, 0.50)
MIN_ACCEPTANCE = 0.1
MIN_TAU_MULTIPLE = 10.0


@dataclass(frozen=True)
class Prior:
    """A PERT prior on ``[low, high]`` with its mode at ``mode``."""

    name: str
    low: float
    mode: float
    high: float

    @property
    def shape(self) -> tuple[float, float]:
        width = self.high - self.low
        return 1.0 + 4.0 * (self.mode - self.low) / width, 1.0 + 4.0 * (self.high - self.mode) / width

    @property
    def mean(self) -> float:
        a, b = self.shape
        return self.low + (self.high - self.low) * a / (a + b)

    @property
    def sd(self) -> float:
        a, b = self.shape
        return (self.high - self.low) * math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0)))

    def log_density(self, x: FloatArray) -> FloatArray:
        """Up to a constant; -inf outside the range."""
        a, b = self.shape
        z = (x - self.low) / (self.high - self.low)
        inside = (z > 0.0) & (z < 1.0)
        zc = np.where(inside, z, 0.5)
        return np.asarray(np.where(inside, (a - 1.0) * np.log(zc) + (b - 1.0) * np.log1p(-zc), -np.inf))

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        a, b = self.shape
        return np.asarray(self.low + (self.high - self.low) * rng.beta(a, b, n))


@dataclass(frozen=True)
class Target:
    """One quantity the model is fitted to: a published figure (or several, combined) and its error."""

    output: str
    period: str
    value: float
    error: float  # sd of the log
    sources: tuple[str, ...]


def combine(output: str, period: str, figures: Sequence[tuple[float, float, str]]) -> Target:
    """Published figures ``(value, error, source)`` of one quantity as one target: their geometric mean, with
    an error of their mean error and half their spread in logs, in quadrature."""
    values = np.array([v for v, _, _ in figures], dtype=np.float64)
    errors = np.array([e for _, e, _ in figures], dtype=np.float64)
    logs = np.log(values)
    spread = 0.5 * float(logs.max() - logs.min())
    return Target(output, period, float(np.exp(logs.mean())), math.sqrt(float(np.mean(errors**2)) + spread**2),
                  tuple(s for _, _, s in figures))


@dataclass(frozen=True)
class ParameterSummary:
    name: str
    prior_mean: float
    prior_sd: float
    mean: float
    sd: float
    p5: float
    p95: float
    autocorrelation: float  # integrated autocorrelation time, steps
    effective_draws: float
    identified: bool  # the data narrowed it: posterior sd below IDENTIFIED_RATIO of the prior's
    at_bound: str | None  # "low" / "high" when posterior mass piles against that end of the range


#: A parameter counts as identified by the data when its posterior sd is below this part of its prior sd.
IDENTIFIED_RATIO = 0.8


@dataclass(frozen=True)
class Posterior:
    priors: tuple[Prior, ...]
    samples: FloatArray  # (n, parameters): posterior draws (a resample, or the chain after burn-in)
    acceptance: float  # emcee's mean acceptance; NaN for the other methods
    evaluations: int
    seconds: float
    summary: tuple[ParameterSummary, ...]
    warnings: tuple[str, ...] = field(default=())
    method: str = "emcee"  # "prior" (nothing to fit), "importance" (from the prior), "adaptive importance", "emcee"
    importance_ess: float = math.nan  # effective draws of the importance-sampling stage

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.priors)

    def draws(self, n: int, rng: np.random.Generator) -> Draws:
        """``n`` posterior draws (with replacement when the chain is shorter), by parameter."""
        rows = rng.choice(len(self.samples), size=n, replace=n > len(self.samples))
        return {name: np.asarray(self.samples[rows, j]) for j, name in enumerate(self.names)}


def log_likelihood(model: FloatArray, targets: Sequence[Target], model_error: FloatArray) -> FloatArray:
    """Log-likelihood per draw of model values ``(targets, draws)``; a non-positive or missing model value
    rules the draw out."""
    if not targets:
        return np.zeros(model.shape[1])
    observed = np.log([t.value for t in targets])[:, None]
    var = np.array([t.error for t in targets])[:, None] ** 2 + model_error[None, :] ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        resid = np.log(model) - observed
    ll = -0.5 * np.sum(resid**2 / var + np.log(var), axis=0)
    return np.asarray(np.where(np.all(np.isfinite(resid), axis=0), ll, -np.inf))


#: Prior draws of the importance-sampling stage, run in batches of IMPORTANCE_CHUNK, and the effective sample
#: size that makes them the posterior; below it, emcee takes over (started from the weighted draws).
IMPORTANCE_DRAWS = 4_000
IMPORTANCE_CHUNK = 500
MIN_IMPORTANCE_ESS = 1_000


def sample(priors: Sequence[Prior], model: Callable[[Draws], FloatArray], targets: Sequence[Target], *,
           prior_draws: int = IMPORTANCE_DRAWS, min_ess: float = MIN_IMPORTANCE_ESS, walkers: int | None = None,
           steps: int = 300, burn: int | None = None, seed: int = 20261203,
           progress: Callable[[int, int], None] | None = None) -> Posterior:
    """Sample the posterior of ``priors`` given ``targets``. ``model(draws)`` returns the model's value of each
    target ``(targets, draws)`` for a batch of parameter draws (``model_error`` is not among its draws). The
    last prior must be the model error's (see ``model_error_prior``).

    Which sampler is picked by measurement, per case. First, importance sampling from the prior:
    ``prior_draws`` draws in large batches, where the vectorised model is fastest, weighted by their
    likelihood. When their effective sample size reaches ``min_ess`` they are the posterior (resampled by
    weight). Otherwise the observations are too sharp for the prior's draws: rounds of adaptive importance
    sampling (``_adaptive``) move the proposal to where the likelihood is, and if they too fall short, emcee's
    ensemble runs ``steps`` steps from walkers drawn from the last weighted draws. ``min_ess=inf`` forces emcee,
    0 importance sampling from the prior. ``benchmarks/bench_backtest.py`` compares them."""
    started = time.perf_counter()
    ndim = len(priors)
    rng = np.random.default_rng(seed)
    if not targets:  # nothing to learn from: the posterior is the prior, drawn exactly
        walkers = walkers or max(24, 4 * ndim + 4)
        n = max(prior_draws, walkers * (steps - (steps // 2 if burn is None else burn)))
        flat = np.column_stack([p.sample(rng, n) for p in priors])
        summary = tuple(_summarise(p, flat[:, j], 1.0, n) for j, p in enumerate(priors))
        return Posterior(tuple(priors), flat, math.nan, 0, time.perf_counter() - started, summary,
                         ("no observation to fit: the bands are the prior's",), method="prior")
    draws = np.column_stack([p.sample(rng, prior_draws) for p in priors])
    valued = np.zeros(len(targets), dtype=bool)

    def likelihood(batch: FloatArray) -> FloatArray:
        parts = []
        for i in range(0, len(batch), IMPORTANCE_CHUNK):
            values = model({p.name: np.ascontiguousarray(batch[i:i + IMPORTANCE_CHUNK, j])
                            for j, p in enumerate(priors[:-1])})
            valued[:] |= (np.isfinite(values) & (values > 0.0)).any(axis=1)
            parts.append(log_likelihood(values, targets, batch[i:i + IMPORTANCE_CHUNK, -1]))
        return np.concatenate(parts)

    ll = likelihood(draws)
    finite = np.isfinite(ll)
    if not finite.any():
        missing = [f"{t.output} in {t.period}" for t, ok in zip(targets, valued, strict=True) if not ok]
        raise ValueError("no draw of the parameters gives a positive model value for every observation to fit"
                         + (f" (none at all for {', '.join(missing)})" if missing else ""))
    weights = np.zeros(prior_draws)
    if finite.any():
        weights[finite] = np.exp(ll[finite] - ll[finite].max())
        weights /= weights.sum()
    ess = float(1.0 / np.sum(weights**2)) if finite.any() else 0.0
    if ess >= min_ess:
        rows = rng.choice(prior_draws, size=prior_draws, replace=True, p=weights)
        flat = draws[rows]
        summary = tuple(_summarise(p, flat[:, j], 1.0, ess) for j, p in enumerate(priors))
        return Posterior(tuple(priors), flat, math.nan, prior_draws, time.perf_counter() - started, summary,
                         (), method="importance", importance_ess=ess)
    evaluations = prior_draws
    if math.isfinite(min_ess):
        adaptive = _adaptive(priors, likelihood, draws, np.log(np.maximum(weights, 1e-300)), min_ess, rng)
        evaluations += prior_draws * adaptive.rounds
        if adaptive.ess >= min_ess:
            rows = rng.choice(len(adaptive.draws), size=prior_draws, replace=True, p=adaptive.weights)
            flat = adaptive.draws[rows]
            summary = tuple(_summarise(p, flat[:, j], 1.0, adaptive.ess) for j, p in enumerate(priors))
            return Posterior(tuple(priors), flat, math.nan, evaluations, time.perf_counter() - started, summary,
                             (), method="adaptive importance", importance_ess=adaptive.ess)
        draws, weights, ess = adaptive.draws, adaptive.weights, adaptive.ess
    start = draws[rng.choice(len(draws), size=max(24, 4 * ndim + 4) if walkers is None else walkers,
                             replace=True, p=weights if finite.any() else None)]
    start = start + 1e-6 * np.array([p.high - p.low for p in priors]) * rng.standard_normal(start.shape)
    start = np.clip(start, [p.low + 1e-9 for p in priors], [p.high - 1e-9 for p in priors])
    chain = _emcee(priors, model, targets, start, steps, steps // 2 if burn is None else burn, rng, progress)
    return _chain_posterior(priors, chain, evaluations, started, ess)


#: Rounds of adaptive importance sampling tried when the prior's draws are too few for the posterior; the
#: prior's part in each proposal (a defensive mixture keeps every weight below 1 / part); the proposal's
#: spread over the weighted draws' covariance on the logit scale of each range, and the prior's covariance
#: mixed in so that a proposal fitted to few effective draws is not degenerate.
ADAPTIVE_ROUNDS = 4
DEFENSIVE_PART = 0.2
#: The effective part of the draws a proposal is fitted to (see ``_tempered``).
FIT_ESS_PART = 0.1
PROPOSAL_INFLATION = 1.3
PRIOR_SHRINKAGE = 0.01


@dataclass(frozen=True)
class _Adapted:
    draws: FloatArray
    weights: FloatArray  # normalised importance weights
    ess: float
    rounds: int


def _tempered(weights: FloatArray, min_ess: float) -> FloatArray:
    """The weights raised to the largest power in (0, 1] that leaves at least ``min_ess`` effective draws (by
    bisection): a proposal fitted to a handful of heavy draws would be degenerate, so it is fitted to a
    flattened version of them; the importance weights themselves stay exact."""
    positive = weights > 0

    def flattened(beta: float) -> FloatArray:
        w = np.zeros_like(weights)
        w[positive] = np.exp(beta * (np.log(weights[positive]) - np.log(weights[positive]).max()))
        normalised: FloatArray = w / w.sum()
        return normalised

    if 1.0 / np.sum(weights**2) >= min_ess:
        return weights
    low, high = 0.0, 1.0
    for _ in range(30):
        mid = 0.5 * (low + high)
        if 1.0 / np.sum(flattened(mid) ** 2) >= min_ess:
            low = mid
        else:
            high = mid
    return flattened(low)


def _to_logit(priors: Sequence[Prior], x: FloatArray) -> FloatArray:
    low, high = np.array([p.low for p in priors]), np.array([p.high for p in priors])
    u = np.clip((x - low) / (high - low), 1e-12, 1.0 - 1e-12)
    return np.asarray(np.log(u) - np.log1p(-u))


def _log_prior(priors: Sequence[Prior], x: FloatArray) -> FloatArray:
    """The priors' normalised log density (a product of scaled Beta densities)."""
    out = np.zeros(len(x))
    for j, p in enumerate(priors):
        a, b = p.shape
        log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
        out += p.log_density(x[:, j]) - log_beta - math.log(p.high - p.low)
    return out


def _log_normal(z: FloatArray, mean: FloatArray, cov: FloatArray) -> FloatArray:
    """Log density of a multivariate normal at the rows of ``z``."""
    chol = np.linalg.cholesky(cov)
    solved = np.linalg.solve(chol, (z - mean).T)
    return np.asarray(-0.5 * (len(mean) * math.log(2 * math.pi) + 2 * np.sum(np.log(np.diag(chol)))
                              + np.sum(solved**2, axis=0)))


def _adaptive(priors: Sequence[Prior], likelihood: Callable[[FloatArray], FloatArray], draws: FloatArray,
              log_weights: FloatArray, min_ess: float, rng: np.random.Generator) -> _Adapted:
    """Adaptive importance sampling (population Monte Carlo with a defensive mixture): each round fits a normal
    on the logit scale to the weighted draws, draws as many from it mixed with the prior, and weights them by
    prior x likelihood / proposal; it stops when the effective sample size reaches ``min_ess``."""
    n, ndim = draws.shape
    low, high = np.array([p.low for p in priors]), np.array([p.high for p in priors])
    prior_cov = np.cov(_to_logit(priors, np.column_stack([p.sample(rng, 4 * n) for p in priors])), rowvar=False)
    weights = np.exp(log_weights - log_weights.max())
    weights /= weights.sum()
    ess = float(1.0 / np.sum(weights**2))
    for round_ in range(1, ADAPTIVE_ROUNDS + 1):
        z = _to_logit(priors, draws)
        fit = _tempered(weights, FIT_ESS_PART * n)
        mean = fit @ z
        cov = PROPOSAL_INFLATION * np.atleast_2d(np.cov(z, rowvar=False, aweights=fit, bias=True))
        cov = cov + PRIOR_SHRINKAGE * np.atleast_2d(prior_cov) + 1e-9 * np.eye(ndim)
        from_prior: npt.NDArray[np.bool_] = np.asarray(rng.random(n) < DEFENSIVE_PART)
        new_z = rng.multivariate_normal(mean, cov, size=n)
        new = low + (high - low) / (1.0 + np.exp(-new_z))
        new[from_prior] = np.column_stack([p.sample(rng, int(from_prior.sum())) for p in priors])
        new = np.clip(new, low + 1e-12 * (high - low), high - 1e-12 * (high - low))
        z_new = _to_logit(priors, new)
        u = (new - low) / (high - low)
        log_jacobian = -np.sum(np.log(u) + np.log1p(-u) + np.log(high - low), axis=1)  # dz/dx
        log_p = _log_prior(priors, new)
        log_q = np.logaddexp(math.log(DEFENSIVE_PART) + log_p,
                             math.log(1.0 - DEFENSIVE_PART)
                             + _log_normal(z_new, mean, cov) + log_jacobian)
        log_w = log_p + likelihood(new) - log_q
        finite = np.isfinite(log_w)
        if not finite.any():
            break
        weights = np.zeros(n)
        weights[finite] = np.exp(log_w[finite] - log_w[finite].max())
        weights /= weights.sum()
        ess = float(1.0 / np.sum(weights**2))
        draws = new
        if ess >= min_ess:
            return _Adapted(draws, weights, ess, round_)
    return _Adapted(draws, weights, ess, ADAPTIVE_ROUNDS)


def _emcee(priors: Sequence[Prior], model: Callable[[Draws], FloatArray], targets: Sequence[Target],
           start: FloatArray, steps: int, burn: int, rng: np.random.Generator,
           progress: Callable[[int, int], None] | None) -> tuple[FloatArray, float, int]:
    """emcee's stretch move from ``start`` (walkers x parameters): the chain after burn-in, the mean acceptance
    and the model evaluations."""
    walkers = len(start) + len(start) % 2
    if walkers > len(start):
        start = np.vstack([start, start[:1]])
    evaluations = 0

    def log_prob(coords: FloatArray) -> FloatArray:
        nonlocal evaluations
        lp = np.sum([p.log_density(coords[:, j]) for j, p in enumerate(priors)], axis=0)
        ok = np.isfinite(lp)
        out = np.full(len(coords), -np.inf)
        if ok.any():
            kept = coords[ok]
            draws = {p.name: np.ascontiguousarray(kept[:, j]) for j, p in enumerate(priors[:-1])}
            evaluations += len(kept)
            out[ok] = lp[ok] + log_likelihood(model(draws), targets, kept[:, -1])
        return out

    sampler = emcee.EnsembleSampler(walkers, len(priors), log_prob, vectorize=True)
    sampler.random_state = np.random.RandomState(int(rng.integers(2**31))).get_state()  # seeded moves
    for k, _ in enumerate(sampler.sample(start, iterations=steps)):
        if progress is not None:
            progress(k + 1, steps)
    return sampler.get_chain(discard=burn), float(np.mean(sampler.acceptance_fraction)), evaluations


def _chain_posterior(priors: Sequence[Prior], run: tuple[FloatArray, float, int], prior_draws: int,
                     started: float, importance_ess: float) -> Posterior:
    chain, acceptance, evaluations = run
    ndim = len(priors)
    walkers, kept = chain.shape[1], chain.shape[0]
    flat = chain.reshape(-1, ndim)
    tau = np.asarray(emcee.autocorr.integrated_time(chain, tol=0, quiet=True), dtype=np.float64)
    warnings = []
    if acceptance < MIN_ACCEPTANCE:
        warnings.append(f"sampler acceptance {acceptance:.2f} is below {MIN_ACCEPTANCE}: the posterior is poorly "
                        "explored (targets the model cannot meet together?)")
    slow = [p.name for p, t in zip(priors, tau, strict=True) if not kept >= MIN_TAU_MULTIPLE * t]  # NaN too
    if slow:
        warnings.append(f"not converged: the chain ({kept} steps after burn-in) is shorter than "
                        f"{MIN_TAU_MULTIPLE:g} autocorrelation times for {', '.join(slow)}")
    summary = tuple(_summarise(p, flat[:, j], float(tau[j]), walkers * kept) for j, p in enumerate(priors))
    return Posterior(tuple(priors), flat, acceptance, evaluations + prior_draws, time.perf_counter() - started,
                     summary, tuple(warnings), method="emcee", importance_ess=importance_ess)


def _summarise(prior: Prior, x: FloatArray, tau: float, n: float) -> ParameterSummary:
    sd = float(np.std(x))
    width = prior.high - prior.low
    at_bound = None
    for side, edge in (("low", prior.low), ("high", prior.high)):
        near = float(np.mean(np.abs(x - edge) < 0.05 * width))
        if near > 0.25:  # a quarter of the mass within 5% of the range of one end
            at_bound = side
    return ParameterSummary(prior.name, prior.mean, prior.sd, float(np.mean(x)), sd,
                            float(np.percentile(x, 5)), float(np.percentile(x, 95)), tau,
                            n / max(tau, 1.0), sd < IDENTIFIED_RATIO * prior.sd, at_bound)


def model_error_prior() -> Prior:
    low, mode, high = MODEL_ERROR
    return Prior("model_error", low, mode, high)
