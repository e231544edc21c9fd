"""Market-model results for the Results and Compare pages and the report: ``api.market_runs`` runs of the
shipped market cases ('kind: market' files of the examples folder), with the sources of every fact a
run cites (publisher, title, URL, quote) so a page can show them on click."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipshift.api import market_runs as market_api
from chipshift.api.cases import data_needed
from chipshift.api.data import entity_names
from chipshift.api.market_runs import fact_sources
from chipshift.errors import NotFoundError
from chipshift.io.store import Store
from chipshift.reports import labels
from chipshift.web.scenarios import Catalog

if TYPE_CHECKING:
    from chipshift.api.answers import MarketCasesAnswer, MarketComparisonAnswer, MarketRunAnswer

def case_path(catalog: Catalog, case: str) -> Path:
    """The file of a shipped market case by name (only listed names resolve, never a path)."""
    files = catalog.market_files()
    if case in files:
        return files[case]
    raise NotFoundError("market case", case, sorted(files)[:5])


def cases(catalog: Catalog, store: Store) -> MarketCasesAnswer:
    """The shipped market cases with their digests (a digest changes with the file's content) and their regions by
    name (``region_name``); a case that needs data this store lacks says what and how to get it
    (``api.cases.data_needed``)."""
    from chipshift.api.answers import MarketCasesAnswer

    listed = []
    files = catalog.market_files()
    names = entity_names(store)
    for stem, entry in catalog.market_descriptions().items():
        region = entry.get("region")
        # the region by name, beside its code (a linked case's regions each by its own)
        named = ", ".join(names.get(r, r) for r in str(region).split(", ")) if region else None
        shown: dict[str, Any] = {}
        for key, value in entry.items():
            shown[key] = value
            if key == "region":
                shown["region_name"] = named
        listed.append({**shown, "title": labels.case_title(str(entry.get("name") or stem), entry.get("description")),
                       "digest": market_api.case_digest(files[stem]),
                       "needs": data_needed(store, files[stem])})
    return MarketCasesAnswer.model_validate({"cases": listed, "max_draws": MAX_DRAWS, "default_seed": DEFAULT_SEED})


MAX_DRAWS = 5000
DEFAULT_SEED = 20261125


#: A fact id as a parameter's basis may name one in its words: lower-case words joined by hyphens.
_FACT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){2,}")


def parameter_facts(store: Store, document: Any) -> dict[str, dict[str, Any]]:
    """For each parameter of a case document (the YAML as read), the facts its figures rest on: ``default``,
    ``low`` and ``high`` name the fact a bound comes from (a ``{fact: ID}`` of the case file, else the facts
    of the parameters.csv row it takes with ``from``), ``basis`` the facts its basis names in its words;
    ``catalogue`` is that parameters.csv row's name and note. A linked case's parameters its loader takes from the
    catalogue (``labels.CATALOGUE_PARAMETERS``) where its file sets none are its rows' too."""
    specs = dict(document.get("parameters") or {}) if isinstance(document, Mapping) else {}
    if isinstance(document, Mapping) and document.get("model") == "linked":
        # the catalogue's parameters a linked case's loader adds where its file sets none
        specs |= {name: {"from": name} for name in labels.CATALOGUE_PARAMETERS if name not in specs}
    out: dict[str, dict[str, Any]] = {}
    for name, spec in specs.items():
        if not isinstance(spec, Mapping):
            continue
        rows = store.rows("parameters", id=str(spec["from"])) if spec.get("from") else []
        row = rows[0] if rows else None
        found: dict[str, Any] = {}
        for bound in ("default", "low", "high"):
            value = spec.get(bound)
            if isinstance(value, Mapping) and isinstance(value.get("fact"), str):
                found[bound] = value["fact"]
            elif value is None and row is not None and row.get(f"{bound}_fact"):
                found[bound] = str(row[f"{bound}_fact"])
        words = str(spec.get("basis") or "")
        found["basis"] = [f for f in dict.fromkeys(_FACT_ID.findall(words)) if store.rows("facts", id=f)]
        if row is not None:
            found["catalogue"] = {"id": row["id"], "name": row["name"], "note": row["note"]}
        out[str(name)] = found
    return out


def run(store: Store, catalog: Catalog, case: str, draws: int, seed: int,
        overrides: dict[str, float] | None = None) -> MarketRunAnswer:
    """``api.market_runs.scenario_run`` of a shipped case (with parameter ``overrides``), plus ``case``, the cited
    facts' sources, each parameter's ``words`` and ``unit`` (``labels.parameter_words``, ``labels.parameter_units``)
    and the facts its default and
    range rest on (``facts``, from ``parameter_facts``); the server's file path is replaced by the file name."""
    path = case_path(catalog, case)
    report = market_api.scenario_run(store, path, draws=draws, seed=seed, overrides=overrides)
    document = labels.case_document(str(path))
    units = labels.parameter_units(document)
    words = labels.parameter_words(document, report.get("names"))
    behind = parameter_facts(store, document)
    parameters = [{**p, "words": words.get(str(p["id"])), "unit": units.get(str(p["id"])),
                   "facts": behind.get(str(p["id"]), {"basis": []})} for p in report["parameters"]]
    named = {f for p in behind.values() for f in [*(p.get(b) for b in ("default", "low", "high")), *p["basis"]]
             if f}
    from chipshift.api.answers import MarketRunAnswer

    cited = report["facts"]
    return MarketRunAnswer.model_validate({**report, "parameters": parameters, "case": case, "file": path.name,
                                           "facts": {**cited, **fact_sources(store, named - set(cited))}})


def compare(store: Store, catalog: Catalog, a: str, b: str | None = None, *,
            a_parameters: dict[str, float] | None = None, b_parameters: dict[str, float] | None = None,
            a_scenario: str | None = None, b_scenario: str | None = None, draws: int = 0,
            seed: int = DEFAULT_SEED) -> MarketComparisonAnswer:
    """``api.market_runs.scenario_compare`` of shipped cases (``b``: the same case by default), each side with its
    parameters held and its restriction scenario (a reference the Compare page lists), with the outputs compared
    and how to read them."""
    # a restriction scenario by reference ('example:NAME', 'saved:ID'; none: the bundled rules)
    left = market_api.Variant(case_path(catalog, a), a_parameters or {}, catalog.resolve(store, a_scenario))
    right = market_api.Variant(case_path(catalog, b or a), b_parameters or {}, catalog.resolve(store, b_scenario))
    result = market_api.scenario_compare(store, left, right, draws=draws, seed=seed)
    outputs = sorted({r["output"] for r in result["differences"]})
    from chipshift.api.answers import MarketComparisonAnswer

    return MarketComparisonAnswer.model_validate({**result, "outputs": outputs,
            "note": "b - a by output and period. Without draws both sides run at their fitted parameters; with "
                    "draws each side has its own 5-95% band (the same seed on both). Outputs only one side has are "
                    "listed apart; two different cases share only their generic outputs (localization, revenue "
                    "share, unmet demand)."})
