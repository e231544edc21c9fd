"""The bundled dataset: clean, and covering what the project promises."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from chipshift import api, checks
from chipshift.config import Settings, store_location
from chipshift.domain.period import Period
from chipshift.io.bundled import load_bundle
from chipshift.io.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _facts() -> list[dict[str, object]]:
    return [r.values for r in load_bundle()["facts"].rows]


def _publisher(source_id: str) -> str:
    row = next(r for r in load_bundle()["sources"].rows if r["id"] == source_id)
    return f"{row['publisher']} {row['original_publisher'] or ''}"


def test_validates_without_errors() -> None:
    problems = checks.validate(load_bundle())
    errors = [str(p) for p in problems if p.severity == "error"]
    assert errors == []


def test_validates_with_cset_references(bundled_store: Store) -> None:
    report = api.validate_data(Settings(store_path=store_location(bundled_store.path)), bundled_store)
    assert report.errors == 0
    assert not [p for p in report.problems if "import the CSET dataset" in p.message]


def test_every_rule_changes_a_figure_or_says_why(bundled_store: Store) -> None:
    """Over the bundled data with CSET, each rule either changes some availability figure for the buyers it
    targets or carries the reason it cannot ('unquantified'), and no reason is left on a rule that does."""
    report = api.validate_data(Settings(store_path=store_location(bundled_store.path)), bundled_store)
    about_reach = [p for p in report.problems if p.field == "unquantified"]
    assert [p.message for p in about_reach if p.severity != "notice"] == []
    reasons = {r["id"] for r in load_bundle()["rules"].rows if r["unquantified"]}
    assert len(about_reach) == len(reasons) > 0


def test_dram_shares_quarterly() -> None:
    quarters: dict[str, set[str]] = defaultdict(set)
    for f in _facts():
        if f["metric"] == "market_share" and f["product"] == "dram" and f["region"] == "WLD":
            quarters[str(f["entity"])].add(str(f["period"]))
    wanted = {f"{y}Q{q}" for y in range(2021, 2026) for q in range(1, 5)}
    first, last = Period.parse("2021Q2").start, Period.parse("2025Q3").start
    wanted = {p for p in wanted if first <= Period.parse(p).start <= last}
    for firm in ("samsung", "sk-hynix", "micron"):
        assert len(quarters[firm] & wanted) >= 14, (firm, sorted(wanted - quarters[firm]))
    assert quarters["cxmt"]
    sizes = {f["period"] for f in _facts() if f["metric"] == "market_size" and f["product"] == "dram"}
    assert len(sizes) >= 12


def test_hbm_and_nand_shares_include_ymtc() -> None:
    shares = {(f["entity"], f["product"]) for f in _facts() if f["metric"] == "market_share"}
    for firm in ("samsung", "sk-hynix", "micron"):
        assert (firm, "hbm") in shares and (firm, "nand") in shares
    assert ("ymtc", "nand") in shares


def test_competing_localization_estimates_kept_apart() -> None:
    estimates = [f for f in _facts() if f["metric"] == "localization_rate" and f["product"] == "ai_accelerator"]
    publishers = " ".join(_publisher(str(f["source"])) for f in estimates)
    for name in ("TrendForce", "IDC", "Morgan Stanley", "Bernstein"):
        assert name in publishers, name
    values_2025 = {f["value"] for f in estimates if f["period"] == "2025"}
    assert {40.0, 41.0} <= values_2025
    # 37% is stated by one source only: Bernstein's pre-ban projection of 2025 demand (its note of 17 July 2025);
    # no other estimate may carry it
    assert {(f["source"], f["period"], f["status"]) for f in estimates if f["value"] == 37.0} == {
        ("sdyanbao-20250717-bernstein-china-ai-chip-supply-demand", "2025", "forecast")}
    vendors = {f["entity"] for f in _facts() if f["metric"] == "market_share" and f["product"] == "ai_accelerator"}
    assert {"nvidia", "huawei", "cambricon"} <= vendors


def test_micron_china_exposure_definitions() -> None:
    rows = [f for f in _facts() if f["entity"] == "micron" and f["metric"] == "revenue_share_region"]
    by_period = {(f["period"], f["value"]) for f in rows}
    assert ("FY2023", 14.03) in by_period and ("FY2025", 7.1) in by_period
    definitions = {str(f["definition"]) for f in rows}
    assert any(d == "mainland China" for d in definitions)
    assert any("headquartered" in d for d in definitions)


def test_firm_financials() -> None:
    facts = _facts()
    cambricon = {(f["metric"], f["period"]) for f in facts if f["entity"] == "cambricon"}
    for quarter in ("2025Q1", "2025Q2", "2025Q3"):
        assert ("revenue", quarter) in cambricon
    assert ("net_profit", "2025Q3") in cambricon and ("revenue", "2024") in cambricon
    nvidia = {f["metric"] for f in facts if f["entity"] == "nvidia"}
    assert {"revenue_share_region", "charge"} <= nvidia
    assert any("h20" in str(f["id"]) for f in facts if f["entity"] == "nvidia")


def test_trade_and_exchange_rates() -> None:
    metrics = {(f["entity"], f["metric"]) for f in _facts()}
    assert {("CHN", "imports"), ("CHN", "equipment_purchases"), ("CNY", "exchange_rate")} <= metrics


def test_every_restriction_event_is_a_rule() -> None:
    with (SHARED / "restrictions" / "events.csv").open(encoding="utf-8") as f:
        events = {r["id"] for r in csv.DictReader(f)}
    rules = load_bundle()["rules"].rows
    assert len(events) == 55
    assert events <= {r["id"] for r in rules}  # the bundle may hold rules beyond the shared event list
    for rule in rules:
        assert rule["source"] and rule["quote"]


def test_every_fact_has_a_source_with_url_and_date() -> None:
    bundle = load_bundle()
    sources = {r["id"]: r for r in bundle["sources"].rows}
    for fact in bundle["facts"].rows:
        source = sources[fact["source"]]
        assert source["url"].startswith("http") and source["published"] and fact["quote"]


def test_thresholds_on_attributes_stated_by_performance_facts_are_not_flagged() -> None:
    """The AI-chip rules' TPP and performance-density thresholds resolve from the chips' default performance
    facts (as the engine reads them), and HBM's memory bandwidth density from its own (a lower bound), so
    validation does not warn that no input carries them."""
    warned = {str(p.message).split("'")[1] for p in checks.validate(load_bundle())
              if p.check == "rule_thresholds" and "no input carries" in p.message}
    assert {"tpp", "performance_density", "process_node_nm", "memory_bandwidth_density"}.isdisjoint(warned)


def test_review_of_the_bundled_facts(bundled_store: Store) -> None:
    from datetime import date

    report = api.review(bundled_store, older_than_years=3, today=date(2026, 12, 3))
    summary = report.summary
    assert summary.weak_defaults_with_better_source == 0 and summary.groups_without_default == 0
    # every weak-only fact rests on a weak source, and no fact of its quantity rests on a better one
    facts = bundled_store.facts()
    better = {tuple(f[c] for c in checks.QUANTITY_COLUMNS) for f in facts if f["reliability"] != "weak"}
    by_id = {f["id"]: f for f in facts}
    for row in report.weak_only:
        fact = by_id[row.id]
        assert fact["reliability"] == "weak" and tuple(fact[c] for c in checks.QUANTITY_COLUMNS) not in better
    assert summary.weak_only == len(report.weak_only) and summary.weak_only_share_pct == pytest.approx(
        100 * len(report.weak_only) / len(facts), abs=1e-4)
    assert report.as_report()["today"] == "2026-12-03"
    # no series is older than a century; every series is older than zero years from a date far ahead
    assert api.review(bundled_store, older_than_years=100).stale == ()
    ahead = api.review(bundled_store, older_than_years=0, today=date(2100, 1, 1))
    assert len(ahead.stale) == len({tuple(f[c] for c in ("entity", "metric", "product", "region", "segment",
                                                               "basis")) for f in facts})
