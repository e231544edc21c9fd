"""Browser tests: Debian's chromium (never a downloaded build) driven by Playwright over a server the
test starts on 127.0.0.1 with a free port. Each page is opened, a scenario run, two scenarios compared,
the source panel checked. Each page's state a test reaches is also checked by `page_checks.check_page`: axe-core
for WCAG 2.1 A/AA, and the layout at 1440x900 and at a phone's 390x844 (screenshots of both under
test-artifacts/web/, git-ignored)."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import ConsoleMessage, Page, Route, sync_playwright
from tests.web.conftest import ARTIFACTS, EXAMPLES, TOKEN
from tests.web.page_checks import DESKTOP, PHONE, check_page, settle

from chipshift import api
from chipshift.config import Settings
from chipshift.io.store import Store
from chipshift.schemas.vocabulary import METRICS, UNITS
from chipshift.web import create_app

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

ARTICLE = Path(__file__).resolve().parents[2].parent / "shared/data/articles/chip-war-opinion-2025-10.txt"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app: Any) -> Iterator[str]:
    """Serve `app` on a free local port from a thread; yields its address and stops it when closed."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none",
                                           lifespan="on", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def base_url(web_settings: Settings, web_store: Store) -> Iterator[str]:
    yield from serve(create_app(web_settings, write_token=TOKEN, store=web_store, examples_dir=EXAMPLES,
                                learn_at_start=True))


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (scripts/run-tests installs it)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        problems: list[str] = []
        tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        tab.on("console", lambda m: _console(m, problems))

        def only_this_server(route: Route) -> None:
            if route.request.url.startswith(base_url):
                route.continue_()
            else:
                problems.append(f"request outside the server: {route.request.url}")
                route.abort()

        tab.context.route("**/*", only_this_server)
        tab.problems = problems  # type: ignore[attr-defined]
        yield tab
        browser.close()


def _console(message: ConsoleMessage, problems: list[str]) -> None:
    # 4xx answers that a test provokes on purpose show up as console errors; anything else is a problem.
    if message.type == "error" and "status of 4" not in message.text:
        problems.append(f"console: {message.text}")


def _open(page: Page, url: str, idle: bool = True) -> None:
    """Open a page; with ``idle``, wait until its requests are answered (without: a page whose requests may take
    longer than that wait, e.g. uncached market runs on a loaded machine, is waited for by the test itself)."""
    page.problems.clear()  # type: ignore[attr-defined]
    page.goto(url)
    if idle:
        page.wait_for_load_state("networkidle")


def _shot(page: Page, name: str) -> None:
    assert not page.problems, page.problems  # type: ignore[attr-defined]
    assert page.locator("#error").is_hidden(), page.locator("#error").inner_text()
    check_page(page, name, ARTIFACTS)


def test_landing_page_and_the_keyboard(page: Page, base_url: str, web_store: Store) -> None:
    """The landing page is the explorer; a search hit, a table's sorting, a row that opens something and a chart's
    mark that opens a source are all reached and used from the keyboard alone."""
    _open(page, f"{base_url}/")
    assert page.url.startswith(f"{base_url}/explorer")
    _shot(page, "landing")
    # the first Tab reaches a link past the header; from the content, the next Tab one past the tree of inputs
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#detail"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "detail"
    toggle = page.locator(".tree .stage > button.toggle").first
    assert toggle.get_attribute("aria-expanded") == "true" and "Design" in (toggle.get_attribute("aria-label") or "")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    # the landing chart (a stage's countries) says what it shows and each bar opens its source from the keyboard
    chart = page.locator("#detail svg").first
    assert "share of world capacity by country" in (chart.locator("text.chart-title").first.text_content() or "")
    footer = " ".join(chart.locator("text.footer").all_text_contents())
    assert "Data of 2022" in footer and "share of global fabrication capacity" in footer
    # what the shares measure is said once, in the chart's footer, not again under it
    assert page.locator("#detail p", has_text="share of global fabrication capacity").count() == 0
    kinds = set(page.locator("#detail table.data tbody tr td:nth-child(2)").all_inner_texts())
    assert {"tool", "material", "process"} <= kinds and not any("_" in k for k in kinds)  # kinds in words
    # the country that holds most of an input, in the table and the tree's chokepoint badges, by its name
    countries = {i: n for i, n, _ in web_store.names("countries") if n != i}
    tops = set(page.locator("#detail table.data tbody tr td:nth-child(3)").all_inner_texts()) - {""}
    assert "United States" in tops and not set(countries) & tops, tops
    badges = page.locator(".tree .badge.choke").all_inner_texts()
    assert badges and not {w for b in badges for w in b.split()} & set(countries), badges
    chart.locator("[role=button]").first.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#source-panel")
    panel.wait_for()
    assert "Emerging Technology Observatory" in panel.inner_text()
    assert panel.locator("blockquote").inner_text() != "(no quote recorded)"
    page.keyboard.press("Escape")
    # the inputs table's top share and market size each say what they are and open their source from the keyboard
    head = page.locator("#detail table.data thead").first.inner_text()
    assert "Top country's share of world supply" in head and "Market size (year)" in head
    for column in (4, 6):
        cell = page.locator(f"#detail table.data tbody tr td:nth-child({column}) .figure").first
        shown = cell.inner_text()
        cell.focus()
        page.keyboard.press("Enter")
        panel.wait_for(state="visible")
        page.wait_for_function("() => !document.querySelector('#source-panel').hidden && "
                               "document.querySelector('#source-panel blockquote')")
        quote = panel.locator("blockquote").inner_text()
        assert quote != "(no quote recorded)" and "Emerging Technology Observatory" in panel.inner_text()
        if column == 6:
            # as the dataset words it, with its year, or saying it has none
            assert shown.startswith(quote) and re.search(r"\((\d{4}|year not stated)\)$", shown), shown
        page.keyboard.press("Escape")
    page.focus("#search")
    page.keyboard.type("DRAM")
    page.locator("#search-results button.hit").first.wait_for()
    page.keyboard.press("ArrowDown")
    hit = page.evaluate("document.activeElement.textContent")
    assert page.evaluate("document.activeElement.classList.contains('hit')") and "DRAM" in hit
    page.keyboard.press("Enter")
    page.wait_for_selector("#detail h1:has-text('DRAM')")
    _open(page, f"{base_url}/sources")
    page.locator("#sources table.data th button.sort").first.focus()
    page.keyboard.press("Enter")
    assert page.locator("#sources table.data th").first.get_attribute("aria-sort") == "ascending"
    page.locator("#sources table.data tbody tr").first.focus()
    page.keyboard.press("Enter")
    page.locator("#source-card").wait_for()
    _open(page, f"{base_url}/exposure?target=CHN&at=2025-12-31")
    page.locator("#heatmap svg g.heat-row [role=button]").first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/explorer?input=" in page.url


def test_explorer_search_and_source_panel_shows_a_quote(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/explorer")
    assert page.locator(".tree .stage").count() == 4
    page.fill("#search", "EUV lith")
    page.locator("#search-results li", has_text="EUV lithography tools").first.click()
    page.wait_for_selector("#detail h1:has-text('EUV lithography tools')")
    assert page.locator("#detail .badge.choke").inner_text() == "chokepoint · Netherlands 100%"
    # the coalition whose joint share is given, by the countries' names
    coalition = page.locator("#detail dl.kv dt", has_text="Coalition share").locator("xpath=following-sibling::dd[1]")
    assert "(United States, Japan, Netherlands together)" in coalition.inner_text()
    assert page.locator("#detail svg g.bar").count() >= 2, "country and firm bars"
    page.locator("#detail table.data td .figure").first.click()
    panel = page.locator("#source-panel")
    panel.wait_for(state="visible")
    quote = panel.locator("blockquote").inner_text()
    assert quote and quote != "(no quote recorded)"
    assert panel.locator("a[href^='https://']").count() >= 1
    _shot(page, "explorer")
    page.keyboard.press("Escape")


def test_explorer_availability_of_an_input_over_time(page: Page, base_url: str) -> None:
    with page.expect_response(lambda r: "/api/v1/availability/series?" in r.url) as opened:
        _open(page, f"{base_url}/explorer?input=N20")
    # the section opens on the range the server answers without one (the default: 1 January of each of the five
    # years before today), the form filled with it, not on dates the page picked
    assert "from=" not in opened.value.url
    page.locator("#avail-series-chart svg").wait_for()
    first = f"{date.today().year - 5}-01-01"
    assert page.locator("#avail-series-params input[name=from]").input_value() == first
    assert "the default range" in page.inner_text("#avail-series-range")
    page.locator("#avail-series-params input[name=from]").fill("2018-01-01")
    page.locator("#avail-series-params input[name=to]").fill("2024-01-01")
    page.locator("#avail-series-params select[name=every]").select_option("6m")
    with page.expect_response(lambda r: "/api/v1/availability/series?" in r.url) as asked:
        page.click("#avail-series-show")
    assert asked.value.ok and "every=6m" in asked.value.url
    page.wait_for_selector("#avail-series-range:has-text('the range asked for')")
    page.locator("#avail-series-chart svg").wait_for()
    assert "China may still buy" in page.locator("#avail-series-chart").inner_text()
    rows = page.locator("#avail-series-table table.data")
    assert "2018-07-01" in rows.inner_text() and "E-NL-EUV-2019" in rows.inner_text()
    # the dates drawn are the answer's own: the axis names dates, not years the page worked out
    ticks = page.locator("#avail-series-chart svg text").all_text_contents()
    assert "2018-01-01" in ticks
    assert "Sources:" in " ".join(page.locator("#avail-series-chart svg text.footer").all_text_contents())
    # a point opens the rules barring it, from the keyboard
    point = page.locator("#avail-series-chart svg circle[role=button]").last
    point.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#source-panel")
    panel.locator(".figure-parts").wait_for()
    assert "available to China on 2024-01-01" in panel.inner_text()
    assert panel.locator(".figure-parts a[href='/rules/E-NL-EUV-2019']").count() == 1
    page.keyboard.press("Escape")
    page.locator("#avail-series-chart").scroll_into_view_if_needed()
    _shot(page, "explorer-availability-over-time")


def test_explorer_conflicting_values_side_by_side(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/explorer?input=dram")
    page.wait_for_selector("#detail h1:has-text('DRAM')")
    # the country chart (shares summed from the firms' by headquarters) names the firm facts' publishers
    footer = " ".join(page.locator("#detail .chart svg").first.locator("text.footer").all_text_contents())
    assert "derived from the firm shares of Dong-A Ilbo" in footer and "Data of 2025Q4" in footer, footer
    conflicts = page.locator(".conflict")
    assert conflicts.count() >= 1 and conflicts.first.locator(".value").count() >= 2
    conflicts.first.locator(".value .figure").first.click()
    assert page.locator("#source-panel blockquote").inner_text()
    page.keyboard.press("Escape")
    # each group says what it states, its definition included (the high and the low end of one range are two
    # groups alike in the rest), and each figure's unit in words, not its code
    text = page.locator("#detail").inner_text()
    assert "high end of TrendForce's range" in text and "low end of TrendForce's range" in text
    # each group's heading by names ("DRAM", "World"), never codes ("dram · 2025Q1 · WLD")
    headings = page.locator(".conflict .what b").all_inner_texts()
    assert headings and not any(re.search(r"\b(dram|WLD|CHN|KOR)\b", h) for h in headings), headings
    assert "pct_qoq" not in text and "percent change quarter on quarter" in text
    assert "usd_bn" not in text and "billion US dollars" in text
    _shot(page, "explorer-dram")


def test_firm_page_shows_owners_with_sources_and_what_listed_parties_hold(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/explorer?firm=hisilicon")
    page.wait_for_selector("#detail h1:has-text('HiSilicon')")
    detail = page.locator("#detail").inner_text()
    assert "Owners (1)" in detail and "Huawei" in detail and "100.0%" in detail
    assert "Owned by listed parties" in detail and "E-HUAWEI-2019" in detail
    page.locator("#detail .figure").first.click()
    assert page.locator("#source-panel blockquote").inner_text() != "(no quote recorded)"
    _shot(page, "explorer-firm-owners")


def test_restrictions_timeline_and_rule_page(page: Page, base_url: str, web_store: Store) -> None:
    # the page opens on the semiconductor supply chain: the back-test episodes' rules on other goods (China's ban on
    # Taiwanese pineapples) only under "Supply chain", and the timeline's footer says which it shows
    _open(page, f"{base_url}/restrictions")
    tips = page.locator("#timeline g.rule-bar title").all_text_contents()
    assert any(t.startswith("E-OCT2022:") for t in tips) and not any(t.startswith("E-CN-TWN-PINEAPPLE") for t in tips)
    footer = " ".join(page.locator("#timeline svg text.footer").all_text_contents())
    assert "on the semiconductor supply chain" in footer, footer
    _open(page, f"{base_url}/restrictions?chain=all")
    assert page.locator("#filters select[name=chain]").input_value() == "all"
    assert page.locator("#timeline svg g.rule-bar").count() >= 40
    # who imposes each rule, its kind, policy and products in words, in the timeline's headings and the table: no
    # code the knowledge base has a name for (the imposers, the products) and no code with an underscore
    names = {i: n for table in ("inputs", "countries", "firms") for i, n, _ in web_store.names(table)}
    coded = {code for code, name in names.items() if name != code}
    headings = set(page.locator("#timeline svg text[font-weight='700']").all_text_contents())
    assert {"United States", "China", "Micron Technology"} <= headings and not coded & headings, coded & headings
    rows = page.locator("#rules-table tbody tr")
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    imposers, kinds, policies = ({row[k] for row in cells} for k in (2, 3, 4))
    products = {p for row in cells for p in row[8].split(", ") if p}
    assert "United States" in imposers and "export control" in kinds and "Semiconductors" in products
    assert not coded & (imposers | products) and not any("_" in w for w in kinds | policies | products)
    choices = set(page.locator("#filters select[name=imposer] option").all_inner_texts())
    assert {"United States", "Micron Technology"} <= choices
    # a tariff filed as an import ban with a fee is named a duty, in the table and the timeline's legend; a rule with
    # no end recorded says so, not that it is in force
    assert "duty, tariff or tax on purchases" in kinds
    legend = " ".join(page.locator("#timeline svg text").all_text_contents())
    assert "duty, tariff or tax on purchases" in legend
    tips = page.locator("#timeline g.rule-bar title").all_text_contents()
    tires = next(t for t in tips if t.startswith("E-US-TIRES-SEC421-SEP2009:"))
    assert "2009-09-26 – 2012-09-26" in tires and "duty, tariff or tax on purchases" in tires
    assert not any("in force ·" in t for t in tips) and any("no end recorded" in t for t in tips)
    # a rule that a later relaxation lifted is a bar until the lifting and a dotted line after it, and says which
    coal = page.evaluate("""() => { const g = [...document.querySelectorAll('#timeline g.rule-bar')].find((g) =>
        g.querySelector('title').textContent.startsWith('E-CN-AUS-COAL-OCT2020:'));
        return { tip: g.querySelector('title').textContent, held: g.querySelectorAll('rect.held').length,
                 lifted: g.querySelectorAll('line.lifted').length }; }""")
    assert coal["held"] == 1 and coal["lifted"] == 1, coal
    assert "lifted by" in coal["tip"] and "(E-CN-AUS-COAL-LIFT-JAN2023) on 2023-01" in coal["tip"]
    # a rule that ended in a month known to the month alone ("2022-05") after its lifting from a day of it
    # (2022-05-18): its bar ends on that day, where its standing says, and the lifted stretch runs on to the end of
    # the month (the last day "2022-05" can mean, as the engine reads it), never ending before it starts
    canola = page.evaluate("""() => { const g = [...document.querySelectorAll('#timeline g.rule-bar')].find((g) =>
        g.querySelector('title').textContent.startsWith('E-CN-CAN-CANOLA-MAR2019:'));
        const held = g.querySelector('rect.held'), lifted = g.querySelector('line.lifted');
        return { x: +held.getAttribute('x'), width: +held.getAttribute('width'),
                 from: +lifted.getAttribute('x1'), to: +lifted.getAttribute('x2') }; }""")

    def year(day: str) -> float:  # the page's time axis: a year, its months in twelfths and its days in 365ths
        y, m, d = (int(x) for x in day.split("-"))
        return y + (m - 1) / 12 + (d - 1) / 365

    per_year = canola["width"] / (year("2022-05-18") - year("2019-03-06"))
    assert abs(canola["from"] - (canola["x"] + canola["width"])) < 0.5, canola  # the bar ends where lifting starts
    assert abs(canola["to"] - canola["from"] - per_year * 13 / 365) < 0.3, (canola, per_year)  # on to 31 May
    assert page.locator("#timeline svg g.rule-bar rect.narrowed").count() >= 5
    # a relaxation is drawn as its standing says: Japan's 2019 easing for Korea until the rule it eased ended
    # (2023-03-23), far short of the dashed line of today; the 2023 lifting, on the day the rule ended, a mark
    ends = page.evaluate("""() => { const today = document.querySelector('#timeline svg line[stroke-dasharray="4 3"]');
        const bar = (id) => { const g = [...document.querySelectorAll('#timeline g.rule-bar')].find((g) =>
          g.querySelector('title').textContent.startsWith(id + ':'));
          const r = g.querySelector('rect.held'); return { right: +r.getAttribute('x') + +r.getAttribute('width'),
            width: +r.getAttribute('width'), tip: g.querySelector('title').textContent }; };
        return { today: +today.getAttribute('x1'), easing: bar('E-JP-PR-RELAX-2019'),
                 lifting: bar('E-JP-KR-LIFT-2023') }; }""")
    assert ends["easing"]["right"] < ends["today"] - 50 and "– 2023-03-23" in ends["easing"]["tip"], ends
    assert ends["lifting"]["width"] <= 4 and ends["lifting"]["right"] < ends["today"] - 50, ends
    # the timeline's footer says what it shows, as of when, under which rules and from which sources
    footer = " ".join(page.locator("#timeline svg text.footer").all_text_contents())
    assert "the latest starting 20" in footer and "Scenario: baseline" in footer and "Sources:" in footer
    page.select_option("#filters select[name=imposer]", "CHN")
    page.click("#filters button[type=submit]")
    page.wait_for_function("document.querySelector('#count').textContent.length > 0")
    _shot(page, "restrictions")
    # on a phone the timeline fits its box: each rule's name above its bar, every bar on screen without scrolling
    page.set_viewport_size(PHONE)
    settle(page)
    off = page.evaluate("""() => {
        const frame = document.querySelector('#timeline .chart'), box = frame.getBoundingClientRect();
        const bars = [...frame.querySelectorAll('g.rule-bar rect')];
        const outside = (b) => { const r = b.getBoundingClientRect();
          return r.left < box.left - 1 || r.right > box.right + 1; };
        return { scrolls: frame.scrollWidth > frame.clientWidth + 1, bars: bars.length,
          off: bars.filter(outside).length }; }""")
    assert off["bars"] >= 1 and not off["scrolls"] and off["off"] == 0, off
    page.set_viewport_size(DESKTOP)
    settle(page)
    with page.expect_download() as download:
        page.locator("#rules-table [data-download=csv]").click()
    assert download.value.suggested_filename == "restrictions.csv"
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("id,name,imposed_by")
    with page.expect_download() as svg:
        page.locator("#timeline [data-download=svg]").click()
    assert Path(svg.value.path()).read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with page.expect_download() as png:
        page.locator("#timeline [data-download=png]").click()
    assert Path(png.value.path()).read_bytes()[:4] == b"\x89PNG"
    _open(page, f"{base_url}/rules/E-OCT2022")
    page.wait_for_selector("#rule h1:has-text('E-OCT2022')")
    assert "restrict the People" in page.locator("#rule blockquote").inner_text()
    fields = page.locator("#rule dl.kv").inner_text()
    assert "firms headquartered in United States (USA)" in fields and "buyers in China (CHN)" in fields
    assert "{" not in fields and "_" not in fields  # no JSON, and every coded value in words
    assert "presumption of denial: licences exist but are expected to be refused" in fields
    assert "export control: " in fields and "official: " in fields and "AI accelerators where tpp ≥ 4800" in fields
    assert "China" in page.locator("#rule table.data").first.inner_text()
    _shot(page, "rule")
    assert "Standing" in fields and "narrowed by" in fields and "E-H200-DEC2025" in fields
    # the rules relaxing it by their names, each id after its name, linked to its page (never an id alone)
    relaxing = page.locator("#rule dl.kv dd", has=page.locator("a[href='/rules/E-H200-DEC2025']"))
    relaxed = relaxing.locator("a[href='/rules/E-H200-DEC2025']").first.inner_text()
    assert re.fullmatch(r".+ \(E-H200-DEC2025\)", relaxed) and "H200" in relaxed.split(" (")[0], relaxed
    _open(page, f"{base_url}/rules/E-OCT2023")
    page.wait_for_selector("#rule h1:has-text('E-OCT2023')")
    assert "AI accelerators where tpp ≥ 4800" in page.locator("#rule dl.kv").inner_text()
    # a ban on one firm's products for some buyers: the firm by name, its inputs only, none of them for certain
    _open(page, f"{base_url}/rules/E-CN-MICRON-2023")
    page.wait_for_selector("#rule h1:has-text('E-CN-MICRON-2023')")
    fields = page.locator("#rule dl.kv").inner_text()
    assert "Micron Technology" in fields and "micron" not in fields and "the firms" not in fields
    assert "partial: only buyers in these end uses" in fields and "_" not in fields
    assert "(partial: the rule reaches only some of the destination's buyers" in fields  # the word defined
    reached = page.locator("#rule h2", has_text="Inputs it reaches").inner_text()
    assert int(reached.split("(")[1].rstrip(")")) <= 8, reached
    assert page.locator("#rule .badge.certain").count() == 0 and page.locator("#rule .badge.maybe").count() >= 4


def test_exposure_heatmap(page: Page, base_url: str, web_store: Store) -> None:
    _open(page, f"{base_url}/exposure?target=CHN&at=2025-12-31")
    page.wait_for_selector("#heatmap svg")
    assert page.locator("#heatmap svg g.heat-row").count() > 50
    # each chart says what its figures rest on, inside the picture (so its downloads carry it too)
    footer = " ".join(page.locator("#heatmap svg text.footer").all_text_contents())
    assert "Scenario: baseline" in footer and "as of 2025-12-31" in footer and "Sources:" in footer
    assert page.locator("#localization table.data").count() >= 1
    # each heatmap cell opens the sources behind its figure, from the keyboard: the providers it counts, each with
    # its share's source and the rules barring it
    cell = page.locator("#heatmap svg g.heat-cell[role=button]").nth(2)  # the first row's upper bound
    assert "(the sources behind it)" in (cell.get_attribute("aria-label") or "")
    cell.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#source-panel")
    panel.locator(".figure-parts").wait_for()
    assert "Sources behind the figure" in panel.inner_text() and "barred (upper)" in panel.inner_text()
    assert panel.locator(".figure-parts a[href^='/rules/']").count() >= 1
    assert panel.locator(".figure-parts .figure").count() >= 1  # a share's source, opening it whole
    page.keyboard.press("Escape")
    # each chart's note is said once: in its section, not again in its footer (which gives its scenario, date and
    # sources, as the title says what it shows)
    for chart in ("#stage-chart", "#heatmap", "#series-chart"):
        page.wait_for_selector(f"{chart} svg")
        note = page.locator("section.card", has=page.locator(chart)).locator("p.muted").first.inner_text()
        footer = " ".join(page.locator(f"{chart} svg text.footer").all_text_contents())
        assert "Scenario: baseline" in footer and "Sources:" in footer and " opens " not in footer, (chart, footer)
        assert "opens" in note, note
    page.locator("#stage-chart svg [role=button] rect").nth(3).click()
    panel.locator(".figure-parts button.link").first.wait_for()
    assert "Fabrication" in panel.inner_text() and "Emerging Technology Observatory" in panel.inner_text()
    panel.locator(".figure-parts button.link").first.click()
    page.wait_for_selector("#source-panel .figure-head:has-text('barred (upper)')")
    page.keyboard.press("Escape")
    # localization over time: every published estimate at its period, one colour per product, each with its source
    estimates = page.locator("#localization-chart svg rect.published")
    assert estimates.count() >= 10
    # on a time axis: each estimate at the middle of its period (a year's in mid-year, a quarter's mid-quarter),
    # however many periods lie between two estimates, not at evenly spaced steps
    placed = page.evaluate("""() => {
      const svg = document.querySelector('#localization-chart svg');
      const years = [...svg.querySelectorAll('text')].filter((t) => /^\\d{4}$/.test(t.textContent))
        .map((t) => [Number(t.textContent), Number(t.getAttribute('x'))]);
      const [[y1, x1], [y2, x2]] = [years[0], years[years.length - 1]], perYear = (x2 - x1) / (y2 - y1);
      return [...svg.querySelectorAll('rect.published')].map((r) => {
        const m = /, (\\d{4})(?:([HQ])(\\d))?[^,:]*: /.exec(r.querySelector('title').textContent);
        const at = Number(m[1]) + (m[2] === 'H' ? (m[3] - 0.5) / 2 : m[2] === 'Q' ? (m[3] - 0.5) / 4 : 0.5);
        return { expected: x1 + (at - y1 - 0.5) * perYear, x: Number(r.getAttribute('x')) + 4, room: perYear / 8 + 2 };
      });
    }""")
    assert len(placed) >= 10 and all(abs(p["x"] - p["expected"]) <= p["room"] for p in placed), placed
    assert "self-sufficiency" in (page.locator("#localization-chart svg text.chart-title").first.text_content() or "")
    estimates.first.focus()
    page.keyboard.press("Enter")
    page.locator("#source-panel").wait_for()
    assert "Publisher" in page.locator("#source-panel").inner_text()
    page.keyboard.press("Escape")
    # and the country's share of world supply by period of the share tables: a line per product, a point per period
    history = page.locator("#localization-history svg")
    assert history.locator("circle.point").count() >= 10 and "Gallium" in history.inner_html()
    assert history.locator("circle.point[role=button]").count() >= 10  # each opens the product's page and facts
    # a table's CSV holds the values themselves, its headings naming their unit
    with page.expect_download() as download:
        page.locator("#stage-table [data-download=csv]").click()
    head = Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert "barred_lower_mean_pct (percent)" in head, head
    # the target and the published estimates' products and units are named in words, not by their codes
    assert "China" in page.inner_text("#summary")
    published = page.locator("#localization table.data").first.inner_text()
    assert "AI accelerators" in published and "ai_accelerator" not in published
    assert "pct" not in published.split() and "%" in published.split()
    # each published estimate opens its source, from the mouse and from the keyboard
    estimate = page.locator("#localization table.data .figure").first
    estimate.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#source-panel")
    panel.wait_for()
    assert "Publisher" in panel.inner_text() and "(no quote recorded)" not in panel.inner_text()
    page.keyboard.press("Escape")
    # localization over a range of years opens on the range the server answers without one asked (the default:
    # 1 January of each of the five years before today), its years filled in the form
    page.wait_for_selector("#localization-series svg")
    this_year = date.today().year
    assert page.input_value("#loc-from") == str(this_year - 5) and page.input_value("#loc-to") == str(this_year)
    assert "the default range" in page.inner_text("#loc-series-range")
    # a chosen range of years: each product's point at 1 January of each year is the one the
    # command line gives for the same dates (its latest table begun by then)
    page.fill("#loc-from", "2019")
    page.fill("#loc-to", "2025")
    with page.expect_response(lambda r: "/api/v1/localization/series?" in r.url) as asked:
        page.click("#loc-show")
    assert asked.value.ok and "from=2019-01-01" in asked.value.url  # the server picks the tables, not the page
    page.wait_for_selector("#localization-series svg text.chart-title:has-text('each year 2019–2025')")
    assert "the range asked for" in page.inner_text("#loc-series-range")
    shown = {t for t in page.locator("#localization-series svg circle.point title").all_text_contents()
             if t.startswith("DRAM,")}
    series = api.localization_over_time(web_store, "CHN", "2019-01-01", "2025-01-01").series
    expected = {f"DRAM, {r.at.isoformat()} (table {r.period}): {r.localization_lower_pct:.1f}%"
                for r in series if r.input == "dram"}
    assert len(expected) >= 3 and {t.split(" to ")[0].split(" (none")[0].split(" (named")[0] for t in shown} == expected
    assert page.locator("#localization-series-table table.data").count() == 1
    # exposure by stage over a range of dates, with the rules that changed between the dates: the page opens on
    # the range the server answers without one (the baseline has none of its own: the default), then the one asked
    page.wait_for_selector("#series-chart svg")
    assert "the default range" in page.locator("#series-range").inner_text()
    page.fill("#series-from", "2021-01-01")
    page.fill("#series-to", "2024-01-01")
    page.select_option("#series-every", "6m")
    with page.expect_response(lambda r: "/api/v1/exposure/series?" in r.url) as asked:
        page.click("#series-show")
    assert asked.value.ok and "every=6m" in asked.value.url
    page.wait_for_selector("#series-chart svg[aria-label*='every six months from 2021-01-01']")
    assert "barred" in (page.locator("#series-chart svg").first.get_attribute("aria-label") or "")
    assert "E-OCT2022" in page.locator("#series-changes").inner_text()
    # rules on goods outside the chain (Taiwan's pineapples) are left out of the list, counted and explained
    assert "PINEAPPLE" not in page.locator("#series-changes").inner_text()
    assert re.search(r"\d+ other rules reaching China over these dates are left out: they change no figure",
                     page.locator("#series-left-out").inner_text())
    # "Barred (strict)" is defined where it appears: under the heatmap and in the inputs table's heading and legend
    assert "Barred (strict): the strict reading" in page.locator("#heatmap-terms").inner_text()
    heading = page.locator("#input-table th abbr", has_text="Barred (strict)")
    assert "licences under review counted as refused" in (heading.get_attribute("title") or "")
    assert "Barred (strict): the strict reading" in page.locator("#input-table .definitions").inner_text()
    assert page.locator("#series-changes a[href='/rules/E-OCT2022']").count() == 1  # each rule one click away
    # each rule by its name, its id after it
    assert re.fullmatch(r".+ \(E-OCT2022\)", page.locator("#series-changes a[href='/rules/E-OCT2022']").inner_text())
    # a point opens the rules behind it (Tab and Enter): the October 2022 controls started by 2023-01-01
    point = page.locator("#series-chart svg circle[role=button]:has(title:has-text('2023-01-01'))").first
    point.focus()
    page.keyboard.press("Enter")
    panel.locator(".figure-parts").wait_for()
    assert "on 2023-01-01" in panel.inner_text()
    assert panel.locator(".figure-parts a[href='/rules/E-OCT2022']").count() == 1
    page.keyboard.press("Escape")
    _shot(page, "exposure")
    # on a phone a chart keeps its text's size, never shrunk below 10 px, and lays itself out for the phone's
    # width: it fills its box without making it scroll sideways
    page.set_viewport_size(PHONE)
    settle(page)
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('.chart > svg')].flatMap((svg) => {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll('text')].filter((t) => t.getBoundingClientRect().width)
          .map((t) => parseFloat(getComputedStyle(t).fontSize) * scale); }))""")
    assert smallest >= 9.9, f"chart text shown at {smallest:.1f} px on a phone"
    for frame in (page.locator("#stage-chart .chart"), page.locator("#heatmap .chart")):
        fits = frame.evaluate("(f) => [f.scrollWidth, f.clientWidth, "
                              "f.querySelector('svg').getBoundingClientRect().width]")
        assert fits[0] <= fits[1] + 1 and abs(fits[2] - fits[1]) <= 4, fits
    page.set_viewport_size(DESKTOP)


def test_exposure_over_time_opens_on_the_scenarios_own_range(page: Page, base_url: str) -> None:
    # the DUV example gives its range of dates (every six months from 2022-06-30 to its date): the page shows it
    # as the server answers it, and says where it comes from
    _open(page, f"{base_url}/exposure?target=CHN&scenario=example:duv-immersion-china")
    page.wait_for_selector("#series-chart svg")
    assert 'gives (its "over")' in page.locator("#series-range").inner_text()
    assert page.input_value("#series-from") == "2022-06-30" and page.input_value("#series-every") == "6m"
    title = page.locator("#series-chart svg").first.get_attribute("aria-label") or ""
    assert "every six months from 2022-06-30 to 2026-06-30" in title
    assert "Scenario: DUV" in " ".join(page.locator("#series-chart svg text.footer").all_text_contents())


def test_builder_runs_a_scenario(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/scenarios?from=example:duv-immersion-china")
    page.wait_for_function("document.querySelectorAll('#added .rule-row').length === 3")
    # each baseline rule says who imposes it by name, and the filter finds it by that name
    page.fill("#rule-filter", "micron technology")
    shown = page.locator("#rules .rule-row").all_inner_texts()
    assert shown and all("(Micron Technology, " in r or "Micron Technology" in r for r in shown), shown
    assert any("E-MICRON-EXIT-OCT2025" in r and "(Micron Technology, market exit" in r for r in shown), shown
    page.fill("#rule-filter", "")
    page.locator("input[data-rule='E-DEC2024']").uncheck()
    page.click("#run")
    result = page.locator("#run-result")
    result.wait_for()
    assert "X-DUV-NLD" in result.inner_text() and "E-DEC2024" in result.inner_text()
    assert ", edited" in result.locator("h2").first.inner_text()  # changed from the example: not its name alone
    page.locator("#market-results").wait_for()  # drawn last, after the charts
    # a change of availability is a difference of two shares: in percentage points, never in percent
    cells = page.locator("table.data td.num").all_inner_texts()  # the run's tables follow its summary
    changes = [t for t in cells if t.endswith("pts")]
    assert changes and all(t[0] in "+−0" for t in changes), cells[:20]
    # a stage's bar opens what it rests on: the rules the scenario adds, the inputs it changes, the baseline's page
    page.locator("#run-result ~ section svg [role=button]").first.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#source-panel")
    panel.locator(".figure-parts").wait_for()
    assert panel.locator("a[href='/rules/X-DUV-NLD']").count() == 1 and panel.locator("button.link").count() >= 1
    assert panel.locator("a[href^='/exposure?target=CHN']").count() == 1
    page.keyboard.press("Escape")
    # an input whose availability changes opens, by its row and the keyboard, the providers and rules behind it
    row = page.locator("#run-result ~ section table.data tr.clickable",
                       has_text="ArF immersion (DUV) lithography tools").first
    row.focus()
    page.keyboard.press("Enter")
    panel.locator(".figure-parts").wait_for()
    assert "Barred only with the scenario" in panel.inner_text()
    assert panel.locator("a[href='/rules/X-DUV-NLD']").count() == 1
    assert panel.locator("a[href='/explorer?input=N22']").count() == 1
    page.keyboard.press("Escape")
    _shot(page, "scenarios")
    page.fill("#save-id", "browser-test")
    page.fill("#token", TOKEN)
    page.click("#save")
    page.wait_for_function("document.querySelector('#save-status').textContent.startsWith('Saved')")
    # the example's range of dates (its "over") came with it, was saved with it, and the Exposure page opens on it
    assert page.input_value("#over-from") == "2022-06-30" and page.input_value("#over-every") == "6m"
    assert "every six months from 2022-06-30" in page.locator("#run-over").inner_text()
    _open(page, f"{base_url}/exposure?target=CHN&scenario=saved:browser-test")
    page.wait_for_selector("#series-chart svg")
    assert page.input_value("#series-from") == "2022-06-30" and 'gives (its "over")' in page.inner_text("#series-range")


def test_compare_two_scenarios(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/compare?left=baseline&right=example:duv-immersion-china&at=2026-06-30")
    page.locator("#compare-result").wait_for()
    assert "ArF immersion (DUV) lithography tools" in page.locator("#results").inner_text()
    assert page.locator("#results svg").count() >= 4
    # the rules only one side has, by their names, each id after its name, linked to its page
    named = page.locator("#compare-result .rules-named a[href='/rules/X-DUV-JPN']").inner_text()
    assert re.fullmatch(r"Japan .+ \(X-DUV-JPN\)", named), named
    assert "/results" in (page.locator("#market-pointer a").first.get_attribute("href") or "")
    link = page.locator("#json-link")
    assert "POST" in (link.get_attribute("title") or "")  # a POST answer: the link holds the request with it
    shown = page.evaluate("async (href) => JSON.parse(await (await fetch(href)).text())", link.get_attribute("href"))
    assert shown["request"]["method"] == "POST" and shown["request"]["url"].endswith("/api/v1/compare")
    assert shown["request"]["body"]["right"]["ref"] == "example:duv-immersion-china" and "by_input" in shown["answer"]
    # each side dated as asked, said in the charts' titles; the stages' figures said to be means over their inputs
    stage_title = page.locator("#results svg").first.get_attribute("aria-label") or ""
    assert "on 2026-06-30" in stage_title and "averaged over each stage's inputs" in stage_title, stage_title
    # a stage's bar (mouse) opens what its two figures rest on, and each side's page where its inputs' sources are
    page.locator("#results svg").first.locator("[role=button] rect").nth(3).click()
    panel = page.locator("#source-panel")
    panel.locator(".figure-parts").wait_for()
    assert panel.locator("a[href='/rules/X-DUV-NLD']").count() == 1
    assert panel.locator("a[href*='scenario=example%3Aduv-immersion-china']").count() == 1
    page.keyboard.press("Escape")
    # an input's row (keyboard) opens what its two figures rest on: the providers barred on one side only, and the
    # input's page, where each provider's share opens its source
    row = page.locator("#results table.data tr.clickable", has_text="ArF immersion (DUV) lithography tools").first
    row.focus()
    page.keyboard.press("Enter")
    panel.locator(".figure-parts").wait_for()
    text = panel.inner_text()
    assert "Barred only under DUV lithography tools barred for China" in text and "0.7%" in text
    assert panel.locator("a[href='/rules/X-DUV-NLD']").count() == 1
    assert panel.locator("a[href='/explorer?input=N22']").count() == 1
    page.keyboard.press("Escape")
    # a year's point (keyboard) opens both sides' figures on 31 December and each side's Exposure page that day
    years = page.locator("section.card", has=page.locator("h2:has-text('Exposure by year')"))
    years.locator("svg circle[role=button]").first.focus()
    page.keyboard.press("Enter")
    panel.locator(".figure-parts").wait_for()
    assert "31 December" in panel.inner_text() and panel.locator("a[href*='-12-31']").count() == 2
    page.keyboard.press("Escape")
    # by country and by firm: both sides' dates in the titles and headings, and a provider's row (keyboard) opens
    # the inputs it is barred for on one side only (each opening its page) and the rules only one side has
    firms = page.locator("section.card", has=page.locator("h2:has-text('By firm')"))
    assert "on 2026-06-30" in (firms.locator("svg").first.get_attribute("aria-label") or "")
    assert "(2026-06-30): barred" in firms.locator("thead").inner_text()
    counts = firms.locator("svg").first.locator("text").all_text_contents()
    assert "1 input" in counts and "1 inputs" not in counts  # Nikon's one input on the right, in good English
    firm = firms.locator("tr.clickable", has_text="ArF dry (DUV) lithography tools").first
    firm.focus()
    page.keyboard.press("Enter")
    panel.locator(".figure-parts").wait_for()
    text = panel.inner_text()
    assert "(firm): barred for" in text and "Barred only under DUV lithography tools barred for China" in text
    assert panel.locator("button.link", has_text="ArF dry (DUV) lithography tools").count() == 1
    assert panel.locator("a[href='/rules/X-DUV-NLD']").count() == 1
    page.keyboard.press("Escape")
    # the Netherlands counted only as maybe barred by country while ASML is barred by firm: said, with the rule
    countries = page.locator("section.card", has=page.locator("h2:has-text('By country')"))
    apart = countries.locator("#views-apart")
    assert "Netherlands counts as maybe barred for ArF immersion (DUV) lithography tools" in apart.inner_text()
    assert "ASML" in apart.inner_text() and apart.locator("a[href^='/rules/']").count() >= 1
    _shot(page, "compare")


def test_compare_of_identical_sides_says_so_and_draws_one_line(page: Page, base_url: str) -> None:
    """Exposure by year: where both sides give the same figures in every year, the page says so and draws one line
    named as both sides (two lines would hide each other unsaid); sides that differ keep a line each."""
    _open(page, f"{base_url}/compare?left=baseline&right=baseline&at=2026-06-30")
    page.locator("#compare-result").wait_for()
    years = page.locator("section.card", has=page.locator("h2:has-text('Exposure by year')"))
    assert "the same exposure in every year shown" in years.locator("#compare-years-same").inner_text()
    legend = " ".join(years.locator("svg text").all_text_contents())
    assert "left: baseline and right: baseline (the same in every year shown)" in legend, legend
    assert years.locator("svg polyline").count() == 2  # one side's upper and lower bounds
    _open(page, f"{base_url}/compare?left=baseline&right=example:duv-immersion-china&at=2026-06-30")
    page.locator("#compare-result").wait_for()
    years = page.locator("section.card", has=page.locator("h2:has-text('Exposure by year')"))
    assert years.locator("#compare-years-same").count() == 0 and years.locator("svg polyline").count() == 4


def test_compare_dates_each_side_at_its_own_date(page: Page, base_url: str) -> None:
    """Without a date, each scenario is read at its own date, and the page says so: the H20 licence lifted (30 June
    2025) against DUV tools barred (30 June 2026) differ in inputs and rules, and neither is dated by the other."""
    _open(page, f"{base_url}/compare?left=example:us-lifts-h20&right=example:duv-immersion-china")
    page.locator("#compare-result").wait_for()
    summary = page.locator("#compare-result").inner_text()
    assert "2025-06-30 / 2026-06-30" in summary and "inputs that differ" in summary
    # the target by its name, in the summary and the charts' footers (never its code)
    assert page.locator("#compare-result .stat b").first.inner_text() == "China"
    footer = " ".join(page.locator("#results svg").first.locator("text.footer").all_text_contents())
    assert "target China" in footer and "CHN" not in footer, footer
    assert int(page.locator("#compare-result .stat b").nth(2).inner_text()) > 0
    assert page.locator("#compare-result a[href='/rules/X-DUV-NLD']").count() == 1  # each rule one click away
    title = page.locator("#results svg").first.get_attribute("aria-label") or ""  # shown as the chart's title
    assert "China" in title and "(left on 2025-06-30, right on 2026-06-30)" in title


def test_sources_page_lists_facts_with_quotes(page: Page, base_url: str, web_store: Store) -> None:
    _open(page, f"{base_url}/sources")
    # one filter box and one reliability choice: the table's own (the page had a second pair doing the same)
    assert page.locator("input[type=search]").count() == 1 and page.locator("select").count() == 1
    assert "Reliability: all" in page.locator("#sources select.facet").inner_text()
    page.fill("#sources input.filter", "TrendForce")
    page.locator("#sources table.data tbody tr").first.click()
    card = page.locator("#source-card")
    card.wait_for()
    assert not any(word.startswith("pct") for word in card.locator("table.data").first.inner_text().split())
    # whom each fact is about, what it measures and its product by name: no code that has words of its own
    names = {i: n for table in ("inputs", "countries", "firms") for i, n, _ in web_store.names(table)}
    coded = {code for code, name in names.items() if name != code} | set(METRICS)
    rows = card.locator("table.data").first.locator("tbody tr")
    shown = {cell for i in range(rows.count()) for cell in rows.nth(i).locator("td").all_inner_texts()[1:4]}
    assert shown and not coded & shown, coded & shown
    card.locator("td .figure").first.click()
    assert page.locator("#source-panel blockquote").inner_text()
    page.keyboard.press("Escape")
    _shot(page, "sources")
    # a source no bundled figure cites is marked so in the list and on its card, never shown as backing a figure
    bare = [src["id"] for src in page.request.get(f"{base_url}/api/v1/sources").json()["sources"] if not src["facts"]]
    assert bare
    page.fill("#sources input.filter", bare[0])
    row = page.locator("#sources table.data tbody tr").first
    assert "cited by no figure in the data" in row.inner_text()
    row.click()
    page.locator("#source-card #no-figure").wait_for()
    assert "Cited by no figure in the data" in page.locator("#source-card").inner_text()


def test_chinese_titles_are_named_where_the_browser_has_no_font_for_them(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/sources")
    page.fill("#sources input.filter", "cambricon")
    page.wait_for_timeout(300)
    text = page.locator("#sources table.data").inner_text()
    han = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    if page.evaluate("CS.NO_CJK_FONT"):  # this machine's browser: the titles say their language, not boxes
        assert "[Chinese text]" in text and not han
    else:
        assert han and "[Chinese text]" not in text
    assert page.evaluate("CS.readable('x')") == "x"


def test_tables_have_facets_a_filter_and_pages(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/restrictions")
    box = page.locator("#rules-table")
    kind = box.locator("select.facet[aria-label^='Kind']")
    kind.select_option("relaxation")
    kinds = box.locator("table.data tbody tr td:nth-child(4)").all_inner_texts()
    assert kinds and set(kinds) == {"relaxation"}
    assert "(of " in box.locator(".toolbar .label").inner_text()
    kind.select_option("")
    box.locator("input.filter").fill("E-NL-")
    rows = box.locator("table.data tbody tr").all_inner_texts()  # the filter reads every column of a row
    assert rows and all("E-NL-" in r for r in rows)
    assert sum(r.startswith("E-NL-") for r in rows) >= 5
    # a column of ids sorts in their natural order (numbers by value: E-NL-SME-2023 after E-NL-EUV-2019), and a
    # heading whose words need saying what they mean defines them in its tooltip and under the table
    box.locator("th button", has_text="Id").click()
    ids = box.locator("table.data tbody tr td:first-child").all_inner_texts()
    assert ids == sorted(ids, key=lambda i: [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", i)])
    assert "certain: the rule surely reaches" in (box.locator("th abbr", has_text="Reaches product")
                                                  .get_attribute("title") or "")
    assert "Reaches product: certain:" in box.locator(".definitions").inner_text()
    _open(page, f"{base_url}/sources")
    label = page.locator("#sources .toolbar .label").first
    assert label.inner_text().startswith("rows 1–100 of ")
    page.locator("#sources .toolbar button", has_text="Next").first.click()
    assert label.inner_text().startswith("rows 101–200 of ")
    _shot(page, "sources-page-2")


def test_results_page_runs_a_market_case(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/results")
    # it opens on the first shipped case's central run, without being asked
    page.locator("#calibration-statement").wait_for(timeout=120_000)
    # no draws (quick): the page says so, and the form says the run it shows
    assert page.locator("#draws-run b").inner_text() == "0" and "no bands" in page.locator("#draws-run").inner_text()
    assert page.locator("#params input[name=draws]").input_value() == "0"
    # the boxes' figures rounded as the charts round them (three significant figures), the time to a tenth
    shown = [t for t in page.locator("#market-result .stat b").all_inner_texts() if re.fullmatch(r"[\d.,]+", t)]
    assert shown and all(len(t.replace(",", "").replace(".", "").lstrip("0")) <= 3 for t in shown), shown
    assert re.search(r"computed in \d+\.\d s", page.locator("#market-result").inner_text())
    # each case offered with its regions by name ("China, Rest of the world"), never their codes
    offered = page.locator("#params select[name=case] option").all_inner_texts()
    assert any("(China, Rest of the world, " in o for o in offered), offered
    assert not any(re.search(r"\b(CHN|ROW|WLD|USA)\b", o) for o in offered), offered
    # each parameter by what it sets, in words, with the id a re-run takes; the sensitivity table likewise
    params = page.locator("#parameters table.data").first.locator("tbody td:first-child").all_inner_texts()
    assert any(t.startswith("Price elasticity of demand: ") and t.endswith(" (demand_elasticity)") for t in params)
    assert not any(re.search(r"\b(CHN|ROW)\b", t) for t in params), params
    # each value box at four significant figures (labels.parameter_shown), never 3.57715891
    values = [v for v in page.locator("#parameters input.param-value").evaluate_all("(xs) => xs.map((x) => x.value)")]
    assert values and all(len(re.sub(r"^0\.0*|[-.]", "", v).rstrip("0") or "0") <= 4 for v in values), values
    # a linked case by quarter: the figures published for a quarter are drawn beside the model, with their source
    assert page.locator("#trajectories svg .published").count() >= 3
    page.select_option("#case", "china-ai-accelerators")
    page.fill("#params input[name=draws]", "500")
    page.click("#run")
    statement = page.locator("#calibration-statement")
    statement.wait_for(timeout=120_000)  # the first run with bands may wait for the model's error (see below)
    assert page.locator("#draws-run").inner_text().split() == ["500", "Monte", "Carlo", "draws"]
    assert page.locator("#params input[name=draws]").input_value() == "500"
    # the posterior statement of the AI case, each parameter by what it sets (its id after it)
    assert "do not pin down quality: Nvidia's H20 (q_h20)" in statement.inner_text()
    # the case by its title, as a heading and in the list of cases, never its file's name
    assert page.locator("#market-result h2").inner_text().startswith("The domestic share of China's AI-accelerator")
    assert not any(re.match(r"[a-z0-9]+(-[a-z0-9]+)+ \(", o) for o in page.locator("#case option").all_inner_texts())
    assert page.locator("#trajectories svg polygon.band").count() >= 2, "bands on the trajectories"
    assert page.locator("#trajectories svg .published").count() >= 3, "published estimates as points"
    assert page.locator("#trajectories svg circle.observed").count() >= 1, "fitted observations circled"
    # titles in words, as the run's files say them: the firm and the region by name, a revenue in its unit
    charts = page.locator("#trajectories").inner_text()
    assert "Nvidia's share of revenue from China" in charts and "Share of revenue from CHN" not in charts
    assert "million yuan" in page.locator("#trajectories").inner_html()
    # the model's line is named as the chart files and the report name it (the shipped case is fitted)
    legends = page.evaluate("() => [...document.querySelectorAll('#trajectories svg text.legend')]"
                            ".map((t) => t.textContent)")
    assert "chipshift model (fitted)" in " ".join(legends) and "model" not in legends, legends
    # a whole-percent axis tick reads as the chart files write it ("100%", not "100.0%")
    ticks = page.evaluate("() => [...document.querySelectorAll('#trajectories svg text')].map((t) => t.textContent)"
                          ".filter((s) => /^-?[0-9]+([.][0-9]+)?%$/.test(s))")
    assert ticks and not [s for s in ticks if s.endswith(".0%")], ticks
    # the ticks of one axis all with the decimals its step needs (0.25 apart: 0.25, 0.50, 0.75; never 0.3, 0.5, 0.8)
    decimals = page.evaluate("() => [...document.querySelectorAll('#trajectories svg')].map((svg) => [...new Set("
                             "[...svg.querySelectorAll('text[text-anchor=end]')].map((t) => t.textContent)"
                             ".filter((s) => /^-?[0-9,]+([.][0-9]+)?%?$/.test(s))"
                             ".map((s) => (s.replace('%', '').split('.')[1] || '').length))])")
    assert decimals and all(len(d) <= 1 for d in decimals), decimals
    assert page.locator("#share-stack svg rect.stack-part").count() >= 10
    assert "Huawei Technologies" in page.locator("#share-stack svg").inner_html()  # suppliers by name, not code
    # the legend lists the suppliers top down as each bar stacks them
    order = page.evaluate("""() => {
        const svg = document.querySelector('#share-stack svg'), y = (e) => e.getBoundingClientRect().top;
        const parts = [...svg.querySelectorAll('rect.stack-part')].filter((r) => r.getAttribute('height') > 0);
        const x0 = Math.min(...parts.map((r) => Number(r.getAttribute('x'))));
        const column = parts.filter((r) => Number(r.getAttribute('x')) === x0).sort((a, b) => y(a) - y(b));
        const legend = [...svg.querySelectorAll('text.legend')].sort((a, b) => y(a) - y(b))
          .map((t) => t.previousElementSibling.getAttribute('fill'));
        return [column.map((r) => r.getAttribute('fill')), legend];
      }""")
    assert order[0] == [f for f in order[1] if f in order[0]], order
    assert "AI accelerators in China" in page.locator("#market-result").inner_text()
    fit_head = page.locator("#results table.data").first.locator("thead").inner_text()
    fit = page.locator("#results table.data").first.inner_text()
    # the tables name outputs by their titles and units in words (codes stay in the CSV)
    assert "Unit" in fit_head and "million yuan" in fit and "cny_m" not in fit and "revenue:" not in fit
    assert "Cambricon's revenue, model and reported" in fit
    assert "pct" not in page.locator("#results").inner_text().split()
    assert page.locator("#results table.data").count() >= 5
    _shot(page, "results")
    # on a phone each trajectory fits the screen, its legend under the plot: no legend past the box's edge
    page.set_viewport_size(PHONE)
    settle(page)
    hidden = page.evaluate("""() => [...document.querySelectorAll('#trajectories .chart')].flatMap((frame) => {
        const box = frame.getBoundingClientRect();
        const out = [...frame.querySelectorAll('text.legend')].filter((t) => {
          const r = t.getBoundingClientRect(); return r.right > box.right + 1 || r.left < box.left - 1; });
        return (frame.scrollWidth > frame.clientWidth + 1 ? ['scrolls'] : []).concat(out.map((t) => t.textContent));
      })""")
    assert not hidden, hidden
    page.set_viewport_size(DESKTOP)
    settle(page)
    # every model figure opens what it rests on, by keyboard too: it says it is the model's output, names the
    # case and the publishers it cites, and lists the observations and the parameters, each with its source
    point = page.locator("#trajectories svg circle.model-point[role=button]").first
    point.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#source-panel")
    panel.locator(".figure-parts").wait_for()
    text = panel.inner_text()
    assert "a model output, not a published figure" in text and "china-ai-accelerators" in text
    assert "The case cites:" in text and "parameter sigma" in text
    assert panel.locator(".figure-parts .figure").count() >= 3  # observations' and parameters' sources
    page.keyboard.press("Escape")
    # the fit's error of a percentage is a difference in points, said so beside the figure
    fit_rows = page.evaluate("""() => [...document.querySelectorAll('#fit table tbody tr')].map(
        (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()))""")
    in_percent = [row for row in fit_rows if row[5] == "%"]
    assert in_percent and all(row[4].endswith("pts") for row in in_percent if row[4]), fit_rows[:3]
    # the model's values at three significant figures beside the published ones, not to a thousandth
    models = [row[3].replace(",", "") for row in fit_rows if row[3]]
    assert models and all(len(re.sub(r"[^0-9]", "", m).lstrip("0")) <= 3 or float(m) >= 1000 for m in models), models
    for heading in ("Fit: observed vs model", "All outputs by year", "Sensitivity"):
        cell = page.locator("section.card", has=page.locator(f"h2:has-text('{heading}')")).locator(
            "td.num .figure[title='click for what this figure rests on']").first
        cell.focus()
        page.keyboard.press("Enter")
        panel.locator(".figure-parts").wait_for()
        assert "a model output, not a published figure" in panel.inner_text(), heading
        page.keyboard.press("Escape")
    page.locator("#share-stack svg rect.stack-part[role=button]").first.click()
    assert "a model output" in panel.inner_text()
    page.keyboard.press("Escape")
    page.locator("#trajectories svg .published").first.click()
    assert page.locator("#source-panel").is_visible()
    page.keyboard.press("Escape")
    # each parameter with its value, sourced range and basis; hold sigma at 2.5 and re-run
    sigma = page.locator("#param-editor tr", has=page.locator("input[name=sigma]"))
    assert "1.4" in sigma.inner_text() and "5" in sigma.inner_text() and "parameters.csv:sigma" in sigma.inner_text()
    assert "elasticity (no unit)" in sigma.inner_text()  # the unit of its value and range
    assert page.locator("#param-editor input[name=sigma]").get_attribute("max") == "5"
    # each bound opens the fact it comes from, by keyboard too: sigma's low end is the short-run trade elasticity
    low = sigma.locator("td.num .figure").filter(has_text="1.4").first
    low.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#source-panel")
    panel.wait_for()
    assert "trade-elasticity-sr-tamberi-2025" in panel.inner_text() and "short-run" in panel.inner_text()
    page.keyboard.press("Escape")
    # a bound no fact gives says it is the case file's assumption, quoting its basis
    q_h200 = page.locator("#param-editor tr", has=page.locator("input[name=q_h200]"))
    q_h200.locator("td.num .figure").first.click()
    assert "assumption" in panel.inner_text() and "no source at hand" in panel.inner_text()
    page.keyboard.press("Escape")
    # facts a basis names in its words open their sources from the Basis column
    growth = page.locator("#param-editor tr", has=page.locator("input[name=domestic_capacity_growth]"))
    assert growth.locator(".figure").count() >= 5  # default, low, high, and the facts its basis names
    with page.expect_response(lambda r: r.url.endswith("/api/v1/market/run")) as response:
        page.fill("#param-editor input[name=sigma]", "2.5")
        page.click("#rerun")
    sent = response.value.request.post_data_json
    assert sent is not None and sent["parameters"] == {"sigma": 2.5}
    held = page.locator("#param-editor tr", has=page.locator("input[name=sigma]"))
    held.get_by_text("held (set)").wait_for(timeout=60_000)
    assert page.locator("#param-editor input[name=sigma]").input_value() == "2.5"
    assert page.locator("#param-editor input[name='hold-sigma']").is_checked()
    page.locator("#param-editor").scroll_into_view_if_needed()
    _shot(page, "results-parameters")


def test_results_page_runs_a_linked_case(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/results")
    page.select_option("#case", "gallium-export-controls")
    page.fill("#params input[name=draws]", "100")
    page.click("#run")
    # the first run with bands may wait for the model's error the server learns as it starts
    page.locator("#calibration-statement").wait_for(timeout=120_000)
    assert "2023Q1–2025Q2" in page.locator("#market-result").inner_text()
    assert page.locator("#trajectories svg").count() >= 2, "each market's price by quarter"
    assert page.locator("#trajectories svg polygon.band").count() >= 2
    assert "2023Q3" in page.locator("#trajectories svg").first.inner_html()
    results = page.locator("#results").inner_text()  # the tables name each output by its title, not its code
    assert "Gallium price, Rest of the world (index, 2023Q1 = 1)" in results and "price@ROW" not in results
    # China's localization holds at 100% throughout (China's producers sell alone there): no chart of it, but
    # a sentence saying so and why, under the charts
    held = page.locator("#unchanging").inner_text()
    assert "Domestic sellers' share of gallium spending, China (localization): 100% in every quarter" in held
    assert "domestic there (China's producers)" in held
    assert page.locator("#trajectories .chart", has_text="gallium spending, China (localization)").count() == 0
    assert page.locator("#trajectories .chart", has_text="Rest of the world (localization)").count() == 1
    # an observation stated in the case file is drawn with the publisher of the document it names, and the chart's
    # footer names that document's publisher, title and date as the source of the figure shown (no other
    # observation's), then the publishers of what the run's set-up rests on (the facts its bases name)
    price = page.locator("#trajectories .chart", has_text="Gallium price, Rest of the world")
    assert price.locator("svg .published").count() >= 1 and "Fastmarkets" in price.inner_text()
    footer = " ".join(price.locator("svg text.footer").all_text_contents())
    shown, _, behind = footer.partition("The model rests on")
    assert "A make-or-break year for non-Chinese gallium market" in shown and "Reuters" not in shown, footer
    assert "U.S. Geological Survey" in behind and "no sourced figure" not in footer, footer
    _shot(page, "results-linked")
    # the figures published for a fiscal year (Micron's China revenue share) stand over the quarters it spans,
    # beside the model's value for that year, each opening its source
    _open(page, f"{base_url}/results?case=micron-china-linked&draws=0", idle=False)
    page.locator("#calibration-statement").wait_for(timeout=120_000)
    # the summary names a case's several products and regions in words, not by their codes
    summary = page.locator("#market-result").inner_text()
    assert "HBM and DRAM in " in summary and "hbm, dram" not in summary
    chart = page.locator("#trajectories .chart", has_text="Micron's share of revenue from China")
    assert chart.locator("svg line.model-span").count() >= 4  # FY2022-FY2025
    # behind the quarterly line, so that where a year's value equals its quarters' it shows round the line
    assert chart.locator("svg").evaluate("(svg) => [...svg.querySelectorAll('line.model-span')].every((span) => "
                                         "span.compareDocumentPosition(svg.querySelector('.value-line')) & "
                                         "Node.DOCUMENT_POSITION_FOLLOWING)")
    # where the run's sourced figures end and the projection begins, marked as the files and the report mark it
    end = chart.locator("svg g.data-end")
    assert end.count() == 1 and "data | model" in (end.locator("text").text_content() or "")
    assert "Sourced figures up to 2025Q3" in (end.locator("title").text_content() or "")
    assert chart.locator("svg .published").count() >= 8 and chart.locator("svg circle.observed").count() >= 3
    assert "IDX Channel" in chart.inner_text()  # a publisher in the legend
    tip = chart.locator("svg .published", has=page.locator("title", has_text="IDX Channel")).first
    assert "FY2022, mainland China" in (tip.locator("title").text_content() or "")  # publisher, period, basis
    # a fiscal year's figure on the quarterly line is drawn hollow, and the legend and footer say what that means;
    # a figure whose basis its publisher does not state is named
    assert chart.locator('svg .published[fill="#fff"]').count() >= 8
    shown = " ".join(chart.locator("svg text").all_text_contents())
    assert "hollow: a figure for a whole year" in shown and "Basis not stated by its publisher" in shown
    assert "observed: " not in shown
    # each series in the colour the run gives it by name (the chart files' and the report's), from the server's
    # one palette: the model's line in the first, a publisher's diamonds in its own
    shown_json = page.evaluate("async (href) => JSON.parse(await (await fetch(href)).text())",
                               page.locator("#json-link").get_attribute("href"))
    colours = shown_json["answer"]["output_text"]["revenue_share:micron@CHN"]["colours"]
    palette = (page.locator("body").get_attribute("data-palette") or "").split()
    assert len(palette) == 12 and colours["chipshift model (fitted)"] == palette[0]
    assert chart.locator("svg polyline.value-line").first.get_attribute("stroke") == palette[0]
    assert tip.get_attribute("stroke") == colours["IDX Channel"] != palette[0]  # hollow: drawn by its outline
    tip.click()
    assert "IDX Channel" in page.locator("#source-panel").inner_text()
    page.keyboard.press("Escape")
    _open(page, f"{base_url}/compare?left=baseline&right=baseline&market_a=gallium-export-controls"
                "&market_b=gallium-export-controls")
    page.locator("#market-compare").wait_for(timeout=30_000)
    assert page.locator("#market-results svg").count() >= 2
    assert "Period" in page.locator("#market-results table.data").first.inner_text()
    # China's localization, 100% throughout on both sides: no chart, the sentence the run alone gives, once, naming
    # both sides, under the charts (as on the Results page); the rest of the world's is drawn
    sentences = page.locator("#market-unchanging li").all_inner_texts()
    assert sentences and all(t.count("so it has no chart") == 1 for t in sentences)
    assert ("On both sides (a: as shipped; b: as shipped): Domestic sellers' share of gallium spending, China "
            "(localization): 100% in every quarter") in " ".join(sentences)
    charts = page.locator("#market-results .chart")
    assert charts.filter(has_text="gallium spending, China (localization)").count() == 0
    assert charts.filter(has_text="Rest of the world (localization)").count() == 1
    _shot(page, "compare-linked")


def _with_wide_bands(widened: dict[str, str], values_of: Callable[[dict[str, Any], str], list[float]]
                     ) -> Callable[[Route], None]:
    """A route handler that answers as the server does, with each chart text's band made ten times the highest value
    its chart draws (`values_of(answer, output)`), cut at the axis by the shared rule (`labels.band_axis`); it records
    each widened chart's title and mark in `widened`."""
    import json

    from chipshift.reports import labels

    def answer_with_a_wide_band(route: Route) -> None:
        response = route.fetch()
        answer = response.json()
        for output, text in answer.get("output_text", {}).items():
            values = values_of(answer, output)
            if values:
                text["band"] = labels.band_axis(values, [10 * max(values)], text["unit"]).__dict__
                widened[text["title"]] = text["band"]["note"]
        route.fulfill(response=response, body=json.dumps(answer))
    return answer_with_a_wide_band


def test_a_band_too_wide_for_its_chart_is_cut_and_marked_as_in_the_files_and_the_report(
        page: Page, base_url: str) -> None:
    """The Results page draws a band's value axis as the server gives it (each chart text's ``band``, the rule of
    the chart files and the report: ``labels.band_axis``): a band ten times its median is cut at the same top as the
    report's chart of the same numbers, and the plot says where the band's top is; a run's charts take it from
    the answer."""
    from chipshift.reports import labels
    from chipshift.web import svg

    points = [{"x": year, "value": v, "median": v, "p5": v / 2, "p95": 10 * v}
              for year, v in ((2024, 10.0), (2025, 12.0), (2026, 14.0))]
    band = labels.band_axis([v for p in points for v in (p["value"], p["median"])], [p["p95"] for p in points])
    assert band.clipped and band.note == "p95 off scale: 140"
    report = svg.trajectory(points, [], [], "Revenue", "", band=band)
    report_ticks = [float(t.replace(",", "")) for t in re.findall(r'text-anchor="end"[^>]*>([\d.,]+)</text>', report)]

    widened: dict[str, str] = {}
    answer_with_a_wide_band = _with_wide_bands(widened, lambda answer, output: [
        r["value"] for r in answer["outputs"] if r["output"] == output and r["value"] is not None])
    page.route("**/market/run", answer_with_a_wide_band)
    try:
        _open(page, f"{base_url}/results")
        page.locator("#calibration-statement").wait_for(timeout=120_000)
        marks = page.locator("#trajectories svg text.off-scale").all_text_contents()
        assert marks and all(m.startswith("▲ p95 off scale: ") for m in marks), marks
        assert {f"▲ {note}" for note in widened.values()} >= set(marks), (marks, widened)
        _shot(page, "results-band-off-scale")  # the marks pass axe-core and fit a phone's screen
        web = page.evaluate(r"""(spec) => {
          const svg = CS.charts.trajectory([{ name: "model", points: spec.points }],
            { title: "Revenue", unit: "", band: spec.band });
          document.body.append(svg);
          const ticks = [...svg.querySelectorAll("text[text-anchor=end]")].map((t) => t.textContent)
            .filter((t) => /^[\d.,]+$/.test(t));
          const ys = svg.querySelector("polygon.band").getAttribute("points").split(" ")
            .map((p) => Number(p.split(",")[1]));
          const grid = [...svg.querySelectorAll("line")].map((l) => Number(l.getAttribute("y1")));
          const out = { ticks, top: Math.min(...ys), plotTop: Math.min(...grid),
            mark: svg.querySelector("text.off-scale").textContent };
          svg.remove();
          return out;
        }""", {"points": points, "band": band.__dict__})
    finally:
        page.unroute("**/market/run", answer_with_a_wide_band)
    assert [float(t.replace(",", "")) for t in web["ticks"]] == report_ticks and max(report_ticks) == band.top
    assert web["top"] >= web["plotTop"] - 0.01, web  # cut at the axis's top, never drawn past it
    assert web["mark"] == f"▲ {band.note}" and f"▲ {band.note}" in report


def test_compare_charts_follow_the_wide_band_rule(page: Page, base_url: str) -> None:
    """/compare's charts of two variants of a market case draw their value axis as the answer gives it (each chart
    text's ``band``, ``labels.band_axis``), as the Results page, the files and the report do: a band too wide for
    it is cut at the axis's top and marked."""


    widened: dict[str, str] = {}
    answer_with_a_wide_band = _with_wide_bands(widened, lambda answer, output: [
        v for r in answer["differences"] if r["output"] == output for v in (r["a"], r["b"]) if v is not None])
    page.route("**/market/compare", answer_with_a_wide_band)
    try:
        _open(page, f"{base_url}/compare?left=baseline&right=baseline&market_a=gallium-export-controls"
                    "&market_b=gallium-export-controls")
        page.locator("#market-compare").wait_for(timeout=30_000)
        page.locator("#market-results svg").first.wait_for()
        marks = page.locator("#market-results svg text.off-scale").all_text_contents()
    finally:
        page.unroute("**/market/compare", answer_with_a_wide_band)
    assert marks and all(m.startswith("▲ p95 off scale: ") for m in marks), marks
    assert {f"▲ {note}" for note in widened.values()} >= set(marks), (marks, widened)


def test_fifteen_series_of_one_chart_look_different_on_the_page(page: Page, base_url: str) -> None:
    """Past the palette's colours a series takes its second cue by name (the chart text's ``cues``:
    ``palette.styles``), as the report and the files draw it: of fifteen publishers' figures in one chart and fifteen
    suppliers in one stack, no two share both colour and shape or stripes."""
    from chipshift.reports import palette

    names = [f"Publisher {k}" for k in range(15)]
    looks = palette.styles(names, model="chipshift model (fitted)", charts=[names])
    spec = {"names": names, "colours": {n: c for n, (c, _) in looks.items()},
            "cues": {n: k for n, (_, k) in looks.items() if k}}
    _open(page, f"{base_url}/sources")
    drawn = page.evaluate(r"""(spec) => {
      const pub = spec.names.map((n, k) => ({ x: 2024 + (k % 3), value: 10 + k, publisher: n }));
      const line = CS.charts.trajectory([{ name: "model", points: [2024, 2025, 2026].map((x) => ({ x, value: 12 })) }],
        { title: "Figures", unit: "", published: pub, colours: spec.colours, cues: spec.cues });
      const stack = CS.charts.stack([{ x: 2024, parts: spec.names.map((name) => ({ name, value: 100 / 15 })) }],
        { title: "Shares", colours: spec.colours, cues: spec.cues });
      const marks = [...line.querySelectorAll(".published")].map((m) => `${m.getAttribute("fill")} ${m.dataset.shape}`);
      const parts = [...stack.querySelectorAll("rect.stack-part")].map((r) => {
        const next = r.nextElementSibling;
        const kind = !next || next.tagName !== "line" ? "none"
          : next.getAttribute("x1") === next.getAttribute("x2") ? "upright" : "across";
        return `${r.getAttribute("fill")} ${kind}`;
      });
      return { marks, parts };
    }""", spec)
    assert len(drawn["marks"]) == 15 and len(set(drawn["marks"])) == 15, drawn
    assert len(drawn["parts"]) == 15 and len(set(drawn["parts"])) == 15, drawn
    assert {m.split()[1] for m in drawn["marks"]} == {"diamond", "triangle"}


def test_series_that_meet_in_a_chart_over_dates_stay_seen(page: Page, base_url: str) -> None:
    """Two scenarios whose bounds meet (Compare's exposure by year: the same share barred from some year on): the
    first is drawn wider than the second, lines and points, so that it shows round the other where they meet, as the
    report draws it (``svg.bands``)."""
    _open(page, f"{base_url}/sources")
    widths = page.evaluate("""() => {
      const points = [2023, 2024, 2025].map((x, i) => ({ x, a_lo: 20, a_hi: [50, 75, 75][i], b_lo: 28,
        b_hi: [50, 75, 75][i] }));
      const svg = CS.charts.bands(points, [{ name: "baseline", lower: "a_lo", upper: "a_hi" },
        { name: "DUV barred", lower: "b_lo", upper: "b_hi" }], { title: "Exposure" });
      const lines = [...svg.querySelectorAll("polyline")]
        .map((l) => [l.getAttribute("stroke"), Number(l.getAttribute("stroke-width"))]);
      const dots = [...svg.querySelectorAll("circle")]
        .map((c) => [c.getAttribute("fill"), Number(c.getAttribute("r"))]);
      return { lines, dots };
    }""")
    line = dict(widths["lines"])
    dot = dict(widths["dots"])
    (first, second) = list(dict.fromkeys(c for c, _ in widths["lines"]))
    assert line[first] > line[second] + 2 and dot[first] > dot[second], widths


def test_compare_two_market_cases(page: Page, base_url: str, web_store: Store) -> None:
    # two uncached market runs: 30 s and more on a loaded machine, so the page's own answer is waited for
    _open(page, f"{base_url}/compare?left=baseline&right=baseline&market_a=micron-china&market_b=china-ai-accelerators",
          idle=False)
    box = page.locator("#market-compare")
    box.wait_for(timeout=180_000)
    page.wait_for_load_state("networkidle")
    # each side by its case's title (as the Results page heads the run), never its file name; one side a line,
    # each title wrapping within the card on a wide screen and a phone alike
    case_titles = {c["case"]: c["title"] for c in page.request.get(f"{base_url}/api/v1/market/cases").json()["cases"]}
    sides = box.locator("dl.sides dd").all_inner_texts()
    assert sides == [case_titles["micron-china"], case_titles["china-ai-accelerators"]], sides
    assert "micron-china" not in box.locator("h2").first.inner_text()
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        card = box.bounding_box()
        assert card is not None
        for dd in box.locator("dl.sides dd").all():
            b = dd.bounding_box()
            assert b is not None and b["x"] + b["width"] <= card["x"] + card["width"] + 1, (width, b, card)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    page.set_viewport_size({"width": 1440, "height": 900})
    assert page.locator("#market-results svg").count() >= 2
    # each chart's legend names each side by its name (its case's title), never "side a" / "side b"
    legend = " ".join(page.locator("#market-results svg").first.locator("text.legend tspan").all_text_contents())
    assert case_titles["micron-china"] in legend and case_titles["china-ai-accelerators"] in legend, legend
    assert "side a" not in legend and "side b" not in legend, legend
    assert "localization" in page.locator("#market-results table.data").first.inner_text()
    # every fact the two cases cite is on the page, each value opening its source by keyboard: no figure's
    # sources are further than one key away
    sources = page.locator("#market-sources table.data")
    assert "Cited by" in sources.locator("thead").inner_text()
    assert sources.locator("tbody tr").count() >= 10
    # whom each fact is about, what it measures, its product, region and unit in words: no cell shows a code the
    # knowledge base or the vocabulary has words for (a unit such as 'days' is its own word)
    names = {i: n for table in ("inputs", "countries", "firms") for i, n, _ in web_store.names(table)}
    coded = {code for code, name in names.items() if name != code} | set(METRICS) | {
        code for code, unit in UNITS.items() if unit.description != code}
    cells = {c.strip() for c in sources.locator("tbody td").all_inner_texts()}
    assert {"Micron Technology", "China", "share of the entity's sales from the stated region"} <= cells
    assert not coded & cells, coded & cells
    sources.locator("td.num .figure").first.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#source-panel")
    panel.wait_for()
    assert "Publisher" in panel.inner_text() and "(no quote recorded)" not in panel.inner_text()
    page.keyboard.press("Escape")
    assert "Sources: " in (page.locator("#market-results svg").first.inner_html())
    # the outputs only one side has, and the table's outputs and units, in words; a generic output the two cases
    # name differently by each side's words (Micron's share of revenue from China against Nvidia's)
    missing = box.locator("p.only-one-side").all_inner_texts()
    assert len(missing) == 2 and not any("share:" in m or "_" in m for m in missing), missing
    assert "Micron's share of" in missing[0] and "Nvidia's share of" in missing[1]
    titles = [t for t in page.locator("#market-results .chart").evaluate_all("(cs) => cs.map((c) => c.getAttribute("
                                                                            "'aria-label'))")]
    revenue = [t for t in titles if "share of revenue from China" in t]
    assert revenue and "a: Micron's" in revenue[0] and "; b: Nvidia's" in revenue[0], titles
    table = page.locator("#market-results table.data").first.inner_text()
    assert "revenue_share" not in table and "\tpct\t" not in table and "%" in table
    # the page made two requests (the scenarios' and the market cases'): the JSON link holds both, with answers
    link = page.locator("#json-link")
    shown = page.evaluate("async (href) => JSON.parse(await (await fetch(href)).text())", link.get_attribute("href"))
    asked = [e["request"]["url"].rsplit("/api/v1", 1)[1] for e in shown["exchanges"]]
    assert sorted(asked) == ["/compare", "/market/compare"] and all(e["request"]["method"] == "POST"
                                                                    for e in shown["exchanges"])
    assert "POST /api/v1/compare" in (link.get_attribute("title") or "")
    page.locator("#market-heading").scroll_into_view_if_needed()
    _shot(page, "compare-market")


def test_compare_variants_of_one_market_case_with_bands(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/compare?left=baseline&right=baseline")
    form = page.locator("#market-params")
    form.locator("select[name=a]").select_option("gallium-export-controls")
    form.locator("input[name=b_parameters]").fill("approval=0.9")
    form.locator("select[name=draws]").select_option("200")
    form.locator("#market-compare-button").click()
    box = page.locator("#market-compare")
    box.wait_for(timeout=180_000)  # the first run with bands may wait for the model's error the server learns
    assert "market_b_parameters=approval" in page.url, "the page's address keeps the comparison"
    assert "as shipped" in box.inner_text() and "approval=0.9" in box.inner_text()
    assert page.locator("#market-params select[name=b]").input_value() == "", "side b: the same case as a"
    charts = page.locator("#market-results svg")
    assert charts.count() >= 1 and "Gallium price, Rest of the world" in page.locator("#market-results").inner_text()
    assert "price@" not in page.locator("#market-results table.data").first.inner_text(), "outputs in words"
    assert charts.first.locator("polygon.band").count() == 2, "each side's own 5-95% band"
    assert "b 95%" in page.locator("#market-results table.data").first.inner_text()
    footer = " ".join(charts.first.locator("text.footer").all_text_contents())
    assert "Case: China required licences for exports of gallium" in footer and "5-95% band" in footer
    # a share at 100% in every quarter and draw on both sides has no chart; one sentence, naming both, says why
    held = page.locator("#market-unchanging li", has_text="China (localization)").inner_text()
    assert held.startswith("On both sides (a: as shipped; b: approval=0.9): Domestic sellers' share of gallium "
                           "spending, China (localization): 100% in every quarter from 2023Q1 to 2025Q2 and in "
                           "every draw, so it has no chart")
    assert box.locator(".sources-named a[href='/results?case=gallium-export-controls&draws=0']").count() == 1
    # each figure, on the charts and in the table, opens what it rests on: a model output of its side, what the
    # variant changes, and the facts that side cites, each opening its source
    cell = page.locator("#market-results table.data").first.locator("td.num .figure").last
    cell.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#source-panel")
    panel.locator(".figure-parts").wait_for()
    text = panel.inner_text()
    assert "a model output, not a published figure" in text and "approval = 0.9" in text
    assert panel.locator("a[href='/results?case=gallium-export-controls&draws=0']").count() == 1
    page.keyboard.press("Escape")
    charts.first.locator("circle.model-point[role=button]").first.focus()  # under side b's point: the keyboard
    page.keyboard.press("Enter")
    assert "a model output" in panel.inner_text()
    page.keyboard.press("Escape")
    box.scroll_into_view_if_needed()
    _shot(page, "compare-market-variants")


def test_compare_of_a_market_case_with_itself_says_so_and_draws_one_line(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/compare?left=baseline&right=baseline")
    form = page.locator("#market-params")
    form.locator("select[name=a]").select_option("gallium-export-controls")
    form.locator("#market-compare-button").click()
    page.locator("#market-compare").wait_for(timeout=180_000)
    assert "b − a is 0 throughout" in page.locator("#market-same").inner_text()
    charts = page.locator("#market-results svg")
    assert charts.count() >= 1
    for k in range(charts.count()):  # one line a chart, named as both sides
        assert charts.nth(k).locator("polyline.value-line").count() == 1
        assert "(the same in every quarter shown)" in " ".join(charts.nth(k).locator("text").all_text_contents())


def test_documents_page_reads_the_example_article(page: Page, base_url: str) -> None:
    _open(page, f"{base_url}/documents")
    page.fill("#text", ARTICLE.read_text(encoding="utf-8"))
    page.fill("#name", ARTICLE.name)
    page.fill("#date", "2025-10-20")
    page.click("#analyse")
    page.locator("#doc-text .badge.finding").first.wait_for()
    assert page.locator("#doc-text .claim").count() >= 3
    assert page.locator("#claims-table table.data tbody tr").count() >= 3
    assert "fold_vs_percent" in page.locator("#report").inner_text()
    _shot(page, "documents")
    page.locator("#doc-text .badge.finding").first.click()
    page.wait_for_selector("#report tr.flash")
