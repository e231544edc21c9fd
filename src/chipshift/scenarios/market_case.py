"""A market case: one product market in one region, its sources and segments, the rules that switch
bans on and off, the parameters (sourced defaults and ranges, some fitted), and the observations to fit.

Read from a scenario file (``kind: market``) whose format is declared in ``chipshift.schemas.market_case``
(reference: docs/market-case.md); every number is a ``{fact: ID}`` reference to the knowledge base, a
``{param: ID}`` reference to the case's parameters, or a literal with a stated basis, so each traces to a
source.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chipshift.domain.period import Period
from chipshift.errors import DataError, Problem
from chipshift.io.tables import strip_lines
from chipshift.scenarios.market_case_check import check_case, field_lines, is_linked
from chipshift.schemas.market_case import (
    CASE,
    FISCAL_OUTPUTS,
    MODEL_PARAMETERS,
    OBSERVATION,
    OFFERING,
    PARAMETER,
    REVENUE,
    SHARE_OUTPUTS,
    SOURCE,
    MapOf,
    Number,
    Record,
    Ref,
)
from chipshift.schemas.vocabulary import UNITS


@dataclass(frozen=True)
class Param:
    """A model parameter: default and range; ``fit`` parameters are calibrated to the observations."""

    id: str
    default: float
    low: float
    high: float
    fit: bool = False
    basis: str = ""  # where default and range come from (a parameters.csv id, fact ids, or 'free')


@dataclass(frozen=True)
class Offering:
    """What a source sells in the market: its quality (relative to the baseline offering), the rules that
    bar it, the relaxations it needs, and any fee (ad-valorem wedge) that comes with selling it."""

    label: str
    quality: str | float = 1.0  # a literal or a param id
    barred_by: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    wedge: float = 0.0
    item: str | None = None  # the input id of what is sold (default: the case's product), for rules' scope


@dataclass(frozen=True)
class Source:
    id: str
    share: float  # baseline value share, before normalisation
    domestic: bool = False
    offerings: tuple[Offering, ...] = (Offering("baseline"),)
    capacity_growth: str | None = None  # param id: yearly growth of capacity from the baseline quantity
    quality_growth: str | None = None  # param id: yearly growth of quality (learning, buyers' preference)
    basis: str = ""  # how a literal share was derived
    ramp: Ramp | None = None  # logistic capacity build-out (instead of capacity_growth)
    learning_rate: str | None = None  # param id (fraction): unit cost falls by it per doubling of output


@dataclass(frozen=True)
class Ramp:
    """Logistic capacity from the baseline quantity to ``ceiling`` times it, half-way at ``midpoint`` (a year,
    e.g. 2024.5); it rises from 10% to 90% of the way within one ``build_time`` (days)."""

    ceiling: str | float
    midpoint: float
    build_time: str | float


@dataclass(frozen=True)
class Ban:
    rule: str
    source: str
    segments: tuple[str, ...]


@dataclass(frozen=True)
class Observation:
    """An observed value the model is compared with (and, when ``fit``, fitted to): a fact, or a literal
    with its ``basis`` (and the ``source`` document it was read from, when known)."""

    output: str  # 'localization', 'share:<source>', 'revenue_share', 'revenue:<label>'
    year: int
    value: float  # percent, or the revenue in the base figure's unit
    fact: str | None
    fit: bool = True
    basis: str = ""  # where a literal value comes from
    source: str | None = None  # sources.csv id of the document a literal was read from
    unit: str | None = None  # the fact's unit, or the literal's stated unit

    @property
    def fiscal(self) -> bool:
        return self.output in FISCAL_OUTPUTS


@dataclass(frozen=True)
class ScaledRevenue:
    """A firm's revenue projected from a base-year figure with the value of the source it sells under."""

    label: str
    source: str
    base_year: int
    base: float
    unit: str  # of the base figure ('' when a literal states none)
    fact: str | None
    basis: str = ""  # where a literal base figure comes from


@dataclass(frozen=True)
class MarketCase:
    name: str
    description: str
    region: str
    product: str
    start_year: int
    end_year: int
    fiscal_offset_months: int  # fiscal year N ends this many months before the end of calendar year N
    sources: tuple[Source, ...]
    segments: dict[str, str | float]  # segment -> weight (literal or param id); 'rest' = 1 - the others
    bans: tuple[Ban, ...]
    params: dict[str, Param]
    observations: tuple[Observation, ...]
    firm: str | None = None  # firm whose regional revenue share is an output
    firm_share_base: float | None = None  # the firm's revenue share from the region in the base year (pct)
    firm_share_fact: str | None = None
    firm_share_year: int | None = None  # the (fiscal) year of firm_share_base
    market_growth: str | float = 0.0  # yearly growth of the market's value (literal or param id)
    other_revenue: dict[int, float] = field(default_factory=dict)  # firm revenue outside the region, by year
    market_value: dict[str, float] = field(default_factory=dict)  # period -> market value (sets the growth path)
    revenues: tuple[ScaledRevenue, ...] = ()
    notes: tuple[str, ...] = field(default=())
    warnings: tuple[Problem, ...] = ()  # what the loader found wanting but let through (e.g. unsourced_literal)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sources)

    def years(self, fiscal: bool = False) -> tuple[int, ...]:
        """The calendar years of the run, or the firm's fiscal years wholly inside it (four quarters each)."""
        offset = self.fiscal_offset_months if fiscal else 0
        counts: dict[int, int] = {}
        for quarter in quarter_dates(self.start_year, self.end_year):
            counts[year_of(quarter, offset)] = counts.get(year_of(quarter, offset), 0) + 1
        return tuple(sorted(y for y, n in counts.items() if n == 4))

    @property
    def rule_ids(self) -> set[str]:
        ids = {b.rule for b in self.bans}
        for s in self.sources:
            for o in s.offerings:
                ids |= set(o.barred_by) | set(o.requires)
        return ids


SHARE_SUM_TOLERANCE = 5.0  # percentage points a case's baseline shares may miss 100 by (then normalised)



def unsourced_literals(observations: Iterable[Mapping[str, Any]], file: str,
                       lines: Mapping[str, int]) -> tuple[Problem, ...]:
    """The warning ``unsourced_literal`` for each observation stated as a literal ``value`` without the ``source``
    document it was read from: its charts and reports cannot give its publisher, title and date."""
    return tuple(Problem("a literal value without `source` (the document it was read from): its publisher, title "
                         "and date cannot be shown beside it, only its basis", file, lines.get(f"observations[{k}]"),
                         f"observations[{k}].source", severity="warning", check="unsourced_literal")
                 for k, o in enumerate(observations) if o.get("value") is not None and o.get("source") is None)

#: A shorter period's figure whose yearly rate is this many times (or more, up to ``QUADRUPLED[1]``) its market's
#: figure for a whole year draws the warning ``values_rate``: the signature of a quarter's amount given already
#: multiplied up to a yearly rate, which the model multiplies by four again.
QUADRUPLED = (3.0, 6.0)


def rates_apart(values: Iterable[Mapping[str, float]], file: str, lines: Mapping[str, int]) -> tuple[Problem, ...]:
    """The warning ``values_rate`` for each figure of a market's `values` (one mapping of period to value a market,
    in the case's order) for a quarter or half-year whose yearly rate (its amount over its days, times a year's) is
    three to six times the market's nearest figure for a whole year: about four times, as when a quarter's amount
    was given already multiplied up to a yearly rate."""
    out = []
    for k, given in enumerate(values):
        periods = {label: Period.parse(label) for label, value in given.items() if value > 0}
        rates = {label: (p.yearly_rate(given[label]), p.days, p.middle.toordinal()) for label, p in periods.items()}
        years = [(label, rate, middle) for label, (rate, days, middle) in rates.items() if days >= 365]
        for label, (rate, days, middle) in rates.items():
            if days >= 365 or not years:
                continue
            near, year_rate, _ = min(years, key=lambda y: abs(y[2] - middle))
            if QUADRUPLED[0] <= rate / year_rate <= QUADRUPLED[1]:
                out.append(Problem(
                    f"its {label} figure reads as a yearly rate of {rate:,.4g}, {rate / year_rate:.1f} times its "
                    f"{near} figure ({year_rate:,.4g}): a figure is the amount over its own period, which the model "
                    "multiplies up to a yearly rate (a quarter's by four); was it given as a yearly rate already?",
                    file, lines.get(f"markets[{k}].values.{label}"), f"markets[{k}].values.{label}",
                    severity="warning", check="values_rate"))
    return tuple(out)


def quarter_dates(start_year: int, end_year: int) -> list[date]:
    """Mid-quarter dates from the first quarter of ``start_year`` to the last of ``end_year``."""
    return [date(y, 3 * q - 1, 15) for y in range(start_year, end_year + 1) for q in range(1, 5)]


def year_of(quarter: date, fiscal_offset_months: int = 0) -> int:
    """The (fiscal) year a mid-quarter date counts in: fiscal year N ends ``fiscal_offset_months`` before the
    end of calendar year N (0: calendar years)."""
    return quarter.year + (1 if quarter.month + 1 > 12 - fiscal_offset_months else 0)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _figure(value: Any, facts: Mapping[str, Mapping[str, Any]], scaled: bool) -> tuple[float, str | None]:
    """A checked number's value and unit: a literal, a fact (in its unit, or in its dimension's base unit when
    ``scaled``: a 30% claim is 0.30), or a stated ``{value, unit, basis}``."""
    if _is_number(value):
        return float(value), None
    if "fact" in value:
        fact = facts[str(value["fact"])]
        number, unit = float(fact["value"]), str(fact["unit"])
    else:
        number, unit = float(value["value"]), value.get("unit")
    factor = UNITS[unit].factor if scaled and unit is not None and unit in UNITS else 1.0
    return number * factor, unit


def _ref(value: Any) -> str | float:
    """A checked literal-or-parameter: the parameter id, or the literal."""
    return str(value["param"]) if isinstance(value, dict) else float(value)


def _param_id(value: Any) -> str | None:
    return None if value is None else str(value["param"])


def _shape(record: Record, key: str) -> Number:
    """The declared number shape of ``key`` (of its values, for a mapping)."""
    shape = record.key(key).shape
    shape = shape.value if isinstance(shape, MapOf) else shape
    assert isinstance(shape, Number), key
    return shape


def _is_share_output(output: str) -> bool:
    return any(output.startswith(p) if p.endswith(":") else output == p for p in SHARE_OUTPUTS)


def parse_case(doc: dict[str, Any], facts: dict[str, dict[str, Any]], parameters: dict[str, dict[str, Any]],
               rule_ids: set[str], file: str, firms: set[str] | None = None,
               references: Mapping[Ref, Collection[str]] | None = None) -> MarketCase:
    """A MarketCase from a scenario document (with or without the line marks of ``load_yaml``).

    The document is first checked against its declaration (``schemas.market_case.CASE``): types, required and
    unknown keys, ranges, and references to the given facts, parameters.csv rows, rules and firms (and to
    ``references``: inputs, countries, documents). Then the figures are read and checked together (shares
    summing to 100, ranges holding their default, years inside the run). DataError lists every problem of a
    stage, each naming the file, line and field path."""
    if is_linked(doc):
        raise DataError([Problem("a linked case (model: linked): read it with scenarios.linked_parse.parse_linked",
                                 file, field="model", check="file_format")])
    known: dict[Ref, Collection[str]] = {"fact": facts.keys(), "catalogue_parameter": parameters.keys(),
                                         "rule": rule_ids}
    if firms is not None:
        known["firm"] = firms
    known |= dict(references or {})
    problems = check_case(doc, file, known)
    if problems:
        raise DataError(problems)
    lines = field_lines(doc)
    doc = strip_lines(doc)

    def problem(path: str, message: str, check: str | None = None) -> None:
        problems.append(Problem(message, file, lines.get(path), path, check=check))

    def figure(value: Any, record: Record, key: str, path: str) -> tuple[float, str | None]:
        shape = _shape(record, key)
        number, unit = _figure(value, facts, shape.scaled)
        if isinstance(value, dict) and "fact" in value and shape.units is not None and unit not in shape.units:
            problem(path, f"fact '{value['fact']}' is in {unit}; expected {', '.join(shape.units)}", "units")
        return number, unit

    def one_currency(path: str, units: Iterable[str | None]) -> None:
        dimensions = sorted({UNITS[u].dimension for u in units if u is not None and u in UNITS})
        if len(dimensions) > 1:
            problem(path, f"mixes units of {', '.join(dimensions)}: give every figure in one currency", "units")

    params: dict[str, Param] = {}
    for name, spec in doc["parameters"].items():
        at = f"parameters.{name}"
        base = parameters.get(str(spec["from"])) if spec.get("from") else None
        if base is not None and UNITS[base["unit"]].dimension == "share":
            # percentages in parameters.csv enter the model as fractions (a 20% learning rate is 0.20)
            factor = UNITS[base["unit"]].factor
            base = {**base, **{k: base[k] * factor for k in ("default", "low", "high")}}
        default = figure(spec["default"], PARAMETER, "default", f"{at}.default")[0] if spec.get(
            "default") is not None else float(base["default"]) if base else 0.0
        low = figure(spec["low"], PARAMETER, "low", f"{at}.low")[0] if spec.get("low") is not None else (
            float(base["low"]) if base else default)
        high = figure(spec["high"], PARAMETER, "high", f"{at}.high")[0] if spec.get("high") is not None else (
            float(base["high"]) if base else default)
        if not low <= default <= high:
            problem(at, f"default {default:g} outside [{low:g}, {high:g}]")
        basis = f"parameters.csv:{spec['from']}" if spec.get("from") else str(spec["basis"])
        model = MODEL_PARAMETERS.get(name)
        if model and not (model.sensible[0] <= low and high <= model.sensible[1]):
            problem(at, f"range [{low:g}, {high:g}] leaves the sensible range [{model.sensible[0]:g}, "
                        f"{model.sensible[1]:g}]")
        params[name] = Param(name, default, low, high, bool(PARAMETER.get(spec, "fit")), basis)
    sources = []
    for k, raw in enumerate(doc["sources"]):
        path = f"sources[{k}]"
        offerings = tuple(
            Offering(str(o.get("label", f"offering{j}")), _ref(OFFERING.get(o, "quality")),
                     tuple(OFFERING.get(o, "barred_by")), tuple(OFFERING.get(o, "requires")),
                     figure(OFFERING.get(o, "wedge"), OFFERING, "wedge", f"{path}.offerings[{j}].wedge")[0],
                     None if o.get("item") is None else str(o["item"]))
            for j, o in enumerate(raw.get("offerings") or [{"label": "baseline"}]))
        ramp = None
        if raw.get("capacity") is not None:
            spec = raw["capacity"]
            ramp = Ramp(_ref(spec["ceiling"]), float(spec["midpoint"]), _ref(spec["build_time"]))
        sources.append(Source(
            str(raw["id"]), figure(raw["share"], SOURCE, "share", f"{path}.share")[0],
            bool(SOURCE.get(raw, "domestic")), offerings, _param_id(raw.get("capacity_growth")),
            _param_id(raw.get("quality_growth")), str(raw.get("basis") or ""), ramp,
            _param_id(raw.get("learning_rate")),
        ))
    total = sum(src.share for src in sources)
    notes = [str(n) for n in CASE.get(doc, "notes")]
    if abs(total - 100.0) > SHARE_SUM_TOLERANCE:
        problem("sources", f"baseline shares sum to {total:g}%, more than {SHARE_SUM_TOLERANCE:g} points from "
                           "100%: add the missing sources (e.g. an 'others' group)")
    elif abs(total - 100.0) > 1e-9:
        notes.append(f"baseline shares as given sum to {total:g}%; they are normalised to 100%")
    for k, src in enumerate(sources):
        if src.share <= 0:
            problem(f"sources[{k}].share", "a baseline share must be above 0 (new entrants need a capacity path)")
    segments = {str(k): ("rest" if v == "rest" else _ref(v))
                for k, v in CASE.get(doc, "segments").items()}
    if sum(1 for v in segments.values() if v == "rest") > 1:
        problem("segments", "only one segment may take the 'rest'")
    bans = tuple(Ban(str(b["rule"]), str(b["source"]), tuple(b.get("segments") or segments))
                 for b in CASE.get(doc, "bans"))
    firm_share = doc.get("firm_share_base")
    firm_share_base = None if firm_share is None else figure(firm_share, CASE, "firm_share_base",
                                                             "firm_share_base")[0]
    market_value = {str(k): figure(v, CASE, "market_value", f"market_value.{k}")
                    for k, v in (doc.get("market_value") or {}).items()}
    other_revenue = {int(y): figure(v, CASE, "other_revenue", f"other_revenue.{y}")
                     for y, v in (doc.get("other_revenue") or {}).items()}
    one_currency("market_value", (unit for _, unit in market_value.values()))
    one_currency("other_revenue", (unit for _, unit in other_revenue.values()))
    revenues = []
    for k, r in enumerate(CASE.get(doc, "revenues")):
        given = "fact" if r.get("fact") is not None else "value"
        amount, unit = figure({"fact": r["fact"]} if given == "fact" else r["value"], REVENUE, "value",
                              f"revenues[{k}].{given}")
        revenues.append(ScaledRevenue(str(r["label"]), str(r["source"]), int(r["base_year"]), amount,
                                      unit or str(r.get("unit") or ""),
                                      None if r.get("fact") is None else str(r["fact"]), str(r.get("basis") or "")))
    observations = []
    for o in CASE.get(doc, "observations"):
        value, unit = _figure({"fact": o["fact"]} if o.get("fact") is not None else o["value"], facts, False)
        observations.append(Observation(
            str(o["output"]), int(o["year"]), value, None if o.get("fact") is None else str(o["fact"]),
            bool(OBSERVATION.get(o, "fit")), basis=str(o.get("basis") or ""),
            source=None if o.get("source") is None else str(o["source"]), unit=unit or o.get("unit")))
    case = MarketCase(
        name=str(doc.get("name") or file), description=str(CASE.get(doc, "description")), region=str(doc["region"]),
        product=str(doc["product"]), start_year=int(doc["start_year"]), end_year=int(doc["end_year"]),
        fiscal_offset_months=int(CASE.get(doc, "fiscal_offset_months")),
        sources=tuple(sources), segments=segments, bans=bans, params=params, observations=tuple(observations),
        firm=None if doc.get("firm") is None else str(doc["firm"]), firm_share_base=firm_share_base,
        firm_share_fact=str(firm_share["fact"]) if isinstance(firm_share, dict) and "fact" in firm_share else None,
        firm_share_year=None if doc.get("firm_share_year") is None else int(doc["firm_share_year"]),
        market_growth=_ref(CASE.get(doc, "market_growth")),
        market_value={k: v for k, (v, _) in market_value.items()},
        other_revenue={y: v for y, (v, _) in other_revenue.items()},
        revenues=tuple(revenues), notes=tuple(notes),
        warnings=unsourced_literals(CASE.get(doc, "observations"), file, lines),
    )
    if case.end_year <= case.start_year:
        problem("end_year", "end_year must come after start_year")
    else:
        _check_against_run(case, problem)
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.line if p.line is not None else 0))
    return case


def _check_against_run(case: MarketCase, problem: Callable[..., None]) -> None:
    """Observations, the firm's base share and revenues' base years inside the years the run produces, and
    observed figures in the unit of the output they are compared with."""
    calendar, fiscal = case.years(), case.years(fiscal=True)

    def span(years: tuple[int, ...], prefix: str = "") -> str:
        return f"{prefix}{years[0]}-{prefix}{years[-1]}" if years else "none"

    if case.firm_share_year is not None and case.firm_share_year not in fiscal:
        problem("firm_share_year", f"FY{case.firm_share_year} is not a whole fiscal year of the run "
                                   f"({span(fiscal, 'FY')})")
    units = {f"revenue:{r.label}": r.unit for r in case.revenues}
    for k, r in enumerate(case.revenues):
        if r.base_year not in calendar:
            problem(f"revenues[{k}].base_year", f"{r.base_year} is outside the run ({span(calendar)})")
    for k, o in enumerate(case.observations):
        at = f"observations[{k}]"
        years = fiscal if o.fiscal else calendar
        if o.year not in years:
            problem(f"{at}.year", f"{'FY' if o.fiscal else ''}{o.year} is outside the run "
                                  f"({span(years, 'FY' if o.fiscal else '')})")
        figure = f"{at}.fact" if o.fact else f"{at}.value"
        if _is_share_output(o.output):
            if o.unit is not None and o.unit != "pct":
                problem(f"{at}.fact" if o.fact else f"{at}.unit",
                        f"'{o.output}' is in percent; the observation is in {o.unit}", "units")
            elif not 0.0 <= o.value <= 100.0:
                problem(figure, f"{o.value:g} is not a percentage (0-100)")
        elif o.output in units and o.unit is not None and units[o.output] and o.unit != units[o.output]:
            problem(f"{at}.fact" if o.fact else f"{at}.unit", f"the observation is in {o.unit}, the revenue's base "
                                                               f"figure in {units[o.output]}: give both in one unit",
                    "units")
