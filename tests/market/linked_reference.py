"""A plain reference for linked markets, written from the equations of market-dynamics.md section 1.2.

Levels, one scenario at a time: CES weights calibrated so each market's baseline price index is 1, one seller
price per firm, supply ``X0 (v / (c v0))^eps`` up to capacity K, licence caps as quantity limits on single
flows. Every combination of binding capacities and binding caps is tried with `scipy.optimize.root`, and the
one whose signs are consistent (price at least marginal cost where capacity binds, flows within their caps,
non-negative rents) is the answer. Slow and simple on purpose.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from scipy import optimize


@dataclass(frozen=True)
class LinkedCase:
    x0: np.ndarray  # (m, f) baseline flows
    v0: np.ndarray  # (f,) baseline seller prices
    t0: np.ndarray  # (m, f) baseline wedges
    t1: np.ndarray  # (m, f) wedges in force
    sigma: np.ndarray  # (m,)
    eta: np.ndarray  # (m,)
    eps: np.ndarray  # (f,)
    capacity: np.ndarray  # (f,) in force
    cost: np.ndarray  # (f,)
    quality: np.ndarray  # (m, f)
    demand: np.ndarray  # (m,)
    banned: np.ndarray  # (m, f)
    quota: np.ndarray  # (m, f), inf = none


@dataclass(frozen=True)
class LinkedAnswer:
    seller_price: np.ndarray
    quantity: np.ndarray
    buyer_price: np.ndarray


def solve_reference(c: LinkedCase) -> LinkedAnswer:
    nm, nf = c.x0.shape
    p0 = c.v0[None, :] * (1.0 + c.t0)
    e0 = (p0 * c.x0).sum(axis=1)
    s0 = p0 * c.x0 / e0[:, None]
    alpha = s0 * p0 ** (c.sigma[:, None] - 1.0)
    allowed = (c.x0 > 0) & ~c.banned
    x_base = c.x0.sum(axis=0)
    capped_pairs = [tuple(p) for p in np.argwhere(allowed & np.isfinite(c.quota))]
    firms_k = [f for f in range(nf) if np.isfinite(c.capacity[f]) and allowed[:, f].any()]

    def flows(v: np.ndarray, rent: dict[tuple[int, int], float]) -> tuple[np.ndarray, np.ndarray]:
        p = v[None, :] * (1.0 + c.t1)
        for (m, f), r in rent.items():
            p[m, f] *= np.exp(r)
        x = np.zeros((nm, nf))
        for m in range(nm):
            idx = np.flatnonzero(allowed[m])
            sig = c.sigma[m]
            pe = p[m, idx] / c.quality[m, idx]
            big_p = np.sum(alpha[m, idx] * pe ** (1.0 - sig)) ** (1.0 / (1.0 - sig))
            comp = e0[m] * c.demand[m] * big_p ** (-c.eta[m])
            x[m, idx] = alpha[m, idx] * (pe / big_p) ** (-sig) * comp / c.quality[m, idx]
        return x, p

    def unpack(z: np.ndarray, caps: tuple[tuple[int, int], ...]) -> tuple[np.ndarray, dict[tuple[int, int], float]]:
        return np.exp(z[:nf]), dict(zip(caps, z[nf:], strict=True))

    def residual(z: np.ndarray, bound: tuple[int, ...], caps: tuple[tuple[int, int], ...]) -> np.ndarray:
        v, rent = unpack(z, caps)
        x, _ = flows(v, rent)
        sales = x.sum(axis=0)
        out = []
        for f in range(nf):
            if not allowed[:, f].any():  # sells nowhere: its price is not determined
                out.append(z[f] - np.log(c.cost[f] * c.v0[f]))
            elif f in bound:
                out.append(np.log(sales[f]) - np.log(c.capacity[f]))
            elif np.isinf(c.eps[f]):
                out.append(np.log(v[f]) - np.log(c.cost[f] * c.v0[f]))
            else:
                supply = x_base[f] * (v[f] / (c.cost[f] * c.v0[f])) ** c.eps[f]
                out.append((np.log(sales[f]) - np.log(supply)) / (1.0 + c.eps[f]))
        for m, f in caps:
            out.append(np.log(x[m, f]) - np.log(c.quota[m, f]))
        return np.array(out)

    for nb in range(len(firms_k) + 1):
        for bound in itertools.combinations(firms_k, nb):
            for nq in range(len(capped_pairs) + 1):
                for caps in itertools.combinations(capped_pairs, nq):
                    z0 = np.concatenate([np.log(c.cost * c.v0), np.zeros(nq)])
                    with np.errstate(all="ignore"):
                        sol = optimize.root(residual, z0, args=(bound, caps), method="hybr", tol=1e-13)
                        if not np.all(np.isfinite(sol.x)) or np.max(np.abs(residual(sol.x, bound, caps))) > 1e-10:
                            continue
                    v, rent = unpack(sol.x, caps)
                    x, p = flows(v, rent)
                    sales = x.sum(axis=0)
                    w = c.cost * c.v0 * (sales / x_base) ** np.where(np.isinf(c.eps), 0.0, 1.0 / c.eps)
                    ok = all(sales[f] <= c.capacity[f] * (1 + 1e-9) for f in range(nf) if f not in bound)
                    ok &= all(v[f] >= w[f] * (1 - 1e-9) for f in bound)
                    ok &= all(r >= -1e-9 for r in rent.values())
                    ok &= all(x[m, f] <= c.quota[m, f] * (1 + 1e-9) for m, f in capped_pairs if (m, f) not in caps)
                    if ok:
                        v = np.where(allowed.any(axis=0), v, np.nan)
                        return LinkedAnswer(v, x, np.where(allowed, p, np.nan))
    raise RuntimeError("no consistent combination of binding constraints")


@st.composite
def linked_cases(draw: st.DrawFn) -> LinkedCase:
    """2-3 markets, 2-3 firms, random flows (some absent), wedges, bans, capacities and licence caps."""
    nm, nf = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    fl = st.floats

    def arr(shape: tuple[int, ...], lo: float, hi: float) -> np.ndarray:
        size = int(np.prod(shape))
        return np.array(draw(st.lists(fl(lo, hi), min_size=size, max_size=size))).reshape(shape)

    x0 = arr((nm, nf), 0.5, 10.0)
    for m in range(nm):  # some firms do not sell in some markets, but every market keeps two sellers
        gone = draw(st.integers(0, nf - 1)) if nf > 2 and draw(st.booleans()) else None
        if gone is not None and (x0[:, gone] > 0).sum() > 1:
            x0[m, gone] = 0.0
    sigma = arr((nm,), 1.3, 8.0)
    banned = np.zeros((nm, nf), dtype=bool)
    if draw(st.booleans()):
        m, f = draw(st.integers(0, nm - 1)), draw(st.integers(0, nf - 1))
        if (x0[m] > 0).sum() > 1:
            banned[m, f] = True
    eps = np.array([draw(st.one_of(st.just(np.inf), fl(0.3, 10.0))) for _ in range(nf)])
    sales = x0.sum(axis=0)
    capacity = np.array([s * draw(fl(0.5, 1.5)) if draw(st.booleans()) else np.inf for s in sales])
    quota = np.full((nm, nf), np.inf)
    if draw(st.booleans()):
        m, f = draw(st.integers(0, nm - 1)), draw(st.integers(0, nf - 1))
        if x0[m, f] > 0 and not banned[m, f]:
            quota[m, f] = x0[m, f] * draw(fl(0.2, 1.2))
    return LinkedCase(
        x0=x0, v0=arr((nf,), 0.5, 2.0), t0=arr((nm, nf), 0.0, 0.3), t1=arr((nm, nf), 0.0, 0.6), sigma=sigma,
        eta=arr((nm,), 0.1, 2.0), eps=eps, capacity=capacity, cost=arr((nf,), 0.8, 1.2),
        quality=arr((nm, nf), 0.8, 1.2), demand=arr((nm,), 0.8, 1.3), banned=banned, quota=quota,
    )
