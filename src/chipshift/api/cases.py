"""Loading market cases: a case file checked against its declaration and the store, with the rules it runs
under and, for an episode, only what was known on its as_of date."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from chipshift.api.data import firms_by_notice, load_world
from chipshift.api.restrictions import load_scenario
from chipshift.domain.period import Period
from chipshift.domain.rules import Rule, rule_from_record, with_listed_targets
from chipshift.errors import DataError, Problem
from chipshift.io.store import Store
from chipshift.io.tables import load_yaml
from chipshift.scenarios import linked_case as linked
from chipshift.scenarios.linked_parse import parse_linked
from chipshift.scenarios.market_case import MarketCase, parse_case
from chipshift.scenarios.market_case_check import field_lines, is_linked
from chipshift.scenarios.market_run import RuleContext
from chipshift.schemas.cset import CSET_HINT
from chipshift.schemas.market_case import Ref

if TYPE_CHECKING:
    from chipshift.api.answers import DataNeeded

#: The largest seed of draws any front-end takes (the REST and MCP schemas declare the same bound).
MAX_SEED = 2**32 - 1


def load(store: Store, path: Path, restrictions: Path | dict[str, Any] | None = None) -> tuple[
        MarketCase | linked.LinkedCase, RuleContext, linked.Governed | None]:
    """``load_case``, with the pairs each rule entry of a linked case governs (None for a single market).
    With ``restrictions`` (a restriction scenario: a file, or a mapping as a saved scenario holds) the case runs
    under that scenario's rule set; rules it adds act on a linked case wherever they reach a pair for certain
    (see ``linked_case.govern``)."""
    document, problems = load_yaml(path, path.name) if path.is_file() else (
        None, [Problem("scenario file not found", str(path), check="file_format")])
    if problems:
        raise DataError(problems)
    if not isinstance(document, dict) or document.get("kind") != "market":
        line = document.get("__lines__", {}).get("kind", 1) if isinstance(document, dict) else 1
        raise DataError([Problem("not a market scenario (expected 'kind: market'); restriction scenarios go to "
                                 "--scenario on the engine's commands", path.name, line, "kind")])
    given = case_inputs(store)
    facts, parameters, own_rules, firms = given.facts, given.parameters, list(given.rules), given.firms
    rules = own_rules
    added: tuple[str, ...] = ()
    if restrictions is not None:
        scenario = load_scenario(store, restrictions)
        rules = scenario.apply(own_rules)
        added = tuple(str(r["id"]) for r in scenario.add)
    world, parents = load_world(store)
    references: dict[Ref, set[str]] = {"input": set(world.index), "country": set(given.countries),
                                       "document": set(given.sources)}
    context = RuleContext(rules, world, parents)
    if is_linked(document):
        case = parse_linked(document, facts, parameters, path.name,
                            {**references, "rule": {r.id for r in own_rules} | {r.id for r in rules},
                             "firm": set(firms)}, given.published)
        if case.episode is not None:  # an episode knows the rules of its as_of date, and the ones it names
            context = RuleContext(known_on(rules, case.episode.as_of, linked.named_rules(case)), world, parents)
        try:
            governed = linked.govern(case, context, path.name, added)
            if restrictions is not None:  # demand is found under the case's own rules, then held
                own = RuleContext(own_rules, world, parents)
                governed = dataclasses.replace(governed, baseline=linked.govern(case, own, path.name))
        except DataError as exc:  # the pair a rule cannot reach, at its line in the file
            lines = field_lines(document)
            raise DataError([dataclasses.replace(p, line=p.line or lines.get(p.field or "")) for p in exc.problems]
                            ) from None
        return case, context, governed
    if restrictions is not None:
        raise DataError([Problem("a restriction scenario applies to linked cases (model: linked) only",
                                 path.name, field="model")])
    return (parse_case(document, dict(facts), dict(parameters), {r.id for r in rules}, path.name, set(firms),
                       references), context, None)


@dataclasses.dataclass(frozen=True)
class CaseInputs:
    """What every case file is checked and set up against, read from the store once per state of it (a write
    through the store reads it again): loading the back-test library reads a hundred and more case files
    against the same store. Shared by every caller: read, never change."""

    facts: Mapping[str, dict[str, Any]]  # the facts by id
    parameters: Mapping[str, dict[str, Any]]  # parameters.csv's rows by id
    rules: tuple[Rule, ...]  # the store's own rules, each with the firms its screening-list notices name
    countries: frozenset[str]
    sources: frozenset[str]
    firms: frozenset[str]
    published: Mapping[str, date]  # each source's latest possible publication date (``_published_by``)


def case_inputs(store: Store) -> CaseInputs:
    """The store's rows a case is loaded against (``CaseInputs``), read once per state of the store."""

    def build() -> CaseInputs:
        rules = with_listed_targets([rule_from_record(r) for r in store.rows("rules")], firms_by_notice(store))
        return CaseInputs(
            facts=MappingProxyType({f["id"]: f for f in store.rows("facts")}),
            parameters=MappingProxyType({p["id"]: p for p in store.rows("parameters")}),
            rules=tuple(rules), countries=frozenset(c["id"] for c in store.rows("countries")),
            sources=frozenset(s["id"] for s in store.rows("sources")),
            firms=frozenset(f["id"] for f in store.rows("firms")), published=MappingProxyType(_published_by(store)))

    return store.cached("case_inputs", build)


def known_on(rules: Sequence[Rule], as_of: date, named: Collection[str]) -> list[Rule]:
    """The rules announced (else in force) by `as_of` (a date given to the month counts from its last day), and
    the `named` ones whatever their date: what an episode set up on `as_of` may apply. Later relaxations of a
    named rule are left out unless named too. An end date after `as_of` is dropped: when an end became known
    is not recorded, so it counts as hindsight."""
    known = [r for r in rules if r.id in named or latest_day(r.announced or r.start) <= as_of]
    return [dataclasses.replace(r, ended=None) if r.ended and latest_day(r.ended) > as_of else r for r in known]


def latest_day(day: str | None) -> date:
    """The last day a date may stand for (2023-03 is read as 2023-03-31); no date: never."""
    try:
        return Period.parse(day).end if day else date.max
    except ValueError:
        return date.max


def _published_by(store: Store) -> dict[str, date]:
    """Each source's latest possible publication date (the end of the period it gives: 2024-05 is read as
    2024-05-31), for checking what an episode's set-up could have known."""
    out = {}
    for source in store.rows("sources"):
        try:
            out[str(source["id"])] = Period.parse(str(source["published"])).end
        except ValueError:
            continue
    return out


#: The data a shipped file may need beyond the bundled data, by the hint its check gives when the store lacks it:
#: what it is, and the command that imports it.
IMPORTS = {CSET_HINT: ("CSET's supply-chain tables (the Emerging Technology Observatory's)",
                       "chipshift import cset PATH")}


def data_needed(store: Store, path: Path) -> DataNeeded | None:
    """What a shipped scenario file or market case needs that the store lacks, and how to get it: None when it
    checks against the store (it runs), else the data its check found missing and the import that brings it
    (a file that refers to CSET's inputs on a store without the CSET import). Kept until the next write of data."""
    from chipshift.api.answers import DataNeeded

    def check() -> dict[str, str | None] | None:
        try:
            if is_market_file(path):
                load(store, path)
            else:
                load_scenario(store, path)
        except DataError as exc:
            problems = [p for p in exc.problems if p.severity == "error"] or exc.problems
            for hint, (what, command) in IMPORTS.items():
                for problem in problems:
                    if hint in problem.message:
                        return {"what": what, "command": command, "problem": problem.message.replace(f"; {hint}", "")}
            return {"what": "data this store does not hold", "command": None, "problem": str(problems[0])}
        return None

    stamp = path.stat().st_mtime_ns if path.is_file() else 0
    found = store.cached(f"data-needed:{path}:{stamp}", check)
    return None if found is None else DataNeeded.model_validate(found)


def is_market_file(path: Path) -> bool:
    """Whether a scenario file is a market case (``kind: market``) rather than a restriction scenario."""
    document, problems = load_yaml(path, path.name) if path.is_file() else (None, [])
    return not problems and isinstance(document, dict) and document.get("kind") == "market"
