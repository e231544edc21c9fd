"""The supply world the engine computes over: inputs, providers and shares as indexed arrays.

A world is built once from plain records (the store's rows) and then only read. Shares are fractions
in [0, 1]; an unknown share is NaN and is never treated as zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from chipshift.domain.period import Period
from chipshift.schemas.vocabulary import UNITS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Aggregate providers whose real headquarters are not one country.
AGGREGATE_PROVIDERS = ("XVC", "EUR")
#: Kinds of CSET nodes that count as semiconductor manufacturing equipment, for rules on `sme`.
SME_KINDS = ("tool_resource",)
SME_STAGES = {"S2", "S3"}  # design tools (EDA, at S1) are software, not manufacturing equipment
SME_ID = "sme"
#: The provider that stands for suppliers a source does not name.
OTHERS = "XVC"
#: The two angles shares are seen from: by country and by firm.
VIEWS = ("country", "firm")
#: Which basis of market-share facts world supply shares are read from first.
SHARE_BASIS_ORDER = ("revenue", "shipments", "bits", "capacity", "unknown")


@dataclass(frozen=True)
class View:
    """Provider shares of inputs from one angle: by country or by firm. Pairs are sorted by input."""

    name: str  # "country" or "firm"
    pair_input: IntArray
    pair_provider: IntArray
    pair_share: FloatArray  # fraction of the input's world supply; NaN = known provider, unknown share
    pair_source: tuple[str, ...]
    input_start: IntArray  # pairs of input i are pair_input[input_start[i]:input_start[i + 1]]

    @property
    def n_pairs(self) -> int:
        return int(self.pair_input.shape[0])

    def pairs_of(self, i: int) -> range:
        return range(int(self.input_start[i]), int(self.input_start[i + 1]))

    def per_input(self, weights: npt.NDArray[np.float64] | npt.NDArray[np.bool_]) -> FloatArray:
        """Sum a per-pair quantity over each input's pairs."""
        sums: FloatArray = np.bincount(self.pair_input, weights=weights,
                                       minlength=len(self.input_start) - 1).astype(np.float64)
        return sums

    @cached_property
    def known_total(self) -> FloatArray:
        """Per input: the sum of its numeric shares."""
        return self.per_input(np.nan_to_num(self.pair_share, nan=0.0))

    @cached_property
    def known_count(self) -> FloatArray:
        """Per input: how many of its pairs have a numeric share."""
        return self.per_input(~np.isnan(self.pair_share))

    @cached_property
    def pair_count(self) -> IntArray:
        return np.diff(self.input_start)


@dataclass(frozen=True)
class World:
    inputs: tuple[str, ...]
    input_names: tuple[str, ...]
    input_kinds: tuple[str, ...]
    input_stages: tuple[tuple[str, ...], ...]
    input_attributes: tuple[Mapping[str, Any], ...]
    market_size_usd: FloatArray
    ancestors: tuple[frozenset[str], ...]  # each input, its is_type_of ancestors (and itself)
    feeds: tuple[tuple[str, str], ...]  # goes_into edges (input, process or bucket)
    providers: tuple[str, ...]
    provider_names: tuple[str, ...]
    provider_kinds: tuple[str, ...]  # "country" or "firm"
    provider_hq: tuple[str, ...]  # the country itself for a country provider
    countries: Mapping[str, tuple[str, ...]]  # region id -> member countries (countries map to themselves)
    by_country: View
    by_firm: View
    index: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    provider_index: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    #: Inputs outside the semiconductor supply chain (their ``chain`` is 'other': the back-test episodes' goods),
    #: left out of the supply chain's tables unless asked for by name.
    outside_chain: frozenset[str] = frozenset()

    @property
    def n_inputs(self) -> int:
        return len(self.inputs)

    @property
    def n_providers(self) -> int:
        return len(self.providers)

    @cached_property
    def provider_hq_array(self) -> npt.NDArray[np.str_]:
        """``provider_hq`` as an array, for vectorised tests on headquarters."""
        return np.asarray(self.provider_hq)

    @cached_property
    def provider_hq_aggregate(self) -> npt.NDArray[np.bool_]:
        """Per provider: are its headquarters an aggregate (a region, or 'various countries')."""
        aggregate: npt.NDArray[np.bool_] = np.isin(self.provider_hq_array, AGGREGATE_PROVIDERS)
        return aggregate

    @cached_property
    def provider_is_firm(self) -> npt.NDArray[np.bool_]:
        is_firm: npt.NDArray[np.bool_] = np.asarray(self.provider_kinds) == "firm"
        return is_firm

    @cached_property
    def _descendant_masks(self) -> dict[str, npt.NDArray[np.bool_]]:
        masks: dict[str, npt.NDArray[np.bool_]] = {}
        for i, ancestors in enumerate(self.ancestors):
            for a in ancestors:
                masks.setdefault(a, np.zeros(self.n_inputs, dtype=bool))[i] = True
        return masks

    def descendants(self, input_id: str) -> npt.NDArray[np.bool_]:
        """Per input: is it ``input_id`` or one of its descendants (all False for an id the world lacks)."""
        mask = self._descendant_masks.get(input_id)
        return mask if mask is not None else np.zeros(self.n_inputs, dtype=bool)

    @cached_property
    def country_rows(self) -> tuple[tuple[int, str, frozenset[str]], ...]:
        """The country (and region) providers: index, id and member countries."""
        return tuple((p, self.providers[p], frozenset(self.members(self.providers[p])))
                     for p in range(self.n_providers) if self.provider_kinds[p] == "country")

    def view(self, name: str) -> View:
        if name == "country":
            return self.by_country
        if name == "firm":
            return self.by_firm
        raise ValueError(f"unknown view '{name}' ({' or '.join(VIEWS)})")

    def input_of(self, id_or_name: str) -> int:
        return self.index[id_or_name]

    def members(self, country: str) -> tuple[str, ...]:
        return self.countries.get(country, (country,))


def _view(name: str, pairs: Sequence[tuple[int, int, float | None, str]], n_inputs: int) -> View:
    ordered = sorted(pairs, key=lambda p: (p[0], p[1]))
    pair_input = np.array([p[0] for p in ordered], dtype=np.int64)
    shares = np.array([np.nan if p[2] is None else p[2] for p in ordered], dtype=np.float64)
    start = np.searchsorted(pair_input, np.arange(n_inputs + 1)).astype(np.int64)
    return View(name, pair_input, np.array([p[1] for p in ordered], dtype=np.int64), shares,
                tuple(p[3] for p in ordered), start)


def build_world(
    inputs: Iterable[Mapping[str, Any]],
    links: Iterable[Mapping[str, Any]],
    provision: Iterable[Mapping[str, Any]],
    firms: Iterable[Mapping[str, Any]],
    countries: Iterable[Mapping[str, Any]],
) -> World:
    """Index the records. ``provision`` rows: provider, provider_kind, input, share_pct (None = unknown),
    source_text. Stage rows (S-ids) are left out: they are not inputs."""
    input_rows = sorted(inputs, key=lambda r: r["id"])
    ids = tuple(r["id"] for r in input_rows)
    index = {i: n for n, i in enumerate(ids)}
    links = list(links)
    feeds = [(link["child"], link["parent"]) for link in links if link["relation"] == "goes_into"
             and link["child"] in index and link["parent"] in index]
    covered_by = input_ancestors(input_rows, links)
    ancestors = tuple(covered_by[i] for i in ids)

    country_rows = list(countries)
    firm_rows = list(firms)
    members = {c["id"]: tuple(c["members"] or []) or (c["id"],) for c in country_rows}
    provider_ids: list[str] = []
    names: list[str] = []
    kinds_p: list[str] = []
    hq: list[str] = []
    for c in country_rows:
        provider_ids.append(c["id"])
        names.append(c["name"])
        kinds_p.append("country")
        hq.append(c["id"])
    for f in firm_rows:
        provider_ids.append(f["id"])
        names.append(f["name"])
        kinds_p.append("firm")
        hq.append(f["hq_country"])
    provider_index = {p: n for n, p in enumerate(provider_ids)}
    pairs: dict[str, list[tuple[int, int, float | None, str]]] = {"country": [], "firm": []}
    for row in provision:
        if row["input"] not in index:
            continue
        if row["provider"] not in provider_index:
            raise ValueError(f"provision names unknown provider '{row['provider']}'")
        share = row["share_pct"]
        pairs[row["provider_kind"]].append((index[row["input"]], provider_index[row["provider"]],
                                            None if share is None else float(share) / 100.0,
                                            row.get("source_text") or ""))
    return World(
        inputs=ids,
        input_names=tuple(r["name"] for r in input_rows),
        input_kinds=tuple(r["kind"] for r in input_rows),
        input_stages=tuple(tuple(r.get("stages") or ()) for r in input_rows),
        input_attributes=tuple(MappingProxyType(dict(r.get("attributes") or {})) for r in input_rows),
        market_size_usd=np.array([np.nan if r.get("market_size_usd") is None else r["market_size_usd"]
                                  for r in input_rows], dtype=np.float64),
        ancestors=ancestors,
        feeds=tuple(feeds),
        providers=tuple(provider_ids),
        provider_names=tuple(names),
        provider_kinds=tuple(kinds_p),
        provider_hq=tuple(hq),
        countries=MappingProxyType(members),
        by_country=_view("country", pairs["country"], len(ids)),
        by_firm=_view("firm", pairs["firm"], len(ids)),
        index=MappingProxyType(index),
        provider_index=MappingProxyType(provider_index),
        outside_chain=frozenset(r["id"] for r in input_rows if r.get("chain") == "other"),
    )


def input_ancestors(inputs: Sequence[Mapping[str, Any]], links: Iterable[Mapping[str, Any]]
                    ) -> dict[str, frozenset[str]]:
    """Each input with the broader inputs that cover it (itself included): its ``is_type_of`` parents, a bucket its
    parts go into (N48 goes_into N55: not a process, nor an end product such as smartphones, which a chip goes
    into without being a kind of it), and, for a manufacturing tool, chipmaking tools (``sme``), transitively.
    Links naming an input the rows lack are left out."""
    kinds = {r["id"]: r["kind"] for r in inputs}
    parents: dict[str, set[str]] = defaultdict(set)
    for link in links:
        child, parent = link["child"], link["parent"]
        if child in kinds and parent in kinds and (link["relation"] == "is_type_of" or
                                                   kinds[parent] not in ("process", "product_group")):
            parents[child].add(parent)
    if SME_ID in kinds:
        for r in inputs:
            stages = set(r.get("stages") or ())
            if r["kind"] in SME_KINDS and r["id"] != SME_ID and stages and stages <= SME_STAGES:
                parents[r["id"]].add(SME_ID)
    return {i: frozenset(_closure(i, parents)) for i in kinds}


def _closure(node: str, parents: Mapping[str, set[str]]) -> set[str]:
    seen = {node}
    stack = [node]
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def provision_from_facts(facts: Iterable[Mapping[str, Any]], firms: Mapping[str, str],
                         countries: Iterable[str] = ()) -> list[dict[str, Any]]:
    """World supply shares of bundled products from facts: firm shares (DRAM, HBM, NAND, AI chips ...)
    from market-share facts, and country shares (raw materials) from production facts; for each product,
    the latest period of `share_history` that is not a forecast (the latest forecast when there is nothing
    else), firm shares first."""
    out: list[dict[str, Any]] = []
    for _product, tables in sorted(share_history(facts, firms, countries).items()):
        out += ([t for t in tables if not t.forecast] or tables)[-1].rows
    return out


@dataclass(frozen=True)
class ShareTable:
    """One period's world supply shares of one product: provision rows (provider, provider_kind, input,
    share_pct, source_text), the providers named and what the rest is."""

    product: str
    period: str
    kind: str  # "firm" (market-share facts) or "country" (production facts over a world total)
    basis: str  # the share basis (revenue, shipments ...) or "production"
    rows: list[dict[str, Any]]
    forecast: bool  # some of its figures are forecasts


def share_history(facts: Iterable[Mapping[str, Any]], firms: Mapping[str, str],
                  countries: Iterable[str] = ()) -> dict[str, list[ShareTable]]:
    """Per product, its world share tables by period, oldest first: firm tables where the product has any,
    else country tables.

    A table any of whose figures is a forecast is marked so (``ShareTable.forecast``).

    Firm shares: the first basis (revenue preferred) with world (WLD), firm-level shares under one
    definition (one tracker's table) that either name three or more firms or add up to the whole market,
    preferring each firm's default fact; in each period, the table without a definition, else the one with
    more firms. A firm missing from that table but with a share for the same period on another basis is
    added (capped by what the table leaves), its source text saying so; the rest is held by firms not named
    (OTHERS). ``firms`` maps firm ids to headquarters, so combined ('a+b') and bucket entities are left out.

    Country shares: production figures by country and a world total (entity WLD) under one definition; a
    country's share is its output over the world total (over the listed countries' sum where that exceeds a
    rounded world total), and what the listed countries leave is 'various countries' (OTHERS). A product with
    neither takes countries' world market-share facts on a production basis (China's share of refined
    germanium), each period's default figures, the rest again 'various countries'."""
    facts = list(facts)
    out = _firm_shares(facts, firms)
    for product, tables in _country_shares(facts, set(countries)).items():
        out.setdefault(product, tables)
    for product, tables in _country_share_facts(facts, set(countries)).items():
        out.setdefault(product, tables)
    return out


def _forecast(table: Mapping[str, Mapping[str, Any]]) -> bool:
    return any(f.get("status") == "forecast" for f in table.values())


def _better(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> bool:
    return old is None or (bool(new["default"]) and not old["default"])


def _firm_shares(facts: Sequence[Mapping[str, Any]], firms: Mapping[str, str]) -> dict[str, list[ShareTable]]:
    # product -> basis -> (period, definition) -> firm -> fact
    candidates: dict[str, dict[str, dict[tuple[str, str], dict[str, Mapping[str, Any]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(dict)))
    for f in facts:
        if (f["metric"] != "market_share" or f["region"] != "WLD" or f["entity"] not in firms
                or f["unit"] != "pct" or f["segment"] not in (None, "all") or not f["product"]):
            continue
        slot = candidates[f["product"]][f["basis"] or "unknown"][(f["period"], f["definition"] or "")]
        if _better(f, slot.get(f["entity"])):
            slot[f["entity"]] = f
    out: dict[str, list[ShareTable]] = {}
    for product, bases in candidates.items():
        for basis in (*SHARE_BASIS_ORDER, *sorted(set(bases) - set(SHARE_BASIS_ORDER))):
            complete = {p: s for p, s in bases.get(basis, {}).items()
                        if len(s) >= 3 or sum(f["value"] for f in s.values()) >= 99.5}
            if not complete:
                continue
            # per period, the table without a definition, then the one with more firms
            per_period: dict[str, tuple[str, str]] = {}
            for key in sorted(complete, key=lambda p: (not p[1], len(complete[p]))):
                per_period[key[0]] = key
            keys = sorted(per_period.values(), key=lambda p: Period.parse(p[0]).end)
            out[product] = [ShareTable(product, key[0], "firm", basis,
                                       _firm_rows(product, basis, key, complete[key], bases), _forecast(complete[key]))
                            for key in keys]
            break
    return out


def _firm_rows(product: str, basis: str, key: tuple[str, str], table: dict[str, Mapping[str, Any]],
               bases: Mapping[str, Mapping[tuple[str, str], dict[str, Mapping[str, Any]]]]) -> list[dict[str, Any]]:
    period = key[0]
    out: list[dict[str, Any]] = []
    for entity, f in sorted(table.items()):
        out.append({"provider": entity, "provider_kind": "firm", "input": product,
                    "share_pct": f["value"], "source_text": f"fact {f['id']} ({period}, {basis})"})
    rest = 100.0 - sum(f["value"] for f in table.values())
    extra: dict[str, Mapping[str, Any]] = {}
    for other_basis, periods in bases.items():
        for entity, f in periods.get(key, {}).items():
            if other_basis != basis and entity not in table and _better(f, extra.get(entity)):
                extra[entity] = f
    for entity, f in sorted(extra.items()):
        share = min(float(f["value"]), max(rest, 0.0))
        if share <= 0:
            continue
        rest -= share
        out.append({"provider": entity, "provider_kind": "firm", "input": product, "share_pct": round(share, 4),
                    "source_text": f"fact {f['id']} ({period}, basis {f['basis'] or 'unknown'}, "
                                   f"not {basis}: the {basis} table does not list it)"})
    if rest > 0.5:
        # The firms not named hold the rest; who they are is not known, so they count as 'various'.
        out.append({"provider": OTHERS, "provider_kind": "firm", "input": product, "share_pct": round(rest, 4),
                    "source_text": f"remainder of the {period} shares"})
    return out


def _country_shares(facts: Sequence[Mapping[str, Any]], countries: set[str]) -> dict[str, list[ShareTable]]:
    # (product, definition) -> period -> entity -> fact
    groups: dict[tuple[str, str], dict[str, dict[str, Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for f in facts:
        if f["metric"] != "production" or not f["product"] or f["value"] is None:
            continue
        if f["entity"] not in countries and f["entity"] not in ("WLD", OTHERS):
            continue
        unit = UNITS.get(f["unit"])
        if unit is None or unit.dimension != "mass":
            continue
        slot = groups[(f["product"], f["definition"] or "")][f["period"]]
        if _better(f, slot.get(f["entity"])):
            slot[f["entity"]] = f
    # per product and period, the first definition's table (groups are visited in a fixed order)
    chosen: dict[str, dict[str, dict[str, Mapping[str, Any]]]] = defaultdict(dict)
    for (product, _definition), periods in sorted(groups.items()):
        for period, table in periods.items():
            if "WLD" in table and len(table) >= 2 and period not in chosen[product]:
                chosen[product][period] = table
    out: dict[str, list[ShareTable]] = {}
    for product, periods in sorted(chosen.items()):
        tables = [ShareTable(product, period, "country", "production", rows, _forecast(periods[period]))
                  for period in sorted(periods, key=lambda p: Period.parse(p).end)
                  if (rows := _country_rows(product, period, periods[period]))]
        if tables:
            out[product] = tables
    return out


def _country_rows(product: str, period: str, table: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    world_fact = table["WLD"]
    world = float(world_fact["value"]) * UNITS[world_fact["unit"]].factor
    output = {entity: float(f["value"]) * UNITS[f["unit"]].factor for entity, f in table.items()
              if entity not in ("WLD", OTHERS)}
    # A published world total is rounded (USGS: 'World total (rounded)'), so the countries it lists may add up
    # to more than it; their own sum is then the better total, and the shares add up to 100%, not 101%.
    total = max(world, sum(output.values()))
    if total <= 0:
        return []
    over = f"over world total {world_fact['id']}" if total == world else (
        f"over the sum of the listed countries, which exceeds the rounded world total {world_fact['id']}")
    out: list[dict[str, Any]] = []
    listed = 0.0
    for entity, f in sorted(table.items()):
        if entity in ("WLD", OTHERS):
            continue
        share = 100.0 * output[entity] / total
        listed += share
        out.append({"provider": entity, "provider_kind": "country", "input": product,
                    "share_pct": round(share, 4),
                    "source_text": f"fact {f['id']} {over} ({period})"})
    rest = 100.0 - listed
    if rest > 0.5:
        source = table[OTHERS]["id"] if OTHERS in table else f"remainder of the world total {world_fact['id']}"
        out.append({"provider": OTHERS, "provider_kind": "country", "input": product, "share_pct": round(rest, 4),
                    "source_text": f"{source} ({period})"})
    return out


def _country_share_facts(facts: Sequence[Mapping[str, Any]], countries: set[str]) -> dict[str, list[ShareTable]]:
    """Country share tables from countries' stated shares of world production (market_share, basis
    production, region WLD), per product and period, a country's default figure preferred."""
    # product -> period -> country -> fact
    groups: dict[str, dict[str, dict[str, Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for f in facts:
        if (f["metric"] != "market_share" or f["basis"] != "production" or f["region"] != "WLD"
                or f["entity"] not in countries or f["unit"] != "pct" or not f["product"] or f["value"] is None
                or f["segment"] not in (None, "all")):
            continue
        slot = groups[f["product"]][f["period"]]
        if _better(f, slot.get(f["entity"])):
            slot[f["entity"]] = f
    out: dict[str, list[ShareTable]] = {}
    for product, periods in sorted(groups.items()):
        tables = []
        for period in sorted(periods, key=lambda p: Period.parse(p).end):
            table = periods[period]
            rows = [{"provider": entity, "provider_kind": "country", "input": product,
                     "share_pct": float(f["value"]), "source_text": f"fact {f['id']} ({period}, production)"}
                    for entity, f in sorted(table.items())]
            rest = 100.0 - sum(float(f["value"]) for f in table.values())
            if rest > 0.5:
                rows.append({"provider": OTHERS, "provider_kind": "country", "input": product,
                             "share_pct": round(rest, 4), "source_text": f"remainder of the {period} shares"})
            tables.append(ShareTable(product, period, "country", "production", rows, _forecast(table)))
        out[product] = tables
    return out
