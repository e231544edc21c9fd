"""The offline HTML report of a scenario."""

from __future__ import annotations

import itertools
import re
import unicodedata
from html import unescape
from pathlib import Path

import pytest
from tests.web.conftest import EXAMPLES

from chipshift.errors import DataError
from chipshift.io.store import Store
from chipshift.web import svg
from chipshift.web.report import write_report

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)


def test_report_is_self_contained(web_store: Store, tmp_path: Path) -> None:
    out = write_report(web_store, EXAMPLES / "duv-immersion-china.yaml", tmp_path / "r" / "report.html")
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") >= 3, "charts are embedded"
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"(src)=['\"]https?://", html)
    assert "X-DUV-NLD" in html and "ArF immersion (DUV) lithography tools" in html
    assert "<blockquote>" in html and "bis.gov" in html, "sources listed with their quotes"
    assert "Market results" in html
    # each chart says what it shows and what it rests on, inside the picture; legends whole
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    assert charts and all('class="chart-title"' in c and 'class="footer"' in c for c in charts)
    assert "barred for China on 2026-06-30" in charts[0] and "Scenario: DUV lithography tools barred" in charts[0]
    # the stages' figures are means over their inputs, each weighing the same, and the title says so (the chart over
    # time weighs them by market size and says that)
    first_title = unescape(re.findall(r'aria-label="([^"]*)"', charts[0])[-1])
    assert "averaged over each stage's inputs" in first_title and "each input weighing the same" in first_title, (
        first_title)
    legends = re.findall(r'class="legend"[^>]*>([^<]*)<', html)
    assert "available (DUV lithography tools barred for China)" in legends and not any("…" in x for x in legends)
    # the page says which date its sections show, and shows exposure by stage over the scenario's range of dates
    # (its 'over': every six months from 2022-06-30 to its date), saying the span
    assert "evaluated at 2026-06-30 (every section but" in html
    span = "every 6 months from 2022-06-30 to 2026-06-30 (the scenario&#x27;s range of dates, its &#x27;over&#x27;)"
    assert span in html and "The same question at 9 dates" in html
    (over,) = [c for c in charts if "2022-06-30 to 2026-06-30" in c]
    assert "S2 · Fabrication" in over and over.count("<polyline") == 6  # per stage, its upper and lower bounds
    assert "2022-12-30" in over and "Scenario: DUV lithography tools barred" in over
    # the rules that came into force between two dates, by name and id
    assert "+ US advanced computing and SME rule (E-OCT2022)" in html
    # every input of the figures links to the shares it rests on, each with its source, one click away
    links = set(re.findall(r"href=['\"]#src-([^'\"]+)['\"]", html))
    anchors = set(re.findall(r"id='src-([^']+)'", html))
    assert "N22" in links and links <= anchors
    duv = html.split("id='src-N22'")[1].split("<h3")[0]
    assert "Netherlands" in duv and "Emerging Technology Observatory" in duv and "TechInsights" in duv
    assert "After lower (%)" in html  # the table's unit
    # the rules the scenario adds are named in words, their codes after the names
    added = html.split("<h3>Added</h3>")[1].split("<h2")[0]
    assert "Netherlands (NLD)" in added and "ArF immersion (DUV) lithography tools (N22)" in added
    assert "export control" in added and "export_control" not in added and "China (CHN)" in added
    # on a phone, wide tables and charts scroll in boxes of their own, reached by Tab (see the layout test below)
    assert "name='viewport' content='width=device-width" in html
    assert html.count("<table") == html.count('<div class="table-wrap" tabindex="0" role="region"')
    assert html.count("<svg") == html.count('<div class="chart" tabindex="0" role="region" aria-label="chart: ')


def test_report_fits_a_desktop_and_a_phone(web_store: Store, tmp_path: Path) -> None:
    """The report opened in Debian's chromium: axe-core clean, and nothing wider than the window at the desktop and
    the phone size (a table or chart wider than a phone scrolls in its own box; a chart fills the width it has)."""
    from playwright.sync_api import sync_playwright
    from tests.web.conftest import ARTIFACTS
    from tests.web.page_checks import DESKTOP, check_page
    from tests.web.test_browser import ARGS, CHROMIUM

    out = write_report(web_store, EXAMPLES / "duv-immersion-china.yaml", tmp_path / "report.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport=DESKTOP)
            page.goto(out.as_uri())
            check_page(page, "report", ARTIFACTS, reflow=False)
        finally:
            browser.close()


@pytest.mark.parametrize("case", ["china-ai-accelerators", "gallium-export-controls"])
def test_market_report_fits_a_desktop_and_a_phone(web_store: Store, tmp_path: Path, case: str) -> None:
    """A market case's report (a single market and linked markets) opened in Debian's chromium: axe-core clean,
    nothing wider than the window at the desktop and the phone size, no chart text cut or too small."""
    from playwright.sync_api import sync_playwright
    from tests.web.conftest import ARTIFACTS
    from tests.web.page_checks import DESKTOP, check_page
    from tests.web.test_browser import ARGS, CHROMIUM

    out = write_report(web_store, EXAMPLES / f"{case}.yaml", tmp_path / "market.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport=DESKTOP)
            page.goto(out.as_uri())
            assert page.locator("svg text.chart-title").count() >= 2
            check_page(page, f"market-report-{case}", ARTIFACTS, reflow=False)
        finally:
            browser.close()


def test_report_without_a_range_shows_the_years_before_its_date(web_store: Store, tmp_path: Path) -> None:
    text = (EXAMPLES / "duv-immersion-china.yaml").read_text(encoding="utf-8")
    plain = tmp_path / "no-range.yaml"
    plain.write_text(re.sub(r"(?m)^over:.*\n", "", text), encoding="utf-8")
    html = write_report(web_store, plain, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "1 January of each year from 2021, and 2026-06-30 (the scenario gives no range of dates" in html
    assert "2021-01-01 to 2026-06-30" in html


def test_a_scenario_range_is_checked(web_store: Store, tmp_path: Path) -> None:
    text = (EXAMPLES / "duv-immersion-china.yaml").read_text(encoding="utf-8")
    for bad, field in (('over: {from: "2027-01-01"}', "over.from"), ('over: {from: "2022-01-01", every: 1w}',
                                                                       "over.every"),
                       ("over: [2022]", "over"), ('over: {from: "2022-02-30"}', "over.from")):
        path = tmp_path / "bad-range.yaml"
        path.write_text(re.sub(r"(?m)^over:.*$", bad, text), encoding="utf-8")
        with pytest.raises(DataError) as caught:
            write_report(web_store, path, tmp_path / "x.html")
        assert any(p.field == field for p in caught.value.problems), (bad, caught.value.problems)


def test_report_of_a_bad_scenario_raises(web_store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nremove: [NO-SUCH-RULE]\n", encoding="utf-8")
    with pytest.raises(DataError):
        write_report(web_store, bad, tmp_path / "out.html")
    assert not (tmp_path / "out.html").exists()


def test_market_report_is_self_contained(web_store: Store, tmp_path: Path) -> None:
    out = write_report(web_store, EXAMPLES / "china-ai-accelerators.yaml", tmp_path / "market.html")
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") >= 3, "trajectories and the share stack are embedded"
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"(src)=['\"]https?://", html)
    assert "do not pin down quality: Nvidia&#x27;s H20 (q_h20)" in html, "the calibration statement, in words"
    assert "fill-opacity=\"0.18\"" in html, "bands"
    assert "chn-localization-ai-accelerator-morgan-stanley-2024-ckhq" in html and "Morgan Stanley" in html
    assert "<a href='https://" in html, "sources listed with their URLs"
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    assert all('class="chart-title"' in c and "Case: china-ai-accelerators" in c for c in charts)
    assert "Huawei Technologies" in charts[-1], "suppliers by name"
    # each chart's value axis says what its values are, in their unit (not the title alone)
    axes = [re.findall(r'<text class="axis-label"[^>]*>(.*?)</text>', c) for c in charts]
    assert all(len(a) == 1 for a in axes), axes
    assert ["revenue, million yuan (CNY) per year"] in axes and ["% of market value"] in axes
    assert not any("million yuan" in re.search(r'class="chart-title"[^>]*>(.*?)</text>', c).group(1)  # type: ignore[union-attr]
                   for c in charts)
    assert not re.search(r">-?\d(\.\d+)?e[+-]\d+<", html), "axes in plain numbers (40,000), not 4e+04"
    assert "<th>Unit</th>" in html and "<td>million yuan (CNY)</td>" in html, "every table of figures with its unit"
    # the tables name outputs, units and parameters in words (codes stay in the JSON), figures rounded
    tables = " ".join(re.findall(r"<table.*?</table>", html, re.S))
    assert "Cambricon&#x27;s revenue, model and reported" in tables and "revenue:cambricon" not in tables
    assert ">pct<" not in tables and ">True<" not in tables and "<td>yes</td>" in tables
    assert "<td>Quality: Nvidia&#x27;s H20</td>" in tables and "<td>ratio to the baseline offering</td>" in tables
    assert re.search(r"RMSE \d+(\.\d+)? ", html) and not re.search(r"RMSE \d+\.\d{4}", html)
    # a share's axis stops at 100%
    assert ">200%<" not in html
    # a chart's footer sends the reader to where the report itself quotes each fact, not to a file it lacks
    assert "results.json" not in html and "each with its source in the Sources section" in html


def test_a_share_stack_lists_its_legend_top_down_as_the_bars() -> None:
    """The report's stacked shares: the first part is drawn at the bottom, so the legend (read top down) lists the
    parts last first, each name at the height order of its part in the bar."""
    chart = svg.stack([(2024, [("Acme", 50.0), ("Globex", 30.0), ("Initech", 20.0)])], "Shares")
    bar_top = {name: float(y) for y, name in re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" '
                                                        r'height="[\d.]+" fill="#\w+"><title>(\w+) 2024', chart)}
    legend_y = {name: float(y) for y, name in re.findall(r'<text class="legend" x="[\d.]+" y="([\d.]+)"'
                                                          r'[^>]*><tspan[^>]*>(\w+)</tspan>', chart)}
    assert set(bar_top) == set(legend_y) == {"Acme", "Globex", "Initech"}
    assert sorted(bar_top, key=bar_top.__getitem__) == ["Initech", "Globex", "Acme"]  # top down in the bar
    assert sorted(legend_y, key=legend_y.__getitem__) == ["Initech", "Globex", "Acme"]


def test_report_charts_label_their_value_axis() -> None:
    chart = svg.trajectory([{"x": 2024, "value": 10.0}, {"x": 2025, "value": 12.0}], [], [], "Revenue", "",
                           axis="revenue, million yuan (CNY)")
    label = re.search(r'<text class="axis-label" x="8" y="(\d+)"[^>]*>(.*?)</text>', chart)
    assert label and label.group(2) == "revenue, million yuan (CNY)"
    # above the highest tick (at the plot's top), not on it
    ticks = [float(y) for y in re.findall(r'<text x="58" y="([\d.]+)" text-anchor="end"', chart)]
    assert ticks and int(label.group(1)) < min(ticks) - 8
    assert "axis-label" not in svg.trajectory([{"x": 2024, "value": 10.0}], [], [], "Revenue", "")


def test_a_wide_band_does_not_squeeze_the_values_drawn() -> None:
    """A firm's revenue near nil against a band of hundreds (Cambricon's in the AI accelerators' case): the axis
    runs to a few times the values drawn, not to the band's top; the band runs off the axis, and its legend says so."""
    points = [{"x": y, "value": v, "p5": 0.0, "p95": 400.0} for y, v in ((2024, 1.0), (2025, 2.0), (2026, 3.0))]
    chart = svg.trajectory(points, [], [], "Revenue", "", axis="revenue, billion yuan (CNY)")
    ticks = [float(t.replace(",", "")) for t in re.findall(r'<text x="58" y="[\d.]+" text-anchor="end"[^>]*>([\d.,]+)<',
                                                          chart)]
    assert ticks and max(ticks) <= 10, ticks
    assert "runs above the axis, to 400" in " ".join(re.sub(r"<[^>]+>", " ", chart).split())
    # a band within a few times the values keeps the axis to the band's top, and its legend plain
    near = [{**p, "p95": 2 * p["value"]} for p in points]
    assert "runs above the axis" not in svg.trajectory(near, [], [], "Revenue", "")


def test_a_chinese_footer_wraps_within_its_chart() -> None:
    """A footer naming Chinese publishers and titles (a wide character takes about twice a Latin one's room, and a
    run of them has no spaces) wraps within the chart's width, as a Latin footer does: no line runs past the edge
    on a phone, where the chart is drawn at the page's width."""
    footer = ("Case: china-ai-accelerators. Sources of the figures shown: 寒武纪 (Cambricon), "
              "中科寒武纪科技股份有限公司年度报告摘要; 觀察者網 (Guancha), 海光信息籌劃換股吸收合併中科曙光. ") * 2
    chart = svg.trajectory([{"x": 2024, "value": 1.0}, {"x": 2025, "value": 2.0}], [], [], "Revenue", "",
                           width=390, footer=footer)
    lines = re.findall(r'<text class="footer"[^>]*>(.*?)</text>', chart)
    assert len(lines) > 4
    for line in lines:
        wide = sum(unicodedata.east_asian_width(ch) in ("W", "F") for ch in line)
        assert wide * 10 + (len(line) - wide) * 10 * 0.58 <= 390 - 16 + 1, line
    assert "".join(lines).replace(" ", "") == footer.replace(" ", "").replace("&", "&amp;")


def test_report_charts_name_as_many_quarters_as_fit() -> None:
    quarters = [f"{y}Q{q}" for y in range(2021, 2028) for q in range(1, 5)]
    chart = svg.trajectory([{"x": i, "value": 1.0} for i in range(len(quarters))], [], [], "Price", "",
                           x_labels=quarters)
    named = [(float(x), q) for x, q in re.findall(r'<text x="([\d.]+)" y="\d+" text-anchor="middle" font-size="11" '
                                                   r'fill="#5b6b7c">(\d{4}Q\d)</text>', chart)]
    assert named and named[0][1] == "2021Q1" and len(named) < len(quarters)
    # names at least a name's width apart (six characters at about 7 px)
    assert all(b[0] - a[0] >= 6 * 7 for a, b in itertools.pairwise(named))


def test_market_report_says_which_shares_never_move(web_store: Store) -> None:
    """The report of the gallium case: China's localization is 100% in every quarter (China's producers sell
    alone there), so the report draws no chart of it and says so and why, as the files and the Results page do."""
    from chipshift.api.market_runs import scenario_run
    from chipshift.web.market_report import render

    report = scenario_run(web_store, EXAMPLES / "gallium-export-controls.yaml", draws=0)
    html = render(report, report["facts"], "gallium-export-controls.yaml")
    headline = html.split("<h2>Headline outputs</h2>")[1].split("<table")[0]
    assert "Shares that hold at 0% or 100% throughout, and why (no chart of them is drawn)" in headline
    assert ("Domestic sellers&#x27; share of gallium spending, China (localization): 100% in every quarter from "
            "2023Q1 to 2025Q2, so it has no chart: every seller with a share of the gallium market in China is "
            "domestic there (China&#x27;s producers).") in headline
    titles = re.findall(r'class="chart-title"[^>]*>(.*?)</text>', html)
    assert titles and not any("localization" in t and "China" in t and "Rest" not in t for t in titles), titles


def test_report_text_says_what_each_chart_and_table_shows(web_store: Store, tmp_path: Path) -> None:
    """Read as a reader would, a restriction scenario's report and a market case's: every chart has a title in
    words (the target and the firm or market by name), an axis or scale in percent where it shows shares, and a
    footer naming the scenario or case, the date of its data and its sources; every table of figures says its unit;
    the target and the rules are named in words, their codes after the names."""
    from chipshift.api.market_runs import scenario_run
    from chipshift.web.market_report import render

    html = write_report(web_store, EXAMPLES / "duv-immersion-china.yaml", tmp_path / "r.html").read_text(
        encoding="utf-8")
    body = html.split("<h2>Sources of the rules in force</h2>")[0]
    assert "target China (CHN)" in body and "target CHN" not in body
    charts = re.findall(r"<svg.*?</svg>", body, re.S)
    assert len(charts) >= 4
    for chart in charts:
        title = re.search(r'class="chart-title"[^>]*>(.*?)</text>', chart, re.S)
        assert title and "China" in title.group(1), chart[:300]
        footer = " ".join(re.findall(r'class="footer"[^>]*>(.*?)</text>', chart, re.S))
        assert "Scenario: DUV lithography tools barred for China" in footer and "Sources: " in footer, footer
        assert "2026-06-30" in footer and "target China (CHN)" in footer, footer
        assert re.search(r"Sources: rules in force as published up to 20\d\d-\d\d", footer), footer
        assert "%" in chart  # shares, in percent
    # the rules the scenario adds and those that start or end between dates: by name, each id after its name
    assert "Rules in force only under the scenario: Japan bars all DUV lithography tools for China (X-DUV-JPN)" in body
    changes = body.split("<ul class='rule-changes'>")[1].split("</ul>")[0]
    assert not re.search(r"[+−] [A-Z]-[A-Z0-9-]+[;<]", changes), changes
    assert len(re.findall(r"[+−] [^;<(]+ \([A-Z][A-Z0-9-]+\)", changes)) >= 20
    # rules on goods outside the chain (Australian barley) change no figure: left out, counted and explained
    assert "BARLEY" not in changes
    assert re.search(r"\d+ other rules reaching the target are left out of that list: they change no figure", body)
    # every table of figures says its unit: in its header, or after each figure
    for table in re.findall(r"<table.*?</table>", body, re.S):
        figures = re.findall(r'<td class="num">([^<]*)</td>', table)
        assert not figures or "(%)" in table or all(f.endswith("%") or not f for f in figures), table[:300]

    report = scenario_run(web_store, EXAMPLES / "gallium-export-controls.yaml", draws=0)
    market = render(report, report["facts"], "gallium-export-controls.yaml").split("<h2>Sources</h2>")[0]
    charts = re.findall(r"<svg.*?</svg>", market, re.S)
    assert len(charts) >= 3
    for chart in charts:
        title = re.search(r'class="chart-title"[^>]*>(.*?)</text>', chart, re.S)
        assert title and ("China" in title.group(1) or "rest of the world" in title.group(1).lower()), title
        assert re.search(r'class="axis-label"[^>]*>[^<]*(index|%)', chart), title
        footer = " ".join(re.findall(r'class="footer"[^>]*>(.*?)</text>', chart, re.S))
        assert "Case: gallium-export-controls" in footer and f"Data: figures published up to {report['data_as_of']}" \
            in footer and "U.S. Geological Survey" in footer, footer
        legends = re.findall(r'class="legend"[^>]*>(.*?)</text>', chart, re.S)
        assert legends and not any("…" in x for x in legends), legends
    tables = re.findall(r"<table.*?</table>", market, re.S)
    with_figures = [t for t in tables if "<th>Value</th>" in t or "<th>Observed</th>" in t]
    assert with_figures and all("<th>Unit</th>" in t for t in with_figures)
    # the markets by product, region and buyers in words (each id in the case last)
    markets = market.split("<h2>Markets</h2>")[1].split("</table>")[0]
    assert "<td>Gallium, Rest of the world</td><td>Gallium</td><td>Rest of the world</td><td>all</td>" in markets
    # codes stay out of the words: sellers, regions and products by name
    text = re.sub(r"<[^>]+>", " ", market)
    assert not re.search(r"china_producers|other_producers|price@|share:|revenue_share:", text)
    # a single market's report names its region and product in its heading line
    single = scenario_run(web_store, EXAMPLES / "china-ai-accelerators.yaml", draws=0)
    line = render(single, single["facts"], "china-ai-accelerators.yaml").split("<h2>")[0]
    assert "China, AI accelerators, 2023-2027" in line and "ai_accelerator" not in line


def test_series_that_meet_in_a_chart_over_dates_stay_seen() -> None:
    """Two scenarios whose upper bounds meet (the same share barred from some date on): the first series is drawn
    wider than the second, lines and marks, so that where they meet it shows round the other, never hidden by it."""
    chart = svg.bands(["2023", "2024", "2025"], [("baseline", [20.0, 25.0, 25.0], [50.0, 75.0, 75.0]),
                                                 ("DUV barred", [20.0, 28.0, 28.0], [50.0, 75.0, 75.0])], "Exposure")
    widths = {colour: float(w) for colour, w in re.findall(r'<polyline [^>]*stroke="(#\w+)" stroke-width="([\d.]+)"',
                                                            chart)}
    first, second = svg.PALETTE[0], svg.PALETTE[1]
    assert widths[first] > widths[second] + 2, widths
    radii = {colour: float(r) for r, colour in re.findall(r'<circle [^>]*r="([\d.]+)" fill="(#\w+)"', chart)}
    assert radii[first] > radii[second], radii


def test_a_bound_at_zero_is_drawn_inside_the_plot() -> None:
    """A lower bound of 0% (a thick dashed line) lies inside the plot by half its width, not astride the axis, where
    it would read as a comb; the grid line of 0% stays where it is."""
    chart = svg.bands(["2023", "2024"], [("a", [0.0, 0.0], [10.0, 20.0]), ("b", [0.0, 0.0], [5.0, 8.0])], "Exposure")
    zero = float(re.search(r'<line x1="\d+" x2="[\d.]+" y1="([\d.]+)" y2="\1" stroke="#e3e8ee"/><text [^>]*>0%<',
                           chart).group(1))  # type: ignore[union-attr]
    dashed = re.findall(r'<polyline points="([^"]+)"[^>]*stroke-width="([\d.]+)" stroke-dasharray', chart)
    assert len(dashed) == 2
    for points, width in dashed:
        ys = [float(xy.split(",")[1]) for xy in points.split()]
        assert all(y <= zero - float(width) / 2 + 0.05 for y in ys), (width, ys, zero)
