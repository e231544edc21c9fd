"""Everything known about one firm, input or country, gathered from the other questions into one answer: its
facts with their sources, what it supplies or who supplies it, the rules that reach it at a date, its listings,
and what the saved scenarios change for it. Written as a workbook or a folder of CSV files by the front-ends."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from chipshift.api.data import Report, entity_names, fact_record, resolve, show_firm, show_input
from chipshift.api.restrictions import answer_date, diff, exposure, localization, restrictions_list, rules_binding_sales
from chipshift.errors import NotFoundError
from chipshift.io.store import Store

if TYPE_CHECKING:
    from chipshift.api.answers import CountryDossier, FirmDossier, InputDossier

#: What the dossier's `sources` table gives of each source its rows cite.
SOURCE_KEYS = ("id", "publisher", "original_publisher", "title", "published", "url", "reliability")


def dossier(store: Store, entity: str, at: str | date | None = None
            ) -> FirmDossier | InputDossier | CountryDossier:
    """A firm, an input or a country (resolved in that order of preference when a name could be several: a
    country's code or name first, then a firm, then an input), with every table the other questions give about
    it at ``at`` (default today), and the sources behind its figures."""
    kind, key = _resolve(store, entity)
    when = answer_date(at, None)
    if kind == "firm":
        report = _firm(store, key, when)
    elif kind == "input":
        report = show_input(store, key).as_report()
    else:
        report = _country(store, key, when)
    report = {"entity": key, "entity_kind": kind, "at": when.isoformat(), **report}
    report["sources"] = _sources(store, report)
    from chipshift.api import answers

    if kind == "firm":
        return answers.FirmDossier.model_validate(report)
    if kind == "input":
        return answers.InputDossier.model_validate(report)
    return answers.CountryDossier.model_validate(report)


def _resolve(store: Store, entity: str) -> tuple[str, str]:
    suggestions: list[str] = []
    for kind, table in (("country", "countries"), ("firm", "firms"), ("input", "inputs")):
        try:
            return kind, resolve(store, table, entity)
        except NotFoundError as missing:
            suggestions += missing.suggestions
    raise NotFoundError("firm, input or country", entity, list(dict.fromkeys(suggestions))[:5])


def _firm(store: Store, firm: str, when: date) -> Report:
    report = show_firm(store, firm, when).as_report()
    reaching = restrictions_list(store, firm, when)
    report["rules_reaching_it"] = [r.as_report() for r in reaching.rules]  # as a buyer
    report["rules_binding_its_sales"] = rules_binding_sales(store, firm, when)
    report["scenario_changes"] = _scenario_changes(store, firm, when)
    return report


def _country(store: Store, code: str, when: date) -> Report:
    country = store.rows("countries", id=code)[0]
    barred = exposure(store, code, when).as_report()
    local = localization(store, code).as_report()
    return {
        "name": country["name"],
        "facts": [fact_record(f, entity_names(store)) for f in store.facts(entity=code)],
        "firms_headquartered": [{"id": f["id"], "name": f["name"]} for f in store.rows("firms", hq_country=code)],
        "rules_reaching_it": [r.as_report() for r in restrictions_list(store, code, when).rules],
        "exposure_by_stage": barred["by_stage"],
        "exposure_by_input": barred["by_input"],
        "localization_by_input": local["inputs"],
        "localization_published": local["published_estimates"],
        "scenario_changes": _scenario_changes(store, code, when),
    }


def _scenario_changes(store: Store, target: str, when: date) -> list[dict[str, Any]]:
    """For each saved scenario, how many inputs' availability for the target it changes against the baseline
    at the date, and which rules it adds or removes."""
    out = []
    for saved in store.rows("scenarios", order_by="id"):
        changed = diff(store, target, when, against=dict(saved["document"]))
        moved = changed.inputs
        out.append({"scenario": f"saved:{saved['id']}", "name": saved["name"], "inputs_changed": len(moved),
                    "inputs": [row.input for row in moved],
                    "rules_added": list(changed.rules_added), "rules_removed": list(changed.rules_removed)})
    return out


def _sources(store: Store, report: Report) -> list[dict[str, Any]]:
    """Every source a row of the dossier cites, once: publisher, title, date, address and reliability."""
    cited = {row["source"] for value in report.values() if isinstance(value, list)
             for row in value if isinstance(row, dict) and isinstance(row.get("source"), str)}
    return [{k: s[k] for k in SOURCE_KEYS} for s in store.rows("sources", order_by="id") if s["id"] in cited]
