"""The restriction engine's questions, one function each, over values: a World and a list of Rules.

Each returns JSON-ready records and states its definitions, so front-ends only render.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from chipshift.domain.period import Period, parse_partial_date, partial_date_last
from chipshift.domain.rules import Rule, RuleKind
from chipshift.engine.availability import Availability, PairStatus, availability, default_view, pair_status
from chipshift.engine.reach import (
    NO,
    YES,
    Compiled,
    Destination,
    binds,
    compile_rules,
    frees_all_of,
    in_force,
    in_force_state,
    product_reach,
    target_destinations,
)
from chipshift.engine.world import AGGREGATE_PROVIDERS, OTHERS, VIEWS, FloatArray, ShareTable, View, World

REAL_COUNTRY_EXCLUDES = AGGREGATE_PROVIDERS
COVERAGE_TARGET = 0.75  # ETO's measure: how many countries it takes to reach 75% of supply


@dataclass(frozen=True)
class Situation:
    """Rules as they stand for one destination at one date, compiled over the world."""

    world: World
    compiled: Compiled
    active: np.ndarray  # 1 x rules: may be in force by its own dates
    at: date
    dest: Destination
    firm_parents: dict[str, str]
    #: Evaluations several analyses of one situation share (each view's status and availability, the
    #: per-rule attribution), computed on first use.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: 1 x rules: surely in force by its own dates (``active`` but outside the window of a date known only to
    #: the month or year); None: every active rule is.
    sure: np.ndarray | None = None

    @property
    def dest_index(self) -> np.ndarray:
        return np.zeros(1, dtype=np.int64)

    def surely(self, r: int) -> bool:
        """Whether rule row r is surely in force by its own dates (not only maybe: `reach.in_force_state`)."""
        return bool(self.active[0, r] if self.sure is None else self.sure[0, r])


def situation(world: World, rules: Sequence[Rule], dest: Destination, at: date,
              firm_parents: dict[str, str], compiled: Compiled | None = None) -> Situation:
    """The rules for one destination at one date; ``compiled``: the rules already compiled for that destination
    (``compile_rules(world, rules, [dest], firm_parents)``: it does not depend on the date)."""
    compiled = compiled or compile_rules(world, rules, [dest], firm_parents)
    states = np.array([[in_force_state(r, at) for r in compiled.rules]], dtype=np.uint8)
    return Situation(world, compiled, states != NO, at, dest, firm_parents, sure=states == YES)


def _relaxed_now(s: Situation, certain: bool = True) -> dict[str, list[str]]:
    """Rule id -> the ids of the relaxations in force that lift it for the whole destination (each once, though
    a relaxation of several rules has a row per rule); with ``certain`` false, those that may lift it: for part
    of the destination only (a relaxation naming some of its buyers, asked about their whole country), or from
    a date known only to the month or year whose window holds the situation's date."""
    out: dict[str, list[str]] = defaultdict(list)
    for r, xs in enumerate(s.compiled.relaxed_by):
        for x in xs:
            relaxed, relaxation = s.compiled.rules[r].id, s.compiled.rules[x].id
            whole = s.compiled.match[x, 0] == YES and s.surely(x)
            if s.active[0, x] and s.compiled.match[x, 0] != NO and whole == certain and relaxation not in out[relaxed]:
                out[relaxed].append(relaxation)
    return out


def rules_in_force(s: Situation) -> list[dict[str, Any]]:
    """The rules in force at the date that reach the destination, wholly or in part: one record per rule, its
    reach the surest and its inputs the union over the rule's rows (a relaxation of several rules has several).
    A rule that relaxations in force lift for everything it reaches at the destination is not in force;
    `rules_lifted` names it."""
    relaxed = _relaxed_now(s)
    in_part = _relaxed_now(s, certain=False)
    relaxing = _relaxing_rows(s)
    out = []
    for rule_id, reaching, lifted in _reaching(s):
        rule = s.compiled.rules[reaching[0]]
        if lifted or (rule.kind is RuleKind.RELAXATION and relaxing.isdisjoint(reaching)):
            continue  # lifted; or a relaxation of nothing that reaches the destination (a rescinded rule's end)
        whole = any(s.compiled.match[r, 0] == YES for r in reaching)
        covered = np.logical_or.reduce(s.compiled.cover[reaching] > 0, axis=0)
        surely = any(s.surely(r) for r in reaching)
        out.append({
            "id": rule_id, "name": rule.name, "kind": rule.kind.value, "imposed_by": rule.imposed_by,
            "policy": rule.policy, "start": rule.start, "ended": rule.ended,
            "in_force": "certain" if surely else "maybe",
            "in_force_note": None if surely else _date_note(rule, s.at),
            "reach": "whole" if whole else "partial",
            "reach_note": None if whole else _partial_note(rule, s.dest),
            "relaxed_by": relaxed.get(rule_id, []),
            "relaxed_in_part_by": [x for x in in_part.get(rule_id, []) if x not in relaxed.get(rule_id, [])],
            "inputs_covered": int(np.count_nonzero(covered)), "products": [p.input for p in rule.products],
            "sellers": _sellers_text(rule), "status": rule.status, "source": rule.source, "gaps": list(rule.gaps),
            "names_destination": _names(rule, s.dest, s.firm_parents),
        })
    return out


def _date_note(rule: Rule, at: date) -> str:
    """Why a rule is only maybe in force on ``at``: the date of its start or end known only to the month or year."""
    if rule.start and at < partial_date_last(rule.start):
        return f"it starts in {rule.start} (the day is not known): surely in force from " \
               f"{partial_date_last(rule.start).isoformat()}"
    return f"it ends in {rule.ended} (the day is not known)"


def rules_lifted(s: Situation) -> list[dict[str, Any]]:
    """The rules whose own dates put them in force and that reach the destination, but that relaxations in
    force lift for every input and seller they reach there (a denial order lifted, a control suspended), with
    the relaxations that lift them."""
    relaxed = _relaxed_now(s)
    return [{"id": rule_id, "name": rule.name, "kind": rule.kind.value, "start": rule.start,
             "lifted_by": relaxed.get(rule_id, [])}
            for rule_id, reaching, lifted in _reaching(s) if lifted
            for rule in (s.compiled.rules[reaching[0]],)]


#: How a rule holds over a stretch of time (`rule_standing`).
HOLDS, NARROWED, LIFTED = "in force", "narrowed", "lifted"


@dataclass(frozen=True)
class Standing:
    """How a rule holds from a date until the next change: ``in force`` (no relaxation in force relaxes it where it
    reaches), ``narrowed`` (relaxations in force lift it for part of what it reaches, for part of its buyers, or turn
    its ban into a licence review) or ``lifted`` (relaxations in force lift it for everything it reaches, at every
    buyer it targets); ``by``: those relaxations."""

    start: str  # the date (ISO, partial as recorded) from which it holds so
    end: str | None  # the date of the next change, or the rule's own end (None: neither)
    state: str  # HOLDS, NARROWED or LIFTED
    by: tuple[str, ...]


def rule_standing(world: World, rules: Sequence[Rule], rule: Rule,
                  firm_parents: dict[str, str]) -> tuple[Standing, ...]:
    """How the rule holds over its own dates, as relaxations of it come into force and end: the engine's own
    judgement (`rules_in_force`, `rules_lifted`), asked at the buyers the rule and its relaxations target
    (`reach.target_destinations`, with the rule's end use) on each date one of them starts or ends (on the last day
    the date can mean, where it is known only to the month or year). A relaxation of nothing, or a rule without a
    start, has no standing; a rule no relaxation names holds from its start to its end. A relaxation holds while it
    relaxes a rule it names (`relaxation_standing`)."""
    if rule.kind is RuleKind.RELAXATION:
        return relaxation_standing(world, rules, rule, firm_parents)
    if rule.start is None:
        return ()
    relaxations = [x for x in rules if x.kind is RuleKind.RELAXATION and rule.id in x.relaxes]
    if not relaxations:
        return (Standing(rule.start, rule.ended, HOLDS, ()),)
    # an ownership rule holds through the listings it extends ("L via O"): its imposer's listings come with it
    context = [r for r in rules if r.kind is RuleKind.ENTITY_LISTING and r.imposed_by == rule.imposed_by
               and not r.targets.affiliates] if rule.targets.affiliates else []
    subset = [*context, rule, *relaxations]
    segment = rule.targets.segments[0] if rule.targets.segments else None
    dests = dict.fromkeys(Destination(d.country, d.firm, segment) for r in (rule, *relaxations)
                          for d in target_destinations(r, world, context, firm_parents))
    compiled = [(d, compile_rules(world, subset, [d], firm_parents)) for d in dests]
    # the rule's rows: its own, and for an ownership rule the listings it extends ("L via O")
    own = {r.id for _, c in compiled for r in c.rules if r.id == rule.id or rule.id in r.derived_from}
    # the rule's start on its first day (it may be in force from then); a relaxation's dates on their last
    first = parse_partial_date(rule.start)
    points = sorted({(partial_date_last(t), t) for x in relaxations for t in (x.start, x.ended) if t})
    points = [(first, rule.start), *((at, t) for at, t in points if at > first and in_force_state(rule, at) != NO)]

    def state_at(at: date) -> tuple[str, tuple[str, ...]]:
        verdicts: list[tuple[bool, list[str]]] = []
        for d, c in compiled:
            s = situation(world, subset, d, at, firm_parents, c)
            mine = [(rule_id, lifted) for rule_id, _, lifted in _reaching(s) if rule_id in own]
            if not mine:
                continue  # the rule does not reach this buyer
            wholly, in_part = _relaxed_now(s), _relaxed_now(s, certain=False)
            verdicts.append((all(lifted for _, lifted in mine),
                             [x for rule_id, _ in mine for x in (*wholly.get(rule_id, []), *in_part.get(rule_id, []))]))
        by = tuple(dict.fromkeys(x for _, xs in verdicts for x in xs))
        if verdicts and all(lifted for lifted, _ in verdicts):
            return LIFTED, by
        return (NARROWED, by) if by else (HOLDS, ())

    out: list[Standing] = []
    for at, text in points:
        state, by = state_at(at)
        if not out or (state, by) != (out[-1].state, out[-1].by):
            if out:
                out[-1] = replace(out[-1], end=text)
            out.append(Standing(text, rule.ended, state, by))
    return tuple(out)


def relaxation_standing(world: World, rules: Sequence[Rule], relaxation: Rule,
                        firm_parents: dict[str, str]) -> tuple[Standing, ...]:
    """How a relaxation holds: ``in force`` over the stretches in which the standing of a rule it relaxes
    (`rule_standing`) names it among the relaxations acting on that rule (``by``: those rules), so never past its
    own end, past the end of the rules it relaxes, or past the day another change leaves it nothing to relax;
    stretches that meet or overlap are one (``by``: the rules it relaxes in it). A relaxation that acts on no rule
    it names (they ended the day it began, or earlier) holds on its start day alone; one that relaxes nothing, or
    has no start, has no standing."""
    if relaxation.kind is not RuleKind.RELAXATION or not relaxation.relaxes:
        return ()
    acting: list[tuple[date, str, str | None, str]] = []
    for relaxed in rules:
        if relaxed.id not in relaxation.relaxes or relaxed.kind is RuleKind.RELAXATION:
            continue
        for stretch in rule_standing(world, rules, relaxed, firm_parents):
            if relaxation.id in stretch.by:
                acting.append((parse_partial_date(stretch.start), stretch.start, stretch.end, relaxed.id))
    if not acting:
        return () if relaxation.start is None else (Standing(relaxation.start, relaxation.start, HOLDS, ()),)
    out: list[Standing] = []
    for _, start, end, relaxed_id in sorted(acting, key=lambda a: (a[0], a[3])):
        last = out[-1] if out else None
        if last is not None and (last.end is None or partial_date_last(last.end) >= parse_partial_date(start)):
            # on from the stretch before (or within it): one stretch, over the rules of both
            later = None if last.end is None or end is None else max(last.end, end, key=partial_date_last)
            out[-1] = replace(last, end=later, by=tuple(dict.fromkeys((*last.by, relaxed_id))))
        else:
            out.append(Standing(start, end, HOLDS, (relaxed_id,)))
    return tuple(out)


def _reaching(s: Situation) -> list[tuple[str, list[int], bool]]:
    """Each rule in force by its own dates that reaches the destination: its id, the rows that reach it, and
    whether relaxations in force lift it wholly there. Kept in the situation's memo, as both lists read it."""
    if "reaching" not in s.memo:
        out = []
        for rule_id, rows in s.compiled.rows_by_rule().items():
            reaching = [r for r in rows if s.active[0, r] and s.compiled.match[r, 0] != NO]
            if reaching:
                out.append((rule_id, reaching, all(_lifted_wholly(s, r) for r in reaching)))
        s.memo["reaching"] = out
    found: list[tuple[str, list[int], bool]] = s.memo["reaching"]
    return found


def _relaxing_rows(s: Situation) -> set[int]:
    """The relaxation rows that relax a rule in force by its own dates that reaches the destination."""
    return {x for r, xs in enumerate(s.compiled.relaxed_by) if s.active[0, r] and s.compiled.match[r, 0] != NO
            for x in xs}


def _left_barred(s: Situation, r: int) -> np.ndarray:
    """The (input, seller) pairs rule row r may bar at the destination that no relaxation in force frees:
    those that surely reach the destination and leave nothing of the row (lifted, or a fee). Inputs x
    providers."""
    c = s.compiled
    barred: np.ndarray = (c.cover[r][:, None] != NO) & (c.bind[r, 0][None, :] != NO)
    for x in c.relaxed_by[r]:
        if s.surely(x) and c.match[x, 0] == YES and c.residual[x] == NO:
            barred &= ~((c.cover[x][:, None] == YES) & (c.bind[x, 0][None, :] == YES))
    return barred


def _lifted_wholly(s: Situation, r: int) -> bool:
    """Whether the relaxations in force free every (input, seller) pair rule row r may bar at the
    destination. A row that bars nothing there in the data (a ban on a firm the data names a supplier of nothing)
    is lifted only by a relaxation that frees whatever the rule may bar as written (`frees_all_of`) for the whole
    destination and leaves nothing behind; else it is not lifted: there was nothing to lift."""
    c = s.compiled
    if c.rules[r].kind is RuleKind.RELAXATION:
        return False
    if not ((c.cover[r] != NO).any() and (c.bind[r, 0] != NO).any()):
        return any(s.surely(x) and c.match[x, 0] == YES and c.residual[x] == NO and frees_all_of(c.rules[x], c.rules[r])
                   for x in c.relaxed_by[r])
    return not _left_barred(s, r).any()


def _names(rule: Rule, dest: Destination, firm_parents: Mapping[str, str]) -> bool:
    """Whether the rule names the destination's firm as a party: among its targets (a listing extended by an
    ownership rule names the firms it reaches), or, for a rule other than a listing, through its parent."""
    t, firm = rule.targets, dest.firm
    if firm is None:
        return False
    return firm in t.firms or firm in t.uncertain_firms or (
        rule.kind is not RuleKind.ENTITY_LISTING and firm_parents.get(firm) in t.firms)


def _partial_note(rule: Rule, dest: Destination) -> str:
    if rule.targets.segments and dest.segment in (None, "all"):
        return f"only end uses {', '.join(rule.targets.segments)}: name a segment to apply it"
    if rule.targets.firms:
        return f"only named parties ({', '.join(rule.targets.firms)}): name a firm to apply it"
    return "reaches part of the destination's countries"


def _sellers_text(rule: Rule) -> str:
    parts = []
    if rule.sellers.hq_in:
        parts.append("firms headquartered in " + ", ".join(rule.sellers.hq_in))
    if rule.sellers.firms:
        parts.append(", ".join(rule.sellers.firms))
    if rule.sellers.fdp:
        parts.append("foreign-made direct products")
    if not parts:
        parts.append("foreign sellers" if rule.kind in (RuleKind.IMPORT_BAN, RuleKind.PROCUREMENT_BAN)
                     else f"sellers in {rule.imposed_by}")
    return "; ".join(parts)


def _evaluate(s: Situation) -> dict[str, tuple[PairStatus, Availability]]:
    if "evaluated" not in s.memo:
        out = {}
        for name in VIEWS:
            view = s.world.view(name)
            status = pair_status(s.world, view, s.compiled, s.active, s.dest_index, s.sure)
            out[name] = (status, availability(s.world, view, status))
        s.memo["evaluated"] = out
    evaluated: dict[str, tuple[PairStatus, Availability]] = s.memo["evaluated"]
    return evaluated


def _attribution(s: Situation) -> dict[str, tuple[npt.NDArray[np.object_], PairStatus]]:
    if "attribution" not in s.memo:
        s.memo["attribution"] = {name: _by_rule(s, s.world.view(name)) for name in VIEWS}
    attribution: dict[str, tuple[npt.NDArray[np.object_], PairStatus]] = s.memo["attribution"]
    return attribution


def _by_rule(s: Situation, view: View) -> tuple[npt.NDArray[np.object_], PairStatus]:
    """Which rule bars which pair: one evaluation per barring rule in force (with every relaxation in force),
    batched, so the attribution uses the same reach as the answer. Returns the rules' ids (rows) and status."""
    relaxation = np.array([r.kind is RuleKind.RELAXATION for r in s.compiled.rules], dtype=bool)
    barring = [r for r in range(len(s.compiled.rules)) if s.active[0, r] and not relaxation[r]
               and s.compiled.match[r, 0] == YES and s.compiled.strength[r] > 0]
    sure_now = s.active if s.sure is None else s.sure
    active = np.zeros((len(barring), len(s.compiled.rules)), dtype=bool)
    sure = np.zeros_like(active)
    for k, r in enumerate(barring):
        active[k] = s.active[0] & relaxation
        active[k, r] = True
        sure[k] = sure_now[0] & relaxation
        sure[k, r] = sure_now[0, r]
    ids = np.array([s.compiled.rules[r].id for r in barring], dtype=object)
    return ids, pair_status(s.world, view, s.compiled, active, np.zeros(len(barring), dtype=np.int64), sure)


def availability_table(s: Situation, inputs: Sequence[int] | None = None, view: str | None = None,
                       detail: bool = False, attribute: bool = True) -> list[dict[str, Any]]:
    """Per input (without ``inputs``, every input of the semiconductor supply chain: those outside it, the
    back-test episodes' goods, only when asked for): availability bounds for the destination, which providers are
    barred, and by which rules.

    Without ``view``, every view with share data bounds the answer: the country view (CSET country rows)
    and the firm view describe the same world supply, so the answer is their intersection, and the
    record says which view each bound rests on. When the two views contradict each other (no overlap),
    the answer spans both and says so."""
    evaluated = _evaluate(s)
    attribution = _attribution(s) if attribute else {}
    reaching = _rules_reaching(s) if detail else []
    chosen = ([i for i, x in enumerate(s.world.inputs) if x not in s.world.outside_chain] if inputs is None
              else list(inputs))
    entries = {n: _provider_entries(s.world, n, evaluated[n][0], attribution.get(n)) for n in VIEWS}
    out = []
    for i in chosen:
        names = [view] if view else [n for n in VIEWS if evaluated[n][1].has_data[i]]
        if not names or not evaluated[names[0]][1].has_data[i]:
            if inputs is None:
                continue
            v = s.world.view(view) if view else default_view(s.world, i)
            out.append(_avail_record(s.world, i, v.name, None, None, None))
            continue
        bounds = {n: (float(evaluated[n][1].lower[0, i]), float(evaluated[n][1].upper[0, i]),
                      float(evaluated[n][1].point[0, i])) for n in names}
        lower_from = max(names, key=lambda n: (bounds[n][0], n == "firm"))
        upper_from = min(names, key=lambda n: (bounds[n][1], n != "firm"))
        lo, hi = bounds[lower_from][0], bounds[upper_from][1]
        disagree = lo > hi + 1e-9
        if disagree:
            lower_from = min(names, key=lambda n: bounds[n][0])
            upper_from = max(names, key=lambda n: bounds[n][1])
            lo, hi = bounds[lower_from][0], bounds[upper_from][1]
        # the strict reading needs every share, unless the bounds meet (then nothing unknown can move it)
        known = any(not np.isnan(bounds[n][2]) for n in names) or abs(hi - lo) <= 1e-12
        record = _avail_record(s.world, i, "+".join(names), lo, hi, lo if known and not disagree else None)
        record["lower_from"], record["upper_from"] = lower_from, upper_from
        if len(names) > 1:
            record["views"] = {n: {"available_lower": round(bounds[n][0], 6), "available_upper": round(bounds[n][1], 6)}
                               for n in names}
            record["views_disagree"] = disagree
        record["barred"] = [e for n in names for e in entries[n][0].get(i, ())]
        record["maybe_barred"] = [e for n in names for e in entries[n][1].get(i, ())]
        if detail:
            record["rules"] = reaching[i]
            on_kinds = _rules_on_kinds(s.world, i, reaching)
            if on_kinds:
                record["rules_on_kinds"] = on_kinds
        out.append(record)
    return out


def _rules_on_kinds(world: World, i: int, reaching: list[list[str]]) -> list[str]:
    """The rules that reach some kinds of input ``i`` (a category: chipmaking tools, DRAM) but not the category as
    a whole, whose bounds therefore leave them out: each kind's own row carries them."""
    own = set(reaching[i])
    kinds = [d for d in np.flatnonzero(world.descendants(world.inputs[i])).tolist() if d != i]
    return sorted({r for d in kinds for r in reaching[d]} - own)


def _plain_table(s: Situation) -> list[dict[str, Any]]:
    """Every input's availability without the per-rule attribution, shared by the analyses that read it
    (exposure, impairment): treat as read-only."""
    if "plain_table" not in s.memo:
        s.memo["plain_table"] = availability_table(s, attribute=False)
    table: list[dict[str, Any]] = s.memo["plain_table"]
    return table


def _avail_record(world: World, i: int, view: str, lo: float | None, hi: float | None,
                  point: float | None) -> dict[str, Any]:
    def r(x: float | None) -> float | None:
        return None if x is None or np.isnan(x) else round(float(x), 6)

    return {"input": world.inputs[i], "name": world.input_names[i], "stages": list(world.input_stages[i]),
            "view": view, "available_lower": r(lo), "available_upper": r(hi), "available": r(point),
            "shares_complete": point is not None and not np.isnan(point)}


def _provider_entries(world: World, view_name: str, status: PairStatus,
                      by_rule: tuple[npt.NDArray[np.object_], PairStatus] | None,
                      ) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
    """Per input, the barred and the maybe-barred providers of one view, each with its share and the rules
    that bar it (for certain, or at least maybe) from the per-rule evaluation."""
    v = world.view(view_name)
    barred = status.barred[0]
    out: tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]] = ({}, {})
    for certain, pairs in ((True, np.flatnonzero(barred)), (False, np.flatnonzero(status.maybe[0] & ~barred))):
        rules: list[list[str]] = [[] for _ in range(len(pairs))]
        if by_rule is not None:
            ids, rule_status = by_rule
            reached = rule_status.barred[:, pairs] if certain else (rule_status.barred | rule_status.maybe)[:, pairs]
            names = [str(r) for r in ids]
            for r, k in zip(*(x.tolist() for x in np.nonzero(reached)), strict=True):
                rules[k].append(names[r])
        providers = v.pair_provider[pairs].tolist()
        shares = np.round(v.pair_share[pairs] * 100, 4).tolist()
        by_input = out[0 if certain else 1]
        for k, i in enumerate(v.pair_input[pairs].tolist()):
            share = shares[k]
            by_input.setdefault(i, []).append({
                "provider": world.providers[providers[k]], "name": world.provider_names[providers[k]],
                "share_pct": None if share != share else share, "view": view_name, "rules": rules[k]})
    return out


def _rules_reaching(s: Situation) -> list[list[str]]:
    """Per input: the barring rules in force that reach the whole destination and cover the input, leaving
    out a rule there when relaxations in force free every seller it may bar of that input (a denial order
    lifted)."""
    c = s.compiled
    ids = np.array([r.id for r in c.rules], dtype=object)
    barring = s.active[0] & (c.match[:, 0] == YES) & (c.strength > 0)
    reaching = (c.cover > 0) & barring[:, None]  # rules x inputs
    for r in np.flatnonzero(barring).tolist():
        if any(s.active[0, x] for x in c.relaxed_by[r]):
            reaching[r] &= _left_barred(s, r).any(axis=1)
    return [list(ids[reaching[:, i]]) for i in range(s.world.n_inputs)]


def exposure(s: Situation) -> dict[str, Any]:
    """Share of supply barred per input (1 - availability) and per stage, weighted by market size."""
    table = _plain_table(s)
    leaves = _leaves(s.world)
    per_input = []
    for rec in table:
        lo, hi = rec["available_lower"], rec["available_upper"]
        per_input.append({**{k: rec[k] for k in ("input", "name", "stages", "view")},
                          "barred_lower": round(1 - hi, 6), "barred_upper": round(1 - lo, 6),
                          "barred": None if rec["available"] is None else round(1 - rec["available"], 6),
                          "barred_providers": [b["name"] for b in rec["barred"]],
                          "maybe_barred_providers": [b["name"] for b in rec["maybe_barred"]]})
    stages: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for rec in per_input:
        i = s.world.index[rec["input"]]
        if rec["input"] not in leaves:
            continue
        size = s.world.market_size_usd[i]
        for stage in rec["stages"]:
            acc = stages[stage]
            acc["inputs"] += 1
            acc["sum_lower"] += rec["barred_lower"]
            acc["sum_upper"] += rec["barred_upper"]
            if not np.isnan(size):
                acc["weighted_inputs"] += 1
                acc["weight"] += size
                acc["w_lower"] += size * rec["barred_lower"]
                acc["w_upper"] += size * rec["barred_upper"]
    by_stage = []
    for stage, acc in sorted(stages.items()):
        w = acc["weight"]
        by_stage.append({
            "stage": stage, "inputs": int(acc["inputs"]), "inputs_with_market_size": int(acc["weighted_inputs"]),
            "barred_lower_mean": round(acc["sum_lower"] / acc["inputs"], 6),
            "barred_upper_mean": round(acc["sum_upper"] / acc["inputs"], 6),
            "barred_lower_weighted": round(acc["w_lower"] / w, 6) if w else None,
            "barred_upper_weighted": round(acc["w_upper"] / w, 6) if w else None,
            "market_size_usd": w,
        })
    return {
        "destination": s.dest.label, "at": s.at.isoformat(),
        "weighting": ("per stage: leaf inputs only (buckets are left out so nothing counts twice); 'mean' weighs "
                      "each input equally, 'weighted' by its global market size in USD where the data gives one"),
        "by_input": sorted(per_input, key=lambda r: (-r["barred_upper"], r["input"])),
        "by_stage": by_stage,
    }


def _leaves(world: World) -> set[str]:
    """Inputs that no other input is a part or variant of."""
    has_child = {a for n, anc in enumerate(world.ancestors) for a in anc if a != world.inputs[n]}
    return set(world.inputs) - has_child


@dataclass(frozen=True)
class CountryShares:
    """Country shares of world supply, several groups (inputs, or one input's periods) at once: per row its
    group, country and share (a fraction); per group the sum of its numeric shares as published."""

    group: npt.NDArray[np.int64]
    country: npt.NDArray[np.str_]
    share: FloatArray
    total: FloatArray  # per group


def country_shares(world: World) -> tuple[CountryShares, list[str]]:
    """Each input's country shares: its country rows where it has numeric ones, else its firms' numeric
    shares summed by headquarters country (a firm of unknown headquarters, like the firms a source does not
    name, counts as 'various countries'). Also returns, per input, which of the two the shares rest on."""
    c, f = world.by_country, world.by_firm
    from_firms = (c.known_count == 0) & (f.known_count > 0)
    basis = ["firm headquarters" if from_firms[i] else "country" for i in range(world.n_inputs)]
    keep_c = ~np.isnan(c.pair_share) & ~from_firms[c.pair_input]
    keep_f = ~np.isnan(f.pair_share) & from_firms[f.pair_input]
    group = np.r_[c.pair_input[keep_c], f.pair_input[keep_f]]
    country = np.r_[world.provider_hq_array[c.pair_provider[keep_c]], world.provider_hq_array[f.pair_provider[keep_f]]]
    share = np.r_[c.pair_share[keep_c], f.pair_share[keep_f]]
    return _by_country(group, country, share, world.n_inputs), basis


def _by_country(group: npt.NDArray[np.int64], country: npt.NDArray[np.str_], share: FloatArray,
                n_groups: int) -> CountryShares:
    """Rows of one group and country (a country's firms) summed into one."""
    _, first, inverse = np.unique(np.char.add(np.char.add(group.astype(str), "|"), country), return_index=True,
                                  return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=share, minlength=len(first))
    total: FloatArray = np.bincount(group, weights=share, minlength=n_groups).astype(np.float64)
    return CountryShares(group[first], country[first], summed.astype(np.float64), total)


def concentration(shares: CountryShares, n_groups: int, coalition: Sequence[str]) -> dict[int, dict[str, Any]]:
    """Per group with a real country: top country and share, HHI, countries needed for 75%, coalition share
    and the sum of shares as published (in percent).

    Known shares summing above 100% are divided by their sum (as availability does). Aggregates (the
    'various countries' bucket, regions) are not one player: they are left out of the top country, the
    HHI, the countries needed for 75% and the coalition share."""
    real = np.flatnonzero(~np.isin(shares.country, REAL_COUNTRY_EXCLUDES))
    if not len(real):
        return {}
    scale = np.where(shares.total > 1.0 + 1e-9, shares.total, 1.0)
    groups = shares.group[real]
    values = shares.share[real] / scale[groups]
    countries = shares.country[real]
    order = np.lexsort((countries, -values, groups))
    groups, values, countries = groups[order], values[order], countries[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    cumulative = np.cumsum(values)
    hhi = np.bincount(groups, weights=(values * 100) ** 2, minlength=n_groups)
    coalition_share = np.bincount(groups, weights=values * np.isin(countries, list(coalition)), minlength=n_groups)
    out = {}
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        g = int(groups[a])
        within = cumulative[a:b] - (cumulative[a] - values[a])  # this group's running total, largest first
        out[g] = {
            "top_country": str(countries[a]), "top_share_pct": round(float(values[a]) * 100, 4),
            "hhi": round(float(hhi[g]), 2),
            "countries_for_75pct": int(np.searchsorted(within, COVERAGE_TARGET - 1e-9) + 1)
            if within[-1] >= COVERAGE_TARGET else None,
            "coalition_share_pct": round(float(coalition_share[g]) * 100, 4),
            "shares_sum_pct": round(float(shares.total[g]) * 100, 4),
        }
    return out


def chokepoints(world: World, threshold_pct: float = 80.0, coalition: Sequence[str] = ("USA", "JPN", "NLD"),
                only_above: bool = False) -> list[dict[str, Any]]:
    """Per input of the semiconductor supply chain with numeric country shares (or firm shares, summed by
    headquarters): top country, HHI, countries needed for 75%, coalition share (see `concentration`)."""
    threshold = threshold_pct / 100.0
    members = [m for c in coalition for m in world.members(c)]
    shares, basis = country_shares(world)
    out = []
    for i, measures in concentration(shares, world.n_inputs, members).items():
        if world.inputs[i] in world.outside_chain or (
                only_above and measures["top_share_pct"] < threshold * 100 - 1e-7):
            continue
        v = world.by_firm if basis[i] == "firm headquarters" else world.by_country
        out.append({"input": world.inputs[i], "name": world.input_names[i], "stages": list(world.input_stages[i]),
                    **measures, "basis": basis[i],
                    "market_size_usd": None if np.isnan(world.market_size_usd[i]) else float(world.market_size_usd[i]),
                    "unknown_shares": int(v.pair_count[i] - v.known_count[i])})
    return sorted(out, key=lambda r: (-r["top_share_pct"], r["input"]))


def concentration_history(world: World, history: Mapping[str, Sequence[ShareTable]],
                          coalition: Sequence[str] = ("USA", "JPN", "NLD")) -> list[dict[str, Any]]:
    """The same measures as `chokepoints`, for each period of the bundled products' share tables
    (`engine.world.share_history`), oldest first; firm tables are summed by headquarters country."""
    members = [m for c in coalition for m in world.members(c)]
    tables = [t for product in sorted(history) if product not in world.outside_chain for t in history[product]]
    group, country, share = [], [], []
    for g, table in enumerate(tables):
        for row in table.rows:
            if row["share_pct"] is None:
                continue
            provider = row["provider"]
            hq = world.provider_hq[world.provider_index[provider]] if provider in world.provider_index else OTHERS
            group.append(g)
            country.append(hq)
            share.append(float(row["share_pct"]) / 100)
    measures = concentration(_by_country(np.asarray(group, dtype=np.int64), np.asarray(country, dtype=str),
                                         np.asarray(share, dtype=np.float64), len(tables)), len(tables), members)
    out = []
    for g, table in enumerate(tables):
        if g not in measures:
            continue
        name = world.input_names[world.index[table.product]] if table.product in world.index else table.product
        out.append({"input": table.product, "name": name, "period": table.period,
                    "basis": "country" if table.kind == "country" else "firm headquarters",
                    "share_basis": table.basis, "forecast": table.forecast, **measures[g]})
    return out


def localization(world: World, country: str, inputs: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Self-sufficiency: the share of each input's world supply from providers headquartered in ``country``."""
    members = list(world.members(country))
    per_view = {}
    for v in (world.by_country, world.by_firm):
        home = np.isin(world.provider_hq_array[v.pair_provider], members)
        unknown = np.isnan(v.pair_share)
        per_view[v.name] = (home, v.per_input(np.where(home & ~unknown, v.pair_share, 0.0)),
                            v.per_input(home & unknown) > 0, v.pair_count - v.known_count > 0)
    out = []
    for i in (range(world.n_inputs) if inputs is None else inputs):
        v = default_view(world, i)
        if not v.pair_count[i]:
            continue
        home, home_sum, home_unknowns, unknowns = per_view[v.name]
        known_total = float(v.known_total[i])
        is_unknown = bool(unknowns[i])
        home_known = float(home_sum[i])
        home_unknown = bool(home_unknowns[i])
        rest = max(0.0, 1.0 - known_total) if is_unknown else 0.0
        scale = known_total if not is_unknown and known_total > 0 else max(known_total, 1.0)
        lo = home_known / scale
        hi = lo + (rest if home_unknown else 0.0)
        pairs = v.pairs_of(i)
        out.append({
            "input": world.inputs[i], "name": world.input_names[i], "stages": list(world.input_stages[i]),
            "country": country, "view": v.name, "localization_lower": round(lo, 6), "localization_upper": round(hi, 6),
            "localization": None if is_unknown else round(lo, 6),
            "domestic_providers": [world.provider_names[int(v.pair_provider[j])] for j in pairs if home[j]],
        })
    return out


def localization_history(world: World, history: Mapping[str, Sequence[ShareTable]], country: str,
                         inputs: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Localization over time: for each period of the bundled products' world share tables
    (`engine.world.share_history`), the share of world supply from providers headquartered in ``country`` (a
    firm table's firms by headquarters; a country table's countries as themselves), oldest first per product:
    the lower bound counts the providers a table names, the upper bound adds what it leaves to others."""
    members = set(world.members(country))
    out = []
    for product in sorted(history):
        if inputs is not None and product not in inputs:
            continue
        name = world.input_names[world.index[product]] if product in world.index else product
        for table in history[product]:
            known = [r for r in table.rows if r["share_pct"] is not None]
            if not known:
                continue
            home = [r for r in known if r["provider"] in world.provider_index
                    and world.provider_hq[world.provider_index[r["provider"]]] in members]
            # what the table leaves to firms or countries it does not name may be domestic too: the upper bound
            unnamed = [r for r in known if r["provider"] == OTHERS or r["provider"] in AGGREGATE_PROVIDERS
                       or r["provider"] not in world.provider_index]
            lower = sum(float(r["share_pct"]) for r in home) / 100
            upper = min(1.0, lower + sum(float(r["share_pct"]) for r in unnamed) / 100)
            out.append({"input": product, "name": name, "period": table.period, "country": country,
                        "localization_lower": round(lower, 6), "localization_upper": round(upper, 6),
                        "domestic_providers": [world.provider_names[world.provider_index[r["provider"]]]
                                               for r in home],
                        "basis": "country" if table.kind == "country" else "firm headquarters",
                        "share_basis": table.basis, "forecast": table.forecast})
    return out


def localization_at_dates(history: Sequence[Mapping[str, Any]], dates: Sequence[date]) -> list[dict[str, Any]]:
    """Localization at each date of a series, from its history (``localization_history``): per product, the row
    of the latest share table whose period began on or before the date (a table of actual figures before any of
    forecasts, as the current answer does; a forecast only where no actual table has begun), with the date in
    ``at``; a product none of whose tables has begun by a date has no row for it (``api.localization_over_time``
    asks it for the command line, the REST API, the MCP server and the web page)."""
    by_product: dict[str, list[tuple[date, bool, Mapping[str, Any]]]] = defaultdict(list)
    for row in history:
        by_product[str(row["input"])].append((Period.parse(str(row["period"])).start, bool(row["forecast"]), row))
    out = []
    for when in dates:
        for product, rows in by_product.items():
            begun = [r for r in rows if r[0] <= when]
            chosen = [r for r in begun if not r[1]] or begun
            if not chosen:
                continue
            _, _, row = max(chosen, key=lambda r: r[0])
            out.append({"at": when.isoformat(), "input": product, "name": row["name"], "period": row["period"],
                        "localization_lower": row["localization_lower"],
                        "localization_upper": row["localization_upper"],
                        "domestic_providers": row["domestic_providers"], "forecast": row["forecast"]})
    return out


def impairment(s: Situation, threshold_pct: float = 50.0) -> dict[str, Any]:
    """Processes and stages whose inputs fall below ``threshold_pct`` percent availability, through the
    process chain.

    'certain' uses the upper availability bound (impaired even in the best case), 'possible' the lower.
    An input without share data stands for its parts (a bucket is as available as its least available part).
    """
    threshold = threshold_pct / 100.0
    table = {r["input"]: r for r in _plain_table(s)}
    world = s.world
    kinds = dict(zip(world.inputs, world.input_kinds, strict=True))
    parts: dict[str, list[str]] = defaultdict(list)
    for n, anc in enumerate(world.ancestors):
        for a in anc:
            if a != world.inputs[n]:
                parts[a].append(world.inputs[n])
    feeders: dict[str, list[str]] = defaultdict(list)
    upstream: dict[str, list[str]] = defaultdict(list)
    for child, parent in world.feeds:
        if kinds.get(parent) not in ("process", "ultimate_output"):
            continue
        (upstream if kinds.get(child) == "process" else feeders)[parent].append(child)

    def bounds(node: str, seen: frozenset[str] = frozenset()) -> tuple[float, float] | None:
        if node in table:
            return table[node]["available_lower"], table[node]["available_upper"]
        found = [b for p in parts.get(node, []) if p not in seen and (b := bounds(p, seen | {node}))]
        if not found:
            return None
        return min(b[0] for b in found), min(b[1] for b in found)

    processes = [i for i in world.inputs if kinds[i] in ("process", "ultimate_output")]
    direct: dict[str, dict[str, Any]] = {}
    for proc in processes:
        short = []
        for feeder in feeders.get(proc, []):
            b = bounds(feeder)
            if b and b[0] < threshold:
                short.append({"input": feeder, "name": world.input_names[world.index[feeder]],
                              "available_lower": b[0], "available_upper": b[1], "certain": b[1] < threshold})
        direct[proc] = {"short": short, "certain": any(x["certain"] for x in short), "possible": bool(short)}

    def chain(proc: str, key: str, seen: frozenset[str] = frozenset()) -> bool:
        return direct[proc][key] or any(chain(u, key, seen | {proc}) for u in upstream.get(proc, [])
                                        if u in direct and u not in seen)

    rows = []
    for proc in processes:
        rows.append({"process": proc, "name": world.input_names[world.index[proc]],
                     "stages": list(world.input_stages[world.index[proc]]),
                     "impaired": "certain" if chain(proc, "certain") else "possible" if chain(proc, "possible")
                     else "no",
                     "short_inputs": direct[proc]["short"],
                     "via_upstream": [u for u in upstream.get(proc, []) if chain(u, "possible")]})
    stage_status: dict[str, str] = {}
    order = {"no": 0, "possible": 1, "certain": 2}
    for row in rows:
        for stage in row["stages"]:
            if order[row["impaired"]] >= order[stage_status.get(stage, "no")]:
                stage_status[stage] = row["impaired"]
    return {"destination": s.dest.label, "at": s.at.isoformat(), "threshold_pct": threshold_pct,
            "processes": rows, "stages": [{"stage": k, "impaired": v} for k, v in sorted(stage_status.items())]}


def diff_availability(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inputs whose availability bounds differ between two evaluations (a -> b)."""
    left = {r["input"]: r for r in a}
    out = []
    for rec in b:
        before = left.get(rec["input"])
        if before is None:
            continue
        d_lo = rec["available_lower"] - before["available_lower"]
        d_hi = rec["available_upper"] - before["available_upper"]
        if abs(d_lo) > 1e-9 or abs(d_hi) > 1e-9:
            out.append({"input": rec["input"], "name": rec["name"],
                        "before_lower": before["available_lower"], "before_upper": before["available_upper"],
                        "after_lower": rec["available_lower"], "after_upper": rec["available_upper"],
                        "change_lower": round(d_lo, 6), "change_upper": round(d_hi, 6),
                        "newly_barred": sorted({x["name"] for x in rec["barred"]}
                                               - {x["name"] for x in before["barred"]}),
                        "no_longer_barred": sorted({x["name"] for x in before["barred"]}
                                                   - {x["name"] for x in rec["barred"]})})
    return sorted(out, key=lambda r: (r["change_lower"], r["input"]))




def rules_binding_seller(world: World, rules: Sequence[Rule], firm: str, at: date,
                         firm_parents: dict[str, str], names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The rules in force at ``at`` (by their own dates) that bind ``firm`` as a seller of an input it supplies:
    a rule binds it (named, a named firm's unit, headquartered where the rule binds sellers, or foreign to a
    buyer-side ban) and covers one of the inputs the firm view gives it a share of. Reach is 'certain' when both
    are sure and its dates surely put it in force (`reach.in_force_state`), else 'maybe'; relaxations in force
    that relax the rule are named, not applied. ``names`` (countries' and firms' by id) name the buyers cut
    off."""
    names = names or {}
    if firm not in world.provider_index:
        return []
    p = world.provider_index[firm]
    view = world.by_firm
    supplied = sorted(set(view.pair_input[view.pair_provider == p].tolist()))
    if not supplied:
        return []
    anywhere = Destination()
    relaxing: dict[str, list[str]] = defaultdict(list)
    for rule in rules:
        if rule.kind is RuleKind.RELAXATION and in_force(rule, at):
            for relaxed in rule.relaxes:
                relaxing[relaxed].append(rule.id)
    out = []
    for rule in rules:
        if rule.kind is RuleKind.RELAXATION or not in_force(rule, at):
            continue
        bound = int(binds(rule, world, anywhere, firm_parents)[p])
        if bound == NO:
            continue
        cover = product_reach(rule, world, firm_parents)
        inputs = [i for i in supplied if cover[i] != NO]
        if not inputs:
            continue
        sure = bound == YES and any(cover[i] == YES for i in inputs) and in_force_state(rule, at) == YES
        out.append({"id": rule.id, "name": rule.name, "kind": rule.kind.value, "imposed_by": rule.imposed_by,
                    "policy": rule.policy, "start": rule.start, "reach": "certain" if sure else "maybe",
                    "inputs": [world.inputs[i] for i in inputs], "buyers_cut_off": _buyers(rule, names),
                    "relaxed_by": relaxing.get(rule.id, []), "source": rule.source})
    return out


def _buyers(rule: Rule, names: Mapping[str, str]) -> str:
    """Whom a rule cuts off, in short: its target countries and firms by their ``names`` (by id where it has
    none) and segments ('any buyer' when none)."""
    t = rule.targets
    parts = [", ".join(names.get(c, c) for c in t.countries), ", ".join(names.get(f, f) for f in t.firms),
             ", ".join(s.replace("_", " ") for s in t.segments)]
    return "; ".join(p for p in parts if p) or "any buyer"


__all__ = ["Situation", "availability_table", "chokepoints", "diff_availability", "exposure",
           "impairment", "localization", "rules_binding_seller", "rules_in_force", "situation"]
