"""Exact (levels / "hat") partial equilibrium of one CES market, solved for a batch of scenarios at once.

The model (research note 2.4 and 3.3; the exact-hat form of `emr`'s simple Armington model, with quality,
capacity and a price cap added). Hats are scenario / baseline ratios; sources ``i`` in the choice set:

    buyer price            p_i = v_i * (1 + t_i)                     v_i: seller price, t_i: wedge (tariff eq.)
    composite price        P^(1-sigma) = sum_i s0_i (p^_i / a^_i)^(1-sigma)      s0: baseline value shares
    composite demand       Q^ = D^ * min(P^, cap)^(-eta)                eta >= 0, D^ demand shifter
    source demand          x^_i = (p^_i / a^_i / P^)^(-sigma) * Qc^ / a^_i     a^: quality index change
    supply                 x^_i = (w^_i / c^_i)^eps_i,  x_i <= K_i    w: marginal cost, c^: cost shifter
    complementarity        v_i = w_i + lambda_i,  lambda_i >= 0,  lambda_i * (K_i - x_i) = 0
    price cap (backstop)   P^ <= cap,  unmet >= 0,  unmet * (cap - P^) = 0,  Qc^ = Q^ - unmet

A ban removes the source from the choice set exactly (its term leaves the price index), which is the
sigma > 1 limit of an infinite wedge. With sigma <= 1 every source is essential, so a ban is refused:
give the source capacity 0 instead and the composite becomes unobtainable (all demand unmet).

`cap` is the buyers' reservation price for the composite relative to its baseline price (a "value of lost
demand" backstop, as load shedding in power-system models). Above it buyers go without, and what they
go without is reported as unmet demand. With the default ``cap = inf`` unmet demand arises only when no
price clears the market: perfectly inelastic demand (``eta = 0``) facing too little capacity, or no source
able to deliver. Then prices are reported as infinite, never as a made-up finite number.

Solution method: given the composite price, each source's price and quantity have closed forms (including
the capacity kink), so the whole market reduces to one monotone scalar equation per draw,
``log P_ces(theta) - log P(theta) = 0``, solved by bracketed Newton iterations on arrays of draws.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from chipshift.market.ces import BoolArray, FloatArray, log_power_mean
from chipshift.market.errors import ConvergenceError, ConvergenceWarning, MarketInputError
from chipshift.market.model import Market, Resolved, Shocks, resolve

IntArray = npt.NDArray[np.int64]

__all__ = ["MarketResult", "solve_market"]


@dataclass(frozen=True)
class MarketResult:
    """Equilibrium of a batch of scenarios; per-source arrays are ``(batch, n)``, per-draw ``(batch,)``.

    Units: quantities and prices in the market's units; composite quantity and unmet demand in baseline
    value units (the composite's baseline price is 1, so its baseline quantity is baseline expenditure).
    Banned sources have quantity 0 and NaN prices; a source with zero capacity has an infinite price.
    """

    labels: tuple[str, ...]
    price: FloatArray  #: buyer price including the wedge
    seller_price: FloatArray  #: price the source receives: marginal cost plus capacity rent
    quantity: FloatArray
    value: FloatArray  #: buyer expenditure, price * quantity
    share: FloatArray  #: expenditure shares
    shadow_price: FloatArray  #: capacity rent per unit (seller price - marginal cost); 0 when not binding
    at_capacity: BoolArray
    composite_price: FloatArray  #: price index the buyers face, baseline 1 (capped at the price cap)
    composite_quantity: FloatArray  #: composite delivered
    unmet: FloatArray  #: composite demanded at the composite price but not delivered
    served: BoolArray  #: False where nothing at all is delivered
    tariff_revenue: FloatArray  #: sum of wedge * seller price * quantity
    converged: BoolArray
    iterations: IntArray
    residual: FloatArray  #: |log P_ces - log P| at the returned point

    @property
    def size(self) -> int:
        """Number of draws in the batch."""
        return int(self.composite_price.shape[0])


@dataclass(frozen=True)
class _State:
    z: FloatArray  # log seller-price hat (0 for sources outside the choice set)
    log_x: FloatArray  # log quantity hat
    bound: BoolArray  # capacity binds
    share: FloatArray
    big_l: FloatArray  # log composite price the buyers face
    y: FloatArray  # log composite quantity hat delivered
    h: FloatArray
    dh: FloatArray


def _evaluate(b: Resolved, theta: FloatArray) -> _State:
    """Source prices and quantities in closed form given the scalar unknown `theta`, and h(theta).

    theta <= log cap: theta is the log composite price and composite demand is on its curve.
    theta > log cap: the price sits at the cap and theta - log cap is the log of the unmet fraction.
    h = log P_ces(source prices) - log P is strictly decreasing in theta.
    """
    sig, eta, log_cap = b.sigma, b.eta, b.log_cap
    capped = theta > log_cap
    big_l = np.where(capped, log_cap, theta)
    over = np.where(capped, theta - np.where(capped, log_cap, 0.0), 0.0)
    y = b.log_d - eta * big_l - over
    d_a = np.where(capped, -1.0, sig - eta)  # d(log demand scale)/d theta
    d_l = np.where(capped, 0.0, 1.0)
    s2 = sig[:, None]
    # log demand of source i is a_i - sigma * z_i, z_i its log seller-price hat.
    a = s2 * (big_l[:, None] - b.log_tau + b.log_a) + y[:, None] - b.log_a
    omega = s2 / (s2 + b.eps)  # 0 for perfectly elastic supply
    z_free = omega * a / s2 + (1.0 - omega) * b.log_c  # demand meets the supply curve
    with np.errstate(invalid="ignore"):
        z_cap = (a - b.log_k) / s2  # demand equals capacity
    bound = b.allowed & (z_cap > z_free)
    z = np.where(b.allowed, np.where(bound, z_cap, z_free), 0.0)
    g = np.where(bound, 1.0 / s2, omega / s2)
    e = b.log_tau + z - b.log_a
    r = 1.0 - sig
    h = log_power_mean(e, b.s0, r, b.allowed) - big_l
    share = _shares(e, b.s0, r, b.allowed)
    dh = np.sum(share * g, axis=1) * d_a - d_l
    return _State(z, a - s2 * z, bound, share, big_l, y, h, dh)


def _shares(e: FloatArray, s0: FloatArray, r: FloatArray, include: BoolArray) -> FloatArray:
    """Shares ``s0_i exp(r e_i)`` normalised over `include` (CES value shares when r = 1 - sigma)."""
    u = np.where(include, np.log(np.broadcast_to(s0, e.shape)) + r[:, None] * np.where(include, e, 0.0), -np.inf)
    top = np.max(u, axis=1, keepdims=True)
    w = np.where(include, np.exp(u - np.where(np.isfinite(top), top, 0.0)), 0.0)
    return np.asarray(w / w.sum(axis=1, keepdims=True))


def _newton(b: Resolved, tol: float, max_iter: int) -> tuple[FloatArray, IntArray, FloatArray, BoolArray]:
    """Bracketed Newton on the decreasing scalar h(theta) for all draws at once; converged draws drop out."""
    n_draws = b.sigma.shape[0]
    theta = np.zeros(n_draws)
    lo = np.full(n_draws, -np.inf)
    hi = np.full(n_draws, np.inf)
    iters = np.zeros(n_draws, dtype=np.int64)
    resid = np.full(n_draws, np.inf)
    done = np.zeros(n_draws, dtype=bool)
    active = np.arange(n_draws)
    for k in range(max_iter + 1):
        if active.size == 0:
            break
        st = _evaluate(b.take(active), theta[active])
        th = theta[active]
        resid[active] = np.abs(st.h)
        lo_a = np.where(st.h > 0.0, th, lo[active])
        hi_a = np.where(st.h < 0.0, th, hi[active])
        ok = (np.abs(st.h) <= tol) | (hi_a - lo_a <= tol * (1.0 + np.abs(th)))
        done[active[ok]] = True
        if k == max_iter:
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(st.dh < 0.0, -st.h / st.dh, np.sign(st.h) * np.inf)
        limit = np.maximum(4.0, 2.0 * np.abs(th))
        cand = th + np.clip(step, -limit, limit)
        inside = (cand > lo_a) & (cand < hi_a)
        both = np.isfinite(lo_a) & np.isfinite(hi_a)
        mid = 0.5 * (np.where(both, lo_a, 0.0) + np.where(both, hi_a, 0.0))
        new = np.where(inside | ~both, cand, mid)
        keep = ~ok
        lo[active], hi[active] = lo_a, hi_a
        theta[active[keep]] = new[keep]
        iters[active[keep]] += 1
        active = active[keep]
    return theta, iters, resid, done


def solve_market(
    market: Market,
    shocks: Shocks | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int = 200,
    on_failure: Literal["raise", "warn"] = "raise",
) -> MarketResult:
    """Solve the market for every draw of `shocks` (no shocks: one draw, the baseline, returned exactly).

    `tol` bounds ``|log P_ces - log P|`` (a relative error on the composite price). Draws that fail to
    meet it raise `ConvergenceError`, or with ``on_failure="warn"`` emit `ConvergenceWarning` and come
    back as NaN with ``converged = False``.

    >>> m = Market(["A", "B"], quantity=[3.0, 1.0], price=[1.0, 1.0], sigma=4.0, demand_elasticity=1.0)
    >>> r = solve_market(m, Shocks(banned=[False, True]))
    >>> r.quantity.round(4).tolist(), r.composite_price.round(4).tolist()
    ([[4.0, 0.0]], [1.1006])
    """
    if on_failure not in ("raise", "warn"):
        raise MarketInputError("on_failure must be 'raise' or 'warn'")
    if not (tol > 0.0) or max_iter < 1:
        raise MarketInputError("tol must be > 0 and max_iter >= 1")
    b = resolve(market, shocks)
    n_draws, n = b.log_tau.shape
    sig = b.sigma
    zero_k = b.log_k == -np.inf
    # Nothing can be delivered: no source left (sigma > 1) or an essential source without capacity.
    unserved = np.where(sig > 1.0, ~np.any(b.allowed, axis=1), np.any(zero_k, axis=1))
    # eta = 0, no cap, and even full capacity cannot deliver the demand: prices rise without bound.
    rho = (sig - 1.0) / sig
    log_qmax = log_power_mean(b.log_a + b.log_k, b.s0, rho, b.allowed)
    shortfall = ~unserved & (b.eta == 0.0) & (b.log_cap == np.inf) & (log_qmax < b.log_d)
    # A finite cap below the composite price at zero output: buyers take none of it.
    finite_eps = np.isfinite(b.eps)
    log_floor = log_power_mean(b.log_tau + b.log_c - b.log_a, b.s0, 1.0 - sig, b.allowed & ~finite_eps)
    log_floor = np.where(np.any(b.allowed & finite_eps, axis=1) & (sig >= 1.0), -np.inf, log_floor)
    nothing = ~unserved & ~shortfall & (log_floor >= b.log_cap)
    regular = ~(unserved | shortfall | nothing)

    z = np.zeros((n_draws, n))
    log_x = np.full((n_draws, n), -np.inf)
    bound = np.zeros((n_draws, n), dtype=bool)
    share = np.zeros((n_draws, n))
    big_l = np.zeros(n_draws)
    y = np.full(n_draws, -np.inf)
    capped = np.zeros(n_draws, dtype=bool)
    iters = np.zeros(n_draws, dtype=np.int64)
    resid = np.zeros(n_draws)
    conv = np.ones(n_draws, dtype=bool)

    idx = np.flatnonzero(regular)
    if idx.size:
        sub = b.take(idx)
        theta, it, err, ok = _newton(sub, tol, max_iter)
        st = _evaluate(sub, theta)
        z[idx], bound[idx], share[idx] = st.z, st.bound, st.share
        log_x[idx] = np.where(sub.allowed, st.log_x, -np.inf)
        big_l[idx], y[idx], capped[idx] = st.big_l, st.y, theta > sub.log_cap
        iters[idx], resid[idx], conv[idx] = it, err, ok
    empty = unserved | nothing
    # Nothing delivered: each source's price sits at the marginal cost of a first unit.
    z[empty] = np.where(finite_eps[empty], -np.inf, b.log_c[empty])
    big_l[empty] = b.log_cap[empty]
    idx = np.flatnonzero(shortfall)
    if idx.size:
        # The limit of an ever higher price: every capacity binds; a source without a capacity limit
        # grows without bound (only possible when sigma <= 1 makes it a poor substitute).
        inc = b.allowed[idx]
        limited = inc & np.isfinite(b.log_k[idx])
        log_x[idx] = np.where(inc, b.log_k[idx], -np.inf)
        z[idx] = np.where(limited | finite_eps[idx], np.inf, b.log_c[idx])
        bound[idx] = limited
        big_l[idx] = np.inf
        y[idx] = log_qmax[idx]
        share[idx] = _shares(b.log_a[idx] + b.log_k[idx], b.s0, rho[idx], inc)
    zero_cap = zero_k & ~b.banned
    z = np.where(zero_cap, np.inf, z)
    bound = bound | zero_cap

    res = _assemble(market, b, z, log_x, bound, share, big_l, y, empty, capped | empty | shortfall)
    res = MarketResult(**{**vars(res), "converged": conv, "iterations": iters, "residual": resid})
    failed = np.flatnonzero(~conv)
    if failed.size:
        msg = (
            f"market equilibrium did not converge for {failed.size} of {n_draws} draws "
            f"(first: {failed[:10].tolist()}; worst |log P_ces - log P| = {float(np.max(resid[failed])):.3g}, "
            f"tol = {tol:g}, max_iter = {max_iter})"
        )
        if on_failure == "raise":
            raise ConvergenceError(msg, tuple(int(i) for i in failed))
        warnings.warn(msg + "; those draws are NaN", ConvergenceWarning, stacklevel=2)
        res = _blank(res, ~conv)
    for arr in vars(res).values():
        if isinstance(arr, np.ndarray):
            arr.setflags(write=False)
    return res


def _assemble(
    market: Market,
    b: Resolved,
    z: FloatArray,
    log_x: FloatArray,
    bound: BoolArray,
    share: FloatArray,
    big_l: FloatArray,
    y: FloatArray,
    empty: BoolArray,
    rationed: BoolArray,
) -> MarketResult:
    """Turn hats into levels, with the NaN / inf conventions of `MarketResult`."""
    banned = b.banned
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        quantity = np.where(banned, 0.0, market.quantity * np.exp(log_x))
        seller = np.where(banned, np.nan, market.seller_price * np.exp(z))
        price = np.where(banned, np.nan, market.price * np.exp(z + b.log_tau))
        log_mc = b.log_c + np.where(np.isfinite(b.eps), log_x / b.eps, 0.0)
        mc = market.seller_price * np.exp(log_mc)
        shadow = np.where(banned, np.nan, np.where(bound, np.maximum(seller - mc, 0.0), 0.0))
        value = np.where(quantity > 0.0, price * quantity, 0.0)
        total = value.sum(axis=1, keepdims=True)
        finite = np.isfinite(total) & (total > 0.0)
        share = np.where(finite, value / np.where(finite, total, 1.0), np.where(empty[:, None], 0.0, share))
        revenue = np.sum(np.where((quantity > 0.0) & (b.wedge != 0.0), b.wedge * seller * quantity, 0.0), axis=1)
        e0 = market.total_value
        demand = np.where(b.eta == 0.0, np.exp(b.log_d), np.exp(b.log_d - b.eta * big_l))
        delivered = e0 * np.exp(y)
        unmet = np.where(rationed, np.maximum(e0 * demand - delivered, 0.0), 0.0)
        comp_price = np.exp(big_l)
    n_draws = big_l.shape[0]
    return MarketResult(
        labels=market.labels,
        price=price,
        seller_price=seller,
        quantity=quantity,
        value=value,
        share=share,
        shadow_price=shadow,
        at_capacity=bound & ~banned,
        composite_price=comp_price,
        composite_quantity=delivered,
        unmet=unmet,
        served=delivered > 0.0,
        tariff_revenue=revenue,
        converged=np.ones(n_draws, dtype=bool),
        iterations=np.zeros(n_draws, dtype=np.int64),
        residual=np.zeros(n_draws),
    )


def _blank(res: MarketResult, bad: BoolArray) -> MarketResult:
    """NaN out the draws in `bad` so that no unconverged number leaves the solver."""
    out = {}
    for name, val in vars(res).items():
        if isinstance(val, np.ndarray) and val.dtype == np.float64 and name != "residual":
            val = val.copy()
            val[bad] = np.nan
        out[name] = val
    return MarketResult(**out)
