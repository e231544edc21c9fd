"""A market case: one product market in one region, its sources and segments, the rules that switch
bans on and off, the parameters (sourced defaults and ranges, some fitted), and the observations to fit.

Read from a scenario file (``kind: market``); every number is a literal, a ``{fact: ID}`` reference to
the knowledge base, or a ``{param: ID}`` reference to the case's parameters, so each traces to a source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chipshift.errors import DataError, Problem
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
    """An observed value the model is compared with (and, when ``fit``, fitted to)."""

    output: str  # 'localization', 'share:<source>', 'revenue_share', 'revenue:<label>'
    year: int
    value: float  # percent, or the revenue in the base fact's unit
    fact: str
    fit: bool = True

    @property
    def fiscal(self) -> bool:
        return self.output.startswith("revenue_share")


@dataclass(frozen=True)
class ScaledRevenue:
    """A firm's revenue projected from a base-year figure with the value of the source it sells under."""

    label: str
    source: str
    base_year: int
    base: float
    unit: str
    fact: str


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

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sources)

    @property
    def rule_ids(self) -> set[str]:
        ids = {b.rule for b in self.bans}
        for s in self.sources:
            for o in s.offerings:
                ids |= set(o.barred_by) | set(o.requires)
        return ids


def _number(value: Any, facts: dict[str, dict[str, Any]], where: str, problems: list[Problem],
            scaled: bool = False) -> float:
    """A literal, or a fact's value (in the fact's unit, or in its dimension's base unit when ``scaled``)."""
    if isinstance(value, bool):
        problems.append(Problem(f"expected a number, got {value!r}", where))
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict) and "fact" in value:
        fact = facts.get(str(value["fact"]))
        if fact is None:
            problems.append(Problem(f"unknown fact '{value['fact']}'", where, check="references"))
            return 0.0
        factor = UNITS[fact["unit"]].factor if scaled and fact["unit"] in UNITS else 1.0
        return float(fact["value"]) * factor
    problems.append(Problem(f"expected a number or {{fact: ID}}, got {value!r}", where))
    return 0.0


def _flag(spec: dict[str, Any], key: str, default: bool, where: str, problems: list[Problem]) -> bool:
    """A true/false field: a real boolean only (a quoted "no" is refused, never read as true)."""
    value = spec.get(key, default)
    if isinstance(value, bool):
        return value
    problems.append(Problem(f"expected true or false, got {value!r} (write true or false, without quotes)",
                            where, field=key, check="cell_types"))
    return default


def _ref(value: Any, params: dict[str, Param], where: str, problems: list[Problem]) -> str | float:
    if isinstance(value, dict) and "param" in value:
        name = str(value["param"])
        if name not in params:
            problems.append(Problem(f"unknown parameter '{name}'", where, check="references"))
        return name
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    problems.append(Problem(f"expected a number or {{param: ID}}, got {value!r}", where))
    return 0.0


#: Ranges outside which a value is almost surely a mistake (units as the model takes them).
SENSIBLE = {"sigma": (0.1, 20.0), "demand_elasticity": (0.0, 10.0), "adjustment_months": (0.5, 240.0),
            "build_time_days": (30.0, 3650.0), "learning_rate": (0.0, 0.6)}
SHARE_SUM_TOLERANCE = 5.0  # percentage points a case's baseline shares may miss 100 by (then normalised)


def parse_case(doc: dict[str, Any], facts: dict[str, dict[str, Any]], parameters: dict[str, dict[str, Any]],
               rule_ids: set[str], file: str, firms: set[str] | None = None) -> MarketCase:
    """A MarketCase from a parsed scenario document; DataError lists every problem, named by field path."""
    problems: list[Problem] = []

    def where(path: str) -> str:
        return f"{file}: {path}"

    params: dict[str, Param] = {}
    for name, spec in (doc.get("parameters") or {}).items():
        spec = dict(spec or {})
        base = parameters.get(str(spec.get("from"))) if spec.get("from") else None
        if base is not None and UNITS[base["unit"]].dimension == "share":
            # percentages in parameters.csv enter the model as fractions (a 20% learning rate is 0.20)
            factor = UNITS[base["unit"]].factor
            base = {**base, **{k: base[k] * factor for k in ("default", "low", "high")}}
        if spec.get("from") and base is None:
            problems.append(Problem(f"unknown parameter '{spec['from']}' in parameters.csv",
                                    where(f"parameters.{name}")))
        at = where(f"parameters.{name}")
        # facts enter in their dimension's base unit (a 30% claim is 0.30)
        default = _number(spec.get("default", base["default"] if base else None), facts, at, problems, scaled=True)
        low = _number(spec.get("low", base["low"] if base else default), facts, at, problems, scaled=True)
        high = _number(spec.get("high", base["high"] if base else default), facts, at, problems, scaled=True)
        if not low <= default <= high:
            problems.append(Problem(f"default {default:g} outside [{low:g}, {high:g}]", where(f"parameters.{name}")))
        basis = f"parameters.csv:{spec['from']}" if spec.get("from") else str(spec.get("basis", ""))
        if not basis:
            problems.append(Problem("say where the value comes from ('from' a parameter or a 'basis')",
                                    where(f"parameters.{name}")))
        sane = SENSIBLE.get(name)
        if sane and not (sane[0] <= low and high <= sane[1]):
            problems.append(Problem(f"range [{low:g}, {high:g}] leaves the sensible range [{sane[0]:g}, {sane[1]:g}]",
                                    where(f"parameters.{name}")))
        params[name] = Param(name, default, low, high, _flag(spec, "fit", False, at, problems), basis)
    sources = []
    for k, raw in enumerate(doc.get("sources") or []):
        path = f"sources[{k}]"
        offerings = tuple(
            Offering(str(o.get("label", f"offering{j}")),
                     _ref(o.get("quality", 1.0), params, where(f"{path}.offerings[{j}].quality"), problems),
                     tuple(o.get("barred_by") or ()), tuple(o.get("requires") or ()),
                     _number(o.get("wedge", 0.0), facts, where(f"{path}.offerings[{j}].wedge"), problems),
                     None if o.get("item") is None else str(o["item"]))
            for j, o in enumerate(raw.get("offerings") or [{"label": "baseline"}]))
        def param_of(key: str, raw: dict[str, Any] = raw, path: str = path) -> str | None:
            return None if raw.get(key) is None else str(_ref(raw[key], params, where(f"{path}.{key}"), problems))

        if not isinstance(raw.get("share"), dict) and not raw.get("basis"):
            problems.append(Problem("a literal share needs a 'basis' saying how it was derived",
                                    where(f"{path}.share")))
        ramp = None
        if isinstance(raw.get("capacity"), dict):
            spec = raw["capacity"]
            ramp = Ramp(_ref(spec.get("ceiling"), params, where(f"{path}.capacity.ceiling"), problems),
                        _number(spec.get("midpoint"), facts, where(f"{path}.capacity.midpoint"), problems),
                        _ref(spec.get("build_time"), params, where(f"{path}.capacity.build_time"), problems))
        sources.append(Source(
            str(raw["id"]), _number(raw.get("share"), facts, where(f"{path}.share"), problems),
            _flag(raw, "domestic", False, where(path), problems), offerings, param_of("capacity_growth"),
            param_of("quality_growth"),
            str(raw.get("basis", "")), ramp, param_of("learning_rate"),
        ))
    total = sum(src.share for src in sources)
    notes = [str(n) for n in doc.get("notes") or ()]
    if sources and abs(total - 100.0) > SHARE_SUM_TOLERANCE:
        problems.append(Problem(f"baseline shares sum to {total:g}%, more than {SHARE_SUM_TOLERANCE:g} points from "
                                "100%: add the missing sources (e.g. an 'others' group)", where("sources")))
    elif sources and abs(total - 100.0) > 1e-9:
        notes.append(f"baseline shares as given sum to {total:g}%; they are normalised to 100%")
    for k, src in enumerate(sources):
        if firms is not None and src.id not in firms and not _flag(doc["sources"][k], "group", False,
                                                                   where(f"sources[{k}]"), problems):
            problems.append(Problem(f"source '{src.id}' is not a known firm (mark a bucket of firms with 'group: "
                                    "true')", where(f"sources[{k}].id"), check="references"))
        if src.share <= 0:
            problems.append(Problem("a baseline share must be above 0 (new entrants need a capacity path)",
                                    where(f"sources[{k}].share")))
    segments = {str(k): ("rest" if v == "rest" else _ref(v, params, where(f"segments.{k}"), problems))
                for k, v in (doc.get("segments") or {"all": 1.0}).items()}
    if sum(1 for v in segments.values() if v == "rest") > 1:
        problems.append(Problem("only one segment may take the 'rest'", where("segments")))
    bans = tuple(Ban(str(b["rule"]), str(b["source"]), tuple(b.get("segments") or segments))
                 for b in doc.get("bans") or [])
    labels = {s.id for s in sources}
    for b in bans:
        if b.source not in labels:
            problems.append(Problem(f"ban names unknown source '{b.source}'", where("bans")))
        for seg in b.segments:
            if seg not in segments:
                problems.append(Problem(f"ban names unknown segment '{seg}'", where("bans")))
    observations = tuple(
        Observation(str(o["output"]), int(o["year"]), _number({"fact": o["fact"]}, facts, where(f"observations[{k}]"),
                                                               problems), str(o["fact"]),
                    _flag(o, "fit", True, where(f"observations[{k}]"), problems))
        for k, o in enumerate(doc.get("observations") or []))
    case = MarketCase(
        name=str(doc.get("name", file)), description=str(doc.get("description", "")), region=str(doc["region"]),
        product=str(doc["product"]), start_year=int(doc["start_year"]), end_year=int(doc["end_year"]),
        fiscal_offset_months=int(doc.get("fiscal_offset_months", 0)), sources=tuple(sources), segments=segments,
        bans=bans, params=params, observations=observations, firm=doc.get("firm"),
        firm_share_base=None if doc.get("firm_share_base") is None else _number(doc["firm_share_base"], facts,
                                                                                  where("firm_share_base"), problems),
        firm_share_fact=(doc.get("firm_share_base") or {}).get("fact") if isinstance(doc.get("firm_share_base"), dict)
        else None,
        firm_share_year=None if doc.get("firm_share_year") is None else int(doc["firm_share_year"]),
        market_growth=_ref(doc.get("market_growth", 0.0), params, where("market_growth"), problems),
        market_value={str(k): _number(v, facts, where(f"market_value.{k}"), problems, scaled=True)
                      for k, v in (doc.get("market_value") or {}).items()},
        other_revenue={int(y): _number(v, facts, where(f"other_revenue.{y}"), problems, scaled=True)
                       for y, v in (doc.get("other_revenue") or {}).items()},
        revenues=tuple(
            ScaledRevenue(str(r["label"]), str(r["source"]), int(r["base_year"]),
                          _number({"fact": r["fact"]}, facts, where(f"revenues[{k}]"), problems),
                          str(facts.get(str(r["fact"]), {}).get("unit", "")), str(r["fact"]))
            for k, r in enumerate(doc.get("revenues") or [])),
        notes=tuple(notes),
    )
    for rule in sorted(case.rule_ids - rule_ids):
        problems.append(Problem(f"unknown rule '{rule}'", where("bans/offerings"), check="references"))
    if case.firm_share_base is not None and case.firm_share_year is None:
        problems.append(Problem("firm_share_base needs firm_share_year", where("firm_share_year")))
    if case.end_year <= case.start_year:
        problems.append(Problem("end_year must come after start_year", where("end_year")))
    if problems:
        raise DataError(problems)
    return case
