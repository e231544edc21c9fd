"""Scenario runs and comparisons: the builder's 'run' and the Compare page, composed from
``api.exposure``, ``api.availability`` and ``api.diff``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from chipshift import api
from chipshift.io.store import Store
from chipshift.web.market import MARKET_POINTER
from chipshift.web.scenarios import ScenarioArg

if TYPE_CHECKING:
    from chipshift.api.answers import AvailabilityAnswer, ExposureAnswer, StageExposure

#: An explicit 'no changes' scenario: ``api.diff`` reads a missing ``against`` as 'same as scenario'.
BASELINE_DOC: dict[str, Any] = {"name": "baseline"}



def run(store: Store, scenario: ScenarioArg, target: str, at: date, segment: str | None,
        baseline: Callable[[], ExposureAnswer] | None = None) -> dict[str, Any]:
    """A scenario's exposure for a target at a date, the baseline's by stage, and what changed.

    ``baseline``: gives the baseline's exposure (the caller may share it between runs)."""
    result = api.exposure(store, target, at=at, scenario=scenario, segment=segment)
    base = baseline() if baseline else api.exposure(store, target, at=at, scenario=None, segment=segment)
    changes = api.diff(store, target, at=at, to=at, scenario=None, against=scenario or BASELINE_DOC,
                       segment=segment)
    exposure = result.as_report()
    return {"destination": result.destination, "at": exposure["at"], "scenario": exposure["scenario"],
            "exposure": exposure, "baseline_by_stage": [s.as_report() for s in base.by_stage],
            "diff": changes.as_report(), "market": MARKET_POINTER}


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
    lower = sum(s.barred_lower_mean * s.inputs for s in by_stage) / n
    upper = sum(s.barred_upper_mean * s.inputs for s in by_stage) / n
    return round(lower, 6), round(upper, 6)


def compare(store: Store, target: str, segment: str | None, left: ScenarioArg, left_at: date,
            right: ScenarioArg, right_at: date, years: list[int], labels: tuple[str, str]) -> dict[str, Any]:
    """Two scenarios side by side: differences by input, country, firm and year."""
    changes = api.diff(store, target, at=left_at, to=right_at, scenario=left, against=right or BASELINE_DOC,
                       segment=segment)
    sides = []
    for arg, when in ((left, left_at), (right, right_at)):
        country = api.availability(store, target, at=when, scenario=arg, segment=segment, view="country")
        firm = api.availability(store, target, at=when, scenario=arg, segment=segment, view="firm")
        exposure = api.exposure(store, target, at=when, scenario=arg, segment=segment)
        sides.append((country, firm, exposure))
    by_year = []
    for year in years:
        when = date(year, 12, 31)
        row: dict[str, Any] = {"year": year}
        for name, arg in (("left", left), ("right", right)):
            stages = api.exposure(store, target, at=when, scenario=arg, segment=segment).by_stage
            row[f"{name}_barred_lower"], row[f"{name}_barred_upper"] = _overall(stages)
        by_year.append(row)
    stage_rows = []
    right_stages = {s.stage: s for s in sides[1][2].by_stage}
    for s in sides[0][2].by_stage:
        r = right_stages.get(s.stage)
        stage_rows.append({"stage": s.stage, "inputs": s.inputs,
                           "left_barred_lower": s.barred_lower_mean, "left_barred_upper": s.barred_upper_mean,
                           "right_barred_lower": r.barred_lower_mean if r else None,
                           "right_barred_upper": r.barred_upper_mean if r else None})
    changed = changes.as_report()
    return {"destination": changes.destination,
            "left": {"label": labels[0], "at": left_at.isoformat(), "scenario": _scenario(sides[0][0])},
            "right": {"label": labels[1], "at": right_at.isoformat(), "scenario": _scenario(sides[1][0])},
            "rules_added": changed["rules_added"], "rules_removed": changed["rules_removed"],
            "by_input": changed["inputs"], "by_stage": stage_rows,
            "by_country": _by_provider(sides[0][0], sides[1][0], "country"),
            "by_firm": _by_provider(sides[0][1], sides[1][1], "firm"),
            "by_year": by_year, "data_sources": list(sides[0][2].data_sources), "market": MARKET_POINTER}


def _scenario(answer: AvailabilityAnswer) -> dict[str, Any] | None:
    """The scenario an answer was computed under, as its JSON gives it."""
    return None if answer.scenario is None else answer.scenario.as_report()
