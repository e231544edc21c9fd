"""Reading a linked market case file (``kind: market``, ``model: linked``) into a `LinkedCase`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from chipshift.errors import DataError, Problem
from chipshift.scenarios.linked_case import (
    Cut,
    LinkedCase,
    MarketSpec,
    Num,
    Observation,
    Ramp,
    RuleEntry,
    Seller,
    money,
)
from chipshift.scenarios.market_case import Param
from chipshift.schemas.vocabulary import UNITS


def parse_linked(doc: Mapping[str, Any], facts: Mapping[str, Mapping[str, Any]],
                 parameters: Mapping[str, Mapping[str, Any]], file: str) -> LinkedCase:
    """A LinkedCase from a checked, line-stripped document; DataError lists every problem found while reading
    the figures (shares, units, ranges)."""
    problems: list[Problem] = []
    value_unit = str(doc["value_unit"])

    def problem(path: str, message: str, check: str | None = None) -> None:
        problems.append(Problem(message, file, None, path, check=check))

    def number(raw: Any, path: str, *, as_money: bool = False, scaled: bool = False) -> float:
        """A literal, a fact or a stated value; money in the case's value unit, shares as fractions when
        `scaled`."""
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        if "fact" in raw:
            fact = facts[str(raw["fact"])]
            value, unit = float(fact["value"]), str(fact["unit"])
        else:
            value, unit = float(raw["value"]), raw.get("unit")
        if unit is not None and unit in UNITS:
            dim = UNITS[unit].dimension
            if as_money and dim == UNITS[value_unit].dimension:
                return money(value, unit, value_unit)
            if as_money:
                problem(path, f"expected money ({value_unit}), got {unit}", "units")
            if scaled:
                return value * UNITS[unit].factor
        return value

    def num(raw: Any, path: str, **kw: bool) -> Num:
        if isinstance(raw, dict) and "param" in raw:
            return str(raw["param"])
        return number(raw, path, **kw)

    def opt(raw: Any, path: str, **kw: bool) -> Num | None:
        return None if raw is None else num(raw, path, **kw)

    params: dict[str, Param] = {}
    for name, spec in (doc.get("parameters") or {}).items():
        at = f"parameters.{name}"
        base = dict(parameters[str(spec["from"])]) if spec.get("from") else None
        if base is not None and UNITS[base["unit"]].dimension == "share":
            factor = UNITS[base["unit"]].factor
            base |= {k: float(base[k]) * factor for k in ("default", "low", "high")}
        default = number(spec["default"], at, scaled=True) if spec.get("default") is not None else (
            float(base["default"]) if base else 0.0)
        low = number(spec["low"], at, scaled=True) if spec.get("low") is not None else (
            float(base["low"]) if base else default)
        high = number(spec["high"], at, scaled=True) if spec.get("high") is not None else (
            float(base["high"]) if base else default)
        if not low <= default <= high:
            problem(at, f"default {default:g} outside [{low:g}, {high:g}]")
        basis = f"parameters.csv:{spec['from']}" if spec.get("from") else str(spec.get("basis") or "")
        params[name] = Param(name, default, low, high, bool(spec.get("fit", False)), basis)

    sellers = []
    for k, raw in enumerate(doc["sellers"]):
        at = f"sellers[{k}]"
        ramp = cut = None
        if raw.get("ramp") is not None:
            r = raw["ramp"]
            ramp = Ramp(num(r["ceiling"], f"{at}.ramp.ceiling"), float(r["midpoint"]),
                        num(r["build_time"], f"{at}.ramp.build_time"))
        if raw.get("cut") is not None:
            c = raw["cut"]
            sub = c["substitute"]
            cut = Cut(str(c["rule"]), str(c["input"]), None if c.get("supplier") is None else str(c["supplier"]),
                      num(c["stock_months"], f"{at}.cut.stock_months"), num(sub["ceiling"], f"{at}.cut.ceiling"),
                      float(sub["midpoint"]), num(sub["build_time"], f"{at}.cut.build_time"))
        price, price_unit = 1.0, None
        if raw.get("price") is not None:
            price = number(raw["price"], f"{at}.price")
            price_unit = raw["price"].get("unit") if isinstance(raw["price"], dict) and "fact" not in raw[
                "price"] else (str(facts[raw["price"]["fact"]]["unit"]) if isinstance(raw["price"], dict)
                               else None)
        sellers.append(Seller(
            id=str(raw["id"]), product=str(raw["product"]), firm=raw.get("firm"), country=raw.get("country"),
            price=price, price_unit=price_unit,
            supply_elasticity=num(raw.get("supply_elasticity", math.inf), f"{at}.supply_elasticity"),
            capacity_growth=opt(raw.get("capacity_growth"), f"{at}.capacity_growth"), ramp=ramp,
            quality_growth=opt(raw.get("quality_growth"), f"{at}.quality_growth"), cut=cut,
            domestic_in=tuple(str(x) for x in raw.get("domestic_in") or ())))
    seller_ids = {s.id for s in sellers}
    markets = []
    for k, raw in enumerate(doc["markets"]):
        at = f"markets[{k}]"
        shares = {}
        for sid, v in (raw.get("shares") or {}).items():
            if sid not in seller_ids:
                problem(f"{at}.shares.{sid}", f"unknown seller '{sid}' (the case's sellers: "
                                              f"{', '.join(sorted(seller_ids))})", "references")
            shares[str(sid)] = num(v, f"{at}.shares.{sid}")
        literal = [float(v) for v in shares.values() if not isinstance(v, str)]
        if literal and len(literal) == len(shares) and abs(sum(literal) - 100.0) > 5.0:
            problem(f"{at}.shares", f"shares sum to {sum(literal):g}%, more than 5 points from 100%: add the "
                                    "missing sellers (e.g. an 'others' group)")
        given = raw.get("values") or {}
        if isinstance(given, str):  # the name of a series of the case, shared by several markets
            series = doc.get("series") or {}
            if given not in series:
                problem(f"{at}.values", f"unknown series '{given}' (the case's series: {', '.join(sorted(series))})",
                        "references")
            given = series.get(given) or {}
        values = {str(p): number(v, f"{at}.values.{p}", as_money=True) for p, v in given.items()}
        if raw.get("value") is None and not values:
            problem(f"{at}.value", "give the market's yearly value at the start, or its sourced `values`")
        markets.append(MarketSpec(
            id=str(raw["id"]), region=str(raw["region"]), product=str(raw["product"]),
            value=opt(raw.get("value"), f"{at}.value", as_money=True), shares=shares,
            sigma=num(raw["sigma"], f"{at}.sigma"), demand_elasticity=num(raw["demand_elasticity"],
                                                                          f"{at}.demand_elasticity"),
            segment=raw.get("segment"), growth=opt(raw.get("growth"), f"{at}.growth"), values=values,
            less=tuple(str(x) for x in raw.get("less") or ()), scale=opt(raw.get("scale"), f"{at}.scale"),
            item=None if raw.get("item") is None else str(raw["item"])))
        for sid in shares:
            seller = next((s for s in sellers if s.id == sid), None)
            if seller is not None and seller.product != markets[-1].product:
                problem(f"{at}.shares.{sid}", f"seller '{sid}' sells {seller.product}, the market is "
                                              f"{markets[-1].product}")
    market_ids = {m.id for m in markets}
    for k, market in enumerate(markets):
        for other in market.less:
            inner = next((m for m in markets if m.id == other), None)
            if inner is None or not inner.values:
                problem(f"markets[{k}].less", f"'{other}' is not a market of the case with sourced `values`",
                        "references")
    rules = []
    for k, raw in enumerate(doc.get("rules") or []):
        at = f"rules[{k}]"
        for key, known in (("sellers", seller_ids), ("markets", market_ids)):
            for x in raw.get(key) or ():
                if x not in known:
                    problem(f"{at}.{key}", f"unknown {key[:-1]} '{x}'", "references")
        effect = str(raw.get("effect", "ban"))
        if effect == "licence" and raw.get("approval") is None:
            problem(f"{at}.approval", "a licence needs an approval share (a fraction, usually a ranged parameter)")
        rules.append(RuleEntry(
            rule=str(raw["rule"]), effect=effect, approval=opt(raw.get("approval"), f"{at}.approval"),
            delay=opt(raw.get("delay"), f"{at}.delay"),
            sellers=None if raw.get("sellers") is None else tuple(str(x) for x in raw["sellers"]),
            markets=None if raw.get("markets") is None else tuple(str(x) for x in raw["markets"]),
            rush_months=opt((raw.get("rush") or {}).get("cap_months"), f"{at}.rush.cap_months")))
    observations = []
    for k, raw in enumerate(doc.get("observations") or []):
        at = f"observations[{k}]"
        is_money = not str(raw["output"]).startswith(("share:", "revenue_share:", "localization@", "price"))
        if "fact" in raw:
            value = number({"fact": raw["fact"]}, at, as_money=is_money)
            source = str(raw["fact"])
        else:
            value = number({"value": raw["value"], "unit": raw.get("unit")}, at, as_money=is_money)
            source = str(raw["basis"])
        observations.append(Observation(str(raw["output"]), str(raw["period"]), value, source,
                                        bool(raw.get("fit", True))))
    if problems:
        raise DataError(problems)
    return LinkedCase(
        name=str(doc.get("name", file)), description=str(doc.get("description", "")), start=str(doc["start"]),
        end=str(doc["end"]), value_unit=value_unit, sellers=tuple(sellers), markets=tuple(markets),
        rules=tuple(rules), params=params, observations=tuple(observations),
        fiscal_year_end={str(k): int(v) for k, v in (doc.get("fiscal_year_end") or {}).items()},
        notes=tuple(str(n) for n in doc.get("notes") or ()))
