"""Tables in their several shapes: units and scales stated in headers, tables flattened onto one line or one cell to
a line, and statement rows; each checked on a small hand-written text against hand-computed claims."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chipshift.ingest.kb import KnowledgeBase
from chipshift.ingest.ledger import analyse
from chipshift.ingest.tables import Unit, _unit
from chipshift.ingest.text import Extracted


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
