"""Files of a back-test: the scorecard's tables (CSV, Parquet, JSON) and a chart of predicted against
observed changes with their intervals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt
import pandas as pd

from chipshift.reports.market import _save


def relative_changes(report: dict[str, Any]) -> pd.DataFrame:
    """Each outcome's observed and predicted change as a percentage of its reference level."""
    frame = pd.DataFrame(report["outcomes"])
    if frame.empty:
        return frame
    scale = frame["reference"].abs().where(frame["reference"] != 0, 1.0) / 100.0
    out = frame[["episode", "output", "period", "from", "in90"]].copy()
    for column in ("observed_change", "median_change", "p5", "p25", "p75", "p95"):
        out[column] = frame[column] / scale
    return out


def chart(report: dict[str, Any], stem: Path) -> list[str]:
    """Predicted (median, 50% and 90% intervals) against observed change, one row per outcome."""
    frame = relative_changes(report)
    n = len(frame)
    fig, ax = plt.subplots(figsize=(9.0, 1.2 + 0.42 * max(n, 1)))
    y = list(range(n))[::-1]
    for row, yi in zip(frame.itertuples(), y, strict=True):
        ax.plot([row.p5, row.p95], [yi, yi], color="#9ecae1", linewidth=2.0, solid_capstyle="butt",
                label="model: 90% interval" if yi == y[0] else None)
        ax.plot([row.p25, row.p75], [yi, yi], color="#3182bd", linewidth=5.0, solid_capstyle="butt",
                label="model: 50% interval" if yi == y[0] else None)
        ax.plot(row.median_change, yi, "o", color="#08306b", markersize=5,
                label="model: median" if yi == y[0] else None)
        ax.plot(row.observed_change, yi, "D", color="#d62728" if not row.in90 else "#2ca02c", markersize=6,
                label=None)
    ax.plot([], [], "D", color="#2ca02c", label="observed (inside the 90% interval)")
    ax.plot([], [], "D", color="#d62728", label="observed (outside it)")
    ax.axvline(0.0, color="grey", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{r['episode']}: {r['output']}, {r['from']}→{r['period']}"
                        for r in frame.to_dict("records")], fontsize=7)
    ax.set_xlabel("change from the reference period, % of the reference level")
    card = report["scorecard"]
    ax.set_title(f"Back-test: predicted vs observed change, {card['outcomes']} outcomes of {card['episodes']} "
                 f"episodes (90% intervals hold {_pct(card['coverage90'])}, direction right for "
                 f"{_pct(card['direction'])})", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.annotate("Observed changes: the sourced facts named in the scorecard (outcomes.csv, 'source'). Model: "
                "posterior predictive over the parameters, the model error and the figure's error.",
                xy=(0.0, 0.0), xycoords="axes fraction", xytext=(0, -34), textcoords="offset points",
                fontsize=6.5, ha="left", va="top")
    return _save(fig, stem)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100.0 * x:.0f}%"


def write_backtest(report: dict[str, Any], out: Path) -> list[str]:
    """Write the scorecard's tables and chart into ``out``; returns the file names."""
    out.mkdir(parents=True, exist_ok=True)
    outcomes = pd.DataFrame(report["outcomes"])
    outcomes.to_csv(out / "outcomes.csv", index=False)
    outcomes.to_parquet(out / "outcomes.parquet", index=False)
    parameters = pd.DataFrame([{"episode": e["episode"], **p} for e in report["episodes"] for p in e["parameters"]])
    parameters.to_csv(out / "posterior.csv", index=False)
    pd.DataFrame([report["scorecard"]]).to_csv(out / "scorecard.csv", index=False)
    (out / "backtest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str),
                                       encoding="utf-8")
    return ["outcomes.csv", "outcomes.parquet", "posterior.csv", "scorecard.csv", "backtest.json",
            *chart(report, out / "backtest")]
