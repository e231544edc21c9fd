"""The Explorer's questions: stages -> inputs -> providers, each figure with its source, and one input or firm with
the source of every figure as a panel and the facts that disagree.

Composed from the other questions and the store's read methods; no SQL and no computation of its own beyond
grouping (bundled products' world shares come from the engine's ``provision_from_facts``, the same shares
availability uses).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chipshift.api.data import entity_names, entity_words, show_firm, show_input
from chipshift.api.restrictions import chokepoints
from chipshift.io.store import Store

if TYPE_CHECKING:
    from chipshift.api.answers import ExplorerAnswer, FirmDetailAnswer, InputDetailAnswer

CHOKEPOINT_PCT = 80.0
BUNDLED_GROUP = "P"
_FACT_SOURCE_KEYS = ("publisher", "original_publisher", "published", "url", "quote", "source")


def dataset_source(dataset: dict[str, Any] | None, quote: str | None, year: int | None) -> dict[str, Any]:
    """The source panel of a figure from an imported dataset (CSET/ETO): its own source note as quote."""
    attribution = (dataset or {}).get("attribution") or ""
    link = re.search(r"github\.com/[\w.-]+/[\w.-]+", attribution)
    return {"publisher": "Emerging Technology Observatory (CSET, Georgetown University)" if dataset else None,
            "title": (dataset or {}).get("title"), "published": str(year) if year else None,
            "quote": quote, "url": f"https://{link.group(0).rstrip('.')}" if link else None,
            "licence": (dataset or {}).get("licence"), "dataset": (dataset or {}).get("id"),
            "note": f"dataset version {dataset['version']}" if dataset and dataset.get("version") else None}


def market_size_source(node: Mapping[str, Any], datasets: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The source of an input's market size: the dataset that defines the input (the only place market sizes come
    from), the size as that dataset words it for quote, of its year. None without a market size or a dataset."""
    dataset = datasets.get(str(node.get("origin")))
    if not node.get("market_size_text") or dataset is None:
        return None
    return dataset_source(dataset, node["market_size_text"], node.get("market_size_year"))


def fact_source(fact: dict[str, Any]) -> dict[str, Any]:
    return {"publisher": fact.get("publisher"), "original_publisher": fact.get("original_publisher"),
            "title": fact.get("source_title"), "published": fact.get("published"), "quote": fact.get("quote"),
            "url": fact.get("url"), "source": fact.get("source"), "fact": fact.get("id"),
            "status": fact.get("status")}


def derived_source(row: dict[str, Any], kind: str, shown: dict[str, Any], facts: dict[str, dict[str, Any]],
                   firm_hq: dict[str, str]) -> dict[str, Any]:
    """The source panel of a share of a bundled product derived from its facts rather than stated by one: a
    country's, the sum of the firm shares headquartered in it (the firms and their shares named); the firms'
    remainder, 100% less the named firms' shares. Its note names the publishers of the facts it rests on (each
    fact with its own source in the firm table), so a chart's footer names them too."""
    firms = shown["firms"]
    members = [f for f in firms if firm_hq.get(f["provider"]) == row["provider"] or f["provider"] == row["provider"]]
    quote = row["source"]
    if kind == "country" and members:
        quote = f"{quote}: " + " + ".join(f"{f['name']} {f['share_pct']:g}%" for f in members)
    used = [f for f in members if f.get("fact") in facts] if kind == "country" else []
    used = used or [f for f in firms if f.get("fact") in facts]
    publishers = sorted({str(facts[f["fact"]].get("publisher")) for f in used if facts[f["fact"]].get("publisher")})
    periods = {facts[f["fact"]].get("period") for f in used}
    if row.get("period") is None and len(periods) == 1:
        row["period"] = periods.pop()
    who = f" of {'; '.join(publishers)}" if publishers else ""
    return {"quote": quote, "note": f"derived from the firm shares{who} (each with its source in the firm table)"}


def chokepoint_index(store: Store) -> dict[str, dict[str, Any]]:
    """Every input's chokepoint measures, by input id: computed once per state of the store (every input's
    page reads one of them); treat as read-only."""

    def build() -> dict[str, dict[str, Any]]:
        answer, names = chokepoints(store, CHOKEPOINT_PCT, show_all=True), entity_names(store)
        coalition = [names.get(c, c) for c in answer.coalition]
        return {r.input: {**r.as_report(), "top_country_name": names.get(r.top_country, r.top_country),
                          "coalition_names": coalition, "chokepoint": r.top_share_pct >= CHOKEPOINT_PCT}
                for r in answer.inputs}

    return store.cached("web:chokepoint_index", build)


def explorer_tree(store: Store) -> ExplorerAnswer:
    """Stages, each with its inputs as a tree (variants and the inputs that go into processes)."""
    from chipshift.api.answers import ExplorerAnswer

    inputs = store.rows("inputs", order_by="id")
    links = store.rows("input_links")
    chokes = chokepoint_index(store)
    by_dataset = {d["id"]: d for d in store.rows("datasets")}
    names = entity_names(store)
    groups: dict[str, list[str]] = defaultdict(list)
    for node in inputs:
        for stage in node["stages"] or [BUNDLED_GROUP]:
            groups[stage].append(node["id"])
    by_id = {n["id"]: n for n in inputs}
    parents: dict[str, list[str]] = defaultdict(list)
    for link in links:
        # Process-to-process edges are the production sequence, not a part-of hierarchy: left out.
        if by_id.get(link["child"], {}).get("kind") == "process" == by_id.get(link["parent"], {}).get("kind"):
            continue
        parents[link["child"]].append(link["parent"])

    def tree(group: str) -> list[dict[str, Any]]:
        members = set(groups[group])
        children: dict[str, list[str]] = defaultdict(list)
        roots = []
        for node_id in groups[group]:
            inside = [p for p in parents.get(node_id, []) if p in members and p != node_id]
            for p in inside:
                children[p].append(node_id)
            if not inside:
                roots.append(node_id)

        def build(node_id: str, seen: frozenset[str]) -> dict[str, Any]:
            node, choke = by_id[node_id], chokes.get(node_id)
            kids = sorted((c for c in children.get(node_id, []) if c not in seen), key=lambda c: by_id[c]["name"])
            return {"id": node_id, "name": node["name"], "kind": node["kind"], "aliases": node["aliases"] or [],
                    "market_size": node["market_size_text"],
                    "market_size_source": market_size_source(node, by_dataset),
                    "top_country": choke["top_country"] if choke else None,
                    "top_country_name": names.get(choke["top_country"], choke["top_country"]) if choke else None,
                    "top_share_pct": choke["top_share_pct"] if choke else None,
                    "chokepoint": bool(choke and choke["chokepoint"]),
                    "children": [build(c, seen | {c}) for c in kids]}

        ordered = sorted(roots, key=lambda r: (by_id[r]["kind"] != "process", by_id[r]["name"]))
        return [build(r, frozenset({r})) for r in ordered]

    datasets = store.rows("datasets")
    stages = []
    for stage in store.rows("stages", order_by="id"):
        # each share with its source: the dataset it was imported from, its note (else the stage's basis) as quote
        shares = [{"provider": p["provider"], "name": p["provider_name"], "share_pct": p["share_pct"],
                   "share_known": p["share_pct"] is not None, "basis": p["basis"], "year": p["year"],
                   "source": dataset_source(by_dataset.get(p["origin"]), p["source_text"] or stage["share_basis"],
                                             p["year"])}
                  for p in store.provision_of_input(stage["id"]) if p["provider_kind"] == "country"]
        stages.append({"id": stage["id"], "name": stage["name"], "description": stage["description"],
                       "market_size": stage["market_size_text"], "share_basis": stage["share_basis"],
                       "countries": shares, "inputs": tree(stage["id"])})
    if groups.get(BUNDLED_GROUP):
        stages.append({"id": BUNDLED_GROUP, "name": "Products (bundled data)",
                       "description": "Chips, materials and product groups from chipshift's own sourced facts.",
                       "market_size": None, "share_basis": None, "countries": [], "inputs": tree(BUNDLED_GROUP)})
    return ExplorerAnswer.model_validate({
        "chokepoint_threshold_pct": CHOKEPOINT_PCT, "chokepoints": sum(1 for c in chokes.values() if c["chokepoint"]),
        "inputs": len(inputs), "stages": stages, "attribution": [d["attribution"] for d in datasets]})


def input_detail(store: Store, name: str) -> InputDetailAnswer:
    """``show_input`` with a source on every share, shares of bundled products, the chokepoint
    measures and the facts that disagree."""
    from chipshift.api.answers import InputDetailAnswer

    report = show_input(store, name).as_report()
    datasets = {d["id"]: d for d in store.rows("datasets")}
    dataset = datasets.get(report["origin"])
    facts = {f["id"]: f for f in store.facts(product=report["id"])} if report["shares_from"] == "facts" else {}
    firm_hq = {f["id"]: f["hq_country"] for f in store.rows("firms")}
    derived = [(kind, row, derived_source(row, kind, report, facts, firm_hq))
               for kind, rows in (("country", report["countries"]), ("firm", report["firms"])) for row in rows
               if report["shares_from"] != "dataset" and row.get("fact") not in facts]
    for row in [*report["countries"], *report["firms"]]:
        if report["shares_from"] == "dataset":
            row["source"] = dataset_source(dataset, row["source"], row["year"])
        elif row.get("fact") in facts:
            row["source"] = fact_source(facts[row["fact"]])
    for _, row, source in derived:
        row["source"] = source
    choke = chokepoint_index(store).get(report["id"])
    report["chokepoint"] = choke
    node = next(iter(store.rows("inputs", id=report["id"])), {})
    report["market_size_source"] = market_size_source(node, datasets)
    report["conflicts"] = conflicts(report["facts"], entity_names(store))
    return InputDetailAnswer.model_validate(report)


def conflicts(facts: list[dict[str, Any]], names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Groups of facts that state the same thing (entity, metric, product, period, region, segment,
    basis, definition) with different values: shown side by side, the default marked; each group with what it
    states in words (``what``: the entity's, the product's and the region's names by ``names``, ``entity_names``,
    the metric in the vocabulary's words), "DRAM · share of world supply · 2025Q1 · World", never its codes."""
    from chipshift.reports.labels import metric_words

    named = names or {}
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for f in facts:
        key = tuple(f.get(k) for k in ("entity", "metric", "product", "period", "region", "segment", "basis",
                                       "definition"))
        groups[key].append(f)
    out = []
    for key, members in groups.items():
        if len({(m["value"], m["unit"]) for m in members}) < 2:
            continue
        what = [entity_words(str(key[0]), named), metric_words(str(key[1])),
                key[2] and entity_words(str(key[2]), named), key[3], key[4] and entity_words(str(key[4]), named),
                key[5] and f"{str(key[5]).replace('_', ' ')} buyers"]
        out.append({"entity": key[0], "metric": key[1], "product": key[2], "period": key[3], "region": key[4],
                    "segment": key[5], "basis": key[6], "definition": key[7],
                    "what": " · ".join(str(w) for w in dict.fromkeys(w for w in what if w)),
                    "values": [{"fact": m["id"], "value": m["value"], "unit": m["unit"], "status": m["status"],
                                "default": bool(m["default"]), "note": m["note"],
                                **{k: m.get(k) for k in _FACT_SOURCE_KEYS}} for m in members]})
    return out


def firm_detail(store: Store, name: str) -> FirmDetailAnswer:
    """``show_firm`` with a source on every supply share and the facts that disagree."""
    from chipshift.api.answers import FirmDetailAnswer

    report = show_firm(store, name).as_report()
    datasets = {d["id"]: d for d in store.rows("datasets")}
    for row in report["supplies"]:
        row["source"] = dataset_source(datasets.get(row["dataset"]), row["source"], row["year"])
    report["conflicts"] = conflicts(report["facts"], entity_names(store))
    return FirmDetailAnswer.model_validate(report)
