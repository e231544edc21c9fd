"""Helpers for paths over years: capacity ramps, learning curves, partial adjustment, and a yearly path.

Equations (research note section 4):

    logistic ramp     K(t) = K0 + (Kmax - K0) / (1 + exp(-r (t - t_m)))     10 %-90 % rise time ln(81) / r
    Wright's law      C(x) = C1 (x / x1)^(-b),  b = -log2(1 - LR)            cost falls by LR per doubling
    quality gap       g(x) = g1 (x / x1)^(-b_q),  quality = 1 - g             the gap closes the same way
    adjustment        s_t = s_(t-1) + lambda (s*_t - s_(t-1)),  lambda = 1 - 0.5^(1 / half-life)

`simulate_path` chains yearly equilibria: capacities follow a given path, experience accumulates each
year's output, costs and quality follow the learning curves, and reported shares approach each year's
equilibrium shares with a qualification lag. The loop runs over years; each year solves all draws at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chipshift.market.ces import BoolArray, FloatArray, as_float
from chipshift.market.equilibrium import MarketResult, solve_market
from chipshift.market.errors import MarketInputError
from chipshift.market.model import Market, Shocks

__all__ = [
    "Learning",
    "MarketPath",
    "adjust_shares",
    "adjustment_path",
    "learning_exponent",
    "learning_rate",
    "logistic_capacity",
    "rise_time",
    "simulate_path",
    "speed_from_half_life",
    "wright_cost",
    "wright_quality",
]


def logistic_capacity(
    t: npt.ArrayLike,
    *,
    ceiling: npt.ArrayLike,
    rate: npt.ArrayLike,
    midpoint: npt.ArrayLike,
    floor: npt.ArrayLike = 0.0,
) -> FloatArray:
    """Logistic build-out from `floor` to `ceiling`, half-way at `midpoint`, steepness `rate` (> 0).

    >>> logistic_capacity([0.0, 2.0, 100.0], ceiling=10.0, rate=1.0, midpoint=2.0).round(3).tolist()
    [1.192, 5.0, 10.0]
    """
    tt, k_max, r, t_m, k_0 = (
        as_float(v, n)
        for v, n in ((t, "t"), (ceiling, "ceiling"), (rate, "rate"), (midpoint, "midpoint"), (floor, "floor"))
    )
    if np.any(r <= 0.0) or np.any(k_max < k_0) or np.any(k_0 < 0.0):
        raise MarketInputError("need rate > 0 and 0 <= floor <= ceiling")
    return np.asarray(k_0 + (k_max - k_0) / (1.0 + np.exp(-r * (tt - t_m))))


def rise_time(rate: float) -> float:
    """Years from 10 % to 90 % of a logistic ramp: ``ln(81) / rate``."""
    if not rate > 0.0:
        raise MarketInputError("rate must be > 0")
    return math.log(81.0) / rate


def learning_exponent(rate: npt.ArrayLike) -> FloatArray:
    """Wright exponent ``b = -log2(1 - LR)`` of a learning rate LR in [0, 1) (WE-9: 0.20 -> 0.3219)."""
    lr = as_float(rate, "learning rate")
    if np.any(lr < 0.0) or np.any(lr >= 1.0):
        raise MarketInputError("learning rates must be in [0, 1)")
    return np.asarray(-np.log2(1.0 - lr))


def learning_rate(exponent: npt.ArrayLike) -> FloatArray:
    """Inverse of `learning_exponent`: ``LR = 1 - 2^-b``."""
    b = as_float(exponent, "exponent")
    if np.any(b < 0.0):
        raise MarketInputError("Wright exponents must be >= 0")
    return np.asarray(1.0 - np.exp2(-b))


def _experience_ratio(cumulative: npt.ArrayLike, initial: npt.ArrayLike) -> FloatArray:
    x = as_float(cumulative, "cumulative")
    x1 = as_float(initial, "initial experience")
    if np.any(x1 <= 0.0) or np.any(x < x1):
        raise MarketInputError("experience must start > 0 and never fall below its starting value")
    return np.asarray(x / x1)


def wright_cost(
    cumulative: npt.ArrayLike, *, initial: npt.ArrayLike, rate: npt.ArrayLike, cost: npt.ArrayLike = 1.0
) -> FloatArray:
    """Unit cost after cumulative output `cumulative`, from `cost` at `initial` experience (Wright's law).

    >>> float(wright_cost(2.0, initial=1.0, rate=0.2))
    0.8
    """
    return np.asarray(as_float(cost, "cost") * _experience_ratio(cumulative, initial) ** -learning_exponent(rate))


def wright_quality(
    cumulative: npt.ArrayLike, *, initial: npt.ArrayLike, gap: npt.ArrayLike, rate: npt.ArrayLike
) -> FloatArray:
    """Quality index ``1 - gap * (x / x1)^-b``: the gap to the frontier closes by `rate` per doubling."""
    g = as_float(gap, "gap")
    if np.any(g < 0.0) or np.any(g >= 1.0):
        raise MarketInputError("quality gaps must be in [0, 1)")
    return np.asarray(1.0 - g * _experience_ratio(cumulative, initial) ** -learning_exponent(rate))


def speed_from_half_life(half_life: float) -> float:
    """Share of the remaining gap closed per period when half of it closes in `half_life` periods."""
    if not half_life > 0.0:
        raise MarketInputError("half_life must be > 0")
    return float(1.0 - 0.5 ** (1.0 / half_life))


def adjustment_path(start: npt.ArrayLike, target: npt.ArrayLike, speed: float, periods: int) -> FloatArray:
    """``x_t = target + (start - target)(1 - speed)^t`` for t = 1..periods, e.g. sigma from short to long run.

    >>> adjustment_path(1.4, 3.7, 0.5, 3).round(4).tolist()
    [2.55, 3.125, 3.4125]
    """
    if not 0.0 <= speed <= 1.0 or periods < 0:
        raise MarketInputError("speed must be in [0, 1] and periods >= 0")
    s0, s1 = as_float(start, "start"), as_float(target, "target")
    t = np.arange(1, periods + 1, dtype=np.float64).reshape((-1,) + (1,) * np.broadcast(s0, s1).ndim)
    return np.asarray(s1 + (s0 - s1) * (1.0 - speed) ** t)


def adjust_shares(
    previous: npt.ArrayLike, target: npt.ArrayLike, speed: float | npt.ArrayLike, immediate: npt.ArrayLike | None = None
) -> FloatArray:
    """Move shares a fraction `speed` of the way to `target` (qualification lag), over the last axis.

    `speed` is a scalar or one value per row (a batch of draws with their own lags).

    Sources flagged `immediate` (a ban, a capacity that binds) take their target at once; the others share
    the rest in proportion to their partially adjusted shares. Shares stay in [0, 1] and sum to one.

    >>> adjust_shares([0.5, 0.5, 0.0], [0.0, 0.6, 0.4], 0.5, [True, False, False]).round(4).tolist()
    [0.0, 0.7333, 0.2667]
    """
    rate = as_float(speed, "speed")
    if not np.all((rate >= 0.0) & (rate <= 1.0)):
        raise MarketInputError("speed must be in [0, 1]")
    prev, tgt = as_float(previous, "previous"), as_float(target, "target")
    if rate.ndim == 1:
        rate = rate[:, None]  # one speed per row
    imm = (
        np.zeros(tgt.shape, dtype=bool)
        if immediate is None
        else np.broadcast_to(np.asarray(immediate, bool), tgt.shape)
    )
    moved = prev + rate * (tgt - prev)
    # What the immediate sources take beyond their lagged share comes out of the others in proportion.
    deficit = np.where(imm, tgt - moved, 0.0).sum(axis=-1, keepdims=True)
    free = np.where(imm, 0.0, moved)
    free_total = free.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(free_total > 0.0, free - deficit * free / free_total, np.where(imm, 0.0, tgt))
    return np.asarray(np.where(imm, tgt, np.maximum(scaled, 0.0)))


@dataclass(frozen=True)
class Learning:
    """Per-source learning curves: cost falls by `cost_rate` and the quality gap by `quality_rate` per
    doubling of cumulative output, starting from `experience` (cumulative output before year 1, > 0, in the
    market's quantity units) and a quality gap `quality_gap` (0 = at the frontier) to the frontier."""

    experience: FloatArray
    cost_rate: FloatArray
    quality_rate: FloatArray
    quality_gap: FloatArray

    @classmethod
    def create(
        cls,
        n: int,
        *,
        experience: npt.ArrayLike,
        cost_rate: npt.ArrayLike = 0.0,
        quality_rate: npt.ArrayLike = 0.0,
        quality_gap: npt.ArrayLike = 0.0,
    ) -> Learning:
        """Broadcast each field to one value per source and validate it."""
        vals = [
            np.broadcast_to(as_float(v, k), (n,)).copy()
            for k, v in (
                ("experience", experience),
                ("cost_rate", cost_rate),
                ("quality_rate", quality_rate),
                ("quality_gap", quality_gap),
            )
        ]
        if np.any(vals[0] <= 0.0) or not np.all(np.isfinite(vals[0])):
            raise MarketInputError("experience must be finite and > 0")
        learning_exponent(vals[1])
        learning_exponent(vals[2])
        if np.any(vals[3] < 0.0) or np.any(vals[3] >= 1.0):
            raise MarketInputError("quality gaps must be in [0, 1)")
        return cls(*vals)


@dataclass(frozen=True)
class MarketPath:
    """A yearly path: one batched equilibrium per year plus the lagged shares buyers actually hold."""

    years: tuple[int, ...]
    equilibria: tuple[MarketResult, ...]
    share: FloatArray  #: (years, batch, n) shares after partial adjustment
    cost: FloatArray  #: (years, batch, n) supply-cost shifter used each year
    quality: FloatArray  #: (years, batch, n) quality change relative to baseline used each year
    experience: FloatArray  #: (years, batch, n) cumulative output at the end of each year


def simulate_path(
    market: Market,
    years: int,
    *,
    shocks: Shocks | None = None,
    capacity: npt.ArrayLike | None = None,
    demand_growth: npt.ArrayLike = 0.0,
    learning: Learning | None = None,
    sigma: npt.ArrayLike | None = None,
    adjustment_speed: float = 1.0,
    tol: float = 1e-12,
) -> MarketPath:
    """Solve years 1..`years` in turn under `shocks` (held fixed), with optional yearly paths.

    * `capacity`: ``(years, n)`` or ``(years, batch, n)`` absolute capacities, replacing the shocks' own.
    * `demand_growth`: yearly growth rate of composite demand (scalar or per year); year t's demand is
      ``prod_{s<=t} (1 + g_s)`` times baseline.
    * `learning`: cost and quality follow Wright curves in each source's cumulative output.
    * `sigma`: ``(years,)`` or ``(years, batch)`` substitution elasticities, e.g. from `adjustment_path`.
    * `adjustment_speed`: share of the gap to each year's equilibrium shares closed that year; banned
      sources and binding capacities adjust at once.
    """
    if years < 1:
        raise MarketInputError("years must be >= 1")
    base = Shocks() if shocks is None else shocks
    n = market.n
    growth = np.broadcast_to(as_float(demand_growth, "demand_growth"), (years,))
    if np.any(growth <= -1.0):
        raise MarketInputError("demand_growth must be > -1")
    demand = np.cumprod(1.0 + growth)
    caps = None if capacity is None else as_float(capacity, "capacity")
    if caps is not None and (caps.shape[0] != years or caps.shape[-1] != n or caps.ndim not in (2, 3)):
        raise MarketInputError(f"capacity path must be (years, n) or (years, batch, n), got {caps.shape}")
    sigmas = None if sigma is None else as_float(sigma, "sigma")
    if sigmas is not None and sigmas.shape[:1] != (years,):
        raise MarketInputError("sigma path must have one entry per year")
    sizes = {base.batch_size()} | ({caps.shape[1]} if caps is not None and caps.ndim == 3 else set())
    sizes |= {sigmas.shape[1]} if sigmas is not None and sigmas.ndim == 2 else set()
    if len(sizes - {1}) > 1:
        raise MarketInputError(f"shocks, capacity path and sigma path disagree on the batch size: {sorted(sizes)}")
    size = max(sizes)
    base_cost = np.broadcast_to(1.0 if base.cost is None else base.cost, (size, n))
    base_quality = np.broadcast_to(1.0 if base.quality is None else base.quality, (size, n))
    base_demand = np.broadcast_to(1.0 if base.demand_shift is None else base.demand_shift, (size,))
    exp0 = np.broadcast_to(1.0 if learning is None else learning.experience, (size, n)).astype(np.float64)
    experience = exp0.copy()
    q0 = 1.0 if learning is None else wright_quality(exp0, initial=exp0, gap=learning.quality_gap, rate=0.0)
    share = np.broadcast_to(market.shares, (size, n)).astype(np.float64)
    results: list[MarketResult] = []
    out_share, out_cost, out_quality, out_exp = [], [], [], []
    for t in range(years):
        if learning is None:
            cost_t = np.asarray(base_cost, dtype=np.float64)
            quality_t = np.asarray(base_quality, dtype=np.float64)
        else:
            cost_t = base_cost * wright_cost(experience, initial=exp0, rate=learning.cost_rate)
            q_t = wright_quality(experience, initial=exp0, gap=learning.quality_gap, rate=learning.quality_rate)
            quality_t = base_quality * q_t / q0
        year = Shocks(
            wedge=base.wedge,
            banned=base.banned,
            capacity=base.capacity if caps is None else np.broadcast_to(caps[t], (size, n)),
            quality=quality_t,
            cost=cost_t,
            supply_elasticity=base.supply_elasticity,
            demand_shift=base_demand * demand[t],
            sigma=base.sigma if sigmas is None else np.broadcast_to(sigmas[t], (size,)),
            demand_elasticity=base.demand_elasticity,
            price_cap=base.price_cap,
            labels=base.labels,
        )
        res = solve_market(market, year, tol=tol)
        immediate: BoolArray = res.at_capacity | (res.quantity == 0.0)
        share = adjust_shares(share, res.share, adjustment_speed, immediate)
        experience = experience + res.quantity
        results.append(res)
        out_share.append(share)
        out_cost.append(cost_t)
        out_quality.append(quality_t)
        out_exp.append(experience)
    return MarketPath(
        years=tuple(range(1, years + 1)),
        equilibria=tuple(results),
        share=np.stack(out_share),
        cost=np.stack(out_cost),
        quality=np.stack(out_quality),
        experience=np.stack(out_exp),
    )
