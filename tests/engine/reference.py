"""A plain, loop-by-loop reference for availability, written from the semantics in docs/engine.md.

It decides reach from the rules themselves (dates, destinations, products, sellers, policies, relaxations)
with three-valued logic spelled out, and shares nothing with the engine's compiled arrays: only the
world's indexes (input ancestry, attributes, provider headquarters, region members) are read.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from datetime import date

from chipshift.domain.rules import Rule, RuleKind
from chipshift.engine.world import View, World

NO, MAYBE, YES = 0, 1, 2  # ordered, so that 'and' is min and 'or' is max (Kleene logic)
EXPORT_SIDE = {RuleKind.EXPORT_CONTROL, RuleKind.LICENSE_REQUIREMENT, RuleKind.ENTITY_LISTING,
               RuleKind.RAW_MATERIAL_EXPORT_CONTROL}
BUYER_SIDE = {RuleKind.IMPORT_BAN, RuleKind.PROCUREMENT_BAN}
AGGREGATES = {"XVC", "EUR"}


def _days(text: str) -> list[date]:
    """Every day a date written to the year, month or day can mean."""
    parts = [int(p) for p in text.split("-")]
    months = [parts[1]] if len(parts) > 1 else list(range(1, 13))
    out = []
    for month in months:
        days = [parts[2]] if len(parts) > 2 else list(range(1, 32))
        for day in days:
            with contextlib.suppress(ValueError):
                out.append(date(parts[0], month, day))
    return out


def in_force(rule: Rule, at: date) -> int:
    """YES when every day the start and end can mean puts ``at`` inside [start, end), NO when none does,
    MAYBE otherwise (a start or end known only to the month or year whose window holds ``at``)."""
    start = rule.effective or rule.announced
    if start is None:
        return NO
    starts = _days(start)
    ends = _days(rule.ended) if rule.ended else [date.max]
    verdicts = {s <= at < e for s in starts for e in ends}
    return YES if verdicts == {True} else NO if verdicts == {False} else MAYBE


def destination_reach(w: World, rule: Rule, country: str, segment: str | None = None) -> int:
    buyers = set(w.members(country))
    if rule.kind in EXPORT_SIDE and rule.imposed_by in w.countries and buyers <= set(w.members(rule.imposed_by)):
        return NO  # export controls leave home buyers alone
    t = rule.targets
    if t.segments and segment not in t.segments:
        # limited to some end uses: a query on the whole market is reached only in part
        if segment not in (None, "all"):
            return NO
        whole_market = Rule(**{**rule.__dict__, "targets": type(t)(t.countries, t.firms)})
        return min(MAYBE, destination_reach(w, whole_market, country))
    if rule.kind is RuleKind.ENTITY_LISTING or (t.firms and not t.countries):
        held = any(f in w.provider_index and w.provider_hq[w.provider_index[f]] in buyers for f in t.firms)
        return MAYBE if held else NO  # a listing reaches named parties: a country only in part
    if not t.countries or "WLD" in t.countries:
        return YES
    covered = {m for c in t.countries for m in w.members(c)}
    if buyers <= covered:
        return YES
    return MAYBE if buyers & covered else NO


def product_reach(w: World, rule: Rule, i: int) -> int:
    if rule.kind is RuleKind.RELAXATION and not rule.products:
        return YES  # a relaxation without products frees whatever the relaxed rule covers
    best = NO
    for selector in rule.products:
        if selector.input != "*" and selector.input not in w.ancestors[i]:
            continue
        verdict = YES
        for predicate in selector.where:
            if predicate.attribute not in w.input_attributes[i]:
                verdict = min(verdict, MAYBE)
            elif not predicate.holds(w.input_attributes[i][predicate.attribute]):
                verdict = NO
        best = max(best, verdict)
    return best


def supply_reach(w: World, rule: Rule, i: int, parents: Mapping[str, str]) -> int:
    """A rule that binds named firms alone (their products banned, their own exit) reaches only what they supply:
    YES for an input one of them (or a firm it owns) has a firm row for, or a category holding such an input;
    MAYBE for a kind of such an input; NO for any other input, unless the rule's products name it. Any other
    rule: YES (its products alone decide)."""
    s = rule.sellers
    if rule.kind is RuleKind.RELAXATION or s.hq_in or s.fdp:
        return YES
    firms = set(s.firms)
    if not firms:
        if rule.kind in BUYER_SIDE or rule.imposed_by in w.countries:
            return YES
        firms = {rule.imposed_by}
    name = w.inputs[i]
    if any(selector.input == name for selector in rule.products):
        return YES
    view = w.by_firm
    held = {w.inputs[int(view.pair_input[k])] for k in range(view.n_pairs)
            if w.providers[int(view.pair_provider[k])] in firms
            or parents.get(w.providers[int(view.pair_provider[k])]) in firms}
    if any(name in w.ancestors[w.index[h]] for h in held):
        return YES
    return MAYBE if any(h in w.ancestors[i] for h in held) else NO


def seller_reach(w: World, rule: Rule, p: int, dest_country: str, parents: Mapping[str, str]) -> int:
    s = rule.sellers
    if rule.kind is RuleKind.RELAXATION and not (s.firms or s.hq_in or s.fdp):
        return YES  # a relaxation without sellers frees every seller the relaxed rule binds
    firms, home = set(s.firms), {m for c in s.hq_in for m in w.members(c)}
    foreign_sellers = False
    if not firms and not home:
        if rule.kind in BUYER_SIDE:
            foreign_sellers = True
        elif rule.imposed_by in w.countries:
            home = set(w.members(rule.imposed_by))
        else:
            firms = {rule.imposed_by}
    pid, hq = w.providers[p], w.provider_hq[p]
    verdict = NO
    if w.provider_kinds[p] == "firm":
        named = pid in firms or parents.get(pid) in firms  # a subsidiary is bound with its parent
        if named or hq in home or (foreign_sellers and hq != rule.imposed_by and hq not in AGGREGATES):
            verdict = YES
        elif hq in AGGREGATES and (home or foreign_sellers):
            verdict = MAYBE  # headquarters unknown
    else:
        members = set(w.members(pid))
        firm_homes = {w.provider_hq[w.provider_index[f]] for f in firms if f in w.provider_index}
        if members <= home or (foreign_sellers and rule.imposed_by not in members and pid != "XVC"):
            verdict = YES
        elif members & home or members & firm_homes or (pid == "XVC" and (home or foreign_sellers)):
            verdict = MAYBE  # a country row mixes bound and unbound firms
    if verdict == NO and s.fdp and hq not in set(w.members(dest_country)):
        verdict = MAYBE
    return verdict


def policy_strength(rule: Rule) -> int:
    if rule.kind is RuleKind.RELAXATION or rule.policy in ("fee", "lifted"):
        return NO
    if rule.policy in ("case_by_case", "licence_required"):
        return MAYBE
    if rule.policy is None and rule.kind in (RuleKind.EXPORT_CONTROL, RuleKind.LICENSE_REQUIREMENT,
                                             RuleKind.RAW_MATERIAL_EXPORT_CONTROL):
        return MAYBE
    return YES


def bar_level(w: World, rules: Sequence[Rule], i: int, p: int, country: str, at: date,
              parents: Mapping[str, str], segment: str | None = None) -> int:
    """How firmly the rules in force bar provider p's supply of input i to the destination: NO, MAYBE, YES."""
    worst = NO
    for rule in rules:
        if rule.kind is RuleKind.RELAXATION or not in_force(rule, at):
            continue
        if destination_reach(w, rule, country, segment) != YES:
            continue  # a rule reaching only part of the destination is left out of its availability
        reached = min(product_reach(w, rule, i), supply_reach(w, rule, i, parents))
        level = min(reached, seller_reach(w, rule, p, country, parents), policy_strength(rule), in_force(rule, at))
        for x in rules:
            if x.kind is not RuleKind.RELAXATION or rule.id not in x.relaxes or not in_force(x, at):
                continue
            # a part of the relaxation's scope written exactly as the rule's reaches wherever the rule's does
            lift = min(
                in_force(x, at),
                YES if x.targets == rule.targets else destination_reach(w, x, country, segment),
                YES if x.products == rule.products and reached else product_reach(w, x, i),
                YES if x.sellers == rule.sellers and seller_reach(w, rule, p, country, parents)
                else seller_reach(w, x, p, country, parents))
            left = MAYBE if x.policy in ("licence_required", "case_by_case") else NO
            if lift == YES:
                level = min(level, left)
            elif lift == MAYBE and level > left:
                level = MAYBE  # relaxed or not: either could be
        worst = max(worst, level)
    return worst


def reference(w: World, view: View, rules: Sequence[Rule], country: str, at: date,
              parents: Mapping[str, str] | None = None, segment: str | None = None) -> list[tuple[float, float, float]]:
    """Availability bounds (lower, upper, point) per input for buyers in `country` (one end-use `segment`, or
    the whole market), by plain loops over pairs and rules."""
    out = []
    for i in range(w.n_inputs):
        pairs = list(view.pairs_of(i))
        if not pairs:
            out.append((math.nan, math.nan, math.nan))
            continue
        status = {}
        for j in pairs:
            level = bar_level(w, rules, i, int(view.pair_provider[j]), country, at, parents or {}, segment)
            status[j] = {NO: "allowed", MAYBE: "maybe", YES: "barred"}[level]
        shares = {j: float(view.pair_share[j]) for j in pairs}
        known = {j: s for j, s in shares.items() if not math.isnan(s)}
        unknown = [j for j in pairs if j not in known]
        total = sum(known.values())
        allowed = sum(s for j, s in known.items() if status[j] == "allowed")
        maybe = sum(s for j, s in known.items() if status[j] == "maybe")
        if not unknown and total == 0:
            out.append((math.nan, math.nan, math.nan))  # no quantified supply
            continue
        if not unknown:
            scale = total
            lo, hi = allowed / scale, (allowed + maybe) / scale
            out.append((min(lo, 1), min(hi, 1), min(lo, 1)))
            continue
        scale = max(total, 1.0)
        rest = min(max(1.0 - total, 0.0), 1.0)
        states = {status[j] for j in unknown}
        lo = allowed / scale + (rest if states == {"allowed"} else 0.0)
        hi = (allowed + maybe) / scale + (rest if states & {"allowed", "maybe"} else 0.0)
        out.append((min(lo, 1), min(hi, 1), math.nan))
    return out
