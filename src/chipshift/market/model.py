"""The inputs of the market model: a calibrated baseline `Market` and a batch of `Shocks`.

Both are frozen, validated at construction, and hold read-only float arrays indexed by source label.
`resolve` broadcasts a market and its shocks to the ``(batch, n)`` hat arrays the solver works on; it is
where mismatched labels and shapes are caught.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chipshift.market.ces import SHARE_TOL, BoolArray, FloatArray, as_float, check_shares
from chipshift.market.errors import MarketInputError

__all__ = ["Market", "Resolved", "Shocks", "resolve"]


def _frozen(arr: FloatArray) -> FloatArray:
    out = np.array(arr, dtype=np.float64)
    out.setflags(write=False)
    return out


def _check(arr: FloatArray, name: str, *, low: float, strict: bool, allow_inf: bool) -> None:
    bad_low = arr <= low if strict else arr < low
    if np.any(bad_low):
        raise MarketInputError(f"{name} must be {'>' if strict else '>='} {low:g}, got {arr.ravel()[:5].tolist()}")
    if not allow_inf and not np.all(np.isfinite(arr)):
        raise MarketInputError(f"{name} must be finite")


def _check_labels(labels: Sequence[str]) -> tuple[str, ...]:
    out = tuple(labels)
    if not out:
        raise MarketInputError("a market needs at least one source")
    if any(not isinstance(x, str) or not x for x in out):
        raise MarketInputError("source labels must be non-empty strings")
    if len(set(out)) != len(out):
        dupes = sorted({x for x in out if out.count(x) > 1})
        raise MarketInputError(f"duplicate source labels: {dupes}")
    return out


def _per_source(values: npt.ArrayLike, n: int, name: str) -> FloatArray:
    arr = as_float(values, name)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != n):
        raise MarketInputError(f"{name} must be a scalar or have one value per source ({n}), got shape {arr.shape}")
    return np.broadcast_to(arr, (n,)).copy()


@dataclass(frozen=True, init=False)
class Market:
    """One market's baseline: sources with quantities and buyer prices, and its elasticities.

    * `quantity`, `price`: baseline quantity and buyer price per source (> 0). Their product is the baseline
      value; the value shares calibrate the CES weights.
    * `sigma`: substitution elasticity between sources (> 0). `demand_elasticity`: magnitude ``eta >= 0``
      of the composite's own-price elasticity (``Q ∝ P^-eta``; 0 = perfectly inelastic).
    * `supply_elasticity`: per source, > 0, ``np.inf`` for perfectly elastic supply at the baseline cost.
    * `capacity`: per source, at least the baseline quantity (the baseline is an unconstrained equilibrium);
      scenarios may lower it. `wedge`: baseline ad-valorem tariff equivalent per source (> -1).
    * `price_cap`: buyers' reservation price of the composite relative to baseline (>= 1, default inf).
    """

    labels: tuple[str, ...]
    quantity: FloatArray
    price: FloatArray
    sigma: float
    demand_elasticity: float
    supply_elasticity: FloatArray
    capacity: FloatArray
    wedge: FloatArray
    price_cap: float

    def __init__(
        self,
        labels: Sequence[str],
        quantity: npt.ArrayLike,
        price: npt.ArrayLike,
        *,
        sigma: float,
        demand_elasticity: float,
        supply_elasticity: npt.ArrayLike = math.inf,
        capacity: npt.ArrayLike = math.inf,
        wedge: npt.ArrayLike = 0.0,
        price_cap: float = math.inf,
    ) -> None:
        labs = _check_labels(labels)
        n = len(labs)
        q = _per_source(quantity, n, "quantity")
        p = _per_source(price, n, "price")
        _check(q, "quantity", low=0.0, strict=True, allow_inf=False)
        _check(p, "price", low=0.0, strict=True, allow_inf=False)
        sig = float(sigma)
        if not (math.isfinite(sig) and sig > 0.0):
            raise MarketInputError(f"sigma must be finite and > 0, got {sigma}")
        eta = float(demand_elasticity)
        if not (math.isfinite(eta) and eta >= 0.0):
            raise MarketInputError(
                f"demand_elasticity is the magnitude eta >= 0 of the composite's price elasticity, got {eta}"
            )
        eps = _per_source(supply_elasticity, n, "supply_elasticity")
        _check(eps, "supply_elasticity", low=0.0, strict=True, allow_inf=True)
        cap = _per_source(capacity, n, "capacity")
        _check(cap, "capacity", low=0.0, strict=False, allow_inf=True)
        if np.any(cap < q):
            short = [lab for lab, c, x in zip(labs, cap, q, strict=True) if c < x]
            raise MarketInputError(
                f"baseline capacity below baseline quantity for {short}: the baseline must be unconstrained "
                "(lower capacity in a scenario instead)"
            )
        wdg = _per_source(wedge, n, "wedge")
        _check(wdg, "wedge", low=-1.0, strict=True, allow_inf=False)
        pc = float(price_cap)
        if math.isnan(pc) or pc < 1.0:
            raise MarketInputError(f"price_cap must be >= 1 (the baseline composite price), got {price_cap}")
        for name, val in (
            ("labels", labs),
            ("quantity", _frozen(q)),
            ("price", _frozen(p)),
            ("sigma", sig),
            ("demand_elasticity", eta),
            ("supply_elasticity", _frozen(eps)),
            ("capacity", _frozen(cap)),
            ("wedge", _frozen(wdg)),
            ("price_cap", pc),
        ):
            object.__setattr__(self, name, val)

    @classmethod
    def from_shares(
        cls,
        labels: Sequence[str],
        shares: npt.ArrayLike,
        *,
        total_value: float,
        price: npt.ArrayLike = 1.0,
        tol: float = SHARE_TOL,
        sigma: float,
        demand_elasticity: float,
        supply_elasticity: npt.ArrayLike = math.inf,
        capacity: npt.ArrayLike = math.inf,
        wedge: npt.ArrayLike = 0.0,
        price_cap: float = math.inf,
    ) -> Market:
        """A market from value shares (summing to one within `tol`) and total baseline value."""
        s = check_shares(shares, tol=tol)
        if s.ndim != 1:
            raise MarketInputError("shares must be one value per source")
        if np.any(s <= 0.0):
            raise MarketInputError("every source needs a positive baseline share (CES cannot calibrate zero)")
        if not (math.isfinite(total_value) and total_value > 0.0):
            raise MarketInputError("total_value must be finite and > 0")
        p = _per_source(price, s.shape[0], "price")
        return cls(
            labels,
            s * total_value / p,
            p,
            sigma=sigma,
            demand_elasticity=demand_elasticity,
            supply_elasticity=supply_elasticity,
            capacity=capacity,
            wedge=wedge,
            price_cap=price_cap,
        )

    @property
    def n(self) -> int:
        """Number of sources."""
        return len(self.labels)

    @property
    def value(self) -> FloatArray:
        """Baseline buyer expenditure per source."""
        return np.asarray(self.price * self.quantity)

    @property
    def total_value(self) -> float:
        """Baseline expenditure on the composite (its baseline quantity, with the composite price at 1)."""
        return float(self.value.sum())

    @property
    def shares(self) -> FloatArray:
        """Baseline expenditure shares."""
        v = self.value
        return np.asarray(v / v.sum())

    @property
    def seller_price(self) -> FloatArray:
        """Baseline price received by each source, net of its baseline wedge."""
        return np.asarray(self.price / (1.0 + self.wedge))

    def index(self, label: str) -> int:
        """Position of a source label; unknown labels raise with the known ones."""
        try:
            return self.labels.index(label)
        except ValueError:
            raise MarketInputError(f"unknown source {label!r}; known: {list(self.labels)}") from None


_PER_SOURCE = ("wedge", "banned", "capacity", "quality", "cost", "supply_elasticity")
_PER_DRAW = ("demand_shift", "sigma", "demand_elasticity", "price_cap")


@dataclass(frozen=True, init=False)
class Shocks:
    """A batch of scenarios (or Monte Carlo draws) applied to one market; ``None`` keeps the baseline.

    Per-source fields take shape ``(n,)`` (same in every draw) or ``(batch, n)``; per-draw fields take a
    scalar or ``(batch,)``. Sources are in the market's label order; pass `labels` to have that checked.

    * `wedge`: ad-valorem tariff equivalent in force (replaces the market's baseline wedge; > -1).
    * `banned`: True removes the source from the choice set (needs sigma > 1).
    * `capacity`: absolute capacity (>= 0; 0 is a quantity-constrained ban). `quality`: quality index
      relative to baseline (> 0). `cost`: supply-cost shifter, 1 = baseline, 0.8 = 20 % cheaper (> 0).
    * `demand_shift`: multiplier on composite demand. `sigma`, `demand_elasticity`, `supply_elasticity`,
      `price_cap`: parameter draws replacing the market's values (price_cap here may be below 1).
    """

    wedge: FloatArray | None
    banned: BoolArray | None
    capacity: FloatArray | None
    quality: FloatArray | None
    cost: FloatArray | None
    supply_elasticity: FloatArray | None
    demand_shift: FloatArray | None
    sigma: FloatArray | None
    demand_elasticity: FloatArray | None
    price_cap: FloatArray | None
    labels: tuple[str, ...] | None

    def __init__(
        self,
        *,
        wedge: npt.ArrayLike | None = None,
        banned: npt.ArrayLike | None = None,
        capacity: npt.ArrayLike | None = None,
        quality: npt.ArrayLike | None = None,
        cost: npt.ArrayLike | None = None,
        supply_elasticity: npt.ArrayLike | None = None,
        demand_shift: npt.ArrayLike | None = None,
        sigma: npt.ArrayLike | None = None,
        demand_elasticity: npt.ArrayLike | None = None,
        price_cap: npt.ArrayLike | None = None,
        labels: Sequence[str] | None = None,
    ) -> None:
        rules: dict[str, tuple[float, bool, bool]] = {  # low, strict, allow_inf
            "wedge": (-1.0, True, False),
            "capacity": (0.0, False, True),
            "quality": (0.0, True, False),
            "cost": (0.0, True, False),
            "supply_elasticity": (0.0, True, True),
            "demand_shift": (0.0, True, False),
            "sigma": (0.0, True, False),
            "demand_elasticity": (0.0, False, False),
            "price_cap": (0.0, True, True),
        }
        given = {
            "wedge": wedge,
            "capacity": capacity,
            "quality": quality,
            "cost": cost,
            "supply_elasticity": supply_elasticity,
            "demand_shift": demand_shift,
            "sigma": sigma,
            "demand_elasticity": demand_elasticity,
            "price_cap": price_cap,
        }
        for name, raw in given.items():
            if raw is None:
                object.__setattr__(self, name, None)
                continue
            arr = as_float(raw, name)
            max_dim = 2 if name in _PER_SOURCE else 1
            if arr.ndim > max_dim:
                raise MarketInputError(f"{name} has {arr.ndim} axes; at most {max_dim} allowed")
            low, strict, allow_inf = rules[name]
            _check(arr, name, low=low, strict=strict, allow_inf=allow_inf)
            object.__setattr__(self, name, _frozen(arr))
        if banned is None:
            object.__setattr__(self, "banned", None)
        else:
            ban = np.array(banned)
            if ban.dtype != np.bool_ or ban.ndim > 2:
                raise MarketInputError("banned must be a boolean array of shape (n,) or (batch, n)")
            ban.setflags(write=False)
            object.__setattr__(self, "banned", ban)
        object.__setattr__(self, "labels", None if labels is None else _check_labels(labels))

    @classmethod
    def from_labels(
        cls,
        market: Market,
        *,
        wedge: Mapping[str, float] | None = None,
        banned: Iterable[str] = (),
        capacity: Mapping[str, float] | None = None,
        quality: Mapping[str, float] | None = None,
        cost: Mapping[str, float] | None = None,
        demand_shift: float | None = None,
    ) -> Shocks:
        """One scenario given by source label; unnamed sources keep their baseline values."""

        def fill(mapping: Mapping[str, float] | None, base: FloatArray) -> FloatArray | None:
            if mapping is None:
                return None
            out = base.copy()
            for label, val in mapping.items():
                out[market.index(label)] = val
            return out

        ban = np.zeros(market.n, dtype=bool)
        for label in banned:
            ban[market.index(label)] = True
        ones = np.ones(market.n)
        return cls(
            wedge=fill(wedge, market.wedge.copy()),
            banned=ban,
            capacity=fill(capacity, market.capacity.copy()),
            quality=fill(quality, ones),
            cost=fill(cost, ones),
            demand_shift=demand_shift,
            labels=market.labels,
        )

    def batch_size(self) -> int:
        """The batch implied by the fields' leading axes (1 when every field is unbatched)."""
        sizes = set()
        for name in (*_PER_SOURCE, *_PER_DRAW):
            arr = getattr(self, name)
            if arr is None:
                continue
            if (name in _PER_SOURCE and arr.ndim == 2) or (name in _PER_DRAW and arr.ndim == 1):
                sizes.add(arr.shape[0])
        if len(sizes) > 1:
            raise MarketInputError(f"shock fields disagree on the batch size: {sorted(sizes)}")
        return sizes.pop() if sizes else 1


@dataclass(frozen=True)
class Resolved:
    """A market and its shocks as ``(batch, n)`` / ``(batch,)`` hat arrays: what the solver works on."""

    s0: FloatArray  # (n,) baseline value shares
    log_tau: FloatArray  # log of the change in the price wedge (1 + t1) / (1 + t0)
    log_a: FloatArray  # log quality change
    log_c: FloatArray  # log supply-cost shifter
    eps: FloatArray  # supply elasticity
    log_k: FloatArray  # log(capacity / baseline quantity); -inf = zero capacity
    banned: BoolArray
    allowed: BoolArray  # in the choice set: not banned and capacity > 0
    wedge: FloatArray  # wedge rates in force
    sigma: FloatArray
    eta: FloatArray
    log_d: FloatArray  # log demand shifter
    log_cap: FloatArray  # log price cap (may be +inf)

    def take(self, idx: npt.NDArray[np.intp]) -> Resolved:
        """The draws `idx` only."""
        fields = {k: (v if k == "s0" else v[idx]) for k, v in vars(self).items()}
        return Resolved(**fields)


def resolve(market: Market, shocks: Shocks | None) -> Resolved:
    """Broadcast `shocks` against `market`, check shapes and labels, and form the solver's hat arrays."""
    sh = Shocks() if shocks is None else shocks
    if sh.labels is not None and sh.labels != market.labels:
        raise MarketInputError(f"shock labels {list(sh.labels)} do not match market labels {list(market.labels)}")
    n = market.n
    size = sh.batch_size()

    def src(name: str, default: FloatArray) -> FloatArray:
        arr = getattr(sh, name)
        if arr is None:
            return np.broadcast_to(default, (size, n)).astype(np.float64)
        if arr.ndim and arr.shape[-1] != n:
            raise MarketInputError(f"{name} has {arr.shape[-1] if arr.ndim else 0} sources; the market has {n}")
        return np.broadcast_to(arr, (size, n)).astype(np.float64)

    def draw(name: str, default: float) -> FloatArray:
        arr = getattr(sh, name)
        return np.broadcast_to(default if arr is None else arr, (size,)).astype(np.float64)

    if sh.banned is not None and sh.banned.ndim and sh.banned.shape[-1] != n:
        raise MarketInputError(f"banned has the wrong number of sources; the market has {n}")
    banned = np.broadcast_to(False if sh.banned is None else sh.banned, (size, n)).copy()
    wedge = src("wedge", market.wedge)
    capacity = src("capacity", market.capacity)
    sigma = draw("sigma", market.sigma)
    if np.any(banned.any(axis=1) & (sigma <= 1.0)):
        raise MarketInputError(
            "a ban removes a source from the CES choice set, which has no finite answer for sigma <= 1 "
            "(every source is essential); model it as capacity 0 and read the unmet demand"
        )
    with np.errstate(divide="ignore"):
        log_k = np.log(capacity / market.quantity)
    return Resolved(
        s0=market.shares,
        log_tau=np.log1p(wedge) - np.log1p(market.wedge),
        log_a=np.log(src("quality", np.ones(n))),
        log_c=np.log(src("cost", np.ones(n))),
        eps=src("supply_elasticity", market.supply_elasticity),
        log_k=log_k,
        banned=banned,
        allowed=~banned & (capacity > 0.0),
        wedge=wedge,
        sigma=sigma,
        eta=draw("demand_elasticity", market.demand_elasticity),
        log_d=np.log(draw("demand_shift", 1.0)),
        log_cap=np.log(draw("price_cap", market.price_cap)),
    )
