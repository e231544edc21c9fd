"""Market scenarios: run a seed case (calibrate, Monte Carlo, sensitivity) and compare two runs."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chipshift.api.data import Report
from chipshift.api.restrictions import load_world
from chipshift.domain.rules import rule_from_record
from chipshift.errors import ChipshiftError, DataError, Problem
from chipshift.io.store import Store
from chipshift.io.tables import load_yaml, strip_lines
from chipshift.scenarios import market_analysis as analysis
from chipshift.scenarios.market_case import MarketCase, parse_case
from chipshift.scenarios.market_run import RuleContext, outputs, simulate
from chipshift.schemas.market_case import Ref

MAX_DRAWS = 1_000_000
HEADLINES = ("revenue_share", "localization")


def case_digest(path: Path) -> str:
    """A stable hash of a market scenario's content (not of the file name)."""
    stat = path.stat()
    return _digest_of(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _digest_of(path: str, mtime_ns: int, size: int) -> str:
    """Parsed and hashed once per version of the file (its modification time and size are in the key)."""
    document, _ = load_yaml(Path(path), Path(path).name)
    text = json.dumps(strip_lines(document), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def to_frame(report: Report) -> pd.DataFrame:
    """A run's outputs as a DataFrame indexed by (output, year), carrying scenario, parameters and sources
    in ``attrs`` — the labelled result for Python callers."""
    frame = pd.DataFrame(report["outputs"]).set_index(["output", "year"]).sort_index()
    frame.attrs = {"scenario": report["scenario"], "digest": report["digest"], "parameters": report["parameters"],
                   "calibration": report["calibration"], "sources": report["sources"], "draws": report["draws"]}
    return frame


def load_case(store: Store, path: Path) -> tuple[MarketCase, RuleContext]:
    """A market case from a scenario file, checked against its declaration (``schemas.market_case``) and the
    store (facts, parameters, rules, firms, inputs, countries, documents), with the rules and the supply
    world their reach is decided over. DataError names the file, line and field of every problem."""
    document, problems = load_yaml(path, path.name) if path.is_file() else (
        None, [Problem("scenario file not found", str(path), check="file_format")])
    if problems:
        raise DataError(problems)
    if not isinstance(document, dict) or document.get("kind") != "market":
        line = document.get("__lines__", {}).get("kind", 1) if isinstance(document, dict) else 1
        raise DataError([Problem("not a market scenario (expected 'kind: market'); restriction scenarios go to "
                                 "--scenario on the engine's commands", path.name, line, "kind")])
    facts = {f["id"]: f for f in store.rows("facts")}
    parameters = {p["id"]: p for p in store.rows("parameters")}
    rules = [rule_from_record(r) for r in store.rows("rules")]
    world, parents = load_world(store)
    references: dict[Ref, set[str]] = {"input": set(world.index),
                                       "country": {c["id"] for c in store.rows("countries")},
                                       "document": {s["id"] for s in store.rows("sources")}}
    case = parse_case(document, facts, parameters, {r.id for r in rules}, path.name,
                      {f["id"] for f in store.rows("firms")}, references)
    return case, RuleContext(rules, world, parents)


def _published(store: Store, case: MarketCase, output: str, year: int) -> list[dict[str, Any]]:
    """Every stored estimate of the same figure, to show beside the model's value."""
    if output == "localization":
        rows = store.facts(entity=case.region, metric="localization_rate", product=case.product)
        period = str(year)
    elif output == "revenue_share" and case.firm:
        rows = store.facts(entity=case.firm, metric="revenue_share_region")
        period = f"FY{year}"
    elif output.startswith("share:"):
        rows = store.facts(entity=output.split(":", 1)[1], metric="market_share", product=case.product)
        period = str(year)
    elif output.startswith("revenue:"):
        rows = store.facts(entity=output.split(":", 1)[1], metric="revenue")
        period = str(year)
    else:
        return []
    return [{"fact": f["id"], "value": f["value"], "unit": f["unit"], "status": f["status"],
             "definition": f["definition"], "region": f["region"],
             "publisher": f["original_publisher"] or f["publisher"], "url": f["url"]}
            for f in rows if f["period"] == period]


def apply_overrides(case: MarketCase, overrides: Mapping[str, float] | None, file: str | None = None) -> MarketCase:
    """The case with each overridden parameter held at its given value (default = low = high, not fitted, not
    drawn); ``DataError`` naming ``parameters.<id>`` for an unknown id or a value outside the sourced range."""
    if not overrides:
        return case
    problems = []
    params = dict(case.params)
    for name, raw in overrides.items():
        where = f"parameters.{name}"
        param = case.params.get(name)
        if param is None:
            known = ", ".join(sorted(case.params))
            problems.append(Problem(f"unknown parameter {name!r} (the case's parameters: {known})", file,
                                    field=where))
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            problems.append(Problem(f"{raw!r} is not a number", file, field=where))
            continue
        if not math.isfinite(value) or not param.low <= value <= param.high:
            problems.append(Problem(f"{value:g} is outside the parameter's range [{param.low:g}, {param.high:g}]",
                                    file, field=where))
            continue
        params[name] = dataclasses.replace(param, default=value, low=value, high=value, fit=False)
    if problems:
        raise DataError(problems)
    return dataclasses.replace(case, params=params)


def scenario_run(store: Store, path: Path, draws: int = 0, seed: int = 20261125,
                 overrides: Mapping[str, float] | None = None) -> Report:
    """Calibrate the case, run it with the fitted parameters, and (with draws) Monte Carlo bands.
    ``overrides`` holds parameters at given values within their ranges (neither fitted nor drawn)."""
    if not 0 <= draws <= MAX_DRAWS:
        raise ChipshiftError(f"--draws must be between 0 and {MAX_DRAWS:,}")
    started = time.perf_counter()
    sourced, rules = load_case(store, path)
    case = apply_overrides(sourced, overrides, path.name)
    overridden = set(overrides or {})
    calibration = analysis.calibrate(case, rules)
    values = {name: p.default for name, p in case.params.items()} | calibration.fitted
    run = outputs(simulate(case, rules, {k: np.full(1, v) for k, v in values.items()}))
    bands = analysis.monte_carlo(case, rules, calibration.fitted, draws, seed) if draws else {}
    rows = []
    for name, (years, series) in run.items():
        band = bands.get(name)
        for i, year in enumerate(years):
            row: dict[str, Any] = {"output": name, "year": year, "value": round(float(series[i, 0]), 4)}
            if band:
                row |= {"p5": round(band["p5"][i], 4), "median": round(band["median"][i], 4),
                        "p95": round(band["p95"][i], 4)}
            rows.append(row)
    headlines = [h for h in HEADLINES if h in run]
    comparison = []
    for obs in case.observations:
        comparison.append({"output": obs.output, "year": obs.year,
                           "model": next((r["value"] for r in rows if r["output"] == obs.output
                                          and r["year"] == obs.year), None),
                           "published": _published(store, case, obs.output, obs.year)})
    not_pinned = [name for name, ok in calibration.pinned.items() if not ok]
    at_edge = [name for name, v in calibration.fitted.items()
               if v in (case.params[name].low, case.params[name].high)]
    return {
        "scenario": case.name, "digest": case_digest(path), "file": str(path), "description": case.description,
        "region": case.region, "product": case.product, "years": [case.start_year, case.end_year],
        "parameters": [{"id": p.id, "value": values[p.id], "default": p.default, "low": p.low, "high": p.high,
                        "fitted": p.id in calibration.fitted, "monte_carlo": p.id in analysis.ranged(case),
                        "fittable": p.fit, "overridden": p.id in overridden, "basis": p.basis}
                       for p in sourced.params.values()],
        "overrides": {k: float(v) for k, v in sorted((overrides or {}).items())},
        "calibration": {
            "procedure": (f"grid search ({analysis.grid_points(len(calibration.fitted))} points per fitted "
                          "parameter, all evaluated in one batched run) minimising the squared error against the "
                          "observations marked fit") if calibration.fitted else "none: no parameter is fitted",
            "fitted": calibration.fitted, "rmse": None if calibration.rmse is None else round(calibration.rmse, 4),
            "not_pinned_down": not_pinned, "at_edge_of_range": at_edge,
            "statement": _statement(not_pinned, at_edge, _unfitted(sourced, case, calibration)),
            "table": calibration.table,
        },
        "outputs": rows,
        "draws": draws, "seed": seed if draws else None,
        "sensitivity": analysis.sensitivity(case, rules, calibration.fitted, headlines),
        "published_beside_model": comparison,
        "sources": sorted({o.fact for o in case.observations if o.fact} | ({case.firm_share_fact}
                                                                           if case.firm_share_fact else set())),
        "notes": list(case.notes) + [s.basis for s in case.sources if s.basis],
        "elapsed_s": round(time.perf_counter() - started, 3),
    }


def _unfitted(sourced: MarketCase, case: MarketCase, calibration: analysis.Calibration) -> str | None:
    """Why no parameter is fitted (None when some are): none is marked fit, overrides hold them all, or there
    is no observation to fit to."""
    if calibration.fitted:
        return None
    held = [p.id for p in sourced.params.values() if p.fit and not case.params[p.id].fit]
    if held and not any(p.fit for p in case.params.values()):
        return f"{', '.join(held)} {'is' if len(held) == 1 else 'are'} held at given values (overrides, --set)"
    return calibration.unfitted or "none is marked fit"


def _statement(not_pinned: list[str], at_edge: list[str], unfitted: str | None = None) -> str:
    if unfitted is not None:
        return f"no parameter is fitted: {unfitted}"
    parts = []
    if not_pinned:
        parts.append(f"the observations do not pin down {', '.join(not_pinned)}: fits almost as good span more "
                     "than half of the range")
    if at_edge:
        parts.append(f"{', '.join(at_edge)} settled at the edge of the range: the data pushes beyond it")
    return "; ".join(parts) or "every fitted parameter is pinned down within its range"


def scenario_compare(store: Store, a: Path, b: Path) -> Report:
    """Differences between two market runs (no draws), by output (market, firm) and year."""
    ra, rb = scenario_run(store, a), scenario_run(store, b)
    left = {(r["output"], r["year"]): r["value"] for r in ra["outputs"]}
    rows = []
    for r in rb["outputs"]:
        key = (r["output"], r["year"])
        if key in left:
            rows.append({"output": r["output"], "year": r["year"], "a": left[key], "b": r["value"],
                         "difference": round(r["value"] - left[key], 4)})
    return {"a": ra["scenario"], "b": rb["scenario"], "only_in_a": sorted({o for o, _ in left} - {r["output"]
                                                                                            for r in rows}),
            "differences": rows}
