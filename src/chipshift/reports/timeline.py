"""Charts of answers over a range of dates: exposure by stage, availability by input and localization by
product."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from matplotlib.ticker import PercentFormatter

from chipshift.domain.period import Period
from chipshift.reports.chart_style import PALETTE, footnote, legend, printable, save

#: Most series one chart draws (the others are counted in the footer): beyond this the lines cannot be told apart.
MAX_LINES = 8
#: Most series drawn with a shaded band between their bounds (more bands hide each other).
MAX_BANDS = 3


def _dates(texts: Sequence[str]) -> npt.NDArray[np.datetime64]:
    return np.array(texts, dtype="datetime64[D]")


def _footer(report: Mapping[str, Any], what: str, left_out: Sequence[str]) -> str:
    scenario = report.get("scenario")
    text = (f"{what} Scenario: {scenario['name'] if scenario else 'baseline (the bundled rules)'}. "
            f"Dates {report['from']} to {report['to']}, every {report['every']}. "
            "Dotted verticals: dates by which rules came into force or ended (see rule_changes in the JSON). "
            "Sources: " + "; ".join(report.get("data_sources") or []) + ".")
    if left_out:
        named = ", ".join(left_out[:5]) + (f" and {len(left_out) - 5} more" if len(left_out) > 5 else "")
        text += f" Not drawn (in the table): {named}."
    return text


def _by_change(rows: Sequence[Mapping[str, Any]], key: str, value: str) -> list[str]:
    """The series' keys, those whose ``value`` moves most over the dates first (then in their order)."""
    order = list(dict.fromkeys(str(r[key]) for r in rows))
    values: dict[str, list[float]] = {k: [] for k in order}
    for r in rows:
        if r[value] is not None:
            values[str(r[key])].append(float(r[value]))
    moved = {k: (max(v) - min(v) if v else -1.0) for k, v in values.items()}
    return sorted(order, key=lambda k: -moved[k])


def _rule_marks(ax: Any, report: Mapping[str, Any]) -> None:
    for change in report["rule_changes"][1:]:
        if change["rules_started"] or change["rules_ended"]:
            ax.axvline(date.fromisoformat(change["at"]), color="#999999", lw=0.6, ls=":")


def _series_chart(report: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], key: str, label_key: str,
                  lower: str, upper: str, title: str, ylabel: str, what: str, stem: Path,
                  footer: str | None = None) -> list[str]:
    """One line per ``key`` between its ``lower`` and ``upper`` bounds (a band where they differ), shares in
    percent as the answers give them;
    ``footer``, when given, replaces the one of a restriction answer (scenario, rule changes, data sources)."""
    order = _by_change(rows, key, lower)
    drawn, left_out = order[:MAX_LINES], order[MAX_LINES:]
    names = {str(r[key]): str(r[label_key]) for r in rows}
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for k, item in enumerate(drawn):
        mine = [r for r in rows if str(r[key]) == item and r[lower] is not None and r[upper] is not None]
        if not mine:
            left_out.append(names[item])
            continue
        x = _dates([r["at"] for r in mine])
        lo = [float(r[lower]) for r in mine]
        hi = [float(r[upper]) for r in mine]
        colour = PALETTE[k % len(PALETTE)]
        if lo == hi:
            ax.step(x, lo, where="post", color=colour, lw=1.6, label=printable(names[item]))
            continue
        if len(drawn) <= MAX_BANDS:
            ax.fill_between(x, lo, hi, step="post", color=colour, alpha=0.18, lw=0)
        ax.step(x, lo, where="post", color=colour, lw=1.6, label=printable(f"{names[item]} (lower bound)"))
        ax.step(x, hi, where="post", color=colour, lw=1.0, ls="--", label=printable(f"{names[item]} (upper bound)"))
    if "rule_changes" in report:
        _rule_marks(ax, report)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.set_ylabel(ylabel)
    ax.set_xlabel("date of evaluation")
    ax.set_title(printable(title), fontsize=10)
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    legend(ax)
    not_drawn = [names.get(i, i) for i in left_out]
    if footer is None:
        footnote(fig, ax, _footer(report, what, not_drawn))
    else:
        named = ", ".join(not_drawn[:5]) + (f" and {len(not_drawn) - 5} more" if len(not_drawn) > 5 else "")
        footnote(fig, ax, footer + (f" Not drawn (in the table): {named}." if not_drawn else ""))
    return save(fig, stem)


def exposure_chart(report: Mapping[str, Any], stem: Path) -> list[str]:
    """Exposure of the destination by production stage over the report's dates, as PNG and SVG."""
    return _series_chart(
        report, report["by_stage"], "stage", "stage_name", "barred_lower_weighted_pct", "barred_upper_weighted_pct",
        f"Share of the supply of {report['destination_name']} barred, by production stage, "
        f"{report['from']} to {report['to']}",
        "supply barred (% of the stage, market-size weighted)",
        "Each stage's inputs weighted by their world market size (USD); bounds where supply shares are unknown.",
        stem)


def availability_chart(report: Mapping[str, Any], stem: Path) -> list[str]:
    """Availability of each input for the destination over the report's dates, as PNG and SVG."""
    return _series_chart(
        report, report["inputs"], "input", "name", "available_lower_pct", "available_upper_pct",
        f"Share of world supply {report['destination_name']} may still buy, {report['from']} to {report['to']}",
        "available (% of world supply)",
        "Availability: the share of world supply whose providers no rule in force bars for the destination; "
        f"bounds where shares or a rule's reach are unknown. The {MAX_LINES} inputs whose lower bound moves most "
        "are drawn.", stem)


def localization_series_chart(report: Mapping[str, Any], stem: Path) -> list[str]:
    """The country's share of world supply by product at each date of the report's series (each product's latest
    share table begun by the date), a step line between its bounds, as PNG and SVG."""
    rows = [r for r in report["series"] if r["localization_upper_pct"] > 0]
    return _series_chart(
        report, rows, "input", "name", "localization_lower_pct", "localization_upper_pct",
        f"Share of world supply from firms or plants of {report['country_name']}, by product, {report['from']} to "
        f"{report['to']}", "share of world supply (%)", "", stem,
        footer=f"Dates {report['from']} to {report['to']}, every {report['every']}: at each, a product's latest "
               "world share table begun by then (actual figures before forecasts). Lower bound: the providers a "
               "table names; upper: with what it leaves to others. A share of world supply, not of the country's "
               f"own market as most published localization estimates are. The {MAX_LINES} products whose lower "
               "bound moves most are drawn. Sources: the bundled facts' world share tables (each fact with its "
               "source; `chipshift facts`).")


def localization_chart(report: Mapping[str, Any], stem: Path) -> list[str]:
    """The country's share of world supply by product over the periods of the share tables (its ``history``): a
    line through the lower bounds (the providers a table names) and a band up to the upper bound (what it leaves
    to others), for the products where the country has a share; as PNG and SVG."""
    rows = [r for r in report["history"] if r["localization_upper_pct"] > 0]
    # the products with the longest series first (a single period is no series), then by name
    periods = {i: sum(1 for r in rows if r["input"] == i) for i in dict.fromkeys(r["input"] for r in rows)}
    order = sorted(periods, key=lambda i: (-periods[i], str(i)))
    if len(periods) > 1:
        order = [i for i in order if periods[i] > 1] + [i for i in order if periods[i] == 1]
    drawn, left_out = order[:MAX_LINES], order[MAX_LINES:]
    names = {r["input"]: str(r["name"]) for r in rows}
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for k, item in enumerate(drawn):
        mine = sorted((r for r in rows if r["input"] == item), key=lambda r: Period.parse(r["period"]).start)
        x = _dates([Period.parse(r["period"]).start.isoformat() for r in mine])
        lo = [float(r["localization_lower_pct"]) for r in mine]
        hi = [float(r["localization_upper_pct"]) for r in mine]
        colour = PALETTE[k % len(PALETTE)]
        if len(drawn) <= MAX_BANDS and lo != hi:  # more bands would hide one another
            ax.fill_between(x, lo, hi, color=colour, alpha=0.15, lw=0)
        ax.plot(x, lo, color=colour, lw=1.6, marker="o", ms=3, label=printable(names[item]))
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.set_ylabel("share of world supply (%)")
    ax.set_xlabel("period of the share table (drawn at its first day)")
    ax.set_title(printable(f"Share of world supply from firms or plants of {report['country_name']}, by product "
                           "and period"), fontsize=10)
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    legend(ax)
    named = ", ".join(names[i] for i in left_out[:5]) + (f" and {len(left_out) - 5} more" if len(left_out) > 5
                                                         else "")
    footnote(fig, ax, "Line: the providers a table names (lower bound); " + ("band: up to what it leaves to others "
             "(upper bound). " if len(drawn) <= MAX_BANDS else "upper bounds (what a table leaves to others) in the "
             "table. ") + "A share of world supply, not of the country's own market as most published localization "
             "estimates are. Sources: the bundled facts' world share tables (each fact with its source; "
             "`chipshift facts`)." + (f" Not drawn (in the table): {named}." if left_out else ""))
    return save(fig, stem)
