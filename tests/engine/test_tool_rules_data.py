"""The chipmaking-tool rules of 2023-2024 reach the tool types their sources name, and no other.

Japan's licence list of July 2023 (E-JP-SME-2023: cleaning, deposition, annealing, lithography, etching,
inspection), the US update of October 2023 (E-OCT2023, its tool part: epitaxy and deposition, ion implantation,
dry etching) and the US rules of December 2024 (E-DEC2024: etch, deposition, lithography, ion implantation,
annealing, metrology and inspection, cleaning, with foreign direct product reach) name process categories, so
each reaches the CSET tool rows of those categories and their kinds (an input covers its descendants). None of
them names dicing, test, wafer-handling or assembly tools, so none reaches those rows, whoever makes them: the
foreign direct product reach binds makers outside the United States only for the products the rule covers."""

from __future__ import annotations

import pytest

from chipshift import api
from chipshift.domain.rules import rule_from_record
from chipshift.engine.reach import MAYBE, NO, YES, Destination, reaches
from chipshift.io.store import Store

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

AT = "2025-06-01"  # all three rules in force
TOOL_RULES = ("E-JP-SME-2023", "E-OCT2023", "E-DEC2024")

# the rows each rule's sources name (a category's kinds are reached with it)
NAMED = {
    "E-JP-SME-2023": {"N49", "N102", "N103", "N36", "N19", "N61", "N62"},
    "E-OCT2023": {"N36", "N17", "N48"},
    "E-DEC2024": {"N55", "N36", "N19", "N17", "N60"},
}
# kinds of the named rows (is_type_of or parts of a bucket in CSET's table), reached with them
KINDS = {"N41": "N36", "N43": "N36", "N38": "N36", "N20": "N19", "N22": "N19", "N50": "N103", "N67": "N61",
         "N48": "N55", "N49": "N55"}
# tool rows outside every category the three rules' sources name
NOT_NAMED = ("N71", "N79", "N80", "N81", "N83", "N11", "N12", "N59", "N72", "N76", "N8", "N9")


@pytest.fixture(scope="module")
def rules_by_input(bundled_store: Store) -> dict[str, dict[str, set[str]]]:
    """Per input: provider -> the tool rules that bar it or may bar it for China at AT."""
    report = api.availability(bundled_store, "CHN", at=AT).as_report()
    out: dict[str, dict[str, set[str]]] = {}
    for row in report["inputs"]:
        for column in ("barred", "maybe_barred"):
            for entry in row[column] or []:
                found = set(entry["rules"]) & set(TOOL_RULES)
                if found:
                    out.setdefault(row["input"], {}).setdefault(entry["provider"], set()).update(found)
    return out


def test_rules_name_the_sourced_rows(bundled_store: Store) -> None:
    rules = {r["id"]: r for r in bundled_store.rows("rules")}
    for rule_id, rows in NAMED.items():
        tools = {p["input"] for p in rules[rule_id]["products"] if p["input"].startswith("N")}
        assert tools == rows, rule_id
        # chipmaking tools as a whole only as a part: the category itself maybe, none of its other kinds
        assert all(p["input"] != "sme" or p.get("part") is True for p in rules[rule_id]["products"]), rule_id
    assert rules["E-DEC2024"]["sellers"]["fdp"] is True  # kept as it was
    assert [p["input"] for p in rules["E-OCT2022-FABS"]["products"]] == ["sme"]  # the end-use control is unchanged


@pytest.mark.parametrize("tool", NOT_NAMED)
def test_no_tool_rule_reaches_tools_outside_the_named_types(rules_by_input: dict[str, dict[str, set[str]]],
                                                            tool: str) -> None:
    assert rules_by_input.get(tool, {}) == {}, tool


def test_japans_list_reaches_japanese_makers_of_its_types_only(
        rules_by_input: dict[str, dict[str, set[str]]]) -> None:
    for tool in ("N36", "N103", "N49"):
        assert "E-JP-SME-2023" in rules_by_input[tool]["JPN"], tool
    for tool in ("N71", "N79", "N11", "N32"):  # dicing, memory test, wafer handlers, tracks: not among its types
        assert "E-JP-SME-2023" not in rules_by_input.get(tool, {}).get("JPN", set()), tool


def test_december_2024_fdp_reach_binds_foreign_makers_of_covered_tools_only(
        rules_by_input: dict[str, dict[str, set[str]]]) -> None:
    # deposition and etch: the foreign direct product reach binds South Korea's makers too
    assert "E-DEC2024" in rules_by_input["N36"]["KOR"]
    assert "E-DEC2024" in rules_by_input["N103"]["KOR"]
    # dicing and memory test tools: covered by none of its seven categories, so no maker anywhere is bound
    for tool in ("N71", "N79"):
        assert not any("E-DEC2024" in found for found in rules_by_input.get(tool, {}).values()), tool


def test_october_2023_reaches_us_makers_of_its_types_only(rules_by_input: dict[str, dict[str, set[str]]]) -> None:
    assert "E-OCT2023" in rules_by_input["N17"]["USA"]
    assert "E-OCT2023" in rules_by_input["N36"]["USA"]
    for tool in ("N80", "N79", "N19"):  # SoC and memory test, lithography: not among the types read
        assert "E-OCT2023" not in rules_by_input.get(tool, {}).get("USA", set()), tool


def test_a_case_selling_all_chipmaking_tools_is_reached_only_maybe(bundled_store: Store) -> None:
    """A market case asks about one item: for the whole category (sme) a rule on some of its kinds may bind the
    seller, for a named kind it does, and for a kind outside the rule it does not."""
    world, parents = api.load_world(bundled_store)
    rules = {r["id"]: rule_from_record(r) for r in bundled_store.rows("rules")}
    china = Destination("CHN")
    jp = rules["E-JP-SME-2023"]
    assert reaches(jp, world, "sme", "JPN", china, parents) == MAYBE
    assert reaches(jp, world, "sme", "tokyo-electron", china, parents) == MAYBE
    assert reaches(jp, world, "N36", "JPN", china, parents) == YES
    for kind, row in KINDS.items():
        rule = next(rules[r] for r in TOOL_RULES if row in NAMED[r])
        seller = rule.sellers.hq_in[0]
        assert reaches(rule, world, kind, seller, china, parents) == YES, (rule.id, kind)
    assert reaches(jp, world, "N71", "JPN", china, parents) == NO
    assert reaches(rules["E-DEC2024"], world, "N79", "KOR", china, parents) == NO
