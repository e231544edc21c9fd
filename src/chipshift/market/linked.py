"""Linked markets: firms selling into several markets (regions, buyer segments) from one supply each.

A firm has one seller price and one supply curve; each market is a CES block of its own. Volume barred in
one market is offered in the others at the prices those markets clear (trade diversion, as in GSIM's
multi-market clearing, here in exact levels). Research note market-dynamics.md section 1.2, with the
licence caps of section 4.2 and the price and rent outputs of section 5.1.

Markets m, firms f; hats are ratios to the baseline, where each firm's seller price is ``v0_f`` and
buyers in m pay ``p0_mf = v0_f (1 + t0_mf)``::

    buyer price           p^_mf = v^_f tau^_mf exp(rho_mf)         tau^ = (1 + t1) / (1 + t0), rho >= 0 licence rent
    price index           P^_m^(1-sigma_m) = sum_f s0_mf (p^_mf / a^_mf)^(1-sigma_m)    over the firms allowed in m
    composite demand      Q^_m = D^_m P^_m^(-eta_m)
    flow                  x^_mf = a^_mf^(sigma-1) p^_mf^(-sigma) P^_m^(sigma-eta) D^_m
    firm clearing         sum_m x_mf + extra_f = X_f,   X_f = X0_f (w^_f / c^_f)^eps_f <= K_f,   v_f = w_f + lambda_f
    complementarity       min(log v^_f - log w^_f(X_f), log K_f - log X_f) = 0
    licence cap           min(rho_mf, log cap_mf - log x_mf) = 0

A ban, a zero licence cap or a zero capacity removes the pair (or the firm) from the choice set, which
needs sigma_m > 1 in every market it leaves: with sigma <= 1 every source is essential. A market left with
no seller is closed: its whole demand is reported unmet. `extra` is demand placed on a firm outside the
CES choice (orders pulled forward before a rule takes effect); it pays the firm's price in that market. A
negative `extra` is purchases of the CES choice that buyers make from their stock instead (no more than the
flow: the caller's to keep).

Solution method: a semismooth Newton on the log seller prices and licence rents of each draw (the
min-functions above pick their row of the Jacobian), with a backtracking line search on the squared
residual. The system is gross-substitutes, so from the baseline prices it converges in a few steps. The
loops over draws run compiled (`chipshift.market.linked_kernel`, numba), each draw's outputs worked out as
it converges; this module checks and lays out their arrays (`prepare`, once for a batch that is solved again
with other demand shifts: `LinkedProblem.with_demand`) and wraps the answer. The kernel is compiled on its
first use and cached beside the module, so the first solve after an install takes about twenty seconds
(`scripts/setup` does it once).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from chipshift.market import linked_kernel
from chipshift.market.ces import BoolArray, FloatArray, as_float
from chipshift.market.errors import ConvergenceError, MarketInputError

__all__ = ["LinkedMarkets", "LinkedProblem", "LinkedResult", "LinkedShocks", "compile_kernel", "prepare",
           "solve_linked", "solve_prepared"]

IntArray = npt.NDArray[np.int64]


def _labels(values: Sequence[str], what: str) -> tuple[str, ...]:
    out = tuple(values)
    if not out or any(not isinstance(x, str) or not x for x in out):
        raise MarketInputError(f"{what} labels must be a non-empty list of non-empty strings")
    if len(set(out)) != len(out):
        raise MarketInputError(f"duplicate {what} labels: {sorted({x for x in out if out.count(x) > 1})}")
    return out


def _shaped(values: npt.ArrayLike, shape: tuple[int, ...], name: str) -> FloatArray:
    arr = as_float(values, name)
    try:
        out = np.broadcast_to(arr, shape).astype(np.float64)
    except ValueError:
        raise MarketInputError(f"{name} must broadcast to {shape}, got shape {arr.shape}") from None
    out.setflags(write=False)
    return out


@dataclass(frozen=True, init=False)
class LinkedMarkets:
    """The baseline: which firm sells how much in which market, at what price, and the elasticities.

    * `quantity` ``(markets, firms)``: baseline flows (>= 0; 0 = the firm does not sell there, and a CES
      weight of zero keeps it out under any price).
    * `seller_price` ``(firms,)``: baseline seller price (> 0); `wedge` ``(markets, firms)``: baseline
      ad-valorem wedge, so buyers pay ``seller_price * (1 + wedge)``.
    * `sigma`, `demand_elasticity` ``(markets,)``; `supply_elasticity` ``(firms,)`` (> 0, inf = flat at
      the baseline cost); `capacity` ``(firms,)``, at least the firm's baseline sales.
    """

    firms: tuple[str, ...]
    markets: tuple[str, ...]
    quantity: FloatArray
    seller_price: FloatArray
    wedge: FloatArray
    sigma: FloatArray
    demand_elasticity: FloatArray
    supply_elasticity: FloatArray
    capacity: FloatArray

    def __init__(
        self,
        firms: Sequence[str],
        markets: Sequence[str],
        quantity: npt.ArrayLike,
        *,
        sigma: npt.ArrayLike,
        demand_elasticity: npt.ArrayLike,
        seller_price: npt.ArrayLike = 1.0,
        wedge: npt.ArrayLike = 0.0,
        supply_elasticity: npt.ArrayLike = math.inf,
        capacity: npt.ArrayLike = math.inf,
    ) -> None:
        f_labels, m_labels = _labels(firms, "firm"), _labels(markets, "market")
        nm, nf = len(m_labels), len(f_labels)
        q = as_float(quantity, "quantity")
        if q.shape != (nm, nf):
            raise MarketInputError(f"quantity must be (markets, firms) = {(nm, nf)}, got {q.shape}")
        q = _shaped(q, (nm, nf), "quantity")
        if np.any(q < 0.0) or not np.all(np.isfinite(q)):
            raise MarketInputError("baseline quantities must be finite and >= 0")
        idle_markets = [m for m, row in zip(m_labels, q, strict=True) if not np.any(row > 0.0)]
        idle_firms = [f for f, col in zip(f_labels, q.T, strict=True) if not np.any(col > 0.0)]
        if idle_markets or idle_firms:
            raise MarketInputError(f"every market needs a seller and every firm a market in the baseline; none: "
                                   f"{idle_markets + idle_firms}")
        v0 = _shaped(seller_price, (nf,), "seller_price")
        t0 = _shaped(wedge, (nm, nf), "wedge")
        sig = _shaped(sigma, (nm,), "sigma")
        eta = _shaped(demand_elasticity, (nm,), "demand_elasticity")
        eps = _shaped(supply_elasticity, (nf,), "supply_elasticity")
        cap = _shaped(capacity, (nf,), "capacity")
        checks = ((v0, "seller_price", 0.0, True), (t0, "wedge", -1.0, True), (sig, "sigma", 0.0, True),
                  (eta, "demand_elasticity", 0.0, False), (eps, "supply_elasticity", 0.0, True),
                  (cap, "capacity", 0.0, False))
        for arr, name, low, strict in checks:
            if np.any(arr <= low) if strict else np.any(arr < low):
                raise MarketInputError(f"{name} must be {'>' if strict else '>='} {low:g}")
        for arr, name in ((v0, "seller_price"), (t0, "wedge"), (sig, "sigma"), (eta, "demand_elasticity")):
            if not np.all(np.isfinite(arr)):
                raise MarketInputError(f"{name} must be finite")
        short = [f for f, c, x in zip(f_labels, cap, q.sum(axis=0), strict=True) if c < x * (1.0 - 1e-12)]
        if short:
            raise MarketInputError(f"baseline capacity below baseline sales for {short}: the baseline must be "
                                   "unconstrained (lower capacity in a scenario instead)")
        for name, val in (("firms", f_labels), ("markets", m_labels), ("quantity", q), ("seller_price", v0),
                          ("wedge", t0), ("sigma", sig), ("demand_elasticity", eta),
                          ("supply_elasticity", eps), ("capacity", cap)):
            object.__setattr__(self, name, val)

    @property
    def shape(self) -> tuple[int, int]:
        """``(markets, firms)``."""
        return len(self.markets), len(self.firms)

    @property
    def buyer_price(self) -> FloatArray:
        """Baseline buyer prices ``(markets, firms)``."""
        return np.asarray(self.seller_price[None, :] * (1.0 + self.wedge))

    @property
    def value(self) -> FloatArray:
        """Baseline buyer expenditure per flow ``(markets, firms)``."""
        return np.asarray(self.buyer_price * self.quantity)

    @property
    def shares(self) -> FloatArray:
        """Baseline value shares within each market."""
        v = self.value
        return np.asarray(v / v.sum(axis=1, keepdims=True))

    @property
    def sales(self) -> FloatArray:
        """Baseline quantity each firm sells over all markets ``(firms,)``."""
        return np.asarray(self.quantity.sum(axis=0))


_PAIR = ("wedge", "quality", "quota", "extra", "quantity")
_FIRM = ("capacity", "cost", "supply_elasticity")
_MARKET = ("demand_shift", "sigma", "demand_elasticity")


@dataclass(frozen=True, init=False)
class LinkedShocks:
    """A batch of scenarios for linked markets; every field broadcasts to ``(batch, ...)``; None = baseline.

    Pair fields ``(markets, firms)``: `wedge` in force, `banned`, `quality` (index relative to baseline),
    `quota` (licence cap on the flow, in quantity; inf = none), `extra` (quantity ordered outside the CES
    choice, e.g. pulled forward before a ban; negative: purchases a buyers' stock replaces), `quantity`
    (baseline flows of this draw, replacing the base's: market sizes and shares that are themselves uncertain;
    baseline prices stay the base's).
    Firm fields ``(firms,)``: `capacity` (absolute), `cost`
    (marginal-cost shifter), `supply_elasticity`. Market fields ``(markets,)``: `demand_shift`, `sigma`,
    `demand_elasticity`.
    """

    fields: dict[str, Any]

    def __init__(self, **given: npt.ArrayLike | None) -> None:
        known = set(_PAIR) | set(_FIRM) | set(_MARKET) | {"banned"}
        unknown = sorted(set(given) - known)
        if unknown:
            raise MarketInputError(f"unknown shock fields {unknown}; known: {sorted(known)}")
        object.__setattr__(self, "fields", {k: v for k, v in given.items() if v is not None})

    def resolve(self, base: LinkedMarkets) -> _Resolved:
        """Broadcast every field against the baseline and one batch size; check values."""
        nm, nf = base.shape
        arrays: dict[str, Any] = {}
        trailing = {**dict.fromkeys(_PAIR, (nm, nf)), "banned": (nm, nf), **dict.fromkeys(_FIRM, (nf,)),
                    **dict.fromkeys(_MARKET, (nm,))}
        sizes = set()
        for name, raw in self.fields.items():
            arr = np.asarray(raw, dtype=bool) if name == "banned" else as_float(raw, name)
            tail = trailing[name]
            if arr.ndim > len(tail) + 1:
                raise MarketInputError(f"{name} has {arr.ndim} axes; at most {len(tail) + 1} allowed")
            if arr.ndim == len(tail) + 1:
                sizes.add(arr.shape[0])
            arrays[name] = arr
        if len(sizes) > 1:
            raise MarketInputError(f"shock fields disagree on the batch size: {sorted(sizes)}")
        batch = sizes.pop() if sizes else 1
        defaults = {"wedge": base.wedge, "quality": 1.0, "quantity": base.quantity, "quota": math.inf,
                    "extra": 0.0, "banned": False,
                    "capacity": base.capacity, "cost": 1.0, "supply_elasticity": base.supply_elasticity,
                    "demand_shift": 1.0, "sigma": base.sigma, "demand_elasticity": base.demand_elasticity}
        out: dict[str, Any] = {}
        for name, tail in trailing.items():
            arr = arrays.get(name, defaults[name])
            try:
                out[name] = np.broadcast_to(arr, (batch, *tail))
            except ValueError:
                raise MarketInputError(f"{name} must broadcast to {(batch, *tail)}, got {np.shape(arr)}") from None
        limits = {"quantity": (0.0, False), "wedge": (-1.0, True), "quality": (0.0, True), "quota": (0.0, False),
                  "extra": (-math.inf, False),
                  "capacity": (0.0, False), "cost": (0.0, True), "supply_elasticity": (0.0, True),
                  "demand_shift": (0.0, True), "sigma": (0.0, True), "demand_elasticity": (0.0, False)}
        for name, (low, strict) in limits.items():
            # the values as given (broadcasting repeats them): a default broadcast to the batch is checked once
            lo, finite = _smallest(np.asarray(arrays.get(name, defaults[name]), dtype=np.float64))
            if (lo <= low) if strict else (lo < low):
                raise MarketInputError(f"{name} must be {'>' if strict else '>='} {low:g}")
            if name not in ("quota", "capacity", "supply_elasticity") and not finite:
                raise MarketInputError(f"{name} must be finite")
        return _Resolved.build(base, batch, out)


def _smallest(arr: FloatArray) -> tuple[float, bool]:
    """The smallest value other than NaN (inf when there is none) and whether every value is finite: a
    minimum and a maximum, where comparing element by element would write a mask the size of the batch."""
    if arr.size == 0:
        return math.inf, True
    lo, hi = float(np.min(arr)), float(np.max(arr))
    if not (math.isnan(lo) or math.isnan(hi)):
        return lo, math.isfinite(lo) and math.isfinite(hi)
    return (math.inf if np.all(np.isnan(arr)) else float(np.nanmin(arr))), False


@dataclass(frozen=True)
class _Resolved:
    """Hat arrays the solver works on: ``(batch, markets, firms)``, ``(batch, firms)``, ``(batch, markets)``."""

    s0: FloatArray  # (b, m, f) baseline value shares
    x0: FloatArray  # (b, m, f) baseline flows
    e0: FloatArray  # (b, m) baseline spending
    log_tau: FloatArray
    log_a: FloatArray
    log_quota: FloatArray  # log(quota / baseline flow); +inf = no cap
    extra: FloatArray
    allowed: BoolArray  # in the choice set
    active: BoolArray  # (b, f): sells somewhere
    log_c: FloatArray
    eps: FloatArray
    log_k: FloatArray  # log(capacity / baseline sales)
    log_d: FloatArray
    sigma: FloatArray
    eta: FloatArray
    wedge: FloatArray
    sales0: FloatArray  # (b, f)

    @classmethod
    def build(cls, base: LinkedMarkets, batch: int, f: dict[str, Any]) -> _Resolved:
        x0 = np.asarray(f["quantity"], dtype=np.float64)
        sales0 = x0.sum(axis=1)
        value0 = base.buyer_price * x0
        e0 = value0.sum(axis=2)
        if np.any(e0 <= 0.0):
            raise MarketInputError("every market needs a seller in the baseline flows of every draw")
        with np.errstate(divide="ignore"):
            if np.any(f["quota"] < math.inf):
                log_quota = np.where(x0 > 0.0, np.log(f["quota"]) - np.log(np.where(x0 > 0.0, x0, 1.0)), np.inf)
                log_quota = np.where(np.isinf(f["quota"]), np.inf, log_quota)
            else:  # no licence cap anywhere (the commonest batch): nothing to take the log of
                log_quota = np.full(x0.shape, np.inf)
            log_k = np.log(f["capacity"]) - np.log(sales0)
        firm_open = f["capacity"] > 0.0
        allowed = (x0 > 0.0) & ~f["banned"] & (f["quota"] > 0.0) & firm_open[:, None, :]
        removed = (x0 > 0.0) & ~allowed
        sigma = np.asarray(f["sigma"], dtype=np.float64)
        if np.any(removed & (sigma[:, :, None] <= 1.0)):
            raise MarketInputError("a firm barred or without capacity in a market with sigma <= 1: every source is "
                                   "essential there; give that market sigma > 1")
        extra = np.where(firm_open[:, None, :], f["extra"], 0.0)
        active = allowed.any(axis=1) | (extra > 0.0).any(axis=1)
        return cls(
            s0=value0 / e0[:, :, None], x0=x0, e0=e0, log_tau=np.log1p(f["wedge"]) - np.log1p(base.wedge),
            log_a=np.log(f["quality"]), log_quota=log_quota, extra=extra, allowed=allowed, active=active,
            log_c=np.log(f["cost"]), eps=np.asarray(f["supply_elasticity"], dtype=np.float64), log_k=log_k,
            log_d=np.log(f["demand_shift"]), sigma=sigma, eta=np.asarray(f["demand_elasticity"], dtype=np.float64),
            wedge=np.asarray(f["wedge"], dtype=np.float64), sales0=sales0,
        )

    def take(self, idx: npt.NDArray[np.intp] | slice) -> _Resolved:
        return _Resolved(**{k: v[idx] for k, v in vars(self).items()})

    def kernel_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The arrays the compiled kernel reads, contiguous and of one dtype each (one compiled version)."""
        return {k: _for_kernel(v, np.bool_ if v.dtype == np.bool_ else np.float64) for k, v in vars(self).items()}


def _for_kernel(values: npt.ArrayLike, dtype: type[np.generic]) -> npt.NDArray[Any]:
    """`values` as a C-contiguous, writeable array of `dtype`: the kernel is compiled once per combination of
    dtype, layout and writeability of its arguments, so every call passes the same kind."""
    return np.require(values, dtype, ["C", "W"])


@dataclass(frozen=True)
class LinkedResult:
    """Equilibrium of a batch; pair arrays ``(batch, markets, firms)``, firm ``(batch, firms)``, market
    ``(batch, markets)``. Prices and quantities in the baseline's units; values are price times quantity.

    A pair outside the choice set has quantity 0 and NaN prices; a firm that sells nowhere has NaN prices.
    `capacity_rent` is seller price minus marginal cost where capacity binds (0 elsewhere); `licence_rent`
    is the buyer price net of the wedge minus the seller price, per unit, where a licence cap binds; the
    seller keeps it (`revenue` is buyer spending net of the wedge). `rationed` is, per firm, what buyers
    would take at its marginal cost (others' prices held) beyond its capacity; `unmet` is the demand of
    closed markets (no seller left), in baseline value units.
    """

    firms: tuple[str, ...]
    markets: tuple[str, ...]
    price: FloatArray
    quantity: FloatArray
    value: FloatArray
    revenue: FloatArray
    share: FloatArray
    licence_rent: FloatArray
    at_quota: BoolArray
    seller_price: FloatArray
    marginal_cost: FloatArray
    capacity_rent: FloatArray
    at_capacity: BoolArray
    sales: FloatArray
    rationed: FloatArray
    composite_price: FloatArray
    composite_quantity: FloatArray
    unmet: FloatArray
    converged: BoolArray
    iterations: IntArray
    residual: FloatArray

    @property
    def firm_revenue(self) -> FloatArray:
        """Each firm's revenue over all markets ``(batch, firms)``."""
        return np.asarray(np.nansum(self.revenue, axis=1))

    @property
    def revenue_share(self) -> FloatArray:
        """Each firm's revenue by market as a share of its revenue everywhere ``(batch, markets, firms)``."""
        total = self.firm_revenue[:, None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.where(total > 0.0, self.revenue / total, np.nan))


@dataclass(frozen=True)
class LinkedProblem:
    """A batch of draws resolved against its baseline and laid out for the solver (`prepare`). `with_demand`
    gives the same draws with other demand shifts (and elasticities) without resolving and checking the rest
    again, which is what matching demand to sourced values changes; `rows` gives some of the draws alone."""

    base: LinkedMarkets
    resolved: _Resolved
    arrays: dict[str, npt.NDArray[Any]]  # as `_Resolved.kernel_arrays` gives them
    pairs: IntArray  # (q, 2): the (market, firm) pairs that may carry a licence cap

    @property
    def batch(self) -> int:
        return int(self.resolved.allowed.shape[0])

    def with_demand(self, demand_shift: npt.ArrayLike, demand_elasticity: npt.ArrayLike | None = None
                    ) -> LinkedProblem:
        """The same draws with demand shifts `demand_shift` and, if given, demand elasticities
        `demand_elasticity` (each broadcast to ``(batch, markets)``)."""
        shape = self.resolved.log_d.shape
        changed = {"log_d": np.log(self._checked(demand_shift, "demand_shift", shape, positive=True))}
        if demand_elasticity is not None:
            changed["eta"] = np.asarray(self._checked(demand_elasticity, "demand_elasticity", shape,
                                                      positive=False), dtype=np.float64)
        return LinkedProblem(self.base, dataclasses.replace(self.resolved, **changed),
                             {**self.arrays, **{k: _for_kernel(v, np.float64) for k, v in changed.items()}},
                             self.pairs)

    @staticmethod
    def _checked(values: npt.ArrayLike, name: str, shape: tuple[int, ...], *, positive: bool) -> FloatArray:
        given = as_float(values, name)
        try:
            out = np.broadcast_to(given, shape)
        except ValueError:
            raise MarketInputError(f"{name} must broadcast to {shape}, got {given.shape}") from None
        lo, finite = _smallest(np.asarray(given, dtype=np.float64))
        if (lo <= 0.0) if positive else (lo < 0.0):
            raise MarketInputError(f"{name} must be {'> 0' if positive else '>= 0'}")
        if not finite:
            raise MarketInputError(f"{name} must be finite")
        return np.asarray(out)

    def rows(self, idx: npt.NDArray[np.intp] | slice) -> LinkedProblem:
        """The draws `idx` of the batch alone (a slice of them shares their arrays rather than copying them)."""
        return LinkedProblem(self.base, self.resolved.take(idx), {k: _for_kernel(v[idx], v.dtype.type)
                                                                  for k, v in self.arrays.items()}, self.pairs)


#: What the kernel writes for a batch (`linked_kernel.newton`): log seller prices, licence rents, iterations,
#: residuals, converged, log price indices, sales, pair outputs, at quota, firm outputs, at capacity, market
#: outputs; each with a row per draw (the pair, firm and market outputs on their second axis).
KernelBuffers = tuple[npt.NDArray[Any], ...]


def kernel_buffers(rows: int, markets: int, firms: int, capped: int) -> KernelBuffers:
    """Empty arrays for `rows` draws' results (`KernelBuffers`), `capped` the pairs that may carry a licence cap.
    A batch solved into some of their rows (`solve_prepared`'s ``into``) writes its results there, so the
    spans of a run solved one after another fill one set and need no joining. No row counts as converged
    until a batch is solved into it (a later batch may start from an earlier one's solutions: `solve_prepared`'s
    ``chain``)."""
    return (np.empty((rows, firms)), np.empty((rows, capped)), np.empty(rows, dtype=np.int64), np.empty(rows),
            np.zeros(rows, dtype=np.bool_), np.empty((rows, markets)), np.empty((rows, firms)),
            np.empty((7, rows, markets, firms)), np.empty((rows, markets, firms), dtype=np.bool_),
            np.empty((3, rows, firms)), np.empty((rows, firms), dtype=np.bool_), np.empty((3, rows, markets)))


def _rows_of(buffers: KernelBuffers, rows: slice) -> KernelBuffers:
    """The results of the draws `rows` in `buffers` (views)."""
    return tuple(x[:, rows] if k in (7, 9, 11) else x[rows] for k, x in enumerate(buffers))


def _newton(problem: LinkedProblem, tol: float, max_iter: int, start: FloatArray | None = None,
            into: KernelBuffers | None = None, row0: int = 0, chain: int = 0) -> KernelBuffers:
    """Semismooth Newton for every draw (`linked_kernel.newton`), from `start` (log seller prices relative to
    the baseline's) where it is finite, else from marginal cost; a full step is tried first and halved where it
    does not lower the residual; with ``chain > 0``, a draw without a start starts from the converged solutions
    `chain` and ``2 chain`` rows earlier, where there are any (`linked_kernel.newton`). Returns the kernel's
    arrays for the batch (`KernelBuffers`: the solution, the iterations, the residuals, which draws converged
    and the outputs at the solution, which `_assemble` reads), written into rows ``row0 ...`` of `into` if
    given (and views of them returned)."""
    k, base = problem.arrays, problem.base
    shape = k["log_c"].shape
    nm, nf = base.shape
    b = shape[0]
    buffers = kernel_buffers(b, nm, nf, len(problem.pairs)) if into is None else into
    if into is None:
        row0 = 0
    elif not 0 <= row0 <= len(into[0]) - b:
        raise MarketInputError(f"rows {row0}..{row0 + b} are not within the {len(into[0])} rows given")
    guess = _for_kernel(np.full(shape, np.nan) if start is None else np.broadcast_to(start, shape), np.float64)
    linked_kernel.newton(
        k["s0"], k["x0"], k["log_tau"], k["log_a"], k["log_quota"], k["extra"], k["allowed"], k["active"],
        k["log_c"], k["eps"], k["log_k"], k["log_d"], k["sigma"], k["eta"], k["sales0"], k["e0"], k["wedge"],
        _for_kernel(base.buyer_price, np.float64), _for_kernel(base.seller_price, np.float64),
        _for_kernel(problem.pairs, np.int64), guess, tol, max_iter, row0, chain, *buffers)
    return buffers if into is None else _rows_of(buffers, slice(row0, row0 + b))


def prepare(base: LinkedMarkets, shocks: LinkedShocks | None = None) -> LinkedProblem:
    """`shocks` resolved against `base` (broadcast and checked), ready for `solve_prepared`."""
    r = (shocks or LinkedShocks()).resolve(base)
    pairs = np.argwhere((np.isfinite(r.log_quota) & (r.x0 > 0.0)).any(axis=0)).astype(np.int64)
    return LinkedProblem(base, r, r.kernel_arrays(), pairs)


def solve_linked(base: LinkedMarkets, shocks: LinkedShocks | None = None, *, tol: float = 1e-11,
                 max_iter: int = 100, rationing: bool = True, start: FloatArray | None = None) -> LinkedResult:
    """Solve every draw of `shocks` (none: the baseline, returned exactly); ConvergenceError names failures.
    ``rationing=False`` skips working out rationed demand (reported as NaN), a fifth of the time. ``start``
    ``(batch, firms)``: seller prices to start from, relative to the baseline's (e.g. a nearby solution's).

    >>> lm = LinkedMarkets(["A", "B"], ["C", "W"], [[30, 70], [70, 30]], sigma=4.0, demand_elasticity=1.0,
    ...                    supply_elasticity=[0.0001, 2.0], capacity=[100, math.inf])
    >>> r = solve_linked(lm, LinkedShocks(banned=[[True, False], [False, False]]))
    >>> r.quantity[0].round(2).tolist()
    [[0.0, 94.85], [100.0, 16.31]]
    """
    if not (tol > 0.0) or max_iter < 1:
        raise MarketInputError("tol must be > 0 and max_iter >= 1")
    return solve_prepared(prepare(base, shocks), tol=tol, max_iter=max_iter, rationing=rationing, start=start)


def solve_prepared(problem: LinkedProblem, *, tol: float = 1e-11, max_iter: int = 100, rationing: bool = True,
                   start: FloatArray | None = None, into: KernelBuffers | None = None, row0: int = 0,
                   chain: int = 0) -> LinkedResult:
    """`solve_linked` of a prepared batch (`prepare`, `LinkedProblem.with_demand`). ``into``: arrays of more
    rows (`kernel_buffers`) to write the results into, from row `row0`; the result's arrays are views of them.
    ``chain`` (> 0; without `start`): each draw starts from the converged solutions `chain` and ``2 chain``
    rows before it (in `into`, counting from its first row), extended in a line, or from the first alone; from
    marginal cost where there is none or where the solve from there fails. A batch laid out quarter by
    quarter, `chain` draws a quarter, so starts each quarter where the two before it point, which saves
    Newton steps; the answer is the same to within the tolerance."""
    if not (tol > 0.0) or max_iter < 1:
        raise MarketInputError("tol must be > 0 and max_iter >= 1")
    if chain < 0 or (chain > 0 and start is not None):
        raise MarketInputError("chain must be >= 0, and 0 with a start")
    r = problem.resolved
    b = problem.batch
    guess = None
    if start is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            guess = np.log(np.broadcast_to(np.asarray(start, dtype=np.float64), r.log_c.shape))
    u, rho, iters, resid, done, *out = _newton(problem, tol, max_iter, guess, into, row0, chain)
    if not done.all():
        bad = np.flatnonzero(~done)
        raise ConvergenceError(
            f"linked markets did not clear for {bad.size} of {b} draws (first: {bad[:10].tolist()}; worst residual "
            f"{float(np.max(resid[bad])):.3g}): check for a firm at capacity whose every market has inelastic "
            "demand (eta = 0) and no other seller", tuple(int(i) for i in bad))
    return _assemble(problem, u, rho, iters, resid, tuple(out), rationing)


def result_in(problem: LinkedProblem, buffers: KernelBuffers) -> LinkedResult:
    """The result of every draw of `problem` that its batches, solved into `buffers` (``solve_prepared``'s
    ``into``), wrote there, without rationed demand (NaN); its arrays are views of the buffers."""
    if len(buffers[0]) != problem.batch:
        raise MarketInputError(f"the buffers hold {len(buffers[0])} rows, the problem {problem.batch} draws")
    u, rho, iters, resid, _done, *out = buffers
    return _assemble(problem, u, rho, iters, resid, tuple(out), rationing=False)


def _assemble(problem: LinkedProblem, u: FloatArray, rho: FloatArray, iters: IntArray, resid: FloatArray,
              out: tuple[npt.NDArray[Any], ...], rationing: bool) -> LinkedResult:
    """The result of every draw from the outputs the kernel worked out at its solution (`linked_kernel._outputs`),
    with rationed demand if wanted."""
    base, r = problem.base, problem.resolved
    _log_pi, sales, pair_out, at_quota, firm_out, bound, market_out = out
    price, quantity, value, revenue, share, licence = pair_out[:6]
    seller, mc, rent = firm_out
    comp_price, delivered, unmet = market_out
    rationed = (_rationed(problem, u, rho, bound, mc, sales) if rationing
                else np.full_like(u, np.nan))
    return LinkedResult(
        firms=base.firms, markets=base.markets, price=price, quantity=quantity, value=value, revenue=revenue,
        share=share, licence_rent=licence, at_quota=at_quota, seller_price=seller, marginal_cost=mc,
        capacity_rent=rent, at_capacity=bound, sales=sales, rationed=rationed, composite_price=comp_price,
        composite_quantity=delivered, unmet=unmet, converged=np.ones(r.allowed.shape[0], dtype=bool),
        iterations=iters, residual=resid,
    )


def rationed_at(problem: LinkedProblem, seller_price: FloatArray, capacity_rent: FloatArray, at_capacity: BoolArray,
                sales: FloatArray) -> FloatArray:
    """Rationed demand ``(batch, firms)`` at a solution of `problem` found some other way (e.g. with other demand
    elasticities giving the same equilibrium): per firm at capacity, what buyers would take at its marginal cost,
    others' prices held, beyond its sales; as `solve_prepared` reports it. `seller_price`, `capacity_rent` and
    `at_capacity` are the solution's ``(batch, firms)``; `sales` its firm sales. A problem without licence caps
    only (a cap's rent is part of the solution this does not see)."""
    if problem.pairs.size:
        raise MarketInputError("rationed demand at a given solution needs a problem without licence caps")
    base = problem.base
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.log(np.asarray(seller_price, dtype=np.float64) / base.seller_price)
    u = np.where(np.isfinite(u), u, 0.0)  # a firm that sells nowhere: its price is never used
    mc = np.asarray(seller_price, dtype=np.float64) - np.asarray(capacity_rent, dtype=np.float64)
    rho = np.zeros((u.shape[0], 0))
    return _rationed(problem, u, rho, np.asarray(at_capacity, dtype=bool), mc, np.asarray(sales, dtype=np.float64))


def _rationed(problem: LinkedProblem, u: FloatArray, rho: FloatArray, bound: BoolArray, mc: FloatArray,
              sales: FloatArray) -> FloatArray:
    """Per firm at capacity: buyers' demand at its marginal cost (others' prices held) minus its sales, each
    (draw, firm) at capacity evaluated alone in the kernel (`linked_kernel.notional_sales`)."""
    out = np.zeros_like(u)
    rows, firms = np.nonzero(bound)
    if rows.size == 0:
        return out
    k, v0 = problem.arrays, problem.base.seller_price
    with np.errstate(divide="ignore", invalid="ignore"):
        at_cost = np.log(mc[rows, firms] / v0[firms])
    notional = linked_kernel.notional_sales(
        k["s0"], k["x0"], k["log_tau"], k["log_a"], k["extra"], k["allowed"], k["log_d"], k["sigma"], k["eta"],
        _for_kernel(problem.pairs, np.int64), _for_kernel(u, np.float64), _for_kernel(rho, np.float64),
        rows.astype(np.int64), firms.astype(np.int64), _for_kernel(at_cost, np.float64))
    out[rows, firms] = np.maximum(np.asarray(notional) - sales[rows, firms], 0.0)
    return out


def compile_kernel() -> None:
    """Compile the solver's kernel (or load it from its cache) by solving a two-firm case with a ban and a
    licence cap, so that every compiled function is reached with the argument kinds real cases pass."""
    lm = LinkedMarkets(["A", "B"], ["C", "W"], [[30.0, 70.0], [70.0, 30.0]], sigma=4.0, demand_elasticity=1.0,
                       supply_elasticity=[0.0001, 2.0], capacity=[100.0, math.inf])
    inf = math.inf
    solve_linked(lm, LinkedShocks(banned=[[True, False], [False, False]], quota=[[inf, 10.0], [inf, inf]]))
