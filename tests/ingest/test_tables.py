"""Tables in their several shapes: units and scales stated in headers, tables flattened onto one line or one cell to
a line, and statement rows; each checked on a small hand-written text against hand-computed claims."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.ledger import analyse
from chipshift.ingest.tables import Unit, _unit
from chipshift.ingest.text import Extracted

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)


def _claims(kb: KnowledgeBase, text: str, day: str) -> set[tuple[Any, ...]]:
    report = analyse(Extracted(text, "text"), kb, date_given=day)
    return {(c["entity"], c["metric"], round(c["value"], 6), c["unit"], c["period"]) for c in report["claims"]}


def test_units_and_scales_stated_in_words_signs_and_abbreviations() -> None:
    """A caption or header states a unit by a scale word and a currency; "100 million" (亿) is a tenth of a
    billion; NT$ is the New Taiwan dollar, not the US dollar; a scale abbreviated after a currency or alone in
    brackets counts; a currency without a scale states no unit."""
    assert _unit("(in US$ million)") == Unit("usd_m")
    assert _unit("Operating Revenue (in RMB 100 million)") == Unit("cny_bn", 0.1)
    assert _unit("营业收入（亿元）") == Unit("cny_bn", 0.1)
    assert _unit("Operating Results (Amount: NT$ million)") == Unit("twd_m")
    assert _unit("Q1 2024 revenue (US$ billion)") == Unit("usd_bn")
    assert _unit("Revenue ($M)") == Unit("usd_m")
    assert _unit("Revenue (bn)", "results summary (RMB)") == Unit("cny_bn")
    assert _unit("Revenue (US$)") is None
    assert _unit("Revenue 4Q24") is None


def test_a_column_header_states_the_unit_of_its_levels(kb: KnowledgeBase) -> None:
    """A ranking whose caption names no unit takes it from the column header that states one ("Q1 2024 revenue
    (US$ billion)"); the change column beside it stays a change."""
    text = ("The five largest equipment makers had a mixed first quarter.\n\n"
            "Rank | Company | Q1 2024 revenue (US$ billion) | YoY change\n"
            "1 | Applied Materials | 6.63 | -1%\n2 | ASML | 4.87 | -26%\n3 | Lam Research | 3.79 | +1%\n")
    got = _claims(kb, text, "2024-07-08")
    assert {("applied-materials", "revenue", 6.63, "usd_bn", "2024Q1"), ("asml", "revenue", 4.87, "usd_bn", "2024Q1"),
            ("asml", "revenue_growth", -26.0, "pct_yoy", "2024Q1")} <= got


def test_a_ranking_of_firms_names_firms_the_knowledge_base_does_not_hold(kb: KnowledgeBase) -> None:
    """In a table whose named rows the knowledge base knows are all firms, a row named by a proper name it does not
    hold is a firm too, with an id made from its name; a row of the others or a total is none."""
    text = ("The battery makers' shares of the world market in 2023, by SNE Research.\n\n"
            "Rank | Battery maker | Share in 2023\n"
            "1 | Panasonic | 6.4%\n2 | SK On | 4.9%\n3 | Gotion High-tech | 2.4%\n4 | Others | 20.1%\n"
            "Total | | 100%\n")
    got = {(c[0], c[2]) for c in _claims(kb, text, "2024-02-07") if c[1] == "market_share"}
    assert {("panasonic", 6.4), ("sk-on", 4.9), ("gotion-hightech", 2.4)} <= got
    assert not any(value == 20.1 for _, value in got)


def test_firms_shares_in_a_table_are_of_the_market_the_headline_names(kb: KnowledgeBase) -> None:
    """A table whose title names no market gives firms' shares of the one the headline names: the world's when it
    speaks of a global market, one country's when it names that country's market; none when it names neither."""
    table = "\n\nRank | Maker | Share in 2023\n1 | Panasonic | 6.4%\n2 | Samsung | 4.6%\n"

    def regions(headline: str) -> set[Any]:
        report = analyse(Extracted(headline + table, "text"), kb, date_given="2024-02-07")
        return {c["region"] for c in report["claims"] if c["metric"] == "market_share"}

    assert regions("Global battery market share in 2023: the leaders held on.") == {"WLD"}
    assert regions("China's battery market in 2023: the leaders held on.") == {"CHN"}
    assert regions("The leaders held on in 2023.") == {None}


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=10, max_value=99_999))
def test_a_table_in_hundreds_of_millions_of_yuan_is_read_in_billions(kb: KnowledgeBase, tenths: int) -> None:
    """Whatever the figure, X in a row "(in RMB 100 million)" is X / 10 billion yuan."""
    figure = tenths / 10
    text = ("Financial analysis of ChangXin Memory Technologies (CXMT)\n\n"
            "CXMT has not yet listed, so its figures are few.\n\n"
            "| Indicator | 2024 | 2023 | 2022 |\n|---|---|---|---|\n"
            f"| Operating Revenue (in RMB 100 million) | {figure:,.1f} | 90.9 | 82.9 |\n"
            "| Asset-Liability Ratio | 61.61% | 66.22% | 56.52% |\n")
    got = {c for c in _claims(kb, text, "2026-01-20") if c[1] == "revenue" and c[4] == "2024"}
    assert got == {("cxmt", "revenue", round(figure / 10, 6), "cny_bn", "2024")}


def test_a_table_flattened_onto_one_line_under_a_broken_header(kb: KnowledgeBase) -> None:
    """Rows of a label and as many figures each, run together on one line, are read under the header written on the
    short lines above; a bracketed word joins the heading before it ("3Q19/2Q19 (Q/Q)"), and the header's last word
    may open the run's line."""
    text = ("Equipment billings rose in the quarter, SEMI reported.\n\n"
            "The quarterly billings by region, in billions of U.S. dollars, are as follows:\n\n"
            "3Q2019 2Q2019 3Q19/2Q19\n\n(Q/Q) 3Q19/3Q18\n\n"
            "(YOY) Taiwan 3.90 3.21 21% 34% China 3.44 3.36 2% -14% Total 14.86 13.31 12% -6%\n\n"
            "Source: SEMI\n")
    got = _claims(kb, text, "2019-12-03")
    assert {("TWN", "equipment_purchases", 3.9, "usd_bn", "2019Q3"),
            ("TWN", "equipment_purchases", 3.21, "usd_bn", "2019Q2"),
            ("TWN", "equipment_purchases_growth", 21.0, "pct_qoq", "2019Q3"),
            ("CHN", "equipment_purchases_growth", -14.0, "pct_yoy", "2019Q3"),
            ("WLD", "equipment_purchases", 14.86, "usd_bn", "2019Q3")} <= got


def test_a_line_of_prose_with_many_figures_is_no_table() -> None:
    """Rows must carry as many figures each and stand under a header naming as many columns: a sentence full of
    figures, or rows with no header above them, are not read as a table."""
    from chipshift.ingest.tables import find

    prose = ("Sales rose in 2023\n\nChina bought 36.6 units and 29 more, Korea 19.9 and 7 and 3, Taiwan 19.6 and 27 "
             "while Japan took 5 and 39 of them.\n")
    assert find(prose) == []
    no_header = "Billings by region were as follows.\nTaiwan 3.90 3.21 China 3.44 3.36 Japan 1.67 1.38\n"
    assert find(no_header) == []


def test_a_table_written_one_cell_to_a_line(kb: KnowledgeBase) -> None:
    """Period headings one to a line, then rows of a label line and one line per column; a sign on its own line
    joins its figure ("$" / "6,811", "(668" / ")"), group headings put before the repeated periods skip the
    non-GAAP columns, and a "percent of revenue" row under the gross margin is the gross margin in percent."""
    text = ("Micron Technology Reports Results for the Third Quarter of Fiscal 2024\n\n"
            "Micron Technology said revenue rose sharply.\n\n"
            "Quarterly Financial Results\n(in millions, except per share amounts)\n"
            "GAAP\nNon-GAAP\nFQ3-24\nFQ2-24\nFQ3-24\nFQ2-24\n"
            "Revenue\n$\n6,811\n$\n5,824\n$\n6,811\n$\n5,824\n"
            "Gross margin\n1,832\n(668\n)\n1,917\n1,163\n"
            "percent of revenue\n26.9\n%\n(17.8\n%)\n28.1\n%\n20.0\n%\n"
            "Net income (loss)\n332\n(1,896\n)\n702\n476\n")
    got = _claims(kb, text, "2024-06-26")
    assert {("micron", "revenue", 6811.0, "usd_m", "FY2024Q3"), ("micron", "revenue", 5824.0, "usd_m", "FY2024Q2"),
            ("micron", "gross_margin", 26.9, "pct", "FY2024Q3"), ("micron", "gross_margin", -17.8, "pct", "FY2024Q2"),
            ("micron", "net_profit", -1896.0, "usd_m", "FY2024Q2")} <= got
    assert not any(c[2] in (702.0, 476.0, 28.1) for c in got)  # the non-GAAP columns


def test_a_table_of_cells_each_opened_by_a_bar(kb: KnowledgeBase) -> None:
    """A table copied out of a page one cell to a line, each line opened by a bar ("|Q2 2020"), a bar alone on a line
    standing for an empty cell: read as the one-cell-to-a-line table it is, in the unit its first cell states."""
    text = ("ASML Holding NV today published its results for the third quarter of 2020.\n\n"
            "|(Figures in millions of euros unless otherwise indicated)\n|Q2 2020\n|Q3 2020\n"
            "|Net sales\n|3,326\n|3,958\n|\nNet bookings\n|1,101\n|2,868\n"
            "|Gross margin (%)\n|48.2\n|47.5\n|Net income\n|751\n|1,062\n")
    got = _claims(kb, text, "2020-10-14")
    assert {("asml", "revenue", 3326.0, "eur_m", "2020Q2"), ("asml", "revenue", 3958.0, "eur_m", "2020Q3"),
            ("asml", "orders", 2868.0, "eur_m", "2020Q3"), ("asml", "gross_margin", 48.2, "pct", "2020Q2"),
            ("asml", "net_profit", 1062.0, "eur_m", "2020Q3")} <= got


def test_fiscal_quarters_written_in_table_headings() -> None:
    """"FQ3-24" and "Q2 FY 2024" (a space after FY) are fiscal quarters, like "Q2 FY24"."""
    from chipshift.ingest import periods

    assert [p.label for p in periods.extract("FQ3-24 FQ2-24 Q2 FY 2024 Q1 FY24", None)] == [
        "FY2024Q3", "FY2024Q2", "FY2024Q2", "FY2024Q1"]


def test_statement_rows_with_footnote_marks_counts_and_cells_written_with_their_scale(kb: KnowledgeBase) -> None:
    """A figure with a footnote mark ("2,602 (2)") is that figure; a row counting what the firm sold "(units)" gives
    shipments in units whatever the table's money unit; cells written with their scale ("$2,487 million") carry their
    own unit; a row named by a measure is the statement's row even when it names the firm ("Net Income
    Attributable to KLA")."""
    asml = ("ASML reports its fourth-quarter results\n\nASML Holding published its results today.\n\n"
            "(Figures in millions of euros unless otherwise indicated)\n\n"
            "                                        Q3 2023     Q4 2023     FY 2023\n"
            "Net sales                                 6,673       7,237      27,559\n"
            "New lithography systems sold (units)        105         113         421\n"
            "Net bookings                          2,602 (2)   9,186 (2)  20,040 (3)\n")
    got = _claims(kb, asml, "2024-01-24")
    assert {("asml", "revenue", 7237.0, "eur_m", "2023Q4"), ("asml", "shipments", 105.0, "units", "2023Q3"),
            ("asml", "orders", 2602.0, "eur_m", "2023Q3"), ("asml", "orders", 20040.0, "eur_m", "2023")} <= got
    kla = ("KLA Corporation Reports Fiscal 2024 Second Quarter Results\n\nKLA Corporation released its results.\n\n"
           "GAAP Results\n\nQ2 FY 2024 | Q1 FY 2024 | Q2 FY 2023\n"
           "Total Revenue | $2,487 million | $2,397 million | $2,984 million\n"
           "Net Income Attributable to KLA | $583 million | $741 million | $979 million\n")
    got = _claims(kb, kla, "2024-01-25")
    assert {("kla", "revenue", 2487.0, "usd_m", "FY2024Q2"), ("kla", "revenue", 2984.0, "usd_m", "FY2023Q2"),
            ("kla", "net_profit", 741.0, "usd_m", "FY2024Q1")} <= got


def test_a_row_that_lost_its_label_keeps_the_table_and_units_outside_the_vocabulary_are_converted(
        kb: KnowledgeBase) -> None:
    """A data page's table whose first row lost its label cell (five figures under six headings) is still a table:
    the unlabelled row is read by no one, the rows under it are; "Millions KRW" levels come out in the vocabulary's
    won unit (47,206,319 million won is 47.206319 trillion)."""
    text = ("SK hynix Inc. financial summary.\n\nSK hynix Income Statement\n\n"
            "Millions KRW. Fiscal year is Jan - Dec.\n\n"
            "Fiscal Year | FY 2025 | FY 2024 | FY 2023\n"
            "97,146,675 | 66,192,960 | 32,765,719\n"
            "Revenue Growth (YoY) | 46.76% | 102.02% | -26.57%\n"
            "Operating Income | 47,206,319 | 23,467,319 | -7,730,313\n")
    got = _claims(kb, text, "2026-02-07")
    assert ("sk-hynix", "operating_profit", 47.206319, "krw_tn", "2025") in got
    assert ("sk-hynix", "revenue_growth", -26.57, "pct_yoy", "2023") in got
    assert not any(c[2] in (97146675.0, 97.146675) for c in got)  # the row with no label


def test_a_units_amount_is_given_in_a_vocabulary_unit() -> None:
    assert Unit("krw_m").amount(47_206_319) == ("krw_tn", 47.206319)
    assert Unit("twd_m").amount(6_425) == ("twd_bn", 6.425)
    assert Unit("usd_k").amount(230_037) == ("usd_m", 230.037)
    assert Unit("jpy_m").amount(2_209_025) == ("jpy_bn", 2209.025)
    assert Unit("usd_m").amount(4_688) == ("usd_m", 4688.0)  # already a vocabulary unit
    assert Unit("cny_bn", 0.1).amount(154.4) == ("cny_bn", 15.44)


def test_a_plain_text_statement_with_group_headings_and_a_blank_line_under_its_header(kb: KnowledgeBase) -> None:
    """A release's statement in plain text: group headings ("GAAP(1)", "Non-GAAP(2)") over repeated periods, a blank
    line between the header and the rows; the GAAP columns are read, the non-GAAP ones are not."""
    text = ("Micron Technology, Inc. Reports Results for the First Quarter of Fiscal 2026\n\n"
            "Micron Technology said demand for memory was strong.\n\n"
            "Quarterly Financial Results\n(in millions, except per share amounts)\n"
            "                        GAAP(1)                          Non-GAAP(2)\n"
            "                        FQ1-26     FQ4-25     FQ1-25     FQ1-26     FQ4-25     FQ1-25\n\n"
            "Revenue                 $ 13,643   $ 11,315   $ 8,709    $ 13,643   $ 11,315   $ 8,709\n"
            "Operating income          6,136      3,654      2,174      6,419      3,955      2,394\n"
            "Net income                5,240      3,201      1,870      5,482      3,469      2,037\n")
    got = _claims(kb, text, "2025-12-17")
    assert {("micron", "revenue", 13643.0, "usd_m", "FY2026Q1"), ("micron", "operating_profit", 2174.0, "usd_m",
                                                                  "FY2025Q1"),
            ("micron", "net_profit", 5240.0, "usd_m", "FY2026Q1")} <= got
    assert not any(c[2] in (6419.0, 5482.0, 2037.0) for c in got)  # the non-GAAP columns


def test_a_fiscal_year_the_caption_states_gives_the_columns_periods(kb: KnowledgeBase) -> None:
    """"Fiscal year is Jul - Jun" keeps the columns fiscal years (FY2024) of a firm whose fiscal year end the data
    lacks; "Fiscal year is Jan - Dec" makes them calendar years."""
    text = ("Lam Research Corporation financial summary.\n\nLam Research Income Statement\n\n"
            "Millions USD. Fiscal year is Jul - Jun.\n\n"
            "Fiscal Year | FY 2024 | FY 2023 | FY 2022\n"
            "Revenue | 14,905 | 17,429 | 17,227\n"
            "Operating Income | 4,325 | 5,295 | 5,382\n")
    got = _claims(kb, text, "2024-11-21")
    assert ("lam-research", "revenue", 14905.0, "usd_m", "FY2024") in got
    calendar = _claims(kb, text.replace("Jul - Jun", "Jan - Dec"), "2024-11-21")
    assert ("lam-research", "revenue", 14905.0, "usd_m", "2024") in calendar


def test_a_header_on_two_bar_lines_with_an_empty_cell_and_a_firm_named_once_in_the_heading(kb: KnowledgeBase
                                                                                           ) -> None:
    """A financial-data page: the heading names the firm once and no other firm; the header runs on two lines, the
    second with an empty last cell ("Period Ending | Dec 31, 2024 | ... |"); the unit is in the line above."""
    text = ("Hygon Information Technology Co., Ltd. (SHA:688041)\n\nSHA:688041 Income Statement\n\n"
            "Financials in millions CNY. Fiscal year is January - December.\n\n"
            "Fiscal Year | FY 2024 | FY 2023 | 2019 - 2018\n"
            "Period Ending | Dec 31, 2024 | Dec 31, 2023 |\n"
            "Revenue | 9,162 | 6,012 | Upgrade\n"
            "Operating Income | 2,466 | 1,253 | Upgrade\n"
            "Net Income | 1,931 | 1,263 | Upgrade\n")
    got = _claims(kb, text, "2025-03-14")
    assert {("hygon", "revenue", 9162.0, "cny_m", "2024"), ("hygon", "revenue", 6012.0, "cny_m", "2023"),
            ("hygon", "operating_profit", 2466.0, "cny_m", "2024"),
            ("hygon", "net_profit", 1263.0, "cny_m", "2023")} <= got


def test_fiscal_years_stated_in_words() -> None:
    from chipshift.ingest.tables import _stated_fiscal_year_end

    assert _stated_fiscal_year_end("Millions USD. Fiscal year is Jul - Jun.") == 6
    assert _stated_fiscal_year_end("for the fiscal year ended June 30, 2024") == 6
    assert _stated_fiscal_year_end("The fiscal year ends in September.") == 9
    assert _stated_fiscal_year_end("Fiscal year is Jan - Dec.") == 12
    assert _stated_fiscal_year_end("fiscal year ends may vary by subsidiary") is None
    assert _stated_fiscal_year_end("Revenue in millions") is None


def test_a_chinese_quarterly_reports_key_data_are_read_by_their_reporting_period(kb: KnowledgeBase) -> None:
    """The key-data table of a listed Chinese firm's quarterly report: "This reporting period" is the quarter the
    report's title names, "From the start of the year to the end of the reporting period" the months from January to
    its end, each change column year on year ("Change on same period last year"); "Unit: yuan" gives figures to the
    yuan; the profit "after deducting non-recurring gains and losses" is an adjusted measure, left out."""
    text = ("Hygon Information Technology Co., Ltd.\nThird Quarter 2024 Report\n\n1. Key financial data\n\n"
            "Unit: yuan   Currency: RMB\n\n"
            "Item | This reporting period | Change on same period last year (%) | From the start of the year to the "
            "end of the reporting period | Change on same period last year (%)\n"
            "Operating revenue | 2,373,626,390.69 | 78.33 | 6,136,539,009.22 | 55.64\n"
            "Net profit attributable to shareholders of the listed company | 672,322,399.64 | 199.90 | "
            "1,525,718,345.30 | 69.22\n"
            "Net profit after deducting non-recurring gains and losses | 657,262,358.95 | 205.85 | "
            "1,474,892,762.63 | 76.87\n")
    got = {(c["metric"], round(c["value"], 2), c["unit"], c["period"])
           for c in analyse(Extracted(text, "text"), kb, date_given="2024-10-31")["claims"]}
    assert got == {("revenue", 2373.63, "cny_m", "2024Q3"), ("revenue_growth", 78.33, "pct_yoy", "2024Q3"),
                   ("revenue", 6136.54, "cny_m", "2024Q1..2024Q3"),
                   ("revenue_growth", 55.64, "pct_yoy", "2024Q1..2024Q3"),
                   ("net_profit", 672.32, "cny_m", "2024Q3"), ("net_profit", 1525.72, "cny_m", "2024Q1..2024Q3")}
