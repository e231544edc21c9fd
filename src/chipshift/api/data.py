"""Questions about the data itself: validation, overview, imports, entities, sources and facts."""

from __future__ import annotations

import difflib
import functools
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipshift.api.percent import percent
from chipshift.config import Settings
from chipshift.domain.ownership import Ownership, holdings, stakes_from_rows, stakes_of
from chipshift.domain.period import Period, parse_partial_date
from chipshift.domain.rules import EVERY_INPUT, RuleKind, rule_from_record, with_listed_targets
from chipshift.errors import ChipshiftError, DataError, NotFoundError, Problem
from chipshift.io import baci, cset, csl
from chipshift.io.bundled import bundled_data_dir, load_bundle
from chipshift.io.store import Store, bundle_fingerprint, open_at
from chipshift.reports.labels import metric_words
from chipshift.schemas import tables as schemas_tables
from chipshift.schemas import vocabulary as voc

Report = dict[str, Any]

if TYPE_CHECKING:  # the answer models load with the first answer: starting a command does not pay for pydantic
    from chipshift.api.answers import (
        BaciImportAnswer,
        CsetImportAnswer,
        CslImportAnswer,
        FactsAnswer,
        FirmAnswer,
        InputAnswer,
        OverviewAnswer,
        PartiesAnswer,
        ReviewAnswer,
        SourcesAnswer,
        TradeAnswer,
        ValidationAnswer,
    )
    from chipshift.engine.world import World
    from chipshift.io.bundled import Bundle
    from chipshift.parties import Match

_log = logging.getLogger(__name__)


def open_store(settings: Settings) -> Store:
    """Open the store and make sure it holds the current bundled data (reloaded when files change).

    Raises DataError (and leaves the store as it was) when the bundled data has errors.
    """
    store = open_at(settings.store_path)
    try:
        fingerprint = bundle_fingerprint(settings.data_dir or bundled_data_dir())
        if store.bundle_fingerprint() != fingerprint:
            from chipshift import checks  # only a changed bundle is checked

            bundle = load_bundle(settings.data_dir)
            external = _external_inputs(store)
            errors = [p for p in checks.validate(bundle, external) if p.severity == "error"]
            if errors:
                raise DataError(errors)
            store.load_bundle(bundle, fingerprint)
    except BaseException:
        store.close()
        raise
    return store


def _external_inputs(store: Store) -> set[str] | None:
    """Ids of imported inputs, or None when no dataset of inputs (CSET) is imported (their references are then
    unchecked); a screening list or trade flows bring no inputs."""
    if not any(d["id"] == cset.ORIGIN for d in store.rows("datasets")):
        return None
    return {i for i in store.input_ids()} | {s["id"] for s in store.rows("stages")}


# -- data --------------------------------------------------------------------------------------------


def load_world(store: Store) -> tuple[World, dict[str, str]]:
    """The supply world from the store: imported provision plus world shares of bundled products.

    Built once per state of the store (a write through the store rebuilds it)."""
    return store.cached("world", lambda: _build_world(store))


def _build_world(store: Store) -> tuple[World, dict[str, str]]:
    from chipshift.engine.attributes import input_attributes
    from chipshift.engine.world import build_world, provision_from_facts

    firms = store.rows("firms")
    facts = store.rows("facts")
    countries = [c["id"] for c in store.rows("countries") if c["kind"] == "country"]
    provision = store.rows("provision") + provision_from_facts(facts, {f["id"]: f["hq_country"] for f in firms},
                                                               countries)
    # Default performance facts (TPP, performance density, process node) become input attributes, so rule
    # thresholds resolve; the inputs table's own attributes win, and a disagreement is logged.
    inputs, conflicts = input_attributes(store.rows("inputs"), facts)
    for conflict in conflicts:
        _log.warning("input attribute conflict: %s", conflict.message)
    world = build_world(inputs, store.rows("input_links"), provision, firms, store.rows("countries"))
    return world, Ownership(stakes_from_rows(store.rows("ownership")))


def validate_data(settings: Settings, store: Store | None = None) -> ValidationAnswer:
    """Check the bundled data; with a store holding an import, CSET references are checked too."""
    from chipshift import checks
    from chipshift.api.answers import ValidationAnswer

    bundle = load_bundle(settings.data_dir)
    external = _external_inputs(store) if store else None
    problems = checks.validate(bundle, external)
    if not any(p.severity == "error" for p in problems):
        problems += _idle_rule_problems(bundle, store if store and external is not None else None)
    by_severity = Counter(p.severity for p in problems)
    counts = {name: len(table.rows) for name, table in bundle.tables.items()}
    return ValidationAnswer.model_validate({
        "ok": by_severity["error"] == 0,
        "errors": by_severity["error"],
        "warnings": by_severity["warning"],
        "notices": by_severity["notice"],
        "counts": counts,
        "problems": [p.as_dict() for p in sorted(problems, key=_problem_order)],
    })


def _idle_rule_problems(bundle: Bundle, store: Store | None) -> list[Problem]:
    """Rules that change no availability figure: a warning unless the rule says why (``unquantified``), a
    notice with the reason if it does, and a warning for a reason given where the rule does change figures.

    Over the store's world (bundled data with the imported datasets; the store takes this bundle first, as
    any question would) when a dataset is imported; else over the bundle alone, leaving out rules whose
    products are all imported inputs."""
    from chipshift.engine.coverage import idle_rules

    fingerprint = bundle_fingerprint(bundle.root)
    bundle_only = store is None
    if store is not None:
        if store.bundle_fingerprint() != fingerprint:
            store.load_bundle(bundle, fingerprint)
        world, parents = load_world(store)
    else:
        with Store(":memory:") as memory:
            memory.load_bundle(bundle, fingerprint)
            world, parents = _build_world(memory)
    rows = {row["id"]: row for row in bundle["rules"].rows}
    rules = [rule_from_record(row.values) for row in bundle["rules"].rows]
    idle = {i.rule: i for i in idle_rules(world, rules, parents)}
    out = []
    for rule in rules:
        row = rows[rule.id]
        reason = row["unquantified"]
        if rule.id not in idle:
            if reason:
                out.append(row.problem("unquantified", "the rule changes availability figures, so this reason is "
                                                       "stale: remove it", "rule_reach", "warning"))
            continue
        if bundle_only and rule.products and all(p.input not in world.index and p.input != EVERY_INPUT
                                                   for p in rule.products):
            continue  # its inputs come from a dataset this bundle-only check has not imported
        found = idle[rule.id]
        if not found.covered:
            what = "it covers no input"
        elif not found.with_shares:
            what = f"none of the {found.covered} inputs it covers has supply shares"
        else:
            what = (f"it covers {found.covered} input{'s' if found.covered > 1 else ''}, {found.with_shares} with "
                    "supply shares, but binds no seller holding a share for the buyers it targets")
        if reason:
            out.append(row.problem("unquantified", f"changes no availability figure ({what}): {reason}",
                                   "rule_reach", "notice"))
        else:
            out.append(row.problem("unquantified", f"changes no availability figure: {what}; add the data it "
                                                   "needs, or say why in 'unquantified'", "rule_reach", "warning"))
    return out


def _problem_order(p: Problem) -> tuple[int, str, int]:
    return ({"error": 0, "warning": 1}.get(p.severity, 2), p.file or "", p.line or 0)


#: The share of facts that may rest on weak sources only, and how old a series' newest figure may be.
WEAK_ONLY_TARGET = 0.10
STALE_AFTER_YEARS = 3
#: A series: the quantity columns but the definition and the period.
SERIES_COLUMNS = ("entity", "metric", "product", "region", "segment", "basis")


def review(store: Store, older_than_years: float = STALE_AFTER_YEARS, today: date | None = None) -> ReviewAnswer:
    """How well the stored facts are sourced: facts resting on weak sources only, default facts on weak sources
    where a better source states the same quantity, groups of facts stating one quantity with no default, and
    series whose newest figure is older than ``older_than_years``."""
    from chipshift import checks

    if older_than_years < 0:
        raise ChipshiftError("--older-than must be zero or more years")
    today = today or date.today()
    facts = store.facts()
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for f in facts:
        groups[checks.quantity_key(f)].append(f)

    def better(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in rows if r["reliability"] in checks.BETTER_THAN_WEAK]

    def brief(f: dict[str, Any]) -> dict[str, Any]:
        return {k: f[k] for k in ("id", "entity", "metric", "product", "region", "period", "value", "unit", "status",
                                  "default", "source", "publisher", "reliability")}

    weak_only = [brief(f) for rows in groups.values() if not better(rows) for f in rows if f["reliability"] == "weak"]
    weak_defaults = [{**brief(f), "better": [r["id"] for r in better(rows)]} for rows in groups.values()
                     for f in rows if f["default"] and f["reliability"] == "weak" and better(rows)]
    no_default = [{**dict(zip(checks.QUANTITY_COLUMNS, key, strict=True)), "facts": [r["id"] for r in rows]}
                  for key, rows in groups.items() if len(rows) > 1 and not any(r["default"] for r in rows)]
    cutoff = today.toordinal() - older_than_years * 365.25
    series: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for f in facts:
        series[tuple(f[c] for c in SERIES_COLUMNS)].append(f)
    stale = []
    for key, rows in series.items():
        newest = max(rows, key=lambda r: Period.parse(r["period"]).end)
        if Period.parse(newest["period"]).end.toordinal() < cutoff:
            stale.append({**dict(zip(SERIES_COLUMNS, key, strict=True)),
                          "newest_period": newest["period"], "newest_fact": newest["id"], "facts": len(rows)})
    share = len(weak_only) / len(facts) if facts else 0.0
    from chipshift.api.answers import ReviewAnswer

    return ReviewAnswer.model_validate({
        "facts": len(facts), "today": today.isoformat(),
        "summary": {
            "weak_only": len(weak_only), "weak_only_share_pct": percent(share),
            "weak_only_target_pct": percent(WEAK_ONLY_TARGET),
            "weak_only_met": share < WEAK_ONLY_TARGET,
            "weak_defaults_with_better_source": len(weak_defaults),
            "groups_without_default": len(no_default), "stale_series": len(stale),
            "older_than_years": older_than_years},
        "definition": "weak_only: facts whose source is rated weak and that no fact stating the same quantity (same "
                      "entity, metric, product, region, segment, basis, definition and period) rests on a better "
                      "source; weak_defaults: default facts on weak sources where a better-sourced fact states the "
                      "same quantity; groups_without_default: two or more facts of one quantity, none the default; "
                      "stale: series (entity, metric, product, region, segment, basis) whose newest period ended "
                      f"more than {older_than_years:g} years before {today.isoformat()}",
        "weak_only": weak_only, "weak_defaults": weak_defaults, "groups_without_default": no_default,
        "stale": sorted(stale, key=lambda r: r["newest_period"]),
    })


def overview(store: Store) -> OverviewAnswer:
    """What the store holds: counts, coverage in time, imported datasets."""
    from chipshift.api.answers import OverviewAnswer

    facts = store.rows("facts")
    rules = store.rows("rules")
    sources = store.rows("sources")
    categories = Counter(voc.METRICS[f["metric"]].category for f in facts)
    periods = [Period.parse(f["period"]) for f in facts]
    rule_dates = sorted(parse_partial_date(d) for d in store.rule_dates())
    firms = store.rows("firms")
    inputs = store.rows("inputs")
    return OverviewAnswer.model_validate({
        "sources": len(sources),
        "sources_by_reliability": dict(sorted(Counter(s["reliability"] for s in sources).items())),
        "firms": len(firms),
        "firms_by_origin": dict(sorted(Counter(f["origin"] for f in firms).items())),
        "countries": store.count("countries"),
        "inputs": len(inputs),
        "inputs_by_origin": dict(sorted(Counter(i["origin"] for i in inputs).items())),
        "facts": len(facts),
        "facts_by_category": dict(sorted(categories.items())),
        "facts_by_status": dict(sorted(Counter(f["status"] for f in facts).items())),
        "market_observations": categories.get("market_observation", 0),
        "firm_financials": categories.get("financial", 0),
        "exchange_rates": categories.get("exchange_rate", 0),
        "restriction_rules": len(rules),
        "rules_by_kind": dict(sorted(Counter(r["kind"] for r in rules).items())),
        "rules_with_gaps": sum(1 for r in rules if r["gaps"]),
        "facts_cover": {"from": min(p.start for p in periods).isoformat() if periods else None,
                        "to": max(p.end for p in periods).isoformat() if periods else None},
        "rules_cover": {"from": rule_dates[0].isoformat() if rule_dates else None,
                        "to": rule_dates[-1].isoformat() if rule_dates else None},
        "provision_rows": store.count("provision"),
        "datasets": [{"id": d["id"], "title": d["title"], "licence": d["licence"],
                      "imported_at": d["imported_at"]} for d in store.rows("datasets")],
        "attribution": [d["attribution"] for d in store.rows("datasets")],
        "screening_list": _screening_list_counts(store),
    })


def _screening_list_counts(store: Store) -> dict[str, int] | None:
    """Entries of the imported screening list, the name matcher's matches to the known firms (and the firms
    matched) before and after the reviewed decisions, and the changes re-imports recorded; None without a list."""
    from chipshift import parties

    if not store.count("parties"):
        return None
    entries = list(party_entries(store).values())
    raw = parties.match(entries, store.rows("firms"))
    final = party_matches(store)
    return {"entries": len(entries), "matches_by_name": len(raw), "firms_matched_by_name": len({m.firm for m in raw}),
            "matches": len(final), "firms_matched": len({m.firm for m in final}),
            "changes_recorded": store.count("party_changes")}


def import_cset(store: Store, folder: Path, allow_partial: bool = False) -> CsetImportAnswer:
    """Import the CSET/ETO tables from ``folder`` in one transaction; report what came in.

    Tables whose row counts differ from those the dataset's README states are refused (DataError naming the
    table and both counts) unless ``allow_partial``; then each is named in ``warnings``."""
    firms = [f for f in store.rows("firms") if f["origin"] != cset.ORIGIN]
    countries = {c["id"] for c in store.rows("countries")}
    imported = cset.read_cset(folder, countries, firms, allow_partial)
    dataset = {
        "id": cset.ORIGIN, "title": cset.TITLE, "licence": cset.LICENCE, "attribution": cset.ATTRIBUTION,
        "version": _cset_version(folder), "location": str(folder.resolve()), "row_counts": imported.counts,
    }
    store.replace_dataset(dataset, imported.rows)
    from chipshift.api.answers import CsetImportAnswer

    return CsetImportAnswer.model_validate({
        "dataset": cset.TITLE,
        "inputs": imported.counts["inputs"],
        "providers": imported.counts["providers"],
        "provider_rows": imported.counts["provider_rows"],
        "provision": imported.counts["provision"],
        "provision_blank_shares": imported.counts["provision_blank_shares"],
        "stages": imported.counts["stages"],
        "sequence_edges": imported.counts["sequence"],
        "firms_matched_to_existing": imported.counts["firms_matched"],
        "licence": cset.LICENCE,
        "attribution": cset.ATTRIBUTION,
        "notes": [
            f"providers.csv has {imported.counts['provider_rows']} rows for {imported.counts['providers']} "
            "provider ids: firms with several aliases repeat; one provider is kept per id.",
            "Blank shares are stored as unknown (NULL), never as zero.",
            "Stage-level shares (S2, S3) measure capacity by plant location; node shares are by headquarters.",
            *imported.notes,
        ],
        "warnings": imported.warnings,
    })


def import_baci(store: Store, path: Path, hs: Sequence[str] = baci.DEFAULT_HS) -> BaciImportAnswer:
    """Import a BACI release (zip archive or folder) for the HS headings ``hs``, replacing an earlier BACI
    import in one transaction; report what came in."""
    imported = baci.read_baci(path, hs)
    counts = {"trade_flows": len(imported.frame)}
    dataset = {"id": baci.ORIGIN, "title": baci.TITLE, "licence": baci.LICENCE, "attribution": baci.ATTRIBUTION,
               "version": f"HS{imported.revision} V{imported.release}", "location": str(path.resolve()),
               "row_counts": counts}
    store.replace_dataset(dataset, {}, {"trade_flows": imported.frame})
    from chipshift.api.answers import BaciImportAnswer

    return BaciImportAnswer.model_validate({
        "dataset": baci.TITLE, "release": imported.release, "hs_revision": imported.revision,
        "years": list(imported.years), "flows": counts["trade_flows"],
        "kept_by_heading": [{"hs": h, "flows": n} for h, n in imported.kept.items()],
        "files": list(imported.files), "licence": baci.LICENCE, "attribution": baci.ATTRIBUTION,
        "notes": ["values in US dollars (BACI gives thousands), quantities in metric tons (blank when BACI has none)",
                  "UN Comtrade's 'Other Asia, nes' (code 490) is read as Taiwan (TWN)"]})


def import_csl(store: Store, path: Path, published: str | None = None) -> CslImportAnswer:
    """Import the US Consolidated Screening List (official JSON or CSV, or the snapshot in ../shared/data/csl),
    replacing an earlier import in one transaction; counts per list, the list's publication date (given, as the
    file does not carry it) and its licence."""
    if published is not None:
        try:
            parse_partial_date(published)
        except ValueError as exc:
            raise ChipshiftError(f"--published: {exc}") from None
    imported = csl.read_csl(path)
    before = store.rows("parties")
    previous = next((d for d in store.rows("datasets") if d["id"] == csl.ORIGIN), None)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    changes = None
    history: list[dict[str, Any]] = []
    if previous is not None:
        changes = _list_changes(before, imported.rows, store.rows("firms"), store.rows("party_reviews"))
        previous_published = published_date(previous["version"])
        changes["previous"] = {"version": previous["version"], "published": previous_published,
                               "imported_at": str(previous["imported_at"]), "entries": len(before)}
        history = [{**row, "imported_at": now, "published": published, "previous_published": previous_published}
                   for row in changes.pop("records")]
    counts = {"parties": len(imported.rows), **{f"list {k}": v for k, v in imported.by_list.items()}}
    dataset = {"id": csl.ORIGIN, "title": csl.TITLE, "licence": csl.LICENCE, "attribution": csl.ATTRIBUTION,
               "version": f"{_PUBLISHED}{published}" if published else None, "location": str(path.resolve()),
               "imported_at": now, "row_counts": counts}
    import pandas as pd

    store.replace_dataset(dataset, {}, {"parties": pd.DataFrame(imported.rows,
                                                              columns=list(schemas_tables.PARTIES.column_names))},
                          history={"party_changes": history})
    from chipshift.api.answers import CslImportAnswer

    return CslImportAnswer.model_validate({
        "dataset": csl.TITLE, "entries": len(imported.rows), "published": published,
        "by_list": [{"list": k, "entries": v} for k, v in imported.by_list.items()],
        "licence": csl.LICENCE, "attribution": csl.ATTRIBUTION, "changes": changes})


#: How an import records the list's publication date in its dataset version.
_PUBLISHED = "published "


def published_date(version: str | None) -> str | None:
    """The publication date an import of the list recorded (``--published``), if any."""
    return version[len(_PUBLISHED):] if version and version.startswith(_PUBLISHED) else None


#: What tells two versions of one screening-list entry apart as changed (its identity is list, name and number).
_ENTRY_TERMS = ("license_requirement", "license_policy", "federal_register_notice", "start_date", "countries",
                "alt_names", "programs")


def _list_changes(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]],
                  firms: Sequence[Mapping[str, Any]], reviews: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Entries added, removed and changed between two snapshots of the screening list (an entry is its list, its
    name and the list's number for it), the known firms the added and removed entries match (with the reviewed
    decisions): which firms were listed or delisted, and ``records``, one row of ``party_changes`` per entry."""
    from chipshift import parties

    def key(row: Mapping[str, Any]) -> tuple[str, str, str]:
        return (str(row["list"]), parties.normalise(str(row["name"])), str(row.get("entity_number") or ""))

    def terms(row: Mapping[str, Any]) -> dict[str, Any]:
        return {t: (sorted(row.get(t) or []) if isinstance(row.get(t), list) else row.get(t)) for t in _ENTRY_TERMS}

    def brief(row: Mapping[str, Any]) -> dict[str, Any]:
        return {"list": row["list"], "name": row["name"], "federal_register_notice": row.get("federal_register_notice"),
                "start_date": row.get("start_date"), "license_policy": row.get("license_policy")}

    before = {key(r): r for r in old}
    after = {key(r): r for r in new}
    added = [after[k] for k in sorted(after.keys() - before.keys())]
    removed = [before[k] for k in sorted(before.keys() - after.keys())]
    changed_keys = [k for k in sorted(after.keys() & before.keys()) if terms(before[k]) != terms(after[k])]
    changed = [{**brief(after[k]), "fields": [t for t in _ENTRY_TERMS if terms(before[k])[t] != terms(after[k])[t]]}
               for k in changed_keys]

    def matched(rows: Sequence[Mapping[str, Any]]) -> list[parties.Match]:
        entries = [{**r, "id": str(n)} for n, r in enumerate(rows)]
        return parties.reviewed(parties.match(entries, firms), entries, reviews)

    def firm_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [{"firm": m.firm, "list": rows[int(m.party)]["list"], "entry": rows[int(m.party)]["name"],
                 "score": m.score} for m in matched(rows)]

    def records(change: str, rows: Sequence[Mapping[str, Any]], fields: Sequence[list[str]] | None = None
                ) -> list[dict[str, Any]]:
        firms_of: dict[int, list[str]] = defaultdict(list)
        for m in matched(rows):
            firms_of[int(m.party)].append(m.firm)
        return [{"change": change, "list": r["list"], "name": r["name"], "entity_number": r.get("entity_number"),
                 "federal_register_notice": r.get("federal_register_notice"), "start_date": r.get("start_date"),
                 "license_policy": r.get("license_policy"), "fields": list(fields[n]) if fields else [],
                 "firms": sorted(set(firms_of[n]))} for n, r in enumerate(rows)]

    return {"added": len(added), "removed": len(removed), "changed": len(changed),
            "firms_listed": firm_rows(added), "firms_delisted": firm_rows(removed),
            "added_entries": [brief(r) for r in added], "removed_entries": [brief(r) for r in removed],
            "changed_entries": changed,
            "records": [*records("added", added), *records("removed", removed),
                        *records("changed", [after[k] for k in changed_keys], [c["fields"] for c in changed])]}


def party_entries(store: Store) -> dict[str, dict[str, Any]]:
    """The imported screening-list entries by id, read once per state of the store."""
    return store.cached("parties_by_id", lambda: {p["id"]: p for p in store.rows("parties")})


def party_matches(store: Store) -> list[Match]:
    """Screening-list entries matched to the known firms (see ``chipshift.parties``, at its ``THRESHOLD``), with the
    reviewed decisions (``party_reviews``) applied; built once per state of the store."""
    from chipshift import parties

    def build() -> list[Match]:
        entries = list(party_entries(store).values())
        return parties.reviewed(parties.match(entries, store.rows("firms"), parties.THRESHOLD), entries,
                                store.rows("party_reviews"))

    return store.cached(f"party_matches:{parties.THRESHOLD}", build)


def firms_by_notice(store: Store) -> dict[str, set[str]]:
    """Federal Register notice -> the firms matched to screening-list entries that cite it (empty without a list)."""
    from chipshift import parties

    def build() -> dict[str, set[str]]:
        entries = party_entries(store)
        out: dict[str, set[str]] = defaultdict(set)
        for m in party_matches(store):
            for notice in re.split(r"[;,]", entries[m.party]["federal_register_notice"] or ""):
                if notice.strip():
                    out[notice.strip()].add(m.firm)
        return dict(out)

    def kept() -> dict[str, list[str]]:
        if not store.count("parties"):
            return {}
        imported = next((str(d["imported_at"]) for d in store.rows("datasets") if d["id"] == csl.ORIGIN), "")
        version = f"{store.bundle_fingerprint()}|{imported}|{parties.THRESHOLD}"
        value: dict[str, list[str]] = store.persisted("firms_by_notice", version,
                                                      lambda: {k: sorted(v) for k, v in build().items()})
        return value

    # read once per state of the store: every question about rules in force asks for it
    listed = store.cached("firms_by_notice", kept)
    return {notice: set(firms) for notice, firms in listed.items()}


def search_parties(store: Store, query: str, limit: int = 20) -> PartiesAnswer:
    """Screening-list entries whose names resemble ``query`` (best first), each with its list, licence terms,
    Federal Register notice and the firms it matches."""
    from chipshift import parties

    if not query.strip():
        raise ChipshiftError("give a name to search for")
    entries = list(party_entries(store).values())
    if not entries:
        raise ChipshiftError("no screening list is imported: run `chipshift import csl PATH` first")
    scored = sorted(((max(parties.similarity(query, n) for n in [e["name"], *(e["alt_names"] or [])]), e)
                     for e in entries), key=lambda se: -se[0])[:limit]
    matched: dict[str, list[str]] = defaultdict(list)
    for m in party_matches(store):
        matched[m.party].append(m.firm)
    from chipshift.api.answers import PartiesAnswer

    return PartiesAnswer.model_validate({
        "query": query,
        "definition": "name similarity 0-100 (rapidfuzz token-set ratio after dropping legal forms and filler "
                      "words); firms: the known firms this entry is matched to",
        "entries": [{"score": round(score, 1), "name": e["name"], "list": e["list"], "countries": e["countries"],
                     "license_requirement": e["license_requirement"], "license_policy": e["license_policy"],
                     "federal_register_notice": e["federal_register_notice"], "firms": matched.get(e["id"], []),
                     "id": e["id"]} for score, e in scored]})


def _stakes(store: Store, **where: str) -> list[dict[str, Any]]:
    """Ownership rows (``owner=`` or ``firm=``), each with its source's publisher, title and address."""
    names = {f["id"]: f["name"] for f in store.rows("firms")}
    sources = {s["id"]: s for s in store.rows("sources")}
    out = []
    for r in store.rows("ownership", **where):
        src = sources.get(r["source"], {})
        out.append({"owner": r["owner"], "owner_name": names.get(r["owner"]), "firm": r["firm"],
                    "firm_name": names.get(r["firm"]), "share_pct": r["share"], "as_of": r["as_of"],
                    "source": r["source"], "publisher": src.get("publisher"), "title": src.get("title"),
                    "url": src.get("url"), "quote": r["quote"], "note": r["note"]})
    return sorted(out, key=lambda x: (str(x["as_of"]), x["owner"], x["firm"]), reverse=True)


def _owned_by_listed(store: Store, firm_id: str, owners: dict[str, str]) -> list[dict[str, Any]]:
    """For each ownership rule (the US 50% Affiliates Rule) and each entity listing of its imposer whose parties
    hold a stake in the firm, directly or through others: their aggregate share (low and high where a stake's
    size is unknown), whether that reaches the rule's threshold (yes, no, maybe) and the chains of stakes."""
    rules = with_listed_targets([rule_from_record(r) for r in store.rows("rules")], firms_by_notice(store))
    stakes = stakes_of(owners)
    out = []
    for ownership in rules:
        if not ownership.targets.affiliates or ownership.kind is RuleKind.RELAXATION:
            continue
        for listing in rules:
            if listing.kind is not RuleKind.ENTITY_LISTING or listing.imposed_by != ownership.imposed_by \
                    or listing.targets.affiliates or firm_id in listing.targets.firms:
                continue
            held = holdings(listing.targets.firms, stakes).get(firm_id)
            if held is None:
                continue
            out.append({
                "ownership_rule": ownership.id, "listing": listing.id, "listed_owners": sorted(
                    {c[0].owner for c in held.chains}),
                "aggregate_low_pct": round(held.low, 2), "aggregate_high_pct": round(held.high, 2),
                "reached": {True: "yes", False: "no", None: "maybe"}[held.controlled],
                "chains": [" -> ".join([c[0].owner, *(f"{s.firm} ({'unknown' if s.share is None else f'{s.share:g}%'}, "
                                                      f"{s.source})" for s in c)]) for c in held.chains]})
    return out


def _reached_at(row: dict[str, Any], in_force: set[str], lifted: dict[str, list[str]]) -> str:
    """Whether the ownership rule extends the listing to the firm at the report's date: the threshold
    (``reached``) counts only while the rule is in force and not lifted by a relaxation."""
    extended = f"{row['listing']} via {row['ownership_rule']}"
    if row["reached"] == "no":
        return "no: below the threshold"
    if extended in in_force:
        return str(row["reached"])
    if extended in lifted:
        return f"no: lifted by {', '.join(lifted[extended])}"
    return "no: not in force at the date"


def _listings(store: Store, firm_id: str) -> list[dict[str, Any]]:
    if not store.count("parties"):
        return []
    by_id = party_entries(store)
    return [{"list": by_id[m.party]["list"], "name": by_id[m.party]["name"], "score": m.score,
             "names_compared": [m.party_name, m.firm_name],
             "license_requirement": by_id[m.party]["license_requirement"],
             "license_policy": by_id[m.party]["license_policy"],
             "federal_register_notice": by_id[m.party]["federal_register_notice"], "party": m.party}
            for m in party_matches(store) if m.firm == firm_id]


def trade(store: Store, hs: str, importer: str | None = None, exporter: str | None = None,
          year: int | None = None) -> TradeAnswer:
    """One side's trade in an HS heading by partner and year, from the imported trade flows: with
    ``importer``, where its imports come from (each exporter's value and share of the importer's imports);
    with ``exporter``, where its exports go."""
    if (importer is None) == (exporter is None):
        raise ChipshiftError("name either an importer or an exporter")
    if not (hs.isdigit() and 2 <= len(hs) <= 6):
        raise ChipshiftError(f"'{hs}' is not an HS heading (2 to 6 digits)")
    datasets = {d["id"]: d for d in store.rows("datasets")}
    if baci.ORIGIN not in datasets:
        raise ChipshiftError("no trade dataset is imported: run `chipshift import baci PATH` first")
    side, partner = ("importer", "exporter") if importer is not None else ("exporter", "importer")
    country = resolve(store, "countries", importer or exporter or "")
    rows = store.trade_by_partner(hs, side, country, year)
    totals: dict[int, float] = defaultdict(float)
    for r in rows:
        totals[r["year"]] += r["value_usd"]
    out = [{"year": r["year"], "hs": hs, side: country, partner: r["partner"], "value_usd": r["value_usd"],
            "quantity_t": r["quantity_t"],
            "share_pct": round(100.0 * r["value_usd"] / totals[r["year"]], 4) if totals[r["year"]] else None}
           for r in rows]
    dataset = datasets[baci.ORIGIN]
    from chipshift.api.answers import TradeAnswer

    return TradeAnswer.model_validate({
        "hs": hs, side: country, "year": year,
        "definition": f"value of {'imports into' if side == 'importer' else 'exports from'} {country} of HS {hs}* by "
                      "partner and year, in US dollars, and each partner's share of the total (reconciled flows, "
                      "exports valued free on board)",
        "source": {"dataset": dataset["title"], "version": dataset["version"], "licence": dataset["licence"],
                   "attribution": dataset["attribution"]},
        "totals": [{"year": y, "value_usd": v} for y, v in sorted(totals.items())], "flows": out})


def _cset_version(folder: Path) -> str | None:
    readme = folder / "README.md"
    if not readme.exists():
        return None
    for line in readme.read_text(encoding="utf-8").splitlines():
        if "commit copied" in line:
            return line.split("|")[2].strip().strip("`") if line.count("|") >= 3 else line.strip()
    return None


# -- names -------------------------------------------------------------------------------------------


def resolve(store: Store, table: str, name: str) -> str:
    """The id of the firm/input/country called ``name`` (id, name or alias; case-insensitive). An id wins over a
    name and a name over an alias, so an alias one entry shares with another's name never hides that entry."""
    kind = {"firms": "firm", "inputs": "input", "countries": "country"}[table]
    entries = store.cached(f"names:{table}", lambda: store.names(table))  # read again after any write
    wanted = name.strip().casefold()
    for rank in range(3):  # 0: the id, 1: the name, 2: an alias
        for entity_id, entity_name, aliases in entries:
            names = [entity_id] if rank == 0 else [entity_name] if rank == 1 else list(aliases)
            if wanted in {n.casefold() for n in names}:
                return entity_id
    labels = {entity_name.casefold(): entity_name for _, entity_name, _ in entries}
    for _, entity_name, aliases in entries:
        for alias in aliases:
            labels.setdefault(alias.casefold(), entity_name)
    close = difflib.get_close_matches(wanted, list(labels), n=5, cutoff=0.6)
    contains = [k for k in labels if wanted in k]
    suggestions = list(dict.fromkeys(labels[k] for k in [*close, *contains]))[:5]
    raise NotFoundError(kind, name, suggestions)


def entity_names(store: Store) -> dict[str, str]:
    """Every input's, country's and firm's name by its id (a firm's where ids coincide, as ``resolve`` and
    ``ingest.kb.KnowledgeBase.name_of`` find them)."""
    out: dict[str, str] = {}
    for table in ("inputs", "countries", "firms"):
        entries: list[tuple[str, str, list[str]]] = store.cached(f"names:{table}", functools.partial(store.names,
                                                                                                      table))
        out |= {i: name for i, name, _ in entries}
    return out


def entity_words(entity: str, names: Mapping[str, str]) -> str:
    """A fact's or a rule's entity in words: each of its '+'-joined parts by its name in ``names``
    (``entity_names``), a 'group:' bucket by its words ("group:domestic-vendors" -> "domestic vendors"), anything
    else (a currency) by its code."""
    def words(part: str) -> str:
        if part in names:
            return names[part]
        if part.startswith(voc.GROUP_PREFIX):
            return part.removeprefix(voc.GROUP_PREFIX).replace("_", " ").replace("-", " ")
        return part

    return " + ".join(words(part) for part in entity.split("+"))


def show_firm(store: Store, name: str, at: str | date | None = None) -> FirmAnswer:
    """A firm: headquarters, owners and stakes (with sources), what listed parties hold of it, what it supplies,
    its facts, its screening-list entries, and the rules in force at `at` (default today) that name it or
    reach it through its owners' listings."""
    from chipshift.api.answers import FirmAnswer
    from chipshift.api.restrictions import rules_naming_firm  # it reads the store through this module

    firm_id = resolve(store, "firms", name)
    firm = store.rows("firms", id=firm_id)[0]
    _, owners = load_world(store)
    names = {f["id"]: f["name"] for f in store.rows("firms")}
    subsidiaries = [names.get(f, f) for f, parent in sorted(owners.items()) if parent == firm_id]
    named = rules_naming_firm(store, firm_id, at)
    in_force = {r["id"] for r in named["rules"]}
    return FirmAnswer.model_validate({
        "id": firm["id"], "name": firm["name"], "aliases": firm["aliases"], "hq_country": firm["hq_country"],
        "parent": owners.get(firm_id), "subsidiaries": subsidiaries, "origin": firm["origin"],
        "owners": _stakes(store, firm=firm_id), "stakes_held": _stakes(store, owner=firm_id),
        "owned_by_listed_parties": [{**row, "reached_at": _reached_at(row, in_force, named["lifted"])}
                                    for row in _owned_by_listed(store, firm_id, owners)],
        "supplies": [
            {"input": p["input"], "input_name": p["input_name"], "share_pct": p["share_pct"], "year": p["year"],
             "source": p["source_text"], "dataset": p["origin"]}
            for p in store.provision_of_provider(firm_id)
        ],
        "facts": [fact_record(f, entity_names(store)) for f in store.facts(entity=firm_id)],
        "listings": _listings(store, firm_id),
        "rules_at": named["at"], "rules_naming_it": named["rules"],
    })


def show_input(store: Store, name: str) -> InputAnswer:
    """An input: who supplies it (countries and firms, with shares and their sources), who uses it, which of them
    are on a screening list, its place in the input graph, and the facts about it."""
    from chipshift.api.answers import InputAnswer

    input_id = resolve(store, "inputs", name)
    node = store.rows("inputs", id=input_id)[0]
    provision = store.provision_of_input(input_id)
    links = store.links_of_input(input_id)
    datasets = {d["id"]: d for d in store.rows("datasets")}
    report: Report = {
        "id": node["id"], "name": node["name"], "kind": node["kind"], "stages": node["stages"],
        "market_size": node["market_size_text"], "market_size_usd": node["market_size_usd"],
        "year": node["year"], "origin": node["origin"],
        "countries": [_share_record(p) for p in provision if p["provider_kind"] == "country"],
        "firms": [_share_record(p) for p in provision if p["provider_kind"] == "firm"],
        "shares_from": "dataset" if provision else None,
        "parents": [{"id": lk["parent"], "name": lk["parent_name"], "relation": lk["relation"]}
                    for lk in links if lk["child"] == input_id],
        "children": [{"id": lk["child"], "name": lk["child_name"], "relation": lk["relation"]}
                     for lk in links if lk["parent"] == input_id],
        "facts": [fact_record(f, entity_names(store)) for f in store.facts(product=input_id)],
    }
    if not provision:
        _shares_from_facts(store, report)
    from chipshift.api.listings import INPUT_LISTINGS_DEFINITION, buyer_rows, firms_around, listing_rows

    dataset, around = firms_around(store, input_id)  # which providers and buyers are on the screening lists
    if dataset is not None:
        lists = {f.firm: sorted({x.list for x in f.listings}) for f in around}
        for record in report["firms"]:
            record["listed"] = lists.get(record["provider"], [])
    report["buyers"] = buyer_rows(around)
    report["listings"] = listing_rows(around)
    report["listings_definition"] = INPUT_LISTINGS_DEFINITION
    if node["origin"] in datasets:
        report["licence"] = datasets[node["origin"]]["licence"]
        report["attribution"] = datasets[node["origin"]]["attribution"]
    return InputAnswer.model_validate(report)


def _shares_from_facts(store: Store, report: Report) -> None:
    """World supply shares of a bundled product, derived from facts exactly as the engine derives them
    (market-share facts for firms, production facts for countries), each row naming its fact."""
    from chipshift.engine.analyses import country_shares
    from chipshift.engine.world import OTHERS, provision_from_facts

    facts = {f["id"]: f for f in store.facts(product=report["id"])}
    firms = {f["id"]: f for f in store.rows("firms")}
    countries = {c["id"]: c for c in store.rows("countries")}
    rows = provision_from_facts(list(facts.values()), {k: v["hq_country"] for k, v in firms.items()},
                                [c for c, row in countries.items() if row["kind"] == "country"])
    for p in rows:
        fact = facts.get(p["source_text"].split(" ")[1]) if p["source_text"].startswith("fact ") else None
        rest = p["provider"] == OTHERS
        if p["provider_kind"] == "firm":
            firm = firms.get(p["provider"])
            name = "Other firms (not named)" if rest else firm["name"] if firm else p["provider"]
        else:
            name = "Other countries (not named)" if rest else countries[p["provider"]]["name"]
        report[f"{p['provider_kind']}s" if p["provider_kind"] == "firm" else "countries"].append({
            "provider": p["provider"], "name": name, "share_pct": p["share_pct"], "share_known": True,
            "basis": (fact["basis"] or fact["definition"]) if fact else "remainder to 100%", "year": None,
            "period": fact["period"] if fact else None, "fact": fact["id"] if fact else None,
            "source": p["source_text"]})
    if rows and not report["countries"]:
        world, _ = load_world(store)
        shares, basis = country_shares(world)
        i = world.index.get(report["id"])
        if i is not None and basis[i] == "firm headquarters":
            by_hq = {str(c): float(v) * 100 for g, c, v in zip(shares.group, shares.country, shares.share, strict=True)
                     if g == i}
            report["countries"] = [
                {"provider": c, "name": countries[c]["name"] if c in countries else c, "share_pct": round(v, 4),
                 "share_known": True, "basis": "headquarters", "year": None, "period": None, "fact": None,
                 "source": "sum of the firm shares by headquarters country (derived, as chokepoints does)"}
                for c, v in sorted(by_hq.items(), key=lambda kv: -kv[1])]
    if rows:
        report["shares_from"] = "facts"


def _share_record(p: dict[str, Any]) -> dict[str, Any]:
    return {"provider": p["provider"], "name": p["provider_name"], "share_pct": p["share_pct"],
            "share_known": p["share_pct"] is not None, "basis": p["basis"], "year": p["year"],
            "period": None if p["year"] is None else str(p["year"]), "fact": None, "source": p["source_text"]}


def fact_record(f: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """A fact as the answers give it: its row, its source's publisher, date and address, and whom it is about
    and what it measures in words (`names`: `entity_names`)."""
    return {
        "id": f["id"], "entity": f["entity"], "entity_name": entity_words(f["entity"], names), "metric": f["metric"],
        "metric_words": metric_words(f["metric"]), "product": f["product"],
        "region": f["region"], "segment": f["segment"], "basis": f["basis"], "definition": f["definition"],
        "period": f["period"], "value": f["value"], "unit": f["unit"], "status": f["status"],
        "default": f["default"], "source": f["source"], "publisher": f["publisher"],
        "original_publisher": f["original_publisher"], "published": f["published"], "url": f["url"],
        "quote": f["quote"], "note": f["note"],
    }


# -- sources and facts ---------------------------------------------------------------------------------


def list_sources(store: Store, for_id: str | None = None) -> SourcesAnswer:
    """Every source with how many facts and rules rest on it; or the sources behind one id.

    ``for_id`` may be a fact id, a rule id, a source id, or a firm/input/country name.
    """
    usage = store.source_usage()
    sources = {s["id"]: s for s in store.rows("sources", order_by="id")}
    if for_id is None:
        chosen = list(sources)
        facts: list[dict[str, Any]] = []
    else:
        facts_rows = store.rows("facts", id=for_id)
        rules = store.rows("rules", id=for_id)
        if for_id in sources:
            chosen = [for_id]
            facts_rows = store.facts(source=for_id)
        elif facts_rows or rules:
            chosen = list(dict.fromkeys([r["source"] for r in [*facts_rows, *rules]]))
        else:
            entity = _resolve_any(store, for_id)
            facts_rows = store.facts(entity=entity) or store.facts(product=entity)
            chosen = list(dict.fromkeys(f["source"] for f in facts_rows))
        facts = [{"fact": f["id"], "source": f["source"], "metric": f["metric"], "period": f["period"],
                  "value": f["value"], "unit": f["unit"], "quote": f["quote"]} for f in facts_rows]
    from chipshift.api.answers import SourcesAnswer

    return SourcesAnswer.model_validate({
        "sources": [{**sources[s], "used_by": usage.get(s, 0)} for s in chosen],
        "facts": facts,
    })


def _resolve_any(store: Store, name: str) -> str:
    """A firm, input or country by name or alias; or an entity id facts use as is (CNY, group:others)."""
    if store.facts(entity=name):
        return name
    for table in ("firms", "inputs", "countries"):
        try:
            return resolve(store, table, name)
        except NotFoundError:
            continue
    suggestions: list[str] = []
    for table in ("firms", "inputs", "countries"):
        try:
            resolve(store, table, name)
        except NotFoundError as exc:
            suggestions += exc.suggestions
    raise NotFoundError("fact, rule, source, firm, input or country", name, suggestions[:5])


def list_facts(store: Store, entity: str | None = None, metric: str | None = None,
               product: str | None = None) -> FactsAnswer:
    """All values of a metric for an entity, side by side, each with its source and status."""
    from chipshift.api.answers import FactsAnswer

    entity_id = _resolve_any(store, entity) if entity else None
    product_id = resolve(store, "inputs", product) if product else None
    if metric is not None and metric not in voc.METRICS:
        close = difflib.get_close_matches(metric, list(voc.METRICS), n=5, cutoff=0.5)
        prefixed = [m for m in voc.METRICS if m.startswith(metric)]
        raise NotFoundError("metric", metric, list(dict.fromkeys([*prefixed, *close]))[:5])
    rows = store.facts(entity=entity_id, metric=metric, product=product_id)
    return FactsAnswer.model_validate({"entity": entity_id, "metric": metric, "product": product_id,
                                       "count": len(rows),
                                       "facts": [fact_record(f, entity_names(store)) for f in rows]})
