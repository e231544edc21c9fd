"""Searching the rules table: every rule that passes filters on its imposer, kind, status, the targets it names,
the products it may reach and its dates, with the screening-list entries added and removed in the range.

Reach over a product is the engine's: a rule's products cover the input (``covers``) and it binds at least one of
the input's suppliers (``binds``); 'certain' needs both for sure."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from chipshift.api.data import entity_names, entity_words, load_world, resolve
from chipshift.api.listings import listing_changes
from chipshift.api.restrictions import rule_standings, target_scope
from chipshift.domain.period import parse_partial_date, partial_date_last
from chipshift.domain.rules import EVERY_INPUT, RuleKind, kind_words, on_goods_only, rule_from_record
from chipshift.engine.reach import NO, YES, Destination, binds, product_reach
from chipshift.errors import NotFoundError
from chipshift.io.store import Store
from chipshift.schemas.tables import RULES
from chipshift.schemas.vocabulary import CHAINS

if TYPE_CHECKING:
    from chipshift.api.answers import RuleSearchAnswer


#: The statuses a rule may have.
STATUSES = tuple(RULES.column("status").allowed or ())


def _start(rule: dict[str, Any]) -> str | None:
    first = rule["effective"] or rule["announced"]
    return str(first) if first else None


def restrictions_search(store: Store, imposer: str | None = None, kind: str | None = None,
                        target: str | None = None, product: str | None = None, start: str | date | None = None,
                        end: str | date | None = None, status: str | None = None,
                        chain: str | None = None) -> RuleSearchAnswer:
    """Every rule that passes the filters given: imposed by ``imposer`` (any case), of ``kind`` and ``status``,
    naming ``target`` (a country or firm) as a target, that may reach ``product`` (an input; each rule then says
    whether it surely does), and in force at some time in [start, end] (undated rules are left out of a range; a
    rule holds until its end or until relaxations lift it for good (`rule_standings`); such a date known only to the
    month or year counts by its last possible day), and, with ``chain``, only rules on the semiconductor supply
    chain ('semiconductors') or only those whose every product is a good outside it ('other': the back-test
    episodes' cars, food, coal ...). Earliest first; with the screening-list entries re-imports found added or
    removed in the range (of the target's firms, with a target)."""
    from chipshift.api.answers import RuleSearchAnswer

    first_day = parse_partial_date(start) if isinstance(start, str) else start
    last_day = parse_partial_date(end) if isinstance(end, str) else end
    records = store.rows("rules", order_by="id")
    relaxed_by: dict[str, list[str]] = {}
    for r in records:
        for relaxed in r["relaxes"] or []:
            relaxed_by.setdefault(relaxed, []).append(r["id"])
    kinds = sorted({r["kind"] for r in records})
    imposers = sorted({r["imposed_by"] for r in records})
    if kind is not None and kind not in kinds:
        raise NotFoundError("kind", kind, [k for k in kinds if kind.casefold() in k][:5] or kinds[:5])
    if status is not None and status not in STATUSES:
        raise NotFoundError("status", status, list(STATUSES))
    if chain is not None and chain not in CHAINS:
        raise NotFoundError("chain", chain, list(CHAINS))
    other = load_world(store)[0].outside_chain
    target_ids, target_firms = target_scope(store, target) if target else (None, None)
    product_hits = _product_reach(store, product) if product else None
    names = entity_names(store)
    standings = rule_standings(store)
    rows = []
    for r in records:
        first = _start(r)
        standing = standings.get(r["id"], [])
        held_until = standing[-1]["from"] if standing and standing[-1]["state"] == "lifted" else r["ended"]
        if r["kind"] == "relaxation" and standing:
            held_until = standing[-1]["to"]  # it no longer holds once it relaxes nothing in force
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
        if (first_day or last_day) and not first:
            continue  # an undated rule cannot be placed in a date range
        if first and last_day and parse_partial_date(first) > last_day:
            continue
        if first_day and held_until and partial_date_last(held_until) < first_day:
            continue  # surely over (or lifted) before the range (a date known to the month or year may fall late)
        products = [p.get("input") for p in r["products"] or []]
        on_chain = "other" if on_goods_only(products, other) else "semiconductors"
        if chain is not None and on_chain != chain:
            continue
        rows.append({"id": r["id"], "name": r["name"], "kind": r["kind"],
                     "kind_words": kind_words(r["kind"], r["policy"]), "imposed_by": r["imposed_by"],
                     "imposed_by_name": entity_words(r["imposed_by"], names),
                     "policy": r["policy"], "announced": r["announced"], "effective": r["effective"],
                     "start": first, "ended": r["ended"], "standing": standing, "held_until": held_until,
                     "status": r["status"], "summary": r["summary"],
                     "targets": r["targets"], "products": products, "chain": on_chain,
                     "product_names": [_product_words(p, names) for p in products],
                     "relaxes": r["relaxes"] or [], "relaxed_by": relaxed_by.get(r["id"], []),
                     "reach": product_hits.get(r["id"]) if product_hits else None,
                     "source": r["source"], "gaps": len(r["gaps"] or [])})
    rows.sort(key=lambda r: (r["start"] or "9999", r["id"]))
    return RuleSearchAnswer.model_validate({
        "filters": {"imposer": imposer, "kind": kind, "target": target, "product": product, "from": first_day,
                    "to": last_day, "status": status, "chain": chain},
        "imposers": imposers, "imposer_names": {i: entity_words(i, names) for i in imposers}, "kinds": kinds,
        "kinds_in_words": sorted({kind_words(r["kind"], r["policy"]) for r in records}),
        "count": len(rows), "rules": rows,
        "listing_changes": listing_changes(store, first_day, last_day, target_firms)})


def _product_words(product: str | None, names: dict[str, str]) -> str:
    """A rule's product selector in words: its input's name, "every input" for '*'."""
    if product is None or product == EVERY_INPUT:
        return "every input"
    return names.get(product, product.replace("_", " "))


def _product_reach(store: Store, product: str) -> dict[str, str]:
    """Rule id -> 'certain' or 'maybe' for the rules that may reach the input: their products cover it and,
    when the input's suppliers are known, they bind (or, for a relaxation, free) at least one of them.
    'certain' needs both for sure; a firm's procurement ban or exit with products '*' does not reach an input
    the firm does not make."""
    input_id = resolve(store, "inputs", product)
    world, parents = load_world(store)
    if input_id not in world.index:
        return {}
    i = world.index[input_id]
    suppliers = sorted({int(view.pair_provider[k]) for view in (world.by_country, world.by_firm)
                        for k in view.pairs_of(i)})
    out: dict[str, str] = {}
    relaxations = []
    for record in store.rows("rules"):
        rule = rule_from_record(record)
        cover = product_reach(rule, world, parents)[i]
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
