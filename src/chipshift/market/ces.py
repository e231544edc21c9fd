"""Armington/CES demand primitives: price index, shares, weight calibration, quality, closed forms.

Conventions used throughout the market package (research note, sections 2.4 and 3.4):

* Sources are indexed along the **last** axis; any leading axes are a batch of scenarios or draws.
* A source's *effective* price is its price divided by its quality index, ``p / a``: a chip at 85 %
  of the leader's performance (``a = 0.85``) costs buyers as much as the leader's chip at ``p / 0.85``.
* Preference weights ``alpha`` are normalised to sum to one. With weights from `calibrate_weights`, the
  price index of the calibration prices is one and `ces_shares` returns the calibration shares.

    P = (sum_i alpha_i (p_i / a_i)^(1 - sigma))^(1 / (1 - sigma))        (sigma = 1: prod (p_i/a_i)^alpha_i)
    s_i = alpha_i (p_i / a_i)^(1 - sigma) / P^(1 - sigma)

An infinite price means the source is not in the choice set: for sigma > 1 its term vanishes (Feenstra's
infinite reservation price), for sigma <= 1 the index itself becomes infinite because such a source is
essential. `ban_price_ratio` is the closed form of that removal (WE-8).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from chipshift.market.errors import MarketInputError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Tolerance on "shares sum to one" and "weights sum to one" unless a caller passes its own.
SHARE_TOL = 1e-6


def as_float(values: npt.ArrayLike, name: str) -> FloatArray:
    """`values` as a float64 array; NaN anywhere is an error naming `name`."""
    arr = np.asarray(values, dtype=np.float64)
    if np.isnan(arr).any():
        raise MarketInputError(f"{name} contains NaN; a missing value is not a number the model can use")
    return arr


def check_sigma(sigma: npt.ArrayLike, name: str = "sigma") -> FloatArray:
    """Validate substitution elasticities: finite and strictly positive."""
    arr = as_float(sigma, name)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0.0):
        raise MarketInputError(f"{name} must be finite and > 0, got {arr.ravel()[:5].tolist()}")
    return arr


def check_shares(shares: npt.ArrayLike, tol: float = SHARE_TOL, name: str = "shares") -> FloatArray:
    """Validate shares along the last axis: each in [0, 1] and summing to one within `tol`."""
    arr = as_float(shares, name)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise MarketInputError(f"{name} must have at least one source on the last axis")
    if np.any(arr < 0.0) or np.any(arr > 1.0 + tol):
        raise MarketInputError(f"{name} must lie in [0, 1]")
    total = arr.sum(axis=-1)
    worst = float(np.max(np.abs(total - 1.0)))
    if worst > tol:
        raise MarketInputError(f"{name} must sum to 1 within {tol:g}; the worst row is off by {worst:.3g}")
    return arr


def effective_price(price: npt.ArrayLike, quality: npt.ArrayLike) -> FloatArray:
    """Quality-adjusted price ``p / a``: what buyers compare across sources.

    >>> effective_price([1.0, 0.9], [1.0, 0.85]).round(4).tolist()
    [1.0, 1.0588]
    """
    p = as_float(price, "price")
    a = as_float(quality, "quality")
    if np.any(p < 0.0):
        raise MarketInputError("prices must be >= 0")
    if np.any(a <= 0.0) or not np.all(np.isfinite(a)):
        raise MarketInputError("quality indices must be finite and > 0")
    return p / a


def log_power_mean(
    log_x: FloatArray, weights: FloatArray, r: FloatArray, include: BoolArray | None = None
) -> FloatArray:
    """``log((sum_i w_i x_i^r)^(1/r))`` over the last axis, with the weights normalised to sum to one.

    `r` has the shape of the leading axes (one exponent per row); ``r = 0`` gives the geometric mean
    ``sum_i w_i log x_i``. Entries outside `include` are left out of the sum but not of the normalisation:
    their term ``x^r`` is zero, which is how a removed source enters a price index (``x = inf``, ``r < 0``).
    Exclusions are undefined for ``r = 0`` and give NaN. Near ``x^r = 1`` the sum is formed with
    ``log1p``/``expm1``, so equal inputs give exactly zero and the ``r -> 0`` limit keeps its precision.
    """
    w = np.broadcast_to(weights, log_x.shape)
    wn = w / w.sum(axis=-1, keepdims=True)
    inc = np.broadcast_to(True if include is None else include, log_x.shape) & (wn > 0.0)
    r0 = np.broadcast_to(np.asarray(r, dtype=np.float64), log_x.shape[:-1])
    geometric = r0 == 0.0
    lx = np.where(inc, log_x, 0.0)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        u = np.where(inc, r0[..., None] * lx, -np.inf)
        top = np.max(u, axis=-1)
        top_safe = np.where(np.isfinite(top), top, 0.0)
        small = np.max(np.where(inc, np.abs(np.where(inc, u, 0.0)), 0.0), axis=-1) <= 0.5
        excluded = np.sum(np.where(inc, 0.0, wn), axis=-1)
        u_near = np.where(inc & small[..., None], u, 0.0)
        near = np.log1p(np.sum(np.where(inc, wn * np.expm1(u_near), 0.0), axis=-1) - excluded)
        far = top_safe + np.log(np.sum(np.where(inc, wn * np.exp(u - top_safe[..., None]), 0.0), axis=-1))
        lse = np.where(top == np.inf, np.inf, np.where(small, near, far))
        general = lse / np.where(geometric, 1.0, r0)
        geo = np.sum(np.where(inc, wn * lx, 0.0), axis=-1)
        geo = np.where(excluded > 0.0, np.nan, geo)
    return np.asarray(np.where(geometric, geo, general))


def ces_price_index(
    prices: npt.ArrayLike,
    weights: npt.ArrayLike,
    sigma: float | npt.ArrayLike,
    quality: npt.ArrayLike | None = None,
) -> FloatArray:
    """CES (Armington) price index over the last axis; ``np.inf`` prices are sources outside the choice set.

    >>> round(float(ces_price_index([1.0, np.inf], [0.75, 0.25], 4.0)), 4)  # WE-8: (1 - 0.25)^(1/(1-4))
    1.1006
    """
    p = as_float(prices, "prices")
    s = check_sigma(sigma)
    w = check_shares(weights, name="weights")
    pe = effective_price(p, np.ones_like(p) if quality is None else quality)
    lead = np.broadcast_shapes(pe.shape[:-1], s.shape)
    with np.errstate(divide="ignore"):
        log_pe = np.broadcast_to(np.log(pe), (*lead, pe.shape[-1]))
    r = np.broadcast_to(1.0 - s, lead)
    # A term x^r that is zero (infinite price with sigma > 1, zero price with sigma < 1) leaves the sum.
    rr = r[..., None]
    vanishing = ((log_pe == np.inf) & (rr < 0.0)) | ((log_pe == -np.inf) & (rr > 0.0))
    return np.asarray(np.exp(log_power_mean(log_pe, w, r, ~vanishing)))


def ces_shares(
    prices: npt.ArrayLike,
    weights: npt.ArrayLike,
    sigma: float | npt.ArrayLike,
    quality: npt.ArrayLike | None = None,
) -> FloatArray:
    """Expenditure shares ``alpha_i (p_i/a_i)^(1-sigma) / sum_k alpha_k (p_k/a_k)^(1-sigma)``.

    A source with an infinite price gets share zero when sigma > 1. With sigma <= 1 an infinite price makes
    the composite unobtainable and the shares undefined, which raises.
    """
    p = as_float(prices, "prices")
    s = check_sigma(sigma)[..., None]
    w = check_shares(weights, name="weights")
    pe = effective_price(p, np.ones_like(p) if quality is None else quality)
    missing = np.isinf(pe)
    if np.any(missing & (s <= 1.0)):
        raise MarketInputError("with sigma <= 1 every source is essential: an infinite price has no share")
    with np.errstate(divide="ignore"):
        u = np.where(missing | (w == 0.0), -np.inf, np.log(np.where(w > 0.0, w, 1.0)) + (1.0 - s) * np.log(pe))
    top = np.max(u, axis=-1, keepdims=True)
    if np.any(top == -np.inf):
        raise MarketInputError("no source with a positive weight and a finite price: shares are undefined")
    e = np.exp(u - top)
    return np.asarray(e / e.sum(axis=-1, keepdims=True))


def calibrate_weights(
    shares: npt.ArrayLike,
    prices: npt.ArrayLike,
    sigma: float | npt.ArrayLike,
    quality: npt.ArrayLike | None = None,
    tol: float = SHARE_TOL,
) -> FloatArray:
    """Preference weights that reproduce observed expenditure `shares` at observed `prices` and `quality`.

    ``alpha_i ∝ s_i (p_i/a_i)^(sigma-1)``, normalised to sum to one. A zero share gives a zero weight, which
    stays zero under any price change (the "small share problem", research note 3.2): new entrants need an
    explicit capacity path, not a CES weight.

    >>> w = calibrate_weights([0.6, 0.4], [1.0, 2.0], 3.0)
    >>> ces_shares([1.0, 2.0], w, 3.0).round(12).tolist()
    [0.6, 0.4]
    """
    s = check_shares(shares, tol=tol)
    sig = check_sigma(sigma)[..., None]
    p = as_float(prices, "prices")
    pe = effective_price(p, np.ones_like(p) if quality is None else quality)
    if np.any(~np.isfinite(pe)) or np.any(pe <= 0.0):
        raise MarketInputError("calibration prices must be finite and > 0")
    with np.errstate(divide="ignore"):
        u = np.where(s > 0.0, np.log(np.where(s > 0.0, s, 1.0)) + (sig - 1.0) * np.log(pe), -np.inf)
    e = np.exp(u - np.max(u, axis=-1, keepdims=True))
    return np.asarray(e / e.sum(axis=-1, keepdims=True))


def ces_demand(
    prices: npt.ArrayLike,
    weights: npt.ArrayLike,
    sigma: float | npt.ArrayLike,
    expenditure: float | npt.ArrayLike,
    quality: npt.ArrayLike | None = None,
) -> FloatArray:
    """Physical quantities bought when `expenditure` is spent on the composite: ``s_i E / p_i``."""
    shares = ces_shares(prices, weights, sigma, quality)
    p = as_float(prices, "prices")
    e = as_float(expenditure, "expenditure")[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(shares > 0.0, shares * e / p, 0.0)
    return np.asarray(q)


def ces_aggregate(quantities: npt.ArrayLike, weights: npt.ArrayLike, sigma: float) -> FloatArray:
    """The CES quantity aggregator of WE-5 (Armington.jl's conventions), over the last axis.

    * ``0 < sigma < inf``, ``sigma != 1``: ``Q = (sum_i alpha_i x_i^rho)^(1/rho)``, ``rho = (sigma-1)/sigma``
    * ``sigma = 0`` (Leontief): ``Q = min_i x_i / alpha_i``
    * ``sigma = 1`` (Cobb-Douglas): ``Q = prod_i (x_i / alpha_i)^alpha_i``
    * ``sigma = inf`` (perfect substitutes): ``Q = sum_i alpha_i x_i``

    The limits are normalised as in Armington.jl, so they are not the sigma -> 0, 1 limits of the general
    form with the same weights (those differ by a constant factor); every case is homogeneous of degree
    one. Weights are used as given, not renormalised.

    >>> float(ces_aggregate([4.0, 9.0], [0.5, 0.5], 2.0))
    6.25
    """
    x = as_float(quantities, "quantities")
    a = as_float(weights, "weights")
    if np.any(x < 0.0) or np.any(a <= 0.0):
        raise MarketInputError("quantities must be >= 0 and weights > 0")
    if math.isnan(sigma) or sigma < 0.0:
        raise MarketInputError(f"sigma must be >= 0 here, got {sigma}")
    if sigma == 0.0:
        return np.asarray(np.min(x / a, axis=-1))
    if sigma == 1.0:
        with np.errstate(divide="ignore"):
            return np.asarray(np.exp(np.sum(a * np.log(x / a), axis=-1)))
    if math.isinf(sigma):
        return np.asarray(np.sum(a * x, axis=-1))
    rho = (sigma - 1.0) / sigma
    with np.errstate(divide="ignore"):
        return np.asarray(np.sum(a * x**rho, axis=-1) ** (1.0 / rho))


def ban_price_ratio(banned_share: float | npt.ArrayLike, sigma: float | npt.ArrayLike) -> FloatArray:
    """Closed form of removing a variety (WE-8): ``P'/P = (1 - s)^(1/(1 - sigma))`` for sigma > 1.

    Other sources' prices are held fixed (infinitely elastic supply). With sigma <= 1 a removed source is
    essential and a price-based ban has no finite answer: model it as a quantity constraint instead.

    >>> round(float(ban_price_ratio(0.25, 1.5)), 4)
    1.7778
    """
    s = as_float(banned_share, "banned_share")
    sig = as_float(sigma, "sigma")
    if np.any(sig <= 1.0) or not np.all(np.isfinite(sig)):
        raise MarketInputError(
            "a ban as removal from the CES choice set needs sigma > 1; with sigma <= 1 use a quantity "
            "constraint (capacity 0) and read the unmet demand"
        )
    if np.any(s < 0.0) or np.any(s > 1.0):
        raise MarketInputError("banned_share must be in [0, 1]")
    with np.errstate(divide="ignore"):
        return np.asarray(np.power(1.0 - s, 1.0 / (1.0 - sig)))


def shares_after_ban(shares: npt.ArrayLike, banned: npt.ArrayLike) -> FloatArray:
    """Shares after removing the `banned` sources with all prices unchanged: the rest scale by 1/(1 - s)."""
    s = check_shares(shares)
    b = np.asarray(banned, dtype=bool)
    kept = np.where(b, 0.0, s)
    total = kept.sum(axis=-1, keepdims=True)
    if np.any(total <= 0.0):
        raise MarketInputError("every source with a positive share is banned: no shares remain")
    return np.asarray(kept / total)
