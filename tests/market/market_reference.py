"""A plain reference solver for the market equilibrium, and hypothesis strategies for random markets.

The reference is written independently of `chipshift.market.equilibrium`: in levels (calibrated CES
weights, supply curves in prices), one scenario at a time, one unknown seller price per source, solved by
`scipy.optimize.root`, with the capacity complementarity handled by an active-set loop. It is slow and
simple on purpose; the batched solver must agree with it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from scipy import optimize

from chipshift.market import Market, Shocks

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Scenario:
    """One market and one scenario, as plain vectors."""

    quantity: np.ndarray
    price: np.ndarray
    wedge0: np.ndarray
    wedge1: np.ndarray
    sigma: float
    eta: float
    eps: np.ndarray
    capacity: np.ndarray
    quality: np.ndarray
    cost: np.ndarray
    demand: float
    cap: float
    banned: np.ndarray

    def market(self) -> Market:
        return Market(
            [f"s{i}" for i in range(len(self.quantity))],
            self.quantity,
            self.price,
            sigma=self.sigma,
            demand_elasticity=self.eta,
            supply_elasticity=self.eps,
            wedge=self.wedge0,
        )

    def shocks(self) -> Shocks:
        return Shocks(
            wedge=self.wedge1,
            banned=self.banned,
            capacity=self.capacity,
            quality=self.quality,
            cost=self.cost,
            demand_shift=self.demand,
            price_cap=self.cap,
        )


@dataclass(frozen=True)
class Reference:
    price: np.ndarray  # buyer prices, NaN for banned
    quantity: np.ndarray
    composite_price: float
    unmet: float
    bound: np.ndarray


def solve_reference(sc: Scenario) -> Reference:
    """Solve one scenario in levels with scipy; raises if no active set gives a consistent solution."""
    q0, p0, sig, eta = sc.quantity, sc.price, sc.sigma, sc.eta
    v0 = p0 / (1.0 + sc.wedge0)
    e0 = float(np.sum(p0 * q0))
    s0 = p0 * q0 / e0
    alpha = s0 * p0 ** (sig - 1.0)  # CES weights with the baseline price index equal to 1
    idx = np.flatnonzero(~sc.banned & (sc.capacity > 0.0))
    a, c, eps, k = sc.quality[idx], sc.cost[idx], sc.eps[idx], sc.capacity[idx]
    mc0 = v0[idx] * c  # seller price at baseline output

    def demand(u: np.ndarray, big_q: float | None) -> tuple[np.ndarray, float, float]:
        pi = np.exp(u) * (1.0 + sc.wedge1[idx]) / a
        if sig == 1.0:
            big_p = float(np.exp(np.sum(s0[idx] * np.log(pi / p0[idx]))))  # Cobb-Douglas, P0 = 1
        else:
            big_p = float(np.sum(alpha[idx] * pi ** (1.0 - sig)) ** (1.0 / (1.0 - sig)))
        comp = e0 * sc.demand * big_p ** (-eta) if big_q is None else big_q
        return alpha[idx] * (pi / big_p) ** (-sig) * comp / a, big_p, comp

    def residual(x: np.ndarray, bound: np.ndarray, capped: bool) -> np.ndarray:
        u = x[: idx.size]
        big_q = float(np.exp(x[-1])) if capped else None
        xd, big_p, _ = demand(u, big_q)
        out = np.where(
            bound,
            np.log(xd) - np.log(np.where(bound, k, 1.0)),
            np.where(np.isinf(eps), u - np.log(mc0), np.log(xd) - np.log(q0[idx]) - eps * (u - np.log(mc0))),
        )
        out = np.where(np.isinf(eps) & ~bound, out, out / (1.0 + np.where(np.isinf(eps), 0.0, eps)))
        return np.append(out, np.log(big_p) - np.log(sc.cap)) if capped else out

    def attempt(bound: np.ndarray, capped: bool) -> np.ndarray | None:
        x0 = np.log(mc0)
        if capped:
            x0 = np.append(x0, np.log(e0 * sc.demand))
        for method in ("hybr", "lm"):
            with np.errstate(all="ignore"):
                sol = optimize.root(residual, x0, args=(bound, capped), method=method, tol=1e-14)
                err = np.max(np.abs(residual(sol.x, bound, capped)))
            if err < 1e-11:
                return np.asarray(sol.x)
        return None

    def consistent(x: np.ndarray, bound: np.ndarray, capped: bool) -> bool:
        u = x[: idx.size]
        xd, big_p, comp = demand(u, float(np.exp(x[-1])) if capped else None)
        mc_at_k = mc0 * (k / q0[idx]) ** np.where(np.isinf(eps), 0.0, 1.0 / eps)
        ok = np.all(xd[~bound] <= k[~bound] * (1 + 1e-9)) and np.all(np.exp(u[bound]) >= mc_at_k[bound] * (1 - 1e-9))
        if capped:
            return bool(ok and comp <= e0 * sc.demand * sc.cap ** (-eta) * (1 + 1e-9))
        return bool(ok and big_p <= sc.cap * (1 + 1e-9))

    # A price cap below the composite price at zero output: nothing is bought.
    inf_eps = np.isinf(eps)
    if np.isfinite(sc.cap) and (inf_eps.all() or sig < 1.0) and inf_eps.any():
        pi = mc0[inf_eps] * (1.0 + sc.wedge1[idx][inf_eps]) / a[inf_eps]
        floor = float(np.sum(alpha[idx][inf_eps] * pi ** (1.0 - sig)) ** (1.0 / (1.0 - sig)))
        if floor >= sc.cap:
            price = np.full(q0.shape, np.nan)
            price[idx] = np.where(inf_eps, mc0, 0.0) * (1.0 + sc.wedge1[idx])
            unmet = e0 * sc.demand * sc.cap ** (-eta)
            return Reference(price, np.zeros(q0.shape), sc.cap, unmet, np.zeros(q0.shape, dtype=bool))
    finite_k = np.isfinite(k)
    for capped in (False, True):
        for bound_t in itertools.product(*[(False, True) if f else (False,) for f in finite_k]):
            bound = np.array(bound_t, dtype=bool)
            x = attempt(bound, capped)
            if x is None or not consistent(x, bound, capped):
                continue
            u = x[: idx.size]
            xd, big_p, comp = demand(u, float(np.exp(x[-1])) if capped else None)
            price = np.full(q0.shape, np.nan)
            quantity = np.zeros(q0.shape)
            price[idx] = np.exp(u) * (1.0 + sc.wedge1[idx])
            quantity[idx] = xd
            unmet = e0 * sc.demand * sc.cap ** (-eta) - comp if capped else 0.0
            full_bound = np.zeros(q0.shape, dtype=bool)
            full_bound[idx] = bound
            return Reference(price, quantity, min(big_p, sc.cap), unmet, full_bound)
    raise RuntimeError("reference solver found no consistent active set")


@st.composite
def scenarios(draw: st.DrawFn, *, bans: bool = True, capacities: bool = True, caps: bool = False) -> Scenario:
    """Random markets of 2-5 sources with random wedges, quality, cost, capacities and bans."""
    n = draw(st.integers(2, 5))
    fl = st.floats

    def vec(lo: float, hi: float) -> npt.NDArray[np.float64]:
        return np.array(draw(st.lists(fl(lo, hi), min_size=n, max_size=n)))

    sigma = draw(fl(0.3, 8.0))
    eta = draw(fl(0.05, 3.0))
    eps = np.array(draw(st.lists(st.one_of(st.just(np.inf), fl(0.2, 20.0)), min_size=n, max_size=n)))
    banned = np.zeros(n, dtype=bool)
    if bans and sigma > 1.0:
        banned = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        if banned.all():
            banned[draw(st.integers(0, n - 1))] = False
    q0 = vec(0.1, 10.0)
    capacity = np.full(n, np.inf)
    if capacities:
        finite = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        capacity = np.where(finite, q0 * vec(0.2, 1.5), np.inf)
        if sigma <= 1.0:
            capacity = np.maximum(capacity, 0.05 * q0)
    cap = np.inf
    if caps and draw(st.booleans()):
        cap = draw(fl(1.05, 3.0))
    return Scenario(
        quantity=q0,
        price=vec(0.5, 2.0),
        wedge0=vec(0.0, 0.3),
        wedge1=vec(-0.2, 1.0),
        sigma=sigma,
        eta=eta,
        eps=eps,
        capacity=capacity,
        quality=vec(0.7, 1.3),
        cost=vec(0.7, 1.3),
        demand=draw(fl(0.8, 1.3)),
        cap=cap,
        banned=banned,
    )
