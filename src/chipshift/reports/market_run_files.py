"""The files of a market run (``scenario run --out``): its tables as CSV, Parquet and JSON, its charts as PNG and
SVG (in the style of ``reports.chart_style``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from chipshift.reports import labels
from chipshift.reports.chart_style import (
    CUE_HATCHES,
    CUE_MARKERS,
    FIGURE_SIZE,
    MODEL,
    PALETTE,
    band_axis,
    data_end_rule,
    figure_colour,
    footnote,
    legend,
    marker_style,
    save,
    spread,
    value_axis,
)
from chipshift.reports.palette import SPAN_OPACITY, SPAN_WIDTH


def _series(report: dict[str, Any], output: str) -> pd.DataFrame:
    rows = [r for r in report["outputs"] if r["output"] == output]
    return pd.DataFrame(rows)


def _observed(report: dict[str, Any], output: str) -> list[dict[str, Any]]:
    return [r for r in report["calibration"]["table"] if r["output"] == output]


def _label(published: dict[str, Any]) -> str:
    """Publisher, and the definition where one is stated (so that definitions are not mixed up)."""
    definition = published.get("definition") or ""
    return f"{published['publisher']}: {definition}" if definition else str(published["publisher"])


def _band_label(report: dict[str, Any]) -> str:
    return f"chipshift model: 5-95% of {report['draws']:,} draws"


def trajectory(report: dict[str, Any], output: str, stem: Path) -> list[str]:
    """The model's path with its Monte Carlo band, and the published figures it is compared with (each
    publisher its colour of the run, ``labels.series_colours``, and its own marker), titled and labelled by
    ``labels.describe``, with a footer naming the case, the date of the data and the publishers of the figures
    shown."""
    data = _series(report, output)
    if data.empty:
        return []
    text = labels.describe(report, output)
    colours = labels.run_colours(report)  # one colour a series, as the report and the Results page draw it
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    if "p5" in data:
        ax.fill_between(data["year"], data["p5"], data["p95"], color=MODEL, alpha=0.18,
                        label=_band_label(report))
        ax.plot(data["year"], data["median"], color=MODEL, ls="--", lw=1, label="chipshift model: median of draws")
    ax.plot(data["year"], data["value"], color=MODEL, lw=2.2, marker="o", ms=4, label=labels.model_label(report))
    styles: dict[str, tuple[str, str]] = {}
    shown: dict[int, list[tuple[str, str, float]]] = {}  # the published points of each year, each once
    for c in report["published_beside_model"]:
        if c["output"] != output:
            continue
        for p in c["published"]:
            if (_label(p), str(p["publisher"]), p["value"]) not in shown.setdefault(c["year"], []):
                shown[c["year"]].append((_label(p), str(p["publisher"]), p["value"]))
    for year, points in shown.items():
        for k, (name, publisher, value) in enumerate(points):
            first = name not in styles
            # its publisher's colour of the run; its marker its own (one publisher's two definitions differ by it)
            fallback, marker = marker_style(len(styles))
            colour, marker = styles.setdefault(name, (colours.get(publisher, fallback), marker))
            # several figures of one year side by side, a little apart, so that none hides another
            ax.scatter([year + spread(k, len(points))], [value], s=34, color=colour, marker=marker, zorder=3,
                       label=name if first else None, edgecolors="white", linewidths=0.5)
    fitted = [o for o in _observed(report, output) if o["fitted_to"]]
    for k, obs in enumerate(fitted):
        ax.scatter([obs["year"]], [obs["observed"]], s=90, facecolors="none", edgecolors="black", zorder=4,
                   label="observation the model is fitted to" if k == 0 else None)
    ax.set_title(text.title, loc="left", fontsize=11)
    ax.set_ylabel(text.axis)
    band_axis(ax, labels.output_band_axis(report, output))  # a band too wide for the axis cut there, and marked
    value_axis(ax, text.unit)
    ax.set_xticks(sorted(set(data["year"])))
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    legend(ax)
    footnote(fig, ax, labels.footer(report, labels.publishers_of(report, output)))
    return save(fig, stem)


def position(periods: list[str], entry: Mapping[str, Any]) -> float | None:
    """Where a figure of ``entry``'s period stands on a chart of ``periods`` (quarters, 0, 1, ...): at its quarter, or
    for a longer period (a year, a fiscal year) at the middle of the quarters it spans (its ``quarters``); None
    when the chart does not show them."""
    if entry["period"] in periods:
        return float(periods.index(entry["period"]))
    first, last = entry.get("quarters") or (None, None)
    if first in periods and last in periods:
        return (periods.index(first) + periods.index(last)) / 2
    return None


def quarterly(report: dict[str, Any], output: str, stem: Path) -> list[str]:
    """A linked run's output by quarter with its Monte Carlo band and the figures published or observed for it
    (``labels.figure_points``: each a diamond, in the legend by its publisher, periods and basis; rings round those
    the model is fitted to), titled by ``labels.describe``, with the footer of ``labels.footer`` naming the
    publishers of the figures drawn. A figure of a year or fiscal year stands in the middle of the quarters it
    spans, beside the model's value for that year drawn across them, hollow, and the footnote says so
    (``labels.other_basis_note``)."""
    data = pd.DataFrame([r for r in report["outputs"] if r["output"] == output and "Q" in str(r["period"])])
    if data.empty:
        return []
    text = labels.describe(report, output)
    colours = labels.run_colours(report)  # one colour a series, as the report and the Results page draw it
    cues = labels.series_cues(report)  # and past the palette's colours its marker, as they draw it
    x = list(range(len(data)))
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    if "p5" in data:
        ax.fill_between(x, data["p5"].astype(float), data["p95"].astype(float), color=MODEL, alpha=0.18,
                        label=_band_label(report))
        ax.plot(x, data["median"].astype(float), color=MODEL, ls="--", lw=1,
                label="chipshift model: median of draws")
    ax.plot(x, data["value"].astype(float), color=MODEL, lw=2.2, marker="o", ms=4,
            label=labels.model_label(report))
    periods = list(data["period"])
    seen = [{**o, "x": at} for o in _observed(report, output) if (at := position(periods, o)) is not None]
    # the model's value for each longer period a figure is of, across the quarters it spans
    spans = {o["period"]: o["quarters"] for o in [*seen, *report["published_beside_model"]]
             if o["output"] == output and o.get("quarters") and position(periods, o) is not None}
    values = {r["period"]: r["value"] for r in report["outputs"] if r["output"] == output}
    for k, (period, (first, last)) in enumerate(sorted(spans.items())):
        if values.get(period) is not None:
            # behind the quarterly line, wide and light: a halo round it where the two are equal
            ax.plot([periods.index(first) - 0.4, periods.index(last) + 0.4], [values[period]] * 2, color=MODEL,
                    lw=SPAN_WIDTH * 0.72, alpha=SPAN_OPACITY, solid_capstyle="butt", zorder=1.5,
                    label="chipshift model, for a year or fiscal year (across its quarters)" if k == 0 else None)
    # every published figure (and observation no published figure repeats), each a diamond in its publisher's
    # colour of the run, hollow where it is of a longer period than the quarterly line (``labels.figure_points``)
    figures = [(f, at) for f in labels.figure_points(report, output)
               if (at := position(periods, {"period": f.period, "quarters": f.quarters})) is not None]
    groups = list(dict.fromkeys(f.legend for f, _ in figures))
    at_period: dict[str, list[int]] = {}
    for k, (f, _) in enumerate(figures):
        at_period.setdefault(f.period, []).append(k)
    drawn: set[str] = set()
    # the figures of one period side by side, half a quarter apart (a marker's width and more), within the quarters
    # a longer period spans; a fitted figure's ring round its own marker
    placed = [at + spread(at_period[f.period].index(k), len(at_period[f.period]), width=1.8, most=0.5)
              for k, (f, at) in enumerate(figures)]
    for (f, _), spot in zip(figures, placed, strict=True):
        colour = colours.get(f.publisher) or figure_colour(groups.index(f.legend))
        ax.scatter([spot], [f.value], s=FIGURE_SIZE,
                   marker=CUE_MARKERS[cues.get(f.publisher, 0) % len(CUE_MARKERS)], zorder=4,
                   color="white" if f.other_basis else colour, edgecolors=colour,
                   linewidths=1.2, label=f.legend if f.legend not in drawn else None)
        drawn.add(f.legend)
    if any(f.other_basis for f, _ in figures):
        ax.scatter([], [], s=FIGURE_SIZE, marker=CUE_MARKERS[0], color="white", edgecolors="#444444", linewidths=1.2,
                   label=labels.OTHER_BASIS_LEGEND)
    for k, (f, spot) in enumerate((f, spot) for (f, _), spot in zip(figures, placed, strict=True) if f.fitted):
        ax.scatter([spot], [f.value], s=140, facecolors="none", edgecolors="black", zorder=5,
                   label="observation the model is fitted to" if k == 0 else None)
    shown = [f.publisher for f, _ in figures if f.publisher != labels.NO_SOURCE]
    note = labels.other_basis_note((f for f, _ in figures), labels.is_flow(report, output))
    ax.set_title(text.title, loc="left", fontsize=11)
    ax.set_ylabel(text.axis)
    axis = labels.output_band_axis(report, output)
    band_axis(ax, axis)  # a band too wide for the axis cut there, and marked
    value_axis(ax, text.unit)
    ax.set_xticks(x, periods, rotation=45, fontsize=8)
    if (end := labels.data_end(report)) is not None and end.period in periods:
        data_end_rule(ax, periods.index(end.period) + 0.5, end, below=axis.clipped)  # where the sourced data end
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    legend(ax)
    footnote(fig, ax, labels.footer(report, shown) + (f" {note}" if note else ""))
    return save(fig, stem)


def share_stack(report: dict[str, Any], stem: Path) -> list[str]:
    """Supplier shares of the market by year, stacked, suppliers by name."""
    shares = [r for r in report["outputs"] if r["output"].startswith("share:") and "@" not in r["output"]]
    if not shares:
        return []
    table = pd.DataFrame(shares).pivot(index="year", columns="output", values="value").fillna(0.0)
    names: Mapping[str, str] = (report.get("names") or {}).get("owners") or {}
    colours = labels.run_colours(report)  # a supplier's colour, as in the report and on the Results page
    cues = labels.series_cues(report)  # and past the palette's colours its stripes, as they draw them
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    bottom = None
    for k, column in enumerate(table.columns):
        code = column.split(":", 1)[1]
        hatch = CUE_HATCHES[cues.get(names.get(code, code), 0) % len(CUE_HATCHES)]
        ax.bar(table.index, table[column], bottom=bottom,
               color=colours.get(names.get(code, code)) or PALETTE[k % len(PALETTE)],
               label=names.get(code, code), width=0.7, hatch=hatch or None, edgecolor="white" if hatch else None,
               linewidth=0)
        bottom = table[column] if bottom is None else bottom + table[column]
    ax.set_title(labels.describe(report, "shares").title, loc="left", fontsize=11)
    ax.set_ylabel("% of market value")
    value_axis(ax, "pct")
    ax.set_ylim(0, 100)
    ax.set_xticks(list(table.index))
    ax.spines[["top", "right"]].set_visible(False)
    legend(ax, fontsize=8, reverse=True)  # top down, as the stack
    footnote(fig, ax, labels.footer(report, []))
    return save(fig, stem)


def _stem(output: str) -> str:
    """A file name for an output: 'revenue_share:asml@CHN' -> 'revenue_share_asml_CHN'."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in output)


def with_units(report: dict[str, Any], rows: list[dict[str, Any]], after: str) -> pd.DataFrame:
    """``rows`` (each naming an ``output``) as a table with the unit of its output's values (the unit the run's
    outputs give it) in a ``unit`` column placed after the column ``after``; rows that give their own unit keep
    it (one ``unit`` column, filled where a row has none)."""
    units = {r["output"]: r.get("unit") for r in report["outputs"]}
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    own = frame["unit"] if "unit" in frame.columns else pd.Series([None] * len(frame), index=frame.index)
    columns = [c for c in frame.columns if c != "unit"]
    frame["unit"] = [u if isinstance(u, str) and u else units.get(output) for u, output in zip(own, frame["output"],
                                                                                              strict=True)]
    place = columns.index(after) + 1 if after in columns else len(columns)
    return frame[[*columns[:place], "unit", *columns[place:]]]


def with_titles(report: dict[str, Any], frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each output named in words (``title``, after ``output``): the title its chart has (the
    run's ``output_text``, else ``labels.describe``), so a file read without the project says what
    ``revenue_share:micron@CHN`` is."""
    if frame.empty or "output" not in frame.columns:
        return frame
    columns = list(frame.columns)
    text = report.get("output_text") or {}
    titles = {o: (text.get(o) or {}).get("title") or labels.describe(report, o).title
              for o in dict.fromkeys(frame["output"])}
    frame = frame.assign(title=[titles[o] for o in frame["output"]])
    place = columns.index("output") + 1
    return frame[[*columns[:place], "title", *columns[place:]]]


def with_publishers(report: dict[str, Any], frame: pd.DataFrame) -> pd.DataFrame:
    """The calibration table with where each observation comes from (``publisher``, after ``fact``): its fact's
    publisher, or a literal's document by publisher, title and date (``labels.observation_source``), so the file
    names where a figure comes from beside its fact id (`chipshift facts --id` gives the rest)."""
    if frame.empty or "fact" not in frame.columns:
        return frame
    columns = list(frame.columns)
    sources = [labels.observation_source(report, {k: v for k, v in row.items() if isinstance(v, str)})
               for row in frame.to_dict("records")]
    frame["publisher"] = [None if source == labels.NO_SOURCE else source for source in sources]
    place = columns.index("fact") + 1
    return frame[[*columns[:place], "publisher", *columns[place:]]]


def parameter_table(report: dict[str, Any]) -> pd.DataFrame:
    """The run's parameters with the unit of their value, default and range (``labels.parameter_units`` of
    its case file) in a ``unit`` column after ``value``."""
    units = labels.parameter_units(labels.case_document(report.get("file")))
    # the file: values in full; a parameter's posterior summary one column a measure (posterior.mean, ...), no cell
    # holding a mapping
    rows = [{**{k: v for k, v in p.items() if k not in ("shown", "posterior")},
             **{f"posterior.{k}": v for k, v in (p.get("posterior") or {}).items()}} for p in report["parameters"]]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    columns = list(frame.columns)
    frame["unit"] = [units.get(str(p)) for p in frame["id"]]
    place = columns.index("value") + 1
    return frame[[*columns[:place], "unit", *columns[place:]]]


#: The table of the charts a run's files leave out, each with why (``labels.unchanging``).
LEFT_OUT = "charts_left_out.csv"


def left_out(report: dict[str, Any], outputs: list[str], out: Path) -> tuple[list[str], list[str]]:
    """The ``outputs`` to chart, and the files written for those left out: a share at 0% or 100% in every period
    and draw, or demand no allowed seller serves at 0 throughout (``labels.unchanging``), has no chart;
    ``LEFT_OUT`` lists each with its title and why, in place of it."""
    rows = [{"output": o, "title": labels.describe(report, o).title, "note": why}
            for o in outputs if (why := labels.unchanging(report, o))]
    if not rows:
        return outputs, []
    pd.DataFrame(rows).to_csv(out / LEFT_OUT, index=False)
    gone = {r["output"] for r in rows}
    return [o for o in outputs if o not in gone], [LEFT_OUT]


def write_outputs(report: dict[str, Any], out: Path) -> list[str]:
    """Write every table and chart of a run into ``out``; returns the file names. A share that holds at 0% or
    100% throughout has no chart: ``charts_left_out.csv`` says so and why (``left_out``)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    frames = {
        "outputs": with_titles(report, pd.DataFrame(report["outputs"])),
        "calibration": with_titles(report, with_publishers(
            report, with_units(report, report["calibration"]["table"], after="error"))),
        "parameters": parameter_table(report),
        "sensitivity": with_titles(report, with_units(report, report["sensitivity"], after="swing")),
    }
    for name, frame in frames.items():
        frame.to_csv(out / f"{name}.csv", index=False)
        written.append(f"{name}.csv")
    frames["outputs"].to_parquet(out / "outputs.parquet", index=False)
    written.append("outputs.parquet")
    (out / "results.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    written.append("results.json")
    if report.get("model") == "linked":
        for market in report["markets"]:
            written += quarterly(report, f"price@{market['id']}", out / f"price_{market['id']}")
        # the headline outputs (a firm's revenue share, localization) and every other output that figures are
        # observed or published for (a firm's share of a market, a volume), by quarter
        seen = {r["output"] for r in report["calibration"]["table"]} | {
            c["output"] for c in report["published_beside_model"] if c["published"]}
        charted, notes = left_out(report, [
            output for output in dict.fromkeys(r["output"] for r in report["outputs"])
            if output.startswith(("revenue_share:", "localization@")) or (output in seen
                                                                          and not output.startswith("price@"))], out)
        written += notes
        for output in charted:
            written += quarterly(report, output, out / _stem(output))
        from chipshift.reports.sensitivity import tornado

        document = labels.case_document(report.get("file"))
        words = labels.parameter_words(document, report.get("names"))
        units = labels.parameter_units(document)
        for output in dict.fromkeys(r["output"] for r in report["sensitivity"]):
            # a share held at 0% or 100% that no parameter moves either (every bar of zero length): no tornado
            if labels.unchanging(report, output) and all(
                    r["at_low"] == r["at_high"] for r in report["sensitivity"] if r["output"] == output):
                continue
            stem = "tornado_" + _stem(output)
            text = labels.describe(report, output)
            written += tornado(report["sensitivity"], output, f"What moves: {text.title}", out / stem,
                               label=text.title, footer=labels.footer(report, [], sensitivity=True), parameters=words,
                               units=units, unit_text=labels.run_unit_words(report, text.unit))
        return written
    charted, notes = left_out(report, [o for o in ("localization", "revenue_share", "unmet")
                                       if any(r["output"] == o for r in report["outputs"])], out)
    written += notes
    for output in charted:
        written += trajectory(report, output, out / output)
    for output in sorted({r["output"] for r in report["outputs"] if r["output"].startswith("revenue:")}):
        written += trajectory(report, output, out / f"revenue_{output.split(':', 1)[1]}")
    written += share_stack(report, out / "shares")
    return written
