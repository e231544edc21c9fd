"""Input attributes from performance facts: which facts count, unit conversion, precedence and conflicts."""

from __future__ import annotations

from typing import Any

from chipshift.domain.rules import Predicate, ProductSelector, Rule, RuleKind, Sellers, Targets
from chipshift.engine.attributes import fact_attributes, input_attributes, merge_attributes
from chipshift.engine.reach import MAYBE, NO, YES, covers
from chipshift.engine.world import build_world

INPUTS: list[dict[str, Any]] = [
    {"id": "ai_chips", "name": "AI chips", "kind": "product_group", "attributes": None},
    {"id": "big_gpu", "name": "Big GPU", "kind": "chip", "attributes": None},
    {"id": "small_gpu", "name": "Small GPU", "kind": "chip", "attributes": {"hbm": True}},
    {"id": "dense_asic", "name": "Dense ASIC", "kind": "chip", "attributes": {"tpp": 2000}},
    {"id": "mystery_chip", "name": "Mystery chip", "kind": "chip", "attributes": None},
]
LINKS: list[dict[str, Any]] = [{"child": c, "parent": "ai_chips", "relation": "is_type_of"}
         for c in ("big_gpu", "small_gpu", "dense_asic", "mystery_chip")]


def fact(fact_id: str, entity: str, value: float, unit: str = "tpp", *, default: bool = True,
         metric: str = "performance", product: str | None = "same", period: str = "2024") -> dict[str, Any]:
    return {"id": fact_id, "entity": entity, "metric": metric, "product": entity if product == "same" else product,
            "value": value, "unit": unit, "default": default, "period": period}


FACTS = [
    fact("big-tpp", "big_gpu", 15832),
    fact("big-node", "big_gpu", 4, unit="nm"),
    fact("small-tpp", "small_gpu", 2368),
    fact("small-pd", "small_gpu", 2.9, unit="tpp_per_mm2"),
    fact("dense-tpp", "dense_asic", 2100),  # the inputs table says 2000: the column wins
    fact("dense-pd", "dense_asic", 6.5, unit="tpp_per_mm2"),
]


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in rows}


def test_default_performance_facts_become_attributes() -> None:
    rows, conflicts = input_attributes(INPUTS, FACTS)
    got = by_id(rows)
    assert got["big_gpu"]["attributes"] == {"tpp": 15832.0, "process_node_nm": 4.0}
    assert got["small_gpu"]["attributes"] == {"hbm": True, "tpp": 2368.0, "performance_density": 2.9}
    assert got["mystery_chip"]["attributes"] is None  # no facts: left as it was
    assert got["ai_chips"]["attributes"] is None
    assert INPUTS[1]["attributes"] is None  # the given records are not changed
    assert [(c.input, c.attribute) for c in conflicts] == [("dense_asic", "tpp")]


def test_the_column_wins_and_the_conflict_is_reported() -> None:
    rows, conflicts = input_attributes(INPUTS, FACTS)
    assert by_id(rows)["dense_asic"]["attributes"] == {"tpp": 2000, "performance_density": 6.5}
    (conflict,) = conflicts
    assert (conflict.kept, conflict.kept_from, conflict.other, conflict.other_from) == (
        2000, "inputs.csv attributes", 2100.0, "fact dense-tpp")
    assert "inputs.csv attributes is used" in conflict.message


def test_agreeing_column_and_fact_are_no_conflict() -> None:
    merged, conflicts = merge_attributes({"tpp": 2368}, {"tpp": fact_attributes(FACTS, ["small_gpu"])[0]
                                                          ["small_gpu"]["tpp"]}, "small_gpu")
    assert merged == {"tpp": 2368} and conflicts == []


def test_only_default_performance_facts_about_the_input_itself_count() -> None:
    facts = [
        fact("not-default", "big_gpu", 1, default=False),
        fact("other-metric", "big_gpu", 2, metric="relative_performance", unit="ratio"),
        fact("other-unit", "big_gpu", 780, unit="tflops"),  # compute is not an attribute
        fact("other-product", "big_gpu", 3, product="small_gpu"),
        fact("no-product", "small_gpu", 2368, product=None),  # product may be left empty
        fact("not-an-input", "nvidia", 4),
    ]
    stated, conflicts = fact_attributes(facts, [r["id"] for r in INPUTS])
    assert {i: {a: v.value for a, v in attrs.items()} for i, attrs in stated.items()} == {"small_gpu": {"tpp": 2368}}
    assert stated["small_gpu"]["tpp"].fact == "no-product" and conflicts == []


def test_a_process_node_becomes_process_node_nm() -> None:
    stated, _ = fact_attributes([fact("node", "big_gpu", 7, unit="nm")], ["big_gpu"])
    assert stated["big_gpu"]["process_node_nm"].value == 7.0


def test_several_defaults_the_latest_period_wins_and_disagreement_is_reported() -> None:
    facts = [fact("old", "big_gpu", 15000, period="2022"), fact("new", "big_gpu", 15832, period="2025Q1"),
             fact("same", "big_gpu", 15832, period="2023")]
    stated, conflicts = fact_attributes(facts, ["big_gpu"])
    assert stated["big_gpu"]["tpp"].fact == "new"
    assert [(c.kept_from, c.other_from) for c in conflicts] == [("fact new", "fact old")]


def rule(*selectors: ProductSelector) -> Rule:
    return Rule("R", "R", "USA", RuleKind.EXPORT_CONTROL, "test", "src", "q", policy="ban", products=selectors,
                sellers=Sellers(("USA",)), targets=Targets(("CHN",)), effective="2022-10-07")


def test_thresholds_resolve_once_attributes_come_from_facts() -> None:
    rows, _ = input_attributes(INPUTS, FACTS)
    world = build_world(rows, LINKS, [], [], [{"id": "USA", "name": "United States", "members": []}])
    tpp_rule = rule(ProductSelector("ai_chips", (Predicate("tpp", "gte", 4800),)))
    density_rule = rule(ProductSelector("ai_chips", (Predicate("tpp", "gte", 4800),)),
                        ProductSelector("ai_chips", (Predicate("tpp", "gte", 1600),
                                                     Predicate("performance_density", "gte", 5.92))))
    for r, expected in ((tpp_rule, {"big_gpu": YES, "small_gpu": NO, "dense_asic": NO}),
                        (density_rule, {"big_gpu": YES, "small_gpu": NO, "dense_asic": YES})):
        cover = covers(r, world)
        got = {i: int(cover[world.input_of(i)]) for i in expected}
        assert got == expected
        # without a figure the threshold cannot be decided: maybe, for the chip and for the group itself
        assert cover[world.input_of("mystery_chip")] == MAYBE
        assert cover[world.input_of("ai_chips")] == MAYBE
    # without the facts every chip is 'maybe' (dense_asic keeps its own tpp from the column)
    bare = build_world(INPUTS, LINKS, [], [], [{"id": "USA", "name": "United States", "members": []}])
    assert covers(tpp_rule, bare)[bare.input_of("big_gpu")] == MAYBE
