"""Claims against the knowledge base: a figure is said to disagree only with a stored figure of the same measure
(period, product, region, the whole firm, a measurement), each case on hand-made facts against the documented
semantics of `kbcheck.against_kb`."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from chipshift.ingest.kb import KnowledgeBase, Named
from chipshift.ingest.kbcheck import against_kb
from chipshift.ingest.ledger import analyse
from chipshift.ingest.model import RANKED_REVENUE, Claim
from chipshift.ingest.text import Extracted


def _kb(*facts: dict[str, Any], fiscal_year_end: int | None = 12) -> KnowledgeBase:
    firms = {"acme": Named("acme", "Acme", (), "firm", "USA", fiscal_year_end)}
    return KnowledgeBase(firms=firms, facts=[{"id": f"f{i}", "entity": "acme", "status": "reported",
                                              "publisher": "Filing", "url": "https://example.com", "quote": "q",
                                              "product": None, "region": None, "segment": "all", **f}
                                             for i, f in enumerate(facts)])


def _claim(value: float, unit: str = "usd_bn", *, metric: str = "revenue", period: str = "2024",
           product: str | None = None, region: str | None = None, definition: str | None = None,
           text: str = "") -> Claim:
    return Claim(id=f"c{value}", entity="acme", entity_name="Acme", metric=metric, value=value, unit=unit,
                 period=period, start=0, end=1, quantity=(0, 1), sentence=(0, 1), product=product, region=region,
                 definition=definition, precision=0.05, text=text or str(value))


def _verdict(kb: KnowledgeBase, *claims: Claim, written: date | None = None) -> list[str]:
    against_kb(list(claims), kb, written)
    return [c.kb for c in claims]


def test_a_figure_disagrees_only_with_the_same_measure() -> None:
    kb = _kb({"metric": "revenue", "period": "2024", "value": 10.0, "unit": "usd_bn"})
    assert _verdict(kb, _claim(10.1)) == ["agrees"]  # within 2%
    assert _verdict(kb, _claim(12.0)) == ["disagrees"]
    assert _verdict(kb, _claim(12.0, period="2023")) == ["new"]


def test_no_product_named_is_unlike_a_products_figure_but_may_agree_with_it() -> None:
    """Samsung's foundry share read with no product is not compared with its DRAM share; an equal figure is still
    taken as agreeing, saying what it is stored as."""
    kb = _kb({"metric": "market_share", "period": "2024Q4", "value": 39.3, "unit": "pct", "product": "dram",
              "region": "WLD"})
    assert _verdict(kb, _claim(8.1, "pct", metric="market_share", period="2024Q4")) == ["not_comparable"]
    assert _verdict(kb, _claim(39.3, "pct", metric="market_share", period="2024Q4")) == ["agrees"]
    assert _verdict(kb, _claim(8.1, "pct", metric="market_share", period="2024Q4", product="hbm")) == \
        ["not_comparable"]
    assert _verdict(kb, _claim(30.0, "pct", metric="market_share", period="2024Q4", product="dram",
                               region="WLD")) == ["disagrees"]


def test_a_region_named_on_one_side_only_is_unlike() -> None:
    kb = _kb({"metric": "revenue_share_region", "period": "2024", "value": 36.0, "unit": "pct", "region": "CHN"})
    assert _verdict(kb, _claim(50.0, "pct", metric="revenue_share_region")) == ["not_comparable"]
    assert _verdict(kb, _claim(50.0, "pct", metric="revenue_share_region", region="CHK")) == ["disagrees"]


@pytest.mark.parametrize("unlike", [{"status": "forecast"}, {"segment": "consumer"}])
def test_a_forecast_or_a_segments_figure_is_never_disagreed_with(unlike: dict[str, Any]) -> None:
    kb = _kb({"metric": "revenue", "period": "2024", "value": 10.0, "unit": "usd_bn", **unlike})
    assert _verdict(kb, _claim(30.0)) == ["not_comparable"]


def test_a_firms_revenue_in_a_ranking_is_unlike_its_reported_revenue() -> None:
    kb = _kb({"metric": "revenue", "period": "2025", "value": 52.9, "unit": "usd_bn"})
    assert _verdict(kb, _claim(47.9, definition=RANKED_REVENUE, period="2025")) == ["not_comparable"]


def test_fiscal_labels_of_a_firm_whose_fiscal_year_is_unknown_are_unlike_calendar_ones() -> None:
    fact = {"metric": "revenue", "period": "FY2022Q3", "value": 4.06, "unit": "usd_bn"}
    assert _verdict(_kb(fact, fiscal_year_end=None), _claim(5.07, period="2022Q3")) == ["not_comparable"]
    assert _verdict(_kb(fact, fiscal_year_end=12), _claim(5.07, period="2022Q3")) == ["disagrees"]


def test_a_second_figure_of_one_measure_in_one_unit_is_not_disagreed_with() -> None:
    """When the document gives two values of one measure in one unit and one agrees, the other was most likely
    read for something else; the same measure written as a fold and a percentage keeps its disagreement (the gap
    is the document's own)."""
    kb = _kb({"metric": "revenue", "period": "2024", "value": 44.1, "unit": "usd_bn"},
             {"metric": "revenue_growth", "period": "2024", "value": 14.33, "unit": "ratio"})
    assert _verdict(kb, _claim(44.1), _claim(4.6)) == ["agrees", "not_comparable"]
    fold = _claim(14.0, "ratio", metric="revenue_growth")
    percent = _claim(1400.0, "pct_change", metric="revenue_growth")
    assert _verdict(kb, fold, percent) == ["agrees", "disagrees"]


def test_a_months_change_of_unnamed_basis_is_not_compared_with_a_year_on_year_one() -> None:
    """A month's change the text does not say is on the year before ("almost +20% on April") may be on the month
    before: not set against a stored year-on-year change; a quarter's or a year's still is."""
    kb = _kb({"metric": "trade_growth", "period": "2024-05", "value": 9.0, "unit": "pct_yoy"},
             {"metric": "trade_growth", "period": "2024Q2", "value": 9.0, "unit": "pct_yoy"})
    assert _verdict(kb, _claim(20.0, "pct_change", metric="trade_growth", period="2024-05")) == ["not_comparable"]
    assert _verdict(kb, _claim(20.0, "pct_yoy", metric="trade_growth", period="2024-05")) == ["disagrees"]
    assert _verdict(kb, _claim(20.0, "pct_change", metric="trade_growth", period="2024Q2")) == ["disagrees"]
    assert _verdict(kb, _claim(9.0, "pct_change", metric="trade_growth", period="2024Q2")) == ["agrees"]


def test_an_expectation_for_a_period_not_yet_ended_is_not_disagreed_with() -> None:
    kb = _kb({"metric": "revenue", "period": "2023", "value": 7.25, "unit": "usd_bn"})
    assert _verdict(kb, _claim(2.2, period="2023"), written=date(2023, 3, 8)) == ["not_comparable"]
    assert _verdict(kb, _claim(7.25, period="2023"), written=date(2023, 3, 8)) == ["agrees"]
    assert _verdict(kb, _claim(5.0, period="2023"), written=date(2024, 2, 1)) == ["disagrees"]


def test_a_disagreement_names_what_the_stored_figure_measures() -> None:
    kb = _kb({"metric": "revenue", "period": "2024", "value": 10.0, "unit": "usd_bn",
              "definition": "net revenue as reported"})
    findings = against_kb([_claim(12.0)], kb)
    assert findings[0].severity == "warning" and "net revenue as reported" in findings[0].message


def test_each_amount_takes_the_product_written_after_it(kb: KnowledgeBase) -> None:
    text = ("China's exports of both metals rose. In November, 1,530 kilograms of gallium and 721 kilograms of "
            "germanium left the country, according to figures from China's customs authority.")
    report = analyse(Extracted(text, "text"), kb, date_given="2023-12-20")
    products = {c["value"]: c["product"] for c in report["claims"] if c["metric"] == "exports"}
    assert products == {1530.0: "gallium", 721.0: "germanium"}


def test_revenue_in_a_ranking_of_firms_is_the_ranked_markets(kb: KnowledgeBase) -> None:
    text = ("Chip vendors grew fast last year.\n\n"
            "Top vendors by revenue, worldwide, 2025 (millions of U.S. dollars)\n\n"
            "Rank | Vendor | 2025 Revenue | 2025 Market Share (%)\n"
            "1 | NVIDIA | 125,703 | 15.8\n2 | Intel | 47,883 | 6.0\n")
    report = analyse(Extracted(text, "text"), kb, date_given="2026-02-01")
    revenue = [c for c in report["claims"] if c["metric"] == "revenue"]
    assert revenue and all(c["definition"] == RANKED_REVENUE for c in revenue)
    assert all(c["kb"] != "disagrees" for c in revenue)


def test_a_level_more_than_twice_or_under_half_every_like_stored_one_is_not_compared() -> None:
    """Estimates of one quantity differ by less than twice: 45,290 tonnes against a stored 5,473 is another quantity
    (a year to date against a month) or scale, said as "not compared" with the ratio, not "disagrees"; a change is
    still compared, and a level within twice still disagrees."""
    kb = _kb({"metric": "revenue", "period": "2024", "value": 10.0, "unit": "usd_bn"},
             {"metric": "revenue_growth", "period": "2024", "value": 5.0, "unit": "pct_change"})
    assert _verdict(kb, _claim(25.0)) == ["not_comparable"]
    assert _verdict(kb, _claim(4.0)) == ["not_comparable"]
    assert _verdict(kb, _claim(19.0)) == ["disagrees"]
    assert _verdict(kb, _claim(30.0, "pct_change", metric="revenue_growth")) == ["disagrees"]
    findings = against_kb([_claim(25.0)], kb)
    assert "2.5 times the stored 10" in findings[0].message


def test_a_bound_agrees_with_every_stored_value_on_its_side() -> None:
    """"topped $100 billion" agrees with a stored $159 billion and disagrees with $90 billion; "less than $100
    billion" the other way round; the bound is read from the words before the figure."""
    kb_high = _kb({"metric": "revenue", "period": "2024", "value": 159.0, "unit": "usd_bn"})
    kb_low = _kb({"metric": "revenue", "period": "2024", "value": 90.0, "unit": "usd_bn"})
    at_least = dataclasses.replace(_claim(100.0), bound="min")
    at_most = dataclasses.replace(_claim(100.0), bound="max")
    assert _verdict(kb_high, dataclasses.replace(at_least)) == ["agrees"]
    assert _verdict(kb_low, dataclasses.replace(at_least)) == ["disagrees"]
    assert _verdict(kb_low, dataclasses.replace(at_most)) == ["agrees"]
    assert _verdict(kb_high, dataclasses.replace(at_most)) == ["disagrees"]
    assert _verdict(kb_high, _claim(100.0)) == ["disagrees"]


def test_the_words_before_a_figure_make_it_a_bound(kb: KnowledgeBase) -> None:
    """"have topped $100 billion" is a lower bound, "were less than $90 billion" an upper one, "came to $50
    billion" neither; the ledger says which."""
    text = ("China's exports of integrated circuits have topped $100 billion in 2023. Korea's chip exports were less "
            "than $90 billion in 2019. Japan's chip exports came to $50 billion in 2019.")
    rows = analyse(Extracted(text, "text"), kb, date_given="2025-03-01")["claims"]
    assert {r["value"]: r["bound"] for r in rows} == {100.0: "min", 90.0: "max", 50.0: None}
