"""World supply shares derived from market-share and production facts (`engine.world.provision_from_facts`)."""

from __future__ import annotations

from typing import Any

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
