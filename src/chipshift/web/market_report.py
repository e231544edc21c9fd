"""The offline HTML report of a market scenario (kind: market): calibration statement and fit, trajectories
with their bands and the published estimates beside them, supplier shares, parameters, sensitivity, and
every fact the run cites with its publisher and URL. Inline CSS and SVG; no script, nothing fetched. A linked
case (model: linked) gets its markets, each market's price by quarter, and its headline outputs by period."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from chipshift.api import market_runs as market_api
from chipshift.io.store import Store
from chipshift.reports.labels import (
    NO_SOURCE,
    DataEnd,
    case_document,
    chart_colours,
    chart_cues,
    data_end,
    describe,
    figure_points,
    footer,
    index_words,
    is_flow,
    model_label,
    number,
    other_basis_note,
    output_band_axis,
    parameter_shown,
    parameter_units,
    parameter_words,
    publishers_of,
    run_colours,
    series_cues,
    unchanging,
    unit_words,
)
from chipshift.reports.market_run_files import position
from chipshift.web import svg
from chipshift.web.html_table import html_table
from chipshift.web.report_style import head, page

DEFAULT_DRAWS = 1000
#: Where the report gives each fact a chart cites, with its quote (its last section).
SOURCES_BELOW = "the Sources section at the end of this report"

#: The calibration statement's box, above a market report's figures.
STATEMENT_CSS = (".statement{border-left:6px solid #d6604d;background:#fff6f0;padding:.7rem 1rem;font-size:1.05rem;"
                 "font-weight:600}")


def write_market_report(store: Store, path: Path, out_path: Path, draws: int = DEFAULT_DRAWS,
                        seed: int = 20261125) -> Path:
    """Run the market case at ``path`` (with ``draws`` Monte Carlo draws) and write its report to ``out_path``."""
    report = market_api.scenario_run(store, path, draws=draws, seed=seed)
    html = render(report, report["facts"], path.name)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return out_path


def _with_units(report: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` (each about an ``output``) in words, as the Results page shows them: the output by its title, the
    unit of its values in words (the row's own, else its output's), ``fitted_to`` as yes or no."""
    units = {r["output"]: r.get("unit") for r in report["outputs"]}
    return [{**row, "output": describe(report, row["output"]).title,
             "unit": unit_words(row.get("unit") or units.get(row["output"])),
             **({"fitted_to": "yes" if row["fitted_to"] else "no"} if "fitted_to" in row else {})} for row in rows]


def _parameters(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The run's parameters, each with what it is in words and its unit (its case file's), and how it was set."""
    document = case_document(report.get("file"))
    words, units = parameter_words(document, report.get("names")), parameter_units(document)
    # each value as every page shows it (labels.parameter_shown), the run's own in its results.json
    return [{**p, "value": p.get("shown", parameter_shown(p["value"])), "what": words.get(p["id"], ""),
             "unit": units.get(p["id"], ""),
             "treatment": "fitted" if p["fitted"] else "Monte Carlo" if p["monte_carlo"] else "fixed"}
            for p in report["parameters"]]


#: The columns of a parameters table.
PARAMETER_COLUMNS = [("id", "Parameter"), ("what", "What it sets"), ("value", "Value"), ("low", "Low"),
                     ("high", "High"), ("unit", "Unit"), ("treatment", "Fitted / Monte Carlo"), ("basis", "Basis")]


def _rmse(calibration: dict[str, Any]) -> str:
    """The fit's RMSE to three significant figures."""
    return number(calibration["rmse"]) if calibration.get("rmse") is not None else "none"


def _in_place_of_chart(sentence: str) -> str:
    """What the report says where a chart is left out (``reports.labels.unchanging``: a share at 0% or 100%
    throughout)."""
    return f"<p class='unchanging'>{escape(sentence)}</p>"


def _title(report: dict[str, Any], output: str) -> tuple[str, str, str]:
    """A chart's title and value axis's label in words (``reports.labels.describe``, as the files' charts) and
    the unit the SVG prints (``%`` for percent)."""
    text = describe(report, output)
    return text.title, text.axis, "%" if text.unit == "pct" else ""


def _name(report: dict[str, Any], kind: str, code: str) -> str:
    """A region or product of the run by name (the run's ``names``), else its code."""
    return str(((report.get("names") or {}).get(kind) or {}).get(code) or code)


def render(report: dict[str, Any], facts: dict[str, dict[str, Any]], file_name: str) -> str:
    if report.get("model") == "linked":
        return _render_linked(report, facts, file_name)
    c = report["calibration"]
    parts = [head(f"{report.get('title') or report['scenario']} · chipshift market report", STATEMENT_CSS),
             f"<h1>{escape(report.get('title') or report['scenario'])}</h1><p>{escape(report['description'])}</p>",
             f"<p class='muted'>Market scenario file {escape(file_name)} · digest {escape(report['digest'])} · "
             f"{escape(_name(report, 'regions', report['region']))}, "
             f"{escape(_name(report, 'products', report['product']))}, {report['years'][0]}-{report['years'][1]} · "
             f"{report['draws']:,} Monte Carlo draws (seed {report['seed']}) · generated "
             f"{datetime.now(UTC).isoformat(timespec='seconds')} by chipshift</p>",
             "<h2>Calibration</h2>",
             f"<p class='statement'>{escape(c['statement'])}.</p>",
             (f"<p>Fitted: {escape(', '.join(f'{k} = {v:.4g}' for k, v in c['fitted'].items()))}; RMSE {_rmse(c)} "
              f"(units of the observations). {escape(c['procedure'])}.</p>" if c["fitted"] else
              f"<p>Nothing fitted, so no fit RMSE. Calibration: {escape(c['procedure'])}.</p>"),
             html_table([("output", "Output"), ("year", "Year"), ("observed", "Observed"), ("model", "Model"),
                     ("error", "Error"), ("unit", "Unit"), ("fitted_to", "Fitted to"), ("fact", "Fact"),
                         ("basis", "Basis")], _with_units(report, c["table"]))]
    parts.append("<h2>Trajectories</h2><p class='muted'>Line: the model with the fitted parameters; band: 5-95% of "
                 "the draws; diamonds: published estimates (publisher in the tooltip); rings: observations fitted "
                 "to.</p>")
    outputs = list(dict.fromkeys(r["output"] for r in report["outputs"]))
    colours = run_colours(report)  # a series' colour, as in the chart files and on the Results page
    cues = series_cues(report)  # and past the palette's colours, its second cue
    for output in [o for o in outputs if o in ("localization", "revenue_share") or o.startswith("revenue:")]:
        if sentence := unchanging(report, output):
            parts.append(_in_place_of_chart(sentence))
            continue
        title, axis, unit = _title(report, output)
        points = [{"x": r["year"], "value": r["value"], "p5": r.get("p5"), "p95": r.get("p95")}
                  for r in report["outputs"] if r["output"] == output]
        published = [{"x": cmp["year"], "value": p["value"], "publisher": p["publisher"]}
                     for cmp in report["published_beside_model"] if cmp["output"] == output for p in cmp["published"]]
        observed = [{"x": o["year"], "value": o["observed"]} for o in c["table"]
                    if o["output"] == output and o["fitted_to"]]
        parts.append(svg.trajectory(points, published, observed, title, unit,
                                    footer=footer(report, publishers_of(report, output), SOURCES_BELOW),
                                    model=model_label(report, "model"), axis=axis,
                                    colours=chart_colours(report, output, colours),
                                    band=output_band_axis(report, output), cues=chart_cues(report, output, cues)))
    shares = [r for r in report["outputs"] if r["output"].startswith("share:") and "@" not in r["output"]]
    if shares:
        years = sorted({r["year"] for r in shares})
        owners = (report.get("names") or {}).get("owners") or {}  # suppliers by name
        parts.append("<h2>Supplier shares</h2>" + svg.stack(
            [(y, [(owners.get(code, code), r["value"]) for r in shares if r["year"] == y
                  for code in [r["output"].split(":", 1)[1]]]) for y in years],
            describe(report, "shares").title, footer=footer(report, [], SOURCES_BELOW),
            axis=describe(report, "shares").axis, colours=chart_colours(report, "shares", colours),
            cues=chart_cues(report, "shares", cues)))
    parts.append("<h2>Outputs</h2>" + html_table([("output", "Output"), ("year", "Year"), ("value", "Value"),
                                              ("unit", "Unit"), ("p5", "p5"), ("median", "Median"), ("p95", "p95")],
                                             _with_units(report, [r for r in report["outputs"]
                                                                  if "@" not in r["output"]])))
    parts.append("<h2>Parameters</h2>" + html_table(PARAMETER_COLUMNS, _parameters(report)))
    parts.append("<h2>Sensitivity</h2>" + html_table([("output", "Output"), ("year", "Year"), ("rank", "Rank"),
                                                  ("parameter", "Parameter"), ("at_low", "At low"),
                                                  ("at_high", "At high"), ("swing", "Swing"), ("unit", "Unit")],
                                                 _with_units(report, report["sensitivity"])))
    if report["notes"]:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in report["notes"]) + "</ul>")
    if report.get("warnings"):
        parts.append("<h2>Warnings</h2><ul>" + "".join(f"<li>{escape(w)}</li>" for w in report["warnings"]) + "</ul>")
    parts += _sources(facts, report.get("documents") or {})
    parts.append("</body></html>")
    return page(parts)


def _sources(facts: dict[str, dict[str, Any]], documents: dict[str, dict[str, Any]]) -> list[str]:
    """Each fact the run cites with its value, source and quote; then each document its observations and stated
    values name (publisher, title, date, link)."""
    parts = ["<h2>Sources</h2>"]
    for fact_id, f in facts.items():
        publisher = f["publisher"] or "unknown publisher"
        if f["original_publisher"]:
            publisher += f" (original: {f['original_publisher']})"
        link = f"<a href='{escape(f['url'])}'>{escape(f['title'] or f['url'])}</a>" if f["url"] else escape(
            f["title"] or "")
        quote = f"<blockquote>{escape(f['quote'])}</blockquote>" if f["quote"] else ""
        parts.append(f"<p><b>{escape(fact_id)}</b> · {escape(str(f['value']))} {escape(str(f['unit']))} "
                     f"({escape(str(f['period']))}, {escape(str(f['status']))})<br>{escape(publisher)}, {link} "
                     f"({escape(str(f['published'] or 'undated'))})</p>{quote}")
    for doc_id, d in documents.items():
        link = f"<a href='{escape(d['url'])}'>{escape(d['title'] or d['url'])}</a>" if d.get("url") else escape(
            d.get("title") or "")
        parts.append(f"<p><b>{escape(doc_id)}</b> · a document the case's figures are read from<br>"
                     f"{escape(d.get('publisher') or 'unknown publisher')}, {link} "
                     f"({escape(str(d.get('published') or 'undated'))})</p>")
    return parts


def _data_end(report: dict[str, Any], quarters: list[str]) -> tuple[float, DataEnd] | None:
    """Where a linked run's chart of ``quarters`` marks the end of the sourced data (``labels.data_end``): half a
    step after the last quarter with sourced values, as the chart files and the Results page mark it."""
    end = data_end(report)
    return (quarters.index(end.period) + 0.5, end) if end is not None and end.period in quarters else None


def _linked_observed(report: dict[str, Any]) -> list[str]:
    """A linked run's outputs that figures are published or observed for (a firm's share of revenue from a region
    or of a market, a region's localization, a volume; prices have their own section), by quarter, with those
    figures beside the model, each with its publisher: a figure of a year or fiscal year in the middle of the
    quarters it spans, beside the model's value for that year drawn across them (as the chart files draw them,
    ``reports.market_run_files.quarterly``)."""
    table, compared = report["calibration"]["table"], report["published_beside_model"]
    colours = run_colours(report)  # a series' colour, as in the chart files and on the Results page
    cues = series_cues(report)  # and past the palette's colours, its second cue
    parts: list[str] = []
    for output in dict.fromkeys(r["output"] for r in report["outputs"]):
        if output.startswith("price@"):
            continue
        rows = [r for r in report["outputs"] if r["output"] == output and "Q" in r["period"] and "FY" not in r["period"]
                and r["value"] is not None]
        labels = [r["period"] for r in rows]
        observed = [{"x": at, "value": o["observed"], "label": o["period"]} for o in table
                    if o["output"] == output and o["fitted_to"] and (at := position(labels, o)) is not None]
        # every published figure, and each observation no published figure repeats, by its publisher, period and
        # basis (hollow where its period is longer than a quarter), as the chart files draw them
        figures = figure_points(report, output)
        published = [{"x": at, "value": f.value, "publisher": f.legend, "credit": f.publisher, "tip": f.label,
                      "label": f.period, "hollow": f.other_basis}
                     for f in figures if (at := position(labels, {"period": f.period, "quarters": f.quarters}))
                     is not None]
        if not published and not observed:
            continue
        if sentence := unchanging(report, output):
            parts.append(_in_place_of_chart(sentence))
            continue
        values = {r["period"]: r["value"] for r in report["outputs"] if r["output"] == output}
        spans = {e["period"]: e["quarters"] for e in [*table, *compared] if e["output"] == output
                 and e.get("quarters") and position(labels, e) is not None and values.get(e["period"]) is not None}
        title, axis, unit = _title(report, output)
        points = [{"x": i, "value": r["value"], "p5": r.get("p5"), "p95": r.get("p95")} for i, r in enumerate(rows)]
        parts.append(svg.trajectory(
            points, published, observed, title, unit, x_labels=labels, axis=axis,
            footer=footer(report, [str(p["credit"]) for p in published if p["credit"] != NO_SOURCE], SOURCES_BELOW)
            + ((" " + note) if (note := other_basis_note(figures, is_flow(report, output))) else ""),
            model=model_label(report, "model"), colours=chart_colours(report, output, colours),
            band=output_band_axis(report, output), cues=chart_cues(report, output, cues),
            spans=[(labels.index(first), labels.index(last), values[period], period)
                   for period, (first, last) in sorted(spans.items())], data_end=_data_end(report, labels)))
    if not parts:
        return []
    return ["<h2>Published figures beside the model</h2><p class='muted'>Each output that figures are published "
            "or observed for, by quarter: line and band, the model; diamonds, the published figures (in the legend by "
            "publisher, periods and basis; each fact quoted under Sources); rings, those the model is fitted to. A "
            "figure of a year or fiscal year is drawn hollow, in the middle of the quarters it spans, beside the "
            "model's value for that year (the wide line across them).</p>", *parts]


def _render_linked(report: dict[str, Any], facts: dict[str, dict[str, Any]], file_name: str) -> str:
    """A linked run: its markets, each market's price by quarter (band, observations), the headline outputs
    by period, the fit, parameters, sensitivity and sources."""
    c = report["calibration"]
    periods = report["periods"]
    names = report.get("names") or {}
    parts = [head(f"{report.get('title') or report['scenario']} · chipshift market report", STATEMENT_CSS),
             f"<h1>{escape(report.get('title') or report['scenario'])}</h1><p>{escape(report['description'])}</p>",
             f"<p class='muted'>Linked market scenario file {escape(file_name)} · digest {escape(report['digest'])} · "
             f"{periods[0]}-{periods[1]} by quarter · money in {escape(unit_words(report['value_unit']))} · "
             f"{report['draws']:,} Monte Carlo draws (seed {report['seed']}) · generated "
             f"{datetime.now(UTC).isoformat(timespec='seconds')} by chipshift</p>",
             "<h2>Markets</h2>" + html_table([("name", "Market: product, region and buyers"),
                                              ("product", "Product"), ("region", "Region"), ("segment", "Buyers"),
                                              ("id", "Id in the case")],
                                             [{"name": names.get("markets", {}).get(m["id"], ""), "id": m["id"],
                                               "product": names.get("products", {}).get(m["product"], m["product"]),
                                               "region": names.get("regions", {}).get(m["region"], m["region"]),
                                               "segment": (names.get("segments", {}).get(m["segment"], m["segment"])
                                                           if m.get("segment") else "all")}
                                              for m in report["markets"]]),
             "<h2>Calibration</h2>", f"<p class='statement'>{escape(c['statement'])}.</p>",
             (f"<p>Fitted: {escape(', '.join(f'{k} = {v:.4g}' for k, v in c['fitted'].items()))}; RMSE {_rmse(c)} "
              f"({escape(c['rmse_of'])}). {escape(c['procedure'])}.</p>" if c["fitted"] else
              f"<p>Nothing fitted, so no fit RMSE. Calibration: {escape(c['procedure'])}.</p>"),
             html_table([("output", "Output"), ("period", "Period"), ("observed", "Observed"), ("model", "Model"),
                         ("error", "Error"), ("unit", "Unit"), ("fitted_to", "Fitted to"), ("fact", "Fact"),
                         ("basis", "Basis")], _with_units(report, c["table"])),
             "<h2>Prices by quarter</h2><p class='muted'>Line: the model; band: 5-95% of the draws; rings: "
             f"observations fitted to. An index: {escape(index_words(report))}.</p>"]
    for market in report["markets"]:
        output = f"price@{market['id']}"
        rows = [r for r in report["outputs"] if r["output"] == output and "Q" in r["period"]
                and r["value"] is not None]
        labels = [r["period"] for r in rows]
        points = [{"x": i, "value": r["value"], "p5": r.get("p5"), "p95": r.get("p95")} for i, r in enumerate(rows)]
        observed = [{"x": labels.index(o["period"]), "value": o["observed"]} for o in c["table"]
                    if o["output"] == output and o["fitted_to"] and o["period"] in labels]
        title, axis, unit = _title(report, output)
        parts.append(svg.trajectory(points, [], observed, title, unit, x_labels=labels,
                                    footer=footer(report, publishers_of(report, output), SOURCES_BELOW),
                                    model=model_label(report, "model"), axis=axis,
                                    band=output_band_axis(report, output), data_end=_data_end(report, labels)))
    parts += _linked_observed(report)
    headline = [r for r in report["outputs"] if r["output"].startswith(("price@", "localization@", "revenue_share:"))]
    held = [sentence for output in dict.fromkeys(r["output"] for r in headline)
            if (sentence := unchanging(report, output))]
    parts.append("<h2>Headline outputs</h2><p class='muted'>Every output is in the JSON and CSV of "
                 "<code>chipshift scenario run FILE --format json</code>.</p>"
                 + ("<p>Shares that hold at 0% or 100% throughout, and why (no chart of them is drawn):</p><ul>"
                    + "".join(f"<li class='unchanging'>{escape(h)}</li>" for h in held) + "</ul>" if held else "")
                 + html_table(
                     [("output", "Output"), ("period", "Period"), ("value", "Value"), ("unit", "Unit"), ("p5", "p5"),
                      ("median", "Median"), ("p95", "p95")], _with_units(report, headline)))
    parts.append("<h2>Parameters</h2>" + html_table(PARAMETER_COLUMNS, _parameters(report)))
    parts.append("<h2>Sensitivity</h2><p>Sobol' indices: the share of each output's variance a parameter explains "
                 "alone (first order) and with its interactions (total), over the parameters' ranges.</p>"
                 + html_table([("output", "Output"), ("period", "Period"), ("rank", "Rank"),
                               ("parameter", "Parameter"), ("total", "Total index"), ("total_ci", "±"),
                               ("first_order", "First order"), ("at_low", "At low"), ("at_high", "At high"),
                               ("unit", "Unit")], _with_units(report, report["sensitivity"])))
    if report["notes"]:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in report["notes"]) + "</ul>")
    if report.get("warnings"):
        parts.append("<h2>Warnings</h2><ul>" + "".join(f"<li>{escape(w)}</li>" for w in report["warnings"]) + "</ul>")
    parts += _sources(facts, report.get("documents") or {})
    parts.append("</body></html>")
    return page(parts)
