"""What each rule reaches: which rules are in force at a date, which inputs they cover, which providers
they bind, and which destinations they cut off — as arrays over a world's indexes.

Reach is three-valued: 0 no, 1 yes, 2 maybe (a threshold on an attribute the input lacks, a licence
reviewed case by case, a country row that mixes bound and unbound firms, a foreign-direct-product
reach). Maybe never becomes yes or no silently; availability turns it into bounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from chipshift.domain.ownership import holdings, stakes_of
from chipshift.domain.period import parse_partial_date, partial_date_last
from chipshift.domain.rules import EVERY_INPUT, Rule, RuleKind
from chipshift.engine.world import World

NO, YES, MAYBE = 0, 1, 2
UInt8Array = npt.NDArray[np.uint8]

#: How firmly a policy bars sales: ban-like policies bar, licence review may, fees and lifts do not.
POLICY_STRENGTH = {
    "ban": YES,
    "presumption_of_denial": YES,
    "case_by_case": MAYBE,
    "licence_required": MAYBE,
    "fee": NO,
    "lifted": NO,
    None: YES,
}
#: Kinds whose default policy, when none is given, is a licence requirement of unknown outcome.
LICENCE_KINDS = (RuleKind.EXPORT_CONTROL, RuleKind.LICENSE_REQUIREMENT, RuleKind.RAW_MATERIAL_EXPORT_CONTROL)
#: Kinds that restrict exports out of the imposing jurisdiction.
EXPORT_KINDS = (RuleKind.EXPORT_CONTROL, RuleKind.LICENSE_REQUIREMENT, RuleKind.ENTITY_LISTING,
                RuleKind.RAW_MATERIAL_EXPORT_CONTROL)
#: Kinds imposed by the buying jurisdiction on foreign sellers.
BUYER_SIDE_KINDS = (RuleKind.IMPORT_BAN, RuleKind.PROCUREMENT_BAN)


@dataclass(frozen=True)
class Destination:
    """Who is buying: a country (or region), optionally a named firm, optionally an end-use segment."""

    country: str | None = None
    firm: str | None = None
    segment: str | None = None

    @property
    def label(self) -> str:
        parts = [p for p in (self.firm, self.country) if p]
        label = "/".join(parts) or "anyone"
        return f"{label} [{self.segment}]" if self.segment else label


def rule_start(rule: Rule) -> date | None:
    start = rule.start
    return parse_partial_date(start) if start else None


def in_force(rule: Rule, at: date) -> bool:
    """Whether the rule's own dates may put it in force on ``at`` (relaxations are applied separately): from
    the first day its start can mean to the day before the first day its end can mean."""
    return in_force_state(rule, at) != NO


def in_force_state(rule: Rule, at: date) -> int:
    """Whether the rule's own dates put it in force on ``at``: YES, NO, or MAYBE where a date known only to
    the month or year leaves it open ('2019': maybe in force during 2019, surely from 2020-01-01; an end
    '2026-11': maybe still in force during November 2026)."""
    start, ended = rule.start, rule.ended
    if start is None or at < parse_partial_date(start) or (ended is not None and at >= partial_date_last(ended)):
        return NO
    if at < partial_date_last(start) or (ended is not None and at >= parse_partial_date(ended)):
        return MAYBE
    return YES


def strength(rule: Rule) -> int:
    if rule.kind is RuleKind.RELAXATION:
        return NO
    if rule.targets.uncertain_firms and not rule.targets.firms:
        return MAYBE  # a listing extended to firms the listed parties may or may not own half of
    if rule.policy is None and rule.kind in LICENCE_KINDS:
        return MAYBE
    return POLICY_STRENGTH.get(rule.policy, YES)


def residual(relaxation: Rule) -> int:
    """What is left of a relaxed rule where a relaxation applies: nothing when it lifts (``lifted``, ``fee``
    or no policy), a licence review of unknown outcome (MAYBE) when it replaces a ban by licences."""
    return MAYBE if relaxation.policy in ("licence_required", "case_by_case") else NO


def matches(rule: Rule, dest: Destination, world: World, firm_parents: dict[str, str]) -> int:
    """Whether the rule cuts off ``dest``: YES, NO, or MAYBE (it reaches only part of the destination:
    a named party inside a country, or some segments of a market the query takes whole)."""
    t = rule.targets
    if rule.kind in EXPORT_KINDS and dest.country and rule.imposed_by in world.countries and set(
            world.members(dest.country)) <= set(world.members(rule.imposed_by)):
        return NO  # an export control does not reach buyers at home
    segment = YES
    if t.segments:
        if dest.segment in t.segments:
            segment = YES
        elif dest.segment in (None, "all"):
            segment = MAYBE
        else:
            return NO
    if t.affiliates:
        return NO  # an ownership rule reaches buyers only through the listings it extends (`with_affiliates`)
    # A listing reaches the parties it names; the firms they own only through an ownership rule in force.
    firm_hit = dest.firm is not None and (dest.firm in t.firms or (
        rule.kind is not RuleKind.ENTITY_LISTING and firm_parents.get(dest.firm) in t.firms))
    if rule.kind is RuleKind.ENTITY_LISTING or (t.firms and not t.countries) or t.uncertain_firms:
        # A listing reaches named parties only; a country holds them only in part.
        if firm_hit:
            return segment
        if dest.firm is not None and dest.firm in t.uncertain_firms:
            return segment  # it reaches the buyer; whether it bars it is the rule's strength (`strength`)
        if dest.firm is None and dest.country and any(
                world.provider_hq[world.provider_index[f]] in world.members(dest.country)
                for f in (*t.firms, *t.uncertain_firms) if f in world.provider_index):
            return MAYBE
        return NO
    if firm_hit:
        return segment
    if not t.countries or "WLD" in t.countries:
        return segment
    covered = {m for c in t.countries for m in world.members(c)}
    if dest.country is None:
        return NO
    wanted = set(world.members(dest.country))
    if wanted <= covered:
        return segment
    return MAYBE if wanted & covered else NO


def covers(rule: Rule, world: World) -> UInt8Array:
    """Per input: does the rule's product list cover it (YES), not (NO), or depend on a missing attribute (MAYBE;
    so is the input of a ``part`` selector, of which the rule covers only some kinds).

    A relaxation without products covers everything its relaxed rules cover."""
    if rule.kind is RuleKind.RELAXATION and not rule.products:
        return np.full(world.n_inputs, YES, dtype=np.uint8)
    out = np.zeros(world.n_inputs, dtype=np.uint8)
    for selector in rule.products:
        if selector.part:  # some kinds of the input: the input itself maybe, its descendants not through this
            k = world.index.get(selector.input)
            if k is not None and out[k] == NO:
                out[k] = MAYBE
            continue
        chosen = np.arange(world.n_inputs) if selector.input == EVERY_INPUT else np.flatnonzero(
            world.descendants(selector.input))
        if not selector.where:
            out[chosen] = YES
            continue
        for i in chosen:
            verdict = YES
            attributes = world.input_attributes[i]
            for predicate in selector.where:
                if predicate.attribute not in attributes:
                    verdict = MAYBE
                elif not predicate.holds(attributes[predicate.attribute]):
                    verdict = NO
                    break
            if verdict == YES or out[i] == NO:
                out[i] = verdict
    return out


def named_sellers(rule: Rule, world: World) -> frozenset[str] | None:
    """The firms a rule binds when it binds named firms alone (no country of headquarters, no foreign-direct-product
    reach): its named sellers, or the firm whose own exit it is; None for a rule that binds sellers otherwise (and
    for a relaxation, which frees rather than binds)."""
    s = rule.sellers
    if rule.kind is RuleKind.RELAXATION or s.hq_in or s.fdp:
        return None
    if s.firms:
        return frozenset(s.firms)
    if rule.kind not in BUYER_SIDE_KINDS and rule.imposed_by not in world.countries:
        return frozenset({rule.imposed_by})
    return None


def supplied_by(world: World, firms: Iterable[str], firm_parents: Mapping[str, str]) -> UInt8Array:
    """Per input: whether the firms (or the firms they own) supply it, as far as the data says. YES where one of
    them holds a share or is named a supplier (a pair of the firm view), and for the categories that hold such an
    input (a DRAM maker supplies memory chips); MAYBE for the kinds of such an input the data says nothing of (PC
    DRAM, for a DRAM maker); NO for the rest."""
    named = set(firms)
    own = np.array([p in named or firm_parents.get(p) in named for p in world.providers], dtype=bool)
    view = world.by_firm
    held = np.unique(view.pair_input[own[view.pair_provider]]) if view.n_pairs else np.zeros(0, dtype=np.int64)
    surely = np.zeros(world.n_inputs, dtype=bool)
    kinds = np.zeros(world.n_inputs, dtype=bool)
    for i in held.tolist():
        surely[[world.index[a] for a in world.ancestors[i] if a in world.index]] = True
        kinds |= world.descendants(world.inputs[i])
    out = np.zeros(world.n_inputs, dtype=np.uint8)
    out[kinds] = MAYBE
    out[surely] = YES
    return out


def product_reach(rule: Rule, world: World, firm_parents: Mapping[str, str]) -> UInt8Array:
    """Per input: how surely the rule reaches it (YES, NO or MAYBE): its products cover it (`covers`) and, for a
    rule that binds named firms alone (`named_sellers`: a ban on one firm's products, a firm's own exit), those
    firms supply it (`supplied_by`). An input the rule's products name themselves is taken as the rule says; a
    category such as '*' or 'semiconductors' reaches only what the named firms supply: Micron's products are its
    memory chips, not lithography tools or packaging materials (on a country row that mixes Micron with other firms,
    a rule naming Micron would otherwise bar every input the row supplies as 'maybe')."""
    cover = covers(rule, world)
    firms = named_sellers(rule, world)
    if firms is None:
        return cover
    supply = supplied_by(world, firms, firm_parents)
    as_written = np.zeros(world.n_inputs, dtype=bool)
    as_written[[world.index[p.input] for p in rule.products if p.input in world.index]] = True
    out = cover.copy()
    out[(supply == NO) & ~as_written] = NO
    out[(supply == MAYBE) & (cover == YES) & ~as_written] = MAYBE
    return out


def target_destinations(rule: Rule, world: World, context: Sequence[Rule],
                        firm_parents: Mapping[str, str]) -> list[Destination]:
    """The buyers a rule targets: its named firms (for an ownership rule, the firms its imposer's listed parties in
    ``context`` own), else each country it targets (one country other than the imposer's when it targets everyone),
    with its first end-use segment."""
    segment = rule.targets.segments[0] if rule.targets.segments else None
    firms = list(rule.targets.firms)
    if rule.targets.affiliates:
        certain, maybe = owned_by([f for r in context if r.kind is RuleKind.ENTITY_LISTING
                                   and r.imposed_by == rule.imposed_by for f in r.targets.firms], dict(firm_parents))
        firms = [*certain, *maybe]
    out = [Destination(world.provider_hq[world.provider_index[f]], f, segment)
           for f in firms if f in world.provider_index]
    home = set(world.members(rule.imposed_by)) if rule.imposed_by in world.countries else set()
    countries = [c for c in rule.targets.countries if c != "WLD"]
    if not countries and not firms:
        countries = [next(c for c in ("CHN", "USA", *world.countries) if c in world.countries and c not in home)]
    out += [Destination(c, None, segment) for c in countries]
    return out


def binds(rule: Rule, world: World, dest: Destination, firm_parents: dict[str, str]) -> UInt8Array:
    """Per provider: is it a seller the rule binds (for a relaxation: a seller it frees).

    A relaxation without sellers frees every seller its relaxed rules bind."""
    s = rule.sellers
    firms = set(s.firms)
    hq_in = set(s.hq_in)
    foreign_only = False
    if rule.kind is RuleKind.RELAXATION and not firms and not hq_in and not s.fdp:
        return np.full(world.n_providers, YES, dtype=np.uint8)
    if not firms and not hq_in:
        if rule.kind in BUYER_SIDE_KINDS:
            foreign_only = True  # a buyer-side ban with no named sellers bars foreign sellers
        elif rule.imposed_by in world.countries:
            hq_in = {rule.imposed_by}
        else:
            firms = {rule.imposed_by}  # a firm's own exit
    hq_in = {m for c in hq_in for m in world.members(c)}
    firm_countries = {world.provider_hq[world.provider_index[f]] for f in firms if f in world.provider_index}
    dest_members = set(world.members(dest.country)) if dest.country else set()
    out = np.zeros(world.n_providers, dtype=np.uint8)
    # Firm rows, all at once: named (or a named firm's subsidiary), headquartered where the rule binds, or
    # foreign to a buyer-side ban; a firm whose headquarters are an aggregate may be bound.
    hq, is_firm = world.provider_hq_array, world.provider_is_firm
    named = np.zeros(world.n_providers, dtype=bool)
    named[[world.provider_index[f] for f in firms if f in world.provider_index]] = True
    named[[world.provider_index[c] for c, parent in firm_parents.items()
           if parent in firms and c in world.provider_index]] = True
    at_home = np.isin(hq, list(hq_in)) if hq_in else np.zeros(world.n_providers, dtype=bool)
    aggregate_hq = world.provider_hq_aggregate
    foreign = (hq != rule.imposed_by) & ~aggregate_hq if foreign_only else np.zeros(world.n_providers, dtype=bool)
    out[is_firm & (named | at_home | foreign)] = YES
    if hq_in or foreign_only:
        out[is_firm & (out == NO) & aggregate_hq] = MAYBE
    # Country rows: a row mixes firms, so a rule binding some of its firms binds the row only as 'maybe'.
    for p, pid, members in world.country_rows:
        if members <= hq_in or (foreign_only and rule.imposed_by not in members and pid != "XVC"):
            out[p] = YES
        elif members & hq_in or members & firm_countries or (pid == "XVC" and (hq_in or foreign_only)):
            out[p] = MAYBE
    if s.fdp:  # foreign-made items within the foreign-direct-product reach
        out[(out == NO) & ~np.isin(hq, list(dest_members))] = MAYBE
    return out


@dataclass(frozen=True)
class Compiled:
    """A rule set's reach over one world for a set of destinations, ready for batched evaluation.

    ``cover[r, i]``, ``bind[r, d, p]`` and ``match[r, d]`` are three-valued; ``relaxed_by[r]`` lists the
    relaxations (row indexes) that relax rule r, and ``residual[x]`` what relaxation x leaves of the rules it
    relaxes where it applies (NO: lifted; MAYBE: licences of unknown outcome).
    """

    rules: tuple[Rule, ...]
    destinations: tuple[Destination, ...]
    cover: UInt8Array  # rules x inputs
    bind: npt.NDArray[np.uint8]  # rules x destinations x providers
    match: UInt8Array  # rules x destinations
    strength: UInt8Array  # rules
    relaxed_by: tuple[tuple[int, ...], ...]  # per rule: the relaxations (row indexes) that relax it
    residual: UInt8Array  # rules (meaningful for relaxations)
    #: what the evaluation derives from these arrays alone, kept for the next evaluation of the same compiled rules
    #: (``availability.pair_status``: each view's and destination's terms by pair)
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def index(self) -> dict[str, int]:
        return {r.id: n for n, r in enumerate(self.rules)}

    def rows_by_rule(self) -> dict[str, list[int]]:
        """Each rule's rows, in order of first appearance: one row per rule, but a relaxation of several
        rules has one row per rule it relaxes (`_one_relaxed_rule_each`). A report of rules reads this, not
        ``rules`` row by row, so such a relaxation is reported once."""
        out: dict[str, list[int]] = {}
        for n, rule in enumerate(self.rules):
            out.setdefault(rule.id, []).append(n)
        return out

    def activation(self, ids: Sequence[str], active: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """'In force' flags over ``Compiled.rules`` from flags over the rules given (columns named by ``ids``,
        scenarios by rows): a relaxation's copies share its flag, a derived listing needs both its rules."""
        column = {rule_id: k for k, rule_id in enumerate(ids)}
        out = np.empty((active.shape[0], len(self.rules)), dtype=bool)
        for n, rule in enumerate(self.rules):
            if rule.derived_from:
                out[:, n] = np.logical_and.reduce([active[:, column[r]] for r in rule.derived_from])
            else:
                out[:, n] = active[:, column[rule.id]]
        return out


def owned_by(firms: Iterable[str], firm_parents: dict[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The firms that the given firms own 50% or more of, in aggregate over every chain of stakes (not the firms
    themselves): those owned for certain, and those the data leaves open (a stake of unknown size)."""
    named = set(firms)
    held = holdings(named, stakes_of(firm_parents))
    certain = tuple(f for f, h in held.items() if h.controlled is True and f not in named)
    open_ = tuple(f for f, h in held.items() if h.controlled is None and f not in named)
    return certain, open_


def _later(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return a if parse_partial_date(a) >= parse_partial_date(b) else b


def _earlier(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return a if parse_partial_date(a) <= parse_partial_date(b) else b


def with_affiliates(rules: Sequence[Rule], firm_parents: dict[str, str]) -> tuple[Rule, ...]:
    """The rules, plus the listings derived from each pair of an ownership rule (``targets.affiliates``) and an
    entity listing of the same imposer whose parties hold stakes in other firms: "L via O" reaches the firms
    they own 50% or more of in aggregate for certain; "L via O (if owned)" the firms a stake of unknown size
    may carry over the threshold, and bars them only as 'maybe'. Each is in force only while both rules are
    (from the later start to the earlier end) and is relaxed by whatever relaxes either (``derived_from``)."""
    out = list(rules)
    for ownership in rules:
        if not ownership.targets.affiliates or ownership.kind is RuleKind.RELAXATION:
            continue
        for listing in rules:
            if listing.kind is not RuleKind.ENTITY_LISTING or listing.imposed_by != ownership.imposed_by \
                    or listing.targets.affiliates:
                continue
            owned, maybe = owned_by(listing.targets.firms, firm_parents)
            start_of_both = _later(listing.start, ownership.start)
            for firms, uncertain, suffix, how in ((owned, (), "", "owned firms"),
                                                  ((), maybe, " (if owned)", "firms perhaps owned half or more")):
                if not firms and not uncertain:
                    continue
                out.append(replace(
                    listing, id=f"{listing.id} via {ownership.id}{suffix}",
                    name=f"{listing.name}, extended to {how} by {ownership.name}",
                    targets=replace(listing.targets, firms=firms, uncertain_firms=uncertain), announced=None,
                    effective=start_of_both, ended=_earlier(listing.ended, ownership.ended),
                    derived_from=(listing.id, ownership.id)))
    return tuple(out)


def scoped_like(relaxation: Rule, rule: Rule) -> tuple[bool, bool, bool]:
    """Whether a relaxation's products, sellers and targets are written exactly as the relaxed rule's. Where
    they are, the relaxation reaches whatever the rule reaches, as surely as the rule bars it: the same unknown
    (a threshold on a missing attribute, a country row that mixes firms) cannot bar and stay unlifted."""
    return (relaxation.products == rule.products, relaxation.sellers == rule.sellers,
            relaxation.targets == rule.targets)


def frees_all_of(relaxation: Rule, rule: Rule) -> bool:
    """Whether a relaxation frees whatever the rule may bar, as written: its products and sellers are left
    unwritten (all that the relaxed rule covers and binds) or written exactly as the rule's (`scoped_like`)."""
    same_products, same_sellers, _ = scoped_like(relaxation, rule)
    s = relaxation.sellers
    return (same_products or not relaxation.products) and (same_sellers or not (s.firms or s.hq_in or s.fdp))


def _one_relaxed_rule_each(rules: Sequence[Rule]) -> tuple[Rule, ...]:
    """A relaxation of several rules becomes one copy per rule (same id), so how surely it lifts each can
    follow that rule's own scope (`scoped_like`)."""
    out: list[Rule] = []
    for rule in rules:
        if rule.kind is RuleKind.RELAXATION and len(rule.relaxes) > 1:
            out += [replace(rule, relaxes=(relaxed,)) for relaxed in rule.relaxes]
        else:
            out.append(rule)
    return tuple(out)


def compile_rules(world: World, rules: Sequence[Rule], destinations: Iterable[Destination],
                  firm_parents: dict[str, str]) -> Compiled:
    """Compile the rules for the destinations. ``Compiled.rules`` holds the rules given and the listings that
    ownership rules derive from them (`with_affiliates`): build 'in force' flags from it."""
    dests = tuple(destinations)
    rules = _one_relaxed_rule_each(with_affiliates(rules, firm_parents))
    ids = {r.id: n for n, r in enumerate(rules) if r.kind is not RuleKind.RELAXATION}
    relaxed_by: list[list[int]] = [[] for _ in rules]
    for x, rule in enumerate(rules):
        if rule.kind is RuleKind.RELAXATION:
            for target in rule.relaxes:
                if target in ids:
                    relaxed_by[ids[target]].append(x)
    for n, rule in enumerate(rules):
        for parent in rule.derived_from:
            relaxed_by[n] += [x for x in relaxed_by[ids[parent]] if x not in relaxed_by[n]]
    cover = (np.stack([product_reach(r, world, firm_parents) for r in rules]) if rules
             else np.zeros((0, world.n_inputs), np.uint8))
    bind = (np.stack([np.stack([binds(r, world, d, firm_parents) for d in dests]) for r in rules])
            if rules and dests else np.zeros((len(rules), len(dests), world.n_providers), np.uint8))
    match = np.array([[matches(r, d, world, firm_parents) for d in dests] for r in rules],
                     dtype=np.uint8).reshape(len(rules), len(dests))
    for x, relaxation in enumerate(rules):
        if relaxation.kind is RuleKind.RELAXATION and relaxation.relaxes and relaxation.relaxes[0] in ids:
            r = ids[relaxation.relaxes[0]]
            same_products, same_sellers, same_targets = scoped_like(relaxation, rules[r])
            if same_products:
                cover[x] = np.where(cover[r] != NO, YES, cover[x])
            if same_sellers:
                bind[x] = np.where(bind[r] != NO, YES, bind[x])
            if same_targets:
                match[x] = np.where(match[r] != NO, YES, match[x])
    return Compiled(rules, dests, cover, bind, match, np.array([strength(r) for r in rules], dtype=np.uint8),
                    tuple(tuple(x) for x in relaxed_by), np.array([residual(r) for r in rules], dtype=np.uint8))


def reaches(rule: Rule, world: World, item: str, seller: str, dest: Destination,
            firm_parents: dict[str, str]) -> int:
    """How surely a rule (or relaxation) reaches one item sold by one seller to one destination: YES, MAYBE
    or NO, its dates aside.

    The same reach as the batched engine's (products with their descendants and thresholds, sellers,
    destination and segment). An item or seller the world does not know is reached only by a rule that
    does not narrow by products (or sellers). An item of which the rule covers only some kinds (chipmaking
    tools, for a rule on deposition tools) is reached as 'maybe': a case selling the whole category cannot
    say which part of its sales the rule binds. `seller` is a firm id or, for a country's producers as a
    group, a country code."""
    levels = _levels(rule, world, item, seller, dest, firm_parents, kinds=True)
    if NO in levels:
        return NO
    return YES if all(v == YES for v in levels) else MAYBE


def _levels(rule: Rule, world: World, item: str, seller: str, dest: Destination,
            firm_parents: dict[str, str], kinds: bool = False) -> tuple[int, int, int]:
    """How surely a rule covers the item, binds the seller and reaches the destination. A firm named as the
    seller supplies the item by the question's own account (a market case's seller of it), as a firm row of the
    batched engine's does: its products decide (`covers`); for a country's producers as a group, what named firms
    supply too (`product_reach`). With `kinds`, an item the rule does not cover but some of whose kinds it does
    is covered as MAYBE."""
    known_item = item in world.index
    by_firm = seller not in world.countries
    if known_item:
        cover_of = covers(rule, world) if by_firm else product_reach(rule, world, firm_parents)
        cover = int(cover_of[world.index[item]])
        if kinds and cover == NO and bool((cover_of[world.descendants(item)] != NO).any()):
            cover = MAYBE
    else:
        cover = NO if rule.products else YES
    if seller in world.provider_index:
        bind = int(binds(rule, world, dest, firm_parents)[world.provider_index[seller]])
    else:
        s = rule.sellers
        bind = YES if not (s.firms or s.hq_in or s.fdp) else NO
    return cover, bind, matches(rule, dest, world, firm_parents)


def relaxation_lifts(relaxation: Rule, relaxed: Rule, world: World, item: str, seller: str, dest: Destination,
                     firm_parents: dict[str, str]) -> int:
    """How surely a relaxation lifts the rule it relaxes for one item sold by one seller to one destination
    (see `reaches`); a part of its scope written as the rule's reaches as far as the rule's (`scoped_like`)."""
    levels = list(_levels(relaxation, world, item, seller, dest, firm_parents))
    if any(scoped_like(relaxation, relaxed)):
        of_rule = _levels(relaxed, world, item, seller, dest, firm_parents)
        for k, same in enumerate(scoped_like(relaxation, relaxed)):
            if same and of_rule[k] != NO:
                levels[k] = YES
    if NO in levels:
        return NO
    return YES if all(v == YES for v in levels) else MAYBE
