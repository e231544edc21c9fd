"""World supply shares derived from market-share and production facts (`engine.world.provision_from_facts`)."""

from __future__ import annotations

from typing import Any

import pytest

from chipshift.engine.world import OTHERS, provision_from_facts

FIRMS = {"nvidia": "USA", "amd": "USA", "intel": "USA", "huawei": "CHN"}


def _share(entity: str, value: float, period: str, definition: str = "", basis: str = "revenue",
           default: bool = False) -> dict[str, Any]:
    return {"id": f"{entity}-{period}-{definition or 'plain'}", "entity": entity, "metric": "market_share",
            "product": "gpu", "region": "WLD", "segment": None, "basis": basis, "definition": definition,
            "period": period, "value": value, "unit": "pct", "default": default}


def _table(rows: list[dict[str, Any]]) -> dict[str, float]:
    return {r["provider"]: r["share_pct"] for r in rows if r["input"] == "gpu"}


def test_one_trackers_table_is_used_whole_and_never_mixed_with_another() -> None:
    """Two trackers' tables for one period: each is complete on its own; mixing them would double count. The
    one naming more firms is taken."""
    facts = [_share("nvidia", 92.5, "2024", "tracker A"), _share("amd", 7.3, "2024", "tracker A"),
             _share("nvidia", 80.0, "2024", "tracker B"), _share("intel", 5.0, "2024", "tracker B"),
             _share("huawei", 10.0, "2024", "tracker B"), _share("amd", 5.0, "2024", "tracker B")]
    table = _table(provision_from_facts(facts, FIRMS, []))
    assert table == {"nvidia": 80.0, "intel": 5.0, "huawei": 10.0, "amd": 5.0}


def test_a_table_without_a_definition_wins_a_tie_and_an_incomplete_one_is_not_used() -> None:
    facts = [_share("nvidia", 90.0, "2024"), _share("amd", 6.0, "2024"), _share("intel", 2.0, "2024"),
             _share("nvidia", 92.5, "2024", "tracker A"), _share("amd", 7.3, "2024", "tracker A"),
             _share("nvidia", 98.0, "2025", "tracker C")]  # one firm, 98%: not a whole table
    table = _table(provision_from_facts(facts, FIRMS, []))
    assert table == {"nvidia": 90.0, "amd": 6.0, "intel": 2.0, OTHERS: 2.0}


def _output(entity: str, value: float, period: str = "2025", unit: str = "kg") -> dict[str, Any]:
    return {"id": f"{entity}-ga-{period}", "entity": entity, "metric": "production", "product": "gallium",
            "region": None, "segment": None, "basis": None, "definition": "primary gallium", "period": period,
            "value": value, "unit": unit, "default": True, "status": "estimate"}


def _ga(rows: list[dict[str, Any]]) -> dict[str, float]:
    return {r["provider"]: r["share_pct"] for r in rows if r["input"] == "gallium"}


def test_country_shares_over_a_rounded_world_total_add_up_to_100() -> None:
    """USGS's 2025 world total of primary gallium (900,000 kg, 'rounded') is below its countries' own sum
    (900,000 + 6,000 + 3,000): the shares are then taken over that sum, not 101% over the rounded total."""
    facts = [_output("WLD", 900_000), _output("CHN", 900_000), _output("RUS", 6_000), _output("JPN", 3_000)]
    table = _ga(provision_from_facts(facts, FIRMS, ["CHN", "RUS", "JPN"]))
    assert sum(table.values()) == pytest.approx(100.0, abs=1e-3)
    assert table["CHN"] == round(100 * 900 / 909, 4) and OTHERS not in table
    rows = provision_from_facts(facts, FIRMS, ["CHN", "RUS", "JPN"])
    assert all("exceeds the rounded world total" in r["source_text"] for r in rows)
    # a world total above the countries' sum still counts: the rest is 'various countries'
    facts = [_output("WLD", 1_000, unit="t"), _output("CHN", 900_000), _output("JPN", 3_000)]
    table = _ga(provision_from_facts(facts, FIRMS, ["CHN", "JPN"]))
    assert table == {"CHN": 90.0, "JPN": 0.3, OTHERS: 9.7}


def _country_share(entity: str, value: float, period: str, basis: str = "production",
                   default: bool = True) -> dict[str, Any]:
    return {"id": f"{entity}-ge-{period}-{value}", "entity": entity, "metric": "market_share",
            "product": "germanium", "region": "WLD", "segment": None, "basis": basis, "definition": "",
            "period": period, "value": value, "unit": "pct", "default": default, "status": "estimate"}


def test_a_countrys_stated_share_of_production_gives_the_shares_when_nothing_else_does() -> None:
    facts = [_country_share("CHN", 68, "2022"), _country_share("CHN", 60, "2025", default=False),
             _country_share("CHN", 70, "2025"), _country_share("CHN", 43, "2026", basis="unknown")]
    rows = [r for r in provision_from_facts(facts, FIRMS, ["CHN"]) if r["input"] == "germanium"]
    assert {r["provider"]: r["share_pct"] for r in rows} == {"CHN": 70.0, OTHERS: 30.0}
    assert rows[0]["source_text"] == "fact CHN-ge-2025-70 (2025, production)"
    # production figures, where a product has them, come first
    facts += [_output("WLD", 100, "2025"), _output("CHN", 90, "2025")]
    for f in facts[-2:]:
        f["product"] = "germanium"
    rows = [r for r in provision_from_facts(facts, FIRMS, ["CHN"]) if r["input"] == "germanium"]
    assert {r["provider"]: r["share_pct"] for r in rows} == {"CHN": 90.0, OTHERS: 10.0}
