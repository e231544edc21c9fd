"""Controlled vocabularies: every coded value a data file may use, declared once.

Validation, the store's CHECK lists and the data-format docs all read these tables, so adding a
unit or a metric here is the one edit needed to make it legal everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Unit:
    """A unit of measure: the dimension it measures and its factor to that dimension's base unit."""

    code: str
    dimension: str
    factor: float
    description: str


#: The scales a money unit's code names after its currency ("usd_m": millions of US dollars).
SCALE_SUFFIXES: Mapping[str, float] = MappingProxyType({"k": 1e3, "m": 1e6, "bn": 1e9, "tn": 1e12})


def unit_scale(code: str) -> tuple[str, float] | None:
    """A unit's dimension and factor: the vocabulary's, or for a money code outside it (``usd_k``, ``jpy_m``, as
    tables' captions and labels write them) its currency's dimension and the scale its suffix names; else None."""
    unit = UNITS.get(code)
    if unit is not None:
        return unit.dimension, float(unit.factor)
    currency, _, size = code.partition("_")
    scale = SCALE_SUFFIXES.get(size)
    return (f"currency_{currency}", scale) if scale is not None and re.fullmatch(r"[a-z]{3}", currency) else None


def _units(*units: Unit) -> Mapping[str, Unit]:
    return MappingProxyType({u.code: u for u in units})


UNITS: Mapping[str, Unit] = _units(
    Unit("pct", "share", 0.01, "percent of a whole (0-100)"),
    Unit("pct_yoy", "growth", 0.01, "percent change year on year"),
    Unit("pct_qoq", "growth", 0.01, "percent change quarter on quarter"),
    Unit("pct_change", "growth", 0.01, "percent change between two stated periods"),
    Unit("pct_points", "share_change", 0.01, "percentage points"),
    Unit("ratio", "ratio", 1.0, "a plain ratio (1.0 = equal; 14.3 = 14.3-fold)"),
    Unit("usd", "currency_usd", 1.0, "US dollars"),
    Unit("usd_m", "currency_usd", 1e6, "million US dollars"),
    Unit("usd_bn", "currency_usd", 1e9, "billion US dollars"),
    Unit("cny", "currency_cny", 1.0, "Chinese yuan (renminbi)"),
    Unit("cny_m", "currency_cny", 1e6, "million yuan"),
    Unit("cny_bn", "currency_cny", 1e9, "billion yuan"),
    Unit("krw_tn", "currency_krw", 1e12, "trillion Korean won"),
    Unit("krw_bn", "currency_krw", 1e9, "billion Korean won"),
    Unit("eur_m", "currency_eur", 1e6, "million euros"),
    Unit("eur_bn", "currency_eur", 1e9, "billion euros"),
    Unit("jpy_bn", "currency_jpy", 1e9, "billion Japanese yen"),
    Unit("twd_bn", "currency_twd", 1e9, "billion New Taiwan dollars"),
    Unit("cny_per_usd", "exchange_rate", 1.0, "yuan per US dollar"),
    Unit("units", "count", 1.0, "items (chips, tools, servers, racks ...)"),
    Unit("units_k", "count", 1e3, "thousand items"),
    Unit("units_m", "count", 1e6, "million items"),
    Unit("units_bn", "count", 1e9, "billion items"),
    Unit("wafers_per_month", "wafer_rate", 1.0, "wafer starts per month"),
    Unit("wafers_k_per_month", "wafer_rate", 1e3, "thousand wafer starts per month"),
    Unit("wafers_m_per_year", "wafer_rate_year", 1e6, "million wafers per year"),
    Unit("gb_bn", "bits", 1e9, "billion gigabits"),
    Unit("kg", "mass", 1.0, "kilograms"),
    Unit("t", "mass", 1e3, "metric tons"),
    Unit("kt", "mass", 1e6, "thousand metric tons"),
    Unit("usd_per_kg", "price_usd_mass", 1.0, "US dollars per kilogram"),
    Unit("cny_per_kg", "price_cny_mass", 1.0, "Chinese yuan per kilogram"),
    Unit("tflops", "compute", 1e12, "tera floating-point operations per second"),
    Unit("pflops", "compute", 1e15, "peta floating-point operations per second"),
    Unit("eflops", "compute", 1e18, "exa floating-point operations per second"),
    Unit("tflops_per_w", "compute_efficiency", 1e12, "TFLOPS per watt"),
    Unit("tokens_per_s", "throughput", 1.0, "tokens per second"),
    Unit("kw", "power", 1e3, "kilowatts"),
    Unit("mw", "power", 1e6, "megawatts (of solar modules: peak direct-current rating)"),
    Unit("gw", "power", 1e9, "gigawatts (of solar modules: peak direct-current rating)"),
    Unit("mwh", "energy", 1e6, "megawatt-hours (of batteries: storage capacity)"),
    Unit("gwh", "energy", 1e9, "gigawatt-hours (of batteries: storage capacity)"),
    Unit("tb", "memory_capacity", 1e12, "terabytes"),
    Unit("transistors_bn", "count_transistors", 1e9, "billion transistors"),
    Unit("gbps_per_mm2", "memory_bandwidth_density", 1.0,
         "memory bandwidth density (BIS ECCN 3A090.c): gigabytes per second of memory bandwidth per square "
         "millimetre of package or stack area"),
    Unit("tpp", "tpp", 1.0, "total processing performance (BIS ECCN 3A090): 2 x MacTOPS x bit length of the "
         "operation, aggregated over the chip's processing units"),
    Unit("tpp_per_mm2", "performance_density", 1.0,
         "performance density (BIS ECCN 3A090): TPP divided by the applicable die area in mm2"),
    Unit("nm", "length", 1e-9, "nanometres (a process node as the foundry names it, e.g. 7 for 7 nm)"),
    Unit("years", "duration", 1.0, "years"),
    Unit("months", "duration", 1 / 12, "months"),
    Unit("days", "duration", 1 / 365.25, "days"),
    Unit("elasticity", "elasticity", 1.0, "a dimensionless elasticity"),
)

STATUSES: Mapping[str, str] = MappingProxyType(
    {
        "reported": "stated by the firm, a government or a statistics office about a past period",
        "estimate": "a third party's estimate of a past or current period (market trackers, analysts)",
        "forecast": "a projection of a future period",
        "claim": "an assertion that has not been independently checked (marketing, press claims, documents)",
    }
)

SHARE_BASES: Mapping[str, str] = MappingProxyType(
    {
        "revenue": "share of sales value",
        "bits": "share of bits shipped (memory)",
        "shipments": "share of units shipped",
        "capacity": "share of production capacity",
        "production": "share of output volume (mine or refinery production, as the definition says)",
        "purchases": "share of the buyer's purchases",
        "unknown": "the source does not say",
    }
)

SEGMENTS: Mapping[str, str] = MappingProxyType(
    {
        "all": "every end use",
        "data_center": "servers and data centres",
        "mobile": "phones and tablets",
        "pc": "personal computers",
        "automotive": "vehicles",
        "consumer": "consumer electronics",
        "industrial": "industrial equipment",
        "telecom": "telecommunications networks",
        "government": "government agencies and their suppliers",
        "critical_information_infrastructure": "operators of critical information infrastructure (China's CII)",
        "military": "military end uses and end users",
        "ai_training": "training of AI models",
        "ai_inference": "inference of AI models",
        "advanced_fabs": "chip fabs at advanced process nodes, as the rule defines them",
    }
)

CHAINS: Mapping[str, str] = MappingProxyType(
    {
        "semiconductors": "the semiconductor supply chain: chips, the tools, materials, software and raw materials "
                          "that make them, and the products built around them (servers, phones, network equipment)",
        "other": "goods outside the semiconductor supply chain (cars, food, energy ...), kept for the back-test "
                 "episodes that score the market model on them",
    }
)

INPUT_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "product_group": "a group of chip products (memory, AI accelerators)",
        "chip": "a chip product or product line",
        "tool_resource": "a manufacturing or test tool",
        "material_resource": "a material",
        "design_resource": "design software, IP or a design segment",
        "process": "a process step of the production chain",
        "ultimate_output": "the finished product of the chain",
        "raw_material": "a mined or refined raw material",
        "software": "software or technology",
    }
)

INPUT_LINK_RELATIONS: Mapping[str, str] = MappingProxyType(
    {
        "is_type_of": "the child is a variant or sub-category of the parent",
        "goes_into": "the child is an input consumed by the parent process or bucket",
    }
)

ENTITY_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "country": "a country (ISO 3166-1 alpha-3)",
        "region": "a group of countries or territories",
        "aggregate": "a catch-all bucket such as 'various countries'",
    }
)


@dataclass(frozen=True)
class Metric:
    """A kind of quantity a fact may state, with the unit dimensions it may be given in."""

    code: str
    category: str
    dimensions: tuple[str, ...]
    description: str
    needs_product: bool = False


def _metrics(*metrics: Metric) -> Mapping[str, Metric]:
    return MappingProxyType({m.code: m for m in metrics})


#: A fact's entity that is a bucket of firms rather than one ("group:domestic-vendors").
GROUP_PREFIX = "group:"

_CURRENCY = ("currency_usd", "currency_cny", "currency_krw", "currency_eur", "currency_jpy", "currency_twd")

METRICS: Mapping[str, Metric] = _metrics(
    # market observations: entity is the supplier (firm or country) or a '+'-joined group of them
    Metric("market_share", "market_observation", ("share",),
           "the entity's share of a market (product x region x segment), on the stated basis",
           needs_product=True),
    Metric("market_share_change", "market_observation", ("share_change",),
           "change of the entity's market share between periods", needs_product=True),
    # market-level figures: entity is the region whose market it is (WLD for the world)
    Metric("market_size", "market_observation", (*_CURRENCY, "count", "bits", "compute"),
           "size of a market (sales value or volume)", needs_product=True),
    Metric("market_growth", "market_observation", ("growth",),
           "growth of a market's size", needs_product=True),
    Metric("localization_rate", "market_observation", ("share",),
           "share of a region's market supplied by providers headquartered in the region",
           needs_product=True),
    Metric("import_share", "market_observation", ("share",),
           "share of a region's market supplied from imports or foreign providers", needs_product=True),
    Metric("production", "market_observation", ("count", "bits", "wafer_rate", "wafer_rate_year", "compute", "mass"),
           "output of the entity", needs_product=True),
    Metric("capacity", "market_observation", ("count", "wafer_rate", "wafer_rate_year", "compute", "power"),
           "production capacity of the entity", needs_product=True),
    Metric("shipments", "market_observation", ("count", "bits"), "units shipped by the entity",
           needs_product=True),
    Metric("shipments_growth", "market_observation", ("growth",), "growth of the units shipped by the entity",
           needs_product=True),
    Metric("production_growth", "market_observation", ("growth",), "growth of the entity's output",
           needs_product=True),
    Metric("price", "market_observation", ("currency_usd", "currency_cny", "price_usd_mass", "price_cny_mass"),
           "price per unit", needs_product=True),
    Metric("price_change", "market_observation", ("growth",),
           "change of a price between periods (the definition says which price, e.g. a contract price, and on "
           "which period)", needs_product=True),
    # firm financials: entity is the firm
    Metric("revenue", "financial", _CURRENCY, "the entity's sales in the period"),
    Metric("revenue_growth", "financial", ("growth", "ratio"), "growth of the entity's sales"),
    Metric("revenue_by_region", "financial", _CURRENCY, "the entity's sales to the stated region"),
    Metric("revenue_share_region", "financial", ("share",),
           "share of the entity's sales from the stated region (definition column says how it is counted)"),
    Metric("revenue_by_product", "financial", _CURRENCY, "the entity's sales of the stated product",
           needs_product=True),
    Metric("revenue_share_product", "financial", ("share",),
           "share of the entity's sales from the stated product", needs_product=True),
    Metric("net_profit", "financial", _CURRENCY, "net profit attributable to shareholders (negative = loss)"),
    Metric("operating_profit", "financial", _CURRENCY, "operating profit (negative = loss)"),
    Metric("gross_margin", "financial", ("share",), "gross margin"),
    Metric("charge", "financial", _CURRENCY, "a one-off charge or write-down"),
    Metric("orders", "financial", (*_CURRENCY, "count"), "orders placed or received"),
    Metric("investment", "financial", _CURRENCY, "capital spending or investment"),
    Metric("investment_growth", "financial", ("growth", "ratio"), "growth of capital spending or investment"),
    # trade: entity is the reporting country
    Metric("imports", "trade", (*_CURRENCY, "count", "power"),
           "the entity's imports of the stated product; `region` is the origin (empty: from all origins)"),
    Metric("exports", "trade", (*_CURRENCY, "count", "mass"),
           "exports of the stated product (value, units or mass, e.g. raw-material volumes)"),
    Metric("trade_share", "trade", ("share",), "share of a trade flow (definition column says of what)"),
    Metric("trade_growth", "trade", ("growth",), "growth of a trade flow"),
    Metric("equipment_purchases", "trade", _CURRENCY,
           "purchases of semiconductor manufacturing equipment (SEMI WWSEMS billings by region)"),
    Metric("equipment_purchases_share", "trade", ("share",), "share of world equipment purchases"),
    Metric("equipment_purchases_growth", "trade", ("growth",), "growth of equipment purchases"),
    # exchange rates: entity is the currency pair
    Metric("exchange_rate", "exchange_rate", ("exchange_rate",), "currency units per US dollar"),
    # technical performance: entity is the product (or 'A vs B' pair in the definition column)
    Metric("performance", "performance", ("compute", "compute_efficiency", "throughput", "power",
                                          "memory_capacity", "count_transistors", "tpp", "performance_density",
                                          "length", "memory_bandwidth_density"),
           "a technical performance figure (tpp, performance density, memory bandwidth density and process node "
           "become input attributes)"),
    Metric("relative_performance", "performance", ("share", "ratio"),
           "performance relative to a named rival product (definition column names both)"),
    Metric("time_to_build", "parameter", ("duration",), "years needed to build or qualify capacity"),
    Metric("elasticity", "parameter", ("elasticity",), "an elasticity used by the market model"),
    Metric("learning_rate", "parameter", ("share",),
           "cost decline per doubling of cumulative output (Wright's law), as a percentage"),
    Metric("adjustment_time", "parameter", ("duration",),
           "time for trade flows or supplier shares to adjust to a new equilibrium"),
    Metric("elasticity_ratio", "parameter", ("ratio",),
           "an elasticity over another of the same kind (e.g. long-run over short-run trade elasticity)"),
    Metric("licence_time", "parameter", ("duration",),
           "time a licensing authority takes to decide licence applications (the definition column says which)"),
    Metric("stockpiling_share", "parameter", ("share",),
           "the share of surveyed buyers (firms or households) who moved purchases up or said they would stock up "
           "ahead of an expected trade measure (the definition column says who and when)"),
    Metric("carrying_cost_rate", "parameter", ("share",),
           "the yearly cost of carrying a stock (interest, taxes, obsolescence, depreciation, insurance and, where "
           "stated, warehousing) as a share of its value (the definition column says what is counted)"),
)
