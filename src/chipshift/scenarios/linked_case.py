"""A linked market case: sellers (a firm's or a country's product line) selling into several markets (a
product in a region, optionally one buyer segment), the rules that bar, license or cut them, parameters and
observations. Run quarter by quarter on `chipshift.market.linked_path`, batched over parameter draws.

Every number is a fact, a parameter of the case, or a literal with a stated basis; figures in money are
read in the case's `value_unit`. A market's `value` is its yearly value at the start; flows are quarterly.
Rationed demand (what buyers would take from a seller at capacity at its marginal cost, beyond what it sells)
is worked out only in runs that ask for it (`run(..., rationing=True)`: the reported run and its bands), not
in the many runs of a calibration.

Rules act through the restriction engine's reach (`chipshift.engine.reach.reaches`): a rule entry governs
the (market, seller) pairs the rule reaches for certain, plus the pairs it may reach that the entry names;
naming a pair the rule cannot reach is an error. Whether it holds in a quarter (its dates, and relaxations
scoped to the item, seller and destination) is `RuleContext.holds`, as for the single-market runner.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from chipshift.domain.period import Period
from chipshift.domain.rules import Rule, RuleKind
from chipshift.engine.reach import MAYBE, NO, Destination, reaches
from chipshift.errors import DataError, Problem
from chipshift.market.linked import LinkedMarkets
from chipshift.market.linked_path import (
    MARKET,
    InputCut,
    Licence,
    LinkedPath,
    PreparedPlan,
    QuarterlyPlan,
    Rush,
    simulate_linked,
)
from chipshift.scenarios.market_case import Param
from chipshift.scenarios.market_run import RuleContext, value_of
from chipshift.scenarios.market_run import default_draws as default_draws  # one definition, for both models
from chipshift.schemas.vocabulary import UNITS

FloatArray = npt.NDArray[np.float64]
Draws = dict[str, FloatArray]
Num = str | float  # a parameter id or a number

DAYS_PER_QUARTER = 365.25 / 4.0



#: Which buyers stock up before a rule (`LinkedCase.stock_holders`): some (the model's default since 6 December
#: 2026, docs/backtest.md, "Stocks held by some buyers, not all"): the share `rush_buyer_share` (the case's
#: parameter, else the catalogue's prior, which the loader adds) stock up, each to the cap, and draw the stock at
#: that share of the pair's use; or all of a pair's buyers, each rush to its cap (the model before it).
ALL_HOLDERS, SOME_HOLDERS = "all", "some"

#: When buyers order a stock before a rule with a known start (`LinkedCase.rush_timing`): as late as sellers' spare
#: capacity allows (the model's default since 6 December 2026, together with the carrying-cost limit below:
#: docs/backtest.md, "A rush bought as late as it pays, and no more than it pays to hold"), or from when they learn
#: of it, over the rush's speed (the model before it).
ANNOUNCED, LATE = "announced", "late"
RUSH_BUYER_SHARE = "rush_buyer_share"

#: How far a rush before a rule reaches (`LinkedCase.rush_limit`): before a rule that lets every unit through at a
#: price wedge (a tax, tariff, duty or fee, or a subsidy's end), to no more quarters of use than the wedge pays to
#: hold at the yearly carrying cost `STOCK_CARRYING_COST` (the storage-arbitrage condition of the research note,
#: market-dynamics.md, section 2.2; the model's default since 6 December 2026, docs/backtest.md, "A rush bought as
#: late as it pays, and no more than it pays to hold"), or to its cap alone (the model before it).
CAP_LIMIT, CARRYING_COST_LIMIT = "cap", "carrying_cost"
STOCK_CARRYING_COST = "stock_carrying_cost"

#: Who pays the rent of a licence cap that binds (`LinkedCase.licence_rent`): buyers, to the capped seller, who
#: keeps it (the model's default), or nobody: the licences ration the capped flow, buyers pay the seller's price
#: with the wedge, and the rent only moves their choices (judged on 7 December 2026 and not adopted:
#: docs/backtest.md, "A licence rations, it does not auction"). Quantities, price indices and unmet demand are the
#: same either way.
RENT_KEPT, RENT_UNPAID = "kept", "unpaid"

@dataclass(frozen=True)
class Ramp:
    """Logistic capacity from the baseline sales to `ceiling` times them, half-way at `midpoint` (a year such
    as 2024.5), 10% to 90% of the way within `build_time` days."""

    ceiling: Num
    midpoint: float
    build_time: Num


@dataclass(frozen=True)
class Cut:
    """The seller loses an input when `rule` starts to hold for it (the input sold by `supplier` to the
    seller's country and firm); a stock of `stock_months` of output carries it; licences may still let a
    share `licensed` of the input through; a substitute ramps to `ceiling` times the baseline quarterly
    sales, half-way at `midpoint`, over `build_time` days."""

    rule: str
    input: str
    supplier: str | None
    stock_months: Num
    ceiling: Num
    midpoint: float
    build_time: Num
    licensed: Num = 0.0


@dataclass(frozen=True)
class Offering:
    """One thing a seller may sell, in its order of preference: the first that no rule in force bars in a
    market is what it sells there, at its quality (relative to the seller's baseline) and fee (ad valorem)."""

    label: str
    item: str | None = None  # the input sold (rules' reach); default the market's item, else the product
    quality: Num = 1.0
    wedge: float = 0.0
    requires: tuple[str, ...] = ()  # rules that must be in force for it to be sold at all (a permission)


@dataclass(frozen=True)
class Seller:
    id: str
    product: str
    firm: str | None = None  # a firm id (rules bind it by name and headquarters)
    country: str | None = None  # the producing country (a group of producers, or the firm's headquarters)
    price: float = 1.0  # baseline price level (per unit of quantity); 1 = an index
    price_unit: str | None = None
    supply_elasticity: Num = math.inf
    capacity_growth: Num | None = None
    ramp: Ramp | None = None
    quality_growth: Num | None = None
    cut: Cut | None = None
    domestic_in: tuple[str, ...] = ()
    offerings: tuple[Offering, ...] = ()

    @property
    def choices(self) -> tuple[Offering, ...]:
        """The offerings, or the one baseline offering of a seller that lists none."""
        return self.offerings or (Offering("baseline"),)

    @property
    def owner(self) -> str:
        """Whose revenue the seller's sales are: its firm, else the seller itself."""
        return self.firm or self.id

    @property
    def rule_seller(self) -> str:
        """The id rules bind: the firm, else the producing country."""
        return self.firm or self.country or self.id

    def domestic(self, region: str) -> bool:
        return region in self.domestic_in or (self.country == region and not self.domestic_in)


@dataclass(frozen=True)
class MarketSpec:
    id: str
    region: str
    product: str
    value: Num | None
    shares: Mapping[str, Num]  # seller id -> baseline value share (any scale; normalised)
    sigma: Num
    demand_elasticity: Num
    segment: str | None = None
    growth: Num | None = None  # yearly growth of demand
    values: Mapping[str, float] = field(default_factory=dict)  # period -> value (sets the demand path)
    item: str | None = None  # what is sold in this market, when narrower than the product (rules' reach)
    less: tuple[str, ...] = ()  # markets whose value paths (scaled) are inside `values` and taken out of it
    scale: Num | None = None  # the market's fraction of `values` less `less` (or of `value`), e.g. a region's


@dataclass(frozen=True)
class RuleEntry:
    rule: str
    effect: str = "ban"  # ban | licence
    approval: Num | None = None
    delay: Num | None = None
    sellers: tuple[str, ...] | None = None
    markets: tuple[str, ...] | None = None
    rush_months: Num | None = None
    rush_from: str | None = None  # when buyers start to expect the rule (default: its announcement)


@dataclass(frozen=True)
class Observation:
    output: str
    period: str
    value: float
    source: str  # a fact id, or the stated basis of a literal
    fit: bool = True
    document: str | None = None  # sources.csv id of the document a literal was read from


@dataclass(frozen=True)
class Outcome:
    """What was observed after an episode's `as_of` date: `value` in `period`, a change from the observation of
    the same output in `reference` (its value `reference_value`)."""

    output: str
    period: str
    value: float
    source: str  # a fact id, or the stated basis of a literal
    reference: str
    reference_value: float


@dataclass(frozen=True)
class Episode:
    """A case set up with what was known on `as_of`, scored on `outcomes` observed afterwards."""

    as_of: date
    mechanism: str
    summary: str
    outcomes: tuple[Outcome, ...]
    written: datetime | None = None  # when its outcomes were written down (UTC; a bare day: its midnight)


@dataclass(frozen=True)
class LinkedCase:
    name: str
    description: str
    start: str  # a quarter label, e.g. 2022Q1
    end: str
    value_unit: str
    sellers: tuple[Seller, ...]
    markets: tuple[MarketSpec, ...]
    rules: tuple[RuleEntry, ...]
    params: dict[str, Param]
    observations: tuple[Observation, ...] = ()
    fiscal_year_end: Mapping[str, int] = field(default_factory=dict)  # firm -> month its fiscal year ends
    notes: tuple[str, ...] = ()
    episode: Episode | None = None
    warnings: tuple[Problem, ...] = ()  # what the loader found wanting but let through (e.g. unsourced_literal)
    #: how a rule that starts or stops within a quarter acts on it: DAYS (the quarter is shared by the days the
    #: rule holds: `_open_days`, `_by_days`, `_licensed_late`) or MID_QUARTER (the quarter follows the rule's
    #: state on its middle day, as the model did before 6 December 2026)
    timing: str = "days"
    #: what buyers' stock stands in for once the rule they stocked up for holds: `linked_path.MARKET` (the
    #: market's demand as a whole) or `linked_path.PAIR` (under a licence cap or a fee, the purchases from the pair
    #: it was bought from first; on trial, docs/backtest.md, "A stock that stands in for what it was bought as")
    stock_use: str = MARKET
    #: which buyers stock up before a rule they expect: SOME_HOLDERS (the share `RUSH_BUYER_SHARE` of them, each to
    #: the cap and drawing at its own use: the default, docs/backtest.md, "Stocks held by some buyers, not all") or
    #: ALL_HOLDERS (every buyer of the pair, to the rush's cap)
    stock_holders: str = SOME_HOLDERS
    #: when buyers order the stock they build before a rule with a known start: LATE (as late as sellers' spare
    #: capacity allows: the default) or ANNOUNCED (from when they learn of it, over the rush's speed)
    rush_timing: str = LATE
    #: how many quarters of use a rush covers: CARRYING_COST_LIMIT (before a rule that lets every unit through at a
    #: wedge, no more than the wedge pays to hold, `fee_rush_quarters`: the default) or CAP_LIMIT (its cap)
    rush_limit: str = CARRYING_COST_LIMIT
    #: who pays a binding licence cap's rent: RENT_KEPT (buyers, to the seller: the default) or RENT_UNPAID
    #: (nobody: what buyers pay, and so values, receipts and shares by value, leave it out; `paid`)
    licence_rent: str = RENT_KEPT

    def period_end(self, output: str, label: str) -> date:
        """The last day of an output's period; a fiscal year (FY2024) ends in its firm's fiscal month, and its
        fiscal quarters (FY2024Q1) three, six and nine months before that."""
        period = Period.parse(label)
        owner = output.split(":", 1)[1].split("@", 1)[0] if ":" in output else ""
        month = self.fiscal_year_end.get(owner)
        if not period.fiscal or month is None:
            return period.end
        quarter = int(label.rsplit("Q", 1)[1]) if "Q" in label else 4
        months = period.end.year * 12 + (month - 1) - 3 * (4 - quarter)  # months since year 0, zero-based
        year, m = divmod(months, 12)
        return date(year, m + 1, calendar.monthrange(year, m + 1)[1])

    def period_middle(self, output: str, label: str) -> date:
        """The middle of an output's period, fiscal periods on their firm's calendar."""
        period = Period.parse(label)
        end = self.period_end(output, label)
        return end - (period.end - period.start) / 2

    @functools.cached_property
    def quarters(self) -> tuple[date, ...]:
        """Mid-quarter dates from `start` to `end`."""
        first, last = Period.parse(self.start), Period.parse(self.end)
        out = []
        y, q = first.start.year, (first.start.month - 1) // 3 + 1
        while date(y, 3 * q - 1, 15) <= last.end:
            out.append(date(y, 3 * q - 1, 15))
            y, q = (y + 1, 1) if q == 4 else (y, q + 1)
        return tuple(out)


def named_rules(case: LinkedCase) -> set[str]:
    """Every rule the case names: its rule entries, its sellers' cuts and its offerings' permissions."""
    named = {e.rule for e in case.rules}
    for seller in case.sellers:
        if seller.cut is not None:
            named.add(seller.cut.rule)
        for offering in seller.offerings:
            named.update(offering.requires)
    return named


# -- running --------------------------------------------------------------------------------------------------

def _quarter_index(quarters: Sequence[date], when: date) -> int:
    """The quarter a date falls in (0 before the run, len(quarters) after it)."""
    for t, mid in enumerate(quarters):
        first = date(mid.year, mid.month - 1, 1)
        last = date(mid.year + (mid.month + 2) // 13, (mid.month + 1) % 12 + 1, 1)
        if first <= when < last:
            return t
    return 0 if when < quarters[0] else len(quarters)


def _runs(active: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Contiguous runs of True as (start, end) with end exclusive."""
    out, start = [], None
    for t, on in enumerate([*active.tolist(), False]):
        if on and start is None:
            start = t
        elif not on and start is not None:
            out.append((start, t))
            start = None
    return out


@dataclass(frozen=True)
class Governed:
    """The (market, seller) pairs each rule entry governs, decided once per case."""

    pairs: tuple[npt.NDArray[np.bool_], ...]  # per rule entry, (markets, sellers)
    holds: tuple[npt.NDArray[np.bool_], ...]  # per rule entry, (quarters, markets, sellers, offerings)
    announced: tuple[int | None, ...]  # per rule entry: the quarter of its announcement
    cut_start: tuple[int | None, ...]  # per seller: the quarter its input cut starts (None: no cut)
    unavailable: npt.NDArray[np.bool_] | None = None  # (quarters, sellers, offerings): a required rule not in force
    entries: tuple[RuleEntry, ...] = ()  # the case's rule entries, then those of rules a scenario adds
    leaky: tuple[bool, ...] = ()  # per rule entry: whether a grey channel can serve the buyers it cuts off
    baseline: Governed | None = None  # under a restriction scenario: the case's own rules (demand is found there)
    #: per rule entry: the day its rule took effect, where the entry licenses pairs under a rule that is a licence
    #: requirement by its own data (`licence_requirement`); None for every other entry
    licence_from: tuple[date | None, ...] = ()
    #: per rule entry, (quarters, markets, sellers, offerings): the share of each quarter's days on which it
    #: holds (`holds` is its state on the quarter's middle day)
    shares: tuple[FloatArray, ...] = ()


def first_quarters(governed: Governed, n: int) -> Governed:
    """`governed` for a run cut short after its first `n` quarters (announcements and cuts dated later never
    come)."""
    return dataclasses.replace(
        governed, holds=tuple(h[:n] for h in governed.holds), shares=tuple(s[:n] for s in governed.shares),
        announced=tuple(None if a is None or a >= n else a for a in governed.announced),
        cut_start=tuple(None if c is None or c >= n else c for c in governed.cut_start),
        unavailable=None if governed.unavailable is None else governed.unavailable[:n],
        baseline=None if governed.baseline is None else first_quarters(governed.baseline, n))


def fitted_window(case: LinkedCase, governed: Governed) -> tuple[LinkedCase, Governed]:
    """The case cut after the quarter of its last observation marked fit (its first quarter when none), with its
    rules over those quarters: all a calibration needs to run."""
    last = max((case.period_end(o.output, o.period) for o in case.observations if o.fit),
               default=Period.parse(case.start).end)
    short = dataclasses.replace(case, end=max(f"{last.year}Q{(last.month - 1) // 3 + 1}", case.start))
    return short, first_quarters(governed, len(short.quarters))


#: Policies under which a rule a scenario adds acts on a case by itself, as a ban (a licence needs its
#: approval share, which only the case can give).
BARRING = ("ban", "presumption_of_denial")


def govern(case: LinkedCase, ctx: RuleContext, file: str = "", added: Sequence[str] = ()) -> Governed:
    """Which pairs each rule entry reaches, and in which quarters it holds; DataError for an entry naming a
    pair its rule cannot reach, or a cut its rule never imposes.

    `added` are rules a restriction scenario adds: one that bars (`BARRING`) and that the case does not name
    acts as a ban on every pair it reaches for certain. An entry whose rule the scenario removed never holds."""
    quarters = case.quarters
    nm, nf = len(case.markets), len(case.sellers)
    problems: list[Problem] = []
    pairs_out: list[npt.NDArray[np.bool_]] = []
    holds_out: list[npt.NDArray[np.bool_]] = []
    shares_out: list[FloatArray] = []
    spans = [quarter_bounds(q) for q in quarters]
    announced: list[int | None] = []
    n_o = max(len(x.choices) for x in case.sellers)
    named_rules = {e.rule for e in case.rules}
    entries = list(case.rules) + [RuleEntry(rule=r) for r in added if r not in named_rules and ctx.has(r)
                                  and ctx.rule(r).policy in BARRING]
    for k, entry in enumerate(entries):
        if not ctx.has(entry.rule):  # removed by a scenario
            pairs_out.append(np.zeros((nm, nf), dtype=bool))
            holds_out.append(np.zeros((len(quarters), nm, nf, n_o), dtype=bool))
            shares_out.append(np.zeros((len(quarters), nm, nf, n_o)))
            announced.append(None)
            continue
        rule = ctx.rule(entry.rule)
        pairs = np.zeros((nm, nf), dtype=bool)
        holds = np.zeros((len(quarters), nm, nf, n_o), dtype=bool)
        shares = np.zeros((len(quarters), nm, nf, n_o))
        named = entry.sellers is not None or entry.markets is not None
        for m, market in enumerate(case.markets):
            if entry.markets is not None and market.id not in entry.markets:
                continue
            dest = Destination(market.region, segment=market.segment)
            for f, seller in enumerate(case.sellers):
                if entry.sellers is not None and seller.id not in entry.sellers:
                    continue
                if market.shares.get(seller.id) is None:
                    continue
                items = [o.item or market.item or seller.product for o in seller.choices]
                reach = [reaches(rule, ctx.world, item, seller.rule_seller, dest, ctx.firm_parents) for item in items]
                if named and all(r == NO for r in reach):
                    problems.append(Problem(
                        f"rule {entry.rule} does not reach {seller.id} ({', '.join(items)}, seller "
                        f"{seller.rule_seller}) in market {market.id} ({dest.label}); drop the pair or check the "
                        "rule's products, sellers and targets", file, field=f"rules[{k}]", check="references"))
                    continue
                for o, (item, r) in enumerate(zip(items, reach, strict=True)):
                    if r == NO or (r == MAYBE and not named):
                        continue
                    pairs[m, f] = True
                    holds[:, m, f, o] = ctx.holds(entry.rule, item, seller.rule_seller, dest, quarters)
                    shares[:, m, f, o] = ctx.share_holding(entry.rule, item, seller.rule_seller, dest, spans)
        if entry.effect == "ban" and rule.policy in BARRING:
            for m, market in enumerate(case.markets):
                low = case.params[market.sigma].low if isinstance(market.sigma, str) else float(market.sigma)
                if pairs[m].any() and low < 1.0:  # draws from a range that starts at 1 are above it
                    problems.append(Problem(
                        f"rule {entry.rule} bars a seller in market {market.id}, whose sigma can be {low:g}: with "
                        "sigma below 1 every source is essential, so no price lets buyers do without the barred "
                        "one; keep the sigma of a market a ban reaches above 1", file,
                        field=f"markets[{m}].sigma", check="references"))
        if not pairs.any() and k < len(case.rules):
            problems.append(Problem(f"rule {entry.rule} reaches no seller in any market of the case for certain; "
                                    "name the sellers and markets it governs", file, field=f"rules[{k}]",
                                    check="references"))
        pairs_out.append(pairs)
        holds_out.append(holds)
        shares_out.append(shares)
        when = entry.rush_from or rule.announced or rule.start
        announced.append(None if when is None else _quarter_index(quarters, parse_day(when)))
    cut_start: list[int | None] = []
    for f, seller in enumerate(case.sellers):
        if seller.cut is None:
            cut_start.append(None)
            continue
        cut = seller.cut
        if not ctx.has(cut.rule):  # a scenario removed the rule: no cut
            cut_start.append(None)
            continue
        dest = Destination(seller.country, firm=seller.firm)
        cut_reach = reaches(ctx.rule(cut.rule), ctx.world, cut.input, cut.supplier or "", dest, ctx.firm_parents)
        on = ctx.holds(cut.rule, cut.input, cut.supplier or "", dest, quarters)
        if cut_reach == NO or not on.any():
            problems.append(Problem(f"rule {cut.rule} never cuts {cut.input} to {seller.id} within the run",
                                    file, field=f"sellers[{f}].cut", check="references"))
            cut_start.append(None)
            continue
        cut_start.append(int(np.argmax(on)))
    unavailable = np.zeros((len(quarters), nf, n_o), dtype=bool)
    for f, seller in enumerate(case.sellers):
        for o, offer in enumerate(seller.choices):
            for rule_id in offer.requires:
                unavailable[:, f, o] |= ~ctx.in_force(rule_id, quarters)
    if problems:
        raise DataError(problems)
    # a procurement ban binds the buyer itself (a state agency, a regulated operator), which no third party can
    # serve without the buyer breaking the rule; any other ban leaves third parties free to resell to the buyer
    leaky = tuple(ctx.has(e.rule) and ctx.rule(e.rule).kind is not RuleKind.PROCUREMENT_BAN for e in entries)
    licence_from = tuple(parse_day(start) if e.effect == "licence" and ctx.has(e.rule)
                         and licence_requirement(ctx.rule(e.rule)) and (start := ctx.rule(e.rule).start) else None
                         for e in entries)
    return Governed(tuple(pairs_out), tuple(holds_out), tuple(announced), tuple(cut_start), unavailable,
                    tuple(entries), leaky=leaky, licence_from=licence_from, shares=tuple(shares_out))


#: The review policies (`rules.yaml`'s `policy`) under which a rule requires a licence that someone must issue:
#: a licence is needed (review unstated), reviewed case by case, or reviewed with a presumption of denial. A
#: ban, a fee and a lifting issue none.
LICENSING_POLICIES = ("licence_required", "case_by_case", "presumption_of_denial")


def licence_requirement(rule: Rule) -> bool:
    """Whether a rule is, by its own data, a licence requirement: a measure (not a relaxation) whose review
    policy says licences are issued (`LICENSING_POLICIES`)."""
    return rule.kind is not RuleKind.RELAXATION and rule.policy in LICENSING_POLICIES


def parse_day(text: str) -> date:
    """A date written 2023-07-03, 2023-07 or 2023 (a month or year: its first day)."""
    parts = [int(p) for p in text.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


@functools.lru_cache(maxsize=512)
def _sourced_path(values: tuple[tuple[str, float], ...], quarters: tuple[date, ...]) -> tuple[FloatArray, int]:
    """A market's sourced `values` (period -> value) as yearly rates at each quarter's middle (a quarter's
    figure counts four times, a half-year's twice), linear between the points and flat beyond them; and the day
    (ordinal) of the middle of the last sourced period. Kept, read-only, for the next run: every run of a case
    (every chunk of its draws) asks again, for every market and every market outside it."""
    points = []
    for label, value in values:
        period = Period.parse(label)
        points.append((period.middle, period.yearly_rate(value)))
    points.sort()
    x = np.array([p[0].toordinal() for p in points], dtype=np.float64)
    y = np.array([p[1] for p in points])
    path = np.asarray(np.interp([d.toordinal() for d in quarters], x, y))
    path.setflags(write=False)
    return path, max(Period.parse(label).middle for label, _ in values).toordinal()


def market_path(market: MarketSpec, case: LinkedCase, draws: Draws, size: int) -> FloatArray:
    """The market's yearly value per quarter and draw, ``(quarters, draws)``: its sourced `values` less the
    markets inside them, times its `scale`; or its `value` at the start growing at its `growth`."""
    quarters = case.quarters
    if market.values:
        sourced, last = _sourced_path(tuple(market.values.items()), quarters)
        path = np.repeat(sourced[:, None], size, axis=1)
        if market.growth is not None:  # the outlook beyond the last sourced value
            years = np.maximum(np.array([d.toordinal() for d in quarters]) - last, 0) / 365.25
            path = path * (1.0 + value_of(market.growth, draws, size))[None, :] ** years[:, None]
        for other in market.less:
            path = path - market_path(next(m for m in case.markets if m.id == other), case, draws, size)
        path = path * value_of(market.scale, draws, size, 1.0)[None, :]
        if np.any(path <= 0.0):
            raise DataError([Problem(f"market {market.id}: its value path less {', '.join(market.less)} is not "
                                     "positive in every quarter and draw (at the parameters' low or high ends, "
                                     "check the ranges of its scale and of the markets inside it)", case.name,
                                     field=f"markets.{market.id}")])
        return np.asarray(path)
    growth = 1.0 + value_of(market.growth, draws, size)
    start = value_of(market.value, draws, size) * value_of(market.scale, draws, size, 1.0)
    return np.asarray(start[None, :] * growth[None, :] ** (np.arange(len(quarters)) / 4.0)[:, None])


def baseline_flows(case: LinkedCase, draws: Draws, size: int) -> FloatArray:
    """Quarterly baseline flows per draw, ``(draws, markets, sellers)``, in quantity units."""
    nm, nf = len(case.markets), len(case.sellers)
    flows = np.zeros((size, nm, nf))
    price = np.array([s.price for s in case.sellers])
    for m, market in enumerate(case.markets):
        shares = np.zeros((size, nf))
        for f, seller in enumerate(case.sellers):
            ref = market.shares.get(seller.id)
            if ref is not None:
                shares[:, f] = value_of(ref, draws, size)
        total = shares.sum(axis=1, keepdims=True)
        value = market_path(market, case, draws, size)[0] / 4.0
        flows[:, m] = value[:, None] * shares / np.where(total > 0, total, 1.0) / price[None, :]
    return flows


def run(case: LinkedCase, governed: Governed, draws: Draws, start: FloatArray | None = None, *,
        rationing: bool = False) -> LinkedPath:
    """Every quarter of the case for every draw (arrays in `draws` hold one value per draw).

    Markets with sourced values spend what the sources say under the case's own rules, through their last
    sourced period; after it their demand follows the outlook, and rules and rushes move their spending.
    Under a restriction scenario (`governed.baseline` set) the demand found that way is held, and the
    scenario's rules move prices, quantities and spending from there. `start` ``(quarters, 1 or draws,
    markets)`` is a first guess of the demand shifts (e.g. `demand(...)` of a central run), which saves rounds
    of matching. ``rationing``: work out rationed demand (else NaN, and no `rationed:` output)."""
    base, plan, paths = _plan(case, governed, draws)
    if governed.baseline is None:
        return paid(case, _matching_values(case, base, _started(case, plan, start), paths, rationing=rationing)[0])
    _, own_plan, _ = _plan(case, governed.baseline, draws)
    found = _matching_values(case, base, _started(case, own_plan, start), paths)[1]
    return paid(case, simulate_linked(base, dataclasses.replace(plan, demand=found), rationing=rationing))


def paid(case: LinkedCase, path: LinkedPath) -> LinkedPath:
    """`path` as buyers pay it: with `licence_rent: unpaid`, a pair whose licence cap binds is priced at the seller's
    price with the wedge, so its price, value and the seller's receipts leave the rent out (the rent moved buyers'
    choices, so quantities are those of the path); with `kept` (the default), `path` itself."""
    if case.licence_rent != RENT_UNPAID:
        return path
    seller = path.seller_price[:, :, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = seller / (seller + path.licence_rent)
    factor = np.where(np.isfinite(factor) & (path.licence_rent > 0.0), factor, 1.0)
    value = path.value * factor
    total = value.sum(axis=3, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0.0, value / total, 0.0)
    return dataclasses.replace(path, price=path.price * factor, value=value, revenue=path.revenue * factor,
                               share=share)


def demand(case: LinkedCase, governed: Governed, draws: Draws) -> FloatArray:
    """The demand shifts ``(quarters, draws, markets)`` that make markets with sourced values spend what the
    sources say, under the case's own rules."""
    own = governed.baseline or governed
    base, plan, paths = _plan(case, own, draws)
    return _matching_values(case, base, plan, paths)[1]


def _started(case: LinkedCase, plan: QuarterlyPlan, start: FloatArray | None) -> QuarterlyPlan:
    """The plan with `start` as the first guess of the demand of the markets whose demand is matched to sourced
    values; the others keep their own demand path (their growth, as drawn)."""
    if start is None:
        return plan
    sourced = np.array([bool(m.values) for m in case.markets])
    guess = np.broadcast_to(start, plan.demand.shape)
    return dataclasses.replace(plan, demand=np.where(sourced[None, None, :], guess, plan.demand))


def fee_rush_quarters(entry: RuleEntry, draws: Draws, size: int) -> FloatArray:
    """The most quarters of use a stock bought just before `entry`'s rule pays to hold, per draw: where the rule lets
    every unit through (a licence whose approval is 1) at an ad-valorem wedge `d` (its delay), a stock used `h`
    quarters after the rule starts saves `d` and costs `(1 + c)^h - 1`, with `c` the quarterly rate of the yearly
    carrying cost `STOCK_CARRYING_COST`, so it pays up to `h* = ln(1 + d) / ln(1 + c)`; a ban, a licence cap (an
    approval below 1) or a rule without a wedge is not limited (infinity)."""
    unlimited = np.full(size, np.inf)
    if entry.effect != "licence" or entry.delay is None:
        return unlimited
    approval = value_of(entry.approval, draws, size, default=1.0)
    wedge = value_of(entry.delay, draws, size)
    quarterly = (1.0 + value_of(STOCK_CARRYING_COST, draws, size)) ** 0.25 - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        quarters = np.log1p(np.maximum(wedge, 0.0)) / np.log1p(quarterly)
    return np.where(approval >= 1.0 - 1e-9, np.where(quarterly > 0.0, quarters, np.inf), unlimited)


def _plan(case: LinkedCase, governed: Governed, draws: Draws) -> tuple[LinkedMarkets, QuarterlyPlan, FloatArray]:
    """The baseline, the quarterly plan and the markets' value paths ``(T, B, markets)`` of a run."""
    size = len(next(iter(draws.values()))) if draws else 1
    quarters = case.quarters
    n_t, nm, nf = len(quarters), len(case.markets), len(case.sellers)
    flows = baseline_flows(case, draws, size)
    base_flows = flows[0].copy()
    empty = base_flows.sum(axis=0) <= 0.0
    base_flows[:, empty] = 1e-9 * (base_flows.sum() or 1.0)  # a seller outside every market: kept out by flows
    sigma = np.stack([value_of(m.sigma, draws, size) for m in case.markets], axis=1)
    eta = np.stack([value_of(m.demand_elasticity, draws, size) for m in case.markets], axis=1)
    eps = np.array([s.supply_elasticity if not isinstance(s.supply_elasticity, str) else 1.0
                    for s in case.sellers])
    base = LinkedMarkets([s.id for s in case.sellers], [m.id for m in case.markets], base_flows,
                         sigma=np.maximum(sigma[0], 1e-6), demand_elasticity=eta[0],
                         seller_price=[s.price for s in case.sellers], supply_elasticity=eps)
    sales0 = flows.sum(axis=1)  # (B, f)
    t_years = np.arange(n_t) / 4.0
    year_of = np.array([q.year + (q.month - 1) / 12.0 for q in quarters])
    capacity = np.full((n_t, size, nf), np.inf)
    quality = np.ones((n_t, size, nm, nf))
    for f, seller in enumerate(case.sellers):
        if seller.capacity_growth is not None:
            g = value_of(seller.capacity_growth, draws, size)
            capacity[:, :, f] = sales0[None, :, f] * (1.0 + g[None, :]) ** t_years[:, None]
        if seller.ramp is not None:
            ceiling = value_of(seller.ramp.ceiling, draws, size)
            years = value_of(seller.ramp.build_time, draws, size) / 365.25
            rate = np.log(81.0) / years
            multiple = 1.0 + (ceiling[None, :] - 1.0) / (1.0 + np.exp(-rate[None, :] * (year_of[:, None]
                                                                                        - seller.ramp.midpoint)))
            capacity[:, :, f] = sales0[None, :, f] * multiple
        if seller.quality_growth is not None:
            r = value_of(seller.quality_growth, draws, size)
            quality[:, :, :, f] = ((1.0 + r[None, :]) ** t_years[:, None])[:, :, None]
    paths = [market_path(m, case, draws, size) for m in case.markets]
    # demand index, first quarter = 1; with sourced values, the first guess of the demand shift that makes
    # the market's value follow them
    demand = np.stack([p / p[0] for p in paths], axis=2)  # (T, B, m)
    banned, wedge, licences, rushes = _offerings(case, governed, quality, draws, size)
    for k, entry in enumerate(governed.entries):
        told = governed.announced[k]
        if entry.rush_months is not None and told is not None:
            on = governed.holds[k].any(axis=(1, 2, 3))
            effective = int(np.argmax(on)) if on.any() else n_t
            if told < effective:
                some = case.stock_holders == SOME_HOLDERS
                if some and RUSH_BUYER_SHARE not in draws:
                    raise DataError([Problem(f"buyers rush before a rule and only some hold stocks, but the case has "
                                             f"no '{RUSH_BUYER_SHARE}' parameter: state it, or `stock_holders: "
                                             f"all`", case.name, None, "stock_holders")])
                cap = value_of(entry.rush_months, draws, size) / 3.0
                if case.rush_limit == CARRYING_COST_LIMIT and entry.effect == "licence" and entry.delay is not None:
                    if STOCK_CARRYING_COST not in draws:
                        raise DataError([Problem(f"a rush is limited by the cost of carrying its stock, but the case "
                                                 f"has no '{STOCK_CARRYING_COST}' parameter: state it, or "
                                                 f"`rush_limit: cap`", case.name, None, "rush_limit")])
                    cap = np.minimum(cap, fee_rush_quarters(entry, draws, size))
                rushes.append(Rush(governed.pairs[k], told, effective, cap,
                                   holders=value_of(RUSH_BUYER_SHARE, draws, size) if some else 1.0,
                                   late=case.rush_timing == LATE))
    cuts = []
    for f, seller in enumerate(case.sellers):
        cut_at = governed.cut_start[f]
        if seller.cut is None or cut_at is None:
            continue
        c = seller.cut
        quarterly = sales0[:, f]
        rate = np.log(81.0) / (value_of(c.build_time, draws, size) / DAYS_PER_QUARTER)
        midpoint = _quarter_index(quarters, _year_date(c.midpoint))
        cuts.append(InputCut(f, cut_at, value_of(c.stock_months, draws, size) / 3.0 * quarterly,
                             value_of(c.ceiling, draws, size) * quarterly, np.full(size, float(midpoint)), rate,
                             value_of(c.licensed, draws, size) * quarterly))
    eps_draws = np.stack([value_of(s.supply_elasticity, draws, size) for s in case.sellers], axis=1)
    plan = QuarterlyPlan(quarters=n_t, batch=size, banned=banned, capacity=capacity, demand=demand,
                         quality=quality, wedge=wedge,
                         sigma=sigma_path(sigma, governed, n_t, draws),
                         demand_elasticity=np.broadcast_to(eta, (n_t, size, nm)), cuts=tuple(cuts),
                         rushes=tuple(rushes), licences=tuple(licences), quantity=flows,
                         supply_elasticity=eps_draws, stock_use=case.stock_use)
    return base, plan, np.stack(paths, axis=2)


#: Rounds of adjusting the demand of markets with sourced values until their modelled value follows them to
#: within VALUE_TOLERANCE (in logs: 0.1%).
VALUE_ROUNDS = 4
VALUE_TOLERANCE = 1e-3


def _bought(case: LinkedCase, base: LinkedMarkets, path: LinkedPath) -> FloatArray:
    """What buyers took in each quarter and market, ``(T, B, m)``, purchases plus what they drew from stock:
    items in a case whose values are counts (`counted`), else spending (stock at baseline prices)."""
    if counted(case):
        return np.asarray(path.quantity.sum(axis=3) + path.from_stock.sum(axis=3))
    spent = paid(case, path).value.sum(axis=3)
    if path.from_stock.any():  # buyers' stocks (a run without them has none)
        spent = spent + (path.from_stock * base.buyer_price).sum(axis=3)
    return np.asarray(spent)


def _sourced_quarters(case: LinkedCase) -> npt.NDArray[np.bool_]:
    """``(quarters, markets)``: True where a market's spending follows its sourced `values`, from the first
    quarter to the last one that ends by the end of its last sourced period. After that the sources say
    nothing: the market's demand grows at its outlook and the case's rules move its spending."""
    after = [date(q.year + q.month // 10, (q.month + 2) % 12 + 1, 1) for q in case.quarters]  # next quarter's day 1
    out = np.zeros((len(case.quarters), len(case.markets)), dtype=np.bool_)
    for m, market in enumerate(case.markets):
        if market.values:
            last = max(Period.parse(label).end for label in market.values)
            out[:, m] = [nxt <= last + timedelta(days=1) for nxt in after]
    return out


def _outlook(log_d: FloatArray, target: FloatArray, sourced: npt.NDArray[np.bool_]) -> FloatArray:
    """`log_d` ``(T, B, m)`` with each sourced market's demand shift after its last sourced quarter set to
    that quarter's shift moved as its value path's outlook moves (its `growth`, or flat)."""
    out = log_d.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        log_target = np.log(target)
    for m in np.flatnonzero(sourced.any(axis=0) & ~sourced.all(axis=0)):
        last = int(np.flatnonzero(sourced[:, m])[-1])
        out[last + 1:, :, m] = (log_d[last, :, m][None] + log_target[last + 1:, :, m]
                                - log_target[last, :, m][None])
    return out


def _matching_values(case: LinkedCase, base: LinkedMarkets, plan: QuarterlyPlan, paths: FloatArray, *,
                     rationing: bool = False) -> tuple[LinkedPath, FloatArray]:
    """Run the plan, adjusting the demand shift of every market with sourced `values` so that its modelled
    value (purchases plus what buyers take from stock) follows the sourced path relative to its first quarter,
    through its last sourced period (`_sourced_quarters`); after it, the market's demand shift moves from the
    last one found as its outlook says (`_outlook`), so the case's rules and buyers' rushes move its spending.
    Sourced values are what buyers spent (in a case counted in items, what they bought: `_bought`): with an
    upward-sloping supply a demand shift moves price and quantity both, so reading a value path directly as a
    demand shift would miss it. Without stocks or licence caps the shift that holds spending is found exactly,
    each quarter solved once (`_spending_held`), and a counted case goes on from there by secant steps in logs
    per market and quarter, as every case with stocks or licence caps does from its plan's demand; quarters
    where a market is closed keep their shift. ``rationing``: the path returned has rationed demand worked out
    (at the demand found, with the markets' own elasticities)."""
    sourced = _sourced_quarters(case)  # (T, m)
    if not sourced.any():
        return simulate_linked(base, plan, rationing=rationing), np.asarray(plan.demand)
    runs = PreparedPlan(base, plan)  # every round runs the same plan with other demand shifts
    target = paths / paths[:1]  # (T, B, m) value index the sources give
    if runs.stateless and not runs.capped:
        path, found = _spending_held(runs, plan, target, sourced)
        if not counted(case):
            if rationing:  # the spending-held runs had other elasticities: same equilibrium, other demand
                path = dataclasses.replace(path, rationed=runs.rationed(path, found))
            return path, found
        log_d = np.log(found)  # items bought follow the sources: rounds from where spending does
    else:
        log_d = _outlook(np.log(plan.demand), target, sourced)
        path = runs.run(np.exp(log_d), rationing=False)
    prev: tuple[FloatArray, FloatArray] | None = None
    for _ in range(VALUE_ROUNDS):
        spent = _bought(case, base, path)  # (T, B, m)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_gap = np.log(target) - np.log(spent / spent[:1])
        usable = sourced[:, None, :] & np.isfinite(log_gap) & (spent > 0.0)
        if not usable.any() or np.max(np.abs(np.where(usable, log_gap, 0.0))) < VALUE_TOLERANCE:
            break
        slope = np.ones_like(log_gap)
        if prev is not None:  # d log value / d log demand from the last round
            with np.errstate(divide="ignore", invalid="ignore"):
                seen = (prev[1] - log_gap) / (log_d - prev[0])
            slope = np.where(np.isfinite(seen) & (seen > 0.1) & (seen < 10.0), seen, 1.0)
        prev = (log_d, log_gap)
        log_d = np.where(usable, log_d + log_gap / slope, log_d)
        log_d[0] = np.log(plan.demand[0])  # the first quarter is the baseline
        log_d = _outlook(log_d, target, sourced)
        path = runs.run(np.exp(log_d), rationing=False, start=path)
    if rationing:  # the last shifts once more from their own solution, now with rationed demand
        path = runs.run(np.exp(log_d), rationing=True, start=path)
    return path, np.exp(log_d)  # the path is always that of the last shifts


def _spending_held(runs: PreparedPlan, plan: QuarterlyPlan, target: FloatArray, sourced: npt.NDArray[np.bool_]
                   ) -> tuple[LinkedPath, FloatArray]:
    """`_matching_values` for a plan without stocks or licence caps, each quarter solved once. A market's
    spending is ``D P^(1 - eta)`` (P its price index), so spending held at the sourced path is the same market
    with unit-elastic demand and shift ``D P^(1 - eta)``: solved that way, the equilibrium is the one the
    sourced path implies, and the demand shift follows from its price index, ``D = spending / P^(1 - eta)``.
    Quarter 0 (the baseline, which the path is relative to) is solved first as the plan gives it; markets
    closed in a quarter, or without a usable sourced value there, keep their shift. Where `sourced`
    ``(T, m)`` ends before the run does, the quarters are solved in spans, each starting where a market's
    sources end: the shifts after that come from the last one found there (`_outlook`)."""
    n_t, n_b, nm = plan.demand.shape
    resolved = runs.problem.resolved  # (T * B, ...), quarter by quarter
    eta = resolved.eta.reshape((n_t, n_b, nm))
    log_d = np.array(resolved.log_d.reshape((n_t, n_b, nm)))
    first = runs.first_quarter()
    with np.errstate(divide="ignore", invalid="ignore"):
        log_spend0 = (1.0 - eta[0]) * np.log(first.composite_price) + log_d[0]  # (B, m)
        log_target = np.log(target)
    open_ = (resolved.allowed.any(axis=2).reshape((n_t, n_b, nm))
             & np.isfinite(log_spend0)[None] & (first.value.sum(axis=2) > 0.0)[None])
    held = sourced[:, None, :] & open_ & np.isfinite(log_target)
    held[0] = False  # the baseline quarter is solved as the plan gives it
    held_shift = log_spend0[None] + np.where(held, log_target, 0.0)
    elasticity = np.where(held, 1.0, eta)
    ends = {int(np.flatnonzero(sourced[:, m])[-1]) + 1 for m in range(nm)
            if sourced[:, m].any() and not sourced[:, m].all()}
    bounds = [0, *sorted(e for e in ends if 0 < e < n_t), n_t]
    into = runs.buffers() if len(bounds) > 2 else None  # the spans write their results into one set of arrays
    for a, b in itertools.pairwise(bounds):
        log_d = _outlook(log_d, target, sourced)  # shifts after a market's sources, from the last one found
        path = runs.run(np.exp(np.where(held, held_shift, log_d)), rationing=False, demand_elasticity=elasticity,
                        quarters=None if (a, b) == (0, n_t) else (a, b), into=into)
        with np.errstate(divide="ignore", invalid="ignore"):
            found = held_shift[a:b] - (1.0 - eta[a:b]) * np.log(path.composite_price)
        log_d[a:b] = np.where(held[a:b], found, log_d[a:b])
    return (path if into is None else runs.path_of(into)), np.exp(log_d)


#: Buyers substitute more as time passes (research note market-models.md, 4.3), where a case asks for it: a case
#: that states a `sigma_long_run_ratio` parameter (the catalogue has one: `{from: sigma_long_run_ratio}`) reads
#: each market's `sigma` as the short-run elasticity; from the first quarter any of its rules holds (or cuts an
#: input) the elasticity rises towards that ratio times itself, closing 90% of the gap in
#: `sigma_adjustment_months` (15 unless stated; the catalogue's `adjustment_months`). As a default for every
#: case it was tried and did no better on episodes it had not seen (docs/backtest.md), so the model's default
#: keeps each elasticity fixed.
LONG_RUN_RATIO = "sigma_long_run_ratio"
ADJUSTMENT_MONTHS = "sigma_adjustment_months"


def sigma_path(sigma: FloatArray, governed: Governed, n_t: int, draws: Draws) -> FloatArray:
    """Each market's substitution elasticity by quarter, ``(T, B, markets)``, from its short-run value `sigma`
    ``(B, markets)``: fixed unless the case states `sigma_long_run_ratio`; then unchanged before the first quarter
    a rule acts (`first_acting_quarter`) and ``sigma (1 + (ratio - 1)(1 - 10^(-elapsed / adjustment)))`` after,
    with `elapsed` the quarters since the middle of that quarter (rules switch at mid-quarter) and `adjustment`
    the quarters to close 90% of the gap (`sigma_adjustment_months` / 3; 15 months unless stated)."""
    first = first_acting_quarter(governed) if LONG_RUN_RATIO in draws else None
    if first is None:
        return np.broadcast_to(sigma, (n_t, *sigma.shape))
    size = sigma.shape[0]
    ratio = value_of(LONG_RUN_RATIO, draws, size)
    quarters = value_of(ADJUSTMENT_MONTHS if ADJUSTMENT_MONTHS in draws else None, draws, size, 15.0) / 3.0
    elapsed = np.clip(np.arange(n_t, dtype=np.float64) - first + 0.5, 0.0, None)
    rise = 1.0 - 10.0 ** (-elapsed[:, None] / quarters[None, :])  # (T, B)
    return np.asarray(sigma[None, :, :] * (1.0 + (ratio - 1.0)[None, :, None] * rise[:, :, None]))


def first_acting_quarter(governed: Governed) -> int | None:
    """The first quarter in which any rule entry of the case holds on a pair or cuts a seller's input."""
    first = [int(np.argmax(h.any(axis=(1, 2, 3)))) for h in governed.holds if h.any()]
    first += [c for c in governed.cut_start if c is not None]
    return min(first) if first else None


#: The parameter of the grey channel: the share of what buyers would take from a seller a ban cuts off that
#: still reaches them through stock, third parties and smuggling. A case that states a `grey_share` parameter
#: draws it; the model's default has no grey channel (it was tried as a default and did worse on episodes it
#: had not seen: docs/backtest.md).
GREY = "grey_share"


def _offerings(case: LinkedCase, governed: Governed, quality: FloatArray, draws: Draws, size: int) -> tuple[
        npt.NDArray[np.bool_], FloatArray, list[Licence], list[Rush]]:
    """What each seller sells in each market and quarter: its first offering no ban in force bars. Returns the
    bans (no offering left), the fees in force, and the licences on the offerings sold; scales `quality` in
    place by the offering's quality."""
    n_t, nm, nf = len(case.quarters), len(case.markets), len(case.sellers)
    n_o = max(len(x.choices) for x in case.sellers)
    barred = np.zeros((n_t, nm, nf, n_o), dtype=bool)
    licensed = np.full((n_t, nm, nf, n_o), -1)  # the rule entry licensing the offering, -1: none
    for k, entry in enumerate(governed.entries):
        if entry.effect == "ban":
            barred |= governed.holds[k]
        else:
            licensed = np.where(governed.holds[k] & (licensed < 0), k, licensed)
    for f, seller in enumerate(case.sellers):
        barred[:, :, f, len(seller.choices):] = True  # padding: no such offering
    if governed.unavailable is not None:
        barred |= governed.unavailable[:, None, :, :]  # a permission it needs is not in force
    chosen = np.argmax(~barred, axis=3)  # (T, m, f): the first offering not barred
    banned: npt.NDArray[np.bool_] = np.asarray(barred.all(axis=3))
    wedge = np.zeros((n_t, nm, nf))
    licences: list[Licence] = []
    shared = case.timing == DAYS and bool(governed.shares)
    if shared:
        open_days = _open_days(case, governed, n_o)
        # a pair barred on some days of a quarter only is not barred in it: licensed its open days' share
        partly = (open_days > 0.0) & (open_days < 1.0)
        banned &= ~partly
        for t, m, f in zip(*np.nonzero(partly), strict=True):
            pair = np.zeros((nm, nf), dtype=bool)
            pair[m, f] = True
            licences.append(Licence(pair, int(t), int(t) + 1, np.full(size, open_days[t, m, f]), np.zeros(size)))
    lag = value_of(LICENCE_LAG, draws, size) if LICENCE_LAG in draws else None  # days, per draw
    # a seller a ban cuts off is still bought in part, through stock, third parties and smuggling: a share of
    # what buyers would take (the grey share) reaches them, its first offering as it was, and nothing else
    # (a licence on the barred offering does not apply: the grey share replaces it)
    grey_pairs = np.zeros((n_t, nm, nf), dtype=bool)
    if GREY in draws:
        for k, entry in enumerate(governed.entries):
            if entry.effect == "ban" and governed.leaky[k]:
                grey_pairs |= governed.holds[k].any(axis=3)
        grey_pairs &= banned
    for f, seller in enumerate(case.sellers):
        for o, offer in enumerate(seller.choices):
            sold = (chosen[:, :, f] == o) & (~banned[:, :, f] | grey_pairs[:, :, f])  # (T, m)
            if not sold.any():
                continue
            q = value_of(offer.quality, draws, size, 1.0)
            quality[:, :, :, f] = np.where(sold[:, None, :], quality[:, :, :, f] * q[None, :, None],
                                           quality[:, :, :, f])
            wedge[:, :, f] = np.where(sold, offer.wedge, wedge[:, :, f])
            licensed_sold = sold & ~banned[:, :, f]
            for m in range(nm):
                for k in sorted(set(licensed[:, m, f, o][licensed_sold[:, m]].tolist()) - {-1}):
                    entry = governed.entries[k]
                    begin = governed.licence_from[k] if lag is not None and governed.licence_from else None
                    for start, end in _runs(licensed_sold[:, m] & (licensed[:, m, f, o] == k)):
                        pair = np.zeros((nm, nf), dtype=bool)
                        pair[m, f] = True
                        approval = value_of(entry.approval, draws, size, 1.0)
                        delay = value_of(entry.delay, draws, size)
                        if begin is not None and lag is not None:
                            licences.extend(_waiting(case.quarters, pair, start, end, approval, delay, begin, lag,
                                                     shared))
                        elif shared:
                            licences.extend(_by_days(pair, start, end, approval, delay,
                                                     governed.shares[k][:, m, f, o]))
                        else:
                            licences.append(Licence(pair, start, end, approval, delay))
    if shared:
        licences.extend(_licensed_late(case, governed, licensed, chosen, banned, draws, size))
    if grey_pairs.any():
        grey = value_of(GREY, draws, size)
        for m in range(nm):
            for f in range(nf):
                for start, end in _runs(grey_pairs[:, m, f]):
                    pair = np.zeros((nm, nf), dtype=bool)
                    pair[m, f] = True
                    licences.append(Licence(pair, start, end, grey, np.zeros(size)))
        banned = banned & ~grey_pairs
    return banned, wedge, licences, []


#: Licences take time to issue, where a case asks for it: a case that states a `licence_lag_days` parameter (the
#: catalogue has one: `{from: licence_lag_days}`) has every rule entry that licenses pairs under a licence
#: requirement (`licence_requirement`, by the rule's own data) license nothing for that many days from the rule's
#: effective date; after them the entry's approval share applies as before. As a default for every case it is on
#: trial (docs/backtest.md, "Licences that take time to issue"), so the model's default issues licences at once.
LICENCE_LAG = "licence_lag_days"


def quarter_bounds(mid: date) -> tuple[date, date]:
    """The first day of a quarter (given by its middle, as `LinkedCase.quarters` has it) and of the next."""
    first = date(mid.year, mid.month - 1, 1)
    return first, date(first.year + (first.month + 3 > 12), (first.month + 2) % 12 + 1, 1)


def licensed_fraction(mid: date, begin: date, lag_days: FloatArray) -> FloatArray:
    """The share of a quarter's days (the quarter given by its middle) outside the wait for the first licences,
    the `lag_days` (per draw) from `begin`: 1 for a quarter the wait does not touch, 0 for one it covers."""
    first, after = quarter_bounds(mid)
    start, stop = float(first.toordinal()), float(after.toordinal())
    wait_end = begin.toordinal() + np.maximum(np.asarray(lag_days, dtype=np.float64), 0.0)
    overlap = np.clip(np.minimum(stop, wait_end) - max(start, float(begin.toordinal())), 0.0, stop - start)
    return np.asarray(1.0 - overlap / (stop - start))


def _waiting(quarters: Sequence[date], pair: npt.NDArray[np.bool_], start: int, end: int, approval: FloatArray,
             delay: FloatArray, begin: date, lag_days: FloatArray, by_days: bool = False) -> list[Licence]:
    """The licence on `pair` from quarter `start` to `end` (exclusive) when its first licences come `lag_days`
    (per draw) after `begin`: each quarter the wait touches licenses `approval` times the share of its days
    outside the wait (`licensed_fraction`), the quarters after it the whole `approval`; the delay wedge applies
    throughout, as without a wait. With quarters shared `by_days`, a quarter's days before `begin` are not under
    the rule: they license in full, and the delay wedge applies in the share of days after it."""
    out = []
    wait_end = begin.toordinal() + float(np.max(lag_days, initial=0.0))
    for t in range(start, end):
        first, after = quarter_bounds(quarters[t])
        if first.toordinal() >= wait_end:  # the wait is over for every draw
            out.append(Licence(pair, t, end, approval, delay))
            break
        outside = licensed_fraction(quarters[t], begin, lag_days)
        before = min(max((begin - first).days, 0), (after - first).days) / (after - first).days if by_days else 0.0
        out.append(Licence(pair, t, t + 1, before + approval * (outside - before), (1.0 - before) * delay))
    return out


#: `LinkedCase.timing`: a quarter is shared by the days a rule holds in it (the model's default since it was judged
#: on episodes written after it: docs/backtest.md, "Rules that take effect within a quarter"), or follows the
#: rule's state on its middle day (as before).
MID_QUARTER, DAYS = "mid-quarter", "days"


def _open_days(case: LinkedCase, governed: Governed, n_o: int) -> FloatArray:
    """``(quarters, markets, sellers)``: the share of each quarter's days on which a pair has an offering that
    no ban entry bars (1 where no ban touches it; padding offerings and offerings whose required rules are not
    in force on the quarter's middle day count as barred on every day)."""
    barred_days = np.zeros((len(case.quarters), len(case.markets), len(case.sellers), n_o))
    for k, entry in enumerate(governed.entries):
        if entry.effect == "ban":
            barred_days = np.maximum(barred_days, governed.shares[k])
    for f, seller in enumerate(case.sellers):
        barred_days[:, :, f, len(seller.choices):] = 1.0
    if governed.unavailable is not None:
        barred_days = np.maximum(barred_days, governed.unavailable[:, None, :, :])
    return np.asarray(1.0 - barred_days.min(axis=3))


def _by_days(pair: npt.NDArray[np.bool_], start: int, end: int, approval: FloatArray, delay: FloatArray,
             share: FloatArray) -> list[Licence]:
    """The licence on `pair` from quarter `start` to `end` (exclusive) with each quarter its rule holds on
    only some days of (`share` per quarter) licensing ``(1 - w) + w approval`` with a delay wedge ``w delay``
    (`w` its share): its other days keep the pair's earlier state."""
    out: list[Licence] = []
    t = start
    while t < end:
        w = float(share[t])
        if 0.0 < w < 1.0:
            out.append(Licence(pair, t, t + 1, (1.0 - w) + w * approval, w * delay))
            t += 1
            continue
        stop = t
        while stop < end and not 0.0 < float(share[stop]) < 1.0:
            stop += 1
        out.append(Licence(pair, t, stop, approval, delay))
        t = stop
    return out


def _licensed_late(case: LinkedCase, governed: Governed, licensed: npt.NDArray[np.int_],
                   chosen: npt.NDArray[np.int_], banned: npt.NDArray[np.bool_], draws: Draws,
                   size: int) -> list[Licence]:
    """Licences for the quarters a licensing entry holds on only after their middle day: the offering sold is
    not licensed on that day, so its share `w` of days under the entry licenses ``(1 - w) + w approval`` with a
    delay wedge ``w delay``, where no other entry licenses the offering sold."""
    out: list[Licence] = []
    nm, nf = len(case.markets), len(case.sellers)
    for k, entry in enumerate(governed.entries):
        if entry.effect == "ban":
            continue
        share = np.take_along_axis(governed.shares[k], chosen[..., None], axis=3)[..., 0]  # (T, m, f)
        mine = np.take_along_axis(licensed, chosen[..., None], axis=3)[..., 0]
        late = (share > 0.0) & (share < 1.0) & (mine < 0) & ~banned
        if not late.any():
            continue
        approval = value_of(entry.approval, draws, size, 1.0)
        delay = value_of(entry.delay, draws, size)
        for t, m, f in zip(*np.nonzero(late), strict=True):
            pair = np.zeros((nm, nf), dtype=bool)
            pair[m, f] = True
            w = float(share[t, m, f])
            out.append(Licence(pair, int(t), int(t) + 1, (1.0 - w) + w * approval, w * delay))
    return out


def _year_date(year: float) -> date:
    whole = int(year)
    return date.fromordinal(date(whole, 1, 1).toordinal() + int((year - whole) * 365.25))


# -- outputs --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    """One output per quarter and draw: ``numerator / denominator`` summed over a period (``sum``: the
    numerator's sum; ``mean``: its average over the period's quarters), times ``scale``."""

    numerator: FloatArray  # (T, B)
    denominator: FloatArray | None
    how: str  # "sum" | "ratio" | "mean"
    unit: str
    scale: float = 1.0
    firm: str | None = None  # read by this firm's fiscal years when it has them


def counted(case: LinkedCase) -> bool:
    """Whether the case's values are counts of items (phones, tonnes of a metal) rather than money: then
    prices are indices, and market sizes, shares and receipts are counted in items."""
    return not UNITS[case.value_unit].dimension.startswith("currency")


def series(case: LinkedCase, path: LinkedPath) -> dict[str, Series]:
    """Every named output of a run, per quarter."""
    out: dict[str, Series] = {}
    vu = case.value_unit
    # in a case whose values are counts of items, what buyers buy and sellers sell is counted in items: market
    # sizes, shares, receipts and localization are of units, as the trackers count them (prices are indices)
    amount = path.quantity if counted(case) else path.value
    receipts = path.quantity if counted(case) else path.revenue
    rationed = not np.isnan(path.rationed).any()  # worked out in this run (`run(..., rationing=True)`)
    # sums several outputs share are taken once (the same array object, which `outputs` sums over periods once)
    for m, market in enumerate(case.markets):
        value = amount[:, :, m, :]
        market_value = value.sum(axis=2)
        out[f"value@{market.id}"] = Series(market_value, None, "sum", vu)
        out[f"price@{market.id}"] = Series(path.composite_price[:, :, m], None, "mean", "index")
        out[f"unmet@{market.id}"] = Series(path.unmet[:, :, m], None, "sum", vu)
        for f, seller in enumerate(case.sellers):
            if market.shares.get(seller.id) is None:
                continue
            out[f"share:{seller.id}@{market.id}"] = Series(value[:, :, f], market_value, "ratio", "pct", 100.0)
            out[f"quantity:{seller.id}@{market.id}"] = Series(path.quantity[:, :, m, f], None, "sum",
                                                             (seller.price_unit and "units") or vu)
            first = path.quantity[:1, :, m, f]
            out[f"volume_index:{seller.id}@{market.id}"] = Series(
                path.quantity[:, :, m, f], np.broadcast_to(first, path.quantity[:, :, m, f].shape), "ratio", "index")
            out[f"price:{seller.id}@{market.id}"] = Series(path.value[:, :, m, f], path.quantity[:, :, m, f],
                                                           "ratio", seller.price_unit or "index")
    products = sorted({m.product for m in case.markets})
    for product in products:
        cols = [m for m, x in enumerate(case.markets) if x.product == product]
        value = amount[:, :, cols]
        by_seller = value.sum(axis=2)  # (T, B, f)
        total = by_seller.sum(axis=2)
        regions = sorted({case.markets[m].region for m in cols})
        in_region = {}
        for region in regions:
            rows = [i for i, m in enumerate(cols) if case.markets[m].region == region]
            part = value[:, :, rows].sum(axis=2)
            in_region[region] = (part, part.sum(axis=2))
        for f, seller in enumerate(case.sellers):
            if seller.product != product:
                continue
            out[f"share:{seller.id}"] = Series(by_seller[:, :, f], total, "ratio", "pct", 100.0)
            for region in regions:
                part, part_total = in_region[region]
                out[f"share:{seller.id}@{region}"] = Series(part[:, :, f], part_total, "ratio", "pct", 100.0)
    for f, seller in enumerate(case.sellers):
        out[f"seller_price:{seller.id}"] = Series(path.seller_price[:, :, f], None, "mean",
                                                  seller.price_unit or "index")
        out[f"capacity_rent:{seller.id}"] = Series(path.capacity_rent[:, :, f], None, "mean",
                                                   seller.price_unit or "index")
        if rationed:
            out[f"rationed:{seller.id}"] = Series(path.rationed[:, :, f], None, "sum",
                                                  (seller.price_unit and "units") or vu)
    owners = sorted({s.owner for s in case.sellers})
    regions = sorted({m.region for m in case.markets})
    revenue = receipts.sum(axis=2)  # (T, B, f)
    revenue_in = {region: receipts[:, :, [m for m, x in enumerate(case.markets) if x.region == region]].sum(axis=2)
                  for region in regions}
    for owner in owners:
        cols = [f for f, s in enumerate(case.sellers) if s.owner == owner]
        total = revenue[:, :, cols].sum(axis=2)
        out[f"revenue:{owner}"] = Series(total, None, "sum", vu, firm=owner)
        for region in regions:
            part = revenue_in[region][:, :, cols].sum(axis=2)
            out[f"revenue:{owner}@{region}"] = Series(part, None, "sum", vu, firm=owner)
            out[f"revenue_share:{owner}@{region}"] = Series(part, total, "ratio", "pct", 100.0, firm=owner)
    for region in regions:
        rows = [m for m, x in enumerate(case.markets) if x.region == region]
        dom = [f for f, s in enumerate(case.sellers) if s.domestic(region)]
        if dom:
            value = amount[:, :, rows]
            out[f"localization@{region}"] = Series(value[:, :, :, dom].sum(axis=(2, 3)), value.sum(axis=(2, 3)),
                                                    "ratio", "pct", 100.0)
    return out


def period_labels(case: LinkedCase, firm: str | None = None) -> dict[str, list[int]]:
    """Quarter indices of every period: quarters (2023Q1), whole calendar years (2023), the whole calendar
    half-years (2023H1) the case's observations or outcomes name and, for a firm with a fiscal year end, its whole
    fiscal years (FY2023, ending in that month of 2023)."""
    quarters = case.quarters
    out: dict[str, list[int]] = {}
    named = {o.period for o in case.observations} | {o.period for o in case.episode.outcomes} \
        if case.episode is not None else {o.period for o in case.observations}
    halves: dict[str, list[int]] = {}
    for t, d in enumerate(quarters):
        out[f"{d.year}Q{(d.month - 1) // 3 + 1}"] = [t]
        half = f"{d.year}H{1 if d.month <= 6 else 2}"
        if half in named:
            halves.setdefault(half, []).append(t)
    out |= {k: v for k, v in halves.items() if len(v) == 2}
    years: dict[str, list[int]] = {}
    for t, d in enumerate(quarters):
        years.setdefault(str(d.year), []).append(t)
    end = case.fiscal_year_end.get(firm or "")
    if end:
        for t, d in enumerate(quarters):
            quarter_end_month = d.month + 1
            fy = d.year + (1 if quarter_end_month > end else 0)
            years.setdefault(f"FY{fy}", []).append(t)
    out |= {k: v for k, v in years.items() if len(v) == 4}
    return out


def aggregate(s: Series, members: FloatArray,
              sums: dict[tuple[int, int], FloatArray] | None = None) -> FloatArray:
    """The series over periods, ``(periods, draws)``; `members` ``(periods, quarters)`` is 1 where a quarter
    belongs to a period. ``sums`` keeps the period sums of arrays (by identity, with the calendar) for the
    other series of one run that share them (a market's total as the denominator of every seller's share);
    its arrays must outlive it."""

    def summed(values: FloatArray) -> FloatArray:
        if sums is None:
            return np.asarray(members @ values)
        key = (id(values), id(members))
        if key not in sums:
            sums[key] = np.asarray(members @ values)
        return sums[key]

    num = s.numerator
    with np.errstate(invalid="ignore", divide="ignore"):
        if s.how == "sum":
            return np.asarray(s.scale * summed(num))
        if s.how == "mean":  # over the quarters with a value (a price is NaN where nothing is sold)
            finite = np.isfinite(num)
            count = members @ finite.astype(np.float64)
            total = members @ np.where(finite, num, 0.0)
            return np.asarray(np.where(count > 0, s.scale * total / np.maximum(count, 1.0), np.nan))
        assert s.denominator is not None
        den = summed(s.denominator)
        return np.asarray(np.where(den > 0, s.scale * summed(num) / np.where(den > 0, den, 1.0), np.nan))


def outputs(case: LinkedCase, path: LinkedPath,
            wanted: Callable[[str], bool] | None = None) -> dict[str, tuple[tuple[str, ...], FloatArray, str]]:
    """Every output by period: name -> (period labels, periods x draws, unit)."""
    result = {}
    calendars: dict[str | None, tuple[tuple[str, ...], FloatArray]] = {}
    n_t = len(case.quarters)
    every = series(case, path)  # alive while ``sums`` keys its arrays by identity
    sums: dict[tuple[int, int], FloatArray] = {}
    for name, s in every.items():
        if wanted is not None and not wanted(name):
            continue
        if s.firm not in calendars:
            labels = period_labels(case, s.firm)
            members = np.zeros((len(labels), n_t))
            for i, idx in enumerate(labels.values()):
                members[i, idx] = 1.0
            calendars[s.firm] = (tuple(labels), members)
        periods, members = calendars[s.firm]
        result[name] = (periods, aggregate(s, members, sums), s.unit)
    return result


def money(value: float, unit: str | None, target: str) -> float:
    """`value` in `unit` expressed in `target` (both money units of the vocabulary)."""
    if unit is None or unit == target:
        return value
    return value * UNITS[unit].factor / UNITS[target].factor


def observed(case: LinkedCase, out: Mapping[str, tuple[tuple[str, ...], FloatArray, str]],
             fit_only: bool) -> tuple[list[Observation], FloatArray, FloatArray]:
    """Observations the run can be compared with, the model's values (obs x draws) and the observed ones."""
    rows, model, seen = [], [], []
    for obs in case.observations:
        if fit_only and not obs.fit:
            continue
        got = out.get(obs.output)
        if got is None or obs.period not in got[0]:
            continue
        rows.append(obs)
        model.append(got[1][got[0].index(obs.period)])
        seen.append(obs.value)
    return rows, np.array(model), np.array(seen)
