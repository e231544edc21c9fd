"""Availability over small worlds: hand-computed cases, a plain reference, and invariants."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipshift.domain.rules import Predicate, ProductSelector, Rule, RuleKind, Sellers, Targets
from chipshift.engine.analyses import availability_table, rule_standing, rules_in_force, rules_lifted, situation
from chipshift.engine.availability import availability, pair_status
from chipshift.engine.reach import MAYBE, NO, YES, Destination, compile_rules, in_force_state, reaches
from chipshift.engine.world import World, build_world

from .reference import reference

COUNTRIES = [
    {"id": "USA", "name": "United States", "members": []},
    {"id": "JPN", "name": "Japan", "members": []},
    {"id": "NLD", "name": "Netherlands", "members": []},
    {"id": "CHN", "name": "China", "members": []},
    {"id": "EUR", "name": "Europe", "members": ["NLD", "FRA"]},
    {"id": "XVC", "name": "Various countries", "members": []},
]
FIRMS = [
    {"id": "us-tools", "name": "US Tools", "hq_country": "USA", "parent": None},
    {"id": "jp-tools", "name": "JP Tools", "hq_country": "JPN", "parent": None},
    {"id": "cn-tools", "name": "CN Tools", "hq_country": "CHN", "parent": None},
    {"id": "us-chips", "name": "US Chips", "hq_country": "USA", "parent": None},
]
DAY = date(2025, 1, 1)
CHN = Destination("CHN")


def world(shares: dict[str, dict[str, float | None]], firm_shares: dict[str, dict[str, float | None]] | None = None,
          links: list[tuple[str, str, str]] | None = None,
          attributes: dict[str, dict[str, float]] | None = None) -> World:
    inputs = sorted({*shares, *(firm_shares or {}), *(x for link in links or [] for x in link[:2])})
    provision = [{"provider": p, "provider_kind": "country", "input": i, "share_pct": s}
                 for i, row in shares.items() for p, s in row.items()]
    provision += [{"provider": p, "provider_kind": "firm", "input": i, "share_pct": s}
                  for i, row in (firm_shares or {}).items() for p, s in row.items()]
    return build_world([{"id": i, "name": i, "kind": "tool_resource", "attributes": (attributes or {}).get(i)}
                        for i in inputs],
                       [{"child": c, "parent": p, "relation": r} for c, p, r in links or []],
                       provision, FIRMS, COUNTRIES)


def rule(rule_id: str, products: list[str], hq_in: tuple[str, ...] = ("USA",), countries: tuple[str, ...] = ("CHN",),
         policy: str | None = "ban", start: str = "2020-01-01", kind: RuleKind = RuleKind.EXPORT_CONTROL,
         relaxes: tuple[str, ...] = (), firms: tuple[str, ...] = (), ended: str | None = None,
         segments: tuple[str, ...] = ()) -> Rule:
    return Rule(rule_id, rule_id, hq_in[0] if hq_in else "USA", kind, "test", "src", "q", policy=policy,
                products=tuple(ProductSelector(p) for p in products), sellers=Sellers(hq_in, firms),
                targets=Targets(countries, segments=segments), effective=start, relaxes=relaxes, ended=ended)


def table(w: World, rules: list[Rule], dest: Destination = CHN, at: date = DAY) -> dict[str, dict[str, Any]]:
    s = situation(w, rules, dest, at, {})
    return {r["input"]: r for r in availability_table(s)}


def test_no_rules_everything_available() -> None:
    w = world({"A": {"USA": 60.0, "JPN": 40.0}, "B": {"USA": None, "CHN": None}})
    t = table(w, [])
    assert (t["A"]["available_lower"], t["A"]["available_upper"], t["A"]["available"]) == (1.0, 1.0, 1.0)
    # B's shares are unknown, but with nothing barred its bounds meet: the strict reading is known too
    assert (t["B"]["available_lower"], t["B"]["available_upper"], t["B"]["available"]) == (1.0, 1.0, 1.0)


def test_hand_computed_ban() -> None:
    w = world({"A": {"USA": 60.0, "JPN": 30.0, "CHN": 10.0}})
    t = table(w, [rule("r", ["A"])])
    assert t["A"]["available"] == pytest.approx(0.4)
    assert [b["provider"] for b in t["A"]["barred"]] == ["USA"]


def test_shares_are_normalised_when_all_known() -> None:
    w = world({"A": {"USA": 51.0, "JPN": 51.0}})  # sums to 102, as CSET's EDA row does
    assert table(w, [rule("r", ["A"])])["A"]["available"] == pytest.approx(0.5)


def test_unknown_shares_give_bounds() -> None:
    w = world({"A": {"USA": 50.0, "JPN": None, "CHN": None}})
    t = table(w, [rule("r", ["A"])])["A"]
    # the barred half is known and the unknown shares are all free: the bounds meet, so the answer is known
    assert (t["available_lower"], t["available_upper"], t["available"]) == (0.5, 0.5, 0.5)
    t = table(w, [rule("r", ["A"], hq_in=("JPN",))])["A"]
    # JPN's unknown share may be all or none of the unassigned half: CHN may hold it all
    assert (t["available_lower"], t["available_upper"], t["available"]) == (0.5, 1.0, None)


def test_case_by_case_is_maybe() -> None:
    w = world({"A": {"USA": 60.0, "JPN": 40.0}})
    t = table(w, [rule("r", ["A"], policy="case_by_case")])["A"]
    assert (t["available_lower"], t["available_upper"], t["available"]) == (0.4, 1.0, 0.4)
    assert [m["provider"] for m in t["maybe_barred"]] == ["USA"]


def test_parent_covers_children_not_the_reverse() -> None:
    w = world({"A": {"USA": 100.0}, "B": {"USA": 100.0}}, links=[("B", "A", "is_type_of")])
    t = table(w, [rule("r", ["A"])])
    assert t["B"]["available"] == 0.0 and t["A"]["available"] == 0.0
    t = table(w, [rule("r", ["B"])])
    assert t["B"]["available"] == 0.0 and t["A"]["available"] == 1.0


def test_a_part_selector_reaches_the_category_maybe_and_none_of_its_kinds() -> None:
    """`part: true`: the rule covers only some kinds of the input, which the data may not itemise: the input's own
    row may be barred, its listed kinds are not reached through that selector."""
    w = world({"A": {"USA": 100.0}, "B": {"USA": 100.0}, "C": {"USA": 100.0}},
              links=[("B", "A", "is_type_of"), ("C", "A", "is_type_of")])
    r = Rule("r", "r", "USA", RuleKind.EXPORT_CONTROL, "test", "src", "q", policy="ban",
             products=(ProductSelector("A", part=True), ProductSelector("B")), sellers=Sellers(("USA",)),
             targets=Targets(("CHN",)), effective="2020-01-01")
    t = table(w, [r])
    assert (t["A"]["available_lower"], t["A"]["available_upper"]) == (0.0, 1.0)
    assert t["B"]["available_upper"] == 0.0 and t["C"]["available_lower"] == 1.0


def test_a_categorys_row_names_the_rules_on_its_kinds() -> None:
    """The category's own bounds leave out a rule on one of its kinds, so its row names that rule apart
    (`rules_on_kinds`), for a reader who would otherwise take the category as untouched."""
    w = world({"A": {"USA": 100.0}, "B": {"USA": 100.0}, "C": {"USA": 100.0}},
              links=[("B", "A", "is_type_of"), ("C", "A", "is_type_of")])
    s = situation(w, [rule("r", ["B"]), rule("q", ["A"], countries=("RUS",))], CHN, DAY, {})
    rows = {r["input"]: r for r in availability_table(s, detail=True)}
    assert rows["A"]["rules"] == [] and rows["A"]["rules_on_kinds"] == ["r"]
    assert rows["B"]["rules"] == ["r"] and "rules_on_kinds" not in rows["B"]
    assert "rules_on_kinds" not in rows["C"]


def test_a_case_asking_about_a_category_is_reached_maybe_by_a_rule_on_one_of_its_kinds() -> None:
    """The batched table leaves the category alone (above); a question about one item, a market case's, that
    names the whole category cannot tell which part of it the rule binds, so the rule may reach it."""
    w = world({"A": {"USA": 100.0}, "B": {"USA": 100.0}, "C": {"USA": 100.0}}, links=[("B", "A", "is_type_of")])
    r = rule("r", ["B"])
    assert reaches(r, w, "B", "USA", CHN, {}) == YES
    assert reaches(r, w, "A", "USA", CHN, {}) == MAYBE
    assert reaches(r, w, "A", "us-tools", CHN, {}) == MAYBE
    assert reaches(r, w, "C", "USA", CHN, {}) == NO  # not a kind of B nor holding one
    assert reaches(r, w, "A", "JPN", CHN, {}) == NO  # a seller the rule does not bind
    assert reaches(rule("r", ["A"]), w, "B", "USA", CHN, {}) == YES


def test_dates_and_relaxation() -> None:
    w = world({"A": {"USA": 70.0, "JPN": 30.0}, "B": {"USA": 100.0}})
    base = rule("r", ["A", "B"], start="2022-10-07")
    assert table(w, [base], at=date(2022, 10, 6))["A"]["available"] == 1.0
    assert table(w, [base], at=date(2022, 10, 7))["A"]["available"] == pytest.approx(0.3)
    narrow = rule("x", ["B"], kind=RuleKind.RELAXATION, start="2024-01-01", relaxes=("r",), policy="lifted")
    t = table(w, [base, narrow], at=date(2024, 6, 1))
    assert t["A"]["available"] == pytest.approx(0.3) and t["B"]["available"] == 1.0
    lift = rule("y", [], kind=RuleKind.RELAXATION, start="2024-01-01", relaxes=("r",), policy="lifted",
                ended="2024-12-31")
    assert table(w, [base, lift], at=date(2024, 6, 1))["A"]["available"] == 1.0
    assert table(w, [base, lift], at=date(2025, 1, 1))["A"]["available"] == pytest.approx(0.3)  # suspension over


def test_export_control_does_not_reach_home_buyers() -> None:
    w = world({"A": {"USA": 70.0, "CHN": 30.0}})
    t = table(w, [rule("r", ["A"], hq_in=("CHN",), countries=())], dest=CHN)
    assert t["A"]["available"] == 1.0
    t = table(w, [rule("r", ["A"], hq_in=("CHN",), countries=())], dest=Destination("USA"))
    assert t["A"]["available"] == pytest.approx(0.7)


def test_region_provider_is_maybe() -> None:
    w = world({"A": {"EUR": 40.0, "USA": 60.0}})
    t = table(w, [rule("r", ["A"], hq_in=("NLD",))])["A"]
    assert (t["available_lower"], t["available_upper"]) == (0.6, 1.0)


def test_firm_rule_on_country_rows_is_maybe_and_exact_on_firm_rows() -> None:
    w = world({"A": {"USA": 60.0, "JPN": 40.0}}, firm_shares={"A": {"us-tools": 60.0, "jp-tools": 40.0}})
    ban = rule("r", ["A"], hq_in=(), firms=("us-tools",), kind=RuleKind.PROCUREMENT_BAN)
    ban = Rule(**{**ban.__dict__, "imposed_by": "CHN"})
    s = situation(w, [ban], CHN, DAY, {})
    country = {r["input"]: r for r in availability_table(s, view="country")}["A"]
    assert (country["available_lower"], country["available_upper"]) == (0.4, 1.0)
    firm = {r["input"]: r for r in availability_table(s, view="firm")}["A"]
    assert firm["available"] == pytest.approx(0.4)
    # asked without a view, the firm-level ban bounds the answer, and the record says so
    both = table(w, [ban])["A"]
    assert (both["available_lower"], both["available_upper"], both["available"]) == (0.4, 0.4, 0.4)
    assert (both["view"], both["lower_from"], both["upper_from"]) == ("country+firm", "firm", "firm")
    assert both["views"]["country"] == {"available_lower": 0.4, "available_upper": 1.0}
    assert [(b["provider"], b["view"], b["rules"]) for b in both["barred"]] == [("us-tools", "firm", ["r"])]


def test_a_ban_on_one_firms_products_reaches_only_what_the_firm_supplies() -> None:
    """'Every product of US Tools' bars US Tools' rows, and the US row (which mixes US Tools with other firms) only
    as 'maybe' and only for what US Tools supplies: its input A, the category TOOLS that holds A, and (maybe) A's
    kind A2 the data says nothing of; never the US row of an input US Tools is not known to supply (B, held by US
    Chips and Japan; C, of which only countries are known)."""
    w = world({"A": {"USA": 60.0, "JPN": 40.0}, "A2": {"USA": 50.0, "JPN": 50.0}, "TOOLS": {"USA": 50.0, "JPN": 50.0},
               "B": {"USA": 50.0, "JPN": 50.0}, "C": {"USA": 50.0, "JPN": 50.0}},
              firm_shares={"A": {"us-tools": 60.0, "jp-tools": 40.0}, "B": {"us-chips": 50.0, "jp-tools": 50.0}},
              links=[("A2", "A", "is_type_of"), ("A", "TOOLS", "is_type_of")])
    ban = rule("r", ["*"], hq_in=(), firms=("us-tools",), kind=RuleKind.PROCUREMENT_BAN)
    ban = Rule(**{**ban.__dict__, "imposed_by": "CHN"})
    country = {r["input"]: r for r in availability_table(situation(w, [ban], CHN, DAY, {}), view="country")}
    bounds = {i: (r["available_lower"], r["available_upper"]) for i, r in country.items()}
    assert bounds == {"A": (0.4, 1.0), "A2": (0.5, 1.0), "TOOLS": (0.5, 1.0), "B": (1.0, 1.0), "C": (1.0, 1.0)}
    assert table(w, [ban])["A"]["available"] == pytest.approx(0.4)  # the firm view bars US Tools' 60% for certain
    # an input the rule names itself is reached as written
    named = Rule(**{**ban.__dict__, "products": (ProductSelector("C"),)})
    assert (table(w, [named])["C"]["available_lower"], table(w, [named])["C"]["available_upper"]) == (0.5, 1.0)
    # a firm supplies what the firms it owns supply: a ban on US Chips, owner of US Tools, reaches A and B, not C
    owner = Rule(**{**ban.__dict__, "sellers": Sellers((), ("us-chips",))})
    owned = availability_table(situation(w, [owner], CHN, DAY, {"us-tools": "us-chips"}), view="country")
    assert {r["input"]: r["available_lower"] for r in owned} == {"A": 0.4, "A2": 0.5, "TOOLS": 0.5, "B": 0.5, "C": 1.0}


def test_a_seller_named_by_the_question_is_reached_as_the_rules_products_say() -> None:
    """One item and one seller (a market case's): a firm named as the seller of the item supplies it by the case's
    own account, so a ban on its products reaches it; the US producers as a group are reached only for what the
    banned firm is known to supply, and then only as 'maybe' (the row mixes firms)."""
    w = world({"A": {"USA": 60.0, "JPN": 40.0}, "C": {"USA": 50.0, "JPN": 50.0}},
              firm_shares={"A": {"us-tools": 60.0, "jp-tools": 40.0}})
    ban = rule("r", ["*"], hq_in=(), firms=("us-tools",), kind=RuleKind.PROCUREMENT_BAN)
    ban = Rule(**{**ban.__dict__, "imposed_by": "CHN"})
    assert reaches(ban, w, "C", "us-tools", CHN, {}) == YES
    assert reaches(ban, w, "C", "USA", CHN, {}) == NO
    assert reaches(ban, w, "A", "USA", CHN, {}) == MAYBE


def test_entity_listing_reaches_named_firm_only() -> None:
    w = world({"A": {"USA": 60.0, "JPN": 40.0}})
    listing = rule("l", ["*"], countries=(), kind=RuleKind.ENTITY_LISTING)
    listing = Rule(**{**listing.__dict__, "targets": Targets(firms=("cn-tools",))})
    assert table(w, [listing])["A"]["available"] == 1.0  # China as a whole is not cut off
    assert table(w, [listing], dest=Destination("CHN", firm="cn-tools"))["A"]["available"] == pytest.approx(0.4)


def test_ownership_rule_extends_listings_by_date_and_tier() -> None:
    """An entity listing reaches the party it names; the firms that party owns (two tiers down here) only while
    an ownership rule is in force, and not while a relaxation suspends it."""
    w = world({"A": {"USA": 60.0, "JPN": 40.0}}, firm_shares={"A": {"us-tools": 60.0, "jp-tools": 40.0}})
    parents = {"cn-sub": "cn-tools", "cn-subsub": "cn-sub"}
    listing = rule("L", ["*"], countries=(), kind=RuleKind.ENTITY_LISTING, start="2024-12-02")
    listing = Rule(**{**listing.__dict__, "targets": Targets(firms=("cn-tools",))})
    ownership = rule("O", ["*"], countries=(), kind=RuleKind.ENTITY_LISTING, start="2025-09-29")
    ownership = Rule(**{**ownership.__dict__, "targets": Targets(affiliates=True)})
    suspension = rule("S", ["*"], countries=(), kind=RuleKind.RELAXATION, policy="lifted", start="2025-11-10",
                      ended="2026-11-10", relaxes=("O",))
    rules = [listing, ownership, suspension]

    def available(firm: str, day: str) -> float:
        dest = Destination("CHN", firm=firm)
        s = situation(w, rules, dest, date.fromisoformat(day), parents)
        value = {r["input"]: r for r in availability_table(s)}["A"]["available"]
        assert value is not None
        return float(value)

    assert available("cn-tools", "2025-01-01") == pytest.approx(0.4)  # the named party, from its listing
    for firm in ("cn-sub", "cn-subsub"):
        assert available(firm, "2025-06-30") == 1.0  # before the ownership rule
        assert available(firm, "2025-10-01") == pytest.approx(0.4)  # in force: both tiers
        assert available(firm, "2025-12-01") == 1.0  # suspended
        assert available(firm, "2026-12-01") == pytest.approx(0.4)  # the suspension over
    assert available("jp-tools", "2025-10-01") == 1.0  # owning nothing listed
    s = situation(w, rules, Destination("CHN", firm="cn-subsub"), date(2025, 10, 1), parents)
    barred = {r["input"]: r for r in availability_table(s)}["A"]["barred"]
    assert {rid for b in barred for rid in b["rules"]} == {"L via O"}


def test_ownership_rule_counts_aggregate_shares_and_says_maybe_for_unknown_stakes() -> None:
    """With stakes: a firm the listed parties hold 50% or more of in aggregate (over chains: 80% of a firm
    holding 75% counts 60%; two listed parties' 30% each count 60%) is reached; 40% is not; a stake of unknown
    size that could carry the aggregate over the threshold reaches it as 'maybe'."""
    from chipshift.domain.ownership import Ownership, Stake

    w = world({"A": {"USA": 60.0, "JPN": 40.0}}, firm_shares={"A": {"us-tools": 60.0, "jp-tools": 40.0}})
    owners = Ownership([Stake("cn-tools", "mid", 80.0), Stake("mid", "chained", 75.0),
                        Stake("cn-tools", "joint", 30.0), Stake("cn-other", "joint", 30.0),
                        Stake("cn-tools", "minority", 40.0),
                        Stake("cn-tools", "unsure", 30.0), Stake("cn-other", "unsure", None),
                        Stake("cn-tools", "small", 10.0), Stake("cn-other", "small", None),
                        Stake("someone", "small", 60.0)])
    listing = rule("L", ["*"], countries=(), kind=RuleKind.ENTITY_LISTING, start="2024-12-02")
    listing = Rule(**{**listing.__dict__, "targets": Targets(firms=("cn-tools", "cn-other"))})
    ownership = rule("O", ["*"], countries=(), kind=RuleKind.ENTITY_LISTING, start="2025-09-29")
    ownership = Rule(**{**ownership.__dict__, "targets": Targets(affiliates=True)})

    def row(firm: str) -> dict[str, Any]:
        s = situation(w, [listing, ownership], Destination("CHN", firm=firm), date(2025, 10, 1), owners)
        return {r["input"]: r for r in availability_table(s)}["A"]

    for firm in ("mid", "chained", "joint"):
        assert row(firm)["available"] == pytest.approx(0.4), firm
    for firm in ("minority", "small"):  # 40%; 10% + at most 30% unknown (someone holds 60%)
        assert row(firm)["available"] == 1.0, firm
    unsure = row("unsure")  # 30% known, the other stake anything up to 70%: maybe
    assert unsure["available_lower"] == pytest.approx(0.4) and unsure["available_upper"] == 1.0


# -- random worlds against the plain reference ----------------------------------------------------------


PROVIDERS = ["USA", "JPN", "NLD", "CHN", "EUR", "us-tools", "jp-tools", "cn-tools", "us-chips"]
#: End uses a rule may be limited to, and the buyers a query may ask about (None: the whole market).
SEGMENT_SCOPES = [(), (), ("cii",), ("cii", "data_center")]
SEGMENTS = [None, "cii", "data_center", "other"]
#: A rule's start and end around DAY (2025-01-01): in force, not yet, ended, or maybe (a start or end known
#: only to the year or month whose window holds DAY).
DATES: list[tuple[str, str | None]] = [("2020-01-01", None), ("2020-01-01", None), ("2099-01-01", None),
                                       ("2020-01-01", "2024-06-30"), ("2025", None), ("2025-01", None),
                                       ("2020-01-01", "2025"), ("2024", None), ("2020", "2026-03")]
share_values = st.one_of(st.none(), st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1)))


@st.composite
def worlds_and_rules(draw: st.DrawFn) -> tuple[World, list[Rule]]:
    n = draw(st.integers(1, 5))
    names = [f"I{k}" for k in range(n)]
    shares = {}
    firm_shares = {}
    for name in names:
        chosen = draw(st.lists(st.sampled_from(PROVIDERS[:5]), min_size=0, max_size=4, unique=True))
        shares[name] = {p: draw(share_values) for p in chosen}
        chosen_f = draw(st.lists(st.sampled_from(PROVIDERS[5:]), min_size=0, max_size=4, unique=True))
        firm_shares[name] = {p: draw(share_values) for p in chosen_f}
    links = [(names[k], names[draw(st.integers(0, k - 1))], "is_type_of") for k in range(1, n) if draw(st.booleans())]
    attrs = {name: draw(st.sampled_from([{}, {"tpp": 1000.0}, {"tpp": 6000.0}])) for name in names}
    w = world(shares, firm_shares, links, attrs)
    rules: list[Rule] = []
    for k in range(draw(st.integers(0, 6))):
        relax = bool(rules) and draw(st.booleans())
        products = draw(st.lists(st.sampled_from([*names, "*"]), max_size=2, unique=True))
        threshold = draw(st.sampled_from([(), (Predicate("tpp", "gte", 4800.0),)]))
        firms = tuple(draw(st.lists(st.sampled_from(PROVIDERS[5:]), max_size=1)))
        r = rule(
            f"R{k}", [],
            hq_in=() if firms else tuple(draw(st.lists(st.sampled_from(["USA", "JPN", "NLD", "CHN"]), min_size=1,
                                                       max_size=2, unique=True))),
            firms=firms,
            countries=tuple(draw(st.lists(st.sampled_from(["CHN", "USA"]), max_size=2, unique=True))),
            policy=draw(st.sampled_from(["lifted", "licence_required"] if relax else
                                        ["ban", "case_by_case", "presumption_of_denial", None])),
            kind=RuleKind.RELAXATION if relax else draw(st.sampled_from([RuleKind.EXPORT_CONTROL,
                                                                         RuleKind.IMPORT_BAN])),
            relaxes=(rules[draw(st.integers(0, len(rules) - 1))].id,) if relax else (),
            segments=draw(st.sampled_from(SEGMENT_SCOPES)),
        )
        selectors = tuple(ProductSelector(p, threshold) for p in products)
        rules.append(Rule(**{**r.__dict__, "products": selectors}))
    return w, rules


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds_and_rules(), st.lists(st.sampled_from(DATES), min_size=6, max_size=6),
       st.sampled_from(["CHN", "USA", "JPN"]), st.sampled_from(SEGMENTS))
def test_fast_agrees_with_reference(case: tuple[World, list[Rule]], dates: list[tuple[str, str | None]], dest: str,
                                    segment: str | None) -> None:
    w, rules = case
    switched = [Rule(**{**r.__dict__, "effective": dates[k][0], "ended": dates[k][1]}) for k, r in enumerate(rules)]
    compiled = compile_rules(w, switched, [Destination(dest, segment=segment)], {})
    states = np.array([[in_force_state(r, DAY) for r in switched]])
    active, sure = states != NO, states == YES
    for view in (w.by_country, w.by_firm):
        fast = availability(w, view, pair_status(w, view, compiled, active, np.zeros(1, dtype=np.int64), sure))
        for i, (lo, hi, point) in enumerate(reference(w, view, switched, dest, DAY, segment=segment)):
            got = (fast.lower[0, i], fast.upper[0, i], fast.point[0, i])
            assert np.allclose(got, (lo, hi, point), equal_nan=True, atol=1e-9), (i, got, (lo, hi, point))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds_and_rules(), st.sampled_from(["lifted", "licence_required"]), st.sampled_from(PROVIDERS[5:]))
def test_a_relaxation_never_lowers_availability_and_spares_other_sellers(
        case: tuple[World, list[Rule]], policy: str, seller: str) -> None:
    w, rules = case
    barring = [r for r in rules if r.kind is not RuleKind.RELAXATION]
    if not barring:
        return
    x = rule("X", [], hq_in=(), firms=(seller,), kind=RuleKind.RELAXATION, relaxes=(barring[0].id,), policy=policy)
    before_rules = [r for r in rules if r.kind is not RuleKind.RELAXATION or barring[0].id not in r.relaxes]
    after_rules = [*before_rules, x]
    compiled_b = compile_rules(w, before_rules, [CHN], {})
    compiled_a = compile_rules(w, after_rules, [CHN], {})
    one = np.zeros(1, dtype=np.int64)
    for view in (w.by_country, w.by_firm):
        sb = pair_status(w, view, compiled_b, np.ones((1, len(before_rules)), dtype=bool), one)
        sa = pair_status(w, view, compiled_a, np.ones((1, len(after_rules)), dtype=bool), one)
        b, a = availability(w, view, sb), availability(w, view, sa)
        data = b.has_data
        assert np.all(a.lower[:, data] >= b.lower[:, data] - 1e-12)
        assert np.all(a.upper[:, data] >= b.upper[:, data] - 1e-12)
        if view.name == "firm":  # a relaxation naming one seller never changes another seller's status
            other = np.array([w.providers[int(p)] != seller for p in view.pair_provider], dtype=bool)
            assert np.array_equal(sa.barred[0, other], sb.barred[0, other])
            assert np.array_equal(sa.maybe[0, other], sb.maybe[0, other])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds_and_rules())
def test_invariants(case: tuple[World, list[Rule]]) -> None:
    w, rules = case
    barring = [r for r in rules if r.kind is not RuleKind.RELAXATION]
    compiled = compile_rules(w, barring, [CHN], {})
    n = len(barring)
    dest = np.zeros(n + 1, dtype=np.int64)
    # scenario k switches on the first k rules: each adds one rule to the previous
    active = np.tril(np.ones((n + 1, n), dtype=bool), k=-1)
    for view in (w.by_country, w.by_firm):
        a = availability(w, view, pair_status(w, view, compiled, active, dest))
        data = a.has_data
        assert np.all(a.lower[0, data] == 1.0) and np.all(a.upper[0, data] == 1.0)  # no rules: all available
        lo, hi = a.lower[:, data], a.upper[:, data]
        assert np.all((lo >= 0) & (hi <= 1) & (lo <= hi + 1e-12))
        assert np.all(np.diff(a.lower[:, data], axis=0) <= 1e-12)  # adding a rule never raises availability
        assert np.all(np.diff(a.upper[:, data], axis=0) <= 1e-12)
        known = ~np.isnan(a.point)
        assert np.all(a.lower[known] - 1e-12 <= a.point[known]) and np.all(a.point[known] <= a.upper[known] + 1e-12)


@settings(max_examples=100, deadline=None)
@given(worlds_and_rules())
def test_full_relaxation_restores_the_earlier_state(case: tuple[World, list[Rule]]) -> None:
    w, rules = case
    barring = [r for r in rules if r.kind is not RuleKind.RELAXATION]
    if not barring:
        return
    lifts = [rule(f"L{k}", [], hq_in=(), countries=(), kind=RuleKind.RELAXATION, relaxes=(r.id,), policy="lifted",
                  start="2024-01-01") for k, r in enumerate(barring)]
    before = table(w, [], at=date(2025, 1, 1))
    after = table(w, barring + lifts, at=date(2025, 1, 1))
    for key, rec in before.items():
        assert (after[key]["available_lower"], after[key]["available_upper"]) == (
            rec["available_lower"], rec["available_upper"])


def test_maybe_constant_is_not_yes() -> None:
    assert MAYBE != YES


def test_relaxation_that_may_cover_an_input_does_not_free_it_for_certain() -> None:
    w = world({}, firm_shares={"A": {"us-tools": 80.0, "jp-tools": 20.0}}, attributes={})
    ban = rule("r", ["A"])
    narrow = Rule(**{**rule("x", [], hq_in=(), countries=(), kind=RuleKind.RELAXATION, relaxes=("r",),
                            policy="lifted").__dict__,
                     "products": (ProductSelector("A", (Predicate("tpp", "lt", 4800.0),)),)})
    s = situation(w, [ban, narrow], CHN, DAY, {})
    a = {r["input"]: r for r in availability_table(s, view="firm")}["A"]
    # A carries no tpp: the relaxation may or may not apply, so US Tools is maybe barred, not free
    assert (a["available_lower"], a["available_upper"]) == (pytest.approx(0.2), 1.0)
    assert [m["provider"] for m in a["maybe_barred"]] == ["us-tools"]


def test_relaxation_for_one_seller_does_not_free_another() -> None:
    w = world({}, firm_shares={"A": {"us-tools": 50.0, "us-chips": 30.0, "jp-tools": 20.0}})
    ban = rule("r", ["A"])
    for_one = rule("x", [], hq_in=(), firms=("us-tools",), countries=(), kind=RuleKind.RELAXATION, relaxes=("r",),
                   policy="lifted")
    s = situation(w, [ban, for_one], CHN, DAY, {})
    a = {r["input"]: r for r in availability_table(s, view="firm")}["A"]
    assert a["available"] == pytest.approx(0.7)
    assert [b["provider"] for b in a["barred"]] == ["us-chips"]


def test_licence_relaxation_turns_a_ban_into_a_licence_review() -> None:
    w = world({}, firm_shares={"A": {"us-tools": 60.0, "jp-tools": 40.0}})
    ban = rule("r", ["A"])
    licences = rule("x", ["A"], hq_in=(), countries=("CHN",), kind=RuleKind.RELAXATION, relaxes=("r",),
                    policy="licence_required")
    a = {r["input"]: r for r in availability_table(situation(w, [ban, licences], CHN, DAY, {}), view="firm")}["A"]
    assert (a["available_lower"], a["available_upper"]) == (pytest.approx(0.4), 1.0)
    assert [m["provider"] for m in a["maybe_barred"]] == ["us-tools"]


def test_relaxation_scoped_as_its_rule_lifts_what_the_rule_may_bar() -> None:
    """A suspension written with the rule's own sellers lifts the 'various countries' row the rule may bar:
    the same unknown (whether those firms are US firms) cannot bar and stay unlifted. A relaxation of two
    rules follows each rule's own scope."""
    w = world({"A": {"USA": 50.0, "JPN": 30.0, "XVC": 20.0}, "B": {"USA": 40.0, "JPN": 60.0}})
    ban = rule("r", ["A"])
    other = rule("o", ["B"], hq_in=("JPN",))
    suspension = rule("x", ["A"], countries=("CHN",), kind=RuleKind.RELAXATION, relaxes=("r", "o"), policy="lifted")
    before = table(w, [ban, other])
    assert (before["A"]["available_lower"], before["A"]["available_upper"]) == (pytest.approx(0.3), 0.5)
    after = table(w, [ban, other, suspension])
    assert (after["A"]["available_lower"], after["A"]["available_upper"]) == (1.0, 1.0)
    # 'o' binds Japanese sellers of B, which the suspension (US sellers of A) neither covers nor frees
    assert (after["B"]["available_lower"], after["B"]["available_upper"]) == (pytest.approx(0.4), pytest.approx(0.4))
    # written with other sellers, the same suspension leaves the mixed row maybe barred
    narrower = Rule(**{**suspension.__dict__, "sellers": Sellers(firms=("us-tools",))})
    mixed = table(w, [ban, narrower])["A"]
    assert mixed["available_lower"] == pytest.approx(0.3)


def test_a_relaxation_of_several_rules_is_listed_once_and_the_rules_it_lifts_are_not_in_force() -> None:
    """The engine keeps a row per rule a relaxation relaxes; the rules in force name it once, with the inputs
    its rows cover together. The two rules it lifts for everything they reach are no longer in force: they
    are listed as lifted, each naming the relaxation once."""
    w = world({"A": {"USA": 50.0, "JPN": 50.0}, "B": {"USA": 40.0, "JPN": 60.0}})
    ban = rule("r", ["A"])
    other = rule("o", ["B"])
    lift = rule("x", ["A", "B"], kind=RuleKind.RELAXATION, relaxes=("r", "o"), policy="lifted", start="2024-01-01")
    s = situation(w, [ban, other, lift], CHN, DAY, {})
    listed = rules_in_force(s)
    assert [r["id"] for r in listed] == ["x"]
    assert listed[0]["inputs_covered"] == 2 and listed[0]["reach"] == "whole"
    assert [(r["id"], r["lifted_by"]) for r in rules_lifted(s)] == [("r", ["x"]), ("o", ["x"])]
    # before the relaxation, both are in force
    before = situation(w, [ban, other, lift], CHN, date(2023, 6, 30), {})
    assert [r["id"] for r in rules_in_force(before)] == ["r", "o"] and rules_lifted(before) == []


def test_the_rules_an_input_lists_leave_out_one_its_relaxations_free_there() -> None:
    """Per input, the rules barring it at the destination: a ban lifted for input A only is listed for B alone
    while the lifting holds, and for both before it."""
    w = world({"A": {"USA": 50.0, "JPN": 50.0}, "B": {"USA": 40.0, "JPN": 60.0}})
    ban = rule("r", ["A", "B"])
    lift = rule("x", ["A"], kind=RuleKind.RELAXATION, relaxes=("r",), policy="lifted", start="2024-01-01")

    def listed(at: date) -> dict[str, list[str]]:
        s = situation(w, [ban, lift], CHN, at, {})
        return {r["input"]: r["rules"] for r in availability_table(s, detail=True)}

    assert listed(DAY) == {"A": [], "B": ["r"]}
    assert listed(date(2023, 6, 30)) == {"A": ["r"], "B": ["r"]}


def test_a_rule_relaxed_in_part_stays_in_force() -> None:
    """A relaxation that lifts one of a rule's two inputs, or frees only some of its sellers, or leaves
    licences to be decided, does not lift the rule."""
    w = world({"A": {"USA": 50.0, "JPN": 50.0}, "B": {"USA": 40.0, "JPN": 60.0}})
    ban = rule("r", ["A", "B"], hq_in=("USA", "JPN"))
    both = ("USA", "JPN")
    whole = rule("x", ["A", "B"], hq_in=both, kind=RuleKind.RELAXATION, relaxes=("r",), policy="lifted")
    s = situation(w, [ban, whole], CHN, DAY, {})
    assert [r["id"] for r in rules_in_force(s)] == ["x"] and [r["id"] for r in rules_lifted(s)] == ["r"]
    for relaxation in (rule("x", ["A"], hq_in=both, kind=RuleKind.RELAXATION, relaxes=("r",), policy="lifted"),
                       rule("x", ["A", "B"], kind=RuleKind.RELAXATION, relaxes=("r",), policy="lifted"),
                       rule("x", ["A", "B"], hq_in=both, kind=RuleKind.RELAXATION, relaxes=("r",),
                            policy="licence_required")):
        s = situation(w, [ban, relaxation], CHN, DAY, {})
        by_id = {r["id"]: r for r in rules_in_force(s)}
        assert by_id["r"]["relaxed_by"] == ["x"] and rules_lifted(s) == []


def _standing(w: World, rules: list[Rule], rule_id: str) -> list[tuple[str, str | None, str, tuple[str, ...]]]:
    rule_ = next(r for r in rules if r.id == rule_id)
    return [(x.start, x.end, x.state, x.by) for x in rule_standing(w, rules, rule_, {})]


def test_a_rules_standing_follows_the_relaxations_of_it_over_time() -> None:
    """A ban from US and Japanese sellers on A and B to China: a relaxation freeing A narrows it; one freeing B too
    lifts it, and once a suspension ends the rule holds again; a relaxation leaving licences to decide, or
    reaching some of the rule's buyers, only narrows it. Dates known only to the month count from its last day."""
    w = world({"A": {"USA": 50.0, "JPN": 50.0}, "B": {"USA": 40.0, "JPN": 60.0}})
    both = ("USA", "JPN")
    ban = rule("r", ["A", "B"], hq_in=both, start="2020-01-01")
    assert _standing(w, [ban], "r") == [("2020-01-01", None, "in force", ())]
    free_a = rule("xa", ["A"], hq_in=both, kind=RuleKind.RELAXATION, relaxes=("r",), policy="lifted",
                  start="2021-03")
    free_b = rule("xb", ["B"], hq_in=both, kind=RuleKind.RELAXATION, relaxes=("r",), policy="lifted",
                  start="2022-06-01", ended="2023-01-01")
    assert _standing(w, [ban, free_a, free_b], "r") == [
        ("2020-01-01", "2021-03", "in force", ()), ("2021-03", "2022-06-01", "narrowed", ("xa",)),
        ("2022-06-01", "2023-01-01", "lifted", ("xa", "xb")), ("2023-01-01", None, "narrowed", ("xa",))]
    # the engine's own answer agrees at each stretch: in force and relaxed in part, then lifted
    s = situation(w, [ban, free_a, free_b], CHN, date(2022, 7, 1), {})
    assert [r["id"] for r in rules_lifted(s)] == ["r"]
    s = situation(w, [ban, free_a, free_b], CHN, date(2021, 3, 31), {})
    assert {r["id"]: r["relaxed_by"] for r in rules_in_force(s)}["r"] == ["xa"]
    # a licence review instead of the ban; a relaxation for one of the two countries the rule targets
    licences = rule("xl", ["A", "B"], hq_in=both, kind=RuleKind.RELAXATION, relaxes=("r",),
                    policy="licence_required", start="2021-01-01")
    two = rule("r", ["A", "B"], hq_in=both, countries=("CHN", "NLD"), start="2020-01-01")
    for_china = rule("xc", ["A", "B"], hq_in=both, kind=RuleKind.RELAXATION, relaxes=("r",), policy="lifted",
                     start="2021-01-01")
    assert _standing(w, [ban, licences], "r")[1:] == [("2021-01-01", None, "narrowed", ("xl",))]
    assert _standing(w, [two, for_china], "r")[1:] == [("2021-01-01", None, "narrowed", ("xc",))]
    assert _standing(w, [ban, for_china], "r")[1:] == [("2021-01-01", None, "lifted", ("xc",))]
    # a relaxation before the rule ends or after it, and a relaxation of another rule, change nothing
    ended = rule("r", ["A", "B"], hq_in=both, start="2020-01-01", ended="2020-12-31")
    other = rule("xo", ["A"], kind=RuleKind.RELAXATION, relaxes=("q",), policy="lifted", start="2020-06-01")
    assert _standing(w, [ended, for_china, other], "r") == [("2020-01-01", "2020-12-31", "in force", ())]


def test_a_relaxation_of_nothing_in_force_is_not_listed() -> None:
    """A relaxation is listed while a rule it relaxes is in force and reaches the destination; once that rule
    has ended (a rule rescinded, a requirement that lapsed), the relaxation relaxes nothing there."""
    w = world({"A": {"USA": 50.0, "JPN": 50.0}})
    ended = rule("r", ["A"], ended="2024-06-30")
    lift = rule("x", ["A"], kind=RuleKind.RELAXATION, relaxes=("r",), policy="licence_required", start="2024-01-01")
    assert [r["id"] for r in rules_in_force(situation(w, [ended, lift], CHN, date(2024, 3, 1), {}))] == ["r", "x"]
    assert rules_in_force(situation(w, [ended, lift], CHN, DAY, {})) == []


def test_a_date_known_only_to_the_year_or_month_leaves_the_rule_maybe_in_force_inside_its_window() -> None:
    """A ban whose start is recorded as '2019' may bar from the first of January and surely bars from the last
    day of December; a lifting dated '2025-03' maybe lifts it during March."""
    w = world({"A": {"USA": 60.0, "JPN": 40.0}})
    ban = rule("r", ["A"], start="2019")
    lift = rule("x", [], kind=RuleKind.RELAXATION, relaxes=("r",), policy="lifted", start="2025-03")

    def bounds(at: date) -> tuple[float, float]:
        row = table(w, [ban, lift], at=at)["A"]
        return row["available_lower"], row["available_upper"]

    assert bounds(date(2018, 12, 31)) == (1.0, 1.0)
    assert bounds(date(2019, 6, 1)) == pytest.approx((0.4, 1.0))
    assert bounds(date(2019, 12, 31)) == pytest.approx((0.4, 0.4))
    assert bounds(date(2025, 3, 10)) == pytest.approx((0.4, 1.0))
    assert bounds(date(2025, 3, 31)) == (1.0, 1.0)
    listed = rules_in_force(situation(w, [ban, lift], CHN, date(2019, 6, 1), {}))
    assert [(r["id"], r["in_force"]) for r in listed] == [("r", "maybe")]
    assert "2019-12-31" in listed[0]["in_force_note"]
    march = rules_in_force(situation(w, [ban, lift], CHN, date(2025, 3, 10), {}))
    assert {r["id"]: (r["in_force"], r["relaxed_by"], r["relaxed_in_part_by"]) for r in march}["r"] == (
        "certain", [], ["x"])


def test_a_rule_that_bars_nothing_in_the_data_is_lifted_only_by_a_relaxation_of_all_it_may_bar() -> None:
    """A denial of CN Tools' own sales, when the data names CN Tools a supplier of nothing, bars nothing: a relaxation
    of every product from every seller lifts it (as it would lift whatever the rule bars); one of some products
    leaves it in force, relaxed."""
    w = world({"A": {"USA": 50.0, "CHN": 50.0}}, firm_shares={"A": {"us-tools": 100.0}})
    own = rule("r", ["*"], hq_in=(), firms=("cn-tools",), countries=("CHN",))
    everything = rule("x", ["*"], hq_in=(), kind=RuleKind.RELAXATION, relaxes=("r",), policy="lifted")
    s = situation(w, [own, everything], CHN, DAY, {})
    assert [r["id"] for r in rules_lifted(s)] == ["r"]
    assert _standing(w, [own, everything], "r") == [("2020-01-01", None, "lifted", ("x",))]
    some = rule("x", ["A"], hq_in=(), kind=RuleKind.RELAXATION, relaxes=("r",), policy="lifted")
    s = situation(w, [own, some], CHN, DAY, {})
    assert rules_lifted(s) == [] and {r["id"]: r["relaxed_by"] for r in rules_in_force(s)}["r"] == ["x"]
