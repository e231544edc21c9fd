"""`ingest_command`: files and stdin in, a JSON-ready report out; --accept stores in one transaction; bad input
stores nothing."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipshift import api
from chipshift.config import Settings
from chipshift.errors import DataError
from chipshift.ingest.command import ingest_command, render_html, table_view
from chipshift.io.store import Store
from tests.conftest import StoreAt

URL = "https://example.org/opinion/chip-war"


@pytest.fixture
def store(store_at: StoreAt) -> Iterator[Store]:
    with api.open_store(Settings(store_path=store_at("store"))) as opened:
        yield opened


def test_report_and_views(store: Store, example_path: Path) -> None:
    report = ingest_command(store, [str(example_path)], URL, "2025-10-20", False)
    assert report["files"] == 1 and report["accepted"] is False and report["stored"] is None
    assert report["documents"][0]["claims"] == len(report["claims"]) > 0
    assert {r["document"] for r in report["claims"]} == {str(example_path)}
    table = table_view(report)
    assert "details" not in table and set(table["claims"][0]) >= {"metric", "value", "unit", "period", "kb"}
    html = render_html(report)
    assert html.startswith("<!doctype html>") and "class='claim'" in html and "sev-warning" in html
    assert "1,400%" in html and "&lt;" not in html.split("<div class='doc'>")[1][:50]


def test_accept_stores_claims_source_and_rules_in_one_transaction(store: Store, example_path: Path) -> None:
    before = store.count("facts"), store.count("rules"), store.count("sources")
    report = ingest_command(store, [str(example_path)], URL, "2025-10-20", True)
    stored = report["stored"]
    source_id = stored["source_ids"][0]
    facts = store.facts(source=source_id)
    assert len(facts) == stored["facts"] > 0 and all(f["status"] == "claim" for f in facts)
    assert {f["url"] for f in facts} == {URL}
    rules = store.rules_of_source(source_id)
    assert len(rules) == stored["rules"] >= 2
    assert all(r["origin"] == "document" and "from document, unreviewed" in r["gaps"] for r in rules)
    assert store.count("sources") == before[2] + 1
    # accepting again replaces, it does not duplicate
    ingest_command(store, [str(example_path)], URL, "2025-10-20", True)
    assert (store.count("facts"), store.count("rules")) == (before[0] + stored["facts"], before[1] + stored["rules"])


def test_accept_needs_an_address(store: Store, example_path: Path) -> None:
    n = store.count("facts")
    with pytest.raises(DataError, match="--url"):
        ingest_command(store, [str(example_path)], None, "2025-10-20", True)
    assert store.count("facts") == n


def test_one_bad_file_means_nothing_is_stored(store: Store, example_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02 binary")
    counts = store.count("facts"), store.count("rules"), store.count("sources")
    with pytest.raises(DataError) as err:
        ingest_command(store, [str(example_path), str(bad), str(tmp_path / "missing.txt")], URL, "2025-10-20", True)
    assert len(err.value.problems) == 2 and "binary" in str(err.value) and "cannot read" in str(err.value)
    assert (store.count("facts"), store.count("rules"), store.count("sources")) == counts


def test_stdin_and_bad_date(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"Cambricon posted revenue of 1.727 billion yuan in Q3, up 1332.52% year on year."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    report = ingest_command(store, ["-"], None, "2025-10-20", False)
    assert report["documents"][0]["name"] == "-"
    assert {(c["metric"], c["period"]) for c in report["claims"]} == {("revenue", "2025Q3"),
                                                                       ("revenue_growth", "2025Q3")}
    with pytest.raises(DataError, match="not a date"):
        ingest_command(store, ["-"], None, "20-10-2025", False)


def test_no_input_at_all(store: Store) -> None:
    with pytest.raises(DataError, match="give one or more files"):
        ingest_command(store, [], None, None, False)


def test_a_share_of_a_segment_the_knowledge_base_lacks_is_reported_not_stored(store: Store, tmp_path: Path) -> None:
    """A claim whose product is only the text's words ("3-nanometer") is in the ledger but not stored: the reason
    names the product."""
    doc = tmp_path / "tsmc.txt"
    doc.write_text("TSMC published its third-quarter results.\n\n3-nanometer shipments made up 20% of total wafer "
                   "revenue in the third quarter of 2024.\n", encoding="utf-8")
    n = store.count("facts")
    report = ingest_command(store, [str(doc)], URL, "2024-10-17", True)
    (share,) = [c for c in report["claims"] if c["metric"] == "revenue_share_product"]
    assert share["product"] == "3-nanometer"
    assert {"claim": share["id"], "reason": "product '3-nanometer' (as the text names it) is not in the knowledge "
                                            "base"} in report["stored"]["skipped"]
    assert store.count("facts") == n + report["stored"]["facts"]
    assert not any(f["product"] == "3-nanometer" for f in store.facts(source=report["stored"]["source_ids"][0]))


def test_a_listed_firm_outside_the_data_is_reported_not_stored(store: Store, tmp_path: Path) -> None:
    """An entity listing of a firm the knowledge base does not hold is in the events, under an id made from its
    name, and not stored as a rule: the reason names that id."""
    doc = tmp_path / "listing.txt"
    doc.write_text("On Monday the US Commerce Department added Hunan Goke Microelectronics Co., Ltd. to its Entity "
                   "List.\n", encoding="utf-8")
    n = store.count("rules")
    report = ingest_command(store, [str(doc)], URL, "2021-11-24", True)
    (event,) = report["events"]
    assert (event["kind"], event["imposed_by"], event["targets"]["firms"]) == (
        "entity_listing", "USA", ["hunan-goke-microelectronics"])
    assert {"event": event["id"], "reason": "firm 'hunan-goke-microelectronics' (an id made from its name in the "
                                            "text) is not in the knowledge base"} in report["stored"]["skipped"]
    assert store.count("rules") == n


def test_a_bound_is_shown_as_one(store: Store, tmp_path: Path) -> None:
    """A figure given as a bound is said to be one: "at least" in the page's highlight, its bound in the ledger and
    in the terminal table."""
    article = tmp_path / "bound.txt"
    article.write_text("China's exports of integrated circuits have topped $100 billion in 2023.", encoding="utf-8")
    report = ingest_command(store, [str(article)], None, "2024-03-01", False)
    assert [c["bound"] for c in report["claims"]] == ["min"]
    assert table_view(report)["claims"][0]["bound"] == "min"
    assert "= at least 100 usd_bn" in render_html(report)
