"""Files of a back-test: the scorecard's tables (CSV, Parquet, JSON) and a chart of predicted against
observed changes with their intervals."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt
import pandas as pd

from chipshift.reports import labels
from chipshift.reports.chart_style import printable, save
from chipshift.scenarios.market_case_check import linked_output
from chipshift.schemas.market_case import LINKED_UNITS


def level_ratios(report: dict[str, Any]) -> pd.DataFrame:
    """Each outcome's observed level and predicted quantiles as multiples of its reference level."""
    frame = pd.DataFrame(report["outcomes"])
    if frame.empty:
        return frame
    ref = frame["reference"].where(frame["reference"] != 0, float("nan"))
    out = frame[["episode", "output", "period", "from", "in90"]].copy()
    out["observed"] = frame["observed"] / ref
    for column, quantile in (("median", "median_change"), ("p5", "p5"), ("p25", "p25"), ("p75", "p75"),
                             ("p95", "p95")):
        out[column] = (ref + frame[quantile]) / ref
    return out


def zero_reference_note(outcome: Mapping[str, Any]) -> str | None:
    """For an outcome whose reference level is zero (no multiple of it exists: the chart cannot place it), its
    levels in words, drawn on its row instead of marks: the observed level, the model's median and 90% interval
    (each the reference plus the change); None for any other outcome."""
    if outcome["reference"] != 0:
        return None
    unit = {"pct": "%"}.get(str(outcome.get("unit") or ""), f" {outcome.get('unit') or ''}".rstrip())

    def level(change: float) -> str:
        return f"{outcome['reference'] + change:.3g}{unit}"

    return (f"reference level 0, so no multiple: observed {outcome['observed']:.3g}{unit}; model median "
            f"{level(outcome['median_change'])}, 90% {level(outcome['p5'])} to {level(outcome['p95'])}")


def outcome_label(outcome: Mapping[str, Any]) -> str:
    """An outcome's row as the chart names it: its output in words (its ``title``; its code where it has none),
    from its reference period to its own, then its episode."""
    return (f"{printable(str(outcome.get('title') or outcome['output']))}, {outcome['from']}→{outcome['period']}"
            f" ({outcome['episode']})")


def chart(report: dict[str, Any], stem: Path) -> list[str]:
    """Predicted (median, 50% and 90% intervals) against observed level, one row per outcome, as multiples of
    the level in the outcome's reference period (log scale)."""
    frame = level_ratios(report)
    n = len(frame)
    fig, ax = plt.subplots(figsize=(12.0, 1.4 + 0.3 * max(n, 1)))  # room for the plot between two label columns
    y = list(range(n))[::-1]
    floor = 1e-3  # a level at or below zero is drawn at the axis's left end
    for row, yi in zip(frame.to_dict("records"), y, strict=True):
        def at(x: float) -> float:
            return max(float(x), floor)

        ax.plot([at(row["p5"]), at(row["p95"])], [yi, yi], color="#9ecae1", linewidth=2.0, solid_capstyle="butt",
                label="model: 90% interval" if yi == y[0] else None)
        ax.plot([at(row["p25"]), at(row["p75"])], [yi, yi], color="#3182bd", linewidth=5.0, solid_capstyle="butt",
                label="model: 50% interval" if yi == y[0] else None)
        ax.plot(at(row["median"]), yi, "o", color="#08306b", markersize=4,
                label="model: median" if yi == y[0] else None)
        ax.plot(at(row["observed"]), yi, "D", color="#2ca02c" if row["in90"] else "#d62728", markersize=5)
    ax.plot([], [], "D", color="#2ca02c", label="observed (inside the 90% interval)")
    ax.plot([], [], "D", color="#d62728", label="observed (outside it)")
    ax.axvline(1.0, color="grey", linewidth=0.8)
    ax.set_xscale("log")
    seen = pd.concat([frame["observed"], frame["median"]]).clip(lower=floor)
    left = max(float(seen.min()) / 4.0, floor / 2.0)
    ax.set_xlim(left, min(float(seen.max()) * 4.0, 1e3))
    # a row whose reference level is zero has no multiple to draw: it says its levels instead of being blank
    if any(o["reference"] == 0 for o in report["outcomes"]):
        for outcome, yi in zip(outcome_table(report).to_dict("records"), y, strict=True):
            note = zero_reference_note(outcome)
            if note:
                ax.text(left * 1.3, yi, note, fontsize=6.5, va="center", ha="left", color="#444444")
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_yticks(y)
    ax.set_yticklabels([outcome_label(r) for r in report["outcomes"]], fontsize=7)
    scale = "level as a multiple of the level in the reference period (log scale; 1 = no change)"
    ax.set_xlabel(scale)
    # a long chart says its scale at its top as well as at its foot
    ax.tick_params(axis="x", which="both", top=True, labeltop=True)
    ax.xaxis.set_label_position("bottom")
    ax.annotate(scale, xy=(0.0, 1.0), xycoords="axes fraction", xytext=(0, 20), textcoords="offset points",
                fontsize=7.5, ha="left", va="bottom")  # above the top tick labels, not over them
    # each row's publishers at its right: where its observed figures come from
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks(y)
    right.set_yticklabels([printable(publisher_label(r)) for r in report["outcomes"]], fontsize=6.5,
                          color="#444444")
    right.tick_params(axis="y", length=0)
    card = report["scorecard"]
    ax.set_title(f"Back-test: predicted vs observed, {card['outcomes']} outcomes of {card['episodes']} episodes\n"
                 f"(90% intervals hold {_pct(card['coverage90_pct'])}, direction right for "
                 f"{_pct(card['direction_pct'])}, size within ±50% for {_pct(card['size_pct'])}); at the right of "
                 f"each row, the publishers of its observed figures", fontsize=9, pad=70)
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=5, frameon=False, borderaxespad=5.0)
    ax.annotate("\n".join(textwrap.wrap(
                "Observed: the sourced figures named in outcomes.csv ('source', 'publishers'). Model: posterior "
                "predictive over the parameters, the model's error (learned from the other episodes) and the "
                f"figure's error. {library_dates(report)}", 110)),
                xy=(0.0, 0.0), xycoords="axes fraction", xytext=(0, -34), textcoords="offset points",
                fontsize=6.5, ha="left", va="top")
    return save(fig, stem)


def library_dates(report: Mapping[str, Any]) -> str:
    """When the scored library's data are from, for a chart's footer: the span of its episodes' set-up dates
    (``as_of``) and the day its latest episode was written with its outcomes."""
    episodes = report.get("episodes") or []
    set_up = sorted(str(e["as_of"]) for e in episodes if e.get("as_of"))
    written = sorted(str(e["written"])[:10] for e in episodes if e.get("written"))
    parts = [f"Episodes set up as of {set_up[0]} to {set_up[-1]}" if set_up else "",
             f"the latest written, with its outcomes, on {written[-1]}" if written else ""]
    return (", ".join(p for p in parts if p) + ".") if any(parts) else ""


def publisher_label(outcome: Mapping[str, Any]) -> str:
    """The publishers of an outcome's observed figures as its row names them: the first two, and how many more;
    "source stated in outcomes.csv" where its source names no bundled fact."""
    names = outcome.get("publishers") or []
    if not names:
        return "source stated in outcomes.csv"
    more = f" and {len(names) - 2} more" if len(names) > 2 else ""
    return ", ".join(names[:2]) + more


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0f}%"


#: The units of a scorecard row's measures (one row per set of outcomes, one column per measure).
SCORECARD_UNITS = ("episodes, outcomes: counts; direction_pct, size_pct, coverage50_pct, coverage90_pct: percent of "
                   "the outcomes; crps, interval_score90: on log levels (log-odds for percentages); size_ratio: "
                   "predicted over observed change, median of the outcomes whose direction is right")


def outcome_unit(output: str, document: Any) -> str | None:
    """The unit an outcome's levels and changes are in: its output's unit (``pct``, ``index``), the episode's
    ``value_unit`` for money and volumes, the declared words for a seller's own price or quantity."""
    declared = linked_output(output)
    if declared is None:
        return None
    if declared.unit == "value_unit":
        unit = document.get("value_unit") if isinstance(document, Mapping) else None
        return None if unit is None else str(unit)
    if declared.unit in ("pct", "index"):
        return declared.unit
    return LINKED_UNITS[declared.unit]


def outcome_table(report: dict[str, Any]) -> pd.DataFrame:
    """The scored outcomes with the unit of ``reference``, ``observed`` and the changes and their quantiles in a
    ``unit`` column after ``observed``."""
    frame = pd.DataFrame(report["outcomes"])
    if frame.empty:
        return frame
    documents = {e["episode"]: labels.case_document(e.get("file")) for e in report["episodes"]}
    if "publishers" in frame:  # one cell of text per outcome in every format
        frame["publishers"] = ["; ".join(v) if isinstance(v, list) else v for v in frame["publishers"]]
    columns = list(frame.columns)
    frame["unit"] = [outcome_unit(str(o), documents.get(e)) for o, e in zip(frame["output"], frame["episode"],
                                                                              strict=True)]
    place = columns.index("observed") + 1
    return frame[[*columns[:place], "unit", *columns[place:]]]


def posterior_table(report: dict[str, Any]) -> pd.DataFrame:
    """Each episode's parameters' priors and posteriors, with the unit they are in (the model error's: the
    standard deviation of a log level, of log-odds for a percentage)."""
    rows = []
    for e in report["episodes"]:
        units = labels.parameter_units(labels.case_document(e.get("file")))
        for p in e["parameters"]:
            unit = "log scale (log-odds for a percentage)" if p["parameter"] == "model_error" else units.get(
                p["parameter"])
            rows.append({"episode": e["episode"], "parameter": p["parameter"], "unit": unit,
                         **{k: v for k, v in p.items() if k != "parameter"}})
    return pd.DataFrame(rows)


def write_backtest(report: dict[str, Any], out: Path) -> list[str]:
    """Write the scorecard's tables and chart into ``out``; returns the file names."""
    out.mkdir(parents=True, exist_ok=True)
    outcomes = outcome_table(report)
    outcomes.to_csv(out / "outcomes.csv", index=False)
    outcomes.to_parquet(out / "outcomes.parquet", index=False)
    parameters = posterior_table(report)
    parameters.to_csv(out / "posterior.csv", index=False)
    pd.DataFrame([{"set": "all", **report["scorecard"], "unit": SCORECARD_UNITS},
                  {"set": "held_out", **{k: v for k, v in report["scorecard_held_out"].items()
                                         if k != "written_on_or_after"}, "unit": SCORECARD_UNITS},
                  *({"set": f"{kind}:{row['group']}", **{k: v for k, v in row.items() if k != "group"},
                     "unit": SCORECARD_UNITS}
                    for kind, key in (("horizon", "scorecard_by_horizon"), ("mechanism", "scorecard_by_mechanism"),
                                      ("change", "scorecard_by_change"))
                    for row in report[key])]
                 ).to_csv(out / "scorecard.csv", index=False)
    (out / "backtest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str),
                                       encoding="utf-8")
    return ["outcomes.csv", "outcomes.parquet", "posterior.csv", "scorecard.csv", "backtest.json",
            *chart(report, out / "backtest")]
