"""The example article (read from ../shared at test time): what the issue requires the reader to find."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chipshift.ingest.command import read_document
from chipshift.ingest.kb import KnowledgeBase

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)


@pytest.fixture(scope="module")
def report(kb: KnowledgeBase, example_path: Path) -> dict[str, Any]:
    return read_document(example_path.name, example_path.read_bytes(), kb, "2025-10-20", None)


def _span_text(report: dict[str, Any], span: list[int]) -> str:
    return str(report["document"]["text"][span[0]:span[1]])


def test_events_micron_exit_and_2023_ban(report: dict[str, Any]) -> None:
    events = report["events"]
    exit_ = [e for e in events if e["kind"] == "market_exit" and e["imposed_by"] == "micron"]
    assert exit_ and "CHN" in exit_[0]["targets"]["countries"] and "data_center" in exit_[0]["targets"]["segments"]
    assert exit_[0]["known_rule"] == "E-MICRON-EXIT-OCT2025"
    ban = [e for e in events if e["kind"] == "procurement_ban" and e["imposed_by"] == "CHN"]
    assert ban and ban[0]["sellers"]["firms"] == ["micron"] and ban[0]["announced"] == "2023"
    assert ban[0]["known_rule"] == "E-CN-MICRON-2023"
    rule = ban[0]["candidate_rule"]
    assert rule["origin"] == "document" and "from document, unreviewed" in rule["gaps"]
    assert rule["kind"] == "procurement_ban" and rule["targets"]["segments"] == ["critical_information_infrastructure"]


def test_fold_vs_percent_inconsistency(report: dict[str, Any]) -> None:
    found = [f for f in report["findings"] if f["check"] == "fold_vs_percent"]
    assert len(found) == 1 and found[0]["severity"] == "warning"
    texts = {_span_text(report, s) for s in found[0]["spans"]}
    assert texts == {"14-fold", "1,400%"}
    assert "1,300%" in found[0]["message"] and "15 times" in found[0]["message"]


def test_conversion_consistent(report: dict[str, Any]) -> None:
    found = [f for f in report["findings"] if f["check"] == "conversion"]
    assert len(found) == 1 and found[0]["severity"] == "info"
    assert "567 million yuan ($79.6 million)" in found[0]["message"]
    assert abs(found[0]["details"]["implied_rate"] - 7.123) < 0.01


def test_ninefold_investment_to_25_billion_rmb(report: dict[str, Any]) -> None:
    claims = {(c["metric"], c["value"], c["unit"]): c for c in report["claims"] if c["entity"] == "CHN"}
    assert ("investment_growth", 9.0, "ratio") in claims
    invest = claims[("investment", 25.0, "cny_bn")]
    assert invest["period"] == "2024" and invest["approx"] is True


def test_reference_list_with_urls(report: dict[str, Any]) -> None:
    refs = report["references"]
    assert [r["number"] for r in refs] == [1, 2, 3, 4]
    assert all(r["url"] and r["url"].startswith("https://www.") for r in refs)
    assert [r["publisher"] for r in refs] == ["Reuters", "Bloomberg", "Tech in Asia", "Brookings Institution"]
    assert refs[3]["author"] == "Villasenor, J" and refs[0]["date"] == "2025-10-17"
    assert refs[1]["url"].endswith("cambricon-s-sales-soar-14-fold-with-nvidia-shut-out")


def test_citations_checked(report: dict[str, Any]) -> None:
    mismatch = [f for f in report["findings"] if f["check"] == "citation_mismatch"]
    assert len(mismatch) == 1 and "[2]" in mismatch[0]["message"] and "Micron" in mismatch[0]["message"]
    uncited = [f for f in report["findings"] if f["check"] == "citation_missing"]
    assert any("14-fold" in f["message"] for f in uncited)


def test_knowledge_base_comparison(report: dict[str, Any]) -> None:
    by_text = {c["text"]: c for c in report["claims"]}
    assert by_text["567 million yuan"]["kb"] == "agrees"
    assert by_text["1,400%"]["kb"] == "disagrees"
    disagree = [f for f in report["findings"] if f["check"] == "kb" and f["severity"] == "warning"]
    assert disagree and disagree[0]["details"]["stored"][0]["url"].startswith("http")


def test_loaded_language_flagged_apart_from_claims(report: dict[str, Any]) -> None:
    loaded = {x["text"].lower(): x["category"] for x in report["loaded_language"]}
    for word in ("staggering", "self-sabotage", "skyrocketed", "kneecap"):
        assert word in loaded
    assert loaded["self-sabotage"] == "value_judgement"
    claim_spans = [c["span"] for c in report["claims"]]
    assert not any(s[0] <= x["span"][0] < s[1] for x in report["loaded_language"] for s in claim_spans)
