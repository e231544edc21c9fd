"""Quarterly paths of linked markets: supply cuts with stockpiles, buyer rushes before announced bans, licences.

Research note market-dynamics.md sections 2-4. Each quarter solves the linked equilibrium for all draws at
once; the quarters run in order because stocks carry over. Mechanisms, each from the note:

* **Supply cut** (section 3.3): from its start a firm's output is limited by its stock of the lost input plus
  what a substitute delivers, in output units: ``K_t = min(K_path_t, S_t + sub_t)``; afterwards
  ``S_(t+1) = S_t + sub_t - output_t``. The substitute ramps logistically (``ceiling / (1 + exp(-rate (t -
  midpoint)))``). WE-3.1.
* **Rush** (section 2.2): between a ban's announcement and its effective quarter, buyers in the barred market
  order ``min(spare capacity, (cap - B_t) / speed_quarters)`` beyond their use, up to a stock cap of so many
  quarters of use; once the rule holds (a ban, a licence cap or a fee alike) they use the stock first
  (``min(B_t, use)`` a quarter, ``use`` being the last quarter's flow before it), which lowers what they buy:
  the market's demand as a whole (`stock_use` "market", the default), or under a licence cap or a fee the
  purchases from the pair first and the market's demand only by the rest ("pair", on trial). WE-2.2. Rushes
  on one pair take the largest target, not their sum; a barred pair takes no rush orders, a licensed one its
  approved share.
* **Licence** (section 4.2): the flow is capped at ``approval`` times what buyers would take without the cap,
  and a delay wedge applies; the binding one acts, never both multiplied. WE-4.1.

Values, quantities and prices come out per quarter; `unmet` is demand no seller and no stock serves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from chipshift.market.ces import BoolArray, FloatArray
from chipshift.market.errors import MarketInputError
from chipshift.market.linked import (
    KernelBuffers,
    LinkedMarkets,
    LinkedResult,
    LinkedShocks,
    kernel_buffers,
    prepare,
    rationed_at,
    result_in,
    solve_linked,
    solve_prepared,
)

__all__ = ["InputCut", "Licence", "LinkedPath", "PreparedPlan", "QuarterlyPlan", "Rush", "simulate_linked"]


@dataclass(frozen=True)
class InputCut:
    """Firm `firm` loses a critical input from quarter `start`; `stock` (per draw, in units of the firm's
    output) carries it for a while; a substitute ramps to `ceiling` (output units a quarter), half-way at
    quarter `midpoint`, rising at `rate` per quarter (10% to 90% within ln(81) / rate quarters); `licensed`
    is the part of the input licences still let through, from the start."""

    firm: int
    start: int
    stock: FloatArray
    ceiling: FloatArray
    midpoint: FloatArray
    rate: FloatArray
    licensed: FloatArray | float = 0.0  # what licences still deliver of the input, output units a quarter


@dataclass(frozen=True)
class Rush:
    """Buyers in the `pairs` (markets x firms, bool) learn in quarter `announced` that the flows will be barred,
    capped or taxed from quarter `effective`, and use their stock first from then; they build a stock of at most
    `cap_quarters` quarters of use (per draw), closing the gap to it over `speed_quarters` quarters, as spare
    capacity allows. A precautionary stock (buyers who fear further controls) is a rush whose `effective` is past
    the last quarter: built while the pairs are open, held, and drawn only if a pair is barred later. Where only
    a share `holders` (per draw) of the pairs' buyers stock up, each to the cap, the stock's target is that share
    of the cap's use and it is drawn at no more than that share of the pairs' use (`QuarterlyPlan.rushes`). A
    `late` rush whose rule starts within the run orders its stock as late as sellers' spare capacity allows (in
    each quarter what it still lacks less what the quarters left before the rule can deliver at this quarter's
    spare capacity), in place of closing the gap over `speed_quarters` from the announcement."""

    pairs: BoolArray
    announced: int
    effective: int
    cap_quarters: FloatArray
    speed_quarters: float = 1.0
    holders: FloatArray | float = 1.0
    late: bool = False


@dataclass(frozen=True)
class Licence:
    """From quarter `start` to `end` (exclusive) the `pairs` (markets x firms, bool) need a licence: a share
    `approval` (per draw) of what buyers would take is licensed, and a delay wedge `delay` (ad valorem, per
    draw) applies to it."""

    pairs: BoolArray
    start: int
    end: int
    approval: FloatArray
    delay: FloatArray


#: `QuarterlyPlan.stock_use`: what a draw from buyers' stock stands in for (the market's demand, the default; or
#: under a licence cap or a fee the pair's own purchases first).
MARKET, PAIR = "market", "pair"


@dataclass(frozen=True)
class QuarterlyPlan:
    """Everything that moves by quarter; arrays are ``(quarters, batch, ...)`` or ``(quarters, ...)``.

    `banned` ``(T, markets, firms)`` comes from the rules; `capacity` ``(T, B, firms)`` absolute; `demand`
    ``(T, B, markets)`` demand shifters; `quality` ``(T, B, markets, firms)``; `cost` ``(T, B, firms)``;
    `wedge` ``(T, markets, firms)`` in force; `sigma` ``(T, B, markets)`` (short to long run); `quantity`
    ``(B, markets, firms)`` each draw's baseline flows; `supply_elasticity` ``(B, firms)``.
    """

    quarters: int
    batch: int
    banned: BoolArray
    capacity: FloatArray
    demand: FloatArray
    quality: FloatArray | None = None
    cost: FloatArray | None = None
    wedge: FloatArray | None = None
    sigma: FloatArray | None = None
    demand_elasticity: FloatArray | None = None
    quantity: FloatArray | None = None  # (B, markets, firms) baseline flows of each draw
    supply_elasticity: FloatArray | None = None  # (B, firms)
    cuts: Sequence[InputCut] = field(default_factory=tuple)
    rushes: Sequence[Rush] = field(default_factory=tuple)
    licences: Sequence[Licence] = field(default_factory=tuple)
    #: what a quarter's draw from buyers' stock stands in for: "market" (the market's demand as a whole: every
    #: seller loses in proportion to its share) or "pair" (under a licence cap or a fee, purchases from the pair
    #: the stock was bought from first; only a draw beyond them lowers the market's demand)
    stock_use: str = MARKET


@dataclass(frozen=True)
class LinkedPath:
    """Quarterly outputs ``(quarters, batch, ...)``: flows and prices per market and firm, firm prices and
    rents, buyers' stocks and what they served, and demand left unmet."""

    firms: tuple[str, ...]
    markets: tuple[str, ...]
    quantity: FloatArray  # (T, B, m, f) delivered by the firm (rush orders included)
    value: FloatArray  # buyer spending
    revenue: FloatArray  # seller receipts (net of wedges)
    price: FloatArray  # buyer price (NaN where not sold)
    share: FloatArray  # value shares within each market
    seller_price: FloatArray  # (T, B, f)
    capacity: FloatArray  # (T, B, f) capacity in force, after any supply cut
    capacity_rent: FloatArray
    licence_rent: FloatArray
    at_capacity: BoolArray
    rationed: FloatArray  # (T, B, f)
    composite_price: FloatArray  # (T, B, m)
    unmet: FloatArray  # (T, B, m) baseline value units
    buyer_stock: FloatArray  # (T, B, m, f) end-of-quarter stock held by buyers, firm's units
    from_stock: FloatArray  # (T, B, m, f) used from buyers' stock in the quarter
    input_stock: FloatArray  # (T, B, f) end-of-quarter stock of a cut input, output units (NaN: no cut)


def _check_plan(base: LinkedMarkets, plan: QuarterlyPlan) -> None:
    nm, nf = base.shape
    t, b = plan.quarters, plan.batch
    expected = {"banned": (t, nm, nf), "capacity": (t, b, nf), "demand": (t, b, nm), "quality": (t, b, nm, nf),
                "cost": (t, b, nf), "wedge": (t, nm, nf), "sigma": (t, b, nm), "demand_elasticity": (t, b, nm),
                "quantity": (b, nm, nf), "supply_elasticity": (b, nf)}
    for name, shape in expected.items():
        arr = getattr(plan, name)
        if arr is not None and np.shape(arr) != shape:
            raise MarketInputError(f"plan.{name} must have shape {shape}, got {np.shape(arr)}")
    for cut in plan.cuts:
        if not 0 <= cut.firm < nf:
            raise MarketInputError(f"a supply cut names firm index {cut.firm}; there are {nf}")
    for rush in plan.rushes:
        if not rush.announced <= rush.effective:
            raise MarketInputError("a rush's announcement must come no later than its effective quarter")
        if rush.speed_quarters <= 0:
            raise MarketInputError("speed_quarters must be > 0")
    for lic in plan.licences:
        if np.any((lic.approval < 0.0) | (lic.approval > 1.0)) or np.any(lic.delay < 0.0):
            raise MarketInputError("licence approval must be in [0, 1] and delay wedges >= 0")


def _at(arr: FloatArray | None, t: int) -> FloatArray | None:
    return None if arr is None else arr[t]


def _licence_terms(base: LinkedMarkets, plan: QuarterlyPlan, t: int) -> tuple[
        FloatArray, FloatArray, BoolArray, FloatArray]:
    """Quarter t's wedges without and with licence delays, the licensed pairs and their approval shares,
    each ``(batch, markets, firms)``."""
    nm, nf = base.shape
    n_b = plan.batch
    wedge_in_force = np.broadcast_to(base.wedge if plan.wedge is None else plan.wedge[t], (n_b, nm, nf))
    wedge = wedge_in_force.copy()
    licensed = np.zeros((n_b, nm, nf), dtype=bool)
    approval = np.ones((n_b, nm, nf))
    for lic in plan.licences:
        if lic.start <= t < lic.end:
            pairs = np.broadcast_to(lic.pairs, (n_b, nm, nf))
            licensed |= pairs
            approval = np.where(pairs, np.broadcast_to(lic.approval, (n_b,))[:, None, None], approval)
            wedge = np.where(pairs, (1.0 + wedge) * (1.0 + np.broadcast_to(lic.delay, (n_b,))[:, None, None])
                             - 1.0, wedge)
    return np.asarray(wedge_in_force), wedge, licensed, approval


class PreparedPlan:
    """A plan made ready to run with several demand paths (`run`); `simulate_linked` runs it once.

    Without supply cuts or rushes nothing carries from a quarter to the next, so every quarter is solved in
    one batch, and that batch is resolved and checked once here: a run with other demand shifts (and
    elasticities) only swaps them in. With licences, the
    batch prepared is the one without their caps; the capped one depends on it and is built at each run.
    A plan with stocks is run quarter by quarter, anew each time."""

    def __init__(self, base: LinkedMarkets, plan: QuarterlyPlan) -> None:
        _check_plan(base, plan)
        self.base = base
        self.plan = plan
        self.stateless = not plan.cuts and not plan.rushes
        if not self.stateless:
            return
        nm, nf = base.shape
        if plan.licences:
            terms = [_licence_terms(base, plan, t) for t in range(plan.quarters)]
            self.licensed = self._stack([x[2] for x in terms], (nm, nf))
            self.approval = self._stack([x[3] for x in terms], (nm, nf))
            self.wedge = self._stack([x[1] for x in terms], (nm, nf))  # with licence delays
        else:  # no licence: the wedges in force, nothing licensed (what `_licence_terms` gives, laid out once)
            in_force = base.wedge if plan.wedge is None else np.asarray(plan.wedge)[:, None]
            self.wedge = np.broadcast_to(in_force, (plan.quarters, plan.batch, nm, nf)).reshape(
                (plan.quarters * plan.batch, nm, nf))
            self.licensed = np.zeros((1, nm, nf), dtype=np.bool_)
            self.approval = np.ones((1, nm, nf))
        self.common = {"banned": self._flat(plan.banned[:, None], (nm, nf)),
                       "capacity": self._flat(plan.capacity, (nf,)), "demand_shift": self._flat(plan.demand, (nm,)),
                       "quality": self._flat(plan.quality, (nm, nf)), "cost": self._flat(plan.cost, (nf,)),
                       "sigma": self._flat(plan.sigma, (nm,)),
                       "demand_elasticity": self._flat(plan.demand_elasticity, (nm,)),
                       "quantity": self._flat(plan.quantity, (nm, nf)),
                       "supply_elasticity": self._flat(plan.supply_elasticity, (nf,))}
        self.capped = bool(self.licensed.any())
        uncapped = self._stack([x[0] for x in terms], (nm, nf)) if self.capped else self.wedge
        self.problem = prepare(base, LinkedShocks(wedge=uncapped, **self.common))

    def _stack(self, parts: list[Any], tail: tuple[int, ...]) -> FloatArray:
        """Per-quarter ``(B, ...)`` arrays as one ``(T * B, ...)``."""
        return np.asarray(np.stack(parts).reshape((self.plan.quarters * self.plan.batch, *tail)))

    def _flat(self, arr: npt.NDArray[Any] | None, tail: tuple[int, ...]) -> npt.NDArray[Any] | None:
        """A per-quarter (T, B, ...) or per-draw (B, ...) array as (T * B, ...)."""
        n_t, n_b = self.plan.quarters, self.plan.batch
        return None if arr is None else np.asarray(np.broadcast_to(arr, (n_t, n_b, *tail)).reshape(
            (n_t * n_b, *tail)))

    def first_quarter(self) -> LinkedResult:
        """Quarter 0 of every draw, as the plan gives it (a plan without stocks or licence caps only)."""
        if not self.stateless or self.capped:
            raise MarketInputError("first_quarter needs a plan without stocks or licence caps")
        return solve_prepared(self.problem.rows(np.arange(self.plan.batch)), rationing=False)

    def rationed(self, path: LinkedPath, demand: FloatArray) -> FloatArray:
        """Rationed demand ``(T, B, firms)`` at `path`, a solution of this plan with demand shifts `demand`
        ``(T, B, markets)`` and the plan's own demand elasticities, however it was found (e.g. with spending held
        by unit-elastic demand, which gives the same equilibrium but not the same demand at other prices). A plan
        without stocks or licence caps only."""
        if not self.stateless or self.capped:
            raise MarketInputError("rationed demand at a given path needs a plan without stocks or licence caps")
        nm, nf = self.base.shape
        n_t, n_b = self.plan.quarters, self.plan.batch
        rows = n_t * n_b
        problem = self.problem.with_demand(np.reshape(np.broadcast_to(demand, (n_t, n_b, nm)), (rows, nm)))
        sales = np.asarray(path.quantity).sum(axis=2)  # (T, B, f): no stocks, so no orders beyond use
        out = rationed_at(problem, np.reshape(path.seller_price, (rows, nf)),
                          np.reshape(path.capacity_rent, (rows, nf)), np.reshape(path.at_capacity, (rows, nf)),
                          np.reshape(sales, (rows, nf)))
        return np.asarray(out).reshape((n_t, n_b, nf))

    def run(self, demand: FloatArray, *, rationing: bool = True, start: LinkedPath | None = None,
            demand_elasticity: FloatArray | None = None, quarters: tuple[int, int] | None = None,
            into: KernelBuffers | None = None) -> LinkedPath:
        """Solve quarters 0..T-1 for all draws with demand shifts `demand` ``(T, B, markets)`` in place of the
        plan's, and demand elasticities `demand_elasticity` ``(T, B, markets)`` if given (a plan without stocks
        or licence caps only). ``start``: a nearby path whose seller prices the solver starts from;
        ``rationing=False`` leaves rationed demand out (NaN). ``quarters=(first, stop)`` solves those quarters
        alone (a plan without stocks or licence caps only: nothing carries between its quarters) and gives
        their path, ``stop - first`` quarters long. ``into`` (`buffers`; without licence caps only): the
        quarters' results are written into their rows there, and their path's arrays are views of them, so that
        spans run one after another leave the whole path in the buffers (`path_of`) with nothing to join."""
        base, plan = self.base, self.plan
        guess = None if start is None else start.seller_price / base.seller_price  # (T, B, f)
        if (demand_elasticity is not None or quarters is not None) and (not self.stateless or self.capped):
            raise MarketInputError("other demand elasticities or some quarters alone need a plan without stocks "
                                   "or licence caps")
        if not self.stateless:
            return _with_state(base, dataclasses.replace(plan, demand=demand), rationing, guess)
        nm, nf = base.shape
        n_t, n_b = plan.quarters, plan.batch
        lo, hi = (0, n_t) if quarters is None else quarters
        if not 0 <= lo < hi <= n_t:
            raise MarketInputError(f"quarters {lo}..{hi} are not within the plan's 0..{n_t}")
        shift = np.asarray(np.broadcast_to(demand, (n_t, n_b, nm))[lo:hi].reshape(((hi - lo) * n_b, nm)))
        eta = None if demand_elasticity is None else np.reshape(
            np.broadcast_to(demand_elasticity, (n_t, n_b, nm))[lo:hi], ((hi - lo) * n_b, nm))
        problem = self.problem if quarters is None else self.problem.rows(slice(lo * n_b, hi * n_b))
        problem = problem.with_demand(shift, eta)
        at = None if guess is None else guess[lo:hi].reshape(((hi - lo) * n_b, nf))
        n_t = hi - lo
        if into is not None and self.capped:
            raise MarketInputError("a plan with licence caps is not solved into buffers")
        if self.capped:
            first = solve_prepared(problem, rationing=False)
            quota = np.where(self.licensed, self.approval * first.quantity, np.inf)
            res = solve_linked(base, LinkedShocks(wedge=self.wedge, quota=quota, **(self.common | {
                "demand_shift": shift})), rationing=rationing, start=at)
        else:
            # without a start, each quarter starts where the same draw's two quarters before it point
            res = solve_prepared(problem, rationing=rationing, start=at, into=into, row0=lo * n_b,
                                 chain=n_b if at is None else 0)
        return self._path(res, lo, hi)

    def buffers(self) -> KernelBuffers:
        """Arrays for the results of every quarter and draw of the plan (`run`'s ``into``)."""
        nm, nf = self.base.shape
        return kernel_buffers(self.plan.quarters * self.plan.batch, nm, nf, len(self.problem.pairs))

    def path_of(self, buffers: KernelBuffers) -> LinkedPath:
        """The path of every quarter once each has been run into `buffers` (`run`'s ``into``), without rationed
        demand (NaN): the same as the paths of the spans put end to end, with nothing copied."""
        return self._path(result_in(self.problem, buffers), 0, self.plan.quarters)

    def _path(self, res: LinkedResult, lo: int, hi: int) -> LinkedPath:
        """Quarters lo..hi-1 of a plan without stocks from the solver's result for their ``(hi - lo) * B`` rows."""
        base, plan = self.base, self.plan
        nm, nf = base.shape
        n_t, n_b = hi - lo, plan.batch

        def back(arr: Any) -> Any:
            return np.asarray(arr).reshape((n_t, n_b, *np.shape(arr)[1:]))

        zeros = np.broadcast_to(0.0, (n_t, n_b, nm, nf))  # no stocks: read-only, nothing to lay out
        return LinkedPath(
            firms=base.firms, markets=base.markets, quantity=back(res.quantity), value=back(res.value),
            revenue=back(res.revenue), price=back(res.price), share=back(res.share),
            seller_price=back(res.seller_price),
            capacity=np.asarray(np.broadcast_to(plan.capacity, (plan.quarters, n_b, nf))[lo:hi]),
            capacity_rent=back(res.capacity_rent), licence_rent=back(res.licence_rent),
            at_capacity=back(res.at_capacity), rationed=back(res.rationed),
            composite_price=back(res.composite_price), unmet=back(res.unmet), buyer_stock=zeros, from_stock=zeros,
            input_stock=np.broadcast_to(np.nan, (n_t, n_b, nf)))


def simulate_linked(base: LinkedMarkets, plan: QuarterlyPlan, *, rationing: bool = True,
                    start: LinkedPath | None = None) -> LinkedPath:
    """Solve quarters 0..T-1 for all draws: in order when stocks carry from one quarter to the next (supply
    cuts, rushes), else all in one batch. ``start``: a nearby path whose seller prices the solver starts from;
    ``rationing=False`` leaves rationed demand out (NaN)."""
    return PreparedPlan(base, plan).run(plan.demand, rationing=rationing, start=start)


def _with_state(base: LinkedMarkets, plan: QuarterlyPlan, rationing: bool, guess: FloatArray | None) -> LinkedPath:
    """The quarters in order, each for all draws: stocks (supply cuts, rushes) carry from one to the next."""
    nm, nf = base.shape
    n_t, n_b = plan.quarters, plan.batch
    flows0 = np.broadcast_to(base.quantity if plan.quantity is None else plan.quantity, (n_b, nm, nf))
    e0 = (base.buyer_price * flows0).sum(axis=2)  # (B, m)
    buyer_stock = np.zeros((n_b, nm, nf))
    last_use = np.zeros((n_b, nm, nf))
    holders = _holders(plan.rushes, (n_b, nm, nf))
    input_stock = np.full((n_b, nf), np.nan)
    for cut in plan.cuts:
        input_stock[:, cut.firm] = np.broadcast_to(cut.stock, (n_b,))
    out: dict[str, list[Any]] = {k: [] for k in LinkedPath.__dataclass_fields__ if k not in ("firms",
                                                                                                    "markets")}
    for t in range(n_t):
        capacity = np.array(plan.capacity[t], dtype=np.float64)
        supplied = np.zeros((n_b, nf))
        for cut in plan.cuts:
            if t >= cut.start:
                sub = cut.licensed + cut.ceiling / (1.0 + np.exp(-cut.rate * (t - cut.midpoint)))
                supplied[:, cut.firm] = sub
                capacity[:, cut.firm] = np.minimum(capacity[:, cut.firm], input_stock[:, cut.firm] + sub)
        banned = np.broadcast_to(plan.banned[t], (n_b, nm, nf)).copy()
        wedge_in_force, wedge, licensed, approval = _licence_terms(base, plan, t)
        # Buyers draw on their stock of a firm's product once the pair is barred, or once a rule they stocked up
        # before holds (a licence cap or a fee: the stock was bought to spare them both), and buy that much
        # less: from everyone (stock_use "market"), or under a licence cap or a fee from the pair first ("pair").
        drawing = banned | _anticipated(plan.rushes, t, (nm, nf))[None, :, :]
        draw = np.where(drawing, np.minimum(buyer_stock, holders * last_use), 0.0)
        demand = np.array(plan.demand[t], dtype=np.float64)
        common = {"banned": banned, "capacity": capacity, "demand_shift": demand,
                  "quality": _at(plan.quality, t), "cost": _at(plan.cost, t), "sigma": _at(plan.sigma, t),
                  "demand_elasticity": _at(plan.demand_elasticity, t), "quantity": plan.quantity,
                  "supply_elasticity": plan.supply_elasticity}
        in_place = np.zeros((n_b, nm, nf))  # drawn in place of the pair's own purchases (stock_use "pair")
        if plan.stock_use == PAIR and (draw > 0.0).any():
            in_place, kept = _in_place_of_purchases(base, draw, demand, e0, common, wedge_in_force, wedge, banned,
                                                    licensed, approval)
            draw = draw - kept
        served_value = ((draw - in_place) * base.buyer_price).sum(axis=2)  # (B, m) at baseline prices
        common["demand_shift"] = np.maximum(demand - served_value / e0, 1e-12)
        rushing = [r for r in plan.rushes if r.announced <= t < r.effective]
        first = None
        if rushing or licensed.any():
            # what buyers would take without licences: the base of licence caps and of rush targets
            first = solve_linked(base, LinkedShocks(wedge=wedge_in_force, **common), rationing=False)
        quota = None
        if licensed.any() and first is not None:
            quota = np.where(licensed, approval * first.quantity, np.inf)
        extra = np.zeros((n_b, nm, nf))
        if rushing and first is not None:
            extra = _rush_orders(rushing, t, n_t, first.quantity, buyer_stock,
                                 np.maximum(capacity - first.sales, 0.0),
                                 banned, licensed, approval)
        orders = extra - in_place  # rush orders beyond use, less the purchases the stock replaces
        res = solve_linked(base, LinkedShocks(wedge=wedge, quota=quota, extra=orders if orders.any() else None,
                                              **common), rationing=rationing,
                           start=None if guess is None else guess[t])
        buyer_stock = buyer_stock + extra - draw
        last_use = np.where(drawing, last_use, res.quantity - orders)
        served = np.where(drawing, draw, 0.0)
        for cut in plan.cuts:
            if t >= cut.start:
                avail = input_stock[:, cut.firm] + supplied[:, cut.firm]
                input_stock[:, cut.firm] = np.maximum(avail - res.sales[:, cut.firm], 0.0)
        # the solver's unmet demand is already net of what stocks served; a stock that covers it all leaves none
        unmet = np.where(demand - served_value / e0 > 1e-12, res.unmet, 0.0)
        _collect(out, res, capacity, unmet, buyer_stock, served, input_stock)
    return LinkedPath(firms=base.firms, markets=base.markets, **{k: np.stack(v) for k, v in out.items()})


#: Rounds of finding what a stock replaces of its pair's purchases (``_in_place_of_purchases``) at most.
STOCK_ROUNDS = 8


def _in_place_of_purchases(base: LinkedMarkets, draw: FloatArray, demand: FloatArray, e0: FloatArray,
                           common: dict[str, Any], wedge_in_force: FloatArray, wedge: FloatArray, banned: BoolArray,
                           licensed: BoolArray, approval: FloatArray) -> tuple[FloatArray, FloatArray]:
    """What a quarter's draw from buyers' stock replaces of the pair's own purchases (stock_use "pair"), and what
    of the draw stays in stock, each ``(B, m, f)``. The draw replaces all it can of what buyers would buy from the
    pair (at the fee; under a licence no more than the approved share of what they would take without it); the
    rest of the draw lowers the market's demand, which lowers what they would buy from the pair, so the two are
    found in rounds (Newton's method on the rest), each solving the markets at demand net of the last round's
    rest, until they settle (``STOCK_ROUNDS`` at most). What the last round replaced beyond the pair's
    purchases at the demand it leaves stays in stock, so purchases never fall below zero. A barred pair, from
    which buyers buy nothing, has nothing replaced."""

    def bought(rest: FloatArray) -> FloatArray:
        at = {**common, "demand_shift": np.maximum(demand - rest, 1e-12)}
        at_fee = solve_linked(base, LinkedShocks(wedge=wedge, **at), rationing=False).quantity
        if not licensed.any():
            return np.maximum(at_fee, 0.0)
        unlicensed = solve_linked(base, LinkedShocks(wedge=wedge_in_force, **at), rationing=False).quantity
        return np.maximum(np.where(licensed, np.minimum(at_fee, approval * unlicensed), at_fee), 0.0)

    rest = np.zeros_like(demand)
    in_place = np.zeros_like(draw)
    for _ in range(STOCK_ROUNDS):
        would = bought(rest)
        in_place = np.where(banned, 0.0, np.minimum(draw, would))
        now = ((draw - in_place) * base.buyer_price).sum(axis=2) / e0
        if np.allclose(now, rest, rtol=1e-10, atol=1e-13):
            break
        # Newton on rest = now(rest): a pair drawn beyond its purchases buys in proportion to the demand left,
        # so `now` rises by the share of those purchases in it for each unit of `rest`
        over = (draw > would) & ~banned
        slope = (np.where(over, would, 0.0) * base.buyer_price).sum(axis=2) / e0 / np.maximum(demand - rest, 1e-12)
        rest = rest + (now - rest) / np.maximum(1.0 - slope, 0.05)
    kept = in_place - np.minimum(in_place, bought(((draw - in_place) * base.buyer_price).sum(axis=2) / e0))
    return in_place - kept, kept


def _holders(rushes: Sequence[Rush], shape: tuple[int, int, int]) -> FloatArray:
    """``(B, m, f)``: the share of each pair's buyers who hold a stock, so the most of the pair's use a quarter's
    draw can replace: the largest share among the rushes on the pair (all buyers, 1, where none is on it)."""
    share = np.zeros(shape)
    covered = np.zeros(shape, dtype=bool)
    for rush in rushes:
        pairs = np.broadcast_to(np.asarray(rush.pairs, dtype=bool), shape)
        held = np.broadcast_to(np.asarray(rush.holders, dtype=np.float64).reshape(-1, 1, 1), shape)
        share = np.where(pairs, np.maximum(share, held), share)
        covered |= pairs
    return np.where(covered, share, 1.0)


def _anticipated(rushes: Sequence[Rush], t: int, shape: tuple[int, int]) -> BoolArray:
    """``(m, f)``: the pairs whose rule some rush anticipated holds in quarter `t` (its effective quarter or
    later)."""
    held = np.zeros(shape, dtype=bool)
    for rush in rushes:
        if t >= rush.effective:
            held |= np.broadcast_to(np.asarray(rush.pairs, dtype=bool), shape)
    return held


def _rush_orders(rushing: Sequence[Rush], t: int, quarters: int, use: FloatArray, buyer_stock: FloatArray,
                 spare: FloatArray, banned: BoolArray, licensed: BoolArray, approval: FloatArray) -> FloatArray:
    """Orders beyond use ``(B, m, f)`` in quarter `t` of `quarters`: each pair closes the gap to the largest stock
    target of the rushes on it (the share of buyers who stock up times the cap's use) over their speed, or, for a
    late rush whose rule starts within the run, orders what it lacks less what the quarters left before the rule
    can deliver at this quarter's spare capacity (each firm's shared among the markets in proportion to their use);
    nothing from a barred pair and only the approved share from a licensed one; each firm's spare capacity is
    shared among the markets in proportion to what they want."""
    n_b = use.shape[0]
    want = np.zeros_like(use)
    room = np.zeros_like(use)  # (B, m, f) a pair's part of its seller's spare capacity, for late rushes
    if any(r.late for r in rushing):
        used = np.broadcast_to(use.sum(axis=1, keepdims=True), use.shape)
        part = np.divide(use, used, out=np.zeros_like(use), where=used > 0.0)
        room = np.multiply(np.broadcast_to(spare[:, None, :], use.shape), part, out=room, where=part > 0.0)
    for rush in rushing:
        pairs = np.broadcast_to(rush.pairs, use.shape)
        held = np.broadcast_to(np.asarray(rush.holders, dtype=np.float64).reshape(-1), (n_b,))
        target = (held * np.broadcast_to(rush.cap_quarters, (n_b,)))[:, None, None] * use
        gap = np.maximum(target - buyer_stock, 0.0)
        if rush.late and rush.effective < quarters:
            later = rush.effective - t - 1  # quarters left before the rule after this one
            need = gap if later <= 0 else np.maximum(gap - later * room, 0.0)
        else:
            need = gap / rush.speed_quarters
        want = np.maximum(want, np.where(pairs, need, 0.0))
    want = np.where(banned, 0.0, np.where(licensed, approval * want, want))
    wanted = want.sum(axis=1)
    scale = np.where(wanted > 0.0, np.minimum(1.0, spare / np.where(wanted > 0.0, wanted, 1.0)), 0.0)
    return np.asarray(want * scale[:, None, :])


def _collect(out: dict[str, list[Any]], res: LinkedResult, capacity: FloatArray, unmet: FloatArray,
             buyer_stock: FloatArray, served: FloatArray, input_stock: FloatArray) -> None:
    values = {"quantity": res.quantity, "value": res.value, "revenue": res.revenue, "price": res.price,
              "share": res.share, "seller_price": res.seller_price, "capacity": capacity,
              "capacity_rent": res.capacity_rent, "licence_rent": res.licence_rent, "at_capacity": res.at_capacity,
              "rationed": res.rationed, "composite_price": res.composite_price, "unmet": unmet,
              "buyer_stock": buyer_stock.copy(), "from_stock": served, "input_stock": input_stock.copy()}
    for k, v in values.items():
        out[k].append(np.asarray(v))
