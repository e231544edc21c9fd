"""``chipshift report SCENARIO --out report.html``: a self-contained HTML report of one scenario.

Charts are inline SVG, styles inline, no script and nothing fetched: the file opens offline. It shows
the scenario's rules, exposure by stage beside the baseline, the same over the scenario's range of dates (its
``over``), else on 1 January of each of the ``YEARS_BEFORE`` years before its date (a chart and a table, the
span said on the page), the inputs whose availability changes, and every source the rules in force rest on
(with their quotes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import Any

from chipshift import api
from chipshift.api import explorer
from chipshift.api.comparisons import BASELINE_DOC, MARKET_POINTER
from chipshift.api.restrictions import DEFAULT_SERIES_YEARS
from chipshift.io.store import Store
from chipshift.io.tables import load_yaml
from chipshift.scenarios.spec import Scenario
from chipshift.web import svg
from chipshift.web.html_table import html_table
from chipshift.web.report_style import head, page

#: How many years before the report's date its exposure over time begins (1 January of that year).
YEARS_BEFORE = DEFAULT_SERIES_YEARS
STAGES = {"S1": "S1 · Design", "S2": "S2 · Fabrication", "S3": "S3 · Assembly, testing, packaging"}


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}%"


def _target(document: dict[str, Any]) -> str:
    for rule in document.get("add") or []:
        countries = (rule.get("targets") or {}).get("countries") or []
        if countries:
            return str(countries[0])
    return "CHN"


def _is_market(path: Path) -> bool:
    """Whether a scenario file declares 'kind: market' (unreadable or refused files, e.g. too large or with
    aliases, go to the usual reader's errors)."""
    document, problems = load_yaml(path, path.name)
    return not problems and isinstance(document, dict) and document.get("kind") == "market"


def write_report(store: Store, scenario_path: Path, out_path: Path, target: str | None = None,
                 at: str | date | None = None) -> Path:
    """Write the report of the scenario file at ``scenario_path`` to ``out_path``; returns ``out_path``.

    ``target`` defaults to the first country the scenario's added rules target (else CHN); ``at`` to
    the scenario's own date (else today). Raises DataError/NotFoundError on bad input, like the CLI.
    A market scenario (``kind: market``) gets the market report instead (calibration, trajectories with
    bands, shares, parameters, sensitivity and the facts' sources); ``target`` and ``at`` do not apply.
    """
    if _is_market(scenario_path):
        from chipshift.web.market_report import write_market_report

        return write_market_report(store, scenario_path, out_path)
    scenario = api.load_scenario(store, scenario_path)
    document = scenario.to_dict()
    who = target or _target(document)
    when = at or scenario.at or date.today()
    exposure = api.exposure(store, who, at=when, scenario=scenario)
    when = exposure.at or when
    result = exposure.as_report()
    base = api.exposure(store, who, at=when, scenario=None).as_report()
    changes = api.diff(store, who, at=when, to=when, scenario=None, against=scenario or BASELINE_DOC).as_report()
    in_force = api.restrictions_list(store, who, at=when, scenario=scenario).as_report()
    # over time, under the scenario and the baseline: the scenario's range of dates where it gives one, else 1
    # January of each of the years before the date of the report, and that date
    span = Span.of(scenario, result["at"])
    over = (api.exposure_over_time(store, who, span.start, span.end, span.every, scenario=scenario).as_report(),
            api.exposure_over_time(store, who, span.start, span.end, span.every, scenario=None).as_report())
    html = _render(scenario.name, scenario.description, scenario.digest, scenario_path, document, result, base,
                   changes, in_force, store, over, span)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return out_path


@dataclass(frozen=True)
class Span:
    """The dates the report's section over time shows: ``start`` to ``end`` every ``every``; ``given``: the
    scenario's own range (its ``over``), else the default (1 January of each of the ``YEARS_BEFORE`` years
    before the report's date, and that date)."""

    start: str
    end: str
    every: str
    given: bool

    @classmethod
    def of(cls, scenario: Scenario | None, at: str) -> Span:
        """The scenario's range, else the default ending on ``at``: the rule the API's series follow."""
        start, end, every, given_by = api.series_range(scenario, at=at)
        return cls(start.isoformat(), end.isoformat(), every, given=given_by == "scenario")

    def words(self) -> str:
        """The span in words, with where it comes from."""
        if not self.given:
            return (f"1 January of each year from {self.start[:4]}, and {self.end} (the scenario gives no range of "
                    f"dates: the {YEARS_BEFORE} years before its date)")
        n, unit = int(self.every[:-1]), {"y": "year", "m": "month", "d": "day"}[self.every[-1]]
        step = f"every {unit}" if n == 1 else f"every {n} {unit}s"
        return f"{step} from {self.start} to {self.end} (the scenario's range of dates, its 'over')"


def _render(name: str, description: str, digest: str, path: Path, document: dict[str, Any], result: dict[str, Any],
            base: dict[str, Any], changes: dict[str, Any], in_force: dict[str, Any], store: Store,
            over: tuple[dict[str, Any], dict[str, Any]], span: Span) -> str:
    rows = store.rows("countries", id=result["destination"])
    where = str(rows[0]["name"]) if rows else str(result["destination"])
    target = f"{where} ({result['destination']})" if rows else where  # by name, its code after it
    rule_names = {str(r["id"]): str(r["name"]) for r in [*store.rows("rules"), *document["add"]] if r.get("name")}

    def rules_named(ids: list[str]) -> str:
        """Rules by name, each with its id after it: "Japan bars all DUV lithography tools for China (X-DUV-JPN)"."""
        return ", ".join(f"{rule_names[i]} ({i})" if i in rule_names else i for i in ids)

    parts = [head(f"{name} · chipshift report"),
             f"<h1>{escape(name)}</h1><p>{escape(description)}</p>",
             f"<p class='muted'>Scenario file {escape(path.name)} · digest {escape(digest)} · target "
             f"{escape(target)} · evaluated at {escape(result['at'])} (every section but "
             f"<a href='#over-time'>Exposure by stage over time</a>, which shows {escape(span.words())}) · generated "
             f"{datetime.now(UTC).isoformat(timespec='seconds')} by chipshift</p>"]
    parts.append("<h2>Rules the scenario changes</h2>")
    added = document["add"]
    if added:
        def named(table: str, key: str | None) -> str:
            """A country or an input by name, its code after it ("Netherlands (NLD)"); '*': every item."""
            if key == "*":
                return "every item"
            found = store.rows(table, id=key) if key else []
            return f"{found[0]['name']} ({key})" if found else str(key)

        rows = [{**r, "imposed_by": named("countries", r.get("imposed_by")),
                 **{k: str(r.get(k) or "").replace("_", " ") for k in ("kind", "policy")},
                 "products": [named("inputs", p.get("input")) for p in r.get("products") or []],
                 "targets": [named("countries", c) for c in (r.get("targets") or {}).get("countries") or []]}
                for r in added]
        parts.append("<h3>Added</h3>" + html_table([("id", "Id"), ("name", "Name"), ("imposed_by", "Imposer"),
                                                ("kind", "Kind"), ("policy", "Policy"), ("effective", "Effective"),
                                                ("products", "Products"), ("targets", "Targets")], rows, set()))
    if document["remove"]:
        parts.append(f"<h3>Removed</h3><p>{escape(', '.join(document['remove']))}</p>")
    if document["edit"]:
        parts.append("<h3>Edited</h3><ul>" + "".join(
            f"<li>{escape(e['id'])}: {escape(', '.join(f'{k} = {v}' for k, v in e.items() if k != 'id'))}</li>"
            for e in document["edit"]) + "</ul>")
    if not (added or document["remove"] or document["edit"]):
        parts.append("<p class='muted'>None: the scenario is the baseline.</p>")
    base_stage = {s["stage"]: s for s in base["by_stage"]}
    stage_rows = [(STAGES.get(s["stage"], s["stage"]),
                   [(base_stage[s["stage"]]["barred_lower_mean_pct"],
                     base_stage[s["stage"]]["barred_upper_mean_pct"]) if s["stage"] in base_stage else (None, None),
                    (s["barred_lower_mean_pct"], s["barred_upper_mean_pct"])]) for s in result["by_stage"]]
    parts.append("<h2>Exposure by stage</h2><p class='muted'>Share of world supply barred, averaged over each stage's "
                 "inputs, each input weighing the same (the chart over time below weighs them by market size, so its "
                 "figures differ): from the lower bound (certain bars only) to the upper bound (uncertain and unknown "
                 "parts counted as barred).</p>")
    on = str(result["at"])
    sources = "; ".join(result.get("data_sources") or [])
    published = sorted(str(r["published"]) for r in store.rows("sources") if r.get("published")
                       and r["id"] in {rule.get("source") for rule in in_force["rules"]})
    if published:  # the date of the data: the latest publication of a source of a rule in force
        sources = f"rules in force as published up to {published[-1]}" + (f"; {sources}" if sources else "")
    footer = (f"Scenario: {name} ({path.name}), against the baseline (the bundled rules) · as of {on} · target "
              f"{target}" + (f" · Sources: {sources}" if sources else ""))
    parts.append(svg.ranges(stage_rows, ["baseline", name],
                            f"Share of world supply barred for {where} on {on}, averaged over each stage's inputs "
                            f"(each input weighing the same, not by market size): the baseline vs {name}",
                            footer=footer))
    parts.append(_over_time(name, path, result, base, over, target, sources, span, rule_names))
    parts.append(f"<h2>Availability that changes ({changes['count']} inputs)</h2>")
    parts.append(f"<p>Rules in force only under the scenario: {escape(rules_named(changes['rules_added']) or 'none')}; "
                 f"only in the baseline: {escape(rules_named(changes['rules_removed']) or 'none')}.</p>")
    if changes["inputs"]:
        parts.append(svg.ranges([(d["name"], [(d["before_lower_pct"], d["before_upper_pct"]),
                                              (d["after_lower_pct"], d["after_upper_pct"])])
                                 for d in changes["inputs"][:40]],
                                ["available (baseline)", f"available ({name})"],
                                f"Share of world supply {where} may buy on {on}, by input: the baseline vs {name}",
                                footer=footer))
        parts.append("<p class='muted'>Shares of world supply, in percent; an input's name opens the providers' "
                     "shares it rests on, with their sources.</p>")
        bounds = ("before_lower_pct", "before_upper_pct", "after_lower_pct", "after_upper_pct")
        parts.append(html_table([("name", "Input"), ("before_lower_pct", "Before lower (%)"),
                                 ("before_upper_pct", "Before upper (%)"), ("after_lower_pct", "After lower (%)"),
                                 ("after_upper_pct", "After upper (%)"),
                                 ("newly_barred", "Newly barred"), ("no_longer_barred", "No longer barred")],
                                [{**d, **{k: _pct(d[k]) for k in bounds}} for d in changes["inputs"]], set(bounds),
                                links={"name": lambda d: f"#src-{d['input']}"}))
    most = sorted(result["by_input"], key=lambda r: (
        -(r["barred_pct"] if r["barred_pct"] is not None else r["barred_upper_pct"]), r["name"]))[:30]
    parts.append("<h2>Most exposed inputs under the scenario</h2>")
    parts.append(svg.heatmap([(r["name"], STAGES.get((r["stages"] or [""])[0], "No stage"),
                               [r["barred_lower_pct"], r["barred_pct"], r["barred_upper_pct"]]) for r in
                              sorted(most, key=lambda r: (r["stages"] or ["~"])[0])],
                             ["Barred (lower)", "Barred (strict)", "Barred (upper)"],
                             f"The 30 inputs most barred for {where} on {on} under {name}: share of world supply "
                             "barred, by stage", footer=footer))
    parts.append("<p class='muted'>Where each of these inputs' shares come from: " + ", ".join(
        f"<a href='#src-{escape(r['input'])}'>{escape(r['name'])}</a>" for r in most) + ".</p>")
    parts.append(f"<h2>Market results</h2><p class='notice'>{escape(str(MARKET_POINTER['note']))} The report "
                 "of a market case: <code>chipshift report examples/micron-china.yaml</code>.</p>")
    parts.append(_sources(in_force, store))
    parts.append(_share_sources(store, [*(d["input"] for d in changes["inputs"]), *(r["input"] for r in most)]))
    attribution = [d["attribution"] for d in store.rows("datasets")]
    if attribution:
        parts.append(f"<p class='muted'>{escape(' '.join(attribution))}</p>")
    parts.append("</body></html>")
    return page(parts)


def _over_time(name: str, path: Path, result: dict[str, Any], base: dict[str, Any],
               over: tuple[dict[str, Any], dict[str, Any]], target: str, sources: str, span: Span,
               rule_names: dict[str, str]) -> str:
    """Exposure by stage (market-size weighted) at each date of the span (the scenario's range, else 1 January of
    each year before the report's date and the date itself), under the scenario (a chart) and beside the baseline
    (a table), with the rules that started or ended between dates, by name (``rule_names``) and id. ``target``:
    the destination by name, its code after it."""
    where = target.split(" (")[0]
    scenario, baseline = over
    on = str(result["at"])
    dates = list(scenario["dates"]) + ([] if span.given or on in scenario["dates"] else [on])
    stages = list(dict.fromkeys(r["stage"] for r in result["by_stage"]))

    def at(report: dict[str, Any], when: str) -> dict[str, dict[str, Any]]:
        rows = report["by_stage"] if "dates" not in report else [r for r in report["by_stage"] if r["at"] == when]
        return {r["stage"]: r for r in rows}

    def table_of(report: dict[str, Any], single: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
        return {when: at(report if when in report["dates"] else single, when) for when in dates}

    mine = table_of(scenario, result)
    theirs = table_of(baseline, base)
    series = [(STAGES.get(stage, stage), [mine[d].get(stage, {}).get("barred_lower_weighted_pct") for d in dates],
               [mine[d].get(stage, {}).get("barred_upper_weighted_pct") for d in dates]) for stage in stages]
    footer = (f"Scenario: {name} ({path.name}) · {span.words()} · target "
              f"{target}" + (f" · Sources: {sources}" if sources else ""))
    out = [f"<h2 id='over-time'>Exposure by stage over time</h2><p class='muted' id='over-time-span'>The same "
           f"question at {len(dates)} dates, {escape(span.words())}: each stage's share of supply barred, "
           "weighted by its inputs' market sizes, from the lower bound (certain bars only) to the upper bound "
           "(uncertain and unknown parts counted as barred); the baseline beside it in the table.</p>",
           svg.bands(dates, series, f"Share of each stage's supply barred for {where} under {name}, {dates[0]} to "
                 f"{dates[-1]} (market-size weighted)", footer=footer,
                 positions=[date.fromisoformat(d).toordinal() for d in dates], axis="% of the stage's supply barred")]
    rows = [{"at": d, "stage": STAGES.get(stage, stage),
             **{f"{side}_{bound}": _pct(table[d].get(stage, {}).get(f"barred_{bound}_weighted_pct"))
                for side, table in (("scenario", mine), ("baseline", theirs)) for bound in ("lower", "upper")}}
            for d in dates for stage in stages]
    out.append(html_table([("at", "Date"), ("stage", "Stage"), ("scenario_lower", "Scenario lower"),
                           ("scenario_upper", "Scenario upper"), ("baseline_lower", "Baseline lower"),
                           ("baseline_upper", "Baseline upper")], rows,
                          {"scenario_lower", "scenario_upper", "baseline_lower", "baseline_upper"}))
    changed = [c for c in scenario["rule_changes"][1:] if c["rules_started"] or c["rules_ended"]]
    if changed:
        def named(rule: str) -> str:
            return f"{rule_names[rule]} ({rule})" if rule in rule_names else rule

        out.append("<p>Rules reaching the target under the scenario that came into force (+) or ended (−) since the "
                   "date before, by name and id:</p><ul class='rule-changes'>" + "".join(
                       f"<li>{escape(c['at'])}: " + escape("; ".join([*(f"+ {named(r)}" for r in c["rules_started"]),
                                                                      *(f"− {named(r)}" for r in c["rules_ended"])]))
                       + "</li>" for c in changed) + "</ul>")
    if left_out := scenario.get("rules_left_out"):
        out.append(f"<p class='muted'>{len(left_out)} other rule{'s' if len(left_out) > 1 else ''} reaching the "
                   f"target are left out of that list: {escape(scenario['rules_left_out_why'])}.</p>")
    return "\n".join(out)


def _share_sources(store: Store, inputs: list[str]) -> str:
    """For each input a figure of the report rests on (an anchor ``src-ID`` its name links to): its providers'
    shares of world supply with the source of each (publisher, title and link, date, quote)."""
    out = ["<h2 id='share-sources'>Sources of the inputs' shares</h2><p class='muted'>The shares of world supply "
           "the figures above rest on, per input: each provider's share (percent) and where it comes from.</p>"]
    datasets = {d["id"]: d for d in store.rows("datasets")}
    for input_id in dict.fromkeys(inputs):
        shown = api.show_input(store, input_id).as_report()
        facts = {f["id"]: f for f in store.facts(product=shown["id"])} if shown["shares_from"] == "facts" else {}
        firm_hq = {f["id"]: f["hq_country"] for f in store.rows("firms")}
        rows = []
        for row in shown["countries"] or shown["firms"]:
            if shown["shares_from"] == "dataset":
                src = explorer.dataset_source(datasets.get(shown["origin"]), row["source"], row["year"])
            elif row.get("fact") in facts:
                src = explorer.fact_source(facts[row["fact"]])
            else:
                src = explorer.derived_source(row, "country" if shown["countries"] else "firm", shown, facts, firm_hq)
            rows.append({"name": row["name"], "share": "unknown" if row["share_pct"] is None else
                         f"{row['share_pct']:g}", "period": row.get("period") or row.get("year"),
                         "publisher": src.get("original_publisher") or src.get("publisher") or src.get("note"),
                         "title": src.get("title") or src.get("url") or "", "url": src.get("url"),
                         "published": src.get("published"), "quote": src.get("quote")})
        out.append(f"<h3 id='src-{escape(input_id)}'>{escape(shown['name'])}</h3>")
        out.append(html_table([("name", "Provider"), ("share", "Share of world supply (%)"), ("period", "Period"),
                               ("publisher", "Publisher"), ("title", "Source"), ("published", "Published"),
                               ("quote", "Quote")], rows, {"share"},
                              links={"title": lambda r: r["url"]}) if rows else
                   "<p class='muted'>No provider shares recorded.</p>")
    return "\n".join(out)


def _sources(in_force: dict[str, Any], store: Store) -> str:
    out = ["<h2>Sources of the rules in force</h2>"]
    rules = {r["id"]: r for r in store.rows("rules")}
    for rule in in_force["rules"]:
        record = rules.get(rule["id"])
        source = store.rows("sources", id=rule["source"])
        if source:
            s = source[0]
            cite = (f"{escape(s['publisher'])}, <a href='{escape(s['url'])}'>{escape(s['title'])}</a> "
                    f"({escape(str(s['published']))})")
        else:
            cite = "hypothetical rule of the scenario (no source)"
        quote = f"<blockquote>{escape(record['quote'])}</blockquote>" if record else ""
        out.append(f"<p><b>{escape(rule['id'])}</b> · {escape(rule['name'])} · {escape(str(rule.get('reach', '')))}"
                   f"<br>{cite}</p>{quote}")
    return "\n".join(out)
