"""Run a market case quarter by quarter, batched over parameter draws.

Each quarter and segment solves the exact CES equilibrium (``chipshift.market``) for all draws at once:
sources that rules bar in that quarter leave the choice set, each source sells its best offering that
no rule in force bars, ramping sources are held to their capacity path, and buyers' shares move toward
the new equilibrium at the qualification-lag speed (bans and binding capacity act at once). Quarters
roll up into calendar years or a firm's fiscal years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import numpy as np
import numpy.typing as npt

from chipshift.domain.period import Period, parse_partial_date, partial_date_last
from chipshift.domain.rules import Rule, RuleKind
from chipshift.engine.reach import YES, Destination, in_force, relaxation_lifts
from chipshift.engine.world import World
from chipshift.market.dynamics import adjust_shares, logistic_capacity, wright_cost
from chipshift.market.equilibrium import solve_market
from chipshift.market.errors import MarketInputError
from chipshift.market.model import Market, Shocks
from chipshift.scenarios import market_case
from chipshift.scenarios.market_case import MarketCase

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Draws = dict[str, FloatArray]

#: Parameters every case has (``schemas.market_case.REQUIRED_PARAMETERS``), by the role the runner gives them.
SIGMA, DEMAND_ELASTICITY, ADJUSTMENT = "sigma", "demand_elasticity", "adjustment_months"


def quarter_dates(case: MarketCase) -> list[date]:
    """Mid-quarter dates from the first quarter of start_year to the last of end_year."""
    return market_case.quarter_dates(case.start_year, case.end_year)


@dataclass
class RuleContext:
    """The rules a case runs under, with the supply world their reach is decided over.

    Whether a relaxation lifts a ban for one item, seller, region and segment is decided by the restriction
    engine's reach functions, so the market runner and the engine agree on what a relaxation covers. Rule
    states depend only on the dates, so each is worked out once and kept for every later run of the case."""

    rules: Sequence[Rule]
    world: World
    firm_parents: dict[str, str] = field(default_factory=dict)
    _by_id: dict[str, Rule] = field(init=False, repr=False)
    _relaxed_by: dict[str, list[Rule]] = field(init=False, repr=False)
    _states: dict[tuple[object, ...], BoolArray] = field(default_factory=dict, init=False, repr=False)
    _shares: dict[tuple[object, ...], FloatArray] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {r.id: r for r in self.rules}
        self._relaxed_by = {}
        for x in self.rules:
            if x.kind is RuleKind.RELAXATION:
                for target in x.relaxes:
                    self._relaxed_by.setdefault(target, []).append(x)

    def holds(self, rule_id: str, item: str, seller: str, dest: Destination, when: Sequence[date]) -> BoolArray:
        """Per date: the rule is in force by its own dates and no relaxation in force lifts it for this
        item, seller and destination (a relaxation scoped to other products, sellers or segments does not;
        one that reaches them only as 'maybe' does not lift either)."""
        key = ("holds", rule_id, item, seller, dest, tuple(when))
        if key not in self._states:
            rule = self._by_id[rule_id]
            lifting = [x for x in self._relaxed_by.get(rule_id, [])
                       if relaxation_lifts(x, rule, self.world, item, seller, dest, self.firm_parents) == YES]
            self._states[key] = _frozen([in_force(rule, d) and not any(in_force(x, d) for x in lifting)
                                         for d in when])
        return self._states[key]

    def share_holding(self, rule_id: str, item: str, seller: str, dest: Destination,
                      spans: Sequence[tuple[date, date]]) -> FloatArray:
        """Per span (its first day, and the first day after it): the share of its days on which `holds` would
        say the rule holds for this item, seller and destination. A span in which neither the rule's dates nor
        those of a relaxation that lifts it change anything has 0 or 1; one in which they do, the share of its
        days."""
        key = ("share", rule_id, item, seller, dest, tuple(spans))
        if key not in self._shares:
            rule = self._by_id[rule_id]
            lifting = [x for x in self._relaxed_by.get(rule_id, [])
                       if relaxation_lifts(x, rule, self.world, item, seller, dest, self.firm_parents) == YES]

            def holding(day: date) -> bool:
                return in_force(rule, day) and not any(in_force(x, day) for x in lifting)

            changes = sorted({d for r in (rule, *lifting) for d in _changes(r)})
            shares = []
            for first, after in spans:
                if any(first < d < after for d in changes):
                    days = [date.fromordinal(n) for n in range(first.toordinal(), after.toordinal())]
                    shares.append(sum(map(holding, days)) / len(days))
                else:
                    shares.append(1.0 if holding(first) else 0.0)
            out = np.array(shares, dtype=np.float64)
            out.setflags(write=False)
            self._shares[key] = out
        return self._shares[key]

    def rule(self, rule_id: str) -> Rule:
        """The rule of that id."""
        return self._by_id[rule_id]

    def has(self, rule_id: str) -> bool:
        """Whether the rule set has a rule of that id (a scenario may have removed it)."""
        return rule_id in self._by_id

    def in_force(self, rule_id: str, when: Sequence[date]) -> BoolArray:
        """Per date: the rule is in force by its own dates (for rules an offering requires)."""
        key = ("in_force", rule_id, tuple(when))
        if key not in self._states:
            self._states[key] = _frozen([in_force(self._by_id[rule_id], d) for d in when])
        return self._states[key]


def _changes(rule: Rule) -> list[date]:
    """The days on which `in_force` may change its answer for the rule: its first day, and the day after its
    last."""
    out = [parse_partial_date(rule.start)] if rule.start else []
    if rule.ended is not None:
        out.append(partial_date_last(rule.ended))
    return out


def _frozen(states: list[bool]) -> BoolArray:
    """A read-only array: kept states are shared between runs and must not be changed in place."""
    out = np.array(states, dtype=bool)
    out.setflags(write=False)
    return out


class HasParams(Protocol):
    """A case with parameters (a single-market or a linked case)."""

    @property
    def params(self) -> dict[str, market_case.Param]: ...


def default_draws(case: HasParams, size: int = 1) -> Draws:
    """`size` draws of every parameter at its default."""
    return {name: np.full(size, p.default) for name, p in case.params.items()}


def value_of(ref: str | float | None, draws: Draws, size: int, default: float = 0.0) -> FloatArray:
    """A parameter's draws (``ref`` a parameter id), a literal repeated, or ``default`` when there is none."""
    if ref is None:
        return np.full(size, default)
    if isinstance(ref, str):
        return np.broadcast_to(np.asarray(draws[ref], dtype=np.float64), (size,)).copy()
    return np.full(size, float(ref))


def _growth_index(case: MarketCase, quarters: Sequence[date], draws: Draws, size: int) -> FloatArray:
    """Demand index per quarter and draw (first quarter = 1): from the sourced market values where the
    case gives them (linear between them, flat beyond), else from a yearly growth rate."""
    if case.market_value:
        points = sorted((Period.parse(k).middle, v) for k, v in case.market_value.items())
        x = np.array([p[0].toordinal() for p in points], dtype=np.float64)
        y = np.array([p[1] for p in points])
        values = np.interp([d.toordinal() for d in quarters], x, y)
        return np.repeat((values / values[0])[:, None], size, axis=1)
    growth = 1.0 + value_of(case.market_growth, draws, size)
    return np.asarray(growth[None, :] ** (np.arange(len(quarters)) / 4.0)[:, None])


def _weights(case: MarketCase, draws: Draws, size: int) -> dict[str, FloatArray]:
    fixed = {g: value_of(w, draws, size) for g, w in case.segments.items() if w != "rest"}
    taken = sum(fixed.values(), np.zeros(size))
    out = dict(fixed)
    for g, w in case.segments.items():
        if w == "rest":
            out[g] = np.clip(1.0 - taken, 0.0, 1.0)
    total = sum(out.values(), np.zeros(size))
    return {g: w / np.where(total > 0, total, 1.0) for g, w in out.items()}


@dataclass(frozen=True)
class Quarterly:
    """Quarterly paths for every draw: market value and each source's value, in total and per segment."""

    case: MarketCase
    quarters: tuple[date, ...]
    value: FloatArray  # quarters x draws: market value (baseline quarter = 1)
    source_value: FloatArray  # quarters x draws x sources
    segment_source_value: dict[str, FloatArray]  # segment -> quarters x draws x sources
    growth: FloatArray  # quarters x draws: value index from market growth alone
    unmet: FloatArray  # quarters x draws: share of demand no allowed source may serve
    banned: dict[str, BoolArray]  # segment -> quarters x sources (as decided by the rules)


def simulate(case: MarketCase, rules: RuleContext, draws: Draws) -> Quarterly:
    """Solve every quarter and segment for all draws (arrays in ``draws`` have one value per draw)."""
    size = len(next(iter(draws.values())))
    quarters = quarter_dates(case)
    region = Destination(case.region)
    labels = case.labels
    n, n_q = len(labels), len(quarters)
    shares0 = np.array([s.share for s in case.sources], dtype=np.float64)
    shares0 = shares0 / shares0.sum()
    market = Market.from_shares(labels, shares0, total_value=1.0, sigma=case.params[SIGMA].default,
                                demand_elasticity=case.params[DEMAND_ELASTICITY].default)
    sigma, eta = value_of(SIGMA, draws, size), value_of(DEMAND_ELASTICITY, draws, size)
    speed = 1.0 - 0.1 ** (3.0 / value_of(ADJUSTMENT, draws, size))  # 90% of the gap closed within the lag
    weights = _weights(case, draws, size)
    t_years = np.arange(n_q) / 4.0
    growth_index = _growth_index(case, quarters, draws, size)
    capacity = np.full((n_q, size, n), np.inf)
    quality_trend = np.ones((n_q, size, n))
    cost = np.ones((n_q, size, n))
    year_of = case.start_year + t_years + 0.125  # mid-quarter, in years
    for k, source in enumerate(case.sources):
        if source.capacity_growth is not None:
            rate = value_of(source.capacity_growth, draws, size)
            capacity[:, :, k] = market.quantity[k] * (1.0 + rate[None, :]) ** t_years[:, None]
        if source.ramp is not None:
            ceiling = value_of(source.ramp.ceiling, draws, size)
            years_to_build = value_of(source.ramp.build_time, draws, size) / 365.25
            steep = np.log(81.0) / years_to_build  # 10% to 90% of the build-out within one build time
            capacity[:, :, k] = market.quantity[k] * logistic_capacity(
                year_of[:, None], ceiling=ceiling[None, :], rate=steep[None, :], midpoint=source.ramp.midpoint,
                floor=1.0)
        if source.learning_rate is not None:
            if not np.isfinite(capacity[:, :, k]).all():
                raise MarketInputError(f"source {source.id}: learning needs a capacity path (its output proxy)")
            # experience: a year of baseline output before the start, then the capacity path as output
            experience = 4.0 * market.quantity[k] + np.cumsum(capacity[:, :, k], axis=0) - capacity[:, :, k]
            cost[:, :, k] = wright_cost(experience, initial=experience[0],
                                        rate=value_of(source.learning_rate, draws, size)[None, :])
        if source.quality_growth is not None:
            rate = value_of(source.quality_growth, draws, size)
            quality_trend[:, :, k] = (1.0 + rate[None, :]) ** t_years[:, None]
    offered_quality = np.ones((n_q, size, n))
    wedge = np.zeros((n_q, n))
    no_offer = np.zeros((n_q, n), dtype=bool)
    barred_offer = {(k, j): np.zeros(n_q, dtype=bool) for k, s in enumerate(case.sources)
                    for j in range(len(s.offerings))}
    for k, source in enumerate(case.sources):
        for j, o in enumerate(source.offerings):
            for r in o.barred_by:
                barred_offer[k, j] |= rules.holds(r, o.item or case.product, source.id, region, quarters)
            for r in o.requires:
                barred_offer[k, j] |= ~rules.in_force(r, quarters)
    for t in range(n_q):
        for k, source in enumerate(case.sources):
            offering = next((o for j, o in enumerate(source.offerings) if not barred_offer[k, j][t]), None)
            if offering is None:
                no_offer[t, k] = True
            else:
                offered_quality[t, :, k] = value_of(offering.quality, draws, size)
                wedge[t, k] = offering.wedge
    segments = list(weights)
    n_g = len(segments)
    banned_seg = np.repeat(no_offer[None], n_g, axis=0)  # segments x quarters x sources
    for j, segment in enumerate(segments):
        for ban in case.bans:
            if segment in ban.segments:
                banned_seg[j, :, labels.index(ban.source)] |= rules.holds(
                    ban.rule, case.product, ban.source, Destination(case.region, segment=segment), quarters)
    w = np.stack([weights[g] for g in segments])  # segments x draws
    # The equilibrium each quarter does not depend on earlier quarters (only the lagged shares do), so
    # every (quarter, open segment, draw) is solved in one batch; the lag is applied afterwards in order.
    closed: BoolArray = np.asarray(banned_seg.all(axis=2))  # segments x quarters
    cells = [(t, j) for t in range(n_q) for j in range(n_g) if not closed[j, t]]
    t_idx = np.repeat(np.array([c[0] for c in cells], dtype=np.int64), size)
    g_idx = np.repeat(np.array([c[1] for c in cells], dtype=np.int64), size)
    d_idx = np.tile(np.arange(size), len(cells))
    share = np.broadcast_to(shares0, (n_g, size, n)).copy()
    seg = np.zeros((n_g, n_q, size, n))
    value = np.zeros((n_q, size))
    unmet = (w[:, None, :] * closed[:, :, None]).sum(axis=0)
    if cells:
        ban_rows = banned_seg[g_idx, t_idx]
        # With sigma <= 1 a barred source cannot leave the CES choice set (its reservation price is finite):
        # the ban becomes a quantity constraint, a capacity of zero, with its shadow price.
        inelastic = (sigma[d_idx] <= 1.0)[:, None] & ban_rows
        cap_rows = np.where(inelastic, 0.0, capacity[t_idx, d_idx])
        shocks = Shocks(banned=ban_rows & ~inelastic, quality=(offered_quality * quality_trend)[t_idx, d_idx],
                        cost=cost[t_idx, d_idx], wedge=wedge[t_idx], capacity=cap_rows,
                        sigma=sigma[d_idx], demand_elasticity=eta[d_idx],
                        demand_shift=growth_index[t_idx, d_idx], labels=labels)
        result = solve_market(market, shocks)
        target = result.share.reshape(len(cells), size, n)
        immediate = (result.at_capacity | ban_rows).reshape(len(cells), size, n)
        totals = np.asarray(result.value.sum(axis=1)).reshape(len(cells), size)
        for c, (t, j) in enumerate(cells):
            if t > 0 and closed[j, t - 1]:
                share[j] = 0.0
            share[j] = adjust_shares(share[j], target[c], speed, immediate[c])
            seg[j, t] = (w[j] * totals[c])[:, None] * share[j]
            value[t] += w[j] * totals[c]
    source_value = seg.sum(axis=0)
    seg_values = {g: seg[j] for j, g in enumerate(segments)}
    banned_by_segment = {g: banned_seg[j] for j, g in enumerate(segments)}
    return Quarterly(case, tuple(quarters), value, source_value, seg_values, growth_index, unmet, banned_by_segment)


@dataclass(frozen=True)
class Annual:
    """Yearly outputs per draw (calendar years, or fiscal years of the case's firm)."""

    years: tuple[int, ...]
    share: FloatArray  # years x draws x sources: value shares of the whole market
    segment_share: dict[str, FloatArray]
    retention: FloatArray  # years x draws x sources: value relative to baseline share of a market that only grew
    growth: FloatArray  # years x draws
    unmet: FloatArray  # years x draws


def annual(q: Quarterly, fiscal: bool = False) -> Annual:
    offset = q.case.fiscal_offset_months if fiscal else 0
    groups: dict[int, list[int]] = {}
    for t, d in enumerate(q.quarters):
        groups.setdefault(market_case.year_of(d, offset), []).append(t)
    years = sorted(y for y, idx in groups.items() if len(idx) == 4)
    shares0 = np.array([s.share for s in q.case.sources], dtype=np.float64)
    shares0 = shares0 / shares0.sum()
    out_share, out_ret, out_growth, out_unmet = [], [], [], []
    out_seg: dict[str, list[FloatArray]] = {g: [] for g in q.segment_source_value}
    for y in years:
        idx = groups[y]
        sv = q.source_value[idx].sum(axis=0)
        tv = sv.sum(axis=1, keepdims=True)
        out_share.append(sv / np.where(tv > 0, tv, 1.0))
        out_ret.append(sv / (q.growth[idx].sum(axis=0)[:, None] * shares0[None, :]))
        out_growth.append(q.growth[idx].mean(axis=0))
        out_unmet.append(q.unmet[idx].mean(axis=0))
        for g, seg in q.segment_source_value.items():
            v = seg[idx].sum(axis=0)
            tot = v.sum(axis=1, keepdims=True)
            out_seg[g].append(v / np.where(tot > 0, tot, 1.0))
    return Annual(tuple(years), np.array(out_share), {g: np.array(v) for g, v in out_seg.items()},
                  np.array(out_ret), np.array(out_growth), np.array(out_unmet))


def firm_revenue_share(case: MarketCase, fiscal_years: Annual) -> FloatArray | None:
    """The case firm's revenue share from the region (percent), fiscal years x draws.

    Revenue from the region follows the model: the firm's value in the market (growth included),
    relative to the base year in which its share was ``firm_share_base``. Revenue elsewhere is exogenous:
    the case's sourced ``other_revenue`` by year where given (growing with the region's market after its
    last year), else the market's own path, so that a common cycle cancels.
    """
    if case.firm is None or case.firm_share_base is None or case.firm_share_year not in fiscal_years.years:
        return None
    k = case.labels.index(case.firm)
    b = fiscal_years.years.index(case.firm_share_year)
    s0 = case.firm_share_base / 100.0
    value = fiscal_years.retention[:, :, k] * fiscal_years.growth
    region = s0 * value / value[b][None, :]
    if case.other_revenue:
        known = sorted(case.other_revenue)
        base = case.other_revenue.get(case.firm_share_year, case.other_revenue[known[0]])
        growth = fiscal_years.growth / fiscal_years.growth[b][None, :]
        index = np.empty_like(region)
        for i, y in enumerate(fiscal_years.years):
            before = [v for v in known if v <= y]
            last = before[-1] if before else known[0]
            index[i] = case.other_revenue[last] / base
            if y > known[-1] and known[-1] in fiscal_years.years:
                # beyond the sourced years, revenue elsewhere grows with the region's market
                index[i] = index[i] * growth[i] / growth[fiscal_years.years.index(known[-1])]
        other = (1.0 - s0) * index
    else:
        other = (1.0 - s0) * fiscal_years.growth / fiscal_years.growth[b][None, :]
    return np.asarray(100.0 * region / (region + other))


def outputs(q: Quarterly) -> dict[str, tuple[tuple[int, ...], FloatArray]]:
    """Every named output: (years, years x draws). Shares and localization in percent."""
    cal = annual(q)
    case = q.case
    out: dict[str, tuple[tuple[int, ...], FloatArray]] = {}
    domestic = np.array([s.domestic for s in case.sources])
    if domestic.any():
        out["localization"] = (cal.years, 100.0 * cal.share[:, :, domestic].sum(axis=-1))
    for k, label in enumerate(case.labels):
        out[f"share:{label}"] = (cal.years, 100.0 * cal.share[:, :, k])
        for g, seg in cal.segment_share.items():
            if len(cal.segment_share) > 1:
                out[f"share:{label}@{g}"] = (cal.years, 100.0 * seg[:, :, k])
    out["unmet"] = (cal.years, 100.0 * cal.unmet)
    if case.firm is not None:
        fiscal = annual(q, fiscal=True)
        share = firm_revenue_share(case, fiscal)
        if share is not None:
            out["revenue_share"] = (fiscal.years, share)
    for rev in case.revenues:
        k = case.labels.index(rev.source)
        years = cal.years
        if rev.base_year not in years:
            continue
        b = years.index(rev.base_year)
        value = cal.retention[:, :, k] * cal.growth
        out[f"revenue:{rev.label}"] = (years, rev.base * value / value[b][None, :])
    return out
