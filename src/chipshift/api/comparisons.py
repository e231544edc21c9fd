"""Restriction scenarios checked, run and compared (the scenario builder's 'check' and 'run', and the Compare page),
composed from ``load_scenario``, ``exposure``, ``availability`` and ``diff``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipshift.api.restrictions import (
    ScenarioInput,
    availability,
    diff,
    exposure,
    load_scenario,
    rules_in_force_at,
)
from chipshift.io.store import Store

if TYPE_CHECKING:
    from chipshift.api.answers import (
        AvailabilityAnswer,
        ExposureAnswer,
        ScenarioCheckAnswer,
        ScenarioComparisonAnswer,
        ScenarioRunAnswer,
        StageExposure,
    )

#: An explicit 'no changes' scenario: ``diff`` reads a missing ``against`` as 'same as scenario'.
BASELINE_DOC: dict[str, Any] = {"name": "baseline"}
#: What restriction runs and comparisons say about the market model (it runs on market cases, not on them).
MARKET_POINTER = {
    "available": True,
    "note": "The market model runs on market cases (files of kind 'market'): who takes the demand when a "
            "supplier is barred, calibrated to observations, with Monte Carlo bands. Run them on the Results "
            "page; compare two of them on the Compare page.",
    "page": "/results",
}


def check_scenario(store: Store, source: Path | dict[str, Any]) -> ScenarioCheckAnswer:
    """Check a scenario (a file, or a mapping such as a request body) against the store: how many rules it adds,
    removes and edits; DataError naming the field of every problem."""
    from chipshift.api.answers import ScenarioCheckAnswer

    scenario = load_scenario(store, source)
    return ScenarioCheckAnswer.model_validate({
        "ok": True, "name": scenario.name, "digest": scenario.digest, "rules_added": len(scenario.add),
        "rules_removed": len(scenario.remove), "rules_edited": len(scenario.edit)})


def scenario_run(store: Store, scenario: ScenarioInput, target: str, at: date, segment: str | None = None,
                 baseline: Callable[[], ExposureAnswer] | None = None) -> ScenarioRunAnswer:
    """A scenario's exposure for a target at a date, the baseline's by stage, and what changed.

    ``baseline``: gives the baseline's exposure (the caller may share it between runs)."""
    from chipshift.api.answers import ScenarioRunAnswer

    result = exposure(store, target, at=at, scenario=scenario, segment=segment)
    base = baseline() if baseline else exposure(store, target, at=at, scenario=None, segment=segment)
    changes = diff(store, target, at=at, to=at, scenario=None, against=scenario or BASELINE_DOC, segment=segment)
    return ScenarioRunAnswer.model_validate({
        "destination": result.destination, "at": result.at, "scenario": result.scenario, "exposure": result,
        "baseline_by_stage": base.by_stage, "diff": changes, "market": MARKET_POINTER})


def _providers(report: AvailabilityAnswer, view: str) -> dict[str, dict[str, Any]]:
    """Per provider of the view: inputs where it is barred, maybe barred, and the summed shares concerned."""
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {"barred": 0, "maybe": 0, "barred_share_pct": 0.0,
                                                          "inputs": []})
    for row in report.inputs:
        if row.view != view:
            continue
        for key, entries in (("barred", row.barred or ()), ("maybe", row.maybe_barred or ())):
            for p in entries:
                slot = out[p.name]
                slot[key] += 1
                if key == "barred":
                    slot["barred_share_pct"] += p.share_pct or 0.0
                    slot["inputs"].append(row.name)
    return out


def _views_apart(hq: Mapping[str, str | None], side: str, country: AvailabilityAnswer, firm: AvailabilityAnswer
                 ) -> list[dict[str, Any]]:
    """The inputs for which the country view counts a country as maybe barred while the firm view bars, by the
    same rule, a firm headquartered there (``hq``: each firm's country) for certain: a rule that names firms
    reaches only part of a country's share, so the country view cannot say more than 'maybe'."""
    firms = {row.input: row for row in firm.inputs if row.view == "firm"}
    rows: list[dict[str, Any]] = []
    for row in country.inputs:
        other = firms.get(row.input)
        if row.view != "country" or other is None:
            continue
        for maybe in row.maybe_barred or ():
            barred = [p for p in other.barred or ()
                      if hq.get(p.provider) == maybe.provider and set(p.rules) & set(maybe.rules)]
            if not barred:
                continue
            shares = [p.share_pct for p in barred]
            rows.append({"side": side, "input": row.input, "name": row.name, "country": maybe.name,
                         "country_share_pct": maybe.share_pct, "firms": tuple(p.name for p in barred),
                         "firms_share_pct": None if None in shares else round(sum(s or 0.0 for s in shares), 4),
                         "rules": tuple(sorted({r for p in barred for r in p.rules} & set(maybe.rules)))})
    return rows


def _by_provider(left: AvailabilityAnswer, right: AvailabilityAnswer, view: str) -> list[dict[str, Any]]:
    a, b = _providers(left, view), _providers(right, view)
    rows: list[dict[str, Any]] = []
    for name in sorted(set(a) | set(b)):
        la, rb = a.get(name), b.get(name)
        left_inputs = set(la["inputs"]) if la else set()
        right_inputs = set(rb["inputs"]) if rb else set()
        rows.append({"provider": name,
                     "left_barred": la["barred"] if la else 0, "right_barred": rb["barred"] if rb else 0,
                     "left_maybe": la["maybe"] if la else 0, "right_maybe": rb["maybe"] if rb else 0,
                     "change_barred": (rb["barred"] if rb else 0) - (la["barred"] if la else 0),
                     "newly_barred_inputs": sorted(right_inputs - left_inputs),
                     "no_longer_barred_inputs": sorted(left_inputs - right_inputs)})
    rows.sort(key=lambda r: (-abs(r["change_barred"]), -r["right_barred"], r["provider"]))
    return rows


def _overall(by_stage: Sequence[StageExposure]) -> tuple[float, float]:
    n = sum(s.inputs for s in by_stage)
    if not n:
        return 0.0, 0.0
    lower = sum(s.barred_lower_mean_pct * s.inputs for s in by_stage) / n
    upper = sum(s.barred_upper_mean_pct * s.inputs for s in by_stage) / n
    return round(lower, 4), round(upper, 4)


def _read(store: Store, scenario: ScenarioInput) -> ScenarioInput:
    """A scenario file or mapping read and checked (``load_scenario``); a scenario already read, or none, as it
    is."""
    return load_scenario(store, scenario) if isinstance(scenario, Path | dict) else scenario


def compare_scenarios(store: Store, target: str, segment: str | None, left: ScenarioInput, left_at: date,
                      right: ScenarioInput, right_at: date, years: list[int], labels: tuple[str, str]
                      ) -> ScenarioComparisonAnswer:
    """Two scenarios, each at its date, side by side for one target: differences by input, stage, country, firm
    and year (the overall exposure on 31 December of each of ``years``)."""
    from chipshift.api.answers import ScenarioComparisonAnswer

    # each scenario read and checked once, not again by each question below
    left, right = _read(store, left), _read(store, right)
    changes = diff(store, target, at=left_at, to=right_at, scenario=left, against=right or BASELINE_DOC,
                   segment=segment)
    sides = []
    for arg, when in ((left, left_at), (right, right_at)):
        country = availability(store, target, at=when, scenario=arg, segment=segment, view="country")
        firm = availability(store, target, at=when, scenario=arg, segment=segment, view="firm")
        sides.append((country, firm, exposure(store, target, at=when, scenario=arg, segment=segment)))
    # the overall exposure by year: the same at every date where the same rules are in force (and as surely:
    # ``rules_in_force_at``), so computed once per such set of rules, starting from each side's own date's
    overall: dict[tuple[str, tuple[int, ...]], tuple[float, float]] = {
        (name, rules_in_force_at(store, when, arg).flags): _overall(side[2].by_stage)
        for name, arg, when, side in (("left", left, left_at, sides[0]), ("right", right, right_at, sides[1]))}
    by_year = []
    for year in years:
        when = date(year, 12, 31)
        row: dict[str, Any] = {"year": year}
        for name, arg in (("left", left), ("right", right)):
            key = (name, rules_in_force_at(store, when, arg).flags)
            if key not in overall:
                overall[key] = _overall(exposure(store, target, at=when, scenario=arg, segment=segment).by_stage)
            row[f"{name}_barred_lower_pct"], row[f"{name}_barred_upper_pct"] = overall[key]
        by_year.append(row)
    stage_rows = []
    right_stages = {s.stage: s for s in sides[1][2].by_stage}
    for s in sides[0][2].by_stage:
        r = right_stages.get(s.stage)
        stage_rows.append({"stage": s.stage, "inputs": s.inputs,
                           "left_barred_lower_pct": s.barred_lower_mean_pct,
                           "left_barred_upper_pct": s.barred_upper_mean_pct,
                           "right_barred_lower_pct": r.barred_lower_mean_pct if r else None,
                           "right_barred_upper_pct": r.barred_upper_mean_pct if r else None})
    hq = {f["id"]: f.get("hq_country") for f in store.rows("firms")}
    apart = [r for side, (country, firm, _) in zip(("left", "right"), sides, strict=True)
             for r in _views_apart(hq, side, country, firm)]
    return ScenarioComparisonAnswer.model_validate({
        "destination": changes.destination,
        "left": {"label": labels[0], "at": left_at, "scenario": sides[0][0].scenario},
        "right": {"label": labels[1], "at": right_at, "scenario": sides[1][0].scenario},
        "rules_added": changes.rules_added, "rules_removed": changes.rules_removed,
        "rule_names": changes.rule_names | {r["id"]: r["name"] for r in store.rows("rules")
                                            if any(r["id"] in v["rules"] for v in apart)},
        "by_input": changes.inputs, "by_stage": stage_rows,
        "by_country": _by_provider(sides[0][0], sides[1][0], "country"),
        "by_firm": _by_provider(sides[0][1], sides[1][1], "firm"),
        "views_apart": apart,
        "by_year": by_year, "data_sources": sides[0][2].data_sources, "market": MARKET_POINTER})
