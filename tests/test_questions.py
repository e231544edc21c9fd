"""The analysts' questions of docs/questions.md, asked of the bundled data through the functions their commands call:
each answer must hold the sourced figure the page shows (a change to the data or the code that loses it fails here)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chipshift import api
from chipshift.config import Settings
from chipshift.io.store import Store
from tests.conftest import StoreAt

REPO = Path(__file__).resolve().parents[1]
CSL = REPO.parent / "shared" / "data" / "csl" / "consolidated.json"


def _facts(store: Store, entity: str | None = None, metric: str | None = None,
           product: str | None = None) -> list[dict[str, Any]]:
    return [f.as_report() for f in api.list_facts(store, entity, metric, product).facts]


def _values(facts: list[dict[str, Any]], **where: Any) -> set[float]:
    return {f["value"] for f in facts if all(f[k] == v for k, v in where.items())}


def _default(facts: list[dict[str, Any]], **where: Any) -> float:
    [value] = [f["value"] for f in facts if f["default"] and all(f[k] == v for k, v in where.items())]
    return float(value)


@pytest.fixture(scope="module")
def listed_store(session_store_at: StoreAt) -> Iterator[Store]:
    """The bundled data with the screening list imported (question 13), without CSET: NAND's shares are facts."""
    settings = Settings(store_path=session_store_at("questions"))
    with api.open_store(settings) as store:
        api.import_csl(store, CSL)
        yield store


def test_q1_smic_advanced_node_capacity(bundled_store: Store) -> None:
    facts = _facts(bundled_store, "smic", "capacity", "advanced_logic")
    assert _default(facts, period="2025") == 50_000 and _values(facts, period="2027") == {80_000}


def test_q2_huawei_ai_chip_capacity(bundled_store: Store) -> None:
    facts = _facts(bundled_store, "huawei", "capacity", "ai_accelerator")
    [cap] = [f for f in facts if f["period"] == "2025"]
    assert (cap["value"], cap["unit"], cap["original_publisher"]) == (200_000, "units", "Reuters")
    assert "at or below 200,000" in cap["quote"]
    assert _default(_facts(bundled_store, "smic", "production", "ai_accelerator"), period="2025") == 7_000
    output = _facts(bundled_store, "huawei", "production")
    # Bloomberg (September 2025): about 600,000 910C and up to 1.6 million Ascend dies planned for 2026, at most
    # 1 million dies in 2025; the Financial Times (via DIGITIMES): 200,000 910B made in 2024
    assert _default(output, product="huawei_ascend_910c", period="2026") == 600_000
    assert _default(output, product="ai_accelerator", period="2026") == 1_600_000
    assert _default(output, product="ai_accelerator", period="2025") == 1_000_000
    assert _default(output, product="huawei_ascend_910b", period="2024") == 200_000
    assert _values(output, product="huawei_ascend_910c", period="2025") == {100_000}  # February's plan, as reported
    sales = _facts(bundled_store, "huawei", "shipments", "huawei_ascend_910c")
    assert _default(sales, period="2025") == 200_000


def test_q3_chip_tool_imports_by_origin(bundled_store: Store) -> None:
    facts = _facts(bundled_store, "CHN", "imports", "sme")
    litho_series = {"digitimes-20240124-china-ic-equipment-imports-2023",  # Dutch lithography counts, checked below
                    "trendforce-20240327-china-lithography-imports-nld",
                    "evertiq-202312-scmp-china-lithography-imports-nov"}
    by_origin = {(f["region"], f["period"]): f["value"] for f in facts
                 if f["region"] and f["source"] not in litho_series}
    assert by_origin == {("JPN", "2022"): 10.736, ("JPN", "2024"): 9.63, ("NLD", "2024"): 9.53,
                         ("SGP", "2024"): 4.86, ("USA", "2024"): 3.18, ("USA", "2021"): 3.69,
                         ("KOR", "2024"): 1.61, ("USA", "2023-01..2023-02"): 0.52, ("JPN", "2023-06"): 804,
                         ("NLD", "2023Q3"): 2.44, ("SGP", "2023-04"): 407, ("SGP", "2024-01..2024-09"): 5.18786,
                         ("NLD", "2025Q3"): 50, ("NLD", "2023-12"): 1.1,  # December's Dutch lithography tools
                         # derived from the 2024 values and their stated growth (Nikkei) or 2022's fall (JW Insights)
                         ("JPN", "2023"): 7.51, ("NLD", "2023"): 7.24, ("USA", "2023"): 2.85, ("JPN", "2021"): 12.92}
    derived = {(f["region"], f["period"]) for f in facts if f["region"] and "derived" in (f["note"] or "")}
    assert derived == {("JPN", "2023"), ("NLD", "2023"), ("USA", "2023"), ("JPN", "2021")}
    [litho] = [f for f in facts if f["region"] == "NLD" and f["period"] == "2025Q3"]
    assert litho["unit"] == "units" and "lithography" in litho["definition"]  # tools counted, not a value
    # the narrower customs series (IC-making machines, HS 8486.20; front-end tools) beside the all-equipment totals
    def is_narrow(f: dict[str, Any]) -> bool:
        return any(k in f["definition"] for k in ("8486.20", "IC manufacturing", "front-end"))
    narrow = {(f["period"], f["unit"]): f["value"] for f in facts if not f["region"] and f["default"] and is_narrow(f)}
    assert narrow == {("2023", "usd_bn"): 27.4, ("2023", "units"): 11_885, ("2022-05", "usd_bn"): 1.57,
                      ("2023-05", "usd_bn"): 1.36, ("2025Q3", "usd_bn"): 10.187}
    totals = {f["period"]: f["value"] for f in facts if not f["region"] and f["default"] and not is_narrow(f)}
    assert totals["2022"] == 34.719 and totals["2023"] == 39.6 and totals["2024"] == 30.9 and totals["2021"] == 41
    assert _values(facts, period="2023", default=False, unit="usd_bn") == {40, 27.4}  # 'nearly 40', and a reprint
    assert totals["2025"] == 39.166 and totals["2025-12"] == 4.508 and totals["2023Q3"] == 8.75
    assert _values(facts, period="2022", default=False) == {34.7, 31.1}  # narrower scopes, not the year's default
    # Japan's own export statistics (the mirror of China's imports from Japan) for 2024 and 2025
    mirror = {f["period"]: f["value"] for f in _facts(bundled_store, "JPN", "exports", "sme") if f["region"] == "CHN"}
    assert mirror == {"2024": 2_177, "2025": 1_910.8}
    # South Korea's own export statistics: its exports to China (Hankyung Aicel) and of HS 8486.20 alone (etnews)
    korea = {(f["period"], f["unit"]): f["value"] for f in _facts(bundled_store, "KOR", "exports", "sme")
             if f["region"] == "CHN"}
    assert korea == {("2021", "usd_bn"): 2.26, ("2025-01..2025-10", "usd_bn"): 0.963, ("2021H1", "usd_m"): 1444.35,
                     ("2021H2", "usd_m"): 813.65, ("2022H1", "usd_m"): 694.85}
    assert korea[("2021H1", "usd_m")] + korea[("2021H2", "usd_m")] == pytest.approx(1000 * korea[("2021", "usd_bn")],
                                                                                    abs=5)
    assert totals["2025-01..2025-10"] == 28.4
    malaysia = _facts(bundled_store, "MYS", "trade_share", "sme")
    assert _values(malaysia, period="2022") == {5.68} and _values(malaysia, period="2023-01..2023-05") == {1.68}
    # lithography tools from the Netherlands: yearly counts (DIGITIMES), November 2023 (SCMP), early 2024 (TrendForce)
    dutch = {(f["period"], f["unit"]): f["value"] for f in facts if f["region"] == "NLD" and f["default"]}
    assert [dutch[(year, "units")] for year in ("2019", "2020", "2021", "2022", "2023")] == [40, 57, 93, 78, 176]
    assert dutch[("2023-11", "usd_m")] == 762.7 and dutch[("2023-11", "units")] == 16
    assert dutch[("2024-01..2024-02", "usd_bn")] == 1.057 and dutch[("2024-01..2024-02", "units")] == 32
    assert dutch[("2024-01", "usd_m")] + dutch[("2024-02", "usd_m")] == pytest.approx(1000 * 1.057, abs=2)


def test_q4_gallium_exports_and_prices(bundled_store: Store) -> None:
    exports = _facts(bundled_store, "CHN", "exports", "gallium")
    assert _default(exports, period="2024", unit="kg") == 60_880 and _default(exports, period="2025") == 62_615
    prices = _facts(bundled_store, None, "price", "gallium")
    assert _values(prices, entity="USA", period="2024") == {439}


def test_q5_germanium_exports_and_prices(bundled_store: Store) -> None:
    exports = _facts(bundled_store, "CHN", "exports", "germanium")
    assert _default(exports, period="2024") == 29_389 and _default(exports, period="2025H1") == 5_068
    prices = _facts(bundled_store, None, "price", "germanium")
    assert _values(prices, entity="EUR", period="2025") == {4_100}


def test_q6_rare_earth_exports_and_prices(bundled_store: Store) -> None:
    exports = _facts(bundled_store, "CHN", "exports", "rare_earths")
    volumes = {f["period"]: f["value"] for f in exports if f["default"] and f["unit"] == "t" and not f["region"]}
    assert {p: volumes[p] for p in ("2022", "2023", "2024", "2025")} == {"2022": 48_728, "2023": 52_306,
                                                                          "2024": 55_431, "2025": 62_585}
    assert _values(exports, period="2025", unit="t") == {62_585, 62_585.2}  # the same customs total, two precisions
    assert _default(exports, period="2024", unit="usd_m") == 488.8
    prices = _facts(bundled_store, "CHN", "price", "rare_earths")
    [unit_value] = [f for f in prices if f["period"] == "2024"]
    # the blog's average price agrees with Reuters' value over volume
    assert unit_value["value"] == pytest.approx(488.8e6 / 55_431 / 1000, abs=1e-3)
    assert _default(prices, period="2025-11", unit="usd_per_kg") == 9
    # NdPr oxide's price level in yuan per kg, SMM's assessment at or near the quarter-ends
    ndpr = {f["period"]: f["value"] for f in prices if f["unit"] == "cny_per_kg" and f["default"]}
    assert {p: ndpr[p] for p in ("2024-12-31", "2025-06-30", "2025-12-25")} == {
        "2024-12-31": 397.5, "2025-06-30": 444.5, "2025-12-25": 593.5}
    changes = _facts(bundled_store, "CHN", "price_change", "rare_earths")
    assert {f["period"]: f["value"] for f in changes} == {"2023": -37, "2024": -26}


def test_q7_producers_of_gallium_and_germanium(bundled_store: Store) -> None:
    gallium = api.show_input(bundled_store, "gallium")
    shares = {c.provider: c.share_pct or 0.0 for c in gallium.countries}
    assert sum(shares.values()) == pytest.approx(100, abs=1e-3)  # was 101: a rounded world total
    assert shares["CHN"] == pytest.approx(100 * 900 / 909, abs=1e-3)
    germanium = api.show_input(bundled_store, "germanium")
    assert germanium.shares_from == "facts"
    assert {c.provider: c.share_pct for c in germanium.countries} == {"CHN": 70, "XVC": 30}
    assert _values(_facts(bundled_store, "CHN", "market_share", "germanium"), period="2022") == {68}


def test_q8_ai_accelerator_revenue_by_vendor(bundled_store: Store) -> None:
    revenue = _facts(bundled_store, None, "revenue_by_product", "ai_accelerator")
    assert _values(revenue, entity="amd", period="2025") == {1}
    assert _values(revenue, entity="nvidia", period="2025") == {2.8, 10.198}
    # Bernstein's report of December 2025: Huawei's and Nvidia's sales in China's AI chip market, AMD's share
    december = {f["entity"]: f["value"] for f in revenue if "7 Dec 2025" in (f["definition"] or "")}
    assert december == {"huawei": 10.268, "nvidia": 10.198}
    assert _values(revenue, entity="huawei", period="2025", status="claim") == {7.5}  # the FT, not verified
    assert _values(revenue, entity="group:domestic-vendors", period="2025") == {16, 1.5}
    shares = _facts(bundled_store, None, "market_share", "ai_accelerator")
    table = {f["entity"]: f["value"] for f in shares
             if f["period"] == "2024" and "MetaX's reply" in (f["definition"] or "")}  # one table, one source
    assert table == {"nvidia": 66, "huawei": 23, "amd": 5, "cambricon": 1, "moore-threads": 1, "metax": 1}
    assert _values(shares, entity="amd", period="2025", source="digipub-202512-bernstein-china-ai-chips-2025") == {2}
    sizes = _facts(bundled_store, "CHN", "market_size", "ai_accelerator")
    assert {39.5, 37} <= _values(sizes, period="2025", unit="usd_bn")
    # Huang's $50 bn is a remark about 'the next two to three years' (May 2025), not a 2025 market size
    [huang] = [f for f in sizes if f["default"] and f["value"] == 50 and f["unit"] == "usd_bn"]
    assert (huang["period"], huang["status"]) == ("2028", "forecast") and "two to three years" in huang["quote"]
    assert 50 not in _values(sizes, period="2025", unit="usd_bn")
    # Frost & Sullivan's 2024 market size (another estimator than the shares' Bernstein, so no revenue from them)
    assert _default(sizes, period="2024", unit="cny_bn") == 142.5
    bernstein = [f for f in shares
                 if f["entity"] == "metax" and f["period"] == "2024" and "Bernstein" in f["definition"]]
    assert [f["value"] for f in bernstein] == [1]
    assert _default(_facts(bundled_store, "moore-threads", "revenue"), period="2024") == 438
    # the FT on SemiAnalysis's 2024 forecast for Nvidia's H20 in China, and IDC's 2025H1 via China Daily
    h20 = _facts(bundled_store, "nvidia", None, "nvidia_h20")
    assert _values(h20, metric="revenue_by_product", period="2024", region="CHN") == {12}
    assert _values(h20, metric="shipments", period="2024") == {1_000_000}
    assert _default(shares, entity="nvidia", period="2025H1") == 62
    # CIC in Biren's prospectus: one estimator's 2024 market, the two unnamed leaders' combined share and Biren's
    cic = {(f["period"], f["value"]) for f in sizes if "CIC" in (f["definition"] or "")}
    assert cic == {("2024", 30.1), ("2029", 201.2)}
    assert _values(shares, entity="group:top-two-vendors", period="2024", basis="revenue") == {94.4}
    assert _values(shares, entity="biren", period="2024") == {0.16}
    # IDC's 2024 count of AI chips shipped in China (Anue): units, so a share of shipments, not of revenue
    assert _default(sizes, period="2024", unit="units_m") == 2.7
    assert _values(shares, entity="nvidia", period="2024", basis="shipments") == {70}
    ascend = _facts(bundled_store, "huawei", "shipments", "ai_accelerator")
    assert _default(ascend, period="2024") == 640_000
    # Moore Threads: its preliminary 2025 revenue range of January 2026 (SCMP on its filing), the unaudited express
    # report of February 2026 inside it, and its AI products' share in 2024
    moore = _facts(bundled_store, "moore-threads", "revenue")
    assert _values(moore, period="2025") == {1_450, 1_505, 1_520}
    assert all(f["status"] == "reported" and "unaudited" in f["definition"] for f in moore if f["period"] == "2025")
    ai_share = _facts(bundled_store, "moore-threads", "revenue_share_product", "ai_accelerator")
    assert _default(ai_share, period="2024") == 77.63


def test_q9_hbm_shares_and_cxmt(bundled_store: Store) -> None:
    hbm = _facts(bundled_store, None, "market_share", "hbm")
    q3 = {f["entity"]: f["value"] for f in hbm if f["period"] == "2025Q3" and f["basis"] == "revenue"}
    assert q3 == {"sk-hynix": 57, "samsung": 22, "micron": 21}
    q3_units = {f["entity"]: f["value"] for f in hbm if f["period"] == "2025Q3" and f["basis"] == "shipments"}
    assert q3_units == {"sk-hynix": 60, "micron": 22, "samsung": 17}
    # Counterpoint via the Korea Herald
    assert _default(hbm, entity="samsung", period="2024Q2", basis="shipments") == 41
    april_2024 = {f["entity"]: f["value"] for f in hbm if f["period"] == "2024" and f["source"].startswith("ajunews")}
    assert april_2024 == {"sk-hynix": 52.5, "samsung": 42.4, "micron": 5.1}  # TrendForce's projection, not a measure
    assert not [f for f in hbm if f["entity"] == "cxmt"]  # no source gives CXMT an HBM share: 'partly'
    # full-year 2025 shares measured after the year: Samsung's (no tracker named), SK hynix's (JPMorgan); weak pages
    [samsung_2025] = [f for f in hbm
                      if f["entity"] == "samsung" and f["period"] == "2025" and f["status"] == "estimate"]
    assert samsung_2025["value"] == 27
    [sk_hynix_2025] = [f for f in hbm
                       if f["entity"] == "sk-hynix" and f["period"] == "2025" and f["status"] == "estimate"]
    assert sk_hynix_2025["value"] == 57 and "JPMorgan" in sk_hynix_2025["definition"]
    [plan] = _facts(bundled_store, "cxmt", None, "hbm")  # its one HBM figure: a reported plan for 2026
    assert (plan["metric"], plan["period"], plan["value"], plan["status"]) == ("capacity", "2026", 60_000, "claim")
    dram = _facts(bundled_store, "cxmt", "market_share", "dram")
    assert _values(dram, period="2025Q1", basis="bits") == {6}
    # its DRAM revenue share: Omdia (Dong-A) for 2025Q3 and 2025Q4, Counterpoint (Asia Economy) for 2025Q3
    revenue = {(f["period"], f["value"]) for f in dram if f["basis"] == "revenue" and f["default"]}
    assert revenue == {("2025Q3", 3.7), ("2025Q4", 4.7), ("2025Q3", 5)}
    output = _facts(bundled_store, "cxmt", "production", "dram")
    assert _default(output, period="2025Q4", unit="wafers_per_month") == 240_000  # Omdia via Chosun Biz


def test_q10_dram_and_nand_contract_prices(bundled_store: Store) -> None:
    dram = _facts(bundled_store, None, "price", "pc_dram")
    assert _default(dram, period="2026-02") == 13 and _default(dram, period="2023-08") == 1.3
    nand = _facts(bundled_store, None, "price_change", "nand")
    assert {-15, -20} <= _values(nand, period="2025Q1", default=True)
    nand_price = _facts(bundled_store, None, "price", "nand")
    assert _default(nand_price, period="2025-12") == 5.74 and _default(nand_price, period="2025-04") == 2.79


def test_q11_micron_china_revenue_share(bundled_store: Store) -> None:
    facts = _facts(bundled_store, "micron", "revenue_share_region")
    mainland = {f["period"]: f["value"] for f in facts if f["definition"] == "mainland China" and f["default"]}
    assert mainland["FY2023"] == 14.03 and mainland["FY2024"] == 12
    assert 7.1 in _values(facts, period="FY2025")


def test_q12_rules_in_force_against_smic(bundled_store: Store) -> None:
    report = api.restrictions_list(bundled_store, "SMIC", "2025-12-31")
    rules = {r.id: r for r in report.rules}
    assert {"E-SMIC-2020", "E-OCT2022", "E-DEC2024", "E-NL-SME-2023", "E-JP-SME-2023"} <= set(rules)
    assert rules["E-SMIC-2020"].kind == "entity_listing" and rules["E-SMIC-2020"].reach == "whole"
    before = {r.id for r in api.restrictions_list(bundled_store, "SMIC", "2020-06-30").rules}
    assert "E-SMIC-2020" not in before and "E-OCT2022" not in before
    # a rule on goods outside the semiconductor supply chain (China's ban on Taiwanese pineapples reaches every
    # buyer in China) is set aside by name, not counted among the rules in force against a chipmaker
    other = {r["id"] for r in bundled_store.rows("inputs") if r.get("chain") == "other"}
    assert {"pineapple", "coal", "passenger_cars"} <= other and not {"sme", "gallium", "ai_accelerator"} & other
    assert not [r.id for r in report.rules if r.products and set(r.products) <= other]
    elsewhere = {r.id: r for r in report.rules_elsewhere or ()}
    assert elsewhere["E-CN-TWN-PINEAPPLE-MAR2021"].products == ("pineapple",)
    assert report.count == len(report.rules) and not set(elsewhere) & set(rules)


def test_q13_nand_suppliers_on_the_entity_list(listed_store: Store) -> None:
    firms = {f.provider: f for f in api.show_input(listed_store, "NAND").firms}
    assert firms["ymtc"].listed == ("EL",) and firms["ymtc"].share_pct == 13
    assert [p for p, f in firms.items() if "EL" in (f.listed or ())] == ["ymtc"]


def test_q14_ai_chip_localization_estimates(bundled_store: Store) -> None:
    facts = _facts(bundled_store, "CHN", "localization_rate", "ai_accelerator")
    by_2025 = {(f["basis"], f["value"]) for f in facts if f["period"] == "2025"}
    assert {("purchases", 40), ("shipments", 41), ("revenue", 37)} <= by_2025
    assert {("unknown", 34), ("revenue", 20)} <= {(f["basis"], f["value"]) for f in facts if f["period"] == "2024"}
    [bernstein] = [f for f in facts if f["value"] == 37]
    assert bernstein["original_publisher"] == "Bernstein" and bernstein["status"] == "forecast"
    assert re.search(r"37% from\s*domestic vendors", bernstein["quote"])


def test_q15_what_the_h20_rule_cost_nvidia(bundled_store: Store) -> None:
    facts = _facts(bundled_store, "nvidia", None, "nvidia_h20")
    assert _default(facts, metric="charge", period="FY2026Q1", status="reported") == 4.5
    assert _default(facts, metric="orders", period="2025") == 16.8
    assert _default(facts, metric="revenue_by_product", period="2025", region="CHN") == 10.5


def test_the_page_shows_the_verdicts_it_counts() -> None:
    text = (REPO / "docs" / "questions.md").read_text(encoding="utf-8")
    verdicts = re.findall(r"^\*\*(Answered|Partly|Not yet)\*\*:", text, flags=re.M)
    assert len(verdicts) == len(re.findall(r"^## \d+\. ", text, flags=re.M)) == 15
    counts = {v: verdicts.count(v.capitalize()) for v in ("answered", "partly", "not yet")}
    assert f"Verdicts: {counts['answered']} answered, {counts['partly']} partly, {counts['not yet']} not yet." in text
