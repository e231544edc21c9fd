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
    def provider_is_firm(self) -> npt.NDArray[np.bool_]:
        is_firm: npt.NDArray[np.bool_] = np.asarray(self.provider_kinds) == "firm"
        return is_firm

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
    parents: dict[str, set[str]] = defaultdict(set)
    feeds: list[tuple[str, str]] = []
    kinds = {r["id"]: r["kind"] for r in input_rows}
    for link in links:
        child, parent = link["child"], link["parent"]
        if child not in index or parent not in index:
            continue
        if link["relation"] == "is_type_of" or kinds.get(parent) != "process":
            parents[child].add(parent)  # a bucket fed by its parts (N48 goes_into N55) covers them too
        if link["relation"] == "goes_into":
            feeds.append((child, parent))
    if SME_ID in index:
        for r in input_rows:
            stages = set(r.get("stages") or ())
            if r["kind"] in SME_KINDS and r["id"] != SME_ID and stages and stages <= SME_STAGES:
                parents[r["id"]].add(SME_ID)
    ancestors = tuple(frozenset(_closure(i, parents)) for i in ids)

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
    )


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
    from market-share facts, and country shares (raw materials) from production facts.

    Firm shares: for each product, the latest period with world (WLD), firm-level shares on one basis
    (revenue preferred) and under one definition (one tracker's table) that either name three or more firms
    or add up to the whole market, preferring each firm's default fact. A firm missing from that table but
    with a share for the same period on another basis is added (capped by what the table leaves), its source
    text saying so; the rest is held by firms not named (OTHERS). ``firms`` maps firm ids to headquarters,
    so combined ('a+b') and bucket entities are left out.

    Country shares: for each product, the latest period with production figures by country and a world
    total (entity WLD) under one definition; a country's share is its output over the world total, and
    what the listed countries leave is 'various countries' (OTHERS)."""
    facts = list(facts)
    out = _firm_shares(facts, firms)
    have = {row["input"] for row in out}
    out += [row for row in _country_shares(facts, set(countries)) if row["input"] not in have]
    return out


def _better(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> bool:
    return old is None or (bool(new["default"]) and not old["default"])


def _firm_shares(facts: Sequence[Mapping[str, Any]], firms: Mapping[str, str]) -> list[dict[str, Any]]:
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
    out: list[dict[str, Any]] = []
    for product, bases in candidates.items():
        chosen: tuple[str, tuple[str, str], dict[str, Mapping[str, Any]]] | None = None
        for basis in (*SHARE_BASIS_ORDER, *sorted(set(bases) - set(SHARE_BASIS_ORDER))):
            complete = {p: s for p, s in bases.get(basis, {}).items()
                        if len(s) >= 3 or sum(f["value"] for f in s.values()) >= 99.5}
            if complete:
                # the latest period; between tables of one period, the one without a definition, then more firms
                key = max(complete, key=lambda p: (Period.parse(p[0]).end, not p[1], len(complete[p])))
                chosen = (basis, key, complete[key])
                break
        if chosen is None:
            continue
        basis, (latest, definition), table = chosen
        for entity, f in sorted(table.items()):
            out.append({"provider": entity, "provider_kind": "firm", "input": product,
                        "share_pct": f["value"], "source_text": f"fact {f['id']} ({latest}, {basis})"})
        rest = 100.0 - sum(f["value"] for f in table.values())
        extra: dict[str, Mapping[str, Any]] = {}
        for other_basis, periods in bases.items():
            for entity, f in periods.get((latest, definition), {}).items():
                if other_basis != basis and entity not in table and _better(f, extra.get(entity)):
                    extra[entity] = f
        for entity, f in sorted(extra.items()):
            share = min(float(f["value"]), max(rest, 0.0))
            if share <= 0:
                continue
            rest -= share
            out.append({"provider": entity, "provider_kind": "firm", "input": product, "share_pct": round(share, 4),
                        "source_text": f"fact {f['id']} ({latest}, basis {f['basis'] or 'unknown'}, "
                                       f"not {basis}: the {basis} table does not list it)"})
        if rest > 0.5:
            # The firms not named hold the rest; who they are is not known, so they count as 'various'.
            out.append({"provider": OTHERS, "provider_kind": "firm", "input": product, "share_pct": round(rest, 4),
                        "source_text": f"remainder of the {latest} shares"})
    return out


def _country_shares(facts: Sequence[Mapping[str, Any]], countries: set[str]) -> list[dict[str, Any]]:
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
    best: dict[str, tuple[Period, str, dict[str, Mapping[str, Any]]]] = {}
    for (product, _definition), periods in groups.items():
        for period, table in periods.items():
            if "WLD" not in table or len(table) < 2:
                continue
            end = Period.parse(period)
            if product not in best or end.end > best[product][0].end:
                best[product] = (end, period, table)
    out: list[dict[str, Any]] = []
    for product, (_end, period, table) in sorted(best.items()):
        world_fact = table["WLD"]
        total = float(world_fact["value"]) * UNITS[world_fact["unit"]].factor
        if total <= 0:
            continue
        listed = 0.0
        for entity, f in sorted(table.items()):
            if entity in ("WLD", OTHERS):
                continue
            share = 100.0 * float(f["value"]) * UNITS[f["unit"]].factor / total
            listed += share
            out.append({"provider": entity, "provider_kind": "country", "input": product,
                        "share_pct": round(share, 4),
                        "source_text": f"fact {f['id']} over world total {world_fact['id']} ({period})"})
        rest = 100.0 - listed
        if rest > 0.5:
            source = table[OTHERS]["id"] if OTHERS in table else f"remainder of the world total {world_fact['id']}"
            out.append({"provider": OTHERS, "provider_kind": "country", "input": product, "share_pct": round(rest, 4),
                        "source_text": f"{source} ({period})"})
    return out
