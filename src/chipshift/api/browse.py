"""Browsing the store: inputs, firms and countries by part of a name, the countries, the codes the questions
accept, and the sources with every fact and rule resting on them."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from chipshift.api.data import entity_names, entity_words, list_sources
from chipshift.errors import NotFoundError
from chipshift.io.store import Store
from chipshift.reports.labels import metric_words

if TYPE_CHECKING:
    from chipshift.api.answers import (
        CountriesAnswer,
        NameSearchAnswer,
        SourceAnswer,
        SourcesWithFactsAnswer,
        VocabularyAnswer,
    )


def search_names(store: Store, query: str, limit: int = 25) -> NameSearchAnswer:
    """Inputs, firms and countries whose id, name or alias contains the query (case-insensitive): exact matches
    first, then those starting with it, then the rest, each group by name."""
    from chipshift.api.answers import NameSearchAnswer

    wanted = query.strip().casefold()
    hits: list[tuple[int, str, dict[str, Any]]] = []
    for table, kind in (("inputs", "input"), ("firms", "firm"), ("countries", "country")):
        for entity_id, name, aliases in store.names(table):
            for label in [name, entity_id, *aliases]:
                folded = label.casefold()
                if wanted and wanted in folded:
                    rank = 0 if folded == wanted else 1 if folded.startswith(wanted) else 2
                    hits.append((rank, name.casefold(), {"kind": kind, "id": entity_id, "name": name,
                                                         "matched": None if label == name else label}))
                    break
    hits.sort(key=lambda h: (h[0], h[1]))
    return NameSearchAnswer.model_validate({"query": query, "count": len(hits),
                                            "results": [h[2] for h in hits[:limit]]})


def list_countries(store: Store) -> CountriesAnswer:
    """Every country, region and aggregate, by name."""
    from chipshift.api.answers import CountriesAnswer

    rows = store.rows("countries", order_by="name")
    return CountriesAnswer.model_validate({"count": len(rows), "countries": rows})


def vocabulary() -> VocabularyAnswer:
    """The codes the questions accept (segments, kinds of rule, licence policies, rule statuses) and those the
    facts use (units, metrics), each with what it means."""
    from chipshift.api.answers import VocabularyAnswer
    from chipshift.schemas import vocabulary as voc
    from chipshift.schemas.tables import RULES

    return VocabularyAnswer.model_validate({
        "segments": dict(voc.SEGMENTS), "rule_kinds": dict(RULES.column("kind").allowed or {}),
        "policies": dict(RULES.column("policy").allowed or {}), "statuses": dict(RULES.column("status").allowed or {}),
        "units": {code: u.description for code, u in voc.UNITS.items()},
        "metrics": {code: m.description for code, m in voc.METRICS.items()}})


def sources_with_facts(store: Store) -> SourcesWithFactsAnswer:
    """Every source, each with the facts and rules resting on it."""
    from chipshift.api.answers import SourcesWithFactsAnswer

    listed = list_sources(store)
    names = entity_names(store)
    facts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in store.facts():
        facts[f["source"]].append({
            "fact": f["id"], "entity": f["entity"], "entity_name": entity_words(f["entity"], names),
            "metric": f["metric"], "metric_words": metric_words(f["metric"]), "product": f["product"],
            "product_name": names.get(f["product"], f["product"]) if f["product"] else None, "period": f["period"],
            "value": f["value"], "unit": f["unit"], "status": f["status"], "quote": f["quote"]})
    rules: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in store.rows("rules"):
        rules[r["source"]].append({"id": r["id"], "name": r["name"], "quote": r["quote"]})
    out = [{**s.as_report(), "facts": facts.get(s.id, []), "rules": rules.get(s.id, [])} for s in listed.sources]
    return SourcesWithFactsAnswer.model_validate({"count": len(out), "sources": out})


def show_source(store: Store, source_id: str) -> SourceAnswer:
    """One source (by its id) with every fact and rule resting on it."""
    from chipshift.api.answers import SourceAnswer

    if not store.rows("sources", id=source_id):
        ids = [s["id"] for s in store.rows("sources")]
        close = [i for i in ids if source_id.casefold() in i.casefold()][:5]
        raise NotFoundError("source", source_id, close)
    listed = list_sources(store, source_id)
    rules = [{"id": r["id"], "name": r["name"], "kind": r["kind"], "quote": r["quote"]}
             for r in store.rules_of_source(source_id)]
    return SourceAnswer.model_validate({"source": listed.sources[0], "facts": listed.facts, "rules": rules})
