"""The Restrictions page's timeline: every rule with its dates, filtered by imposer, kind, target,
product and date range, and the screening list's entries added and removed (``api.listing_changes``). Reach over
products is the engine's (``covers`` for the products, ``binds`` for the input's suppliers); no SQL here."""

from __future__ import annotations

from datetime import date
from typing import Any

from chipshift import api
from chipshift.domain.period import parse_partial_date, partial_date_last
from chipshift.domain.rules import RuleKind, rule_from_record
from chipshift.engine.reach import NO, YES, Destination, binds, covers
from chipshift.errors import NotFoundError
from chipshift.io.store import Store


def _start(rule: dict[str, Any]) -> str | None:
    first = rule["effective"] or rule["announced"]
    return str(first) if first else None


def timeline(store: Store, imposer: str | None = None, kind: str | None = None, target: str | None = None,
             product: str | None = None, start: date | None = None, end: date | None = None,
             status: str | None = None) -> dict[str, Any]:
    records = store.rows("rules", order_by="id")
    relaxed_by: dict[str, list[str]] = {}
    for r in records:
        for relaxed in r["relaxes"] or []:
            relaxed_by.setdefault(relaxed, []).append(r["id"])
    kinds = sorted({r["kind"] for r in records})
    imposers = sorted({r["imposed_by"] for r in records})
    if kind is not None and kind not in kinds:
        raise NotFoundError("kind", kind, [k for k in kinds if kind.casefold() in k][:5] or kinds[:5])
    target_ids, target_firms = api.target_scope(store, target) if target else (None, None)
    product_hits = _product_reach(store, product) if product else None
    rows = []
    for r in records:
        first = _start(r)
        if imposer and r["imposed_by"].casefold() != imposer.casefold():
            continue
        if kind and r["kind"] != kind:
            continue
        if status and r["status"] != status:
            continue
        if target_ids is not None:
            t = r["targets"] or {}
            named = {*(t.get("countries") or []), *(t.get("firms") or [])}
            if not named & target_ids:
                continue
        if product_hits is not None and r["id"] not in product_hits:
            continue
        if (start or end) and not first:
            continue  # an undated rule cannot be placed in a date range
        if first and end and parse_partial_date(first) > end:
            continue
        if start and r["ended"] and partial_date_last(r["ended"]) < start:
            continue  # surely over before the range (an end known to the month or year may fall late in it)
        rows.append({"id": r["id"], "name": r["name"], "kind": r["kind"], "imposed_by": r["imposed_by"],
                     "policy": r["policy"], "announced": r["announced"], "effective": r["effective"],
                     "start": first, "ended": r["ended"], "status": r["status"], "summary": r["summary"],
                     "targets": r["targets"], "products": [p.get("input") for p in r["products"] or []],
                     "relaxes": r["relaxes"] or [], "relaxed_by": relaxed_by.get(r["id"], []),
                     "reach": product_hits.get(r["id"]) if product_hits else None,
                     "source": r["source"], "gaps": len(r["gaps"] or [])})
    rows.sort(key=lambda r: (r["start"] or "9999", r["id"]))
    return {"filters": {"imposer": imposer, "kind": kind, "target": target, "product": product,
                        "from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
                        "status": status},
            "imposers": imposers, "kinds": kinds, "count": len(rows), "rules": rows,
            "listing_changes": api.listing_changes(store, start, end, target_firms)}


def _product_reach(store: Store, product: str) -> dict[str, str]:
    """Rule id -> 'certain' or 'maybe' for the rules that may reach the input: their products cover it and,
    when the input's suppliers are known, they bind (or, for a relaxation, free) at least one of them.
    'certain' needs both for sure; a firm's procurement ban or exit with products '*' does not reach an input
    the firm does not make."""
    input_id = api.resolve(store, "inputs", product)
    world, parents = api.load_world(store)
    if input_id not in world.index:
        return {}
    i = world.index[input_id]
    suppliers = sorted({int(view.pair_provider[k]) for view in (world.by_country, world.by_firm)
                        for k in view.pairs_of(i)})
    out: dict[str, str] = {}
    relaxations = []
    for record in store.rows("rules"):
        rule = rule_from_record(record)
        cover = covers(rule, world)[i]
        if cover == NO:
            continue
        bound = binds(rule, world, Destination(), parents)[suppliers] if suppliers else None
        if bound is not None and not bound.any():
            continue
        sure = cover == YES and bound is not None and bool((bound == YES).any())  # unknown suppliers: maybe
        if rule.kind is RuleKind.RELAXATION:
            relaxations.append((rule, sure))
        else:
            out[rule.id] = "certain" if sure else "maybe"
    for relaxation, sure in relaxations:  # it matters to the input only through a rule it relaxes there
        relaxed = [out[r] for r in relaxation.relaxes if r in out]
        if relaxed:
            out[relaxation.id] = "certain" if sure and "certain" in relaxed else "maybe"
    return out
