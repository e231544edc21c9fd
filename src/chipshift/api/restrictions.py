"""Questions about restrictions: rules in force, availability, exposure, chokepoints, localization,
impairment and differences — over the bundled data, any imported dataset, and optional scenarios."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from chipshift import checks
from chipshift.api.data import Report, entity_names, firms_by_notice, load_world, resolve
from chipshift.api.listings import listing_changes
from chipshift.api.percent import shares_in_percent
from chipshift.domain.period import parse_partial_date
from chipshift.domain.rules import Rule, RuleKind, kind_words, on_goods_only, rule_from_record, with_listed_targets
from chipshift.engine import analyses
from chipshift.engine.reach import (
    MAYBE,
    NO,
    YES,
    Compiled,
    Destination,
    compile_rules,
    covers,
    in_force_state,
    matches,
    named_sellers,
    product_reach,
    target_destinations,
    with_affiliates,
)
from chipshift.engine.world import VIEWS, World, share_history
from chipshift.errors import ChipshiftError, DataError, NotFoundError, Problem
from chipshift.io.scenario_file import parse_scenario, read_scenario
from chipshift.io.store import Store
from chipshift.io.tables import Row
from chipshift.scenarios.spec import Scenario
from chipshift.schemas import vocabulary as voc

if TYPE_CHECKING:  # the answer models load with the first answer: starting a command does not pay for pydantic
    from chipshift.api.answers import (
        AvailabilityAnswer,
        AvailabilitySeriesAnswer,
        ChokepointsAnswer,
        DiffAnswer,
        ExposureAnswer,
        ExposureSeriesAnswer,
        ImpairmentAnswer,
        LocalizationAnswer,
        LocalizationSeriesAnswer,
        RestrictionsAnswer,
        RuleAnswer,
        RulesInForceAt,
        TimelineAnswer,
        TimelineEvent,
    )

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """The world and rules one question is asked over."""

    world: World
    rules: list[Rule]
    firm_parents: dict[str, str]
    scenario: Scenario | None


ScenarioInput = Path | dict[str, Any] | Scenario | None


def load_scenario(store: Store, source: Path | dict[str, Any]) -> Scenario:
    """Read and check a scenario (a YAML file, or a mapping such as a JSON request body) against the store.

    Raises DataError naming the file (or 'scenario'), line and field of every problem.
    """
    if isinstance(source, dict):
        scenario, added, problems, edits = parse_scenario(source, "scenario")
        label = "scenario"
    else:
        if not source.is_file():
            raise DataError([Problem("scenario file not found", str(source), check="file_format")])
        scenario, added, problems, edits = read_scenario(source)
        label = source.name
    baseline_rows, countries, firms, inputs, sources = store.cached("scenario_references", lambda: (
        {r["id"]: r for r in store.rows("rules")}, frozenset(c["id"] for c in store.rows("countries")),
        frozenset(f["id"] for f in store.rows("firms")), frozenset(store.input_ids()),
        frozenset(s["id"] for s in store.rows("sources"))))  # read again after any write of data
    baseline_ids = set(baseline_rows)
    ctx = checks.Context(
        countries=set(countries), firms=set(firms), inputs=set(inputs), sources=set(sources),
        rules=baseline_ids | {r["id"] for r in added.rows}, external_inputs=set(),
    )
    problems += checks.rule_reference_problems(added.rows, ctx)
    problems += checks.rule_date_problems(added.rows)
    problems += checks.rule_conflict_problems(added.rows)
    if scenario is not None:
        for rule_id in [*scenario.remove, *(e["id"] for e in scenario.edit)]:
            if rule_id not in baseline_ids:
                problems.append(Problem(f"no baseline rule '{rule_id}' to remove or edit", label,
                                        field="remove/edit", check="references"))
        for row in added.rows:
            if scenario.baseline and row["id"] in baseline_ids and row["id"] not in scenario.remove:
                problems.append(row.problem("id", f"rule '{row['id']}' is already in the baseline: change it with "
                                                  "'edit', or list it under 'remove' to replace it", "unique_ids"))
        problems += _edit_problems(edits, baseline_rows, ctx)
    errors = [p for p in problems if p.severity == "error"]
    if errors or scenario is None:
        raise DataError(errors or problems)
    return scenario


def _edit_problems(edits: list[Row], baseline: dict[str, dict[str, Any]], ctx: checks.Context) -> list[Problem]:
    """The checks of added rules, over each edited rule (baseline fields with the edit's on top); only the
    problems of the fields the edit changes are reported (the baseline's own are the bundle's business)."""
    out: list[Problem] = []
    for edit in edits:
        current = baseline.get(edit["id"])
        if current is None:
            continue
        changed = {k for k in edit.values if k != "id"}
        merged = Row({**current, **{k: edit.values[k] for k in changed}}, edit.file, edit.line, edit.field_lines)
        found = checks.rule_reference_problems([merged], ctx) + checks.rule_date_problems([merged])
        out += [p for p in found if p.field in changed]
    return out


def _load(store: Store, scenario_input: ScenarioInput) -> Loaded:
    if scenario_input is None or isinstance(scenario_input, Scenario):
        scenario = scenario_input
    else:
        scenario = load_scenario(store, scenario_input)  # first: a bad file is refused before any other work
    world, parents = load_world(store)
    baseline = store.cached("baseline_rules", lambda: [rule_from_record(r) for r in store.rows("rules")])
    rules = with_listed_targets(scenario.apply(baseline) if scenario else baseline, firms_by_notice(store))
    return Loaded(world, rules, parents, scenario)


#: How many rule sets compiled for a destination a store keeps (``_situation``): the latest ones asked about.
COMPILED_KEPT = 16


def _situation(store: Store, loaded: Loaded, dest: Destination, at: date) -> analyses.Situation:
    """``analyses.situation`` for the loaded rules, with their compilation for the destination (which does not
    depend on the date) kept for the next question about the same scenario and destination, until the store
    changes; the ``COMPILED_KEPT`` latest are kept."""
    kept: dict[tuple[str, Destination], Compiled] = store.cached("compiled_rules", dict)
    key = (loaded.scenario.digest if loaded.scenario is not None else "", dest)
    compiled = kept.pop(key, None)
    if compiled is None:
        compiled = compile_rules(loaded.world, loaded.rules, [dest], loaded.firm_parents)
    kept[key] = compiled  # the newest last
    while len(kept) > COMPILED_KEPT:
        kept.pop(next(iter(kept)), None)
    return analyses.situation(loaded.world, loaded.rules, dest, at, loaded.firm_parents, compiled)


def answer_date(at: str | date | None, scenario: Scenario | None) -> date:
    """The date a question is asked at: ``at`` (a date or YYYY-MM-DD), else the scenario's own date, else
    today; ChipshiftError (exit 2) for text that is not a date."""
    if isinstance(at, date):
        return at
    text = at or (scenario.at if scenario and scenario.at else None)
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ChipshiftError(f"'{text}' is not a date (YYYY-MM-DD)") from exc


def rules_in_force_at(store: Store, at: str | date | None = None,
                      scenario: ScenarioInput = None) -> RulesInForceAt:
    """The date a question is asked at (as ``answer_date``) and, for every rule the engine evaluates (the
    scenario's rules with the listings ownership rules derive from them), whether its own dates put it in force
    then (`reach.in_force_state`: no, yes, or maybe inside the window of a date known only to the month or
    year). The engine reads the date only through these flags (the supply world has no date), so an
    availability or exposure answer for a destination is the same at two dates with the same flags, but for
    the date it states; a date where a rule starts or ends has other flags."""
    from chipshift.api.answers import RulesInForceAt

    loaded = _load(store, scenario)
    when = answer_date(at, loaded.scenario)
    return RulesInForceAt(at=when, flags=tuple(in_force_state(rule, when)
                                               for rule in with_affiliates(loaded.rules, loaded.firm_parents)))


def destination(store: Store, target: str, segment: str | None = None) -> Destination:
    """A country or region (ISO3 or name), or a firm (bought by that firm, in its home country)."""
    if segment is not None and segment not in voc.SEGMENTS:
        raise NotFoundError("segment", segment, [s for s in voc.SEGMENTS if segment.lower() in s][:5],
                            allowed=list(voc.SEGMENTS))
    try:
        return Destination(country=resolve(store, "countries", target), segment=segment)
    except NotFoundError as country_error:
        try:
            firm_id = resolve(store, "firms", target)
        except NotFoundError as firm_error:
            raise NotFoundError("country or firm", target,
                                (country_error.suggestions + firm_error.suggestions)[:5]) from None
    firm = store.rows("firms", id=firm_id)[0]
    return Destination(country=firm["hq_country"], firm=firm_id, segment=segment)


def _context(store: Store, loaded: Loaded, dest: Destination, at: date) -> Report:
    """What every answer about a destination says of itself: the destination, the date, the scenario, and who the
    shares and rules come from."""
    scenario = loaded.scenario
    return {"destination": dest.label, "at": at.isoformat(),
            "scenario": None if scenario is None else {"name": scenario.name, "digest": scenario.digest,
                                                       "file": scenario.file},
            "data_sources": _data_sources(store)}


def restrictions_list(store: Store, target: str | None = None, at: str | date | None = None,
                      scenario: ScenarioInput = None, segment: str | None = None) -> RestrictionsAnswer:
    """Rules in force for a target at a date (all rules in force when no target is given)."""
    from chipshift.api.answers import RestrictionsAnswer

    return RestrictionsAnswer.model_validate(_rules_report(store, target, at, scenario, segment))


def _rules_report(store: Store, target: str | None = None, at: str | date | None = None,
                  scenario: ScenarioInput = None, segment: str | None = None) -> Report:
    """``restrictions_list``'s answer as a mapping (for the answers built on it without the answer models)."""
    loaded = _load(store, scenario)
    when = answer_date(at, loaded.scenario)
    if target is None:
        dest = Destination(country="WLD", segment=segment)
        rows = [{"id": r.id, "name": r.name, "kind": r.kind.value, "imposed_by": r.imposed_by, "policy": r.policy,
                 "start": r.start, "ended": r.ended, "in_force": "certain" if state == YES else "maybe",
                 "status": r.status, "source": r.source, "gaps": list(r.gaps)}
                for r in loaded.rules for state in (in_force_state(r, when),) if state != NO]
        return {**_context(store, loaded, dest, when), "destination": None, "count": len(rows), "rules": rows}
    dest = destination(store, target, segment)
    s = _situation(store, loaded, dest, when)
    elsewhere = _outside_chips(loaded)
    in_force = analyses.rules_in_force(s)
    rows = [r for r in in_force if r["id"] not in elsewhere]
    return {**_context(store, loaded, dest, when), "count": len(rows),
            "note": "reach 'whole': the rule cuts off the destination as asked; 'partial': only some of its "
                    "buyers or end uses (see reach_note); in_force 'maybe': the date is inside the month or "
                    "year a start or end known only that precisely can mean (see in_force_note); rules_lifted: "
                    "rules in their own dates that relaxations in force lift for everything they reach here; "
                    "rules_elsewhere: rules that reach it only on goods outside the semiconductor supply chain",
            "rules": rows, "rules_lifted": [r for r in analyses.rules_lifted(s) if r["id"] not in elsewhere],
            "rules_elsewhere": [{"id": r["id"], "name": r["name"], "products": elsewhere[r["id"]]}
                                for r in in_force if r["id"] in elsewhere]}


def _outside_chips(loaded: Loaded) -> dict[str, list[str]]:
    """The loaded rules whose every product is a good outside the semiconductor supply chain (`on_goods_only`),
    with those products; a relaxation counts as its products do."""
    return {r.id: [p.input for p in r.products] for r in loaded.rules
            if on_goods_only((p.input for p in r.products), loaded.world.outside_chain)}


def rules_binding_sales(store: Store, firm: str, at: str | date | None = None) -> list[dict[str, Any]]:
    """The rules in force at ``at`` that bar or license the firm's own sales (as a seller), on the baseline."""
    loaded = _load(store, None)
    return analyses.rules_binding_seller(loaded.world, loaded.rules, firm, answer_date(at, None),
                                         loaded.firm_parents, entity_names(store))


def rules_naming_firm(store: Store, firm: str, at: str | date | None = None) -> Report:
    """The rules in force at a date that reach a firm as a named party: its own entity listings and other
    rules naming it, and the listings of its owners that an ownership rule in force extends to it ("L via O");
    ``lifted``: the rules in their own dates that relaxations in force lift, with those relaxations."""
    report = _rules_report(store, resolve(store, "firms", firm), at)
    return {"at": report["at"], "rules": [
        {k: r[k] for k in ("id", "name", "kind", "imposed_by", "policy", "start", "reach", "relaxed_by", "source")}
        for r in report["rules"] if r["names_destination"]],
        "lifted": {r["id"]: r["lifted_by"] for r in report["rules_lifted"]}}


def restriction_show(store: Store, rule_id: str) -> RuleAnswer:
    """One rule: its fields, its source, how it holds over time, whom it reaches and the inputs it reaches in the
    loaded world, as the engine decides reach: an input its products cover and, for a rule that binds named firms
    alone, one they supply (`reach.product_reach`); 'certain' only where that is sure and the rule cuts off every
    buyer it targets as asked (`reach.matches` at its targets: a rule limited to some end uses reaches its country's
    market only in part). A relaxation reaches what it may free of the rules it relaxes."""
    records = store.rows("rules", id=rule_id)
    if not records:
        ids = [r["id"] for r in store.rows("rules")]
        raise NotFoundError("rule", rule_id, difflib.get_close_matches(rule_id.upper(), ids, n=5, cutoff=0.4))
    record = records[0]
    loaded = _load(store, None)
    world, parents = loaded.world, loaded.firm_parents
    by_id = {r.id: r for r in loaded.rules}
    rule = by_id.get(rule_id) or rule_from_record(record)
    reach = product_reach(rule, world, parents)
    relaxed = [by_id[r] for r in rule.relaxes if r in by_id]
    if relaxed:  # a relaxation frees only what the rules it relaxes may bar
        of_rules = np.stack([product_reach(r, world, parents) for r in relaxed])
        surely = (reach == YES) & (of_rules == YES).any(axis=0)
        reach = np.where((reach == NO) | ~(of_rules != NO).any(axis=0), NO, np.where(surely, YES, MAYBE))
    names = entity_names(store)
    buyers, buyers_note = _buyers_reach(rule, loaded, names)
    source = store.rows("sources", id=rule.source)
    mentioned = [rule.imposed_by, *rule.sellers.hq_in, *rule.sellers.firms, *rule.targets.countries,
                 *rule.targets.firms, *rule.targets.uncertain_firms]
    from chipshift.api.answers import RuleAnswer

    written = covers(rule, world)
    by_firms = named_sellers(rule, world) is not None
    relaxed_by = [r["id"] for r in store.rows("rules") if rule.id in (r["relaxes"] or [])]

    def why(i: int) -> str | None:
        reasons = []
        if reach[i] != YES:
            reasons.append("a kind of an input the named firms supply, which the data does not say they supply"
                           if by_firms and written[i] == YES else
                           "it depends on an attribute the input does not carry, or on what a rule it relaxes reaches")
        if buyers != "whole" and buyers_note:
            reasons.append(buyers_note)
        return "; ".join(reasons) or None

    return RuleAnswer.model_validate({
        **{k: record[k] for k in ("id", "name", "kind", "imposed_by", "authority", "policy", "announced", "effective",
                                  "ended", "relaxes", "status", "summary", "quote", "gaps")},
        "kind_words": kind_words(record["kind"], record["policy"]),
        "products": record["products"], "sellers": record["sellers"], "targets": record["targets"],
        "names": {x: names[x] for x in mentioned if x in names},
        "relaxed_by": relaxed_by,
        "rule_names": {r["id"]: r["name"] for r in store.rows("rules")
                       if r["id"] in relaxed_by or r["id"] in rule.relaxes},
        "standing": rule_standings(store).get(rule.id, []),
        "source": source[0] if source else None,
        "buyers_reach": buyers, "buyers_note": buyers_note,
        "reaches": [{"input": world.inputs[i], "name": world.input_names[i],
                     "reach": "certain" if reach[i] == YES and buyers == "whole" else "maybe", "note": why(i)}
                    for i in range(world.n_inputs) if reach[i] != NO],
    })


def _buyers_reach(rule: Rule, loaded: Loaded, names: dict[str, str]) -> tuple[str, str | None]:
    """Whether a rule cuts off every buyer it targets, asked about each as a whole (its countries' markets, its named
    parties): 'whole', or 'partial' with why, as the engine decides (`reach.matches`: a rule limited to some end
    uses reaches a country's whole market only in part, and availability leaves it out there)."""
    if rule.targets.affiliates:
        return "whole", None  # it reaches the owned firms through the listings it extends
    context = [r for r in loaded.rules if r.kind is RuleKind.ENTITY_LISTING]
    dests = [Destination(d.country, d.firm) for d in target_destinations(rule, loaded.world, context,
                                                                           loaded.firm_parents)]
    verdicts = [matches(rule, d, loaded.world, loaded.firm_parents) for d in dests]
    if all(v == YES for v in verdicts):
        return "whole", None
    whom = ", ".join(names.get(d.firm or d.country or "", d.firm or d.country or "") for d in dests)
    if rule.targets.segments:
        uses = "; ".join(voc.SEGMENTS.get(x, x.replace("_", " ")) for x in rule.targets.segments)
        return "partial", (f"only buyers in these end uses: {uses}. Asked about {whom} as a whole, the rule reaches "
                           "the market only in part and availability leaves it out; name the end use to apply it")
    return "partial", f"only some of the buyers in {whom}: name one of its parties to apply it"


#: The engine's fractions that answers give in percent (``shares_in_percent``): availability bounds and the strict
#: reading, the barred shares of exposure, localization, and the bounds before and after a change with the change.
AVAILABLE = ("available_lower", "available_upper", "available")
BARRED = ("barred_lower", "barred_upper", "barred", "barred_lower_mean", "barred_upper_mean", "barred_lower_weighted",
          "barred_upper_weighted")
LOCALIZATION = ("localization_lower", "localization_upper", "localization")
CHANGED = ("before_lower", "before_upper", "after_lower", "after_upper", "change_lower", "change_upper")


def _inputs(store: Store, world: World, input_name: str | None) -> list[int] | None:
    if input_name is None:
        return None
    return [world.index[resolve(store, "inputs", input_name)]]


def availability(store: Store, target: str, input_name: str | None = None, at: str | date | None = None,
                 scenario: ScenarioInput = None, segment: str | None = None,
                 view: str | None = None) -> AvailabilityAnswer:
    """Share of each input's world supply the target may still buy, with bounds where shares are unknown."""
    from chipshift.api.answers import AvailabilityAnswer

    if view is not None and view not in VIEWS:
        raise ChipshiftError(f"unknown view '{view}' (allowed: {', '.join(VIEWS)})")
    loaded = _load(store, scenario)
    when = answer_date(at, loaded.scenario)
    dest = destination(store, target, segment)
    s = _situation(store, loaded, dest, when)
    rows = analyses.availability_table(s, _inputs(store, loaded.world, input_name), view, detail=True)
    return AvailabilityAnswer.model_validate({**_context(store, loaded, dest, when),
            "definition": "percent of world supply (by the view's providers) not barred for the destination; "
                          "'available_pct' is the strict reading (licences under review refused, unknown reach "
                          "applied) and is null when some shares are unknown and the bounds differ",
            "inputs": shares_in_percent(rows, AVAILABLE)})


def exposure(store: Store, target: str, at: str | date | None = None, scenario: ScenarioInput = None,
             segment: str | None = None) -> ExposureAnswer:
    """Share of supply barred for the target, per input and per stage (market-size weighted)."""
    from chipshift.api.answers import ExposureAnswer

    loaded = _load(store, scenario)
    when = answer_date(at, loaded.scenario)
    dest = destination(store, target, segment)
    s = _situation(store, loaded, dest, when)
    return ExposureAnswer.model_validate({**_context(store, loaded, dest, when),
                                          **shares_in_percent(analyses.exposure(s), BARRED)})


#: The most dates one series may hold: bounds the time and memory of a question.
MAX_SERIES_DATES = 400


def series_dates(start: str | date, end: str | date, every: str = "1y") -> list[date]:
    """The dates from ``start`` to ``end`` (both included when the step lands on it) every ``every``: a whole
    number of years, months or days ('1y', '6m', '3m', '14d'). ChipshiftError (exit 2) for a bad step, an
    end before the start, or more than ``MAX_SERIES_DATES`` dates."""
    first, last = (answer_date(d, None) for d in (start, end))
    if last < first:
        raise ChipshiftError(f"--to {last.isoformat()} is before --from {first.isoformat()}")
    text = every.strip().lower()
    unit = text[-1:] if text else ""
    if unit not in ("y", "m", "d") or not text[:-1].isdigit() or int(text[:-1]) < 1:
        raise ChipshiftError(f"'{every}' is not a step: give a whole number of years, months or days, e.g. 1y, 3m, 30d")
    n = int(text[:-1])
    out: list[date] = []
    k = 0
    while True:
        try:
            if unit == "d":
                when = first + timedelta(days=n * k)
            else:
                months = first.month - 1 + k * (12 * n if unit == "y" else n)
                year, month = first.year + months // 12, months % 12 + 1
                when = _clamped(year, month, first.day)
        except (ValueError, OverflowError):  # past the last date there is (a step of thousands of years)
            return out
        if when > last:
            return out
        out.append(when)
        if len(out) > MAX_SERIES_DATES:
            raise ChipshiftError(f"more than {MAX_SERIES_DATES} dates from {first.isoformat()} to "
                                 f"{last.isoformat()} every {every}: take a longer step")
        k += 1


def _clamped(year: int, month: int, day: int) -> date:
    """The day in that month, or the month's last day when it is shorter (31 Jan + 1 month: 28 or 29 Feb)."""
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day, (following - timedelta(days=1)).day))


def _rule_changes(now: set[str], before: set[str] | None) -> dict[str, list[str]]:
    """The rules reaching the destination that came into force, and that ended or were lifted, since the
    previous date (at the first date: every rule in force)."""
    return {"rules_started": sorted(now - (before or set())), "rules_ended": sorted((before or set()) - now)}


def _reaching(s: analyses.Situation) -> set[str]:
    """The rules in force at the situation's date that reach its destination, wholly or in part."""
    return {r["id"] for r in analyses.rules_in_force(s)}


#: Why a series leaves some rules reaching its destination out of its lists of rules (``rules_left_out``).
RULES_LEFT_OUT_WHY = (
    "they change no figure of the supply chain: taken alone on the day each takes effect, none changes an "
    "availability figure, as the goods they cover have no supply shares (goods of the back-test episodes, such as "
    "beef, barley or coal) or they bind no seller holding a share; `data validate` gives each one's reason")


def _idle(store: Store, loaded: Loaded) -> frozenset[str]:
    """The loaded rules that change no availability figure (``coverage.idle_rules``), with the relaxations
    whose every relaxed rule is one of them; kept per scenario until the store changes."""
    from chipshift.engine.coverage import idle_rules

    kept: dict[str, frozenset[str]] = store.cached("idle_rules", dict)
    key = loaded.scenario.digest if loaded.scenario is not None else ""
    if key not in kept:
        idle = {i.rule for i in idle_rules(loaded.world, loaded.rules, loaded.firm_parents)}
        idle |= {r.id for r in loaded.rules if r.kind is RuleKind.RELAXATION and r.relaxes
                 and all(x in idle for x in r.relaxes)}
        kept[key] = frozenset(idle)
    return kept[key]


#: Without a range asked for or given by the scenario, a series starts on 1 January this many years before its end.
DEFAULT_SERIES_YEARS = 5


def series_range(scenario: Scenario | None, start: str | date | None = None, end: str | date | None = None,
                 every: str | None = None, at: str | date | None = None) -> tuple[date, date, str, str]:
    """The range of a series: ``(start, end, every, given_by)``. Each of ``start``, ``end`` and ``every`` asked
    for is kept; what is not asked for comes from the scenario's own range of dates (its ``over``) when it gives
    one, else the default: to ``at`` (else the scenario's date, else today), from 1 January
    ``DEFAULT_SERIES_YEARS`` years before, every year. ``given_by`` says which: 'request', 'scenario' or
    'default' (the first that supplied the start)."""
    over = scenario.over if scenario is not None else None
    if over is not None:
        first, last, step = over
        given = "request" if start is not None else "scenario"
    else:
        last = answer_date(at, scenario).isoformat() if end is None else answer_date(end, None).isoformat()
        first = date(date.fromisoformat(last).year - DEFAULT_SERIES_YEARS, 1, 1).isoformat()
        step = "1y"
        given = "request" if start is not None else "default"
    return (answer_date(start if start is not None else first, None),
            answer_date(end if end is not None else last, None), every or step, given)


def _over_time(store: Store, target: str, start: str | date | None, end: str | date | None, every: str | None,
               scenario: ScenarioInput, segment: str | None,
               rows_of: Callable[[analyses.Situation], list[dict[str, Any]]]) -> tuple[Report, list[dict[str, Any]]]:
    """One question at every date of a range (``series_range``: what is not asked for comes from the scenario's
    range, else the default): the answer's context, and the rows ``rows_of`` gives at each date (each with its
    date), with the rules reaching the destination that started or ended between dates and each such rule's name
    (``rule_names``). Rules that change no figure (``_idle``: rules on goods outside the chip supply chain, or
    binding no seller with a share) are left out of those lists, and named in ``rules_left_out``."""
    loaded = _load(store, scenario)
    first, last, step, given = series_range(loaded.scenario, start, end, every)
    dates = series_dates(first, last, step)
    dest = destination(store, target, segment)
    rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    before: set[str] | None = None
    idle = _idle(store, loaded)
    left_out: set[str] = set()
    for when in dates:
        s = _situation(store, loaded, dest, when)
        rows += [{"at": when.isoformat(), **row} for row in rows_of(s)]
        reaching = _reaching(s)
        now = reaching - idle
        left_out |= reaching & idle
        names |= {str(r["id"]): str(r["name"]) for r in analyses.rules_in_force(s) if r.get("name")}
        changes.append({"at": when.isoformat(), **_rule_changes(now, before)})
        before = now
    context = {**_context(store, loaded, dest, dates[0]), "destination_name": destination_name(store, dest), "at": None,
               "from": dates[0].isoformat(), "to": dates[-1].isoformat(), "every": step, "range_given_by": given,
               "dates": [d.isoformat() for d in dates], "rule_changes": changes,
               "rule_names": {k: names[k] for k in sorted(names) if any(k in c["rules_started"] or k in c["rules_ended"]
                                                                        for c in changes)},
               "rules_left_out": sorted(left_out), "rules_left_out_why": RULES_LEFT_OUT_WHY}
    return context, rows


def exposure_over_time(store: Store, target: str, start: str | date | None = None, end: str | date | None = None,
                       every: str | None = None, scenario: ScenarioInput = None,
                       segment: str | None = None) -> ExposureSeriesAnswer:
    """Exposure per stage at each date from ``start`` to ``end`` every ``every``: the market-size weighted
    share of each stage's supply barred for the target (lower and upper bounds), with the rules that came
    into force or ended since the previous date. What is not given comes from the scenario's range of dates
    (its ``over``), else 1 January of each of the five years before today, and today (``series_range``)."""
    names = {r["id"]: r["name"] for r in store.rows("stages")}
    keys = ("barred_lower_weighted", "barred_upper_weighted", "barred_lower_mean", "barred_upper_mean", "inputs")

    def rows_of(s: analyses.Situation) -> list[dict[str, Any]]:
        return [{"stage": stage["stage"], "stage_name": names.get(stage["stage"], stage["stage"]),
                 **shares_in_percent({key: stage[key] for key in keys}, BARRED)}
                for stage in analyses.exposure(s)["by_stage"]]

    from chipshift.api.answers import ExposureSeriesAnswer

    context, rows = _over_time(store, target, start, end, every, scenario, segment, rows_of)
    return ExposureSeriesAnswer.model_validate({
        **context, "unit": "percent of the stage's supply (market-size weighted over its inputs with a market size)",
        "by_stage": rows})


def availability_over_time(store: Store, target: str, start: str | date | None = None,
                           end: str | date | None = None, every: str | None = None,
                           input_name: str | None = None, scenario: ScenarioInput = None,
                           segment: str | None = None, view: str | None = None) -> AvailabilitySeriesAnswer:
    """Availability of each input (or one) at each date from ``start`` to ``end`` every ``every``: the share
    of world supply the target may still buy, its bounds, and the rules barring it. What is not given comes
    from the scenario's range of dates (its ``over``), else the default (``series_range``)."""
    if view is not None and view not in VIEWS:
        raise ChipshiftError(f"unknown view '{view}' (allowed: {', '.join(VIEWS)})")

    def rows_of(s: analyses.Situation) -> list[dict[str, Any]]:
        out = []
        for rec in analyses.availability_table(s, _inputs(store, s.world, input_name), view):
            barred = {r for b in rec.get("barred", []) for r in b["rules"]}
            maybe = {r for b in rec.get("maybe_barred", []) for r in b["rules"]}
            out.append({"input": rec["input"], "name": rec["name"],
                        **shares_in_percent({key: rec[key] for key in AVAILABLE}, AVAILABLE),
                        "barred_by": sorted(barred), "maybe_barred_by": sorted(maybe - barred)})
        return out

    from chipshift.api.answers import AvailabilitySeriesAnswer

    context, rows = _over_time(store, target, start, end, every, scenario, segment, rows_of)
    return AvailabilitySeriesAnswer.model_validate({**context, "unit": "percent of world supply", "inputs": rows})


def destination_name(store: Store, dest: Destination) -> str:
    """The destination in words: 'China', 'Huawei (China)', with its segment ('China, segment data center')."""
    def name(kind: str, key: str | None) -> str | None:
        rows = store.rows(kind, id=key) if key else []
        return str(rows[0]["name"]) if rows else key

    country, firm = name("countries", dest.country), name("firms", dest.firm)
    text = f"{firm} ({country})" if firm else (country or "anyone")
    return f"{text}, segment {dest.segment.replace('_', ' ')}" if dest.segment else text


def _data_sources(store: Store) -> list[str]:
    """Who the shares and market sizes come from: each imported dataset's credit line, and the bundled data."""
    return [*(str(d["attribution"]).rstrip(". ") for d in store.rows("datasets")),
            "chipshift bundled facts and restriction rules (each with its source)"]


def _percent(value: float, name: str) -> float:
    """A threshold in percent; ChipshiftError (exit 2) outside [0, 100]."""
    if not 0.0 <= value <= 100.0:  # also refuses NaN
        raise ChipshiftError(f"{name} {value:g} is outside [0, 100] (a percent)")
    return float(value)


def chokepoints(store: Store, threshold_pct: float = 80.0, coalition: list[str] | None = None,
                show_all: bool = False, over_time: bool = False) -> ChokepointsAnswer:
    """Inputs where one real country holds at least ``threshold_pct`` percent of world supply; with
    ``over_time``, the same measures for every period of the bundled products' share tables."""
    threshold_pct = _percent(threshold_pct, "threshold")
    world, _ = load_world(store)
    members = [resolve(store, "countries", c) for c in (coalition or ["USA", "JPN", "NLD"])]
    rows = analyses.chokepoints(world, threshold_pct, members, only_above=not show_all)
    report: Report = {
        "threshold_pct": threshold_pct, "coalition": members,
        "definition": "country shares of world supply: an input's country rows (CSET; USGS production for raw "
                      "materials), else its firms' shares summed by headquarters country (basis 'firm "
                      "headquarters'; firms a source does not name count as 'various countries'); where the known "
                      "shares sum above 100% they are divided by their sum, as availability does (shares_sum_pct "
                      "gives the sum as published); aggregates ('various countries', regions such as Europe) are "
                      "not one player: they are left out of the top country, the HHI and countries_for_75pct; HHI "
                      "over the real countries' numeric shares (0-10,000); countries_for_75pct: fewest real "
                      "countries whose shares reach 75% (null when the real countries' shares never do)",
        "count": len(rows), "inputs": rows}
    if over_time:
        firms = {f["id"]: f["hq_country"] for f in store.rows("firms")}
        countries = [c["id"] for c in store.rows("countries") if c["kind"] == "country"]
        history = share_history(store.rows("facts"), firms, countries)
        report["history"] = analyses.concentration_history(world, history, members)
        report["history_definition"] = ("the same measures for each period of the bundled products' share tables "
                                         "(one tracker's table per period; 'forecast' marks tables with forecast "
                                         "figures, which the current answer uses only when nothing else exists)")
    from chipshift.api.answers import ChokepointsAnswer

    return ChokepointsAnswer.model_validate(report)


def localization(store: Store, country: str, input_name: str | None = None) -> LocalizationAnswer:
    """Self-sufficiency: the share of each input's world supply from providers headquartered in the country, over
    time, beside published localization estimates and production by plant location."""
    from chipshift.api.answers import LocalizationAnswer

    world, _ = load_world(store)
    code = resolve(store, "countries", country)
    rows = analyses.localization(world, code, _inputs(store, world, input_name))
    published = [
        {"id": f["id"], "product": f["product"], "period": f["period"], "value": f["value"], "unit": f["unit"],
         "status": f["status"], "definition": f["definition"], "publisher": f["publisher"],
         "original_publisher": f["original_publisher"], "source": f["source"], "title": f["source_title"],
         "published": f["published"], "url": f["url"], "quote": f["quote"]}
        for f in store.facts(entity=code, metric="localization_rate")
    ]
    site = [{"stage": p["input"], "share_pct": p["share_pct"], "year": p["year"]}
            for p in store.rows("provision", provider=code) if p["basis"] == "site_location"]
    history = _localization_history(store, world, code, [r["input"] for r in rows] if input_name else None)
    return LocalizationAnswer.model_validate({"country": code,
            "definition": "share of each input's world supply from providers headquartered in the country "
                          "(bounds when some shares are unknown)",
            "inputs": shares_in_percent(rows, LOCALIZATION), "published_estimates": published,
            "history": shares_in_percent(history, LOCALIZATION),
            "history_definition": "the same share for each period of the bundled products' world share tables (one "
                                  "tracker's table per period; 'forecast' marks tables with forecast figures): a "
                                  "percent of world supply, not of the country's own market as most published "
                                  "estimates are",
            "by_production_location": site,
            "by_production_location_definition": "stage-level share of capacity by plant location (CSET)"})


def _localization_history(store: Store, world: World, country: str,
                          inputs: list[str] | None) -> list[dict[str, Any]]:
    """The country's localization per period of the bundled products' world share tables (all inputs, or those
    given)."""
    firms = {f["id"]: f["hq_country"] for f in store.rows("firms")}
    countries = [c["id"] for c in store.rows("countries") if c["kind"] == "country"]
    return analyses.localization_history(world, share_history(store.rows("facts"), firms, countries), country,
                                         inputs)


def localization_over_time(store: Store, country: str, start: str | date | None = None,
                           end: str | date | None = None, every: str | None = None,
                           input_name: str | None = None) -> LocalizationSeriesAnswer:
    """Self-sufficiency at each date from ``start`` to ``end`` every ``every``: per input, the country's share of
    world supply as the input's latest world share table begun by the date gives it (a table of actual figures
    before one of forecasts); an input none of whose tables has begun by a date has no row for it. What is not
    given comes from the default range (``series_range`` without a scenario: to ``end``, else today, from 1
    January five years before, every year)."""
    from chipshift.api.answers import LocalizationSeriesAnswer

    first, last, step, given = series_range(None, start, end, every)
    dates = series_dates(first, last, step)
    world, _ = load_world(store)
    code = resolve(store, "countries", country)
    inputs = ([r["input"] for r in analyses.localization(world, code, _inputs(store, world, input_name))]
              if input_name else None)
    history = _localization_history(store, world, code, inputs)
    named = store.rows("countries", id=code)
    return LocalizationSeriesAnswer.model_validate({
        "country": code, "country_name": str(named[0]["name"]) if named else code,
        "from": dates[0].isoformat(), "to": dates[-1].isoformat(), "every": step, "range_given_by": given,
        "dates": [d.isoformat() for d in dates],
        "unit": "percent of the input's world supply (not of the country's own market)",
        "series": shares_in_percent(analyses.localization_at_dates(history, dates), LOCALIZATION),
        "series_definition": "at each date, each product's row of the history table (the country's share per "
                             "period of the bundled world share tables) whose period began latest on or before "
                             "the date, actual figures before forecasts; lower bound: the providers the table "
                             "names, upper: with what it leaves to others"})


def impairment(store: Store, target: str, at: str | date | None = None, scenario: ScenarioInput = None,
               threshold_pct: float = 50.0) -> ImpairmentAnswer:
    """Processes and stages impaired because an input they need is less than ``threshold_pct`` percent
    available to the target."""
    threshold_pct = _percent(threshold_pct, "threshold")
    loaded = _load(store, scenario)
    when = answer_date(at, loaded.scenario)
    dest = destination(store, target)
    s = _situation(store, loaded, dest, when)
    from chipshift.api.answers import ImpairmentAnswer

    return ImpairmentAnswer.model_validate({**_context(store, loaded, dest, when),
                                            **shares_in_percent(analyses.impairment(s, threshold_pct), AVAILABLE)})


def diff(store: Store, target: str, at: str | date | None = None, to: str | date | None = None,
         scenario: ScenarioInput = None, against: ScenarioInput = None, segment: str | None = None) -> DiffAnswer:
    """What changes between two dates, or two scenarios (the baseline when one is not given)."""
    before = _load(store, scenario)
    after = _load(store, against) if against else before
    when_a = answer_date(at, before.scenario)
    # The second side is read at `to`; else at the question's own date (an explicit `at`, or the first
    # side's); a scenario's date applies only where the question gives none.
    if to:
        when_b = answer_date(to, None)
    elif not at and after.scenario and after.scenario.at:
        when_b = answer_date(None, after.scenario)
    else:
        when_b = when_a
    dest = destination(store, target, segment)
    sa = _situation(store, before, dest, when_a)
    sb = _situation(store, after, dest, when_b)
    in_force_a, in_force_b = analyses.rules_in_force(sa), analyses.rules_in_force(sb)
    ids_a = {r["id"] for r in in_force_a}
    ids_b = {r["id"] for r in in_force_b}
    names = {str(r["id"]): str(r["name"]) for r in [*in_force_a, *in_force_b]
             if r.get("name") and r["id"] in ids_a ^ ids_b}
    changes = analyses.diff_availability(analyses.availability_table(sa), analyses.availability_table(sb))
    # the screening list's changes recorded by re-imports after the first date up to the second
    early, late = sorted((when_a, when_b))
    _, firms = target_scope(store, target)
    listed = listing_changes(store, early + timedelta(days=1), late, firms) if early < late else []
    from chipshift.api.answers import DiffAnswer

    return DiffAnswer.model_validate({
            "destination": dest.label, "from": {"at": when_a.isoformat(), "scenario": _label(before)},
            "to": {"at": when_b.isoformat(), "scenario": _label(after)},
            "rules_added": sorted(ids_b - ids_a), "rules_removed": sorted(ids_a - ids_b),
            "rule_names": dict(sorted(names.items())),
            "count": len(changes), "inputs": shares_in_percent(changes, CHANGED),
            "listings_added": [c for c in listed if c["change"] == ("added" if when_a < when_b else "removed")],
            "listings_removed": [c for c in listed if c["change"] == ("removed" if when_a < when_b else "added")]})



def _label(loaded: Loaded) -> str:
    return loaded.scenario.name if loaded.scenario else "baseline"


def rule_standings(store: Store) -> dict[str, list[dict[str, Any]]]:
    """How each bundled rule (relaxations aside) holds from its start: stretches 'in force', 'narrowed' or 'lifted'
    by the relaxations of it in force (`analyses.rule_standing`, the engine's judgement of `restrictions list` at
    each date a relaxation of it starts or ends), each with the relaxations behind it and, from the second on, what
    changed in words ("lifted by <name> (<id>) on <date>"). Kept until the store changes."""
    def build() -> dict[str, list[dict[str, Any]]]:
        loaded = _load(store, None)
        names = {r.id: r.name for r in loaded.rules}
        policies = {r.id: r.policy for r in loaded.rules}
        out: dict[str, list[dict[str, Any]]] = {}
        for rule in loaded.rules:
            stretches = analyses.rule_standing(loaded.world, loaded.rules, rule, loaded.firm_parents)
            previous: analyses.Standing | None = None
            rows = []
            for stretch in stretches:
                note = (_relaxing_note(stretch, names) if rule.kind is RuleKind.RELAXATION
                        else _standing_note(previous, stretch, names, policies))
                rows.append({"from": stretch.start, "to": stretch.end, "state": stretch.state,
                             "relaxations": list(stretch.by), "note": note})
                previous = stretch
            out[rule.id] = rows
        return out

    found: dict[str, list[dict[str, Any]]] = store.cached("rule_standings", build)
    return found


def _relaxing_note(stretch: analyses.Standing, names: dict[str, str]) -> str:
    """What a relaxation does over a stretch of its standing, in words."""
    if not stretch.by:
        return f"relaxes no rule in force after {stretch.start}: the rules it names had ended"
    who = " and ".join(f"“{names.get(x, x)}” ({x})" for x in stretch.by)
    return f"relaxes {who} from {stretch.start}" + (f" until {stretch.end}" if stretch.end else "")


def _standing_note(before: analyses.Standing | None, now: analyses.Standing, names: dict[str, str],
                   policies: dict[str, str | None]) -> str | None:
    """What changed at the start of a stretch of a rule's standing, in words; None for a first stretch in force."""
    def who(ids: list[str] | tuple[str, ...]) -> str:
        return " and ".join(f"“{names.get(x, x)}” ({x})" for x in ids)

    held = before.by if before is not None else ()
    started = [x for x in now.by if x not in held] or list(now.by)
    ended = [x for x in held if x not in now.by]
    on = f"on {now.start}" if before is not None else f"from its start ({now.start})"
    if now.state == analyses.LIFTED:
        return f"lifted by {who(started)} {on}"
    if now.state == analyses.NARROWED:
        if before is not None and before.state == analyses.LIFTED:
            return f"in force again in part on {now.start}, as {who(ended)} ended; still narrowed by {who(now.by)}"
        how = ("a licence review replaces the ban where it applies"
               if all(policies.get(x) in ("licence_required", "case_by_case") for x in started)
               else "lifted for part of its products, sellers or buyers")
        text = f"narrowed by {who(started)} {on}: {how}"
        return text + (f"; {who(ended)} ended" if ended else "")
    if before is None:
        return None
    return f"back in force on {now.start}, as {who(ended)} ended"


#: How the timeline's changes of standing are named.
STANDING_EVENTS = {analyses.LIFTED: "rule lifted", analyses.NARROWED: "rule narrowed",
                   analyses.HOLDS: "rule back in force"}

#: What the timeline's events are.
TIMELINE_DEFINITION = (
    "rules: each rule's announcement, entry into force (effective, else announced) and end, and each date on which "
    "relaxations of it in force lifted it (for everything it reaches, at every buyer), narrowed it (for part of what "
    "it reaches or of its buyers, or into a licence review) or, when one ended, put it back in force, as the engine "
    "judges whether the rule applies on a date (`restrictions list`); listings: the "
    "screening-list entries a re-import found added or removed since the earlier snapshot, dated by the newer "
    "snapshot's publication date (`import csl --published`; else the day of the re-import), with the known "
    "firms each entry matches. With a target, the rules that name it (or a region it belongs to) and the "
    "entries matched to it (a firm) or to firms headquartered in it (a country)")


def target_scope(store: Store, target: str) -> tuple[set[str], set[str]]:
    """The ids a rule must name to concern the target (the country and the regions it belongs to, or the firm)
    and the firms whose listings concern it (the firm, or the firms headquartered in the country)."""
    dest = destination(store, target)
    if dest.firm is not None:
        return {dest.firm}, {dest.firm}
    countries = store.rows("countries")
    members = next((set(c["members"] or []) for c in countries if c["id"] == dest.country), set()) or {dest.country}
    regions = {c["id"] for c in countries if members & set(c["members"] or [])}
    firms = {f["id"] for f in store.rows("firms") if f["hq_country"] in members}
    return {dest.country, *members, *regions}, firms


def _day(text: str | date | None, field: str) -> date | None:
    if text is None or isinstance(text, date):
        return text
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ChipshiftError(f"{field}: '{text}' is not a date (YYYY-MM-DD)") from None


def restrictions_timeline(store: Store, target: str | None = None, start: str | date | None = None,
                          end: str | date | None = None) -> TimelineAnswer:
    """Rules (announced, in force, lifted, narrowed or back in force by relaxations of them, ended) and
    screening-list entries added and removed, by date."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if first and last and first > last:
        raise ChipshiftError("--from: must not be after --to")
    from chipshift.api.answers import TimelineAnswer, TimelineEvent

    named, firms = target_scope(store, target) if target else (None, None)
    standings = rule_standings(store)
    events: list[TimelineEvent] = []
    for r in store.rows("rules", order_by="id"):
        if named is not None:
            t = r["targets"] or {}
            if not named & {*(t.get("countries") or []), *(t.get("firms") or [])}:
                continue
        announced, effective = r["announced"], r["effective"]
        if announced and effective and announced != effective:
            dated = [("rule announced", announced), ("rule in force", effective)]
        elif announced:  # in force from its announcement (no effective date, or the same day)
            dated = [("rule announced and in force", announced)]
        else:
            dated = [("rule in force", effective)] if effective else []
        dated += [("rule ended", r["ended"])] if r["ended"] else []
        events += [TimelineEvent.model_validate({"date": str(day), "event": what, "id": r["id"], "name": r["name"],
                                                 "kind": r["kind"], "policy": r["policy"], "firms": (), "note": None,
                                                 "relaxations": ()})
                   for what, day in dated]
        events += [TimelineEvent.model_validate({
            "date": stretch["from"], "event": STANDING_EVENTS[stretch["state"]], "id": r["id"], "name": r["name"],
            "kind": r["kind"], "policy": r["policy"], "firms": (), "note": stretch["note"],
            "relaxations": stretch["relaxations"]})
            for stretch in standings.get(r["id"], []) if stretch["note"] and r["kind"] != "relaxation"]
    changes = listing_changes(store, first, last, firms)
    for c in changes:
        compared = f"snapshot of {c['date']} against {c['previous'] or 'the earlier import'}"
        notice = f"{c['federal_register_notice']}; " if c["federal_register_notice"] else ""
        events.append(TimelineEvent.model_validate({
            "date": c["date"], "event": f"listing {c['change']}", "id": c["list"], "name": c["entry"], "kind": None,
            "policy": c["license_policy"], "firms": c["firms"], "note": notice + compared, "relaxations": ()}))
    kept = [e for e in events if (first is None or parse_partial_date(e.date) >= first)
            and (last is None or parse_partial_date(e.date) <= last)]
    kept.sort(key=lambda e: (parse_partial_date(e.date), e.date, e.event.startswith("listing"), e.id, e.name))
    return TimelineAnswer.model_validate({
        "target": target, "from": first.isoformat() if first else None, "to": last.isoformat() if last else None,
        "definition": TIMELINE_DEFINITION, "list_changes_recorded": store.count("party_changes"), "count": len(kept),
        "events": kept})
