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
              "parameter", "segment", "source", "revenue", "output", "seller", "market", "series"]


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
    "output": Reference("output", "an output of this case (see Outputs, or Linked outputs)", in_case=True),
    "seller": Reference("seller", "a seller of a linked case (an `id` in `sellers`)", in_case=True),
    "market": Reference("market", "a market of a linked case (an `id` in `markets`)", in_case=True),
    "series": Reference("series", "a value series of a linked case (a key of `series`)", in_case=True),
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


@dataclass(frozen=True)
class Quarter:
    """A quarter label: 2023Q1."""


@dataclass(frozen=True)
class Day:
    """A date: 2023-07-03 (or 2023-07, 2023 for its first day); with ``time``, also a whole date with a UTC time
    of day, 2026-12-04T22:40Z."""

    time: bool = False


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


@dataclass(frozen=True)
class OneOf:
    """One of several shapes, told apart by the value's type (text, a mapping, a list, a number)."""

    options: tuple[Shape, ...]


Shape = Text | Whole | Flag | PeriodLabel | Quarter | Day | Number | Record | ListOf | MapOf | OneOf


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
    when: tuple[str, str] | None = None  # given only when key [0] (or its default) is [1]; required then if required


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
    Key("fit", Flag(), "report it as calibrated to the observations (every ranged parameter has a prior, and "
        "the observations marked fit weigh them all)", default=False),
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
    Key("source", Text(refers_to="document"), "the document `value` was read from; charts and reports give its "
        "publisher, title and date, and a literal without one draws the warning `unsourced_literal`",
        requires=("value",)),
    Key("fit", Flag(), "fit the parameters to it (false: shown beside the model only); a value of 0 cannot be "
        "fitted, as the fit compares logs, and only marks where the case's knowledge ends", default=True),
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

#: The models a market case can be read by (its `model` key).
MODELS: Mapping[str, str] = MappingProxyType({
    "single": "one product market in one region: its sources, segments and bans",
    "linked": "linked markets: sellers selling into several markets (regions, segments, products) from one "
              "supply",
})
KIND = Key("kind", Text(allowed=MappingProxyType({"market": "a market case"})), "marks a market case",
           required=True)

CASE = Record((
    KIND,
    Key("model", Text(allowed=MODELS), "the model that reads the case", default="single"),
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


# -- linked markets (model: linked) ------------------------------------------------------------------------------
# Sellers (a firm's or a country's product line) sell into several markets (a product in a region, optionally
# one buyer segment) from one supply; rules bar or license (market, seller) pairs through the restriction
# engine's reach, buyers rush before an announced ban, and a rule may cut a seller's input. Read by
# ``chipshift.scenarios.linked_parse``, run by ``chipshift.scenarios.linked_case``.

#: A model choice: a number, or a parameter so that it can be fitted or drawn.
LEVEL: tuple[NumberForm, ...] = ("literal", "param")

SUBSTITUTE = Record((
    Key("ceiling", Number(LEVEL, minimum=0.0), "the substitute's supply at the end of its build-out, as a "
        "multiple of the seller's baseline quarterly sales", required=True),
    Key("midpoint", Number(("literal",), minimum=1990.0, maximum=2100.0), "the year half-way through the "
        "build-out, e.g. 2025.5", required=True),
    Key("build_time", Number(LEVEL, minimum=0.0), "days to rise from 10% to 90% of the way", required=True),
))

CUT = Record((
    Key("rule", Text(refers_to="rule"), "the rule that cuts the input; the cut starts in the first quarter it "
        "holds for the seller", required=True),
    Key("input", Text(refers_to="input"), "the input the seller loses", required=True),
    Key("supplier", Text(), "who sold the input to the seller: a firm or country id, as rules name sellers",
        default_text="unnamed"),
    Key("stock_months", Number(LEVEL, minimum=0.0), "months of the seller's output its stock of the input "
        "carries after the cut", required=True),
    Key("licensed", Number(LEVEL, minimum=0.0, maximum=1.0), "the share of the input licences still let "
        "through after the cut", default=0.0),
    Key("substitute", SUBSTITUTE, "the substitute supply of the input that ramps up after the cut",
        required=True),
))

LINKED_OFFERING = Record((
    Key("label", Text(), "what is sold, e.g. 'H20'", default_text="offering<n>"),
    Key("item", Text(refers_to="input"), "the input sold, which rules' product scope is matched against",
        default_text="the market's `item`, else the seller's `product`"),
    Key("quality", Number(LEVEL, minimum=0.0), "its quality relative to the seller's baseline (an effective "
        "price p/q)", default=1.0),
    Key("wedge", Number(("literal", "fact"), minimum=0.0, scaled=True, units=("pct",)), "a fee on its sales as "
        "an ad-valorem wedge (0.25 is 25%)", default=0.0),
    Key("requires", RULES, "rules (permissions, relaxations) that must be in force for it to be sold at all",
        default=()),
))

SELLER = Record((
    Key("id", Text(), "the seller's id in the case: a firm's or a country's product line", required=True,
        defines="seller"),
    Key("product", Text(refers_to="input"), "what it sells (rules' product scope is matched against it); it "
        "sells only in markets of this product", required=True),
    Key("firm", Text(refers_to="firm"), "the firm selling: rules bind it by name and headquarters, and its "
        "revenue outputs are named by it"),
    Key("country", Text(refers_to="country"), "the producing country (for a group of producers) or the firm's "
        "headquarters; rules bind it when no `firm` is given"),
    Key("price", Number(("literal", "fact", "stated"), minimum=0.0), "baseline price per unit of quantity; a "
        "stated price with its unit gives quantities in units", default=1.0, default_text="1 (an index)"),
    Key("supply_elasticity", Number(LEVEL, minimum=0.0), "how far its output rises with its price "
        "(elasticity of supply)", default_text="infinite: it supplies what buyers take at its price"),
    Key("capacity_growth", Number(LEVEL, minimum=-1.0), "yearly growth of its capacity from its baseline "
        "sales (0.1 is 10%)", excludes=("ramp",)),
    Key("ramp", CAPACITY, "a logistic capacity build-out from its baseline sales"),
    Key("quality_growth", Number(LEVEL), "yearly growth of its quality (learning, buyers' preference)"),
    Key("cut", CUT, "an input it loses when a rule starts to hold: a stock carries it, then a substitute"),
    Key("domestic_in", ListOf(Text(refers_to="country")), "the regions where it counts as domestic (for "
        "`localization@<region>`)", default_text="its `country`"),
    Key("offerings", ListOf(LINKED_OFFERING, min_items=1), "what it sells, best first: in each market and "
        "quarter it sells the first offering no ban in force bars", default_text="one baseline offering"),
))

#: A market's value: a figure in the case's `value_unit` or another unit of its dimension.
VALUE = Number(("fact", "stated"), minimum=0.0)
VALUES = MapOf(PeriodLabel(), VALUE, "period")

MARKET = Record((
    Key("id", Text(), "the market's id in the case, e.g. its region", required=True, defines="market"),
    Key("region", Text(refers_to="country"), "the buying region (rules' targets are matched against it)",
        required=True),
    Key("segment", Text(allowed=MappingProxyType({**voc.SEGMENTS, "other": "the region's other buyers: no rule "
                                                                           "scoped to end uses reaches them"})),
        "the buyer segment when the market is one end use of the region (a rule scoped to end uses matches it)",
        default_text="every end use"),
    Key("product", Text(refers_to="input"), "what is bought; its sellers sell this product", required=True),
    Key("item", Text(refers_to="input"), "what is sold in this market when narrower than the product (rules' "
        "product scope is matched against it)", default_text="the `product`"),
    Key("value", Number(("fact", "stated", "param"), minimum=0.0), "the market's yearly value at the start, in "
        "`value_unit` unless a unit is stated; it grows at `growth`",
        required_without=("values",), excludes=("values",)),
    Key("values", OneOf((Text(refers_to="series"), VALUES)), "the market's sourced value by period, or the name "
        "of a `series`: each figure the amount over its own period, a year's total or a quarter's own amount (never "
        "a quarter's amount already multiplied up to a yearly rate), which the model reads as a yearly rate (a "
        "quarter's times four, a half-year's times two), linear between periods, "
        "flat before the first and, after the last, flat or growing at `growth`; buyers spend what the path says "
        "through the quarter that ends the last sourced period (the case's own rules included), and after it their "
        "demand moves as the path's outlook does, so rules and rushes move their spending"),
    Key("less", ListOf(Text(refers_to="market")), "markets of the case inside `values`, taken out of them "
        "(e.g. the world less its other regions)", requires=("values",), default=()),
    Key("scale", Number(LEVEL, minimum=0.0), "the market's fraction of `values` less `less` (or of `value`), "
        "e.g. a region's part of a world total", default=1.0),
    Key("shares", MapOf(Text(refers_to="seller"), Number(("literal", "fact", "stated", "param"), minimum=0.0,
                                                          maximum=100.0, units=("pct",)), "seller"),
        "baseline shares of the market's value by seller, percent (normalised to 100)", required=True),
    Key("sigma", Number(LEVEL, minimum=0.0), "substitution elasticity between its sellers (CES); the short-run "
        "value where the case states `sigma_long_run_ratio` (below)", required=True),
    Key("demand_elasticity", Number(LEVEL, minimum=0.0), "own-price elasticity of its total demand "
        "(magnitude)", required=True),
    Key("growth", Number(LEVEL, minimum=-1.0), "yearly growth of its demand from `value`, or after the last of "
        "its `values` (0.2 is 20%): an episode's outlook beyond what was known on its as_of date", default=0.0),
))

EFFECTS: Mapping[str, str] = MappingProxyType({
    "ban": "the pairs' sales stop while the rule holds",
    "licence": "a share `approval` of what buyers would take is licensed, with a `delay` wedge",
})

RUSH = Record((
    Key("cap_months", Number(LEVEL, minimum=0.0), "the most months of purchases buyers stock up between the "
        "rule's announcement and its start", required=True),
    Key("from", Day(), "when buyers start to expect the rule", default_text="the rule's announcement, else its "
        "start"),
))

LINKED_RULE = Record((
    Key("rule", Text(refers_to="rule"), "the rule; it governs the (market, seller) pairs it reaches for "
        "certain, and the pairs it may reach that `sellers` and `markets` name", required=True),
    Key("effect", Text(allowed=EFFECTS), "what it does to the pairs it governs", default="ban"),
    Key("approval", Number(LEVEL, minimum=0.0, maximum=1.0), "the share of requested sales licensed",
        required=True, when=("effect", "licence")),
    Key("delay", Number(LEVEL, minimum=0.0), "the cost of the licence review as an ad-valorem wedge (0.1 is "
        "10%)", default=0.0, when=("effect", "licence")),
    Key("sellers", ListOf(Text(refers_to="seller"), min_items=1), "the sellers it governs",
        default_text="every seller it reaches for certain"),
    Key("markets", ListOf(Text(refers_to="market"), min_items=1), "the markets it governs",
        default_text="every market it reaches for certain"),
    Key("rush", RUSH, "buyers stock up between the rule's announcement and its start"),
))

LINKED_OBSERVATION = Record((
    Key("output", Text(refers_to="output"), "what was observed: an output of the case (see Linked outputs)",
        required=True),
    Key("period", PeriodLabel(), "a quarter (2023Q4), a calendar year (2024) or, for a firm's revenue "
        "outputs, a fiscal year (FY2024) inside the run", required=True),
    Key("fact", Text(refers_to="fact"), "the observed fact", required_without=("value",)),
    Key("value", Number(("literal",)), "the observed figure when it is not a fact: percent for shares, 1 at "
        "the start for indices, money in `value_unit` unless a unit is given", required_without=("fact",),
        requires=("basis",), excludes=("fact",)),
    Key("unit", UNIT, "unit of `value`", requires=("value",)),
    Key("basis", Text(), "where `value` comes from: publisher, document, how it was derived",
        requires=("value",)),
    Key("source", Text(refers_to="document"), "the document `value` was read from (derived from several: the one "
        "it rests on most, `basis` naming the others); charts and reports give its publisher, title and date, and "
        "a literal without one draws the warning `unsourced_literal`", requires=("value",)),
    Key("fit", Flag(), "fit the parameters to it (false: shown beside the model only); a value of 0 cannot be "
        "fitted, as the fit compares logs, and only marks where the case's knowledge ends", default=True),
))

#: What kind of restriction an episode is about (``episode.mechanism``).
MECHANISMS: Mapping[str, str] = MappingProxyType({
    "procurement_ban": "an importing country's buyers barred from buying a foreign firm's products",
    "chip_export_controls": "an exporting country's controls on advanced chips or the tools to make them",
    "entity_listing": "a firm put on a list that bars exports to it without a licence",
    "supply_cut": "a firm cut off from an input it needs (e.g. a foreign-direct-product rule)",
    "raw_material_control": "an exporting country's licence requirement or ban on a raw material",
    "licence_granted": "a licence requirement later granted, in part or in full",
    "relaxation": "a restriction relaxed, suspended or lifted",
    "firm_exit": "a firm leaving a market itself",
    "buyer_rush": "buyers ordering ahead of an announced rule",
})

EPISODE = Record((
    Key("as_of", Day(), "the last day whose information the set-up may use: before the restriction took effect "
        "(or was announced, for a rush); every fact the case cites outside `outcomes` must be published by then, "
        "and every observation's period must end by then", required=True),
    Key("mechanism", Text(allowed=MECHANISMS), "what kind of restriction the episode is about", required=True),
    Key("summary", Text(), "what happened, in a sentence", required=True),
    Key("written", Day(time=True), "when the episode's outcomes were written down (a day, or a day and a UTC time): "
        "episodes written after the model's mechanisms last changed are its held-out test set"),
))

OUTCOME = Record((
    Key("output", Text(refers_to="output"), "what was observed afterwards: an output of the case", required=True),
    Key("period", PeriodLabel(), "its period, inside the run; it ends after `episode.as_of`", required=True),
    Key("from", PeriodLabel(), "the period the change is measured from: an observation of the same output in "
        "`observations` (so before `as_of`)", required=True),
    Key("fact", Text(refers_to="fact"), "the observed fact", required_without=("value",)),
    Key("value", Number(("literal",)), "the observed figure when it is not a fact (as for observations)",
        required_without=("fact",), requires=("basis",), excludes=("fact",)),
    Key("unit", UNIT, "unit of `value`", requires=("value",)),
    Key("basis", Text(), "where `value` comes from: publisher, document, date", requires=("value",)),
))

#: How a linked case's quarters take a rule that starts or stops within one.
TIMINGS: Mapping[str, str] = MappingProxyType({
    "days": "the quarter is shared by days: a pair the rule bars on some of its days is licensed the share of "
            "days it is open, a licence applies in the share of days it holds (the model's default: "
            "docs/backtest.md, \"Rules that take effect within a quarter\")",
    "mid-quarter": "the quarter follows the rule's state on its middle day (the 15th of its middle month), as "
                   "the model did before 6 December 2026",
})

#: What a linked case's buyers' stock, drawn once the rule they stocked up for holds, stands in for.
STOCK_USES: Mapping[str, str] = MappingProxyType({
    "market": "a quarter's draw lowers the market's whole demand, so every seller loses in proportion to its "
              "share (the model's default)",
    "pair": "under a licence cap or a fee a draw replaces purchases from the pair the stock was bought from "
            "first, and only what it draws beyond them lowers the market's demand (on trial: docs/backtest.md, "
            "\"A stock that stands in for what it was bought as\")",
})

#: Which of a linked case's buyers stock up before a rule they expect.
STOCK_HOLDERS: Mapping[str, str] = MappingProxyType({
    "all": "every buyer of the pair stocks up to the rush's cap and the stock is drawn at the pair's whole use "
           "(the model before 6 December 2026)",
    "some": "a share of the pair's buyers (the case's `rush_buyer_share` parameter, else the catalogue's) stock up, "
            "each to the cap, and the stock is drawn at that share of the pair's use (the model's default: "
            "docs/backtest.md, \"Stocks held by some buyers, not all\")",
})

#: When a linked case's buyers order the stock they build before a rule with a known start.
RUSH_TIMINGS: Mapping[str, str] = MappingProxyType({
    "announced": "from when they learn of the rule, closing the gap over the rush's speed (the model before 6 "
                 "December 2026)",
    "late": "as late as sellers' spare capacity allows before the rule starts (the model's default: "
            "docs/backtest.md, \"A rush bought as late as it pays, and no more than it pays to hold\")",
})

#: How many quarters of use a linked case's rush before a rule covers.
RUSH_LIMITS: Mapping[str, str] = MappingProxyType({
    "cap": "the rush's cap alone (the model before 6 December 2026)",
    "carrying_cost": "before a rule that lets every unit through at a price wedge (a tax, tariff, duty or fee), no "
                     "more quarters of use than the wedge pays to hold at the yearly cost of carrying a stock "
                     "(`stock_carrying_cost`: the case's parameter, else the catalogue's); bans and licence caps "
                     "keep the cap (the model's default: docs/backtest.md, \"A rush bought as late as it pays, and no "
                     "more than it pays to hold\")",
})

#: Who pays the rent of a linked case's licence cap where it binds.
LICENCE_RENTS: Mapping[str, str] = MappingProxyType({
    "kept": "buyers pay the price that clears the cap and the capped seller keeps the rent (the model's default)",
    "unpaid": "the licences ration the capped flow: buyers pay the seller's price with the wedge, the rent only "
              "moves their choices, and values, receipts and shares by value leave it out (judged on 7 "
              "December 2026 and not adopted: docs/backtest.md, \"A licence rations, it does not auction\")",
})

LINKED_CASE = Record((
    KIND,
    Key("model", Text(allowed=MODELS), "`linked` for linked markets", required=True),
    Key("name", Text(), "short name of the case", default_text="the file name"),
    Key("description", Text(), "what the case asks", default=""),
    Key("start", Quarter(), "first quarter of the run (its baseline)", required=True),
    Key("end", Quarter(), "last quarter of the run", required=True),
    Key("value_unit", UNIT, "the unit of the markets' values and of value outputs: money, or a count of items or "
        "a mass (then prices are indices, and market sizes, shares, receipts and localization are counted in that "
        "unit, as trackers count them); every value figure is in a unit of its dimension", required=True),
    Key("sellers", ListOf(SELLER, min_items=1), "who sells: a firm's or a country's product line",
        required=True),
    Key("markets", ListOf(MARKET, min_items=1), "where they sell: a product in a region, optionally one "
        "buyer segment", required=True),
    Key("series", MapOf(Text(), VALUES, "series name", defines="series"), "value series by period that "
        "several markets' `values` name (each figure read as in `values`)", default_text="none"),
    Key("rules", ListOf(LINKED_RULE), "the rules that bar or license sellers in markets", default=()),
    Key("parameters", MapOf(Text(), PARAMETER, "parameter id", defines="parameter"), "the parameters "
        "numbers name with `{param: ID}`: default, range, basis; some fitted", default_text="none"),
    Key("observations", ListOf(LINKED_OBSERVATION), "observed values the model is compared with and fitted "
        "to", default=()),
    Key("fiscal_year_end", MapOf(Text(refers_to="firm"), Whole(1, 12), "firm"), "the month each firm's fiscal "
        "year ends; its revenue outputs then come by fiscal year too (FY2024 ends in that month of 2024)",
        default_text="calendar years only"),
    Key("timing", Text(allowed=TIMINGS), "how a rule that starts or stops within a quarter acts on it: `days`, "
        "the quarter is shared by the days the rule holds; `mid-quarter`, it follows the rule's state on its "
        "middle day", default="days"),
    Key("stock_use", Text(allowed=STOCK_USES), "what buyers' stock stands in for once the rule they stocked up "
        "for holds: `market`, the market's demand as a whole; `pair`, under a licence cap or a fee the purchases "
        "from the pair it was bought from first", default="market"),
    Key("stock_holders", Text(allowed=STOCK_HOLDERS), "which buyers stock up before a rule they expect: `all`, "
        "every buyer of the pair, to the rush's cap; `some`, a share of them (`rush_buyer_share`), each to the cap "
        "and drawing at its own use", default="some"),
    Key("rush_timing", Text(allowed=RUSH_TIMINGS), "when buyers order the stock they build before a rule with a "
        "known start: `announced`, from when they learn of it; `late`, as late as sellers' spare capacity allows",
        default="late"),
    Key("rush_limit", Text(allowed=RUSH_LIMITS), "how many quarters of use buyers stock before a rule they "
        "expect: `cap`, the rush's cap; `carrying_cost`, before a rule that lets goods through at a price wedge, "
        "no more than the wedge pays to hold at the cost of carrying a stock", default="carrying_cost"),
    Key("licence_rent", Text(allowed=LICENCE_RENTS), "who pays the rent of a licence cap that binds: `kept`, "
        "buyers pay the price that clears the cap, to the seller; `unpaid`, buyers pay the seller's price and the "
        "licences ration the rest", default="kept"),
    Key("notes", ListOf(Text()), "caveats shown with the results", default=()),
    Key("episode", EPISODE, "makes the case a back-test episode: set up with what was known on `as_of`, scored "
        "on its `outcomes`", default_text="not an episode"),
    Key("outcomes", ListOf(OUTCOME), "what was observed after `episode.as_of`: the back-test's scores; never "
        "fitted to", default=(), requires=("episode",)),
))

#: Which ids of a linked case fill an output's pattern: every market; every (seller, market) pair with a
#: share; every seller; every seller and region of a market of its product; every owner (a seller's firm, else
#: the seller); every owner and region; every region where a seller is domestic.
LinkedOver = Literal["market", "pair", "seller", "seller_region", "owner", "owner_region", "domestic_region"]
#: An output's unit: percent, an index (1 in the first quarter), the case's `value_unit`, the unit of the
#: seller's stated price (else an index), or units when the seller's price has a unit (else `value_unit`).
LinkedUnit = Literal["pct", "index", "value_unit", "seller_price", "seller_quantity"]
LINKED_UNITS: Mapping[LinkedUnit, str] = MappingProxyType({
    "pct": "percent",
    "index": "an index, 1 in the first quarter",
    "value_unit": "the case's `value_unit`",
    "seller_price": "the unit of the seller's stated price, else an index",
    "seller_quantity": "`units` when the seller's price has a unit, else `value_unit` at its baseline price",
})


@dataclass(frozen=True)
class LinkedOutput:
    """An output of a linked case: its name with the case's ids in ``<...>``, what it is, its unit, which ids
    fill it, and whether it also comes by the owner's fiscal years."""

    pattern: str
    description: str
    unit: LinkedUnit
    over: LinkedOver
    fiscal: bool = False


LINKED_OUTPUTS: tuple[LinkedOutput, ...] = (
    LinkedOutput("value@<market>", "buyers' spending in the market (what they buy, where the case's values are "
                 "counts or masses)", "value_unit", "market"),
    LinkedOutput("price@<market>", "the market's composite (CES) price", "index", "market"),
    LinkedOutput("unmet@<market>", "demand no allowed seller (and no stock) serves, at baseline prices",
                 "value_unit", "market"),
    LinkedOutput("share:<seller>@<market>", "a seller's share of the market's value (of its units, where the "
                 "case's values are counts or masses)", "pct", "pair"),
    LinkedOutput("quantity:<seller>@<market>", "what a seller delivers into the market", "seller_quantity", "pair"),
    LinkedOutput("volume_index:<seller>@<market>", "what a seller delivers into the market against its first "
                 "quarter", "index", "pair"),
    LinkedOutput("price:<seller>@<market>", "the price buyers in the market pay the seller", "seller_price", "pair"),
    LinkedOutput("share:<seller>", "a seller's share of the value (or units) of every market of its product", "pct",
                 "seller"),
    LinkedOutput("share:<seller>@<region>", "a seller's share of the value (or units) of its product's markets "
                 "in a region", "pct", "seller_region"),
    LinkedOutput("seller_price:<seller>", "the seller's own price (before market wedges)", "seller_price", "seller"),
    LinkedOutput("capacity_rent:<seller>", "the seller's price above its supply curve when its capacity binds",
                 "seller_price", "seller"),
    LinkedOutput("rationed:<seller>", "what buyers would take from the seller at its marginal cost, others' prices "
                 "held, beyond what it sells, when its capacity binds (0 otherwise); in the reported run and its bands",
                 "seller_quantity", "seller"),
    LinkedOutput("revenue:<owner>", "an owner's receipts from every market (net of wedges; units sold where the "
                 "case's values are counts or masses)", "value_unit",
                 "owner", fiscal=True),
    LinkedOutput("revenue:<owner>@<region>", "an owner's receipts from a region", "value_unit", "owner_region",
                 fiscal=True),
    LinkedOutput("revenue_share:<owner>@<region>", "an owner's share of its receipts from a region", "pct",
                 "owner_region", fiscal=True),
    LinkedOutput("localization@<region>", "the domestic sellers' share of the region's value (or units)", "pct",
                 "domestic_region"),
)
