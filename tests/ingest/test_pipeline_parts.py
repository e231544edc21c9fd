"""The pipeline's small modules on hand-made snippets, checked against hand-computed results."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipshift.errors import DataError
from chipshift.ingest import citations, entities, language, periods, quantities, sentences
from chipshift.ingest import text as T
from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.ledger import analyse
from chipshift.ingest.text import Extracted

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)


def q(text: str) -> list[tuple[str, float, str]]:
    return [(x.kind, round(x.value, 6), x.unit) for x in quantities.extract(text)]


def test_quantities_normalised() -> None:
    assert q("up 1,400% and 3.5 percentage points") == [("percent", 1400.0, "pct"), ("points", 3.5, "pct_points")]
    assert q("a 14-fold rise, ninefold, 13 times, tripled") == [
        ("fold", 14.0, "ratio"), ("fold", 9.0, "ratio"), ("fold", 13.0, "ratio"), ("fold", 3.0, "ratio")]
    assert q("567 million yuan ($79.6 million)") == [("money", 567.0, "cny_m"), ("money", 79.6, "usd_m")]
    assert q("营收17.27亿元, 3134.28万元, 250亿美元") == [
        ("money", 1.727, "cny_bn"), ("money", 31.3428, "cny_m"), ("money", 25.0, "usd_bn")]
    assert q("RMB 2.4 trillion, US$385 billion, KRW 16.2225 trillion, 2.2 billion euros") == [
        ("money", 2400.0, "cny_bn"), ("money", 385.0, "usd_bn"), ("money", 16.2225, "krw_tn"), ("money", 2.2, "eur_bn")]
    assert q("In 2023 the firm had 549.2 billion ICs") == [("count", 549.2, "units_bn")]
    # precision follows the written digits
    assert quantities.extract("$79.6 million")[0].precision == pytest.approx(0.05)


def test_conversions_paired() -> None:
    text = "a profit of 567 million yuan ($79.6 million) and $28 billion (40.376 trillion won)"
    convs = quantities.conversions(text, quantities.extract(text))
    assert [(c.source.text, c.target.text) for c in convs] == [
        ("567 million yuan", "$79.6 million"), ("$28 billion", "40.376 trillion won")]


@pytest.mark.parametrize(("phrase", "label"), [
    ("in fiscal 2023", "FY2023"), ("in Q3", "2025Q3"), ("in 3Q24", "2024Q3"), ("last year", "2024"),
    ("the first three quarters of 2025", "2025Q1..2025Q3"), ("the first half of 2024", "2024H1"),
    ("on October 17, 2025", "2025-10-17"), ("(2025, August 15)", "2025-08-15"), ("on May 21", "2025-05-21"),
    ("the fourth quarter of 2024", "2024Q4"), ("between 2021 and 2025", "2021..2025"), ("quarterly", "2025Q3"),
    # month ranges: a calendar quarter or half when they are one, else a span; the latest one ending by the date
    ("the April–June period", "2025Q2"), ("the January-March quarter", "2025Q1"), ("January and February",
                                                                                     "2025-01..2025-02"),
    ("January through September", "2025-01..2025-09"), ("Jan.-Feb. 2023", "2023-01..2023-02"),
    ("July to December", "2024H2"), ("the fourth quarter of last year", "2024Q4"), ("Jan/Feb 2022", "2022-01..2022-02"),
    ("exports in September", "2025-09"), ("the fiscal year ended March 31, 2024", "FY2024"),
    # a year named by the month it ends in is a fiscal year, the calendar year when it ends in December
    ("the business year that ended in March 2024", "FY2024"), ("the year ending March 2025", "FY2025"),
    ("the year ended 31 December 2023", "2023"),
    # a half of the year named by "this year's" or "last year's", with or without a hyphen
    ("this year's first-half sales", "2025H1"), ("last year's first half", "2024H1"), ("first-half results", "2025H1"),
    # days counted back from the document date (Monday 20 October 2025); "last Monday" is a week before it
    ("added yesterday", "2025-10-19"), ("said today", "2025-10-20"), ("last Tuesday", "2025-10-14"),
    ("last Monday", "2025-10-13"), ("three days ago", "2025-10-17"), ("earlier this month", "2025-10"),
    # "this month" is the document's month; a weekday owning an action is the latest such day by the document date
    ("This month Washington tightened", "2025-10"), ("later this month", "2025-10"),
    ("Monday's U.S. action", "2025-10-20"), ("after Friday's announcement", "2025-10-17"),
])
def test_periods_resolved_against_document_date(phrase: str, label: str) -> None:
    found = periods.extract(phrase, date(2025, 10, 20))
    assert [p.label for p in found] == [label]


def test_fiscal_periods_use_the_fiscal_year_end() -> None:
    assert periods.last_fiscal_year(date(2025, 10, 17), 8) == "FY2025"
    assert periods.last_fiscal_year(date(2025, 10, 17), 12) == "FY2024"
    assert periods.fiscal_quarter(date(2025, 4, 16), 1, 1) == "FY2026Q1"


def test_html_main_text_without_boilerplate() -> None:
    html = ("<html><head><title>T</title><script>var x=1;</script></head><body><nav>Home News</nav>"
            "<div class='cookie-banner'>We use cookies</div><article><h1>Chips</h1><p>Micron said revenue rose "
            "12% in the quarter, and more text here to make the article long enough for the main-text rule to pick "
            "it as the content of the page rather than the navigation or the footer around it.</p>"
            "<ol><li><a href='https://example.com/a'>A title</a>. Reuters, 1 May 2025.</li></ol></article>"
            "<footer>© 2025 Site</footer></body></html>")
    out = T.extract(html, "html")
    assert "cookies" not in out.text and "Home News" not in out.text and "©" not in out.text
    assert "Micron said revenue rose 12%" in out.text and out.title == "Chips"
    assert "1. A title. Reuters, 1 May 2025." in out.text
    assert out.links and out.links[0][2] == "https://example.com/a"


def test_markdown_stripped_with_links_kept() -> None:
    md = "# Title\n\nSome **bold** claim [1] about [Micron](https://micron.com).\n\n[^2]: Note text\n"
    out = T.extract(md, "markdown")
    assert out.title == "Title" and "Some bold claim [1] about Micron." in out.text and "[2] Note text" in out.text
    s, e, url = out.links[0]
    assert out.text[s:e] == "Micron" and url == "https://micron.com"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"), (b"   \n", "empty"), (b"\x00\x01\x02abc", "binary"), ("café".encode("latin-1") * 5, "UTF-8"),
    ("text é".encode()[:-1], "truncated"), (b"x" * (T.MAX_BYTES + 1), "limit"),
    (bytes(range(1, 32)) * 40, "binary"),
])
def test_bad_input_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(DataError) as err:
        T.extract(T.decode(data, "bad.txt"), "text", "bad.txt")
    assert message in str(err.value) and "bad.txt" in str(err.value)


def test_declared_charset_is_honoured() -> None:
    html = "<html><head><meta charset='iso-8859-1'></head><body><p>café</p></body></html>".encode("latin-1")
    assert "café" in T.decode(html, "page.html")


def test_references_in_several_styles() -> None:
    text = ("Body [1] and [2-3].\nReferences\n"
            "[1] Exclusive: Micron exits. (2025, October 17). Reuters. https://www.reuters.com/x\n"
            "2. Villasenor, J. (2025, August 15). How bans backfire. Brookings Institution. https://www.brookings.edu/y\n"
            "3. TechNode, \"China bars Micron\", 22 May 2023, https://technode.com/z\n")
    start = citations.references_start(text)
    refs = citations.references(text, start)
    assert [(r.number, r.publisher, r.date) for r in refs] == [
        (1, "Reuters", "2025-10-17"), (2, "Brookings Institution", "2025-08-15"), (3, "TechNode", "2023-05-22")]
    assert refs[0].title == "Exclusive: Micron exits" and refs[1].author == "Villasenor, J"
    assert refs[2].title == "China bars Micron"
    assert [m.numbers for m in citations.markers(text, start)] == [(1,), (2, 3)]


def test_entities_names_aliases_demonyms_and_candidates(kb: KnowledgeBase) -> None:
    text = "Samsung and SK Hynix beat YMTC; Beijing and U.S. officials met the Brookings Institution. US$5 was paid."
    mentions = kb.gazetteer.link(text)
    assert [(m.text, m.entity, m.via) for m in mentions] == [
        ("Samsung", "samsung", "alias"), ("SK Hynix", "sk-hynix", "name"), ("YMTC", "ymtc", "alias"),
        ("Beijing", "CHN", "metonym"), ("U.S", "USA", "alias")]
    report = analyse(Extracted(text, "text"), kb)
    assert [c["name"] for c in report["candidates"]] == ["Brookings Institution"]


def test_loaded_language_categories() -> None:
    from chipshift.ingest.sentences import split
    flags = language.flag(split("A stunning surge. Clearly a strategic blunder."))
    assert [(f.text, f.category) for f in flags] == [
        ("stunning", "intensifier"), ("Clearly", "certainty"), ("strategic blunder", "value_judgement")]


def test_arithmetic_checks(kb: KnowledgeBase) -> None:
    text = ("Nanya's revenue fell 17.9% to $252 million from $307 million. PSMC's revenue fell 40% to $18 million "
            "from $24 million. Samsung had a DRAM market share of 45% in 2024Q3 and SK hynix 35% and Micron 25% in "
            "2024Q3.")
    report = analyse(Extracted(text, "text"), kb, date_given="2024-11-20")
    checks = [(f["check"], f["severity"]) for f in report["findings"] if f["check"] in ("before_after", "parts_sum")]
    assert ("before_after", "info") in checks and ("before_after", "warning") in checks
    assert ("parts_sum", "error") in checks


def test_firms_and_countries_shares_are_summed_apart() -> None:
    """A country's share read among firms' shares of a market is a share of another whole: no parts-sum finding."""
    from chipshift.ingest.checks import parts_sum
    from chipshift.ingest.model import Claim

    def share(entity: str, value: float) -> Claim:
        return Claim(id=entity, entity=entity, entity_name=entity, metric="market_share", value=value, unit="pct",
                     period="2022Q4", start=0, end=1, quantity=(0, 1), sentence=(0, 1), precision=0.5)

    firms = [share("apple", 22.0), share("vivo", 18.0), share("oppo", 16.0), share("honor", 15.0),
             share("xiaomi", 12.0)]
    assert not parts_sum([*firms, share("CHN", 22.0)], frozenset({"CHN"}))
    assert parts_sum([*firms, share("huawei", 22.0)], frozenset({"CHN"}))  # 105% of one market


def test_a_fall_in_points_agrees_with_its_stated_size(kb: KnowledgeBase) -> None:
    """From 34.3% to 31.8% is a fall of 2.5 points: a text stating "2.5 percentage points" agrees (a fall's interval
    runs below zero, so its size is read as the distance either way), and one stating 4 points does not."""
    def before_after(text: str) -> list[str]:
        report = analyse(Extracted(text, "text"), kb, date_given="2024-11-20")
        return [f["severity"] for f in report["findings"] if f["check"] == "before_after"]

    assert before_after("Samsung's DRAM share fell by 2.5 percentage points from 34.3% to 31.8%.") == ["info"]
    assert before_after("Samsung's DRAM share fell by 4 percentage points from 34.3% to 31.8%.") == ["warning"]
    assert before_after("Samsung's DRAM share rose by 2.5 percentage points from 31.8% to 34.3%.") == ["info"]


def test_a_fold_and_a_percent_are_compared_only_as_one_change() -> None:
    """"Revenue rose 38%" and "AI revenue tripled" are two changes (different products): no finding; the same
    firm's revenue stated as both is one change, and 38% is not threefold."""
    from chipshift.ingest.checks import fold_vs_percent
    from chipshift.ingest.model import Claim

    text = "Revenue rose 38%. Revenue tripled."

    def claim(cid: str, value: float, unit: str, span: tuple[int, int], product: str | None) -> Claim:
        return Claim(cid, "micron", "Micron", "revenue_growth", value, unit, "2025Q1", span[0], span[1], span,
                     (0, len(text)), product=product, precision=0.5 if unit != "ratio" else 0.0)

    pct, fold = claim("c1", 38.0, "pct_yoy", (13, 16), None), claim("c2", 3.0, "ratio", (26, 33), None)
    assert [f.severity for f in fold_vs_percent([pct, fold], text)] == ["warning"]
    other = claim("c3", 3.0, "ratio", (26, 33), "data_center_gpu")
    assert fold_vs_percent([pct, other], text) == []


def test_only_findings_of_a_problem_are_scored() -> None:
    from chipshift.ingest.evaluation import scored_finding

    assert scored_finding({"check": "conversion", "severity": "warning"})
    assert scored_finding({"check": "parts_sum", "severity": "error"})
    assert not scored_finding({"check": "conversion", "severity": "info"})  # figures agree
    assert not scored_finding({"check": "conversion", "severity": "notice"})  # a gap too small to call
    assert not scored_finding({"check": "kb", "severity": "warning"})  # depends on the data, not the reader


def test_definitions_differ_is_reported(kb: KnowledgeBase) -> None:
    kb2 = KnowledgeBase(firms=kb.firms, countries=kb.countries, inputs=kb.inputs, facts=[
        {"id": "f1", "entity": "micron", "metric": "revenue_share_region", "region": "CHK", "product": None,
         "period": "FY2024", "value": 15.0, "unit": "pct", "status": "reported", "definition":
         "China including Hong Kong", "publisher": "Micron", "url": "https://example.com", "quote": "q"}])
    text = "Micron made 12% of its revenue in mainland China in fiscal 2024."
    report = analyse(Extracted(text, "text"), kb2, date_given="2025-01-10")
    finding = next(f for f in report["findings"] if f["check"] == "kb")
    assert finding["severity"] == "warning" and "Definitions differ" in finding["message"]
    assert finding["details"]["stored"][0]["value"] == 15.0


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=400))
def test_any_text_gives_a_report_with_spans_inside_it(kb: KnowledgeBase, text: str) -> None:
    report = analyse(Extracted(text, "text"), kb)
    n = len(report["document"]["text"])
    spans = [c["span"] for c in report["claims"]] + [x["span"] for x in report["quantities"]] + \
        [s for f in report["findings"] for s in f["spans"]]
    assert all(0 <= s <= e <= n for s, e in spans)


def test_a_fiscal_quarter_written_with_a_hyphen_uses_the_firms_fiscal_year() -> None:
    found = periods.extract("Micron's fiscal second-quarter results", date(2025, 3, 20))
    assert [p.note for p in found] == ["fiscal_quarter:2"]
    assert periods.fiscal_quarter(date(2025, 3, 20), 9, 2) == "FY2025Q2"


def test_a_quarter_of_a_fiscal_year_named_before_it_is_that_fiscal_quarter() -> None:
    for phrase in ("second-quarter fiscal 2026", "the second quarter of fiscal 2026",
                   "second quarter fiscal year 2026"):
        assert [p.label for p in periods.extract(phrase, date(2025, 8, 28))] == ["FY2026Q2"], phrase


def test_a_period_after_a_list_of_figures_is_each_members(kb: KnowledgeBase) -> None:
    text = ("Naura's revenue was RMB7.9bn in 2Q25. Its etching, deposition and cleaning tools brought in RMB5bn, "
            "RMB6.5bn and RMB0.5bn respectively in 1H25.")
    got = {c for c in _claims(kb, text, "2025-08-30") if c[1] == "revenue" and c[2] != 7.9}
    assert {c[4] for c in got} == {"2025H1"} and {c[2] for c in got} == {5.0, 6.5, 0.5}
    # a level and the change after it are not a list: the period after the change is not the level's
    text = ("In the first three quarters of 2025, China's rare earth magnet exports totalled 39,817 tons, 7.5% less "
            "than in the same period of 2024.")
    assert ("CHN", "exports", 39817.0, "t", "2025Q1..2025Q3") in _claims(kb, text, "2025-10-20")


def test_exports_named_by_where_they_come_from_are_that_countrys(kb: KnowledgeBase) -> None:
    """"Chip exports from South Korea to China": South Korea exports, China is the partner; imports "from" a
    country stay that country's sales to the importer."""
    text = ("Silicon UK > Cloud > Datacentre\n\nChip exports from South Korea to China were down 31.8 percent "
            "year-on-year in February at close to $4 billion, figures from the ministry show.")
    got = _claims(kb, text, "2025-03-05")
    assert ("KOR", "exports", 4.0, "usd_bn", "2025-02") in got
    assert not any(c[0] in ("GBR", "CHN") for c in got)


def test_figures_spelled_out_as_a_broadcast_script_reads_them(kb: KnowledgeBase) -> None:
    """"57-point-zero-seven billion U.S. dollars", "five-point-one percent": a radio script's figures, spanning
    their words; "a five-point plan" is no figure."""
    text = ("South Korea's exports came to 57-point-zero-seven billion U.S. dollars in June, five-point-one percent "
            "more than a year before, under a five-point plan.")
    report = analyse(Extracted(text, "text"), kb, date_given="2024-07-01")
    got = {(c["entity"], c["metric"], c["value"], c["unit"], c["text"]) for c in report["claims"]}
    assert ("KOR", "exports", 57.07, "usd_bn", "57-point-zero-seven billion U.S. dollars") in got
    assert ("KOR", "trade_growth", 5.1, "pct_yoy", "five-point-one percent") in got
    assert len(got) == 2


def test_a_figure_after_a_rival_passed_or_followed_is_the_subjects(kb: KnowledgeBase) -> None:
    """"Micron followed Samsung Electronics in third place with 21%": Micron's share, not Samsung's."""
    got = _claims(kb, "In the third quarter of 2025, Micron followed Samsung Electronics in third place with 21%.",
                  "2025-11-20")
    assert {(c[0], c[2]) for c in got if c[1] == "market_share"} == {("micron", 21.0)}


def test_a_country_in_a_sites_name_on_its_masthead_is_not_the_texts(kb: KnowledgeBase) -> None:
    """"KED Global | Economy" and "Silicon UK > Cloud" name the publisher, not the country whose trade the text
    reports; "TRADE DATA | South Korea, May 2024" does name it."""
    body = "\n\nThe country's exports rose 11.7% on-year to $58.2 billion in May."
    for masthead in ("KED Global | Economy", "Silicon UK > Cloud > Datacentre"):
        got = _claims(kb, masthead + "\n\nSouth Korea's exports hit a 22-month high." + body, "2024-06-02")
        assert ("KOR", "exports", 58.2, "usd_bn", "2024-05") in got, masthead
    got = _claims(kb, "TRADE DATA | South Korea, May 2024" + body, "2024-06-02")
    assert ("KOR", "exports", 58.2, "usd_bn", "2024-05") in got


def test_share_prices_their_moves_and_money_raised_are_no_claims(kb: KnowledgeBase) -> None:
    """The labelling conventions leave share prices out: "shares had gained 37%", "40.1 million shares at 104.66
    yuan each", and money raised in a listing ("raising about 4.2 billion yuan") is no revenue."""
    text = ("Applied Materials shares had gained 37% this year. Applied Materials' revenue rose 8% to $7.3 billion "
            "in the third quarter of 2025. MetaX sold 40.1 million shares at 104.66 yuan each, raising about 4.2 "
            "billion yuan.")
    got = _claims(kb, text, "2025-10-06")
    assert {c[2] for c in got} == {8.0, 7.3}


def test_regions_listed_with_their_changes_in_brackets_after_a_verb_of_change(kb: KnowledgeBase) -> None:
    """The SIA's monthly regions, each with its change in brackets, the verb of change far before most of them; the
    Americas and Asia Pacific/All Other are regions of the data."""
    text = ("Worldwide semiconductor sales in September 2023 were $44.9 billion, the SIA said. By region, "
            "month-to-month sales rose in Asia Pacific/All Other (3.4%), Europe (3.0%), the Americas (2.4%) and "
            "China (0.5%), and dipped slightly in Japan (-0.2%).")
    got = {(c[0], c[2]) for c in _claims(kb, text, "2023-11-02") if c[1] == "market_growth"}
    assert got == {("APO", 3.4), ("EUR", 3.0), ("AME", 2.4), ("CHN", 0.5), ("JPN", -0.2)}


def test_a_sentence_of_month_on_month_changes_naming_no_period_is_of_the_last_month_named(kb: KnowledgeBase) -> None:
    """A release on September and the third quarter: its sentence of month-to-month changes by region, naming no
    period, is of September, not of the quarter most of its figures are of."""
    text = ("Global Semiconductor Sales Increase 1.9% Month-to-Month in September\n\nGlobal sales in Q3 2023 6.3% "
            "higher than Q2 2023 and 4.5% lower than Q3 2022\n\nThe SIA today announced that global semiconductor "
            "sales for September 2023 rose 1.9% from August 2023. Worldwide semiconductor sales came to $134.7 "
            "billion in the third quarter of 2023, up 6.3% from the second quarter of 2023.\n\nBy region, "
            "month-to-month sales rose in Europe (3.0%) and China (0.5%).")
    got = {(c[0], c[2], c[4]) for c in _claims(kb, text, "2023-11-01") if c[0] in ("EUR", "CHN")}
    assert got == {("EUR", 3.0, "2023-09"), ("CHN", 0.5, "2023-09")}


def test_a_country_a_firm_is_based_in_is_no_region_of_its_sales(kb: KnowledgeBase) -> None:
    text = ("According to Taiwan-based TrendForce, Samsung's NAND flash sales in the April-June period came to "
            "US$5.98 billion.")
    got = _claims(kb, text, "2022-08-25")
    assert ("samsung", "revenue", 5.98, "usd_bn", "2022Q2") in got
    assert not any(c[1] == "revenue_by_region" for c in got)


def test_a_percentage_of_a_firms_total_revenue_is_a_share_of_it(kb: KnowledgeBase) -> None:
    """"71% of Micron's total revenue" is a share of Micron's revenue, never a change."""
    got = _claims(kb, "In fiscal 2023 DRAM made up 71% of Micron's total revenue.", "2023-09-28")
    assert ("micron", "revenue_share_product", 71.0, "pct", "FY2023") in got
    assert not any(str(c[1]).endswith("_growth") for c in got)


def test_made_before_an_amount_of_money_is_revenue(kb: KnowledgeBase) -> None:
    got = _claims(kb, "Nvidia made $5.4 billion in China in the third quarter of fiscal 2025.", "2024-11-21")
    assert ("nvidia", "revenue_by_region", 5.4, "usd_bn", "FY2025Q3") in got
    assert not _claims(kb, "Nvidia made 40% of the chips in the third quarter of fiscal 2025.", "2024-11-21") & \
        {("nvidia", "revenue_share_region", 40.0, "pct", "FY2025Q3")}


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("$252M", 252.0, "usd_m"), ("€7.2B", 7.2, "eur_bn"), ("$50 Billion", 50.0, "usd_bn"), ("$5 Mn", 5.0, "usd_m")])
def test_scales_written_in_capitals(text: str, value: float, unit: str) -> None:
    assert [(q.value, q.unit) for q in quantities.extract(f"revenue of {text} in the quarter")] == [(value, unit)]


def test_raising_a_share_is_not_money_raised(kb: KnowledgeBase) -> None:
    text = ("Domestic Chinese chipmakers such as Huawei are projected to raise their market share to 40% in 2025, "
            "nearly level with imported chips.")
    assert ("CHN", "localization_rate", 40.0, "pct", "2025") in _claims(kb, text, "2025-10-20")


def _claims(kb: KnowledgeBase, text: str, day: str) -> set[tuple[object, ...]]:
    return _claims_of(analyse(Extracted(text, "text"), kb, date_given=day))


def _claims_of(report: dict[str, Any]) -> set[tuple[object, ...]]:
    return {(c["entity"], c["metric"], c["value"], c["unit"], c["period"]) for c in report["claims"]}


def test_a_flattened_table_is_read_by_its_column_headers(kb: KnowledgeBase) -> None:
    text = ("Foundry revenue rose again in the quarter.\n\nTop foundries by revenue, 4Q24 (US$ million)\n"
            "Ranking  Company   Revenue 4Q24  Revenue 3Q24  QoQ     Share 4Q24\n"
            "1        TSMC      26,854        23,527        14.1%   67.1%\n"
            "2        Samsung   3,260         3,305         -1.4%   8.1%\n"
            "Source: a tracker\n")
    got = _claims(kb, text, "2025-03-11")
    assert {("tsmc", "revenue", 26854.0, "usd_m", "2024Q4"), ("tsmc", "revenue", 23527.0, "usd_m", "2024Q3"),
            ("tsmc", "revenue_growth", 14.1, "pct_qoq", "2024Q4"), ("tsmc", "market_share", 67.1, "pct", "2024Q4"),
            ("samsung", "revenue_growth", -1.4, "pct_qoq", "2024Q4")} <= got
    assert not any(c[2] == 1.0 or c[2] == 2.0 for c in got)  # the rank column is not a figure


def test_signs_losses_and_year_ago_periods(kb: KnowledgeBase) -> None:
    text = ("Cambricon released its results on April 18.\n\n"
            "For the January-March quarter, net profit was 355 million yuan. In the same period last year the "
            "company lost 227 million yuan.\n\n"
            "The full-year picture for 2024: a net loss attributable to shareholders of 452 million yuan, against a "
            "loss of 848 million yuan the year before.\n\n"
            "China's imports of all goods showed a 7.5% decrease over the same months.")
    got = _claims(kb, text, "2025-04-20")
    assert {("cambricon", "net_profit", 355.0, "cny_m", "2025Q1"), ("cambricon", "net_profit", -227.0, "cny_m",
                                                                     "2024Q1"),
            ("cambricon", "net_profit", -452.0, "cny_m", "2024"), ("cambricon", "net_profit", -848.0, "cny_m",
                                                                   "2023")} <= got
    assert ("CHN", "trade_growth", -7.5, "pct_change") in {c[:4] for c in got}


def test_the_country_naming_a_measure_imposes_it(kb: KnowledgeBase) -> None:
    report = analyse(Extracted("China bought fewer chips as the country prepares for another round of US tech "
                               "export controls.", "text"), kb, date_given="2023-10-16")
    assert [(e["kind"], e["imposed_by"]) for e in report["events"]] == [("export_control", "USA")]


def test_a_reference_dated_after_a_fiscal_year_ends_reports_it() -> None:
    from chipshift.ingest.kbcheck import _period_end

    assert _period_end("FY2025", 9) == date(2025, 9, 30)
    assert _period_end("FY2026Q1", 1) == date(2025, 4, 30)
    assert _period_end("FY2025", None) is None  # an unknown fiscal calendar is not guessed
    assert _period_end("2025Q3", None) == date(2025, 9, 30)


def test_the_scorer_takes_labels_of_the_same_days_as_one_period() -> None:
    from chipshift.ingest.evaluation import _same_period

    assert _same_period("2023Q1..2023Q3", "2023-01..2023-09") and _same_period("2024H1", "2024-01..2024-06")
    assert not _same_period("2023Q1..2023Q3", "2023-01..2023-08") and not _same_period("FY2025", "2025")


def test_an_html_table_and_a_markdown_table_are_read_as_rows(kb: KnowledgeBase) -> None:
    html = ("<html><body><article><h1>Equipment billings</h1><p>Worldwide equipment billings rose in the quarter, "
            "SEMI said, with China the largest buyer again and Taiwan second; the total came to more than "
            "nineteen billion dollars.</p>"
            "<table><caption>Billings by region (US$ billion)</caption>"
            "<tr><th>Region</th><th>Q3 2020</th><th>Q2 2020</th><th>QoQ</th></tr>"
            "<tr><td>China</td><td>5.62</td><td>4.59</td><td>23%</td></tr>"
            "<tr><td>Taiwan</td><td>4.75</td><td>3.51</td><td>36%</td></tr></table></article></body></html>")
    extracted = T.extract(html, "html")
    assert "Region | Q3 2020 | Q2 2020 | QoQ\nChina | 5.62 | 4.59 | 23%\nTaiwan" in extracted.text
    report = analyse(extracted, kb, date_given="2020-12-02")
    got = {(c["entity"], c["metric"], c["value"], c["unit"], c["period"]) for c in report["claims"]}
    assert {("CHN", "equipment_purchases", 5.62, "usd_bn", "2020Q3"), ("TWN", "equipment_purchases", 3.51,
                                                                       "usd_bn", "2020Q2"),
            ("CHN", "equipment_purchases_growth", 23.0, "pct_qoq", "2020Q3")} <= got
    markdown = ("Top foundries by revenue, 4Q24 (US$ million)\n\n| Company | Revenue 4Q24 | Share 4Q24 |\n"
                "|---|---|---|\n| TSMC | 26,854 | 67.1% |\n| Samsung | 3,260 | 8.1% |\n")
    md = analyse(T.extract(markdown, "markdown"), kb, date_given="2025-03-11")
    assert {("tsmc", "revenue", 26854.0, "usd_m", "2024Q4"), ("samsung", "market_share", 8.1, "pct", "2024Q4")} <= {
        (c["entity"], c["metric"], c["value"], c["unit"], c["period"]) for c in md["claims"]}



def test_a_firm_on_a_fiscal_calendar_reports_its_quarters_on_it(kb: KnowledgeBase) -> None:
    assert periods.latest_fiscal_quarter(date(2020, 11, 12), 10) == "FY2020Q4"
    assert periods.latest_fiscal_quarter(date(2025, 8, 27), 1) == "FY2026Q2"
    text = ("Applied Materials reported results for the fourth quarter and the fiscal year that ended on Oct. 25, "
            "2020.\n\nQuarterly revenue reached a record $4.69 billion, 25 percent higher year over year.")
    got = _claims(kb, text, "2020-11-12")
    assert ("applied-materials", "revenue", 4.69, "usd_bn", "FY2020Q4") in got


def test_a_share_table_by_quarter_gives_shares_in_the_captions_region(kb: KnowledgeBase) -> None:
    markdown = ("China Smartphone Market Share (Shipments %)\n\n| Brands | Q3 2022 | Q4 2022 |\n|---|---|---|\n"
                "| Apple | 14% | 22% |\n| Xiaomi | 13% | 12% |\n")
    report = analyse(T.extract(markdown, "markdown"), kb, date_given="2023-02-18")
    got = {(c["entity"], c["metric"], c["value"], c["unit"], c["period"], c["region"]) for c in report["claims"]}
    assert {("apple", "market_share", 22.0, "pct", "2022Q4", "CHN"), ("xiaomi", "market_share", 13.0, "pct",
                                                                      "2022Q3", "CHN")} <= got


def test_a_firms_own_statement_table_is_read_by_its_row_labels(kb: KnowledgeBase) -> None:
    """Rows named by measures (not by firms) are the statement of the firm the document is about: each row's
    measure, each column's period, the unit from the lines under the header, the currency from the cells; a
    guidance column, per-share rows and an empty cell give nothing; the change columns at the end are of the
    first period."""
    text = ("Hua Hong Semiconductor reports second quarter results\n\n"
            "Hua Hong Semiconductor said demand held up in the quarter.\n\n"
            "Income statement\n"
            "                      2Q 2019       2Q 2019       2Q 2018       YoY        QoQ\n"
            "(In thousands)        (Unaudited)   (Guidance)    (Unaudited)\n"
            "Revenue               $ 230,037     230 million   $ 229,868     0.1%       4.2%\n"
            "Gross margin          31.0%         30.0%         33.6%         (2.6)      (1.2)\n"
            "Profit for the period  49,894                     45,897        8.7%       7.0%\n"
            "Basic EPS ($)         0.034                       0.044         (22.7)%    (8.1)%\n")
    got = _claims(kb, text, "2019-08-06")
    assert {("hua-hong", "revenue", 230.037, "usd_m", "2019Q2"), ("hua-hong", "revenue", 229.868, "usd_m",
                                                                     "2018Q2"),
            ("hua-hong", "gross_margin", 33.6, "pct", "2018Q2"), ("hua-hong", "net_profit", 49.894, "usd_m",
                                                                  "2019Q2"),
            ("hua-hong", "revenue_growth", 0.1, "pct_yoy", "2019Q2"),
            ("hua-hong", "revenue_growth", 4.2, "pct_qoq", "2019Q2")} <= got
    assert not any(c[2] in (30.0, 0.034, 8.7, -2.6) for c in got)  # guidance, EPS, profit growth, margin points


def test_a_statement_with_alternating_change_columns_and_years_ended(kb: KnowledgeBase) -> None:
    """A header with no cell over the row labels; "Year ended March 31, 2024" is the fiscal year named by the
    year it ended; a bare "%" column is the change of the level column left of it, year on year when the caption
    says so; the row label's own unit wins; a fiscal year of a firm on the calendar year is that year."""
    markdown = ("Tokyo Electron annual results\n\nTokyo Electron reported lower sales for the year.\n\n"
                "Percentages show the change from the same period of the previous fiscal year.\n\n"
                "| | Year ended March 31, 2023 | % | Year ended March 31, 2024 | % |\n|---|---|---|---|---|\n"
                "| Net sales (millions of yen) | 2,209,025 | 10.2 | 1,830,527 | (17.1) |\n"
                "| Operating income (millions of yen) | 617,723 | 3.1 | 456,263 | (26.1) |\n"
                "| Net income per share (yen) | 1,007.82 | 7.9 | 783.75 | (22.3) |\n")
    report = analyse(T.extract(markdown, "markdown"), kb, date_given="2024-05-10")
    got = _claims_of(report)
    assert {("tokyo-electron", "revenue", 2209.025, "jpy_bn", "FY2023"),
            ("tokyo-electron", "revenue_growth", -17.1, "pct_yoy", "FY2024"),
            ("tokyo-electron", "operating_profit", 456.263, "jpy_bn", "FY2024")} <= got
    assert not any(c[2] in (1007.82, 7.9, 3.1) for c in got)  # per-share figures; operating profit growth
    text = ("ASML reports its results\n\nASML said sales rose.\n\n(Figures in millions of euros)\n\n"
            "                    Q4 2023     FY 2022     FY 2023\n"
            "Net sales             7,237      21,173      27,559\n"
            "Gross margin (%)       51.4        50.5        51.3\n")
    got = _claims(kb, text, "2024-01-24")
    assert {("asml", "revenue", 7237.0, "eur_m", "2023Q4"), ("asml", "revenue", 21173.0, "eur_m", "2022"),
            ("asml", "gross_margin", 51.3, "pct", "2023")} <= got


def test_a_sentence_going_on_about_the_figure_just_given_states_its_change(kb: KnowledgeBase) -> None:
    """"That was down 4.4 percent" after a figure: a change of the measure just given (in money, or in units
    imported or exported), of its country or firm and period; "22.7% more than" is a change as well; "the same
    period of 2022" is the base of a comparison, not the figure's period."""
    text = ("South Korea's exports fell again in September.\n\n"
            "Outbound shipments came to US$54.66 billion in September 2023. That was down 4.4 percent year-on-year.\n\n"
            "Imports reached US$50.96 billion in September 2023. That was 16.5 percent less than in the same period "
            "of 2022.")
    got = _claims(kb, text, "2023-10-01")
    assert {("KOR", "exports", 54.66, "usd_bn", "2023-09"), ("KOR", "trade_growth", -4.4, "pct_yoy", "2023-09"),
            ("KOR", "trade_growth", -16.5, "pct_change", "2023-09")} <= got
    text = ("China's chip imports shrank.\n\nChina imported 355.9 billion integrated circuits in January through "
            "September 2023. That is a decline of 14.6% year on year.")
    assert ("CHN", "trade_growth", -14.6, "pct_yoy", "2023-01..2023-09") in _claims(kb, text, "2023-10-13")
    # a sentence opening with "That" with no measure given before it states nothing
    assert not _claims(kb, "That was up 12 percent, a strategist said.", "2023-10-13")


def test_days_of_one_month_are_a_period() -> None:
    """"The first 20 days of October", "Oct. 1-20" and "from Oct. 1 to 20" are the days 1 to 20 of that month
    (of the document's year when it has passed, else the year before); a date range that cannot be is no period."""
    doc = date(2024, 10, 21)
    labels = [(p.label, p.kind) for p in periods.extract(
        "in the first 20 days of October; from Oct. 1 to 20; Oct. 1-20, 2023; the first ten days of December", doc)]
    assert labels == [("2024-10-01..2024-10-20", "span"), ("2024-10-01..2024-10-20", "span"),
                      ("2023-10-01..2023-10-20", "span"), ("2023-12-01..2023-12-10", "span")]
    assert [p.label for p in periods.extract("Feb. 1-30", doc)] != ["2024-02-01..2024-02-30"]


def test_a_ranking_table_skips_rank_columns_and_its_total_is_the_market(kb: KnowledgeBase) -> None:
    """"2025 Rank" is a rank column; "2025-2024 Growth (%)" is growth year on year; the unit is the one the line
    over the table gives, not a figure in the prose above it; the "Total Market" row (its rank cells empty) is the
    market the firms share; a table's class naming "share" does not hide it."""
    html = ("<html><body><article><h1>Chip vendors by revenue</h1><p>Nvidia passed $100 billion of revenue in "
            "2025, a tracker said, and Qualcomm and MediaTek grew too.</p>"
            "<p>Top vendors by revenue, worldwide, 2025 (Millions of U.S. Dollars)</p>"
            "<table class=\"share-table\"><tr><th>2025 Rank</th><th>2024 Rank</th><th>Vendor</th>"
            "<th>2025 Revenue</th><th>2025 Market Share (%)</th><th>2024 Revenue</th>"
            "<th>2025-2024 Growth (%)</th></tr>"
            "<tr><td>1</td><td>1</td><td>NVIDIA</td><td>125,703</td><td>15.8</td><td>76,692</td><td>63.9</td></tr>"
            "<tr><td>5</td><td>6</td><td>Qualcomm</td><td>37,046</td><td>4.7</td><td>32,976</td><td>12.3</td></tr>"
            "<tr><td>10</td><td>10</td><td>MediaTek</td><td>18,472</td><td>2.3</td><td>15,934</td><td>15.9</td></tr>"
            "<tr><td></td><td></td><td>Total Market</td><td>793,449</td><td>100.0</td><td>655,882</td><td>21.0</td>"
            "</tr></table></article></body></html>")
    report = analyse(T.extract(html, "html"), kb, date_given="2026-01-20")
    got = {(c["entity"], c["metric"], c["value"], c["unit"], c["period"]) for c in report["claims"]}
    assert {("nvidia", "revenue", 125703.0, "usd_m", "2025"), ("qualcomm", "revenue", 32976.0, "usd_m", "2024"),
            ("mediatek", "revenue_growth", 15.9, "pct_yoy", "2025"), ("qualcomm", "market_share", 4.7, "pct", "2025"),
            ("WLD", "market_size", 793449.0, "usd_m", "2025"), ("WLD", "market_growth", 21.0, "pct_yoy", "2025")
            } <= got
    assert not any(c[1] == "revenue" and c[2] in (1.0, 5.0, 6.0, 10.0) for c in got)  # ranks are not revenue
    assert not any(c[0] == "WLD" and c[1] == "market_share" for c in got)


def test_shares_go_on_in_later_sentences_and_a_trackers_name_is_no_research_cue(kb: KnowledgeBase) -> None:
    """In a text stating market shares, "Micron moved into second with 27.2 per cent" and "That left it behind
    Micron, at 21 percent" are shares too (a level with "with" or "at", a firm named, no change); "Counterpoint
    Research" is a tracker's name, not research spending (which states no claim)."""
    text = ("Samsung fell to third place in the HBM market in the second quarter of 2025.\n\n"
            "Counterpoint Research put Samsung Electronics' share of the worldwide HBM market in the April-June "
            "period at 17 percent.\n\nThat left it behind Micron, at 21 percent.\n\n"
            "Micron said research and development spending was 11 percent of revenue.")
    got = _claims(kb, text, "2025-09-24")
    assert {("samsung", "market_share", 17.0, "pct", "2025Q2"), ("micron", "market_share", 21.0, "pct",
                                                                 "2025Q2")} <= got
    assert not any(c[2] == 11.0 for c in got)
    # without a share stated before, "at 21 percent" is no share
    assert not _claims(kb, "Micron's stock closed at 21 percent above its March low.", "2025-09-24")


def test_a_firms_nationality_does_not_impose_and_the_entity_list_is_the_us_list(kb: KnowledgeBase) -> None:
    """"Chinese chipmaker Fujian Jinhua was added to the Entity List": "Chinese" names the firm's nationality, not
    the imposer, and the Entity List is the US Commerce Department's; China's own "unreliable entity list" is
    China's; a country acting ("China Adds Tech Firms") still imposes."""
    report = analyse(Extracted("Chinese chipmaker Fujian Jinhua was added to the Entity List in October 2018.",
                               "text"), kb, date_given="2018-11-01")
    assert [(e["kind"], e["imposed_by"], e["targets"].get("firms")) for e in report["events"]] == [
        ("entity_listing", "USA", ["fujian-jinhua"])]
    report = analyse(Extracted("China Adds Tech Firms to Unreliable Entity List.", "text"), kb,
                     date_given="2025-10-10")
    assert [(e["kind"], e["imposed_by"]) for e in report["events"]] == [("entity_listing", "CHN")]


def test_controls_on_metals_named_by_their_kind_are_raw_material_controls(kb: KnowledgeBase) -> None:
    """"Beijing announced export restrictions on the two metals": a raw-material export control even when the
    sentence does not name gallium or germanium; controls on chips stay export controls."""
    report = analyse(Extracted("Beijing announced export restrictions on the two metals in July 2023.", "text"), kb,
                     date_given="2023-12-20")
    assert [(e["kind"], e["imposed_by"]) for e in report["events"]] == [("raw_material_export_control", "CHN")]
    report = analyse(Extracted("Washington announced export restrictions on advanced chips in October 2022.",
                               "text"), kb, date_given="2023-12-20")
    assert [(e["kind"], e["imposed_by"]) for e in report["events"]] == [("export_control", "USA")]


def test_a_sentence_ends_after_a_number_but_not_after_an_initial_or_abbreviation() -> None:
    text = ("The controls have applied since Aug 1. Those restrictions cut exports. Dr. J. Villasenor of the U.S. "
            "said so. Item b. follows.")
    assert [s.text for s in sentences.split(text)] == [
        "The controls have applied since Aug 1.", "Those restrictions cut exports.",
        "Dr. J. Villasenor of the U.S. said so.", "Item b. follows."]


def test_weights_take_the_trade_flow_the_text_names_before_them(kb: KnowledgeBase) -> None:
    text = ("China's gallium exports rose sharply in July, customs data show. 9,007 kilograms of the metal left the "
            "country last month. Buyers took most of it.")
    got = _claims(kb, text, "2025-08-20")
    assert ("CHN", "exports", 9007.0, "kg", "2025-07") in got


def test_a_list_of_destinations_gives_where_the_flow_went_and_the_text_who_sent_it(kb: KnowledgeBase) -> None:
    """Items under a line that says the list is by market ("Phones by market:") name where the exports went, one
    to a line; the exporter is the country the text is about. A country in brackets after another place ("Hong
    Kong (China)") qualifies it and sends nothing."""
    text = ("Phones earned Vietnam 29.17 billion USD in export revenue in the first half of 2022.\n\n"
            "Phones by market, January-June 2022:\n- United States: 6.61 billion USD, up 53.7%\n"
            "- RoK: 2.78 billion USD, up 29.8%\n\n"
            "By destination, shipments to Hong Kong (China) rose 1.3% to 2.88 billion USD.")
    report = analyse(Extracted(text, "text"), kb, date_given="2022-07-26")
    got = {(c["entity"], c["value"], c["region"]) for c in report["claims"] if c["metric"] == "exports"}
    assert {("VNM", 6.61, "USA"), ("VNM", 2.78, "KOR"), ("VNM", 2.88, "HKG")} <= got
    assert not any(entity in ("USA", "KOR", "CHN") for entity, _, _ in got)


def test_solar_and_battery_capacities_are_read_in_their_watts_and_watt_hours(kb: KnowledgeBase) -> None:
    """Gigawatts and megawatts of solar modules, gigawatt-hours of batteries: each figure in its own unit, with
    the flow or output the text names before it."""
    text = ("China exported 114 GW of solar modules in the first half of 2023, against 85 GW a year earlier. "
            "JinkoSolar Holding Co., Ltd. said its module shipments were 10,532 MW in the second quarter of 2023.")
    got = _claims(kb, text, "2023-09-01")
    assert ("CHN", "exports", 114.0, "gw", "2023H1") in got and ("CHN", "exports", 85.0, "gw", "2022H1") in got
    assert ("jinkosolar-holding", "shipments", 10532.0, "mw", "2023Q2") in got
    assert {(q.value, q.unit) for q in quantities.extract("battery installations reached 705.5 GWh, or 3 "
                                                       "gigawatt-hours more")} >= {(705.5, "gwh"), (3.0, "gwh")}


def test_a_country_receiving_a_flow_is_its_region_and_a_base_figure_keeps_its_period(kb: KnowledgeBase) -> None:
    text = ("China's germanium exports picked up. Exports came to 763 kilograms in July, after only 96 kilograms in "
            "June, and went to few buyers: Germany received 392 kilograms, Japan 352 kilograms and Russia 19 "
            "kilograms.")
    report = analyse(Extracted(text, "text"), kb, date_given="2025-08-20")
    got = {(c["entity"], c["value"], c["period"], c["region"]) for c in report["claims"] if c["metric"] == "exports"}
    assert got == {("CHN", 763.0, "2025-07", None), ("CHN", 96.0, "2025-06", None), ("CHN", 392.0, "2025-07", "DEU"),
                   ("CHN", 352.0, "2025-07", "JPN"), ("CHN", 19.0, "2025-07", "RUS")}


def test_a_statement_with_a_two_line_header_and_a_withheld_column(kb: KnowledgeBase) -> None:
    html = ("<html><body><article><h1>NAURA Technology Group income statement</h1>"
            "<p>NAURA's revenue kept growing. Financials in millions CNY. Fiscal year is January - December.</p>"
            "<table><tr><th>Fiscal Year</th><th>FY 2024</th><th>FY 2023</th><th>2015 - 2019</th></tr>"
            "<tr><th>Period Ending</th><th>Dec '24</th><th>Dec '23</th><th>2015 - 2019</th></tr>"
            "<tr><td>Operating Revenue</td><td>29,838</td><td>22,044</td><td>Upgrade</td></tr>"
            "<tr><td>Revenue</td><td>29,838</td><td>22,079</td><td>Upgrade</td></tr>"
            "<tr><td>Revenue Growth (YoY)</td><td>35.14%</td><td>50.32%</td><td>Upgrade</td></tr>"
            "<tr><td>Cost of Revenue</td><td>-</td><td>13,113</td><td>Upgrade</td></tr>"
            "<tr><td>Net Income</td><td>5,621</td><td>3,899</td><td>Upgrade</td></tr></table></article></body></html>")
    got = _claims_of(analyse(T.extract(html, "html"), kb, date_given="2025-04-18"))
    assert {("naura", "revenue", 29838.0, "cny_m", "2024"), ("naura", "revenue", 22079.0, "cny_m", "2023"),
            ("naura", "net_profit", 5621.0, "cny_m", "2024"), ("naura", "net_profit", 3899.0, "cny_m", "2023"),
            ("naura", "revenue_growth", 35.14, "pct_yoy", "2024"), ("naura", "revenue_growth", 50.32, "pct_yoy", "2023")
            } <= got
    assert not any(c[4] and ".." in str(c[4]) for c in got)  # the withheld column gives nothing
    assert not any(c[2] == 22044.0 for c in got)  # "Operating Revenue" is a part of "Revenue"


def test_a_measure_dated_by_a_weekday_keeps_its_date_beside_a_later_month(kb: KnowledgeBase) -> None:
    text = ("China has banned exports of gallium and germanium to the United States, its commerce ministry said on "
            "Tuesday.\n\nChinese exports of antimony products in October fell 97% from September, a sign of how "
            "quickly the export curbs took hold.")
    report = analyse(Extracted(text, "text"), kb, date_given="2024-12-04")
    dates = [(e["imposed_by"], e["announced"]) for e in report["events"] if e["targets"].get("countries") == ["USA"]]
    assert dates == [("CHN", "2024-12-03")]


def test_a_table_flattened_with_single_spaces_and_a_two_line_header(kb: KnowledgeBase) -> None:
    text = ("NAND flash makers' revenue by quarter, as the tracker ranks them below.\n\n"
            "Rank Company Revenue Market share\n"
            "3Q24 2Q24 QoQ 3Q24 2Q24\n"
            "1 Samsung 6,003 5,455 10.0% 35.2% 36.9%\n"
            "2 SK hynix 3,624 3,010 20.4% 21.2% 20.4%\n"
            "Others 1,200 1,100 9.1% 7.0% 7.4%\n"
            "Total 17,076 14,780 15.5% 100.0% 100.0%\n"
            "NAND flash revenue ranking, 3Q24 (in USD million)\n")
    got = _claims(kb, text, "2024-12-01")
    assert {("samsung", "revenue", 6003.0, "usd_m", "2024Q3"), ("samsung", "revenue", 5455.0, "usd_m", "2024Q2"),
            ("sk-hynix", "revenue_growth", 20.4, "pct_qoq", "2024Q3"),
            ("sk-hynix", "market_share", 20.4, "pct", "2024Q2"), ("samsung", "market_share", 35.2, "pct", "2024Q3"),
            ("WLD", "market_size", 17076.0, "usd_m", "2024Q3")} <= got
    assert not any(c[2] in (1.0, 2.0) for c in got)  # ranks are no figures


def test_a_list_of_years_and_figures_pairs_each_figure_with_its_own_year(kb: KnowledgeBase) -> None:
    text = "China's chip imports kept growing: in 2021 they grew 17%, in 2020 by 22%, and 2019 by 6.6%."
    got = {(c[2], c[4]) for c in _claims(kb, text, "2023-03-17") if c[1] == "trade_growth"}
    assert got == {(17.0, "2021"), (22.0, "2020"), (6.6, "2019")}


def test_a_monthly_sales_table_by_region_with_relative_columns(kb: KnowledgeBase) -> None:
    text = ("Chip sales edged up in the month.\n\n"
            "(August 2019) Month-to-Month sales in billions\n\n"
            "Market         Last Month   Current Month   % Change\n"
            "Europe               3.26            3.23      -0.8%\n"
            "Japan                2.98            3.01       1.1%\n"
            "Total               33.38           34.20       2.5%\n\n"
            "(August 2019) Year-to-Year sales in billions\n\n"
            "Market         Last Year    Current Month   % Change\n"
            "Europe               3.54            3.23      -8.6%\n"
            "Japan                3.41            3.01     -11.5%\n"
            "Total               40.66           34.20     -15.9%\n")
    got = _claims(kb, text, "2019-10-08")
    assert {("EUR", "market_growth", -0.8, "pct_change", "2019-08"), ("JPN", "market_growth", 1.1, "pct_change",
                                                                      "2019-08"),
            ("EUR", "market_growth", -8.6, "pct_yoy", "2019-08"), ("WLD", "market_growth", -15.9, "pct_yoy",
                                                                   "2019-08")} <= got
    assert not any(c[4] == "2018" for c in got)  # "Last Year" is August 2018, not the year before the document's


def test_a_year_ago_phrase_speaks_of_the_nearest_figure_before_it(kb: KnowledgeBase) -> None:
    """"a year earlier" after a level and its change is the change's base: the level keeps its own period."""
    text = ("Memory chip sales fell in 2023, Omdia said.\n\n"
            "Micron's sales slid 25% to US$15.5 billion from US$20.7 billion the previous year.\n\n"
            "Quarterly revenue reached $46.74 billion, 56% higher than a year earlier.")
    got = _claims(kb, text, "2024-03-01")
    assert {("micron", "revenue", 15.5, "usd_bn", "2023"), ("micron", "revenue", 20.7, "usd_bn", "2022"),
            ("micron", "revenue", 46.74, "usd_bn", "2023Q4"), ("micron", "revenue_growth", 56.0, "pct_yoy",
                                                               "2023Q4")} <= got


def test_a_tables_unit_stated_in_a_note_below_or_a_caption_far_above(kb: KnowledgeBase) -> None:
    """A table whose caption names no unit takes the one a note just under it states ("Revenue is in millions of
    dollars."), else a caption-like line further up; a line giving a figure ("$1.8 billion") states no unit."""
    filler = "Analysts expect the market to keep growing as new fabs ramp up across the region. " * 5
    below = ("Flash makers' sales for the quarter:\n\n"
             "Company | 3Q17 Revenue | 2Q17 Revenue\nSamsung | $5,619.9 | $4,702.6\nMicron | $1,838.0 | $1,706.5\n\n"
             "Revenue is in millions of dollars. The figures are estimates.\n")
    got = _claims(kb, below, "2017-11-20")
    assert {("samsung", "revenue", 5619.9, "usd_m", "2017Q3"), ("micron", "revenue", 1706.5, "usd_m", "2017Q2")} <= got
    lead = ("Worldwide billings for semiconductor equipment rose 19% year on year to USD 30.38 billion in the third "
            "quarter of 2024.")
    above = ("Equipment billings by region (USD in billions)\n\n" + lead + "\n\n" + filler + "\n\n"
             "Region | 3Q 2024 | 2Q 2024\nChina | $12.93 | $12.21\nTaiwan | $4.69 | $3.90\n")
    got = _claims(kb, above, "2024-12-03")
    assert {("CHN", 12.93, "usd_bn", "2024Q3"), ("TWN", 3.90, "usd_bn", "2024Q2")} <= {(c[0], *c[2:]) for c in got}
    figure = ("Samsung's profit rose to $1.8 billion\n\n" + lead + "\n\n" + filler + "\n\n"
              "Region | 3Q 2024 | 2Q 2024\nChina | $12.93 | $12.21\nTaiwan | $4.69 | $3.90\n")
    assert not any(c[2] == 12.93 and c[3] == "usd_bn" for c in _claims(kb, figure, "2024-12-03"))


def test_a_headings_period_holds_for_the_paragraphs_under_it(kb: KnowledgeBase) -> None:
    """A heading (a paragraph of one short line without a full stop) that names a period gives it to the figures
    under it that name none, in place of the period the text opened with."""
    text = ("GlobalFoundries files its report for the month of November 2023.\n\n"
            "Key Third Quarter Financial Highlights\n  - Revenue of $1,852 million.\n"
            "  - Net income of $249 million.\n\n"
            "Full Year 2022 Highlights\n\nGlobalFoundries had revenue of $8,108 million.\n")
    got = _claims(kb, text, "2023-11-07")
    assert {("globalfoundries", "revenue", 1852.0, "usd_m", "2023Q3"),
            ("globalfoundries", "net_profit", 249.0, "usd_m", "2023Q3"),
            ("globalfoundries", "revenue", 8108.0, "usd_m", "2022")} <= got


def test_a_changes_basis_is_the_comparison_named_beside_its_figure(kb: KnowledgeBase) -> None:
    """Year on year or quarter on quarter by the words next to the figure (up to the next figure or back to the one
    before), not by the first such words anywhere in its sentence."""
    text = ("TSMC reported its third-quarter results on October 17.\n\n"
            "Measured in US dollars, TSMC's third-quarter revenue was $23.50 billion, up 36.0% year-over-year and "
            "12.9% from the previous quarter.\n\n"
            "Against three months earlier, TSMC's revenue in New Taiwan dollars rose 12.8 per cent.")
    got = {c[1:4] for c in _claims(kb, text, "2024-10-18")}
    assert {("revenue_growth", 36.0, "pct_yoy"), ("revenue_growth", 12.9, "pct_qoq"),
            ("revenue_growth", 12.8, "pct_qoq")} <= got


def test_a_loss_written_with_a_minus_sign_after_its_figure_or_with_more_than(kb: KnowledgeBase) -> None:
    """A profit is negative when its figure carries a minus sign, when a loss is named right after it ("a $664.5
    million operating loss") or before it with "more than" between ("a loss of more than 83 million yuan")."""
    text = ("Chipmakers reported mixed results for 2024.\n\n"
            "SMIC's net profit was -$5.2 million in the third quarter of 2024.\n\n"
            "Hygon's net profit rose sharply in 2024, from a loss of more than 83 million yuan in 2019.\n\n"
            "Kioxia posted a $664.5 million operating loss in the third quarter of 2023.")
    got = {(c[0], c[2]) for c in _claims(kb, text, "2024-11-10")}
    assert {("smic", -5.2), ("hygon", -83.0), ("kioxia", -664.5)} <= got


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=99_999), st.booleans())
def test_a_minus_sign_before_a_profit_figure_makes_it_negative(kb: KnowledgeBase, tenths: int, minus: bool) -> None:
    """Whatever the amount, "-$X million" as a net profit is -X and "$X million" is +X."""
    amount = f"{tenths / 10:,.1f}"
    text = f"SMIC reported its results.\n\nSMIC's net profit was {'-' if minus else ''}${amount} million in 2024."
    values = [c[2] for c in _claims(kb, text, "2025-02-10") if c[1] == "net_profit"]
    assert values == [-tenths / 10 if minus else tenths / 10]


def test_a_table_whose_cells_cannot_be_bound_is_skipped_and_said_so(kb: KnowledgeBase) -> None:
    """A table none of whose rows names a firm, country or measure gives no claim and an info finding naming its
    header; a table that is read gives none."""
    unbound = ("Shipments were mixed.\n\nItem | 2024 | 2023 | 2022\nWidgets | 5.1 | 6.2 | 7.3\n"
               "Gadgets | 7.4 | 8.5 | 9.6\n")
    report = analyse(Extracted(unbound, "text"), kb, date_given="2025-03-01")
    found = [f for f in report["findings"] if f["check"] == "table_unread"]
    assert len(found) == 1 and found[0]["severity"] == "info" and "Item | 2024 | 2023 | 2022" in found[0]["message"]
    assert not any(c["value"] in (5.1, 6.2, 7.4) for c in report["claims"])
    read = ("Foundry revenue rose.\n\nTop foundries by revenue (US$ million)\n\nCompany | 4Q24 | 3Q24\n"
            "TSMC | 26,854 | 23,527\nSamsung | 3,260 | 3,305\n")
    report = analyse(Extracted(read, "text"), kb, date_given="2025-03-11")
    assert not [f for f in report["findings"] if f["check"] == "table_unread"]
    assert any(c["value"] == 26854.0 for c in report["claims"])


def test_a_ban_on_selling_or_shipping_abroad_is_an_export_control_of_its_goods(kb: KnowledgeBase) -> None:
    """A ban is read from its verb's object: a state barring sales or shipments abroad ("banned U.S. companies from
    selling ... to China", "bans gallium ... shipments to the U.S.") controls exports, of raw materials when they
    are what is shipped; a ban on buying stays a purchase ban of the state that buys."""
    def events(text: str) -> list[tuple[str, str | None, list[str]]]:
        report = analyse(Extracted(text, "text"), kb, date_given="2024-12-05")
        return [(e["kind"], e["imposed_by"], e["targets"].get("countries", [])) for e in report["events"]]

    assert events("Washington banned U.S. companies from selling chipmaking equipment to China in October.") == [
        ("export_control", "USA", ["CHN"])]
    assert events("China bans gallium, germanium and antimony shipments to the U.S. on Tuesday.") == [
        ("raw_material_export_control", "CHN", ["USA"])]
    assert events("Beijing told operators of critical infrastructure to stop buying Micron chips in May.") == [
        ("procurement_ban", "CHN", ["CHN"])]


def test_the_imposer_owns_the_measure_and_a_country_owning_something_else_does_not_act(kb: KnowledgeBase) -> None:
    """The country naming the measure just before it imposes it, also when written with a full stop ("U.S. export
    restrictions"); a country that only owns what the sentence speaks of ("Korea's exports ... fell") is no
    imposer."""
    def events(text: str) -> list[tuple[str, str | None]]:
        report = analyse(Extracted(text, "text"), kb, date_given="2023-01-20")
        return [(e["kind"], e["imposed_by"]) for e in report["events"]]

    assert events("China's imports of chips fell 15% in 2022, hit by U.S. export restrictions.") == [
        ("export_control", "USA")]
    assert events("Customs data released on Friday show that Korea's exports of chips fell as export restrictions "
                  "took hold.") == []


def _event_parties(kb: KnowledgeBase, text: str, when: str = "2025-01-17") -> list[tuple[str, str | None, list[str],
                                                                                        list[str]]]:
    report = analyse(Extracted(text, "text"), kb, date_given=when)
    return [(e["kind"], e["imposed_by"], e["sellers"].get("firms", []), e["targets"].get("firms", []))
            for e in report["events"]]


def test_a_measure_naming_a_few_firms_is_one_event_per_firm(kb: KnowledgeBase) -> None:
    """Licences withdrawn for two sellers are two export controls, two firms added to the Entity List two listings;
    a firm named as an attribute ("Tencent-backed", "backed by Tencent") is no party, and a question states no
    measure."""
    assert _event_parties(kb, "Washington withdrew the licences that let Huawei buy chips from Qualcomm and Intel on "
                              "Tuesday.") == [("export_control", "USA", ["qualcomm"], ["huawei"]),
                                              ("export_control", "USA", ["intel"], ["huawei"])]
    assert _event_parties(kb, "The US added SMIC and YMTC to the Entity List on Monday.") == [
        ("entity_listing", "USA", [], ["smic"]), ("entity_listing", "USA", [], ["ymtc"])]
    assert _event_parties(kb, "The US put a Tencent-backed start-up, Zhipu, on the Entity List on Wednesday.") == [
        ("entity_listing", "USA", [], ["zhipu-ai"])]
    assert _event_parties(kb, "The US put Zhipu, a start-up backed by Tencent, on the Entity List on Wednesday.") == [
        ("entity_listing", "USA", [], ["zhipu-ai"])]
    assert _event_parties(kb, "How have Applied Materials and Lam Research been affected by US export controls on "
                              "China?") == []


def test_a_government_telling_a_firm_to_stop_supplying_is_its_export_control(kb: KnowledgeBase) -> None:
    """"US tells TSMC to stop supplying AI chips to China" is an export control the US imposes, not TSMC's exit;
    a firm that stops supplying on its own still exits."""
    ordered = analyse(Extracted("US tells TSMC to stop supplying AI chips to China", "text"), kb,
                      date_given="2024-11-11")
    assert [(e["kind"], e["imposed_by"]) for e in ordered["events"]] == [("export_control", "USA")]
    own = analyse(Extracted("Nvidia will stop selling its chips in Russia, the company said.", "text"), kb,
                  date_given="2022-03-05")
    assert [(e["kind"], e["imposed_by"]) for e in own["events"]] == [("market_exit", "nvidia")]


def test_a_long_list_of_sellers_stays_one_event_a_listing_is_one_per_firm(kb: KnowledgeBase) -> None:
    """More than three sellers name the firms a measure affects: the event keeps them together. An entity listing
    is one event per listed firm however many it lists (each firm is its own entry on the list)."""
    got = _event_parties(kb, "The US barred Nvidia, AMD, Intel and Qualcomm from selling chips to Huawei.")
    assert len(got) == 1 and set(got[0][2]) == {"nvidia", "amd", "intel", "qualcomm"}
    got = _event_parties(kb, "The US added SMIC, YMTC, CXMT and Sophgo to the Entity List on Monday.")
    assert len(got) == 4 and sorted(f for g in got for f in g[3]) == ["cxmt", "smic", "sophgo", "ymtc"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["nvidia", "amd", "intel", "qualcomm", "micron"]), unique=True, max_size=5),
       st.sampled_from(["export_control", "relaxation", "market_exit", "procurement_ban"]))
def test_one_event_per_firm_loses_and_invents_no_firm(firms: list[str], kind: str) -> None:
    """Splitting a measure by seller keeps every other field, gives each seller exactly once, and leaves a firm's own
    exit, a single seller and a list longer than three as they are."""
    from chipshift.ingest.events import _per_firm
    from chipshift.ingest.model import Event

    e = Event(id="", kind=kind, imposed_by="USA", authority=None, policy=None,
              sellers={"firms": list(firms), "hq_in": ["USA"]}, targets={"countries": ["CHN"]}, products=[],
              announced="2025-04", effective=None, date_note=None, modality="stated", spans=[(0, 10)], sentence="s")
    out = _per_firm(e)
    if kind == "market_exit" or not 2 <= len(firms) <= 3:
        assert out == [e]
        return
    assert [x.sellers["firms"] for x in out] == [[f] for f in firms]
    for x in out:
        assert x.sellers["hq_in"] == ["USA"]
        assert (x.kind, x.imposed_by, x.targets, x.announced, x.spans) == (e.kind, e.imposed_by, e.targets,
                                                                          e.announced, e.spans)
def test_counts_with_words_naming_the_thing_counted_and_wafer_rates() -> None:
    """A count may name what it counts in up to two words before the counted noun ("479.5 billion IC units",
    "16 lithography systems"); a process node counts nothing; wafer starts per month (WSPM) are a wafer rate."""
    assert q("China brought in 479.5 billion IC units") == [("count", 479.5, "units_bn")]
    assert q("it imported 16 lithography systems") == [("count", 16.0, "units")]
    assert q("about 1.65 million AI accelerator cards") == [("count", 1.65, "units_m")]
    assert q("TSMC makes 7 nm chips and 3 nanometer chips") == []
    assert q("it ran 70,000 wafer starts per month (WSPM), then 120,000 WSPM and 50k wafers a month") == [
        ("rate", 70000.0, "wafers_per_month"), ("rate", 120000.0, "wafers_per_month"),
        ("rate", 50.0, "wafers_k_per_month")]


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=999_999), st.sampled_from(["units", "chips", "systems", "cards"]),
       st.sampled_from(["", "IC ", "lithography ", "AI accelerator "]))
def test_a_count_keeps_its_figure_whatever_names_it(n: int, noun: str, words: str) -> None:
    """Whatever the figure and the words naming the thing counted, the count is the figure, in units."""
    got = q(f"It shipped {n:,} {words}{noun} last year.")
    assert got == [("count", float(n), "units")]


def test_counts_and_wafer_rates_take_the_output_shipments_or_capacity_words_governing_them(kb: KnowledgeBase) -> None:
    """A count is production when output words govern it ("produced", "output", "turned out"), shipments when
    shipping words do ("shipped"), capacity when "capacity" is nearest; its maker is the firm or country named
    before it, else the firm the text is about; wafer starts per month are production; "U.S.-made" is an origin,
    not an output, and the trade flow named stays the measure."""
    text = ("China produced 37.6 billion integrated circuits in November 2024.\n\n"
            "CXMT reports its figures.\n\nCXMT ran 70,000 wafer starts per month in 2022. In 2024 the company turned "
            "out about 200,000 units a month, half of Samsung's output.\n\n"
            "AMD shipped about 160,000 cards in 2025.\n\n"
            "China's imports of U.S.-made analog chips reached 1.59 billion units in 2024.")
    got = _claims(kb, text, "2025-03-01")
    assert {("CHN", "production", 37.6, "units_bn", "2024-11"), ("cxmt", "production", 70000.0, "wafers_per_month",
                                                                 "2022"),
            ("cxmt", "production", 200000.0, "units", "2024"), ("amd", "shipments", 160000.0, "units", "2025")} <= got
    assert not [c for c in got if c[1] == "production" and c[0] in ("samsung", "USA")]
    assert [c[1] for c in got if c[2] == 1.59] == ["imports"]


def test_a_yearly_count_of_wafers_gives_no_production_claim(kb: KnowledgeBase) -> None:
    """"5.07 million wafers" a year is a rate the vocabulary words as wafers per year: no count claim is made."""
    got = _claims(kb, "Samsung's annual NAND production was 5.07 million wafers in 2024.", "2025-03-01")
    assert not [c for c in got if c[1] == "production"]


def test_an_amount_per_kilogram_or_tonne_is_a_price_per_kilogram() -> None:
    """Money per unit of weight is a price per kilogram (per tonne divided by 1,000); a bracketed conversion between
    the amount and the unit, or the converted amount itself, is a price too; "at" is no "a t"."""
    assert q("selling at $575 a kilogram") == [("price", 575.0, "usd_per_kg")]
    assert q("rose to $910/kg, then $39,000 per metric ton") == [("price", 910.0, "usd_per_kg"),
                                                                 ("price", 39.0, "usd_per_kg")]
    assert q("13,250 yuan ($1,826.48) per kilogram") == [("price", 13250.0, "cny_per_kg"),
                                                         ("price", 1826.48, "usd_per_kg")]
    assert q("the shares traded at $29.95 at noon") == [("money", 29.95, "usd")]


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=9_999_999), st.booleans())
def test_a_price_per_tonne_is_a_thousandth_of_it_per_kilogram(amount: int, tonne: bool) -> None:
    """Whatever the amount, "$X per tonne" is X / 1000 US dollars per kilogram and "$X per kilogram" is X."""
    got = q(f"It sold for ${amount:,} per {'tonne' if tonne else 'kilogram'} last month.")
    assert [(kind, unit) for kind, _, unit in got] == [("price", "usd_per_kg")]
    assert got[0][1] == pytest.approx(amount / 1000 if tonne else amount)


def test_a_price_is_quoted_where_the_text_says_on_the_day_it_names(kb: KnowledgeBase) -> None:
    """A price's market is the country named with "in" before it, else China for a yuan quote and its bracketed
    conversion, else the world; its period is the day the sentence names."""
    text = ("Germanium hit a record.\n\nGermanium ingots reached 13,250 yuan ($1,826.48) per kilogram on "
            "Wednesday.\n\nDysprosium prices in Europe rose to $910/kg on Monday.\n\n"
            "Antimony trioxide in Rotterdam fetched $39,000 per metric ton as of November 28.")
    got = _claims(kb, text, "2024-12-04")
    assert {("CHN", "price", 13250.0, "cny_per_kg", "2024-12-04"), ("CHN", "price", 1826.48, "usd_per_kg",
                                                                    "2024-12-04"),
            ("EUR", "price", 910.0, "usd_per_kg", "2024-12-02"), ("WLD", "price", 39.0, "usd_per_kg",
                                                                  "2024-11-28")} <= got


def test_over_the_first_months_is_the_time_a_figure_covers_not_a_base(kb: KnowledgeBase) -> None:
    """"Over the first 11 months of the year" is the period of the figures after it; "over the previous quarter"
    stays a comparison's base."""
    text = ("China's chip output grew in 2024.\n\nOver the first 11 months of the year, IC output climbed 23.1 per "
            "cent year on year to 395.3 billion units, the statistics bureau said.")
    got = _claims(kb, text, "2024-12-18")
    assert ("CHN", "production", 395.3, "units_bn", "2024-01..2024-11") in got


def _shares(report: dict[str, Any]) -> set[tuple[object, ...]]:
    return {(c["entity"], c["value"], c["product"]) for c in report["claims"] if c["metric"] == "revenue_share_product"}


def test_a_share_of_revenue_from_a_segment_the_text_names_in_words(kb: KnowledgeBase) -> None:
    """A firm's share of revenue from a segment the knowledge base has no product for (a process node, a product
    line) is a share of revenue from that segment as the text writes it: before a verb of share ("made up",
    "accounted for"), after "revenue from", and in a list going on from such a share without its words."""
    text = ("TSMC published its results for the third quarter of 2024.\n\n"
            "3-nanometer shipments made up 20% of total wafer revenue in the third quarter, 5-nanometer 32% and "
            "7-nanometer 17%. Advanced technologies, defined as 7-nanometer and more advanced, together accounted "
            "for 69% of total wafer revenue.\n\nRevenue from 22/28nm: 35%.")
    report = analyse(Extracted(text, "text"), kb, date_given="2024-10-17")
    assert _shares(report) == {("tsmc", 20.0, "3-nanometer"), ("tsmc", 32.0, "5-nanometer"),
                               ("tsmc", 17.0, "7-nanometer"), ("tsmc", 69.0, "7-nanometer and more advanced"),
                               ("tsmc", 35.0, "22/28nm")}
    assert all(c["period"] == "2024Q3" for c in report["claims"] if c["metric"] == "revenue_share_product")
    line = analyse(Extracted("AMEC said its core etching tools would make up 75 per cent of its total revenue in "
                             "2023.", "text"), kb, date_given="2024-03-01")
    assert _shares(line) == {("amec", 75.0, "core etching tools")}


def test_a_share_of_sales_named_before_its_figures_is_a_share_of_revenue(kb: KnowledgeBase) -> None:
    """"China's share of its revenue climbed from 23% to 44%" gives two shares of revenue from China, not growth
    rates, the first of the year before; a share named before another measure does not reach that measure's
    figure."""
    text = ("Tokyo Electron saw China's share of its revenue climb from 23% to 44% in the year ending March 2024, "
            "according to its earnings report.")
    report = analyse(Extracted(text, "text"), kb, date_given="2024-08-01")
    got = {(c["entity"], c["metric"], c["value"], c["region"]) for c in report["claims"]}
    assert got == {("tokyo-electron", "revenue_share_region", 23.0, "CHN"),
                   ("tokyo-electron", "revenue_share_region", 44.0, "CHN")}
    assert {c["period"] for c in report["claims"] if c["value"] == 44.0} == {"FY2024"}
    other = analyse(Extracted("Tokyo Electron kept its share of revenue from China, while its gross margin rose to "
                              "47% in the year ending March 2024.", "text"), kb, date_given="2024-08-01")
    assert not any(c["metric"].startswith("revenue_share") for c in other["claims"])


def test_a_percentage_compared_with_a_share_is_the_same_share_earlier(kb: KnowledgeBase) -> None:
    """"43 per cent of Tokyo Electron's revenue in the third quarter, against 24 per cent a year earlier": the
    second figure is the same share a year before, not a growth rate."""
    text = ("China accounted for 43 per cent of Tokyo Electron's revenue in the third quarter, against 24 per cent "
            "a year earlier.")
    report = analyse(Extracted(text, "text"), kb, date_given="2023-12-15")
    got = {(c["entity"], c["metric"], c["value"], c["region"], c["period"]) for c in report["claims"]}
    assert got == {("tokyo-electron", "revenue_share_region", 43.0, "CHN", "2023Q3"),
                   ("tokyo-electron", "revenue_share_region", 24.0, "CHN", "2022Q3")}


def test_earlier_levels_listed_after_a_share_are_the_same_share(kb: KnowledgeBase) -> None:
    """"75.5% of revenue in Q1 2023, against 69.1% in Q4 2022 and 75.4% in Q1 2022": both earlier figures are the
    same share at their own quarters, even in a text whose figures before were growth rates; a listed figure that
    names a measure of its own ("and 30% of its profit") is not."""
    text = ("SMIC's revenue came to CNY 10.21 billion, a decline of 13.88% year-over-year. Net profit was CNY 1.59 "
            "billion, 44.04% less than a year before.\n\nBy region, business from China made up 75.5% of revenue in "
            "Q1 2023, against 69.1% in Q4 2022 and 75.4% in Q1 2022.")
    report = analyse(Extracted(text, "text"), kb, date_given="2023-05-16")
    shares = {(c["value"], c["region"], c["period"]) for c in report["claims"] if c["metric"] == "revenue_share_region"}
    assert shares == {(75.5, "CHN", "2023Q1"), (69.1, "CHN", "2022Q4"), (75.4, "CHN", "2022Q1")}
    other = analyse(Extracted("By region, business from China made up 75.5% of SMIC's revenue in Q1 2023, and 30% of "
                              "its profit came from phones.", "text"), kb, date_given="2023-05-16")
    assert not any(c["value"] == 30 and c["metric"] == "revenue_share_region" for c in other["claims"])


def test_a_results_release_dateline_costs_and_quarters_written_with_figures(kb: KnowledgeBase) -> None:
    """A release's dateline ("TAIPEI, July 25, 2024 /PRNewswire/ --") names where it was issued, not where revenue
    was earned; a cost of revenues, an interest expense or a gain on investments is no revenue, profit or
    investment; "from 15.7% in 1Q24 to 16.4% in 2Q24" names two levels, not a range; "the July-to-September
    quarter" is the third quarter."""
    text = ("TAIPEI, July 25, 2024 /PRNewswire/ -- Nanya Technology today announced net revenues of NT$140,238 million "
            "for 2Q24.\n\nCost of revenues for the quarter was NT$117,172 million. Net interest expense amounted to "
            "NT$1,158 million. Net gain on equity-method investments amounted to NT$459 million.\n\nGross margin "
            "rose 0.7 percentage points, from 15.7% in 1Q24 to 16.4% in 2Q24.\n\nThe loss of NT$1.49 billion in the "
            "July-to-September quarter was worse than expected.")
    report = analyse(Extracted(text, "text"), kb, date_given="2024-10-10")
    got = {(c["metric"], c["value"], c["region"], c["period"]) for c in report["claims"]}
    assert ("revenue", 140.238, None, "2024Q2") in got
    assert {("gross_margin", 15.7, None, "2024Q1"), ("gross_margin", 16.4, None, "2024Q2")} <= got
    assert ("net_profit", -1.49, None, "2024Q3") in got
    assert not any(v in (117.172, 1.158, 0.459) for _, v, _, _ in got)


def test_a_share_of_a_firms_revenue_is_that_firms_whoever_else_is_named(kb: KnowledgeBase) -> None:
    """"with China's Huawei buying up chips, the U.S. market's share of TSMC's revenue dropped below 60% ..., as low
    as 54% in the second quarter of 2018": the share is TSMC's, from the United States; Huawei is named for
    another reason and China only as its nationality."""
    text = ("TSMC reported its results.\n\nLast year and the year before, with China's Huawei buying up chips in a "
            "frenzy, the U.S. market's share of TSMC's revenue dropped below 60% in several quarters, falling as low "
            "as 54% in the second quarter of 2018.")
    report = analyse(Extracted(text, "text"), kb, date_given="2021-10-20")
    got = {(c["entity"], c["value"], c["region"], c["period"]) for c in report["claims"]
           if c["metric"] == "revenue_share_region"}
    assert ("tsmc", 54.0, "USA", "2018Q2") in got
    assert not any(e == "huawei" or r == "CHN" for e, _, r, _ in got)


def test_a_change_on_a_month_of_last_year_is_year_on_year(kb: KnowledgeBase) -> None:
    """"97% less than the 3,199 tons shipped in June of last year" is a change on the year before."""
    text = ("China's antimony exports fell in June 2025. Just 107 tons left the country in June, 97% less than the "
            "3,199 tons shipped in June of last year.")
    report = analyse(Extracted(text, "text"), kb, date_given="2025-07-20")
    units = {c["value"]: c["unit"] for c in report["claims"] if c["metric"] == "trade_growth"}
    assert units.get(-97.0) == "pct_yoy"


def test_shares_and_shipments_are_of_the_one_market_the_headline_names(kb: KnowledgeBase) -> None:
    """A text headed "China's smartphone market grows 10% in Q2 2024" gives its vendors' shares and shipments
    China's market unless a sentence names another; a headline naming the world market gives none."""
    text = ("China's smartphone market grows 10% in Q2 2024\n\nXiaomi shipped 13.1 million smartphones in the second "
            "quarter of 2024, Canalys said. Apple took a 14% market share.")
    got = {(c["entity"], c["metric"], c["region"]) for c in analyse(Extracted(text, "text"), kb,
                                                                    date_given="2024-07-20")["claims"]}
    assert {("xiaomi", "shipments", "CHN"), ("apple", "market_share", "CHN")} <= got
    world = text.replace("China's smartphone market", "Global smartphone market")
    got = {(c["entity"], c["metric"], c["region"]) for c in analyse(Extracted(world, "text"), kb,
                                                                    date_given="2024-07-20")["claims"]}
    assert {("xiaomi", "shipments", None), ("apple", "market_share", None)} <= got


def test_a_change_of_units_shipped_is_shipments_growth(kb: KnowledgeBase) -> None:
    """"Lenovo's shipments fell 24% year on year" is a change of units shipped, not of revenue; a memory maker's
    bit shipments and a text on trade flows ("shipments to China rose 12%", exports) are left as they were."""
    text = "Lenovo's PC shipments fell 24% year on year in the second quarter of 2023, Canalys said."
    got = [(c["entity"], c["metric"], c["value"], c["unit"]) for c in analyse(Extracted(text, "text"), kb,
                                                                             date_given="2023-07-20")["claims"]]
    assert got == [("lenovo", "shipments_growth", -24.0, "pct_yoy")]
    bits = "Samsung's bit shipments fell 2% in the third quarter of 2024, TrendForce said."
    assert not any(c["metric"] == "shipments_growth" for c in analyse(Extracted(bits, "text"), kb,
                                                                     date_given="2024-11-20")["claims"])
    trade = ("South Korea's exports rose 6.8% in November 2024. Shipments to China rose 12.4% over the same "
             "period.")
    assert not any(c["metric"] == "shipments_growth" for c in analyse(Extracted(trade, "text"), kb,
                                                                      date_given="2024-12-01")["claims"])


def test_a_buyer_named_with_an_aside_takes_the_exports(kb: KnowledgeBase) -> None:
    """"South Korea, in second place, took 854 tons": Korea is where China's exports went, not their exporter."""
    text = ("China's exports of rare earth magnets fell in September 2025. By destination, exports to Germany, the "
            "largest buyer, grew 27.9% to 1,288 tons. South Korea, in second place, took 854 tons.")
    got = {(c["entity"], c["value"], c["region"]) for c in analyse(Extracted(text, "text"), kb,
                                                                   date_given="2025-10-21")["claims"]
           if c["metric"] == "exports"}
    assert ("CHN", 854.0, "KOR") in got


def test_a_short_brand_written_in_lower_case_is_found_capitalised(kb: KnowledgeBase) -> None:
    """vivo writes its name in lower case; at a sentence's start or a table row's it is "Vivo"."""
    text = "Vivo shipped 31.6 million smartphones in the second quarter of 2021, IDC said."
    got = {c["entity"] for c in analyse(Extracted(text, "text"), kb, date_given="2021-07-20")["claims"]}
    assert "vivo" in got


def test_the_yen_sign_is_the_currency_the_text_speaks_of() -> None:
    """"¥" is the yen in a text on Japan that names no yuan, the yuan in a text naming the yuan or speaking of
    China."""
    from chipshift.ingest.quantities import extract, yen_sign_currency

    japan = "Japan's exports of chipmaking equipment came to ¥4,547.2 billion in 2025, the Ministry of Finance said."
    assert yen_sign_currency(japan) == "JPY"
    assert [q.unit for q in extract(japan) if q.kind == "money"] == ["jpy_bn"]
    assert yen_sign_currency("China's revenue of ¥5 billion (5 billion yuan)") == "CNY"
    assert yen_sign_currency("Chinese chipmakers in Beijing earned ¥5 billion") == "CNY"
    assert yen_sign_currency("Tokyo Electron earned ¥5 billion, or 5 billion yen") == "JPY"


def test_an_amount_of_change_is_no_level(kb: KnowledgeBase) -> None:
    """"up ¥51.0 billion (1.1%) from ¥4,496.2 billion": the amount of the change is not a level of exports; the
    level after "came to" and the base after "from" are."""
    text = ("Japan's exports of chipmaking equipment in 2025 came to ¥4,547.2 billion, up ¥51.0 billion (1.1%) from "
            "¥4,496.2 billion in 2024.")
    report = analyse(Extracted(text, "text"), kb, date_given="2026-02-15")
    values = {c["value"] for c in report["claims"] if c["metric"] == "exports"}
    assert 51.0 not in values and {4547.2, 4496.2} <= values


def test_figures_in_brackets_after_names_are_each_names(kb: KnowledgeBase) -> None:
    """"sales increased in the Americas (43.9%), China (19.2%) ... and fell in Europe (-9.0%)": each figure is the
    growth of the market named before its bracket, year on year as "year-to-year" says."""
    text = ("Worldwide chip sales came to USD 53.1 billion in August 2024. By region, year-to-year sales increased in "
            "China (19.2%) and Japan (2.0%), and fell in Europe (-9.0%).")
    report = analyse(Extracted(text, "text"), kb, date_given="2024-10-09")
    got = {(c["entity"], c["value"], c["unit"]) for c in report["claims"] if c["metric"] == "market_growth"}
    assert {("CHN", 19.2, "pct_yoy"), ("JPN", 2.0, "pct_yoy"), ("EUR", -9.0, "pct_yoy")} <= got


def test_a_percentage_beside_a_segment_is_no_share_without_words_of_share(kb: KnowledgeBase) -> None:
    """A node or product line named beside a percentage that nothing makes a share of revenue (growth, yields, a
    list after a growth figure) gives no share."""
    for text in ("TSMC's revenue rose 12% in the quarter, and 5-nanometer 3%.",
                 "TSMC said 3-nanometer yields reached 80% in the third quarter.",
                 "TSMC's 3-nanometer shipments grew 30% from the second quarter."):
        assert not _shares(analyse(Extracted(text, "text"), kb, date_given="2024-10-17")), text


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
       st.sampled_from(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]))
def test_a_weekday_owning_an_action_is_that_weekday_within_the_week_up_to_the_document_date(doc: date,
                                                                                           weekday: str) -> None:
    """"Tuesday's decision" names the latest Tuesday on or before the document date: that weekday, at most six days
    back."""
    (found,) = periods.extract(f"{weekday}'s decision", doc)
    day = date.fromisoformat(str(found.label))
    assert day.strftime("%A") == weekday and 0 <= (doc - day).days <= 6


def test_a_firms_guidance_range_is_no_claim(kb: KnowledgeBase) -> None:
    """Guidance given as a range (a centre "plus or minus" a margin, or two ends under a word of guidance) gives no
    claim; a change "from A to B", a single figure a firm expects and a forecast of a market stay claims."""
    def got(text: str) -> set[tuple[object, ...]]:
        return {c[:3] for c in _claims(kb, text, "2025-05-16")}
    assert not got("Applied Materials expects revenue of $7.20 billion, plus or minus $500 million, in the third "
                   "fiscal quarter.")
    assert not got("Hua Hong expects revenue of $530 million to $550 million in the second quarter of 2025.")
    assert not got("SMIC guided its gross margin to between 18% and 20% for the second quarter of 2025.")
    assert ("smic", "revenue", 2.2) in got("SMIC's revenue rose from $1.5 billion to $2.2 billion in the first "
                                           "quarter of 2025, above what it expected.")
    assert ("nvidia", "charge", 5.5) in got("Nvidia said it expects charges of about $5.5 billion in its first "
                                            "fiscal quarter.")


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=100, max_value=99_999), st.integers(min_value=1, max_value=999),
       st.sampled_from(["KLA", "Micron", "Applied Materials", "Lam Research"]))
def test_no_figure_of_a_plus_or_minus_guidance_sentence_is_a_claim(kb: KnowledgeBase, centre: int, margin: int,
                                                                  firm: str) -> None:
    text = f"{firm} expects revenue of ${centre / 100:.2f} billion, plus or minus ${margin} million, next quarter."
    assert not analyse(Extracted(text, "text"), kb, date_given="2025-05-16")["claims"]


def test_a_paragraph_naming_no_period_takes_the_period_most_figures_are_of(kb: KnowledgeBase) -> None:
    """Across paragraphs, a figure whose own paragraph names no period takes the period most of the text's figures
    so far are of (the one established first on a tie), not the period of an aside about an earlier year; inside a
    paragraph the period of the figure just before still carries."""
    text = ("Huawei published its results for 2024 on Monday.\n\n"
            "Huawei's revenue rose 22.4 per cent to CNY862.1 billion in 2024, and its net profit fell 28 per cent "
            "to CNY62.6 billion.\n\nIn 2023, net profit had jumped 144.5 per cent to CNY86.9 billion.\n\n"
            "Revenue of the consumer group grew 38.3 per cent to CNY339 billion.")
    periods_of = {c["value"]: c["period"] for c in analyse(Extracted(text, "text"), kb,
                                                          date_given="2025-03-31")["claims"]}
    assert periods_of[86.9] == "2023"
    assert periods_of[339.0] == "2024" and periods_of[38.3] == "2024"
    assert periods_of[62.6] == "2024"


def test_on_a_tie_the_period_established_first_carries(kb: KnowledgeBase) -> None:
    text = ("Huawei's revenue reached CNY862.1 billion in 2024.\n\n"
            "In 2023, its net profit had come to CNY86.9 billion.\n\n"
            "Revenue of the consumer group grew to CNY339 billion.")
    periods_of = {c["value"]: c["period"] for c in analyse(Extracted(text, "text"), kb,
                                                          date_given="2025-03-31")["claims"]}
    assert periods_of[862.1] == "2024" and periods_of[86.9] == "2023" and periods_of[339.0] == "2024"


def test_a_segments_revenue_is_the_segments_not_the_firms(kb: KnowledgeBase) -> None:
    """Revenue the text gives as a segment's ("Revenue from its semiconductor systems unit", "Revenue of the consumer
    group", "The mobile phone division made sales of", a list item "Semiconductor systems revenue:") is
    ``revenue_by_product`` with the segment as written; the firm's own or a period's revenue ("Total revenue",
    "Quarterly revenue", "Revenue:") stays the firm's revenue."""
    text = ("Samsung reported its third-quarter results.\n\n"
            "Revenue from its semiconductor systems unit came in at 16.4 trillion won in the third quarter of 2023.\n\n"
            "The mobile phone division made sales of 44.2 trillion won in the third quarter of 2023.\n\n"
            "Revenue of the consumer group grew 3 per cent to 30.1 trillion won in the third quarter of 2023.\n\n"
            "Total revenue came to 67.4 trillion won in the third quarter of 2023.\n\n"
            "- Semiconductor systems revenue: 5.1 trillion won\n- Revenue: 67.4 trillion won\n")
    got = {(c["metric"], c["value"], c["product"]) for c in analyse(Extracted(text, "text"), kb,
                                                                    date_given="2023-10-31")["claims"]
           if c["unit"] == "krw_tn"}
    assert {("revenue_by_product", 16.4, "semiconductor systems unit"),
            ("revenue_by_product", 44.2, "mobile phone division"), ("revenue_by_product", 30.1, "consumer group"),
            ("revenue_by_product", 5.1, "semiconductor systems"), ("revenue", 67.4, None)} <= got
    assert not any(metric == "revenue_by_product" and value == 67.4 for metric, value, _ in got)


def test_per_share_and_adjusted_figures_are_not_claims_and_keep_the_period_going(kb: KnowledgeBase) -> None:
    """An amount per share ("$5.59 a share", "$4.73 per diluted share", after "earnings per ADS:") and a measure the
    line calls adjusted or non-GAAP ("Non-GAAP net income of", "Adjusted gross margin of") give no claim; a GAAP
    figure named after such a word, and the next list item, are reported; the period such a figure was read with
    still holds for the figures after it."""
    text = ("Lam Research reported its results for the quarter.\n\n"
            "In the third quarter of 2020, net income came to $823 million, or $5.59 a share.\n\n"
            "- Non-GAAP net income of $902 million\n"
            "- Adjusted gross margin of 47.5%\n"
            "- Earnings per ADS: US$0.183\n"
            "- Revenue: $3.18 billion\n\n"
            "On a non-GAAP basis it earned more; it reported GAAP net income of $697 million, or $4.73 per diluted "
            "share.\n\n"
            "Revenue rose 46% from a year earlier.")
    got = _claims(kb, text, "2020-10-21")
    assert not {c[2] for c in got} & {5.59, 902.0, 47.5, 0.183, 4.73}
    assert {("lam-research", "net_profit", 823.0, "usd_m", "2020Q3"),
            ("lam-research", "revenue", 3.18, "usd_bn", "2020Q3"),
            ("lam-research", "net_profit", 697.0, "usd_m", "2020Q3"),
            ("lam-research", "revenue_growth", 46.0, "pct_yoy", "2020Q3")} <= got


def test_a_change_against_a_named_base_period_takes_its_basis(kb: KnowledgeBase) -> None:
    """A change whose sentence names its base as a period is quarter on quarter when the base is the quarter before
    the figure's, year on year when it is the same month or quarter a year before; a year against the year before
    stays a plain change, and a change with no base named keeps the sentence's reading."""
    text = ("TSMC reported its results.\n\n"
            "Compared with the second quarter of 2024, revenue in the third quarter of 2024 was 12.8% higher.\n\n"
            "Global semiconductor sales were $54.9 billion in February 2025, 17.1% more than in February 2024.\n\n"
            "Its revenue came to $90 billion in 2024, 34% more than in 2023.\n\n"
            "In the fourth quarter of 2024, TSMC's revenue rose 14.1%.")
    got = {(c[1], c[2]): c[3] for c in _claims(kb, text, "2025-03-30")}
    assert got[("revenue_growth", 12.8)] == "pct_qoq"
    assert got[("market_growth", 17.1)] == "pct_yoy"
    assert got[("revenue_growth", 34.0)] == "pct_change"
    assert got[("revenue_growth", 14.1)] == "pct_change"


@settings(max_examples=40, deadline=None)
@given(year=st.integers(2001, 2030), quarter=st.integers(1, 4), back=st.sampled_from([1, 4]))
def test_the_basis_follows_the_distance_to_the_base_quarter(kb: KnowledgeBase, year: int, quarter: int,
                                                             back: int) -> None:
    """Whatever the quarter, a base one quarter back gives quarter on quarter and four quarters back (the same
    quarter a year before) year on year."""
    index = year * 4 + quarter - 1 - back
    base_year, base_quarter = divmod(index, 4)
    text = (f"Compared with Q{base_quarter + 1} {base_year}, TSMC's revenue in Q{quarter} {year} was 9.5% higher.")
    got = {(c[1], c[2]): (c[3], c[4]) for c in _claims(kb, text, f"{year + 1}-06-30")}
    assert got[("revenue_growth", 9.5)] == ("pct_qoq" if back == 1 else "pct_yoy", f"{year}Q{quarter}")


def test_a_claim_without_any_period_is_not_reported_unless_a_share_of_supply(kb: KnowledgeBase) -> None:
    """A figure to which neither its text nor the other statements of its measure give a period is left out; a
    country's share of world supply stands without one, and a figure whose measure is dated elsewhere borrows that
    period and stays."""
    text = ("Nvidia said its revenue rose 12%.\n\n"
            "China produces about 80% of the gallium used worldwide.\n\n"
            "SMIC's revenue grew 27% to $8 billion in 2024. Its revenue grew 27% again, it said.")
    got = _claims_of(analyse(Extracted(text, "text"), kb))
    assert not any(c[0] == "nvidia" for c in got)
    assert ("CHN", "market_share", 80.0, "pct", None) in got
    assert ("smic", "revenue_growth", 27.0, "pct_change", "2024") in got


_FRAGMENTS = ["Nvidia said its revenue rose 12%.", "China produces about 80% of the gallium used worldwide.",
              "SMIC's revenue came to $8 billion in 2024.", "Exports fell 3.5%.", "In the third quarter, TSMC's "
              "net profit was $10 billion.", "Its share of the market was 20%.", "Imports jumped 40 per cent."]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=5), st.sampled_from([None, "2025-01-15"]))
def test_every_reported_claim_has_a_period_or_is_a_share_of_supply(kb: KnowledgeBase, parts: list[str],
                                                                  day: str | None) -> None:
    for claim in analyse(Extracted("\n\n".join(parts), "text"), kb, date_given=day)["claims"]:
        assert claim["period"] is not None or claim["metric"] == "market_share", claim


def test_a_figure_dated_a_year_back_by_its_phrase_does_not_carry_its_period(kb: KnowledgeBase) -> None:
    """"the same period of 2023" and "the same quarter of the preceding year" just after a figure put that figure a
    year before the period in context (a year named there only when it is the year before); the figure is a
    comparison's base, so the next figure keeps the period in context."""
    text = ("SMIC's revenue in the fourth quarter of 2024 was $2.2 billion, 32% higher than the $1.68 billion it "
            "booked in the same period of 2023. Its gross margin narrowed to 22.6%.\n\n"
            "SMIC's net profit in the fourth quarter of 2024 was $108 million, against $175 million in the same "
            "quarter of the preceding year. Its gross margin narrowed to 21.6%.")
    got = {(c[1], c[2]): c[4] for c in _claims(kb, text, "2025-02-15")}
    assert got[("revenue", 1.68)] == "2023Q4" and got[("gross_margin", 22.6)] == "2024Q4"
    assert got[("net_profit", 175.0)] == "2023Q4" and got[("gross_margin", 21.6)] == "2024Q4"


def test_a_measure_the_vocabulary_lacks_named_before_a_figure_gives_no_claim(kb: KnowledgeBase) -> None:
    """A trade balance, an operating margin or expenses named just before a figure is not the measure the text gave
    before it: "leaving a trade surplus of $5 billion" after exports is no export, "Operating margin: 23.3%" after
    a gross margin no gross margin; the figures of the listed measures beside them stay claims."""
    text = ("South Korea's exports rose 11.7% from a year earlier to $58.2 billion in May 2024. Imports slipped 2% "
            "to $53.2 billion, leaving a trade surplus of $5 billion.\n\n"
            "UMC reported its results for the third quarter of 2024.\n\n"
            "Gross margin: 33.8%; Operating margin: 23.3%\n\n"
            "Operating expenses came to $545 million in the third quarter of 2024.")
    got = _claims(kb, text, "2024-11-01")
    assert {("KOR", "exports", 58.2, "usd_bn", "2024-05"), ("KOR", "imports", 53.2, "usd_bn", "2024-05")} <= got
    assert ("umc", "gross_margin", 33.8) in {c[:3] for c in got}
    assert not {c[2] for c in got} & {5.0, 23.3, 545.0}


def test_what_analysts_or_the_market_expected_is_not_a_claim(kb: KnowledgeBase) -> None:
    """A figure named as others' expectation ("above the analyst consensus of", "against estimates of", "$7.89
    billion expected", "the $4.21 billion the market expected") gives no claim; the reported figure beside it does,
    and so does the writer's own estimate ("We estimate equipment sales rose roughly 50%")."""
    text = ("Nvidia reported its results for the second quarter of fiscal 2026.\n\n"
            "Quarterly revenue reached $46.74 billion, above the analyst consensus of $46.23 billion.\n\n"
            "Revenue: $46.74 billion vs. $46.1 billion expected\n\n"
            "It was a higher figure than the $45.9 billion the market expected.\n\n"
            "We estimate data center revenue rose roughly 50% in the quarter.")
    got = _claims(kb, text, "2025-08-28")
    assert ("nvidia", "revenue", 46.74) in {c[:3] for c in got}
    assert not {c[2] for c in got} & {46.23, 46.1, 45.9}
    assert 50.0 in {c[2] for c in got}


def test_a_change_of_volume_shipped_is_not_revenue_growth(kb: KnowledgeBase) -> None:
    """A percentage whose own measure is a volume shipped ("its bit shipments fell 5 percent", "shipped 2.6% more
    wafers") gives no revenue or market growth; the revenue change beside it does, and shipments abroad stay
    exports."""
    text = ("Nanya reported its results for the third quarter of 2024.\n\n"
            "Nanya's bit shipments fell 22 percent and its revenue 18 percent from the previous quarter.\n\n"
            "UMC shipped 2.6% more wafers and grew revenue by 1.1% in the third quarter of 2024.\n\n"
            "Taiwan's semiconductor shipments abroad rose 21.2 percent in June 2024.")
    got = _claims(kb, text, "2024-11-01")
    assert not {c[2] for c in got} & {22.0, -22.0, 2.6}
    assert {("nanya", "revenue_growth", -18.0), ("umc", "revenue_growth", 1.1)} <= {c[:3] for c in got}
    assert ("TWN", "trade_growth", 21.2) in {c[:3] for c in got}


def _fold_warnings(kb: KnowledgeBase, text: str, day: str) -> list[str]:
    report = analyse(Extracted(text, "text"), kb, date_given=day)
    return [f["message"] for f in report["findings"] if f["check"] == "fold_vs_percent" and f["severity"] == "warning"]


def test_a_fold_and_a_percentage_are_compared_only_as_changes_of_one_measure(kb: KnowledgeBase) -> None:
    """Two changes are compared when the words qualifying what changed agree (both none, or a word in common): a
    firm's revenue and its data-centre revenue are two measures; imports of Dutch lithography tools and imports of
    lithography systems from the Netherlands are one; "more than doubled" is a lower bound."""
    assert not _fold_warnings(kb, "Micron's revenue rose 38% from a year earlier to $8.05 billion in the quarter. "
                                  "Micron's data center revenue tripled from a year ago.", "2025-03-21")
    assert _fold_warnings(kb, "China's imports of Dutch chipmaking lithography tools jumped tenfold in November. "
                              "China's imports of chipmaking lithography systems from the Netherlands surged 1,050 "
                              "per cent by value in November.", "2023-12-20")
    assert _fold_warnings(kb, "Cambricon reported a 14-fold revenue surge in the third quarter. Cambricon posted "
                              "a 1,400% increase in quarterly revenue in the third quarter.", "2025-10-20")
    assert not _fold_warnings(kb, "Nvidia's 2023 sales were US$49.2 billion, up 133.6% from the previous year. "
                                  "Nvidia's sales more than doubled in 2023.", "2024-03-20")


def test_a_firms_name_written_as_a_common_word_names_no_firm(kb: KnowledgeBase) -> None:
    """"a sharp swing" names no firm; "Sharp reported" names Sharp: a firm's name counts only capitalised."""
    assert "sharp" not in {m.entity for m in kb.gazetteer.link("Net profit came to RMB 1.04 billion, a sharp swing.")}
    assert "sharp" in {m.entity for m in kb.gazetteer.link("Sharp reported a loss for the year.")}


def test_bounds_and_qualifiers_of_a_change_are_read_on_both_sides(kb: KnowledgeBase) -> None:
    """"nearly tripled" is 2.7 to 3 times, not any rise; "more than 100%" is a lower bound like "more than doubled";
    an "of" or "from" phrase after the measure ends at its verb; an abbreviation inside the sentence ends no clause."""
    day = "2025-03-21"
    assert _fold_warnings(kb, "Micron's revenue rose 5% in the quarter. Micron's revenue nearly tripled in the "
                              "quarter.", day)
    assert not _fold_warnings(kb, "Micron's revenue rose 190% in the quarter. Micron's revenue nearly tripled in "
                                  "the quarter.", day)
    assert not _fold_warnings(kb, "Micron's revenue rose more than 100% in the quarter. Micron's revenue tripled in "
                                  "the quarter.", day)
    assert not _fold_warnings(kb, "Micron's revenue from gaming rose 40% in the quarter. Micron's revenue from "
                                  "automotive rose threefold in the quarter.", day)
    assert not _fold_warnings(kb, "Micron's U.S. revenue rose 40% in the quarter. Micron's revenue tripled in the "
                                  "quarter.", day)


def test_destinations_listed_with_their_amounts_and_a_country_named_as_buyer_are_regions(kb: KnowledgeBase) -> None:
    """"Most of it went to two destinations, Japan with 2,004 kilograms and Germany with 2,000 kilograms": China's
    exports to each; "The Netherlands was the largest EU buyer of Chinese antimony in 2023, taking 3,011.98 metric
    tons": China's exports to the Netherlands. A country that "imported" is the importer, as before."""
    text = ("China's gallium exports restarted in June. Last month 4,260 kilograms cleared Chinese customs. Most of it "
            "went to two destinations, Japan with 2,004 kilograms and Germany with 2,000 kilograms.\n\n"
            "The Netherlands was the largest EU buyer of Chinese antimony in 2023, taking 3,011.98 metric tons.")
    report = analyse(Extracted(text, "text"), kb, date_given="2025-07-20")
    got = {(c["entity"], c["value"], c["region"]) for c in report["claims"] if c["metric"] == "exports"}
    assert {("CHN", 2004.0, "JPN"), ("CHN", 2000.0, "DEU"), ("CHN", 3011.98, "NLD")} <= got
    imported = analyse(Extracted("In all, China imported 42 lithography systems in November, worth US$816.8 "
                                 "million.", "text"), kb, date_given="2023-12-20")
    assert {(c["entity"], c["value"]) for c in imported["claims"] if c["metric"] == "imports"} == {
        ("CHN", 42.0), ("CHN", 816.8)}


def test_a_share_price_is_no_revenue_and_a_year_since_listing_is_no_figures_period(kb: KnowledgeBase) -> None:
    """"booked its first full-year profit since it listed in 2020, with revenue up 450%" is growth of the story's
    year (2025), not of the listing's; "shares closed 0.8 per cent higher at 1,178 yuan" is a share price, no
    revenue."""
    text = ("Cambricon, Moore Threads and MetaX reported steep rises in revenue for 2025. Cambricon booked its first "
            "full-year profit since it listed in 2020, with revenue up 450%.\n\n"
            "Cambricon's shares closed 0.8 per cent higher at 1,178 yuan.")
    report = analyse(Extracted(text, "text"), kb, date_given="2026-02-27")
    got = {(c["entity"], c["metric"], c["value"], c["period"]) for c in report["claims"]}
    assert ("cambricon", "revenue_growth", 450.0, "2025") in got
    assert not any(c[2] == 1178.0 or c[3] == "2020" for c in got)


def test_a_base_of_last_years_is_a_year_back_and_a_forecasts_period_does_not_carry(kb: KnowledgeBase) -> None:
    """"from last year's NT$491.08 billion" in a story on the first quarter is the first quarter a year before; a
    firm's forecast for its first half does not give its period to the figures that follow it."""
    text = ("TSMC reported its results for the first quarter of 2023. Consolidated revenue grew 3.6 percent to "
            "NT$508.63 billion from last year's NT$491.08 billion.")
    report = analyse(Extracted(text, "text"), kb, date_given="2023-04-20")
    got = {(c["metric"], c["value"], c["period"]) for c in report["claims"]}
    assert {("revenue", 508.63, "2023Q1"), ("revenue", 491.08, "2022Q1")} <= got
    forecast = ("Tokyo Electron reported its results for the third quarter of 2023.\n\n"
                "The company expects first-half sales of JPY790 billion.\n\n"
                "Net income came to JPY88.1 billion.")
    periods = {c["value"]: c["period"] for c in analyse(Extracted(forecast, "text"), kb,
                                                         date_given="2023-11-10")["claims"]}
    assert periods.get(88.1) == "2023Q3"


def test_the_yen_sign_is_the_currency_its_dollar_value_implies() -> None:
    """"¥445 billion ($3 billion)" is about 148 to the dollar: the yen, however often the text names China; "¥7.1
    billion ($1 billion)" is the yuan, however often it names Japan."""
    from chipshift.ingest.quantities import yen_sign_currency

    assert yen_sign_currency("China's China China sales: operating income of ¥445 billion ($3 billion).") == "JPY"
    assert yen_sign_currency("Japan Japan Japan buyers paid ¥7.1 billion ($1 billion) to the Chinese maker.") == "CNY"


@pytest.mark.parametrize(("phrase", "label"), [
    ("revenue rose 39.5% in 9M24", "2024Q1..2024Q3"), ("revenue of $1.1 billion in 9M 2024", "2024Q1..2024Q3"),
    ("net profit in 1-3Q24", "2024Q1..2024Q3"), ("revenue in Q1-Q3 2024", "2024Q1..2024Q3"),
    ("sales in 1Q-3Q24", "2024Q1..2024Q3"), ("sales in 6M23", "2023H1"), ("sales in 4M2025", "2025-01..2025-04"),
    ("Micron's sales in the August quarter", "2025-06..2025-08"),
    ("the February quarter", "2024-12..2025-02"), ("its November 2024 quarter", "2024-09..2024-11"),
    ("the December quarter", "2024Q4"),
])
def test_compact_spans_and_quarters_named_by_their_last_month(phrase: str, label: str) -> None:
    """A broker's shorthand for the first months of a year ("9M24") and a run of quarters ("1-3Q24") are spans of
    that year; a quarter named by a month that ends no calendar quarter is the three months ending then."""
    found = [p.label for p in periods.extract(phrase, date(2025, 10, 20)) if p.label]
    assert found == [label]


def test_a_firm_named_like_a_months_shorthand_is_no_period() -> None:
    """"3M 2024 revenue" names the firm 3M and the year, not the first three months."""
    assert [p.label for p in periods.extract("3M 2024 revenue", date(2025, 3, 1)) if p.label] == ["2024"]


def test_a_previous_quarter_phrase_speaks_of_the_figure_just_before_it(kb: KnowledgeBase) -> None:
    """"$46.7 billion, 6% more than in the previous quarter": the 6% is the change on the previous quarter and
    $46.7 billion is of the quarter reported; "against $44.1 billion in the previous quarter" is the quarter
    before."""
    text = ("Nvidia has released its results for the second quarter of fiscal 2026. Revenue came to $46.7 billion, "
            "6% more than in the previous quarter. Nvidia's data center revenue was $41.1 billion, against "
            "$39.1 billion in the previous quarter.")
    got = _claims(kb, text, "2025-08-28")
    periods_of = {c[2]: c[4] for c in got}
    assert periods_of[46.7] == "FY2026Q2" and periods_of[39.1] == "FY2026Q1"


def test_a_quarter_named_by_its_month_is_the_fiscal_quarter_holding_it(kb: KnowledgeBase) -> None:
    """Tokyo Electron's years end in March: its "December quarter" is the third fiscal quarter of the year ending
    the next March, not the fourth quarter "that ended last"."""
    text = ("Tokyo Electron raised its forecasts for the fiscal year ending in March. In the December quarter China "
            "made up 46.9% of Tokyo Electron's sales.")
    got = _claims(kb, text, "2024-02-13")
    assert {c[4] for c in got if c[2] == 46.9} == {"FY2024Q3"}


def test_tonnages_shipped_in_a_month_are_exports_with_their_change(kb: KnowledgeBase) -> None:
    """"2,295 tonnes shipped in February, up 144.06% from 940.61 tonnes in January" under a story on exports:
    "shipped in" a month is a time, not goods coming in, and the change of the tonnage is the flow's growth."""
    text = ("China's graphite exports slump after export controls.\n\n- Flake graphite: 2,295 tonnes shipped in "
            "February, up 144.06% from 940.61 tonnes in January. South Korea and Japan were the main buyers.")
    got = _claims(kb, text, "2024-03-20")
    assert ("CHN", "exports", 2295.0, "t", "2024-02") in got
    assert ("CHN", "exports", 940.61, "t", "2024-01") in got
    assert ("CHN", "trade_growth", 144.06, "pct_change", "2024-02") in got


def test_months_without_a_year_take_the_documents_not_the_base_of_a_comparison(kb: KnowledgeBase) -> None:
    """"3,236 tonnes in January and February, a drop of 77.66% from the 14,483 tonnes shipped in the same two months
    of 2023": January and February are this year's; 2023 names only the base."""
    text = ("China's customs data put exports of flake graphite at 3,236 tonnes in January and February, a drop of "
            "77.66% from the 14,483 tonnes shipped in the same two months of 2023.")
    got = _claims(kb, text, "2024-03-20")
    assert ("CHN", "exports", 3236.0, "t", "2024-01..2024-02") in got
    assert ("CHN", "exports", 14483.0, "t", "2023-01..2023-02") in got


def test_a_firm_named_only_further_down_is_not_what_the_document_is_about(kb: KnowledgeBase) -> None:
    """A results table of a firm the data does not hold is not given to a firm the text names twice further down
    (a supply deal with Apple)."""
    text = ("MP Materials reports revenue growth\n\nMP Materials Corp. has reported its results for the second quarter "
            "of 2025.\n\nRevenue rose in the quarter.\n\nSummary results (US$ million, unaudited)\n\n"
            "                      Q2 2025   Q2 2024   6M 2025   6M 2024\n"
            "Revenue                  57.4      31.3     118.2      79.9\n"
            "Net loss               (30.9)    (34.1)    (53.5)    (17.6)\n\n"
            "In July 2025 the company signed an agreement with Apple Inc. to supply magnets, with a prepayment from "
            "Apple.")
    got = _claims(kb, text, "2025-08-07")
    assert not any(c[0] == "apple" for c in got)
    # the same table under a headline naming a firm the data holds is that firm's statement
    assert ("micron", "revenue", 57.4, "usd_m", "2025Q2") in _claims(kb, text.replace("MP Materials", "Micron"),
                                                                      "2025-08-07")


def test_money_brought_in_is_earned(kb: KnowledgeBase) -> None:
    """"The Data Center business brought in $41.1 billion": an amount of money brought in is revenue; "China brought
    in 479.5 billion IC units" stays a count imported."""
    text = ("NVIDIA has released its results for the second quarter of fiscal 2026. The Data Center business, the "
            "largest of the group, brought in $41.1 billion.")
    assert ("nvidia", "revenue", 41.1, "usd_bn", "FY2026Q2") in _claims(kb, text, "2025-08-28")
    units = _claims(kb, "China brought in 479.5 billion IC units in 2023, customs data show.", "2024-01-15")
    assert any(c[1] == "imports" and c[2] == 479.5 for c in units)


def test_a_loss_word_governs_every_amount_of_its_list(kb: KnowledgeBase) -> None:
    """"losses of 1.84 billion yuan in 2022, 1.673 billion yuan in 2023 and 1.492 billion yuan in 2024": each is a
    loss, not only the first."""
    text = ("Moore Threads has never made money: its prospectus shows losses of 1.84 billion yuan in 2022, 1.673 "
            "billion yuan in 2023 and 1.492 billion yuan in 2024.")
    got = {(c[2], c[4]) for c in _claims(kb, text, "2025-07-01") if c[1] == "net_profit"}
    assert got == {(-1.84, "2022"), (-1.673, "2023"), (-1.492, "2024")}


def test_a_comparison_named_after_the_changes_base_is_the_changes(kb: KnowledgeBase) -> None:
    """"7.8% more than the $839.4 million of 4Q19 (QoQ) and 35.3% more than the $669.9 million of 1Q19 (YoY)": the
    basis written after the base amount is the basis of the change before it."""
    text = ("SMIC reported its results. Revenue reached $904.9 million in 1Q20, 7.8% more than the $839.4 million of "
            "4Q19 (QoQ) and 35.3% more than the $669.9 million of 1Q19 (YoY).")
    units = {c[2]: c[3] for c in _claims(kb, text, "2020-05-14") if c[1] == "revenue_growth"}
    assert units == {7.8: "pct_qoq", 35.3: "pct_yoy"}


def test_a_firm_named_by_its_nationality_and_kind_is_the_firm(kb: KnowledgeBase) -> None:
    """"The leader is MediaTek. Counterpoint put the Taiwanese fabless designer at 32% of the global smartphone AP
    market": the share is MediaTek's, of the world market, not Taiwan's."""
    text = ("The leader is MediaTek. Counterpoint Research put the Taiwanese fabless designer at 32% of the global "
            "smartphone AP market in Q1 2023.")
    report = analyse(Extracted(text, "text"), kb, date_given="2023-06-01")
    got = [(c["entity"], c["metric"], c["value"], c["region"]) for c in report["claims"]]
    assert got == [("mediatek", "market_share", 32.0, None)]


def test_places_listed_after_a_destination_are_destinations(kb: KnowledgeBase) -> None:
    """"exports to Europe, notably Ireland, Finland, the Czech Republic and Germany, which grew 36.8 percent": every
    place of the list is where the exports went; the exporter is the country the text is about."""
    text = ("Taiwan's exports rose in November. ICT shipments also lifted exports to Europe, notably Ireland, "
            "Finland, the Czech Republic and Germany, which grew 36.8 percent year-on-year.")
    got = [(c["entity"], c["metric"], c["value"]) for c in analyse(Extracted(text, "text"), kb,
                                                                    date_given="2025-12-09")["claims"]]
    assert got == [("TWN", "trade_growth", 36.8)]


def test_a_percentage_above_or_fewer_than_a_base_is_a_change(kb: KnowledgeBase) -> None:
    """"7.9% above the previous month and 10.0% above a year earlier", "6.8% fewer than a year earlier": changes of
    the flow named, signed by the comparative and of the period of the level they follow."""
    text = ("Taiwan's trade data. November imports came to US$26.72 billion, 7.9% above the previous month and 10.0% "
            "above a year earlier. On the export side, China shipped 141.04 billion integrated circuits abroad in the "
            "first half, 6.8% fewer than a year earlier.")
    got = {(c[0], c[1], c[2], c[3], c[4]) for c in _claims(kb, text, "2020-12-08") if c[1] == "trade_growth"}
    assert got == {("TWN", "trade_growth", 7.9, "pct_change", "2020-11"),
                   ("TWN", "trade_growth", 10.0, "pct_yoy", "2020-11"),
                   ("CHN", "trade_growth", -6.8, "pct_yoy", "2020H1")}


def test_a_headline_firm_with_its_stock_code_is_what_the_document_is_about(kb: KnowledgeBase) -> None:
    """"Naura Technology (002371 CH): Q3 2024 Earnings Update" names Naura once, beside its stock code: the results
    table under it is Naura's, though the text names shareholders too; a share's average monthly turnover is no
    revenue."""
    text = ("# Naura Technology (002371 CH): Q3 2024 Earnings Update\n\n| Item | Q3 2024 | YoY |\n|---|---|---|\n"
            "| Revenue | RMB 8.0 billion | +30.1% |\n| Net profit | RMB 1.7 billion | +55.0% |\n\n"
            "- **Shareholders:** Beijing Electronics Holding 9.4%.\n"
            "- Average monthly turnover: RMB 2,171.1 million\n")
    got = _claims(kb, text, "2024-10-30")
    assert ("naura", "revenue", 8.0, "cny_bn", "2024Q3") in got
    assert ("naura", "revenue_growth", 30.1, "pct_yoy", "2024Q3") in got
    assert not any(c[2] == 2171.1 for c in got)


def test_cash_flow_and_losses_summed_over_years_are_no_profit(kb: KnowledgeBase) -> None:
    """"operating cash flow turned positive at RMB 911 million" and "accumulated losses over the past eight years
    above 5.4 billion yuan" are measures the vocabulary lacks, not a year's net profit."""
    text = ("Cambricon reported its results. Operating cash flow turned positive at RMB 911 million in the first half "
            "of 2025. Cambricon lost money again in 2024, taking its accumulated losses over the past eight years "
            "above 5.4 billion yuan.")
    assert not any(c[1] == "net_profit" for c in _claims(kb, text, "2025-08-27"))


def test_a_firm_the_data_does_not_hold_is_read_by_its_company_form_or_listing(kb: KnowledgeBase) -> None:
    """A name written with a company form ("Corp.") or a stock listing ("(NYSE: ...)") is a firm's even when the data
    holds no such firm: its figures are claims of an id made from the name, and so are those of the sentences that
    name it again without the form. A capitalised common word before it ("Shares of") is no part of the name, and a
    name of one word with a form but no listing (a research firm quoted) is not taken."""
    assert "Quarrymark Minerals" not in str(kb.firms)
    text = ("Shares of Quarrymark Minerals Corp. (NYSE: QMM) rose after the rare-earth miner reported its results. "
            "Quarrymark Minerals posted revenue of $57.4 million in the second quarter of 2025. "
            "Tallyworks Inc. said the market grew.")
    got = _claims(kb, text, "2025-08-08")
    assert ("quarrymark-minerals", "revenue", 57.4, "usd_m", "2025Q2") in got
    assert not any(str(c[0]).startswith(("shares", "tallyworks")) for c in got)
    ids = {m.entity for m in entities.outside_firms(text, kb.gazetteer.link(text))}
    assert ids == {"quarrymark-minerals"}


def test_a_range_is_neither_of_its_ends(kb: KnowledgeBase) -> None:
    """"net profits of 240 million yuan to 328 million yuan" and "20%-25% of its revenue" are ranges: no claim of
    either end, and the dash in "20%-25%" is no minus sign. "rose from 240 million yuan to 328 million yuan" is a
    change between two figures, not a range."""
    ranged = ("That implies Cambricon net profits of 240 million yuan to 328 million yuan in the fourth quarter of "
              "2024. Sales to China made up 20%-25% of Nvidia's data centre revenue in the third quarter of 2023.")
    got = _claims(kb, ranged, "2024-12-20")
    assert not any(c[2] in (240.0, 328.0, 20.0, 25.0, -25.0) for c in got)
    assert [q.value for q in quantities.extract("20%-25% of revenue, down -3% on the year")] == [20.0, 25.0, -3.0]
    change = "Cambricon's net profit rose from 240 million yuan in 2023 to 328 million yuan in 2024, the company said."
    assert ("cambricon", "net_profit", 240.0, "cny_m", "2023") in _claims(kb, change, "2025-03-01")


def test_a_fiscal_firms_table_heads_its_own_quarters(kb: KnowledgeBase) -> None:
    """A release that speaks of the fiscal year heads its table with the firm's own quarters ("Q2 2025", "Q1 2025"):
    for a firm whose fiscal year ends in another month than December (Micron's ends in August or September), they
    are fiscal quarters (FY2025Q2), as in the prose."""
    assert kb.fiscal_year_end("micron") != 12
    text = ("Micron Technology today released its results for the second quarter of its fiscal year 2025.\n\n"
            "($ in millions)\n"
            "GAAP | Q2 2025 | Q1 2025 | Q/Q\n"
            "Revenue | $8,053 | $8,709 | down 8%\n"
            "Net Income | $1,583 | $1,870 | down 15%\n")
    got = _claims(kb, text, "2025-03-20")
    assert ("micron", "revenue", 8053.0, "usd_m", "FY2025Q2") in got
    assert ("micron", "revenue", 8709.0, "usd_m", "FY2025Q1") in got
    assert not any(c[4] == "2025Q2" for c in got)
