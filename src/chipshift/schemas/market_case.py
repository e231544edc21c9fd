"""The market-case file format (a scenario file with ``kind: market``), declared once.

Every key of the file, at every level, is one ``Key``: its shape (text, a whole number, true/false, a number
in one of the number forms, a record of further keys, a list, a mapping), whether it is required, a one-line
description, its allowed values or range, and what it refers to. ``chipshift.scenarios.market_case_check``
checks a file against ``CASE`` before ``chipshift.scenarios.market_case`` parses it, and
``docs/market-case.md`` is rendered from it (``python -m chipshift.schemas.docs market-case``). A new key is
one entry here plus its use in the parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from chipshift.schemas import vocabulary as voc

Ref = Literal["firm", "rule", "fact", "catalogue_parameter", "input", "country", "document",
              "parameter", "segment", "source", "revenue", "output"]


@dataclass(frozen=True)
class Reference:
    """A kind of id a key may name: how a message calls it, and where the known ids come from."""

    noun: str
    description: str
    in_case: bool = False  # defined by the case itself (else looked up in the store)


REFERENCES: Mapping[Ref, Reference] = MappingProxyType({
    "firm": Reference("firm", "a firm id (`firms.csv`)"),
    "rule": Reference("rule", "a restriction rule id (`rules.yaml`)"),
    "fact": Reference("fact", "a fact id (`facts/*.csv`)"),
    "catalogue_parameter": Reference("parameter in parameters.csv",
                                    "a parameter id of `parameters.csv` (default and range resting on facts)"),
    "input": Reference("input", "an input id (`inputs.csv`, or an imported CSET node)"),
    "country": Reference("country", "a country or region id (`countries.csv`)"),
    "document": Reference("document", "a source id of `sources.csv`: the page or document a figure was read "
                                      "from"),
    "parameter": Reference("parameter", "a parameter of this case (a key of `parameters`)", in_case=True),
    "segment": Reference("segment", "a segment of this case (a key of `segments`; `all` when there are "
                                    "none)", in_case=True),
    "source": Reference("source", "a source of this case (an `id` in `sources`)", in_case=True),
    "revenue": Reference("revenue", "a revenue of this case (a `label` in `revenues`)", in_case=True),
    "output": Reference("output", "an output of this case (see Outputs)", in_case=True),
})

#: What a case produces; observations name one. ``<source>``, ``<segment>`` and ``<revenue>`` stand for the
#: case's own ids. Shares and localization are percent.
OUTPUTS: Mapping[str, str] = MappingProxyType({
    "localization": "the domestic sources' share of the market's value (when a source is `domestic`)",
    "revenue_share": "the case firm's share of its revenue from the region, by fiscal year (with `firm`)",
    "unmet": "the share of demand no allowed source may serve",
    "share:<source>": "a source's share of the market's value",
    "share:<source>@<segment>": "a source's share of one segment (when the case has two or more segments)",
    "revenue:<revenue>": "a revenue of `revenues`, in its base figure's unit",
})
#: Outputs read by the case firm's fiscal years (``fiscal_offset_months``); the others by calendar years.
FISCAL_OUTPUTS = ("revenue_share",)
SHARE_OUTPUTS = ("localization", "revenue_share", "unmet", "share:")  # percent; a prefix ends with ':'


@dataclass(frozen=True)
class ModelParameter:
    """A parameter id the model gives a meaning to, with the range outside which a value is almost surely a
    mistake (in the units the model takes: fractions, not percent)."""

    id: str
    description: str
    sensible: tuple[float, float]
    required: bool = False


MODEL_PARAMETERS: Mapping[str, ModelParameter] = MappingProxyType({p.id: p for p in (
    ModelParameter("sigma", "substitution elasticity between the sources (CES)", (0.1, 20.0), required=True),
    ModelParameter("demand_elasticity", "own-price elasticity of the market's total demand (magnitude)",
                   (0.0, 10.0), required=True),
    ModelParameter("adjustment_months", "months for buyers to close 90% of the gap to a new equilibrium "
                                        "(qualification lag)", (0.5, 240.0), required=True),
    ModelParameter("build_time_days", "days from construction start to production of new capacity",
                   (30.0, 3650.0)),
    ModelParameter("learning_rate", "unit cost decline per doubling of cumulative output (fraction)", (0.0, 0.6)),
)})
REQUIRED_PARAMETERS = tuple(p.id for p in MODEL_PARAMETERS.values() if p.required)


# -- shapes ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    """A string (quoted or not); never a number or true/false."""

    allowed: Mapping[str, str] | None = None
    pattern: str | None = None
    refers_to: Ref | None = None


@dataclass(frozen=True)
class Whole:
    """A whole number, written without quotes."""

    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Flag:
    """true or false, without quotes (a quoted "no" is text, not false)."""


@dataclass(frozen=True)
class PeriodLabel:
    """A period label as facts use them: 2023, 2023Q2, 2023H1, 2023-05, FY2023."""


NumberForm = Literal["literal", "stated", "fact", "param"]


@dataclass(frozen=True)
class Number:
    """A number in one of ``forms`` (see ``NUMBER_FORMS``); ``words`` are allowed words instead of a number."""

    forms: tuple[NumberForm, ...]
    minimum: float | None = None
    maximum: float | None = None
    words: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    scaled: bool = False  # a fact or stated value enters in its dimension's base unit (a 30% claim is 0.30)
    units: tuple[str, ...] | None = None  # the units a fact or stated value may have (None: any)
    literal_basis: str | None = None  # a bare literal needs this key beside it, saying how it was derived


@dataclass(frozen=True)
class Record:
    """A mapping with declared keys; any other key is refused."""

    keys: tuple[Key, ...]

    def key(self, name: str) -> Key:
        return next(k for k in self.keys if k.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys)

    def get(self, mapping: Mapping[str, Any], name: str) -> Any:
        """The value of ``name`` in ``mapping``, or the key's declared default when it is absent."""
        value = mapping.get(name)
        return self.key(name).default if value is None else value


@dataclass(frozen=True)
class ListOf:
    item: Shape
    min_items: int = 0


@dataclass(frozen=True)
class MapOf:
    """A mapping whose keys the file chooses (ids, periods, years), each holding a ``value``."""

    key: Text | Whole | PeriodLabel
    value: Shape
    key_name: str  # what a key is, e.g. "period"
    required: tuple[str, ...] = ()  # keys that must be present
    defines: Ref | None = None  # the keys are new ids of this kind


Shape = Text | Whole | Flag | PeriodLabel | Number | Record | ListOf | MapOf


@dataclass(frozen=True)
class Key:
    """One key of a record: its shape, whether it must be given, and how it relates to the keys beside it."""

    name: str
    shape: Shape
    description: str
    required: bool = False
    default: object = None  # the value used when the key is absent
    default_text: str | None = None  # the default as the docs say it, when it is not a plain value
    required_without: tuple[str, ...] = ()  # required unless one of these keys is given
    requires: tuple[str, ...] = ()  # needs all of these keys beside it
    requires_any: tuple[str, ...] = ()  # needs one of these keys beside it
    excludes: tuple[str, ...] = ()  # cannot be given with any of these keys
    defines: Ref | None = None  # its value is a new id of this kind
    unless: str | None = None  # a true flag under this key waives the reference check


# -- the number forms ---------------------------------------------------------------------------------------------

YEAR = Whole(1990, 2100)
UNIT = Text(allowed=MappingProxyType({code: unit.description for code, unit in voc.UNITS.items()}))

FACT_FORM = Record((Key("fact", Text(refers_to="fact"), "the fact whose value this is", required=True),))
PARAM_FORM = Record((Key("param", Text(refers_to="parameter"),
                         "the case parameter whose value (default, fitted or drawn) this is", required=True),))
STATED_FORM = Record((
    Key("value", Number(("literal",)), "the figure", required=True),
    Key("unit", UNIT, "its unit (needed where figures are compared across units, e.g. market values)"),
    Key("basis", Text(), "where the figure comes from: publisher, document, how it was derived", required=True),
    Key("source", Text(refers_to="document"), "the document it was read from, when it is in `sources.csv`"),
))
#: Each form of a number, and the key that marks it in a mapping (a literal is a bare number).
NUMBER_FORMS: Mapping[NumberForm, tuple[str, Record | None, str]] = MappingProxyType({
    "literal": ("", None, "a bare number, e.g. `0.25`"),
    "fact": ("fact", FACT_FORM, "`{fact: ID}`: a fact's value, so the figure traces to its source"),
    "stated": ("value", STATED_FORM, "`{value: N, unit: U, basis: TEXT, source: ID}`: a figure that is not "
                                     "(yet) a fact, with where it comes from"),
    "param": ("param", PARAM_FORM, "`{param: ID}`: a parameter of the case, so it can be fitted or drawn"),
})


# -- the case ------------------------------------------------------------------------------------------------------

RULES = ListOf(Text(refers_to="rule"))

OFFERING = Record((
    Key("label", Text(), "what is sold, e.g. 'H20'", default_text="offering<n>"),
    Key("quality", Number(("literal", "param"), minimum=0.0), "performance relative to the baseline "
        "offering (an effective price p/q)", default=1.0),
    Key("barred_by", RULES, "rules that bar this offering while they are in force", default=()),
    Key("requires", RULES, "relaxations that must be in force for it to be sold", default=()),
    Key("wedge", Number(("literal", "fact"), minimum=0.0, scaled=True, units=("pct",)),
        "a fee on sales as an ad-valorem wedge (0.25 is 25%)", default=0.0),
    Key("item", Text(refers_to="input"), "the input sold, which rules' product scope is matched against",
        default_text="the case's `product`"),
))

CAPACITY = Record((
    Key("ceiling", Number(("literal", "param"), minimum=0.0), "capacity at the end of the build-out, as a "
        "multiple of the baseline quantity", required=True),
    Key("midpoint", Number(("literal",), minimum=1990.0, maximum=2100.0), "the year half-way through the "
        "build-out, e.g. 2024.5", required=True),
    Key("build_time", Number(("literal", "param"), minimum=0.0), "days to rise from 10% to 90% of the way",
        required=True),
))

SOURCE = Record((
    Key("id", Text(refers_to="firm"), "the supplier: a firm id, or a name for a group of firms",
        required=True, defines="source", unless="group"),
    Key("share", Number(("literal", "fact"), minimum=0.0, maximum=100.0, units=("pct",), literal_basis="basis"),
        "baseline share of the market's value, percent (shares are normalised to 100)", required=True),
    Key("basis", Text(), "how a literal share was derived"),
    Key("group", Flag(), "true for a bucket of several firms (its id need not be a firm)", default=False),
    Key("domestic", Flag(), "true for a supplier from the region itself (counts toward localization)",
        default=False),
    Key("offerings", ListOf(OFFERING, min_items=1), "what it sells, best first: each quarter it sells the "
        "first offering no rule in force bars", default_text="one baseline offering"),
    Key("capacity_growth", Number(("param",)), "yearly growth of capacity from the baseline quantity",
        excludes=("capacity",)),
    Key("capacity", CAPACITY, "a logistic capacity build-out from the baseline quantity"),
    Key("learning_rate", Number(("param",)), "unit cost falls by this fraction per doubling of output "
        "(Wright's law, on the capacity path)", requires_any=("capacity_growth", "capacity")),
    Key("quality_growth", Number(("param",)), "yearly growth of quality (learning, buyers' preference)"),
))

PARAMETER = Record((
    Key("from", Text(refers_to="catalogue_parameter"), "take default, range and basis from this row of "
        "`parameters.csv` (percentages become fractions)"),
    Key("default", Number(("literal", "fact"), scaled=True), "the value used unless fitted, drawn or set",
        required_without=("from",), default_text="from `from`"),
    Key("low", Number(("literal", "fact"), scaled=True), "low end of the range", default_text="from `from`, "
        "else the default"),
    Key("high", Number(("literal", "fact"), scaled=True), "high end of the range", default_text="from `from`, "
        "else the default"),
    Key("fit", Flag(), "calibrate it to the observations (on a grid over its range)", default=False),
    Key("basis", Text(), "where default and range come from (fact ids, a derivation, or 'free: ...')",
        required_without=("from",), excludes=("from",)),
))

BAN = Record((
    Key("rule", Text(refers_to="rule"), "the rule; the source is barred while it is in force (and not "
        "relaxed) for the case's region and product", required=True),
    Key("source", Text(refers_to="source"), "the barred source", required=True),
    Key("segments", ListOf(Text(refers_to="segment")), "the segments it bars", default_text="every segment"),
))

OBSERVATION = Record((
    Key("output", Text(refers_to="output"), "what was observed: an output of the case", required=True),
    Key("year", YEAR, "calendar year, or fiscal year for `revenue_share`", required=True),
    Key("fact", Text(refers_to="fact"), "the observed fact", required_without=("value",)),
    Key("value", Number(("literal",)), "the observed figure when it is not a fact: percent for shares, the "
        "revenue base's unit for revenues", required_without=("fact",), requires=("basis",), excludes=("fact",)),
    Key("unit", UNIT, "unit of `value`", requires=("value",)),
    Key("basis", Text(), "where `value` comes from: publisher, document, how it was derived",
        requires=("value",)),
    Key("source", Text(refers_to="document"), "the document `value` was read from", requires=("value",)),
    Key("fit", Flag(), "fit the parameters to it (false: shown beside the model only)", default=True),
))

REVENUE = Record((
    Key("label", Text(), "name of the revenue output (`revenue:<label>`)", required=True, defines="revenue"),
    Key("source", Text(refers_to="source"), "the source whose value the revenue moves with", required=True),
    Key("base_year", YEAR, "the calendar year of the base figure", required=True),
    Key("fact", Text(refers_to="fact"), "the base figure", required_without=("value",)),
    Key("value", Number(("literal",), minimum=0.0), "the base figure when it is not a fact",
        required_without=("fact",), requires=("unit", "basis"), excludes=("fact",)),
    Key("unit", UNIT, "unit of `value`", requires=("value",)),
    Key("basis", Text(), "where `value` comes from: publisher, document, how it was derived",
        requires=("value",)),
))

FIGURE = Number(("fact", "stated"), minimum=0.0, scaled=True)

CASE = Record((
    Key("kind", Text(allowed=MappingProxyType({"market": "a market case"})), "marks a market case",
        required=True),
    Key("name", Text(), "short name of the case", default_text="the file name"),
    Key("description", Text(), "what the case asks", default=""),
    Key("region", Text(refers_to="country"), "the buying region whose market is modelled", required=True),
    Key("product", Text(refers_to="input"), "the product of the market (rules' product scope is matched "
        "against it)", required=True),
    Key("start_year", YEAR, "first calendar year of the run (its first quarter is the baseline)", required=True),
    Key("end_year", YEAR, "last calendar year of the run", required=True),
    Key("fiscal_offset_months", Whole(0, 12), "the firm's fiscal year N ends this many months before the end "
        "of calendar year N", default=0),
    Key("firm", Text(refers_to="source"), "the source whose share of revenue from the region is an output "
        "(`revenue_share`)", requires=("firm_share_base", "firm_share_year")),
    Key("firm_share_year", YEAR, "the fiscal year of `firm_share_base`", requires=("firm_share_base",)),
    Key("firm_share_base", Number(("fact", "stated"), minimum=0.0, maximum=100.0, units=("pct",)),
        "the firm's share of revenue from the region in `firm_share_year`, percent",
        requires=("firm", "firm_share_year")),
    Key("sources", ListOf(SOURCE, min_items=1), "the suppliers of the market", required=True),
    Key("segments", MapOf(Text(), Number(("literal", "param"), minimum=0.0, maximum=1.0,
                                         words=MappingProxyType({"rest": "1 less the other segments' weights"})),
                          "segment", defines="segment"),
        "buyer segments and their weights in the market's value; a rule scoped to end-use segments matches "
        "a segment of the same name (`data_center`, `critical_information_infrastructure`, ...)",
        default=MappingProxyType({"all": 1.0})),
    Key("bans", ListOf(BAN), "bans that switch with rules, by source and segment", default=()),
    Key("market_growth", Number(("literal", "param"), minimum=-1.0), "yearly growth of the market's value "
        "(0.2 is 20%)", default=0.0, excludes=("market_value",)),
    Key("market_value", MapOf(PeriodLabel(), FIGURE, "period"), "the market's value by period: its path "
        "(linear between periods, flat beyond) sets demand growth; one currency throughout"),
    Key("other_revenue", MapOf(YEAR, FIGURE, "fiscal year"), "the firm's revenue from outside the region by "
        "fiscal year (it grows with the market after the last); one currency throughout", requires=("firm",)),
    Key("revenues", ListOf(REVENUE), "firms' revenues projected from a base-year figure with a source's "
        "value", default=()),
    Key("parameters", MapOf(Text(), PARAMETER, "parameter id", required=REQUIRED_PARAMETERS,
                            defines="parameter"),
        "the model's parameters: default, range, basis; some fitted", required=True),
    Key("observations", ListOf(OBSERVATION), "observed values the model is compared with and fitted to",
        default=()),
    Key("notes", ListOf(Text()), "caveats shown with the results", default=()),
))
