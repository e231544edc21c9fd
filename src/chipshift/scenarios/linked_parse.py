"""Reading a linked market case file (``kind: market``, ``model: linked``) into a `LinkedCase`.

The file is first checked against its declaration (``chipshift.schemas.market_case.LINKED_CASE``): required,
unknown and mistyped keys, ranges, and references to the store's ids and the case's own (sellers, markets,
parameters, outputs). Then the figures are read and checked together: values in units of `value_unit`'s
dimension, shares summing to 100, sellers selling the product of their markets, parameters' ranges holding their
defaults, observations in the unit of their output and inside the periods the run produces. Each stage lists
every problem it finds (DataError), each with the file, line and field path.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from chipshift.domain.period import Period, parse_moment
from chipshift.errors import DataError, Problem
from chipshift.io.tables import strip_lines
from chipshift.scenarios.linked_case import (
    CARRYING_COST_LIMIT,
    RUSH_BUYER_SHARE,
    SOME_HOLDERS,
    STOCK_CARRYING_COST,
    Cut,
    Episode,
    LinkedCase,
    MarketSpec,
    Num,
    Observation,
    Offering,
    Outcome,
    Ramp,
    RuleEntry,
    Seller,
    money,
    parse_day,
    period_labels,
)
from chipshift.scenarios.market_case import Param, rates_apart, unsourced_literals
from chipshift.scenarios.market_case_check import check_case, field_lines, linked_output
from chipshift.schemas.market_case import (
    LINKED_CASE,
    LINKED_OBSERVATION,
    LINKED_OFFERING,
    LINKED_RULE,
    PARAMETER,
    SELLER,
    Ref,
)
from chipshift.schemas.vocabulary import UNITS

SHARE_SUM_TOLERANCE = 5.0  # percentage points a market's literal shares may miss 100 by (then normalised)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _level(value: Any) -> Num:
    """A checked literal-or-parameter: the parameter id, or the literal."""
    return str(value["param"]) if isinstance(value, dict) else float(value)


def parse_linked(doc: Mapping[str, Any], facts: Mapping[str, Mapping[str, Any]],
                 parameters: Mapping[str, Mapping[str, Any]], file: str,
                 known: Mapping[Ref, Collection[str]] | None = None,
                 published: Mapping[str, date] | None = None) -> LinkedCase:
    """A LinkedCase from a linked case document (with or without the line marks of ``load_yaml``).

    ``facts`` and ``parameters`` are the store's rows by id; ``known`` holds the ids of the other store
    references to check (rule, firm, input, country, document); a kind it leaves out is not checked here.
    ``published`` gives each source's latest possible publication date: an episode's set-up is checked
    against it (``_hindsight``)."""
    references: dict[Ref, Collection[str]] = {"fact": facts.keys(), "catalogue_parameter": parameters.keys()}
    problems = check_case(doc, file, references | dict(known or {}))
    if problems:
        raise DataError(problems)
    lines = field_lines(doc)
    doc = strip_lines(doc)
    value_unit = str(doc["value_unit"])

    def problem(path: str, message: str, check: str | None = None) -> None:
        problems.append(Problem(message, file, lines.get(path), path, check=check))

    def figure(raw: Any, path: str, *, as_value: bool = False, scaled: bool = False,
               units: tuple[str, ...] | None = None) -> tuple[float, str | None]:
        """A checked literal, fact or stated value with its unit: a market value in the case's value unit, in
        its dimension's base unit when ``scaled``; a fact outside ``units`` is a problem."""
        if _is_number(raw):
            return float(raw), None
        unit: str | None
        if "fact" in raw:
            fact = facts[str(raw["fact"])]
            value, unit = float(fact["value"]), str(fact["unit"])
            if units is not None and unit not in units:
                problem(f"{path}.fact", f"fact '{raw['fact']}' is in {unit}; expected {', '.join(units)}", "units")
        else:
            value, unit = float(raw["value"]), None if raw.get("unit") is None else str(raw["unit"])
        if unit is None or unit not in UNITS:
            return value, unit
        if as_value:
            if UNITS[unit].dimension == UNITS[value_unit].dimension:
                return money(value, unit, value_unit), value_unit
            problem(path, f"in {unit}, the case's values in {value_unit} ({UNITS[value_unit].dimension}): give "
                          f"every value in a unit of {UNITS[value_unit].dimension}", "units")
        if scaled:
            return value * UNITS[unit].factor, unit
        return value, unit

    def num(raw: Any, path: str, **kw: Any) -> Num:
        return str(raw["param"]) if isinstance(raw, dict) and "param" in raw else figure(raw, path, **kw)[0]

    params: dict[str, Param] = {}
    stated = dict(doc.get("parameters") or {})
    rushes = any(isinstance(r, Mapping) and r.get("rush") for r in doc.get("rules") or ())
    # the model's own parameters of a rush (the share of buyers who stock up, the cost of carrying a stock): the
    # catalogue's prior unless the case states one
    for key, choice, name, what in (
            ("stock_holders", SOME_HOLDERS, RUSH_BUYER_SHARE, "the share of buyers who stock up"),
            ("rush_limit", CARRYING_COST_LIMIT, STOCK_CARRYING_COST, "the yearly cost of carrying a stock")):
        if not rushes or LINKED_CASE.get(doc, key) != choice or name in stated:
            continue
        if name in parameters:
            stated[name] = {"from": name}
        else:
            problem(key, f"`{choice}` takes {what} from the parameter '{name}': state it under `parameters` (the "
                         f"catalogue has none)")
    for name, spec in stated.items():
        at = f"parameters.{name}"
        base = dict(parameters[str(spec["from"])]) if spec.get("from") else None
        if base is not None and UNITS[base["unit"]].dimension == "share":
            # percentages in parameters.csv enter the model as fractions (a 20% learning rate is 0.20)
            factor = UNITS[base["unit"]].factor
            base |= {k: float(base[k]) * factor for k in ("default", "low", "high")}
        default = figure(spec["default"], f"{at}.default", scaled=True)[0] if spec.get("default") is not None else (
            float(base["default"]) if base else 0.0)
        low = figure(spec["low"], f"{at}.low", scaled=True)[0] if spec.get("low") is not None else (
            float(base["low"]) if base else default)
        high = figure(spec["high"], f"{at}.high", scaled=True)[0] if spec.get("high") is not None else (
            float(base["high"]) if base else default)
        if low > high:
            problem(f"{at}.low", f"low {low:g} is above high {high:g}: a range goes from low to high")
        elif not low <= default <= high:
            problem(at, f"default {default:g} outside [{low:g}, {high:g}]")
        basis = f"parameters.csv:{spec['from']}" if spec.get("from") else str(spec["basis"])
        params[str(name)] = Param(str(name), default, low, high, bool(PARAMETER.get(spec, "fit")), basis)

    sellers = []
    for k, raw in enumerate(doc["sellers"]):
        at = f"sellers[{k}]"
        ramp = cut = None
        if raw.get("ramp") is not None:
            r = raw["ramp"]
            ramp = Ramp(_level(r["ceiling"]), float(r["midpoint"]), _level(r["build_time"]))
        if raw.get("cut") is not None:
            c, sub = raw["cut"], raw["cut"]["substitute"]
            cut = Cut(str(c["rule"]), str(c["input"]), None if c.get("supplier") is None else str(c["supplier"]),
                      _level(c["stock_months"]), _level(sub["ceiling"]), float(sub["midpoint"]),
                      _level(sub["build_time"]), _level(c.get("licensed", 0.0)))
        offerings = tuple(
            Offering(str(o.get("label") or f"offering{j}"), None if o.get("item") is None else str(o["item"]),
                     _level(LINKED_OFFERING.get(o, "quality")),
                     figure(LINKED_OFFERING.get(o, "wedge"), f"{at}.offerings[{j}].wedge", scaled=True,
                            units=("pct",))[0],
                     tuple(str(x) for x in LINKED_OFFERING.get(o, "requires")))
            for j, o in enumerate(raw.get("offerings") or ()))
        price, price_unit = figure(SELLER.get(raw, "price"), f"{at}.price")
        if price <= 0.0:
            problem(f"{at}.price", "a price must be above 0")
        sellers.append(Seller(
            id=str(raw["id"]), product=str(raw["product"]), firm=raw.get("firm"), country=raw.get("country"),
            price=price, price_unit=price_unit,
            supply_elasticity=math.inf if raw.get("supply_elasticity") is None else _level(raw["supply_elasticity"]),
            capacity_growth=None if raw.get("capacity_growth") is None else _level(raw["capacity_growth"]),
            ramp=ramp, quality_growth=None if raw.get("quality_growth") is None else _level(raw["quality_growth"]),
            cut=cut, domestic_in=tuple(str(x) for x in raw.get("domestic_in") or ()), offerings=offerings))
    by_id = {s.id: s for s in sellers}

    markets = []
    for k, raw in enumerate(doc["markets"]):
        at = f"markets[{k}]"
        product = str(raw["product"])
        shares = {str(sid): num(v, f"{at}.shares.{sid}", units=("pct",)) for sid, v in raw["shares"].items()}
        if not shares:
            problem(f"{at}.shares", "give the baseline share of at least one seller")
        fixed = [v for v in shares.values() if not isinstance(v, str)]
        if fixed and len(fixed) == len(shares) and abs(sum(fixed) - 100.0) > SHARE_SUM_TOLERANCE:
            problem(f"{at}.shares", f"shares sum to {sum(fixed):g}%, more than {SHARE_SUM_TOLERANCE:g} points from "
                                    "100%: add the missing sellers (e.g. an 'others' group)")
        for sid in shares:
            if by_id[sid].product != product:
                problem(f"{at}.shares.{sid}", f"seller '{sid}' sells {by_id[sid].product}, the market is {product}")
        given, where = raw.get("values") or {}, f"{at}.values"
        if isinstance(given, str):  # the name of a series of the case, shared by several markets
            given, where = doc["series"][given], f"series.{given}"
        values = {str(p): figure(v, f"{where}.{p}", as_value=True)[0] for p, v in given.items()}
        markets.append(MarketSpec(
            id=str(raw["id"]), region=str(raw["region"]), product=product,
            value=None if raw.get("value") is None else num(raw["value"], f"{at}.value", as_value=True),
            shares=shares, sigma=_level(raw["sigma"]), demand_elasticity=_level(raw["demand_elasticity"]),
            segment=raw.get("segment"), growth=None if raw.get("growth") is None else _level(raw["growth"]),
            values=values, less=tuple(str(x) for x in raw.get("less") or ()),
            item=None if raw.get("item") is None else str(raw["item"]),
            scale=None if raw.get("scale") is None else _level(raw["scale"])))
    for k, market in enumerate(markets):
        for j, other in enumerate(market.less):
            inner = next(m for m in markets if m.id == other)
            if other == market.id or not inner.values:
                problem(f"markets[{k}].less[{j}]", f"'{other}' is not another market of the case with sourced "
                                                   "`values`", "references")

    rules = []
    for raw in LINKED_CASE.get(doc, "rules"):
        effect = str(LINKED_RULE.get(raw, "effect"))
        rules.append(RuleEntry(
            rule=str(raw["rule"]), effect=effect,
            approval=None if raw.get("approval") is None else _level(raw["approval"]),
            delay=None if raw.get("delay") is None else _level(raw["delay"]),
            sellers=None if raw.get("sellers") is None else tuple(str(x) for x in raw["sellers"]),
            markets=None if raw.get("markets") is None else tuple(str(x) for x in raw["markets"]),
            rush_months=None if raw.get("rush") is None else _level(raw["rush"]["cap_months"]),
            rush_from=None if (raw.get("rush") or {}).get("from") is None else str(raw["rush"]["from"]).strip()))

    # a case counting items or mass delivers its sellers' quantities in its value unit
    counted_case = value_unit in UNITS and not UNITS[value_unit].dimension.startswith("currency")

    def observed_value(raw: Mapping[str, Any], at: str) -> tuple[float, str]:
        """An observation's or outcome's figure, checked against its output's unit, and its source: a figure in
        money, or a count or mass of a counted case's quantities, in the case's value unit (so an outcome and
        its reference are compared in one unit whatever units their sources gave)."""
        output = linked_output(str(raw["output"]))
        assert output is not None  # the check refuses unknown outputs
        given = f"{at}.fact" if raw.get("fact") is not None else f"{at}.value"
        value, unit = figure({"fact": raw["fact"]} if raw.get("fact") is not None else
                             {"value": raw["value"], "unit": raw.get("unit")}, at,
                             as_value=output.unit == "value_unit"
                             or (counted_case and output.unit == "seller_quantity"))
        where = given if raw.get("fact") is not None else f"{at}.unit"
        if output.unit == "pct":
            if unit is not None and unit != "pct":
                problem(where, f"'{raw['output']}' is in percent; the observation is in {unit}", "units")
            elif not 0.0 <= value <= 100.0:
                problem(given, f"{value:g} is not a percentage (0-100)")
        elif output.unit == "index" and unit not in (None, "ratio"):
            problem(where, f"'{raw['output']}' is an index (1 in the first quarter); the observation is in {unit}",
                    "units")
        return value, str(raw["fact"]) if raw.get("fact") is not None else str(raw["basis"])

    observations = []
    for k, raw in enumerate(LINKED_CASE.get(doc, "observations")):
        value, source = observed_value(raw, f"observations[{k}]")
        observations.append(Observation(str(raw["output"]), str(raw["period"]), value, source,
                                        bool(LINKED_OBSERVATION.get(raw, "fit")),
                                        None if raw.get("source") is None else str(raw["source"])))
    episode = None
    if doc.get("episode") is not None:
        outcomes = []
        for k, raw in enumerate(LINKED_CASE.get(doc, "outcomes")):
            value, source = observed_value(raw, f"outcomes[{k}]")
            output, start = str(raw["output"]), str(raw["from"])
            ref = next((o for o in observations if (o.output, o.period) == (output, start)), None)
            if ref is None:
                problem(f"outcomes[{k}].from", f"no observation of '{output}' in {start} to measure the change "
                                               "from: add it to `observations`", "references")
            outcomes.append(Outcome(output, str(raw["period"]), value, source, start,
                                    math.nan if ref is None else ref.value))
        e = doc["episode"]
        episode = Episode(parse_day(str(e["as_of"])), str(e["mechanism"]), str(e["summary"]), tuple(outcomes),
                          None if e.get("written") is None else parse_moment(str(e["written"])))

    fiscal_year_end = {str(k): int(v) for k, v in (doc.get("fiscal_year_end") or {}).items()}
    for firm in fiscal_year_end:
        if not any(s.firm == firm for s in sellers):
            problem(f"fiscal_year_end.{firm}", f"'{firm}' is not the firm of a seller of the case")
    case = LinkedCase(
        name=str(doc.get("name") or file), description=str(LINKED_CASE.get(doc, "description")),
        start=str(doc["start"]), end=str(doc["end"]), value_unit=value_unit, sellers=tuple(sellers),
        markets=tuple(markets), rules=tuple(rules), params=params, observations=tuple(observations),
        fiscal_year_end=fiscal_year_end, notes=tuple(str(n) for n in LINKED_CASE.get(doc, "notes")),
        episode=episode, warnings=(*unsourced_literals(LINKED_CASE.get(doc, "observations"), file, lines),
                                   *rates_apart([m.values for m in markets], file, lines)),
        timing=str(LINKED_CASE.get(doc, "timing")), stock_use=str(LINKED_CASE.get(doc, "stock_use")),
        stock_holders=str(LINKED_CASE.get(doc, "stock_holders")),
        rush_timing=str(LINKED_CASE.get(doc, "rush_timing")), rush_limit=str(LINKED_CASE.get(doc, "rush_limit")),
        licence_rent=str(LINKED_CASE.get(doc, "licence_rent")))
    if not case.quarters:
        problem("end", f"the run ends ({case.end}) before it starts ({case.start})")
    else:
        named = [("observations", k, o.output, o.period) for k, o in enumerate(case.observations)]
        if episode is not None:
            named += [("outcomes", k, o.output, o.period) for k, o in enumerate(episode.outcomes)]
        for where, k, output, period in named:
            spec = linked_output(output)
            owner = output.split(":", 1)[1].split("@", 1)[0] if spec is not None and spec.fiscal else None
            periods = period_labels(case, owner)
            if period not in periods:
                problem(f"{where}[{k}].period", f"{period} is not a period of the run's '{output}' "
                                                f"(quarters {case.start}-{case.end}, whole years: "
                                                f"{', '.join(p for p in periods if 'Q' not in p) or 'none'})")
        if episode is not None:
            problems.extend(_hindsight(case, episode, doc, facts, parameters, published or {}, file, lines))
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.line if p.line is not None else 0))
    return case


def _cited_facts(value: Any, path: str) -> list[tuple[str, str]]:
    """(fact id, path) for every fact a document part cites."""
    if isinstance(value, Mapping):
        out = [(str(value["fact"]), f"{path}.fact")] if isinstance(value.get("fact"), str) else []
        for key, inner in value.items():
            if key != "fact":
                out += _cited_facts(inner, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(value, list):
        return [hit for k, inner in enumerate(value) for hit in _cited_facts(inner, f"{path}[{k}]")]
    return []


def _hindsight(case: LinkedCase, episode: Episode, doc: Mapping[str, Any], facts: Mapping[str, Mapping[str, Any]],
               parameters: Mapping[str, Mapping[str, Any]], published: Mapping[str, date], file: str,
               lines: Mapping[str, int]) -> list[Problem]:
    """An episode's set-up may use only what was known on its `as_of` date: every fact it cites outside
    `outcomes` (and every fact behind a catalogue parameter it takes) published by then, with a date the
    check can read; no market value for a period after it; every observation's period over by then; outcomes
    come after it."""
    as_of = episode.as_of
    out = []
    cited = _cited_facts({k: v for k, v in doc.items() if k != "outcomes"}, "")
    for name, spec in (doc.get("parameters") or {}).items():  # a catalogue parameter rests on its facts too
        row = parameters.get(str(spec.get("from"))) if isinstance(spec, Mapping) and spec.get("from") else None
        for key in ("default_fact", "low_fact", "high_fact"):
            if row and row.get(key) and str(row[key]) in facts:
                cited.append((str(row[key]), f"parameters.{name}.from"))
    for fact_id, path in cited:
        when = published.get(str(facts[fact_id].get("source") or ""))
        if when is None:
            out.append(Problem(f"fact '{fact_id}' rests on a source with no publication date the as_of check can "
                               "read", file, lines.get(path), path, check="as_of"))
        elif when > as_of:
            out.append(Problem(f"fact '{fact_id}' was published {when.isoformat()}, after the episode's as_of "
                               f"date {as_of.isoformat()}: the set-up may use only what was known then", file,
                               lines.get(path), path, check="as_of"))
    for k, market in enumerate(doc.get("markets") or ()):  # sourced values are what was known: none after as_of
        given = market.get("values") or {}
        where = f"series.{given}" if isinstance(given, str) else f"markets[{k}].values"
        labels = (doc.get("series") or {}).get(given, {}) if isinstance(given, str) else given
        for label in labels:
            if Period.parse(str(label)).end > as_of:
                path = f"{where}.{label}"
                out.append(Problem(f"a value for {label}, after the episode's as_of date {as_of.isoformat()}: the "
                                   "outlook beyond what was known goes in the market's `growth`", file,
                                   lines.get(path), path, check="as_of"))
    for k, obs in enumerate(case.observations):
        when = published.get(obs.document or "")
        if when is not None and when > as_of:
            path = f"observations[{k}].source"
            out.append(Problem(f"source '{obs.document}' was published {when.isoformat()}, after the episode's as_of "
                               f"date {as_of.isoformat()}: the set-up may use only what was known then", file,
                               lines.get(path), path, check="as_of"))
        if case.period_end(obs.output, obs.period) > as_of:
            path = f"observations[{k}].period"
            out.append(Problem(f"{obs.period} ends after the episode's as_of date {as_of.isoformat()}: what is "
                               "observed afterwards is an outcome, not an observation", file, lines.get(path), path,
                               check="as_of"))
    for k, outcome in enumerate(episode.outcomes):
        if case.period_end(outcome.output, outcome.period) <= as_of:
            path = f"outcomes[{k}].period"
            out.append(Problem(f"{outcome.period} is over by the episode's as_of date {as_of.isoformat()}: an "
                               "outcome comes after it", file, lines.get(path), path, check="as_of"))
    return out
