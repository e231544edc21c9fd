"""Market scenarios: run a seed case (calibrate, Monte Carlo, sensitivity) and compare two runs.

A case file is read by one of two models (its `model` key): a single product market in one region
(``scenarios.market_case``, the default), or linked markets (``model: linked``, ``scenarios.linked_case``).
Both give a report with the same parts; a single-market run's outputs come by (fiscal) year, a linked run's
by period (quarters, calendar and fiscal years) with their unit."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import re
import time
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from chipshift.api.backtest import library_error
from chipshift.api.cases import MAX_SEED, load
from chipshift.api.data import Report, entity_names, entity_words
from chipshift.domain.period import Period
from chipshift.errors import ChipshiftError, DataError, Problem
from chipshift.io.store import Store
from chipshift.io.tables import load_yaml, strip_lines
from chipshift.reports import palette
from chipshift.reports.labels import (
    band_axis,
    case_document,
    case_title,
    chart_colours,
    chart_cues,
    data_end,
    describe,
    figure_points,
    footer,
    is_flow,
    metric_words,
    other_basis_note,
    output_band_axis,
    parameter_shown,
    parameter_words,
    period_kind,
    publishers_of,
    seller_name,
    series_colours,
    series_cues,
    set_up_by,
    short_name,
    unchanging,
    unchanging_on_both_sides,
    unit_words,
    with_parameter_names,
)
from chipshift.scenarios import backtest as bt
from chipshift.scenarios import linked_analysis, market_posterior
from chipshift.scenarios import linked_case as linked
from chipshift.scenarios import market_analysis as analysis
from chipshift.scenarios import sensitivity as global_sensitivity
from chipshift.scenarios.market_analysis import Progress
from chipshift.scenarios.market_case import MarketCase
from chipshift.scenarios.market_case_check import linked_output
from chipshift.scenarios.market_run import RuleContext, outputs, simulate
from chipshift.scenarios.posterior import IMPORTANCE_DRAWS, ParameterSummary, Posterior
from chipshift.schemas.vocabulary import UNITS

if TYPE_CHECKING:
    from chipshift.api.answers import MarketComparisonAnswer, MarketRunAnswer

MAX_DRAWS = 1_000_000
HEADLINES = ("revenue_share", "localization")
LINKED_HEADLINES = ("price@<market>", "localization@<region>", "revenue_share:<owner>@<region>")
#: Base points of the Sobol' design of a linked run's sensitivity (n (D + 2) evaluations for D parameters).
SOBOL_POINTS = 64
Case = TypeVar("Case", MarketCase, linked.LinkedCase)


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
    """A run's outputs as a DataFrame indexed by (output, year), or (output, period) for linked markets,
    carrying scenario, parameters and sources in ``attrs`` — the labelled result for Python callers."""
    when = "period" if report.get("model") == "linked" else "year"
    frame = pd.DataFrame(report["outputs"]).set_index(["output", when]).sort_index()
    frame.attrs = {"scenario": report["scenario"], "digest": report["digest"], "parameters": report["parameters"],
                   "calibration": report["calibration"], "sources": report["sources"], "draws": report["draws"]}
    return frame


def load_case(store: Store, path: Path) -> tuple[MarketCase | linked.LinkedCase, RuleContext]:
    """A market case from a scenario file, checked against its declaration (``schemas.market_case``: ``CASE``,
    or ``LINKED_CASE`` for ``model: linked``) and the store (facts, parameters, rules, firms, inputs, countries,
    documents), with the rules and the supply world their reach is decided over. DataError names the file,
    line and field of every problem (for a linked case, also a rule entry naming a pair its rule cannot
    reach)."""
    case, rules, _ = load(store, path)
    return case, rules


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


def apply_overrides(case: Case, overrides: Mapping[str, float] | None, file: str | None = None) -> Case:
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


#: The fewest prior draws a calibration round may use (its effective sample must reach a quarter of them).
MIN_CALIBRATION_DRAWS = 100


def scenario_run(store: Store, path: Path, draws: int = 0, seed: int = 20261125,
                 overrides: Mapping[str, float] | None = None, restrictions: Path | dict[str, Any] | None = None,
                 progress: Progress | None = None, calibration_draws: int = IMPORTANCE_DRAWS) -> Report:
    """Calibrate the case, run it with the fitted parameters, and (with draws) bands.
    ``overrides`` holds parameters at given values within their ranges (neither fitted nor drawn);
    ``restrictions`` runs a linked case under a restriction scenario's rules (added, removed, edited): a file,
    or a mapping as a saved scenario holds;
    ``progress(done, total)`` hears how many draws are done. A linked case is calibrated by its posterior
    (``calibration_draws`` prior draws per round of importance sampling) and its bands are posterior
    predictive; a single-market case is fitted on a grid and its bands vary the other parameters."""
    if not 0 <= draws <= MAX_DRAWS:
        raise ChipshiftError(f"--draws must be between 0 and {MAX_DRAWS:,}")
    if not MIN_CALIBRATION_DRAWS <= calibration_draws <= MAX_DRAWS:
        raise ChipshiftError(f"--calibration-draws must be between {MIN_CALIBRATION_DRAWS} and {MAX_DRAWS:,}")
    if not 0 <= seed <= MAX_SEED:
        raise ChipshiftError(f"--seed must be a whole number from 0 to {MAX_SEED}")
    started = time.perf_counter()
    loaded, rules, governed = load(store, path, restrictions)
    if isinstance(loaded, linked.LinkedCase):
        assert governed is not None
        report = _linked_run(store, path, loaded, governed, draws, seed, overrides, started, progress,
                             calibration_draws)
        if restrictions is not None:
            both = f"{report['digest']}:{_scenario_digest(restrictions)}"
            report["digest"] = hashlib.sha256(both.encode()).hexdigest()[:16]
            report["restrictions"] = {
                "file": _scenario_label(restrictions),
                "rules_added_acting": [e.rule for e, pairs in zip(governed.entries[len(loaded.rules):],
                                                                  governed.pairs[len(loaded.rules):], strict=True)
                                       if pairs.any()]}
        return report
    return _single_run(store, path, loaded, rules, draws, seed, overrides, started, progress, calibration_draws)


def _single_run(store: Store, path: Path, sourced: MarketCase, rules: RuleContext, draws: int, seed: int,
                overrides: Mapping[str, float] | None, started: float, progress: Progress | None,
                calibration_draws: int) -> Report:
    """``scenario_run`` of a single-market case: outputs by year, calibrated by the posterior as a linked case."""
    case = apply_overrides(sourced, overrides, path.name)
    overridden = set(overrides or {})
    errors = {f["id"]: bt.error_of(f["status"]) for f in store.rows("facts")}
    calibration = market_posterior.bayesian_calibration(case, rules, errors, seed=seed, draws=calibration_draws)
    post = calibration.posterior
    values = {name: p.default for name, p in case.params.items()} | calibration.medians
    run = outputs(simulate(case, rules, {k: np.full(1, v) for k, v in values.items()}))
    error = library_error(store) if draws else None
    bands = market_posterior.predictive_bands(case, rules, calibration, draws, error=error, seed=seed,
                                              progress=progress) if draws else {}
    units = {f"revenue:{r.label}": r.unit or None for r in case.revenues}  # the others are percent
    rows = []
    for name, (years, series) in run.items():
        band = bands.get(name)
        for i, year in enumerate(years):
            row: dict[str, Any] = {"output": name, "year": year, "value": round(float(series[i, 0]), 4),
                                   "unit": units.get(name, "pct")}
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
    summary = {p.name: p for p in post.summary}
    fitted = {k: round(v, 6) for k, v in calibration.medians.items() if case.params[k].fit} \
        if calibration.targets else {}
    not_pinned = [k for k in fitted if not summary[k].identified]
    at_edge = [k for k in fitted if summary[k].at_bound is not None]
    unfitted = None if fitted else _unfitted(sourced, overrides, bool(calibration.targets))
    last = int(calibration.origin) - 1
    band_method = None if not draws else (
        f"{draws:,} draws of the parameters from their posterior, each output moved by the model's error on "
        "outcomes it was not fitted to, learned from the bundled back-test library of linked cases (Student-t "
        f"with {error.dof:g} degrees of freedom, scale {error.scale:.3f} in logs, log-odds for percentages, "
        f"times the square root of the years after {last}, at least a quarter; the bands then stretched "
        f"{error.stretch:.2f}-fold about their medians, so that 90% bands would have held 90% of the library's "
        "outcomes)" if error else
        f"{draws:,} draws of the parameters from their posterior (no back-test episode loads, so the model's own "
        "error is not in the bands)")
    report: Report = {
        "scenario": case.name, "digest": case_digest(path), "file": str(path), "description": case.description,
        "region": case.region, "product": case.product, "firm": case.firm,
        "years": [case.start_year, case.end_year],
        "parameters": [{"id": p.id, "value": values[p.id], "shown": parameter_shown(values[p.id]),
                        "default": p.default, "low": p.low, "high": p.high,
                        "fitted": p.id in fitted, "monte_carlo": p.id in summary,
                        "fittable": p.fit, "overridden": p.id in overridden, "basis": p.basis,
                        "posterior": _posterior_row(summary[p.id]) if p.id in summary else None}
                       for p in sourced.params.values()],
        "overrides": {k: float(v) for k, v in sorted((overrides or {}).items())},
        "calibration": {
            "procedure": _procedure(post, bool(calibration.targets)),
            "fitted": fitted, "rmse": None if calibration.rmse is None else round(calibration.rmse, 4),
            "rmse_of": "errors of the central run (model - observed) in the observations' units",
            "not_pinned_down": not_pinned, "at_edge_of_range": at_edge,
            "statement": _statement(not_pinned, at_edge, unfitted, posterior=True),
            "sampler": _sampler(post),
            "table": calibration.table,
        },
        "bands": band_method,
        "model_error": None if error is None else {"scale": round(error.scale, 4), "dof": error.dof,
                                                   "stretch": round(error.stretch, 4), "after_year": last,
                                                   "learned_from": "the bundled back-test library"},
        "outputs": rows,
        "draws": draws, "seed": seed if draws else None,
        "sensitivity": analysis.sensitivity(case, rules, calibration.medians, headlines),
        "published_beside_model": comparison,
        "sources": sorted({o.fact for o in case.observations if o.fact} | ({case.firm_share_fact}
                                                                           if case.firm_share_fact else set())),
        "notes": list(case.notes) + [s.basis for s in case.sources if s.basis],
        "warnings": _warnings(case.warnings),
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    return _titled(report | _labels(store, path, report, _single_names(store, case)))


def _unfitted(sourced: MarketCase | linked.LinkedCase, overrides: Mapping[str, float] | None,
              weighed: bool) -> str:
    """Why no parameter marked fit is fitted: overrides hold them, none is marked, or no observation is marked
    fit; and whether the observations still weigh the other ranged parameters (``weighed``)."""
    held = [p.id for p in sourced.params.values() if p.fit and p.id in (overrides or {})]
    fittable = [p.id for p in sourced.params.values() if p.fit and p.id not in held]
    rest = (f"; the observations marked fit weigh {'the other' if held else 'every'} ranged parameter"
            f"{'s' if held else ''}" if weighed else ", and every ranged parameter keeps its prior")
    if held and not fittable:
        return f"{', '.join(held)} {'is' if len(held) == 1 else 'are'} held at given values (overrides, --set){rest}"
    if fittable:
        return (f"no observation is marked fit, so {', '.join(fittable)} "
                f"{'keeps its prior' if len(fittable) == 1 else 'keep their priors'}")
    return f"none is marked fit{rest}"


def _statement(not_pinned: list[str], at_edge: list[str], unfitted: str | None = None, posterior: bool = False) -> str:
    if unfitted is not None:
        return f"no parameter is fitted: {unfitted}"
    parts = []
    if not_pinned:
        why = (f"{'its' if len(not_pinned) == 1 else 'their'} posterior is nearly as wide as the prior" if posterior
               else "fits almost as good span more than half of the range")
        parts.append(f"the observations do not pin down {', '.join(not_pinned)}: {why}")
    if at_edge:
        where = "piled against an end of the range" if posterior else "settled at the edge of the range"
        parts.append(f"{', '.join(at_edge)} {where}: the data pushes beyond it")
    return "; ".join(parts) or "every fitted parameter is pinned down within its range"


def _scenario_digest(restrictions: Path | dict[str, Any]) -> str:
    if isinstance(restrictions, Path):
        return case_digest(restrictions)
    return hashlib.sha256(json.dumps(restrictions, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _scenario_label(restrictions: Path | dict[str, Any]) -> str:
    """A restriction scenario as a report names it: its file, else its name."""
    return str(restrictions) if isinstance(restrictions, Path) else str(restrictions.get("name") or "scenario")


@dataclasses.dataclass(frozen=True)
class Variant:
    """One side of a comparison: a market case file, with parameters held at given values (``overrides``)
    and, for a linked case, a restriction scenario to run under (a file, or a mapping as a saved scenario
    holds)."""

    path: Path
    overrides: Mapping[str, float] = dataclasses.field(default_factory=dict)
    restrictions: Path | dict[str, Any] | None = None

    def describe(self, name: str, same_case: bool) -> str:
        """The variant in words: the case by its title (``labels.case_title``; unless both sides run one case),
        then what was changed."""
        changes = [f"{k}={v:g}" for k, v in sorted(self.overrides.items())]
        if self.restrictions is not None:
            label = _scenario_label(self.restrictions)
            changes.append(f"under {Path(label).stem if isinstance(self.restrictions, Path) else label}")
        if same_case:
            return ", ".join(changes) if changes else "as shipped"
        return f"{name} ({', '.join(changes)})" if changes else name


def difference(a: float | None, b: float | None) -> float | None:
    """b - a as a comparison gives it: to four decimals, 0 (never -0) where it rounds to nothing; None where either
    side has no value."""
    if a is None or b is None:
        return None
    return round(b - a, 4) + 0.0  # -0.0 + 0.0 is 0.0


def scenario_compare(store: Store, a: Path | Variant, b: Path | Variant | None = None, *, draws: int = 0,
                     seed: int = 20261125, calibration_draws: int = IMPORTANCE_DRAWS,
                     progress: Progress | None = None) -> Report:
    """Two market runs side by side, by output (market, firm) and period (year for a single market): each
    side's value, its 5-95% band with ``draws`` (each side's own band, from the same seed), and b - a.

    The usual question compares variants of one case: ``b`` the same file as ``a`` (the default) with
    parameters held or under a restriction scenario. Two different cases share only the outputs they both
    have; the outputs only one side has are listed apart, never dropped silently. ``facts``: every fact either
    case file cites, with its source, its codes in words (``fact_sources``) and the sides citing it."""
    left = a if isinstance(a, Variant) else Variant(a)
    right = left if b is None else b if isinstance(b, Variant) else Variant(b)
    total = 2 * draws
    runs = []
    for k, side in enumerate((left, right)):
        def heard(done: int, _total: int, offset: int = k * draws) -> None:
            if progress is not None:
                progress(offset + done, total)

        runs.append(scenario_run(store, side.path, draws, seed, side.overrides or None, side.restrictions,
                                 heard, calibration_draws))
    ra, rb = runs
    same_case = left.path.resolve() == right.path.resolve()
    linked_both = ra.get("model") == rb.get("model") == "linked"
    when = "period" if linked_both else "year"
    by_key = {(r["output"], r.get(when)): r for r in ra["outputs"]}
    rows = []
    for r in rb["outputs"]:
        old = by_key.get((r["output"], r.get(when)))
        if old is None:
            continue
        x, y = old["value"], r["value"]
        row = {"output": r["output"], when: r[when], "unit": r.get("unit", old.get("unit")), "a": x, "b": y,
               "difference": difference(x, y)}
        if draws:
            row |= {"a_p5": old.get("p5"), "a_p95": old.get("p95"), "b_p5": r.get("p5"), "b_p95": r.get("p95")}
        rows.append(row)
    compared = {r["output"] for r in rows}
    # what both sides' figures rest on: every fact each case file names (its numbers' and its bases' wording)
    cited = {side: _cited(v.path) | set(rests_on(store, v.path)["facts"]) for side, v in (("a", left), ("b", right))}
    facts = [{**fact, "cited_by": [side for side in ("a", "b") if fact_id in cited[side]]}
             for fact_id, fact in fact_sources(store, cited["a"] | cited["b"]).items()]
    name_a, name_b = str(ra["scenario"]), str(rb["scenario"])
    title_a = str(ra.get("title") or case_title(name_a, ra.get("description")))
    title_b = str(rb.get("title") or case_title(name_b, rb.get("description")))
    # each side by its case's title, as the Results page heads a run (a file name says little to a reader)
    label_a, label_b = left.describe(title_a, same_case), right.describe(title_b, same_case)
    text = _compared_text(ra.get("output_text", {}), rb.get("output_text", {}), compared, (label_a, label_b))
    if label_a == label_b:
        label_a, label_b = f"a: {label_a}", f"b: {label_b}"
    # each side's line by its name, in the one palette: side a in the model's colour, side b in the next
    sides = palette.assign([label_b], model=label_a)
    for output, words in text.items():
        words["colours"] = sides
        if band := _compared_band(rows, output, linked_both):
            words["band"] = band
    return {"a": label_a, "b": label_b, "case_a": name_a, "case_b": name_b, "title_a": title_a,
            "title_b": title_b, "same_case": same_case,
            "variants": {side: {"case": name, "parameters": dict(v.overrides),
                                "restrictions": None if v.restrictions is None else _scenario_label(v.restrictions)}
                         for side, name, v in (("a", name_a, left), ("b", name_b, right))},
            "draws": draws, "seed": seed,
            "data_as_of": max((d for d in (ra.get("data_as_of"), rb.get("data_as_of")) if d), default=None),
            "bands": ("each side's own 5-95% band of its draws (the same seed on both sides); the band of the "
                      "difference is not given" if draws else "no draws: values at the fitted parameters"),
            "difference_unit": "b - a, in each output's unit (percentage points for a share)",
            "output_text": text,
            "set_up_by": {"a": set_up_by(ra), "b": set_up_by(rb)},
            "only_in_a": sorted({r["output"] for r in ra["outputs"]} - compared),
            "only_in_b": sorted({r["output"] for r in rb["outputs"]} - compared),
            "differences": rows, "facts": facts}


def _compared_band(rows: list[dict[str, Any]], output: str, linked_both: bool) -> dict[str, Any] | None:
    """The value axis of a comparison's chart of ``output`` where it draws bands, by the rule of every medium
    (``labels.band_axis``): from both sides' values and their bands' tops over the rows the chart draws (a linked
    comparison's quarters); None without bands."""
    drawn = [r for r in rows if r["output"] == output and (not linked_both or "Q" in str(r["period"]))]
    high = [r.get(key) for r in drawn for key in ("a_p95", "b_p95")]
    if not any(v is not None for v in high):
        return None
    unit = next((r.get("unit") for r in drawn if r.get("unit")), None)
    return dataclasses.asdict(band_axis([v for r in drawn for v in (r["a"], r["b"])], high, unit))


def _compared_text(a: Mapping[str, Mapping[str, Any]], b: Mapping[str, Mapping[str, Any]], compared: set[str],
                   sides: tuple[str, str]) -> dict[str, Any]:
    """What a comparison's charts and tables of each output say it is: the words both runs give it; where two
    cases name one generic output differently (Micron's share of revenue from China against Nvidia's), each side's
    words, "a: ...; b: ...", and the unit's words for the axis they then share. An output one side has alone keeps
    that side's words (the page names the outputs missing on one side by them). No footer: the comparison's
    charts carry their own. A ``compared`` output (on both sides) that each run leaves without a chart (a share at
    0% or 100% throughout: each run's ``unchanging``) has none in the comparison either, and says why in its
    ``unchanging`` (``unchanging_on_both_sides``, naming the ``sides`` in words); one that moves on a side keeps
    its chart."""
    out: dict[str, Any] = {}
    for output in dict.fromkeys([*a, *b]):
        ta, tb = a.get(output), b.get(output)
        if ta is None or tb is None:
            one = ta or tb or {}
            out[output] = {"title": one["title"], "axis": one["axis"], "unit": one["unit"]}
        elif ta["title"] == tb["title"]:
            out[output] = {"title": ta["title"], "axis": ta["axis"], "unit": ta["unit"]}
        else:
            unit = ta["unit"] if ta["unit"] == tb["unit"] else None
            axis = ta["axis"] if ta["axis"] == tb["axis"] else (
                unit_words(unit) if unit else f"a: {ta['axis']}; b: {tb['axis']}")
            out[output] = {"title": f"a: {ta['title']}; b: {tb['title']}", "axis": axis, "unit": unit}
        if output in compared and ta is not None and tb is not None and (
                why := unchanging_on_both_sides(ta.get("unchanging"), tb.get("unchanging"), sides)):
            out[output]["unchanging"] = why
    return out


def run_case(store: Store, path: Path, draws: int = 0, seed: int = 20261125,
             overrides: Mapping[str, float] | None = None, restrictions: Path | dict[str, Any] | None = None,
             progress: Progress | None = None, calibration_draws: int = IMPORTANCE_DRAWS) -> MarketRunAnswer:
    """``scenario_run`` as a typed answer: a market case calibrated, run over its years, with bands."""
    from chipshift.api.answers import MarketRunAnswer

    return MarketRunAnswer.model_validate(scenario_run(store, path, draws, seed, overrides, restrictions, progress,
                                                       calibration_draws))


def compare_cases(store: Store, a: Path | Variant, b: Path | Variant | None = None, *, draws: int = 0,
                  seed: int = 20261125, calibration_draws: int = IMPORTANCE_DRAWS,
                  progress: Progress | None = None) -> MarketComparisonAnswer:
    """``scenario_compare`` as a typed answer: two market runs side by side, with b - a."""
    from chipshift.api.answers import MarketComparisonAnswer

    return MarketComparisonAnswer.model_validate(scenario_compare(
        store, a, b, draws=draws, seed=seed, calibration_draws=calibration_draws, progress=progress))


# -- linked markets -------------------------------------------------------------------------------------------------

def _value(x: float) -> float | None:
    """A model value for a report: rounded, or None where the model gives none (a share of nothing)."""
    return round(float(x), 4) if math.isfinite(x) else None


def _linked_run(store: Store, path: Path, sourced: linked.LinkedCase, governed: linked.Governed, draws: int,
                seed: int, overrides: Mapping[str, float] | None, started: float,
                progress: Progress | None = None, calibration_draws: int = IMPORTANCE_DRAWS) -> Report:
    """``scenario_run`` of a linked case: outputs by period with their unit."""
    case = apply_overrides(sourced, overrides, path.name)
    errors = {f["id"]: bt.error_of(f["status"]) for f in store.rows("facts")}
    calibration = linked_analysis.bayesian_calibration(case, governed, errors, seed=seed, draws=calibration_draws)
    post = calibration.posterior
    values = {name: p.default for name, p in case.params.items()} | calibration.medians
    out = linked.outputs(case, linked.run(case, governed, {k: np.full(1, v) for k, v in values.items()},
                                          rationing=True))
    error = library_error(store) if draws else None
    bands = linked_analysis.predictive_bands(case, governed, calibration, draws, error=error, seed=seed,
                                             progress=progress) if draws else {}
    rows = []
    for name, (periods, series, unit) in out.items():
        band = bands.get(name)
        for i, period in enumerate(periods):
            row: dict[str, Any] = {"output": name, "period": period, "value": _value(series[i, 0]), "unit": unit}
            if band:
                j = band["periods"].index(period)
                row |= {k: _value(band[k][j]) for k in ("p5", "median", "p95")}
            rows.append(row)
    summary = {p.name: p for p in post.summary}
    fitted = {k: round(v, 6) for k, v in calibration.medians.items()
              if calibration.targets and case.params[k].fit} if calibration.targets else {}
    headlines = [n for n in out if (spec := linked_output(n)) is not None and spec.pattern in LINKED_HEADLINES]
    sensitivity = global_sensitivity.sobol(case, governed, fitted, headlines, n=SOBOL_POINTS, seed=seed)
    fact_ids = {f["id"] for f in store.rows("facts")}
    table = [{**{k: v for k, v in r.items() if k not in ("source", "document")},
              "fact": r["source"] if r["source"] in fact_ids else None,
              "basis": None if r["source"] in fact_ids else r["source"], "source": r["document"],
              **_quarters_covered(case, r["output"], r["period"])} for r in calibration.table]
    comparison = [{"output": o.output, "period": o.period,
                   "model": next((r["value"] for r in rows if (r["output"], r["period"]) == (o.output, o.period)),
                                 None),
                   "published": _linked_published(store, case, o.output, o.period),
                   **_quarters_covered(case, o.output, o.period)} for o in case.observations]
    fitted_ids = set(fitted)
    not_pinned = [k for k in fitted if not summary[k].identified]
    at_edge = [k for k in fitted if summary[k].at_bound is not None]
    unfitted = None if fitted_ids else _unfitted(sourced, overrides, bool(calibration.targets))
    band_method = None if not draws else (
        f"{draws:,} draws of the parameters from their posterior, each output moved by the model's error on "
        "outcomes it was not fitted to, learned from the bundled back-test library (Student-t with "
        f"{error.dof:g} degrees of freedom, scale {error.scale:.3f} in logs, log-odds for percentages, times the "
        f"square root of the years after {calibration.origin.isoformat()}, at least a quarter; the bands then "
        f"stretched {error.stretch:.2f}-fold about their medians, so that 90% bands would have held 90% of the "
        "library's outcomes)" if error else
        f"{draws:,} draws of the parameters from their posterior (no back-test episode loads, so the model's own "
        "error is not in the bands)")
    markets = [{"id": m.id, "region": m.region, "segment": m.segment, "product": m.product} for m in case.markets]
    report: Report = {
        "scenario": case.name, "model": "linked", "digest": case_digest(path), "file": str(path),
        "description": case.description,
        "region": ", ".join(dict.fromkeys(m.region for m in case.markets)),
        "product": ", ".join(dict.fromkeys(m.product for m in case.markets)),
        "markets": markets, "sellers": [s.id for s in case.sellers], "periods": [case.start, case.end],
        "value_unit": case.value_unit,
        "parameters": [{"id": p.id, "value": values[p.id], "shown": parameter_shown(values[p.id]),
                        "default": p.default, "low": p.low, "high": p.high,
                        "fitted": p.id in fitted_ids, "monte_carlo": p.id in summary,
                        "fittable": p.fit, "overridden": p.id in (overrides or {}), "basis": p.basis,
                        "posterior": _posterior_row(summary[p.id]) if p.id in summary else None}
                       for p in sourced.params.values()],
        "overrides": {k: float(v) for k, v in sorted((overrides or {}).items())},
        "calibration": {
            "procedure": _procedure(post, bool(calibration.targets)),
            "fitted": fitted,
            "rmse": None if calibration.error is None else round(calibration.error, 4),
            "rmse_of": "relative errors of the central run (model / observed - 1)",
            "not_pinned_down": not_pinned, "at_edge_of_range": at_edge,
            "statement": _statement(not_pinned, at_edge, unfitted, posterior=True),
            "sampler": _sampler(post),
            "table": table,
        },
        "bands": band_method,
        "model_error": None if error is None else {"scale": round(error.scale, 4), "dof": error.dof,
                                                   "stretch": round(error.stretch, 4),
                                                   "from": calibration.origin.isoformat(),
                                                   "learned_from": "the bundled back-test library"},
        "outputs": rows,
        "draws": draws, "seed": seed if draws else None,
        "sensitivity": sensitivity,
        "sensitivity_method": {
            "method": "Sobol' first-order and total indices (Saltelli design, SALib) over every ranged parameter's "
                      "range, with 95% bootstrap half-widths; at_low/at_high: each parameter alone at its ends",
            "base_points": SOBOL_POINTS, "evaluations": SOBOL_POINTS * (len(global_sensitivity.varied(case)) + 2),
            "seed": seed},
        "published_beside_model": comparison,
        "sources": sorted(_cited(path)),
        "notes": list(case.notes),
        "warnings": _warnings(case.warnings),
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    return _titled(report | _labels(store, path, report, _linked_names(store, case)))


def _quarter(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _quarters_covered(case: linked.LinkedCase, output: str, period: str) -> dict[str, list[str]]:
    """``{"quarters": [first, last]}``: the calendar quarters a longer period of a linked output spans (a year, a
    fiscal year on its firm's calendar: Micron's FY2022, to September 2022, spans 2021Q4 to 2022Q3), the quarters
    of its first and last three months' middles; nothing for a calendar quarter (the charts' own steps) or a
    label that names no period."""
    if re.fullmatch(r"\d{4}Q[1-4]", period):
        return {}
    try:
        length = Period.parse(period)
        end = case.period_end(output, period)
    except ValueError:
        return {}
    start = end - (length.end - length.start)
    return {"quarters": [_quarter(start + timedelta(days=45)), _quarter(end - timedelta(days=45))]}


def _procedure(post: Posterior, fitted: bool) -> str:
    """How a case was calibrated, in words."""
    if not fitted:
        return ("none: no observation is marked fit, so every ranged parameter keeps its prior; values are the run "
                "at the prior medians")
    return ("Bayesian: a PERT prior on every ranged parameter's range (mode at its default) and on the model's "
            "error; the observations marked fit, each with the error of its kind of figure, weigh the draws "
            f"({_SAMPLERS.get(post.method, post.method)}); values are the run at the parameters' posterior medians")


def _sampler(post: Posterior) -> dict[str, Any]:
    """The sampler's diagnostics for a report."""
    return {"method": post.method, "evaluations": post.evaluations,
            "effective_draws": None if math.isnan(post.importance_ess) else round(post.importance_ess),
            "seconds": round(post.seconds, 2), "warnings": list(post.warnings)}


_SAMPLERS = {"importance": "importance sampling from the prior", "adaptive importance": "adaptive importance "
             "sampling", "emcee": "emcee's affine-invariant ensemble", "prior": "the prior, drawn exactly"}


def _posterior_row(p: ParameterSummary) -> dict[str, Any]:
    return {"mean": round(p.mean, 6), "sd": round(p.sd, 6), "p5": round(p.p5, 6), "p95": round(p.p95, 6),
            "prior_sd": round(p.prior_sd, 6), "identified": p.identified, "at_bound": p.at_bound}


def _cited(path: Path) -> set[str]:
    """Every fact id the case file's numbers name (``{fact: ID}``)."""
    document, _ = load_yaml(path, path.name)
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("fact"), str):
                found.add(value["fact"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(strip_lines(document))
    return found


#: A fact id as a case's wording (a ``basis``) names one: lower-case words and numbers joined by hyphens.
FACT_ID_IN_WORDS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){2,}")


def rests_on(store: Store, path: Path) -> dict[str, list[str]]:
    """What a case's run rests on, as its charts' footers name it: ``facts``, every fact its set-up cites (the
    ``{fact: ID}`` of its numbers, the fact ids a ``basis`` names in its words, the facts of the parameters.csv
    rows its parameters take with ``from``) and ``documents``, every document a stated value names as its
    ``source``. An observation counts when the run is fitted to it (``fit``, true unless stated); one shown
    beside the model only, and an episode's outcomes, set nothing up (a chart that plots them names them itself).
    Only ids the store holds are kept."""
    document, _ = load_yaml(path, path.name)
    document = strip_lines(document)
    facts: set[str] = set()
    documents: set[str] = set()

    def walk(value: Any, key: str | None = None) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("fact"), str):
                facts.add(value["fact"])
            if isinstance(value.get("basis"), str):
                facts.update(FACT_ID_IN_WORDS.findall(value["basis"]))
            # a stated value's (or an observation's) document; a revenue's or a ban's `source` is a supplier
            if isinstance(value.get("source"), str) and key not in ("revenues", "bans"):
                documents.add(value["source"])
            for k, item in value.items():
                if k not in ("fact", "basis", "source"):
                    walk(item, str(k))
        elif isinstance(value, list):
            for item in value:
                walk(item, key)

    if not isinstance(document, dict):
        return {"facts": [], "documents": []}
    for key, value in document.items():
        if key in ("outcomes", "episode", "notes", "description"):
            continue
        if key == "observations":
            value = [o for o in value or [] if not (isinstance(o, dict) and o.get("fit") is False)]
        if key == "parameters":
            for spec in (value or {}).values():
                rows = store.rows("parameters", id=str(spec["from"])) if isinstance(spec, dict) and spec.get(
                    "from") else []
                facts.update(str(rows[0][f"{b}_fact"]) for b in ("default", "low", "high") if rows
                             and rows[0].get(f"{b}_fact"))
        walk(value, key)
    return {"facts": sorted(f for f in facts if store.rows("facts", id=f)),
            "documents": sorted(d for d in documents if store.rows("sources", id=d))}


def _linked_published(store: Store, case: linked.LinkedCase, output: str, period: str) -> list[dict[str, Any]]:
    """Every stored estimate of the same figure as a linked output, to show beside the model's value: a
    region's localization, an owner's share of revenue from a region, its revenue, a firm's market share (in a
    market's region, or the world's for its product)."""
    spec = linked_output(output)
    if spec is None:
        return []
    head, _, where = output.partition("@")
    name = head.partition(":")[2]
    markets = {m.id: m for m in case.markets}
    firms = {s.id: s.firm for s in case.sellers}
    region: str | None = None
    if spec.pattern == "localization@<region>":
        products = {m.product for m in case.markets if m.region == where}
        rows = store.facts(entity=where, metric="localization_rate",
                           product=next(iter(products)) if len(products) == 1 else None)
    elif spec.pattern == "revenue_share:<owner>@<region>":
        rows, region = store.facts(entity=name, metric="revenue_share_region"), where
    elif spec.pattern == "revenue:<owner>":
        rows = store.facts(entity=name, metric="revenue")
    elif spec.pattern == "share:<seller>" and firms.get(name):  # of every market of its product: the world's
        product = next(s.product for s in case.sellers if s.id == name)
        rows, region = store.facts(entity=firms[name], metric="market_share", product=product), "WLD"
    elif spec.pattern == "share:<seller>@<market>" and firms.get(name):
        market = markets[where]
        rows, region = store.facts(entity=firms[name], metric="market_share", product=market.product), market.region
    else:
        return []
    out = []
    for f in rows:
        if f["period"] != period or (region is not None and f["region"] != region):
            continue
        value, unit = f["value"], f["unit"]
        if spec.pattern == "revenue:<owner>" and unit != case.value_unit:
            # a revenue stands beside the model in the case's value unit: converted within its currency (million
            # to billion dollars), left out in another currency (no exchange rate is assumed here)
            have, want = UNITS.get(str(unit)), UNITS.get(case.value_unit)
            if have is None or want is None or have.dimension != want.dimension or value is None:
                continue
            value, unit = float(value) * have.factor / want.factor, case.value_unit
        out.append({"fact": f["id"], "value": value, "unit": unit, "status": f["status"],
                    "definition": f["definition"], "region": f["region"],
                    "publisher": f["original_publisher"] or f["publisher"], "url": f["url"]})
    return out


def _words(code: str) -> str:
    """A case's own id in words: ``critical_information_infrastructure`` -> ``critical information
    infrastructure``."""
    return code.replace("_", " ").replace("-", " ")


def _names(store: Store, table: str) -> list[tuple[str, str, list[str]]]:
    """(id, name, aliases) of a table's entities, read once per state of the store (as ``api.data.resolve``
    reads them): a back-test names the outputs of every episode it scores."""
    entries: list[tuple[str, str, list[str]]] = store.cached(f"names:{table}", functools.partial(store.names, table))
    return entries


def _store_names(store: Store, table: str) -> dict[str, str]:
    return {i: name for i, name, _ in _names(store, table)}


def _short_names(store: Store) -> dict[str, str]:
    """Each firm's name as a title gives it (``reports.labels.short_name``: Micron for Micron Technology)."""
    return {i: short_name(name, aliases) for i, name, aliases in _names(store, "firms")}


def _single_names(store: Store, case: MarketCase) -> dict[str, dict[str, str]]:
    """The names a single-market run's tables and charts use for its codes: the knowledge base's names of its
    region, product and firms; a source that is no firm by ``reports.labels.seller_name`` (a domestic one: the
    region's producers), a revenue that is not a firm's and a segment in words; the sources and revenues that are
    no firm (``groups``: titles give them no possessive, ``reports.labels.is_group``)."""
    firms = _store_names(store, "firms")
    countries = _store_names(store, "countries")
    inputs = _store_names(store, "inputs")
    region = countries.get(case.region, case.region)
    # a source that is no firm but domestic is a group of the region's own producers
    owners = {s.id: seller_name(s.id, firms.get(s.id), region if s.domestic else None) for s in case.sources}
    owners |= {r.label: seller_name(r.label, firms.get(r.label)) for r in case.revenues}
    if case.firm:
        owners[case.firm] = firms.get(case.firm, _words(case.firm))
    short = _short_names(store)
    return {"regions": {case.region: region},
            "products": {case.product: inputs.get(case.product, _words(case.product))},
            "owners": owners, "short": {code: short[code] for code in owners if code in short},
            "groups": {code: name for code, name in owners.items() if code not in firms},
            "segments": {g: _words(g) for g in case.segments}, "markets": {}}


def _linked_names(store: Store, case: linked.LinkedCase) -> dict[str, dict[str, str]]:
    """The names a linked run's tables and charts use for its codes: regions, products and firms as the
    knowledge base names them; a seller of a firm's by the firm's name (and its product, when the firm sells
    several); a seller that is no firm by ``reports.labels.seller_name`` (its producing region's producers); a
    segment in words; a market by its product, region and segment; a rule of the case by its name; the sellers
    that are no firm (``groups``: titles give them no possessive, ``reports.labels.is_group``)."""
    firms = _store_names(store, "firms")
    countries = _store_names(store, "countries")
    inputs = _store_names(store, "inputs")
    regions = {m.region: countries.get(m.region, m.region) for m in case.markets}
    products = {p: inputs.get(p, _words(p)) for p in {m.product for m in case.markets} | {s.product
                                                                                           for s in case.sellers}}
    products_of: dict[str, set[str]] = {}
    for s in case.sellers:
        products_of.setdefault(s.owner, set()).add(s.product)
    owners: dict[str, str] = {}
    short: dict[str, str] = {}  # as titles name them: the firm's short name, without the product
    firm_short = _short_names(store)
    for s in case.sellers:
        place = countries.get(s.country, s.country) if s.country and not s.firm else None
        owner = seller_name(s.owner, firms.get(s.owner), place)
        owners[s.owner] = owner
        short[s.owner] = short[s.id] = firm_short.get(s.owner) or owner
        if s.id != s.owner:
            owners[s.id] = f"{owner} ({products[s.product]})" if len(products_of[s.owner]) > 1 else owner
    # sellers of one product that the names above do not tell apart (a firm's brand, a country's producers'
    # lines): each by its own name, a brand that is a firm of the knowledge base by that firm's ("Honor"), else
    # the shared name with the line's id ("the United States' producers (model3)"); a firm's own line keeps it
    alike: dict[tuple[str, str], list[linked.Seller]] = {}
    for s in case.sellers:
        alike.setdefault((short[s.id], s.product), []).append(s)
    for same in alike.values():
        for s in same if len(same) > 1 else ():
            if s.firm and s.id == s.firm:
                continue
            name = firm_short.get(s.id) or firms.get(s.id) or f"{owners[s.id]} ({_words(s.id)})"
            owners[s.id] = short[s.id] = name
    segments = {m.segment: _words(m.segment) for m in case.markets if m.segment}
    markets = {m.id: f"{products[m.product]}, {regions[m.region]}"
               + (f", {segments[m.segment]} buyers" if m.segment else "") for m in case.markets}
    wanted = {entry.rule for entry in case.rules}
    rules = {str(r["id"]): str(r["name"]) for r in store.rows("rules") if r["id"] in wanted and r.get("name")}
    groups = {code: owners[s.owner] for s in case.sellers if not s.firm for code in (s.owner, s.id)}
    return {"regions": regions, "products": products, "owners": owners, "short": short, "groups": groups,
            "segments": segments,
            "markets": markets, "seller_products": {s.id: products[s.product] for s in case.sellers},
            "rules": rules}


#: Where the Results page gives each cited fact with its quote (the words a chart's footer ends with).
WEB_QUOTES = "the source panel each figure opens"


def _warnings(found: Iterable[Problem]) -> list[str]:
    """What the case's loader let through with a warning, each after the name of its check."""
    return [f"{p.check}: {p}" for p in found]


def fact_sources(store: Store, fact_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """For each fact id the store holds: the fact's value and its source (publisher, title, URL, date, quote),
    with its codes in words as a run's tables give them (``entity_name``: the knowledge base's name of the firm,
    country or input, ``api.data.entity_words``; ``metric_words``, ``unit_words``: the vocabulary's,
    ``reports.labels``;
    the names of its product and region, if it has them)."""
    out: dict[str, dict[str, Any]] = {}
    named: dict[str, str] | None = None
    for fact_id in sorted(fact_ids):
        rows = store.rows("facts", id=fact_id)
        if not rows:
            continue
        fact = rows[0]
        named = named if named is not None else entity_names(store)
        source = (store.rows("sources", id=fact["source"]) or [{}])[0]
        out[fact_id] = {"fact": fact_id, "entity": fact["entity"], "metric": fact["metric"],
                        "period": fact["period"], "value": fact["value"], "unit": fact["unit"],
                        "entity_name": entity_words(str(fact["entity"]), named),
                        "metric_words": metric_words(str(fact["metric"])),
                        "product_name": named.get(fact["product"], fact["product"]) if fact["product"] else None,
                        "region_name": named.get(fact["region"], fact["region"]) if fact["region"] else None,
                        "unit_words": unit_words(fact["unit"]),
                        "status": fact["status"], "quote": fact["quote"], "source": fact["source"],
                        "publisher": source.get("publisher"), "original_publisher": source.get("original_publisher"),
                        "title": source.get("title"), "url": source.get("url"),
                        "published": str(source["published"]) if source.get("published") else None}
    return out


def _documents(store: Store, ids: Iterable[str]) -> dict[str, dict[str, str | None]]:
    """Each document by its source id, with its publisher (the original one for a reprint), title, publication
    date and URL."""
    out: dict[str, dict[str, str | None]] = {}
    for found in (row for i in sorted(set(ids)) for row in store.rows("sources", id=i)):
        out[str(found["id"])] = {
            "publisher": str(found["original_publisher"] or found["publisher"] or "") or None,
            "title": found["title"], "published": None if found["published"] is None else str(found["published"]),
            "url": found["url"]}
    return out


def _titled(report: Report) -> Report:
    """The report with its ``title`` second, after ``scenario``, as its answer declares it."""
    return {"scenario": report["scenario"], "title": report["title"], **report}


def _labels(store: Store, path: Path, report: Report, names: dict[str, dict[str, str]]) -> Report:
    """What a run's tables and charts need to say what they show: its ``title`` (``labels.case_title``), its
    calibration statement naming each parameter in words (``labels.with_parameter_names``), ``names`` (codes in
    words), what the run
    rests on (``rests_on``), every cited fact's publisher (``publishers``: the original publisher where the source
    reprints one), every cited document (``documents``: a literal observation's, a stated value's) and
    ``data_as_of``, the latest publication date of the figures the run cites; ``facts``, each cited fact with its
    source and quote (``fact_sources``)."""
    behind = rests_on(store, path)
    cited = set(report["sources"]) | set(behind["facts"]) | {row["fact"] for row in report["calibration"]["table"]
                                                             if row.get("fact")}
    for entry in report["published_beside_model"]:
        cited |= {p["fact"] for p in entry["published"]}
    publishers: dict[str, str] = {}
    dates: list[str] = []
    for fact in store.facts():
        if fact["id"] in cited:
            publishers[fact["id"]] = str(fact["original_publisher"] or fact["publisher"] or "unknown publisher")
            if fact["published"]:
                dates.append(str(fact["published"]))
    documents = _documents(store, [*behind["documents"], *(row["source"] for row in report["calibration"]["table"]
                                                           if row.get("source"))])
    dates += [d["published"] for d in documents.values() if d["published"]]
    labels = {"names": names, "rests_on": behind, "publishers": dict(sorted(publishers.items())),
              "documents": documents, "facts": fact_sources(store, cited), "data_as_of": max(dates) if dates else None,
              "title": case_title(str(report["scenario"]), report.get("description"))}
    # the calibration statement names each parameter by what it sets, its id after it
    said = parameter_words(case_document(str(path)), names)
    labels["calibration"] = {**report["calibration"],
                             "statement": with_parameter_names(report["calibration"]["statement"], said)}
    labelled = {**report, **labels}
    text: dict[str, dict[str, Any]] = {}
    outputs = list(dict.fromkeys(row["output"] for row in report["outputs"]))
    if any(o.startswith("share:") and "@" not in o for o in outputs):
        outputs.append("shares")  # the suppliers' shares stacked in one chart
    linked_run = report.get("model") == "linked"
    colours = series_colours(labelled)  # one colour a series, in every chart of the run and every medium
    cues = series_cues(labelled)  # and past the palette's colours, a second cue
    ends = data_end(labelled)  # a linked run's last quarter with sourced values (labels.data_end)
    for output in outputs:
        words = describe(labelled, output)
        points = figure_points(labelled, output) if linked_run else []
        note = other_basis_note(points, is_flow(labelled, output))
        text[output] = {"title": words.title, "axis": words.axis, "unit": words.unit,
                        "footer": footer(labelled, publishers_of(labelled, output), WEB_QUOTES)
                        + (f" {note}" if note else ""),
                        "unchanging": unchanging(labelled, output)}
        if linked_run:
            text[output]["points"] = [dataclasses.asdict(f) for f in points]
        text[output]["colours"] = chart_colours(labelled, output, colours)  # after the points, as the answer orders
        if chart := chart_cues(labelled, output, cues):
            text[output]["cues"] = chart
        if any(row.get("p95") is not None for row in report["outputs"] if row["output"] == output):
            # the value axis by the rule of every medium: the web draws the band to it, as the files and report do
            text[output]["band"] = dataclasses.asdict(output_band_axis(labelled, output))
        if ends and any(row["output"] == output and period_kind(str(row["period"])) == "quarter"
                        for row in report["outputs"]):
            text[output]["data_end"] = dataclasses.asdict(ends)  # where the data end, as every medium marks it
    return {**labels, "output_text": text}
