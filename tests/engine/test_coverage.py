"""Idle rules: a rule that, alone on the day it takes effect, changes no availability figure for the buyers
it targets (`engine.coverage.idle_rules`)."""

from __future__ import annotations

from chipshift.domain.rules import Rule, RuleKind, Targets
from chipshift.engine.coverage import idle_rules

from .test_availability import rule, world


def test_idle_rules_are_those_that_bar_no_share() -> None:
    w = world({"A": {"USA": 60.0, "JPN": 40.0}, "B": {"USA": None}},
              firm_shares={"A": {"us-tools": 60.0, "jp-tools": 40.0}})
    bars = rule("bars", ["A"])
    japanese_sellers_of_nothing = rule("jp", ["B"], hq_in=("JPN",))
    unknown_shares = rule("unknown", ["B"])  # US row of B has no share: bounds move, so it is not idle
    covers_nothing = rule("nothing", [])
    covers_nothing = Rule(**{**covers_nothing.__dict__, "products": ()})
    relaxation = rule("x", ["A"], kind=RuleKind.RELAXATION, relaxes=("bars",), policy="lifted")
    idle = {i.rule: i for i in idle_rules(w, [bars, japanese_sellers_of_nothing, unknown_shares, covers_nothing,
                                              relaxation], {})}
    assert set(idle) == {"jp", "nothing"}
    assert (idle["jp"].covered, idle["jp"].with_shares) == (1, 1)


def test_rule_with_no_products_covers_nothing_and_is_idle() -> None:
    w = world({"A": {"USA": 60.0, "JPN": 40.0}})
    empty = Rule(**{**rule("e", ["A"]).__dict__, "products": ()})
    assert [(i.rule, i.covered) for i in idle_rules(w, [empty], {})] == [("e", 0)]


def test_ownership_rule_counts_through_the_listings_it_extends() -> None:
    w = world({"A": {"USA": 60.0, "JPN": 40.0}}, firm_shares={"A": {"us-tools": 60.0, "jp-tools": 40.0}})
    listing = Rule(**{**rule("L", ["*"], countries=(), kind=RuleKind.ENTITY_LISTING).__dict__,
                      "targets": Targets(firms=("cn-tools",))})
    ownership = Rule(**{**rule("O", ["*"], countries=(), kind=RuleKind.ENTITY_LISTING, start="2025-09-29").__dict__,
                        "targets": Targets(affiliates=True)})
    assert idle_rules(w, [listing, ownership], {"jp-tools": "cn-tools"}) == []  # a buyer the listed party owns
    # with nothing owned by a listed party, the ownership rule reaches no one
    assert [i.rule for i in idle_rules(w, [listing, ownership], {})] == ["O"]
