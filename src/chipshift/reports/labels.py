"""The words of a market run's charts and tables: what each output is (title, axis label, unit), how its numbers
read, and the footer naming the case, the date of its data and the publishers of the figures shown.

One place for both the files of ``scenario run --out`` (``reports.market_run_files``, ``reports.sensitivity``) and the
HTML report (``web.market_report``). The names come from the run (``api.market_runs.scenario_run``: ``names``,
``publishers``, ``data_as_of``); a run without them (an older results.json) falls back to its codes."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chipshift.reports import palette
from chipshift.schemas.vocabulary import METRICS, UNITS

#: Units that are no code of the vocabulary: a linked run's price index.
OTHER_UNITS: Mapping[str, str] = {"index": "index, 1 in the first quarter"}

#: The glossary: words the answers use that need saying what they mean, one definition each wherever they appear,
#: on the pages (the server hands it to each page: ``CS.define``) as in the terminal (``render``: a line under a
#: table whose ``GLOSSARY_COLUMNS`` say them).
TERMS: Mapping[str, str] = {
    "barred (lower)": "the lower bound: the world shares of the providers certainly barred",
    "barred (strict)": "the strict reading: licences under review counted as refused, and a rule of unknown reach as "
                       "reaching",
    "barred (upper)": "the upper bound: every provider that may be barred counted as barred, and every unknown share",
    "whole": "the rule cuts off every buyer it targets at the destination",
    "partial": "the rule reaches only some of the destination's buyers or end uses (the note says which)",
    "certain": "the rule surely reaches the product and every buyer it targets",
    "maybe": "the rule may reach it: a threshold the product may pass, or only some buyers",
}
#: The fields whose values are terms of the glossary (a rule's reach of a buyer or a product).
GLOSSARY_COLUMNS = frozenset({"reach", "buyers_reach"})


def define(term: object) -> str | None:
    """What a term of the glossary (``TERMS``) means, None for a word it does not define."""
    return TERMS.get(str(term).lower())


@dataclass(frozen=True)
class OutputText:
    """What a chart of one output says: its title, its value axis's label and the unit code of its values."""

    title: str
    axis: str
    unit: str | None


def unit_words(unit: str | None) -> str:
    """A unit code in words: ``cny_m`` -> ``million yuan (CNY)``, ``pct`` -> ``percent``; a code the
    vocabulary lacks as it is."""
    if not unit:
        return "unit not stated"
    if unit in OTHER_UNITS:
        return OTHER_UNITS[unit]
    known = UNITS.get(unit)
    if known is None:
        return unit
    if known.dimension == "share":
        return "percent"
    if known.dimension.startswith("currency_"):
        return f"{known.description} ({known.dimension.removeprefix('currency_').upper()})"
    return known.description


def index_words(report: Mapping[str, Any]) -> str:
    """How a run's index reads, the one wording of its charts' titles and axes and of its tornado charts: "index,
    2023Q1 = 1" (the run's first quarter at 1); a run that does not give its periods, ``OTHER_UNITS``' words."""
    periods = report.get("periods") or ()
    return f"index, {periods[0]} = 1" if periods else OTHER_UNITS["index"]


def run_unit_words(report: Mapping[str, Any], unit: str | None) -> str:
    """``unit_words`` for a chart of a run: its index by ``index_words``, every other unit by its words."""
    return index_words(report) if unit == "index" else unit_words(unit)


#: Significant figures a parameter's value is shown with (the Results page's boxes, the report's table): the
#: answer keeps the value the run used, in full, beside it (``parameter_shown``).
PARAMETER_FIGURES = 4


def parameter_shown(value: float) -> float:
    """A parameter's value as every page and table shows it: ``PARAMETER_FIGURES`` significant figures
    (3.57715891 -> 3.577, 0.0123456 -> 0.01235), whole from 1,000."""
    v = float(value)
    if v == 0 or not math.isfinite(v):
        return v
    if abs(v) >= 1000:
        return float(round(v))
    return float(f"{v:.{PARAMETER_FIGURES}g}")


def metric_words(metric: str) -> str:
    """A fact's metric code in words: the vocabulary's description up to its first note (in brackets, or after a
    semicolon): ``revenue_share_region`` -> ``share of the entity's sales from the stated region``; a code the
    vocabulary lacks with its underscores as spaces."""
    known = METRICS.get(metric)
    if known is None:
        return metric.replace("_", " ")
    return known.description.split(" (")[0].split("; ")[0].rstrip(",")


def number(value: float | None, unit: str | None = None) -> str:
    """A value as a chart prints it: three significant figures (whole numbers from 1,000), ``%`` after a
    percent, ``points`` after percentage points (with its sign), ``unknown`` for none. 0.25 percent reads
    ``0.25%``, never ``0.3%``; a change of -100 points reads ``-100 points``, not ``-100.0%``."""
    if value is None:
        return "unknown"
    v = float(value)
    text = f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"
    if text in ("-0", "-0.0"):
        text = "0"
    if unit == "pct":
        return f"{text}%"
    if unit == "pct_points":
        return f"{'+' if v > 0 else ''}{text} points"
    return text


def seller_name(code: str, firm: str | None = None, country: str | None = None) -> str:
    """A seller of a market case in words, the one name every table, chart and page gives it: ``firm``, the
    knowledge base's name of the firm it is, where it is one; else, for a group of producers, by the name of the
    region they produce in (``country``): ``china_producers`` in China reads "China's producers", ``others`` in
    Taiwan "Taiwan's other producers", ``usa`` in the United States "the United States' producers",
    ``other_producers`` in ROW "other producers in the rest of the world";
    else its code in words (``state_buyers`` -> "state buyers")."""
    if firm:
        return firm
    words = code.replace("_", " ").replace("-", " ").strip()
    if not country:
        return words
    producers = "other producers" if {"other", "others"} & set(words.lower().split()) else "producers"
    if country.lower().startswith("rest of"):  # an aggregate named as a phrase: "Rest of the world"
        return f"{producers} in the {country[:1].lower()}{country[1:]}"
    return f"{_possessive(_with_article(country))} {producers}"


#: Words of a country's name that make it take "the" ("the United States", "the Netherlands").
ARTICLE_WORDS = frozenset({"United", "Republic", "Kingdom", "Emirates", "Islands", "Netherlands", "Philippines",
                           "Bahamas", "Gambia", "Maldives"})


def _with_article(country: str) -> str:
    """A country's name as a sentence gives it: "the United States", "the Netherlands"; "China" as it is."""
    return f"the {country}" if ARTICLE_WORDS & set(country.split()) and not country.startswith("the ") else country


def short_name(name: str, aliases: Iterable[str] = ()) -> str:
    """The name a title gives a firm: for a name of three words or more, its acronym among its aliases (CXMT for
    ChangXin Memory Technologies, TSMC); else the shortest of its aliases that its name begins with as whole
    words ("Micron" for Micron Technology, "Huawei" for Huawei Technologies); else its name ("SK hynix", "ASML")."""
    aliases = [a for a in aliases if a]
    acronyms = [a for a in aliases if 2 <= len(a) <= 5 and a.isascii() and a.isalpha() and a.isupper()]
    if len(name.split()) >= 3 and acronyms:
        return acronyms[0]
    words = [a for a in aliases if name.startswith(a + " ")]
    return min(words, key=len) if words else name


def _name(report: Mapping[str, Any], kind: str, code: str) -> str:
    names: Mapping[str, str] = (report.get("names") or {}).get(kind) or {}
    return names.get(code, code)


def _short(report: Mapping[str, Any], code: str) -> str:
    """A seller or firm as a title names it: its firm's short name (``short_name``), without the product."""
    short: Mapping[str, str] = (report.get("names") or {}).get("short") or {}
    return short.get(code) or _name(report, "owners", code)


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def is_group(report: Mapping[str, Any], code: str) -> bool:
    """Whether the seller ``code`` is a group (a region's producers, "state buyers") rather than a firm: a title
    gives a firm a possessive ("Micron's share of ...") and a group none ("Share of ... going to China's
    producers"). A run names its groups (``names.groups``); a run without them (an older results.json) by the
    shape of their names: one with a place in it ("other producers in the rest of the world")."""
    names: Mapping[str, Any] = report.get("names") or {}
    if "groups" in names:
        return code in (names.get("groups") or {})
    return " in " in _short(report, code)


def _after_preposition(place: str) -> str:
    """A region's name after "from" or "in" inside a title: "Rest of the world" -> "the rest of the world"; a
    country's name as it is."""
    return f"the rest of {place.removeprefix('Rest of ')}" if place.startswith("Rest of ") else place


def _in_title(product: str) -> str:
    """A product's name inside a title: its first word in lower case where it is a common noun capitalised only
    because it opens the name ("Gallium" -> "gallium", "Natural gas" -> "natural gas", "Data-center GPUs" ->
    "data-center GPUs"); a name that is a brand or model ("Nvidia H20", "Huawei Ascend 910B": another of its words
    capitalised or with a digit) or an acronym ("DRAM", "AI accelerators") as it is."""
    first, *rest = product.split(" ")

    def capitalised(word: str) -> bool:
        return word[:1].isupper() and word[1:].replace("-", "").islower()

    if not capitalised(first) or any(capitalised(w) or any(c.isdigit() for c in w) for w in rest):
        return product
    return " ".join([first.lower(), *rest])


def _modifier(product: str) -> str:
    """A product's name as it stands before another noun inside a title (``_in_title``): "AI accelerators" -> "AI
    accelerator" (so "AI accelerator spending"); a name that is no plural as it is."""
    head, _, last = _in_title(product).rpartition(" ")
    if len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is")) and not last.isupper():
        last = last[:-1]
    return f"{head} {last}" if head else last


def _single(report: Mapping[str, Any], output: str) -> OutputText:
    region = _name(report, "regions", report["region"])
    product = _name(report, "products", report["product"])
    spending = f"{_modifier(product)} spending"
    head, _, where = output.partition("@")
    kind, _, code = head.partition(":")
    unit = next((r.get("unit") for r in report["outputs"] if r["output"] == output), None)
    if output == "localization":
        return OutputText(f"Domestic suppliers' share of {spending}, {region} (localization)",
                          "% of market value", "pct")
    if output == "revenue_share":
        firm = _short(report, report["firm"]) if report.get("firm") else "the case firm"
        return OutputText(f"{_possessive(firm)} share of revenue from {_after_preposition(region)}, by fiscal year",
                          f"% of {_possessive(firm)} revenue", "pct")
    if output == "shares":  # every source's share, stacked
        return OutputText(f"Suppliers' shares of {spending}, {region} (chipshift model)", "% of market value", "pct")
    if output == "unmet":
        return OutputText(f"{_modifier(product)} demand no allowed supplier can serve, {region}",
                          "% of market value", "pct")
    if kind == "share":
        segment = f", {_name(report, 'segments', where)} buyers" if where else ""
        owner = _short(report, code)
        title = (f"Share of {spending} going to {owner}" if is_group(report, code)
                 else f"{_possessive(owner)} share of {spending}")
        return OutputText(f"{title}, {region}{segment}", "% of market value", "pct")
    if kind == "revenue":
        owner = _short(report, code)
        title = f"Revenue of {owner}" if is_group(report, code) else f"{_possessive(owner)} revenue"
        return OutputText(f"{title}, model and reported", f"revenue, {unit_words(unit)} per year", unit)
    return OutputText(output, unit_words(unit), unit)


def _linked(report: Mapping[str, Any], output: str) -> OutputText:
    """A linked run's output as an analyst titles it: the firm (by its short name), what of which product, then
    where: "Micron's share of HBM spending, all markets", "DRAM price, China, data center buyers (index, 2021Q4 =
    1)"."""
    head, _, where = output.partition("@")
    kind, _, code = head.partition(":")
    unit = next((r.get("unit") for r in report["outputs"] if r["output"] == output), None)
    market = {m["id"]: m for m in report.get("markets", [])}.get(where)
    if kind in ("localization", "revenue_share", "revenue"):
        market = None  # by region
    seller = _short(report, code) if code else ""
    sold_by: Mapping[str, str] = (report.get("names") or {}).get("seller_products") or {}
    if market is not None:
        product = _name(report, "products", market["product"])
        segment = f", {_name(report, 'segments', market['segment'])} buyers" if market.get("segment") else ""
        place = f"{_name(report, 'regions', market['region'])}{segment}"
    else:
        products = [str(m["product"]) for m in report.get("markets", []) if not where or m["region"] == where]
        product = sold_by.get(code) or " and ".join(_name(report, "products", p) for p in dict.fromkeys(products))
        place = _name(report, "regions", where) if where else "all markets"
    known = UNITS.get(str(report.get("value_unit")))
    counted = known is not None and not known.dimension.startswith("currency")  # sizes and shares in units
    what = f"{_modifier(product)} " if product else ""
    bought = f"{what}units bought" if counted else f"{what}spending"
    of_market = "% of units bought" if counted else "% of market value"
    index = index_words(report)  # "index, 2023Q1 = 1": the one wording of an index, in titles, axes and tornados
    axis = {"pct": "%", "index": index}.get(unit or "", unit_words(unit))
    # a flow (spending, revenue, quantities) is charted by quarter: its axis says so ("billion US dollars (USD)
    # per quarter"); an index or a share is no flow
    flow = f"{axis} per quarter" if unit not in ("pct", "index") else axis
    if kind == "price" and not code:
        return OutputText(f"{what}price, {place} ({index})", f"price ({axis})" if unit == "index" else f"price {axis}",
                          unit)
    if kind == "localization":
        return OutputText(f"Domestic sellers' share of {bought}, {place} (localization)", of_market, unit)
    group = bool(code) and is_group(report, code)
    goods = _in_title(product) or "products"
    if kind == "revenue_share":
        sold_in = "units sold in " if counted else "revenue from "
        if group:
            title = (f"Share of the units of {seller} sold in " if counted
                     else f"Share of the revenue of {seller} from ") + _after_preposition(place)
        else:
            title = f"{_possessive(seller)} share of {sold_in}{_after_preposition(place)}"
        return OutputText(title, f"% of {'units sold' if counted else 'revenue'}", unit)
    if kind == "revenue":
        sold = "units sold" if counted else "revenue"
        to = ((" in " if counted else " from ") + _after_preposition(place)) if where else ""
        if group:
            title = (f"Units sold by {seller}" if counted else f"Revenue of {seller}") + to
        else:
            title = f"{_possessive(seller)} {sold}{to}"
        return OutputText(title, f"{sold}, {flow}", unit)
    if kind == "share":
        title = (f"Share of {bought} {'from' if counted else 'going to'} {seller}, {place}" if group
                 else f"{_possessive(seller)} share of {bought}, {place}")
        return OutputText(title, of_market, unit)
    if kind == "value":
        return OutputText(f"{bought[:1].upper()}{bought[1:]}, {place}", f"{'units' if counted else 'spending'}, {flow}",
                          unit)
    if kind == "unmet":
        return OutputText(f"{what}demand no allowed seller serves, {place}".strip(), f"demand, {flow}", unit)
    if kind in ("quantity", "volume_index"):
        title = (f"{what}deliveries from {seller} to {_after_preposition(place)}" if group
                 else f"{_possessive(seller)} {what}deliveries, {place}")
        if kind == "quantity":
            return OutputText(title, f"quantity, {flow}", unit)
        return OutputText(f"{title} ({index})", axis, unit)
    if kind == "price":
        title = f"Price of {goods} from {seller}" if group else f"Price of {_possessive(seller)} {goods}"
        return OutputText(f"{title}, {place}", f"price, {axis}", unit)
    if kind == "rationed":
        title = (f"Demand for {goods} from {seller} beyond their capacity" if group
                 else f"Demand for {_possessive(seller)} {goods} beyond its capacity")
        return OutputText(f"{title} (rationed)", f"quantity, {flow}", unit)
    if kind == "seller_price":
        title = f"Own {what}price of {seller}" if group else f"{_possessive(seller)} own {what}price"
        return OutputText(title, f"price, {axis}", unit)
    if kind == "capacity_rent":
        title = (f"{what}price of {seller} above their supply curve" if group
                 else f"{_possessive(seller)} {what}price above its supply curve")
        return OutputText(title, f"price, {axis}", unit)
    return OutputText(output, axis, unit)


def describe(report: Mapping[str, Any], output: str) -> OutputText:
    """The title, axis label and unit of a chart of ``output`` in words: the firms, products and regions by the
    knowledge base's names, a linked case's markets by product, region and segment."""
    text = _linked(report, output) if report.get("model") == "linked" else _single(report, output)
    if text.unit == "index" and report.get("model") == "linked" and index_words(report) not in text.title:
        text = dataclasses.replace(text, title=f"{text.title} ({index_words(report)})")  # every index says its base
    # a title may open with a name in words that is no proper noun ("other producers in ...")
    return dataclasses.replace(text, title=text.title[:1].upper() + text.title[1:])


#: The edges of a percent axis: a share that holds at one of them in every period and draw has no chart.
EDGES = (0.0, 100.0)
#: The outputs that are shares (of a market, of a seller's revenue, localization), by how their names begin.
SHARES = ("share:", "revenue_share", "localization")


def unchanging(report: Mapping[str, Any], output: str) -> str | None:
    """Why ``output`` has no chart, in a sentence, when it is a share (``SHARES``, in percent) and holds at 0% or at
    100% in every period of the run, its band too (a barred seller's share, a sole supplier's): such a chart would
    be a blank line along an edge of its axis, so the files, the web and the report leave it out and say this
    instead, in place of it. The sentence names the output by its title, the value and the periods, then why, as
    the run's own outputs and its case file show it: who holds the market's shares, whether the case gives the
    seller a share at the start (else a rule keeps it out from the first period), where else the seller sells.
    Demand no allowed seller serves (``unmet``) that is 0 in every period and draw has no chart either: the
    sentence says so. None for any other output."""
    if output == "unmet" or output.startswith("unmet@"):
        return _unmet_nowhere(report, output)
    if not output.startswith(SHARES):
        return None
    rows = [r for r in report.get("outputs") or () if r["output"] == output]
    values = [float(r[k]) for r in rows for k in ("value", "p5", "p95") if r.get(k) is not None]
    if not rows or not values or any(r.get("unit") != "pct" for r in rows):
        return None
    edge = next((e for e in EDGES if all(abs(v - e) < 1e-9 for v in values)), None)
    if edge is None:
        return None
    linked = report.get("model") == "linked"
    span = (f"every quarter from {report['periods'][0]} to {report['periods'][1]}" if linked
            else f"every year from {report['years'][0]} to {report['years'][1]}")
    drawn = " and in every draw" if any(r.get("p5") is not None for r in rows) else ""
    why = _why_unchanging(report, output, edge) if linked else _why_unchanging_single(output, edge)
    title = describe(report, output).title
    return f"{title}: {number(edge, 'pct')} in {span}{drawn}, so it has no chart: {why}."


def _unmet_nowhere(report: Mapping[str, Any], output: str) -> str | None:
    """Why a chart of demand no allowed seller serves is left out (``unchanging``): it is 0 in every period and draw,
    a flat line along the axis's foot; None where it is above 0 anywhere."""
    rows = [r for r in report.get("outputs") or () if r["output"] == output]
    values = [float(r[k]) for r in rows for k in ("value", "p5", "p95") if r.get(k) is not None]
    if not rows or not values or any(abs(v) > 1e-9 for v in values):
        return None
    linked = report.get("model") == "linked"
    span = (f"every quarter from {report['periods'][0]} to {report['periods'][1]}" if linked
            else f"every year from {report['years'][0]} to {report['years'][1]}")
    drawn = " and in every draw" if any(r.get("p5") is not None for r in rows) else ""
    unit = next((r.get("unit") for r in rows), None)
    return (f"{describe(report, output).title}: {number(0.0, unit)} in {span}{drawn}, so it has no chart: every "
            "buyer's demand is served by a seller the rules allow")


def unchanging_on_both_sides(a: str | None, b: str | None, sides: tuple[str, str]) -> str | None:
    """Why a comparison of two runs has no chart of an output: each side's ``unchanging`` sentence (``a``, ``b``)
    given, the one sentence naming both sides (``sides``: each side in words) where they agree, each side's after
    its name where they differ (one side at 0%, the other at 100%; or not for the same reason). None where either
    side has none: a share that moves, or leaves its edge, on one side keeps its chart."""
    if a is None or b is None:
        return None
    if a == b:
        return f"On both sides (a: {sides[0]}; b: {sides[1]}): {a}"
    return f"On side a, {sides[0]}: {a} On side b, {sides[1]}: {b}"


def _held(report: Mapping[str, Any], market: str) -> list[str]:
    """The sellers (by code) with a share above 0% of ``market`` in some period of a linked run."""
    found: dict[str, None] = {}
    for r in report.get("outputs") or ():
        head, _, where = r["output"].partition("@")
        if where == market and head.startswith("share:") and (r.get("value") or 0) > 0:
            found[head.split(":", 1)[1]] = None
    return list(found)


def _listed(names: Iterable[str]) -> str:
    items = list(dict.fromkeys(names))
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def _why_unchanging(report: Mapping[str, Any], output: str, edge: float) -> str:
    """Why a linked run's share holds at ``edge`` throughout (``unchanging``)."""
    head, _, where = output.partition("@")
    kind, _, code = head.partition(":")
    markets = list(report.get("markets") or ())
    regions: Mapping[str, str] = (report.get("names") or {}).get("regions") or {}

    def market_words(ids: Iterable[str]) -> str:
        """Markets in words: "the gallium market in China", "the DRAM market of data center buyers in China"."""
        out = []
        for m in (m for m in markets if m["id"] in set(ids)):
            segment = f" of {_name(report, 'segments', m['segment'])} buyers" if m.get("segment") else ""
            region = _after_preposition(regions.get(m["region"], m["region"]))
            out.append(f"the {_modifier(_name(report, 'products', m['product']))} market{segment} in {region}")
        return _listed(out)

    group = bool(code) and is_group(report, code)
    who, it = (_short(report, code), "they" if group else "it") if code else ("", "it")
    sells, has, is_ = ("sell", "have", "are") if group else ("sells", "has", "is")
    document = case_document(report.get("file"))
    sellers = [s for s in (document or {}).get("sellers") or () if isinstance(s, Mapping)]
    mine = {str(s.get("id")) for s in sellers if code in (s.get("id"), s.get("firm"))} or {code}
    if kind == "localization":
        there = [m["id"] for m in markets if m["region"] == where]
        holders = [_short(report, s) for m in there for s in _held(report, m)]
        if edge:
            return f"every seller with a share of {market_words(there)} is domestic there ({_listed(holders)})"
        return (f"no domestic seller has a share of {market_words(there)}"
                + (f"; it is held by {_listed(holders)}" if holders else ""))
    if kind == "share" and edge:
        within = [where] if where in {m["id"] for m in markets} else [m["id"] for m in markets
                                                                     if m["region"] == where]
        return (f"{who} {is_} the only seller with a share of {market_words(within)}" if where
                else f"{who} {is_} the only seller in every market of the case")
    if kind == "revenue_share" and edge:
        elsewhere = [m["id"] for m in markets if m["region"] != where]
        if not elsewhere:
            return f"every market of the case is in {_after_preposition(regions.get(where, where))}"
        return f"{who} {sells} in no market elsewhere: {it} {has} no share of {market_words(elsewhere)}"
    # 0%: it holds no share of the market(s) in question
    ids = {m["id"] for m in markets}
    there = ([where] if where in ids else [m["id"] for m in markets if m["region"] == where] if where
             else [m["id"] for m in markets])
    given = [str(m["id"]) for m in (document or {}).get("markets") or () if isinstance(m, Mapping)
             and m.get("id") in there and mine & {str(k) for k in (m.get("shares") or {})}]
    if document is None:
        because = f"{it} {has} no share of {market_words(there)} in any quarter"
    elif given:
        because = (f"the case gives {'them' if group else 'it'} a share of {market_words(given)} at the start, and "
                   "its rules keep " + ("them" if group else "it") + " out from the first quarter")
    else:
        because = (f"the case gives {'them' if group else 'it'} no share of {market_words(there)} at the start, "
                   "and the model gives no seller a share it does not start with")
    return f"{who} {sells} nothing there: {because}"


def _why_unchanging_single(output: str, edge: float) -> str:
    """Why a single-market run's share holds at ``edge`` throughout (``unchanging``)."""
    if output == "localization":
        return "only domestic sources hold a share of the market" if edge else (
            "no domestic source holds a share of the market")
    if output.startswith("share:"):
        return "it is the only source with a share" if edge else "it has no share of the market"
    return "the model holds it there"


#: Whom a chart or table credits an observation stated as a literal without its source document to.
NO_SOURCE = "the case file (no source named)"


def observation_source(report: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """Where an observation (a row of the run's calibration table) comes from, as charts and tables name it: its
    fact's publisher; for a literal, the document the case names as its ``source``, by publisher, title and date
    (``documents`` of the run); else ``NO_SOURCE``."""
    if row.get("fact"):
        return str((report.get("publishers") or {}).get(row["fact"]) or row["fact"])
    document = (report.get("documents") or {}).get(row.get("source") or "")
    if not document:
        return NO_SOURCE
    title = f', "{document["title"]}"' if document.get("title") else ""
    when = f", {document['published']}" if document.get("published") else ""
    return f"{document.get('publisher') or 'unknown publisher'}{title}{when}"


def publishers_of(report: Mapping[str, Any], output: str) -> list[str]:
    """The publishers of the figures a chart of ``output`` shows: the published estimates beside the model and
    the observations of it (a literal's by its document, ``observation_source``), in order of first appearance."""
    found: list[str] = []
    for entry in report.get("published_beside_model", []):
        if entry["output"] == output:
            found += [str(p["publisher"]) for p in entry["published"]]
    for row in report["calibration"]["table"]:
        if row["output"] == output and (source := observation_source(report, row)) != NO_SOURCE:
            found.append(source)
    return list(dict.fromkeys(found))


#: Most publishers a chart's footer names for a case's cited facts (the rest are counted).
FOOTER_PUBLISHERS = 6


def model_label(report: Mapping[str, Any], name: str = "chipshift model") -> str:
    """The legend of the model's line: "(fitted)" where the calibration fitted parameters, else "(not fitted)":
    the run then sits at the case's defaults."""
    return f"{name} ({'fitted' if (report.get('calibration') or {}).get('fitted') else 'not fitted'})"


def _named(names: Iterable[str]) -> str:
    """Publishers for a footer, each once (a fact's publisher may name several: "Asia Economy; Counterpoint
    Research"), the first ``FOOTER_PUBLISHERS`` by name and the rest counted."""
    found = list(dict.fromkeys(n.strip() for name in names for n in str(name).split("; ") if n.strip()))
    return "; ".join(found[:FOOTER_PUBLISHERS]) + (f" and {len(found) - FOOTER_PUBLISHERS} more"
                                                   if len(found) > FOOTER_PUBLISHERS else "")


def set_up_by(report: Mapping[str, Any]) -> list[str]:
    """The publishers of what a run's set-up rests on (its ``rests_on``: the facts its numbers and bases cite, the
    documents of its stated values and of the observations it is fitted to), by name; a run without ``rests_on``
    (an older results.json) by the publishers of every fact it cites."""
    publishers: Mapping[str, str] = report.get("publishers") or {}
    behind = report.get("rests_on")
    if behind is None:
        return sorted({str(v) for v in publishers.values() if v}, key=str.casefold)
    documents: Mapping[str, Mapping[str, Any]] = report.get("documents") or {}
    fitted = [row.get("source") for row in (report.get("calibration") or {}).get("table") or ()
              if row.get("fitted_to") and row.get("source")]
    names = [publishers[f] for f in behind.get("facts") or () if publishers.get(f)]
    names += [str(documents[d]["publisher"]) for d in [*(behind.get("documents") or ()), *fitted]
              if (documents.get(d) or {}).get("publisher")]
    names += [publishers[str(row["fact"])] for row in (report.get("calibration") or {}).get("table") or ()
              if row.get("fitted_to") and row.get("fact") and publishers.get(str(row["fact"]))]
    return sorted({n.strip() for name in names for n in name.split("; ") if n.strip()}, key=str.casefold)


def sensitivity_computed(report: Mapping[str, Any]) -> str:
    """How a run's sensitivity was computed, as a chart of it says: Sobol' indices from the model evaluations of
    their design (``sensitivity_method``), else each parameter alone at the ends of its range (2 evaluations a
    parameter): never the run's Monte Carlo draws, which the sensitivity does not use."""
    method = report.get("sensitivity_method") or {}
    if method.get("evaluations"):
        return (f"sensitivity: Sobol' indices from {int(method['evaluations']):,} model evaluations "
                f"({int(method.get('base_points') or 0):,} base points of a Saltelli design"
                + (f", seed {method['seed']}" if method.get("seed") is not None else "")
                + "), each parameter also alone at its low and high ends")
    ranged = len({r.get("parameter") for r in report.get("sensitivity") or ()})
    return (f"sensitivity: each parameter alone at its low and high ends, {2 * ranged:,} model evaluations "
            "beside the central run")


def footer(report: Mapping[str, Any], publishers: Iterable[str], quotes_in: str = "results.json",
           sensitivity: bool = False) -> str:
    """The line under a chart: the case and its file, the model and draws, the date of the data and the sources
    behind what the chart shows: the publishers of the published figures it draws (``publishers``) and of what the
    run's set-up rests on (``set_up_by``); "no sourced figure" only where there is none of either. ``quotes_in``:
    where the medium gives each cited figure with its quote and document (a run's results.json beside the chart
    files; a report's Sources section). ``sensitivity``: a chart of the sensitivity, whose footer says how that was
    computed (`sensitivity_computed`) in place of the run's draws."""
    model = "linked markets" if report.get("model") == "linked" else "single market"
    draws = f"{report['draws']:,} Monte Carlo draws" if report.get("draws") else "no Monte Carlo draws"
    if sensitivity:
        draws = sensitivity_computed(report)
    file = str(report.get("file") or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = (f"Case: {report['scenario']}" + (f" ({file}, digest {report['digest']})" if file else "")
            + f"; chipshift model, {model}, {draws}.")
    if report.get("restrictions"):
        restrictions = str(report["restrictions"]["file"]).replace("\\", "/").rsplit("/", 1)[-1]
        text += f" Under the restriction scenario {restrictions}."
    if report.get("data_as_of"):
        text += f" Data: figures published up to {report['data_as_of']}."
    # every publisher of a figure drawn, each once (a legend may name two together: "Reuters; Bloomberg")
    shown = "; ".join(dict.fromkeys(n.strip() for name in publishers for n in str(name).split("; ") if n.strip()))
    behind = _named(set_up_by(report))
    where = f"each with its source in {quotes_in}"
    if shown and behind:
        return (text + f" Sources of the published figures shown: {shown}. The model rests on figures the case "
                f"cites from: {behind} ({where}).")
    if shown:
        return text + f" Sources of the published figures shown: {shown}."
    if behind:
        return (text + " No published figure is shown: model outputs, resting on the case's parameters and the "
                f"figures it cites (publishers: {behind}; {where}).")
    return (text + " No published figure is shown, and the case cites no sourced figure: its figures are the "
            "case file's own values, each with its basis.")


#: The unit of a market case's parameter by the key of the case file it fills, as the keys' descriptions in
#: ``chipshift.schemas.market_case`` give it (a model parameter's id is its own key).
PARAMETER_UNITS: Mapping[str, str] = {
    "sigma": "elasticity (no unit)", "demand_elasticity": "elasticity (no unit)",
    "supply_elasticity": "elasticity (no unit)",
    "adjustment_months": "months", "cap_months": "months", "stock_months": "months",
    "build_time_days": "days", "build_time": "days",
    "learning_rate": "fraction of unit cost per doubling of output",
    "capacity_growth": "fraction per year", "quality_growth": "fraction per year", "growth": "fraction per year",
    "market_growth": "fraction per year",
    "quality": "ratio to the baseline offering", "ceiling": "multiple of the baseline quantity",
    "approval": "fraction of requested sales", "licensed": "fraction of the input",
    "delay": "fraction of the price (ad-valorem wedge)", "wedge": "fraction of the price (ad-valorem wedge)",
    "scale": "fraction of the market's values", "shares": "percent of the market's value",
    "segments": "fraction of the market's buyers",
    "sigma_long_run_ratio": "multiple of the short-run elasticity", "sigma_adjustment_months": "months",
    "licence_lag_days": "days",
}


#: The parameters a linked case's loader takes from the catalogue (parameters.csv) where the case sets none, so that
#: a run lists them though its file never names them: what each sets, in words, and its unit (a fraction, as the run
#: holds it; the catalogue gives it in percent).
CATALOGUE_PARAMETERS: Mapping[str, tuple[str, str]] = {
    "rush_buyer_share": ("Share of a rushed pair's buyers who stock up before a rule they expect",
                         "fraction of the pair's buyers"),
    "stock_carrying_cost": ("Yearly cost of carrying a stock bought before a rule, as a share of its value",
                            "fraction of the stock's value a year"),
}


def parameter_units(document: Any) -> dict[str, str]:
    """Each parameter of a market case document (the YAML as read) with the unit its value is in: a model
    parameter's own (``sigma``, ``adjustment_months``...), else that of the key a ``{param: id}`` fills (a
    market's ``value``: the case's ``value_unit`` a year); a parameter the case uses nowhere known is left out."""
    found: dict[str, str] = {}

    def walk(node: Any, key: str | None, parent: str | None) -> None:
        if isinstance(node, Mapping):
            if "param" in node and isinstance(node["param"], str):
                unit = PARAMETER_UNITS.get(key or "") or PARAMETER_UNITS.get(parent or "")
                if key == "value" and parent == "markets" and document.get("value_unit"):
                    unit = f"{unit_words(str(document['value_unit']))} a year (the case's value unit)"
                if unit:
                    found.setdefault(node["param"], unit)
                return
            for k, v in node.items():
                walk(v, str(k), key)
        elif isinstance(node, list):
            for v in node:
                walk(v, key, parent)

    if not isinstance(document, Mapping):
        return found
    walk({k: v for k, v in document.items() if k != "parameters"}, None, None)
    for name in document.get("parameters") or {}:
        if str(name) in PARAMETER_UNITS and str(name) not in found:
            found[str(name)] = PARAMETER_UNITS[str(name)]
    if document.get("model") == "linked":  # a linked case: the catalogue's parameters its loader adds
        for name, (_, unit) in CATALOGUE_PARAMETERS.items():
            found.setdefault(name, unit)
    return found


#: What a case file's key sets, in words, when a parameter fills it (``{param: id}``); the seller, market, rule or
#: offering it sets it for follows (``parameter_words``).
PARAMETER_KEYS: Mapping[str, str] = {
    "sigma": "substitution elasticity between sellers", "demand_elasticity": "price elasticity of demand",
    "supply_elasticity": "supply elasticity", "growth": "growth of demand", "market_growth": "growth of demand",
    "capacity_growth": "capacity growth", "quality_growth": "quality growth", "learning_rate": "learning rate",
    "adjustment_months": "time for buyers to adjust", "build_time_days": "time to build new capacity",
    "build_time": "time to build new capacity", "ceiling": "ceiling of new capacity",
    "approval": "share of licence requests approved", "licensed": "share of the cut input still licensed",
    "delay": "cost of licensing delays", "wedge": "price wedge", "stock_months": "stock held when cut off",
    "cap_months": "stock bought ahead at most", "quality": "quality", "scale": "scale of the market's values",
    "value": "size of the market", "shares": "starting share", "segments": "share of buyers",
    "sigma_long_run_ratio": "long-run substitution elasticity", "sigma_adjustment_months":
        "time for substitution to reach its long run",
    "licence_lag_days": "days before the first licences are issued",
}
#: Most places a parameter's words name (the rest are counted).
PARAMETER_PLACES = 3


def parameter_words(document: Any, names: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, str]:
    """Each parameter of a market case document (the YAML as read) in words, with its unit: what the key it
    fills sets and for what (a seller, a market, a rule, an offering: by ``names``, a run's ``names``, where they
    have them), e.g. ``Quality growth: Huawei Technologies; China's other producers``; a model
    parameter the case declares without filling a key by the model's description (its unit:
    ``parameter_units``). A parameter found nowhere is left out."""
    from chipshift.schemas.market_case import MODEL_PARAMETERS

    if not isinstance(document, Mapping):
        return {}
    known = names or {}
    owners, markets = known.get("owners") or {}, known.get("markets") or {}
    rules = known.get("rules") or {}
    places: dict[str, dict[str, list[str]]] = {}

    def seller(node: Mapping[str, Any]) -> str:
        code = str(node.get("id") or node.get("firm") or "")
        return owners.get(code) or owners.get(str(node.get("firm") or "")) or code.replace("_", " ")

    def walk(node: Any, key: str | None, parent: str | None, where: str, item: bool = False) -> None:
        if isinstance(node, Mapping):
            if "param" in node and isinstance(node["param"], str):
                words = PARAMETER_KEYS.get(parent or "") if parent in ("shares", "segments") else None
                place = where
                if words and parent == "shares":
                    words = f"starting share of {owners.get(key or '', (key or '').replace('_', ' '))}"
                elif words and parent == "segments":
                    words = f"{(key or '').replace('_', ' ')} buyers' share"
                words = words or PARAMETER_KEYS.get(key or "") or PARAMETER_KEYS.get(parent or "") or (
                    key or "").replace("_", " ")
                seen = places.setdefault(node["param"], {}).setdefault(words, [])
                if place and place not in seen:
                    seen.append(place)
                return
            here = where
            if item and key in ("sellers", "sources"):
                here = seller(node)
            elif item and key == "markets":
                code = str(node.get("id") or "")
                here = markets.get(code) or code
            elif item and key == "rules" and node.get("rule"):
                here = rules.get(str(node["rule"])) or f"rule {node['rule']}"
            elif item and key == "offerings" and node.get("label"):
                here = f"{_possessive(where)} {node['label']}" if where else str(node["label"])
            for k, v in node.items():
                walk(v, str(k), key, here)
        elif isinstance(node, list):
            for v in node:
                walk(v, key, parent, where, item=True)

    walk({k: v for k, v in document.items() if k != "parameters"}, None, None, "")
    every = len(document.get("markets") or []) or None
    found: dict[str, str] = {}
    for name in [*places, *(str(p) for p in document.get("parameters") or {})]:
        if name in found:
            continue
        parts = []
        for words, where in places.get(name, {}).items():
            if every and every > 1 and len(where) == every and all(w in markets.values() for w in where):
                shown = "every market"
            else:
                shown = "; ".join(where[:PARAMETER_PLACES]) + (
                    f" and {len(where) - PARAMETER_PLACES} more" if len(where) > PARAMETER_PLACES else "")
            parts.append(f"{words}: {shown}" if shown else words)
        if not parts and name in MODEL_PARAMETERS:
            parts.append(MODEL_PARAMETERS[name].description)
        if parts:
            text = " and ".join(parts)
            found[name] = text[:1].upper() + text[1:]
    if document.get("model") == "linked":  # a linked case: the catalogue's parameters its loader adds
        for name, (words, _) in CATALOGUE_PARAMETERS.items():
            found.setdefault(name, words)
    return found


def case_document(file: str | None) -> Any:
    """The case file a run or an episode was read from, as parsed YAML; None when it is gone or unreadable."""
    from chipshift.io.tables import load_yaml

    path = Path(file) if file else None
    if path is None or not path.is_file():
        return None
    document, problems = load_yaml(path)
    return None if problems else document


def period_kind(period: str) -> str:
    """What length of time a period label covers, in words: "2025Q1" -> "quarter", "FY2024" -> "fiscal year",
    "2024" -> "year", "2024H1" -> "half year"; anything else "period"."""
    text = str(period)
    if text.startswith("FY"):
        return "fiscal quarter" if "Q" in text else "fiscal year"
    if "Q" in text:
        return "quarter"
    if "H" in text:
        return "half year"
    return "year" if text.isdigit() else "period"


#: A definition longer than this loses its bracketed asides in a legend (who reported it, a word in its language).
SHORT_DEFINITION = 60


def short_definition(definition: str | None) -> str:
    """What a published figure measures, short enough for a legend and never cut mid-word: its ``definition``
    to the first semicolon outside brackets (what follows is a note on it), and, when that is still longer than
    ``SHORT_DEFINITION`` characters, without its bracketed asides: "mainland China market's share of Micron's
    sales (Bloomberg data, as reported on 1 April 2023)" -> "mainland China market's share of Micron's sales"."""
    text = (definition or "").strip()
    depth = 0
    for i, char in enumerate(text):
        depth += (char in "([") - (char in ")]")
        if char == ";" and depth == 0:
            text = text[:i].rstrip()
            break
    if len(text) > SHORT_DEFINITION:
        text = " ".join(re.sub(r"\s*[(\[][^()\[\]]*[)\]]", "", text).split())
    return text


def _basis(definition: str | None, status: str | None) -> str:
    """A published figure's basis, short: what it measures where its publisher says it differs from the output
    (``short_definition``), and how sure its publisher is (``status``) when it is less than reported: "mainland
    China", "China (blog; basis not stated), claim"; "as the chart's output" when neither is said."""
    extra = status if status and status != "reported" else ""
    return ", ".join(w for w in (short_definition(definition), extra) if w) or "as the chart's output"


#: The basis of an observation a case file gives as a number with the reading behind it (a literal, no fact):
#: its source's figures turned into the output's measure by the case file (`basis` in calibration.csv says how).
LITERAL_BASIS = "derived in the case file from its source"


@dataclass(frozen=True)
class FigurePoint:
    """A published figure (or an observation no published figure repeats) as a linked run's chart draws it: where
    (its ``period`` and the ``quarters`` a longer period spans), its value, who published it, on what basis, whether
    the calibration was fitted to it; ``label`` names all of it for a point's tooltip, ``legend`` for the legend
    (one entry per publisher and basis, with the periods it has points in); ``other_basis``: a figure of a longer
    period than the chart's line (a yearly or fiscal-year figure on a quarterly line)."""

    period: str
    quarters: tuple[str, str] | None
    value: float
    publisher: str
    basis: str
    fact: str | None
    fitted: bool
    label: str
    legend: str
    other_basis: bool


def figure_points(report: Mapping[str, Any], output: str) -> list[FigurePoint]:
    """Every published figure of ``output`` in a linked run, each once, then the observations of it no published
    figure repeats (same period and value), credited to their source (``observation_source``); each labelled with
    its publisher, period and basis, and marked where its period is longer than a quarter (``FigurePoint``). The
    one list the chart files, the report and the web draw."""
    table = [r for r in (report.get("calibration") or {}).get("table") or () if r["output"] == output]
    fitted = {(r["period"], float(r["observed"])) for r in table if r.get("fitted_to")}
    raw: list[dict[str, Any]] = []
    for entry in report.get("published_beside_model") or ():
        if entry["output"] != output or entry.get("period") is None:
            continue
        for p in entry["published"]:
            raw.append({"period": entry["period"], "quarters": entry.get("quarters"), "value": float(p["value"]),
                        "publisher": str(p.get("publisher") or "unknown publisher"), "fact": p.get("fact"),
                        "basis": _basis(p.get("definition"), p.get("status"))})
    for row in table:
        if row.get("period") is None or any(r["period"] == row["period"] and r["value"] == float(row["observed"])
                                            for r in raw):
            continue
        fact = (report.get("facts") or {}).get(row.get("fact") or "") or {}
        document = (report.get("documents") or {}).get(row.get("source") or "") or {}
        # a literal by its document's publisher alone (its title and date are in the footer and the sources)
        publisher = (observation_source(report, row) if row.get("fact") or not document
                     else str(document.get("publisher") or "unknown publisher"))
        raw.append({"period": row["period"], "quarters": row.get("quarters"), "value": float(row["observed"]),
                    "publisher": publisher, "fact": row.get("fact"),
                    "basis": _basis(None, fact.get("status")) if row.get("fact") else LITERAL_BASIS})
    raw = list({(r["publisher"], r["period"], r["value"], r["basis"]): r for r in reversed(raw)}.values())[::-1]
    groups: dict[tuple[str, str], list[str]] = {}
    for r in raw:
        periods = groups.setdefault((r["publisher"], r["basis"]), [])
        if r["period"] not in periods:
            periods.append(r["period"])
    points = []
    for r in raw:
        periods = groups[(r["publisher"], r["basis"])]
        points.append(FigurePoint(
            period=r["period"], quarters=tuple(r["quarters"]) if r["quarters"] else None, value=r["value"],
            publisher=r["publisher"], basis=r["basis"], fact=r["fact"],
            fitted=(r["period"], r["value"]) in fitted,
            label=f"{r['publisher']}, {r['period']}, {r['basis']}: {number(r['value'], _unit_of(report, output))}",
            legend=f"{r['publisher']}, {', '.join(periods)}: {r['basis']}",
            other_basis=period_kind(r["period"]) != "quarter"))
    return points


def _unit_of(report: Mapping[str, Any], output: str) -> str | None:
    return next((r.get("unit") for r in report.get("outputs") or () if r["output"] == output), None)


#: The legend of a published figure of a longer period than a linked chart's quarterly line (drawn hollow).
OTHER_BASIS_LEGEND = "hollow: a figure for a whole year or fiscal year, not one quarter"


#: A linked run's outputs that are flows, by kind: an amount per quarter (per year in a yearly row).
FLOWS = ("revenue", "value", "quantity", "unmet", "rationed")


def is_flow(report: Mapping[str, Any], output: str) -> bool:
    """Whether a linked run's ``output`` is a flow (spending, revenue, quantities: an amount per period), not a
    price, index or share."""
    kind = output.partition("@")[0].partition(":")[0]
    return report.get("model") == "linked" and kind in FLOWS and _unit_of(report, output) not in ("pct", "index")


def other_basis_note(points: Iterable[FigurePoint], flow: bool = False) -> str | None:
    """The footnote of a quarterly chart with figures of a longer period on it (``FigurePoint.other_basis``), or
    of a basis its publisher does not state: which they are, and against what each stands (for a ``flow``, such
    as revenue, a longer period's total). None when there is neither."""
    points = list(points)
    longer = [p for p in points if p.other_basis]
    notes = []
    if longer:
        kinds: dict[str, list[str]] = {}
        for p in longer:
            periods = kinds.setdefault(period_kind(p.period), [])
            if p.period not in periods:
                periods.append(p.period)
        listed = "; ".join(f"{kind}: {', '.join(periods)}" for kind, periods in kinds.items())
        notes.append(f"Hollow diamonds are figures of a longer period than the quarterly line ({listed}); each "
                     "stands in the middle of the quarters it spans and compares with the model's value for that "
                     "period (the wide line), not with one quarter's" + (
                         ": for a flow, the period's total, not a quarter's." if flow else "."))
    unstated = list(dict.fromkeys(f"{p.publisher} ({p.period})" for p in points if "not stated" in p.basis))
    if unstated:
        notes.append(f"Basis not stated by its publisher: {'; '.join(unstated)}.")
    return " ".join(notes) or None


def chart_series(report: Mapping[str, Any], output: str) -> list[str]:
    """The names of the series a chart of ``output`` draws beside the model, as its legends name them: the publishers
    of its figures (a linked run's by ``figure_points``, a single market's by ``publishers_of`` and a literal
    observation's document by its publisher), or for the suppliers' stack (``"shares"``) each supplier by name."""
    if output == "shares":
        owners: Mapping[str, str] = (report.get("names") or {}).get("owners") or {}
        codes = dict.fromkeys(r["output"].split(":", 1)[1] for r in report.get("outputs") or ()
                              if r["output"].startswith("share:") and "@" not in r["output"])
        return [owners.get(code, code) for code in codes]
    if report.get("model") == "linked":
        return list(dict.fromkeys(p.publisher for p in figure_points(report, output)))
    # and a literal observation's document by its publisher alone, as the Results page draws it among the figures
    documents = report.get("documents") or {}
    literal = [str(documents[row["source"]].get("publisher") or "unknown publisher")
               for row in (report.get("calibration") or {}).get("table") or ()
               if row["output"] == output and not row.get("fact") and row.get("source") in documents]
    return list(dict.fromkeys([*publishers_of(report, output), *literal]))


def series_colours(report: Mapping[str, Any]) -> dict[str, str]:
    """Every series of a run's charts by name, its colour (``palette.assign``): the model's line first, then each
    publisher and supplier in the order the run's outputs first show them. The one assignment the chart files, the
    report and the web (each chart text's ``colours``) draw with, so that a series looks the same in all of them."""
    return {name: colour for name, (colour, _) in _series_styles(report).items()}


def _series_styles(report: Mapping[str, Any]) -> dict[str, tuple[str, int]]:
    """The run's ``palette.styles``: its series in the order its outputs first show them, each chart's together."""
    outputs = list(dict.fromkeys(r["output"] for r in report.get("outputs") or ()))
    charts = [chart_series(report, output) for output in [*outputs, "shares"]]
    return palette.styles([name for chart in charts for name in chart], model=model_label(report), charts=charts)


def series_cues(report: Mapping[str, Any]) -> dict[str, int]:
    """Every series of a run's charts by name, its second cue (``palette.styles``: 0 unless an earlier series of its
    colour is drawn in a chart with it), from the same assignment as its colour (``series_colours``)."""
    return {name: cue for name, (_, cue) in _series_styles(report).items()}


def chart_cues(report: Mapping[str, Any], output: str, cues: Mapping[str, int] | None = None) -> dict[str, int]:
    """The cues of the series one chart of ``output`` draws that have one (cue above 0), out of the run's
    ``series_cues`` (given as ``cues`` when already worked out): empty while the palette's colours suffice."""
    every = series_cues(report) if cues is None else cues
    drawn = chart_series(report, output) if output == "shares" else [model_label(report), *chart_series(report, output)]
    return {name: every[name] for name in drawn if every.get(name)}


def run_colours(report: Mapping[str, Any]) -> dict[str, str]:
    """The run's series colours as its answer carries them (each chart text's ``colours``, the web's), else worked
    out (``series_colours``: a results.json written before they were given)."""
    given = {name: colour for text in (report.get("output_text") or {}).values()
             for name, colour in ((text or {}).get("colours") or {}).items()}
    return given or series_colours(report)


def chart_colours(report: Mapping[str, Any], output: str, colours: Mapping[str, str] | None = None) -> dict[str, str]:
    """The colours of the series one chart of ``output`` draws (the model's line and ``chart_series``), out of the
    run's ``series_colours`` (given as ``colours`` when already worked out)."""
    every = series_colours(report) if colours is None else colours
    drawn = chart_series(report, output) if output == "shares" else [model_label(report), *chart_series(report, output)]
    return {name: every[name] for name in drawn if name in every}


def with_parameter_names(text: str, words: Mapping[str, str]) -> str:
    """``text`` (a calibration statement) with each parameter id it names given by what the parameter sets, its id
    after in brackets (``parameter_words``): "do not pin down q_h20" -> "do not pin down quality of Nvidia's H20
    (q_h20)"; an id without words as it is."""
    for pid in sorted(words, key=len, reverse=True):
        said = words[pid]
        said = said[:1].lower() + said[1:] if said[1:2].islower() else said
        text = re.sub(rf"(?<![\w(]){re.escape(pid)}(?![\w)])", f"{said} ({pid})".replace("\\", "\\\\"), text)
    return text


#: How far above the highest value a chart draws (its line, medians, published figures, observations) a band may
#: take the value axis: past that, the band is cut at the top of the axis and the chart marks it with the band's
#: true top (``BandAxis.note``). The one rule of the chart files, the report and the web (``band_axis``).
BAND_ROOM = 3.0


def nice_top(value: float) -> float:
    """The least nice number (1, 2, 2.5 or 5 times a power of ten) at or above ``value``: the top of a value
    axis (1 where ``value`` is not above zero)."""
    import math

    if value <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(value))
    return float(next(step for step in (1, 2, 2.5, 5, 10) if value / p <= step + 1e-12) * p)


@dataclass(frozen=True)
class BandAxis:
    """The value axis of a chart with a p5-p95 band, the same in every medium: ``top``, the axis's top (a nice
    number a little above what it must show); ``band_top``, the band's true top (its highest p95); ``clipped``,
    whether the band runs past ``top``; ``note``, what the chart says at the top of its plot where it does
    ("p95 off scale: 412"), so that an axis never hides a band silently."""

    top: float
    band_top: float
    clipped: bool
    note: str | None


def band_axis(values: Iterable[float | None], band_high: Iterable[float | None], unit: str | None = None) -> BandAxis:
    """The value axis a chart needs: to the highest value drawn (``values``) and the band's top (``band_high``: each
    p95) up to ``BAND_ROOM`` times it, so that a wide band never squeezes values near zero into the bottom of the
    axis (a firm's revenue near nil against a band of hundreds); past that the band is cut at the axis and marked
    (``BandAxis``). With no value above zero the band alone sets the axis; a percent (``unit`` "pct") within 100
    never takes the axis past 100%."""
    drawn = max([0.0, *(float(v) for v in values if v is not None)])
    band = max([0.0, *(float(v) for v in band_high if v is not None)])
    room = BAND_ROOM * drawn
    highest = band if drawn <= 0 else max(drawn, min(band, room))
    top = nice_top(highest * 1.05)
    if unit == "pct" and highest <= 100:
        top = min(100.0, top)
    clipped = band > top
    return BandAxis(top, band, clipped, f"p95 off scale: {number(band, unit)}" if clipped else None)


def output_band_axis(report: Mapping[str, Any], output: str) -> BandAxis:
    """``band_axis`` of a run's chart of ``output``, from what every medium's chart of it draws: the model's values
    and medians (a linked run's by quarter, and its value for each longer period a figure or observation of it
    spans), the published figures and the observations; the band over the same rows."""
    linked = report.get("model") == "linked"
    rows = [r for r in report.get("outputs") or () if r["output"] == output]
    if linked:
        table = (report.get("calibration") or {}).get("table") or ()
        spanned = {e["period"] for e in [*table, *(report.get("published_beside_model") or ())]
                   if e["output"] == output and e.get("quarters")}
        lined = [r for r in rows if "Q" in str(r["period"]) and "FY" not in str(r["period"])]
        drawn = [*lined, *(r for r in rows if r["period"] in spanned)]
        figures = [f.value for f in figure_points(report, output)]
    else:
        lined = drawn = rows
        figures = [p["value"] for c in report.get("published_beside_model") or () if c["output"] == output
                   for p in c["published"]]
    observed = [o["observed"] for o in (report.get("calibration") or {}).get("table") or () if o["output"] == output]
    values = [r.get(k) for r in drawn for k in ("value", "median")] + figures + observed
    return band_axis(values, [r.get("p95") for r in lined], describe(report, output).unit)


#: Most characters of a case's title (``case_title``): a longer first sentence ends at its last clause within them.
CASE_TITLE = 160


def case_title(name: str, description: str | None) -> str:
    """A market case as a heading or a list names it: the first sentence of its description, without what it
    says in brackets or after a colon; one longer than ``CASE_TITLE`` characters ends at the last clause that ends
    within them (before ", and", ", " or " under ..."), never in the middle of one and never with an ellipsis ("Who
    takes Micron's place in China's DRAM market after the 2023 ban in critical information infrastructure and
    Micron's 2025 exit from China's data centres"); its name with the hyphens as spaces where it has no
    description."""
    text = " ".join(str(description or "").split())
    text = re.sub(r"\s*\([^)]*\)", "", text)
    text = re.split(r"(?<=[a-z0-9%])\.(?:\s|$)|:\s", text, maxsplit=1)[0].strip().rstrip(".")
    if not text:
        return name.replace("-", " ")
    if len(text) > CASE_TITLE:
        ends = [m.start() for m in re.finditer(r",\s|\s(?:under|as|while|after)\s", text)
                if CASE_TITLE // 3 <= m.start() <= CASE_TITLE]
        if ends:
            text = text[:ends[-1]].rstrip(",; ")
    return text


def tick_decimals(step: float) -> int:
    """The fewest decimals that print every multiple of an axis's tick ``step`` exactly: 0.25 -> 2, 0.5 -> 1,
    5 -> 0, 1.25 -> 2 (at most 6), so that the ticks of one axis read alike (0.25, 0.50, 0.75), never 0.2, 0.5, 0.8."""
    step = abs(float(step))
    for d in range(7):
        scaled = step * 10 ** d
        if abs(scaled - round(scaled)) < 1e-6 * max(1.0, scaled):
            return d
    return 6


def tick(value: float, step: float, unit: str | None = None) -> str:
    """An axis tick as ``number`` writes a value (``%`` after a percent, ``points`` after percentage points, whole
    numbers with thousands separators), with the decimals the axis's tick ``step`` needs (``tick_decimals``) and
    "0" for a negative zero."""
    d = tick_decimals(step)
    text = f"{float(value):,.{d}f}"
    if float(text.replace(",", "")) == 0:
        text = f"{0:.{d}f}"
    if unit == "pct":
        return f"{text}%"
    if unit == "pct_points":
        return f"{'+' if float(value) > 0 and float(text.replace(',', '')) != 0 else ''}{text} points"
    return text


def tick_steps(top: float) -> int:
    """How many equal steps an axis from 0 to ``top`` (a nice number: 1, 2, 2.5 or 5 times a power of ten) is cut
    into, so that each step is itself nice (1, 2, 2.5 or 5 times a power of ten) and its ticks read plainly: 4 for
    1, 2 (0.25, 0.5 apart), 5 for 2.5, 5 (0.5, 1 apart; never 0.625 or 1.25)."""
    import math

    if top <= 0:
        return 4
    m = top / 10 ** math.floor(math.log10(top) + 1e-9)
    return 5 if abs(m - 2.5) < 1e-6 or abs(m - 5) < 1e-6 else 4


#: The words of the mark where a linked run's sourced figures end and the model's projection alone goes on: one
#: label in the chart files, the report and on the Results page.
DATA_END_LABEL = "data | model"


@dataclass(frozen=True)
class DataEnd:
    """Where a linked run's charts mark the end of its data: ``period``, the last quarter of the run with a sourced
    value (a figure published or observed for one of its outputs, forecasts aside; a figure of a year or fiscal
    year counts for the last quarter it spans); ``label``, the mark's words (``DATA_END_LABEL``); ``note``, what the
    mark says when pointed at. Every medium draws it as a dashed vertical rule after that quarter."""

    period: str
    label: str
    note: str


def _last_quarter(entry: Mapping[str, Any]) -> str | None:
    """The last quarter a figure's period covers: the quarter itself, else the last of the ``quarters`` it spans."""
    period = str(entry.get("period") or "")
    if period_kind(period) == "quarter":
        return period
    quarters = entry.get("quarters")
    return str(quarters[1]) if quarters else None


def data_end(report: Mapping[str, Any]) -> DataEnd | None:
    """Where a linked run's sourced data end (``DataEnd``); None for a run of another model, or where its figures
    reach its last quarter (nothing past them is the model's alone) or none is within its quarters."""
    if report.get("model") != "linked":
        return None
    quarters = sorted({str(r["period"]) for r in report.get("outputs") or ()
                       if period_kind(str(r["period"])) == "quarter"})
    ends = [_last_quarter(e) for e in report.get("published_beside_model") or ()
            if any(p.get("status") != "forecast" for p in e.get("published") or ())]
    ends += [_last_quarter(r) for r in (report.get("calibration") or {}).get("table") or ()
             if r.get("observed") is not None]
    known = [q for q in ends if q is not None]
    if not quarters or not known or max(known) >= quarters[-1] or max(known) < quarters[0]:
        return None
    last = max(q for q in quarters if q <= max(known))
    return DataEnd(last, DATA_END_LABEL, f"Sourced figures up to {last}; after it, the model's projection alone")
