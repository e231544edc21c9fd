"""Questions about screening-list entries around the supply graph: which providers and buyers of an input are
listed, and what the re-imports of the list recorded as added, removed and changed, by date."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from chipshift.api.data import load_world, party_entries, party_matches, published_date, resolve
from chipshift.domain.period import parse_partial_date
from chipshift.engine.listings import FirmOnInput, Listing, firms_on_input
from chipshift.io import csl
from chipshift.io.store import Store

if TYPE_CHECKING:
    from chipshift.api.answers import InputListingsAnswer

INPUT_LISTINGS_DEFINITION = (
    "providers: the firms the supply data holds shares for in the input; buyers: the firms that supply a product "
    "the input (or a broader input it is a type of) goes into, per the supply graph (processes name no firms; an "
    "edge between two tools or two materials makes a part of a group, not a use); listings: the screening-list "
    "entries matched to each firm by name, with reviewed decisions applied; since: the date listed where the list "
    "gives it (the snapshot does not; its Federal Register notice dates it)")


def listing_rows(firms: Sequence[FirmOnInput]) -> list[dict[str, Any]]:
    """One row per (firm, role, entry), in the order of ``firms`` (providers first)."""
    return [{"role": f.role, "firm": f.firm, "name": f.name, "through": list(f.through),
             "through_names": list(f.through_names), "list": x.list,
             "entry": x.entry, "since": x.since, "federal_register_notice": x.federal_register_notice,
             "license_policy": x.license_policy, "score": x.score}
            for f in firms for x in f.listings]


def buyer_rows(firms: Sequence[FirmOnInput]) -> list[dict[str, Any]]:
    """The buyers among ``firms``, each with the lists it is on."""
    return [{"firm": f.firm, "name": f.name, "through": list(f.through), "through_names": list(f.through_names),
             "listed": sorted({x.list for x in f.listings})} for f in firms if f.role == "buyer"]


def firm_listings(store: Store) -> dict[str, list[Listing]]:
    """Firm id -> the screening-list entries matched to it (reviewed decisions applied); empty without a list."""
    if not store.count("parties"):
        return {}

    def build() -> dict[str, list[Listing]]:
        entries = party_entries(store)
        out: dict[str, list[Listing]] = defaultdict(list)
        for m in party_matches(store):
            e = entries[m.party]
            out[m.firm].append(Listing(m.party, e["list"], e["name"], e["start_date"], e["federal_register_notice"],
                                       e["license_policy"], m.score))
        return {firm: sorted(xs, key=lambda x: (x.list, x.entry, x.party)) for firm, xs in out.items()}

    return store.cached("firm_listings", build)


def _csl_dataset(store: Store) -> dict[str, Any] | None:
    return next((d for d in store.rows("datasets") if d["id"] == csl.ORIGIN), None)


def firms_around(store: Store, input_id: str) -> tuple[dict[str, Any] | None, tuple[FirmOnInput, ...]]:
    """The imported screening list's dataset row (None without one), and the providers and buyers of an input
    with the entries matched to each."""
    world, _ = load_world(store)
    return _csl_dataset(store), firms_on_input(world, input_id, firm_listings(store))


def input_listings(store: Store, name: str) -> InputListingsAnswer:
    """Which providers and which buyers of an input are on a screening list, on which list and since when."""
    from chipshift.api.answers import InputListingsAnswer

    input_id = resolve(store, "inputs", name)
    node = store.rows("inputs", id=input_id)[0]
    dataset, firms = firms_around(store, input_id)
    providers = [f for f in firms if f.role == "provider"]
    buyers = [f for f in firms if f.role == "buyer"]
    return InputListingsAnswer.model_validate({
        "input": input_id, "name": node["name"], "list_imported": dataset is not None,
        "list_published": published_date(dataset["version"]) if dataset else None,
        "definition": INPUT_LISTINGS_DEFINITION,
        "providers": len(providers), "providers_listed": sum(1 for f in providers if f.listings),
        "buyers": len(buyers), "buyers_listed": sum(1 for f in buyers if f.listings),
        "listings": listing_rows(firms)})


#: The changes the timeline shows (a changed entry's terms are in ``party_changes`` too).
TIMELINE_CHANGES = ("added", "removed")


def listing_changes(store: Store, start: date | None = None, end: date | None = None,
                    firms: set[str] | None = None, kinds: Sequence[str] = TIMELINE_CHANGES) -> list[dict[str, Any]]:
    """The entries the re-imports of the screening list found added or removed (``kinds``), dated by the newer
    snapshot's publication date (else the day of the re-import: ``dated_by`` says which), within [start, end]
    and, with ``firms``, only entries matched to one of them; oldest first."""
    out = []
    for r in store.rows("party_changes"):
        if r["change"] not in kinds:
            continue
        day, dated_by = (r["published"], "published") if r["published"] else (r["imported_at"][:10], "imported")
        when = parse_partial_date(day)
        if (start and when < start) or (end and when > end):
            continue
        if firms is not None and not firms & set(r["firms"] or []):
            continue
        out.append({"date": day, "dated_by": dated_by, "previous": r["previous_published"], "change": r["change"],
                    "list": r["list"], "entry": r["name"], "firms": r["firms"] or [],
                    "federal_register_notice": r["federal_register_notice"], "since": r["start_date"],
                    "license_policy": r["license_policy"], "fields": r["fields"] or []})
    return sorted(out, key=lambda x: (x["date"], x["change"], x["list"], x["entry"]))
