"""Market-model results for the Results and Compare pages and the report: ``api.market`` runs of the
shipped market cases ('kind: market' files of the examples folder), with the sources of every fact a
run cites (publisher, title, URL, quote) so a page can show them on click."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipshift.api import market as market_api
from chipshift.errors import NotFoundError
from chipshift.io.store import Store
from chipshift.reports import labels
from chipshift.web.scenarios import Catalog

if TYPE_CHECKING:
    from chipshift.api.answers import MarketCasesAnswer

def case_path(catalog: Catalog, case: str) -> Path:
    """The file of a shipped market case by name (only listed names resolve, never a path)."""
    files = catalog.market_files()
    if case in files:
        return files[case]
    raise NotFoundError("market case", case, sorted(files)[:5])


def cases(catalog: Catalog) -> MarketCasesAnswer:
    """The shipped market cases with their digests (a digest changes with the file's content)."""
    from chipshift.api.answers import MarketCasesAnswer

    listed = []
    for stem, entry in catalog.market_descriptions().items():
        listed.append({**entry, "digest": market_api.case_digest(catalog.market_files()[stem])})
    return MarketCasesAnswer.model_validate({"cases": listed, "max_draws": MAX_DRAWS, "default_seed": DEFAULT_SEED})


MAX_DRAWS = 5000
DEFAULT_SEED = 20261125


def fact_sources(store: Store, fact_ids: set[str]) -> dict[str, dict[str, Any]]:
    """For each fact id: the fact's value and its source (publisher, title, URL, date, quote)."""
    out: dict[str, dict[str, Any]] = {}
    for fact_id in sorted(fact_ids):
        rows = store.rows("facts", id=fact_id)
        if not rows:
            continue
        fact = rows[0]
        source = (store.rows("sources", id=fact["source"]) or [{}])[0]
        out[fact_id] = {"fact": fact_id, "entity": fact["entity"], "metric": fact["metric"],
                        "period": fact["period"], "value": fact["value"], "unit": fact["unit"],
                        "status": fact["status"], "quote": fact["quote"], "source": fact["source"],
                        "publisher": source.get("publisher"), "original_publisher": source.get("original_publisher"),
                        "title": source.get("title"), "url": source.get("url"),
                        "published": str(source["published"]) if source.get("published") else None}
    return out


def cited_facts(report: dict[str, Any]) -> set[str]:
    """Every fact id a run cites: its sources, the observations and the published estimates beside it."""
    ids = set(report["sources"]) | {row["fact"] for row in report["calibration"]["table"] if row.get("fact")}
    for entry in report["published_beside_model"]:
        ids |= {p["fact"] for p in entry["published"]}
    return ids


def run(store: Store, catalog: Catalog, case: str, draws: int, seed: int,
        overrides: dict[str, float] | None = None) -> dict[str, Any]:
    """``api.market.scenario_run`` of a shipped case (with parameter ``overrides``), plus ``case``, the cited
    facts' sources and each parameter's ``unit`` (``labels.parameter_units``); the server's file path is replaced
    by the file name."""
    path = case_path(catalog, case)
    report = market_api.scenario_run(store, path, draws=draws, seed=seed, overrides=overrides)
    units = labels.parameter_units(labels.case_document(str(path)))
    parameters = [{**p, "unit": units.get(str(p["id"]))} for p in report["parameters"]]
    return {**report, "parameters": parameters, "case": case, "file": path.name,
            "facts": fact_sources(store, cited_facts(report))}


def compare(store: Store, catalog: Catalog, a: str, b: str | None = None, *,
            a_parameters: dict[str, float] | None = None, b_parameters: dict[str, float] | None = None,
            a_scenario: str | None = None, b_scenario: str | None = None, draws: int = 0,
            seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """``api.market.scenario_compare`` of shipped cases (``b``: the same case by default), each side with its
    parameters held and its restriction scenario (a reference the Compare page lists), with the cases' names."""
    # a restriction scenario by reference ('example:NAME', 'saved:ID'; none: the bundled rules)
    left = market_api.Variant(case_path(catalog, a), a_parameters or {}, catalog.resolve(store, a_scenario))
    right = market_api.Variant(case_path(catalog, b or a), b_parameters or {}, catalog.resolve(store, b_scenario))
    result = market_api.scenario_compare(store, left, right, draws=draws, seed=seed)
    outputs = sorted({r["output"] for r in result["differences"]})
    return {**result, "outputs": outputs,
            "note": "b - a by output and period. Without draws both sides run at their fitted parameters; with "
                    "draws each side has its own 5-95% band (the same seed on both). Outputs only one side has are "
                    "listed apart; two different cases share only their generic outputs (localization, revenue "
                    "share, unmet demand)."}
