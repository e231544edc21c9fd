"""Aggregate ownership over chains of stakes (``domain.ownership``), checked against hand-worked cases and
invariants written from its documented semantics."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chipshift.domain.ownership import Ownership, Stake, controlling_parents, holdings, latest


def test_shares_multiply_along_a_chain_and_add_over_owners() -> None:
    stakes = [Stake("p", "a", 60.0), Stake("a", "fab", 100.0), Stake("q", "fab2", 30.0), Stake("p", "fab2", 30.0)]
    held = holdings({"p", "q"}, stakes)
    assert held["a"].low == pytest.approx(60.0) and held["fab"].low == pytest.approx(60.0)  # 60% x 100%
    assert held["fab2"].low == held["fab2"].high == pytest.approx(60.0)  # 30% + 30%, in aggregate
    assert held["fab"].controlled is True and [len(c) for c in held["fab"].chains] == [2]


def test_an_unknown_stake_gives_a_range_bounded_by_the_known_ones() -> None:
    stakes = [Stake("p", "x", 30.0), Stake("q", "x", None), Stake("r", "x", 45.0)]
    held = holdings({"p", "q"}, stakes)["x"]
    assert held.low == pytest.approx(30.0)
    assert held.high == pytest.approx(55.0)  # q: anything up to 100 - 75
    assert held.controlled is None
    assert holdings({"p"}, stakes)["x"].controlled is False


def test_cycles_stop_and_the_latest_stake_counts() -> None:
    stakes = [Stake("a", "b", 70.0, "2020"), Stake("b", "a", 10.0, "2020"), Stake("a", "b", 40.0, "2024")]
    assert [s.share for s in latest(stakes) if s.owner == "a"] == [40.0]
    held = holdings({"a"}, stakes)
    assert set(held) == {"b"} and held["b"].low == pytest.approx(40.0)


def test_controlling_parents_are_direct_owners_holding_half_or_more() -> None:
    stakes = [Stake("p", "a", 60.0), Stake("a", "fab", 100.0), Stake("p", "b", 50.0), Stake("p", "c", None)]
    assert controlling_parents(stakes) == {"a": "p", "fab": "a", "b": "p"}
    assert dict(Ownership(stakes)) == {"a": "p", "fab": "a", "b": "p"}


names = st.sampled_from(["p", "q", "a", "b", "c", "d"])
shares = st.one_of(st.none(), st.floats(0.0, 100.0, allow_nan=False))


@given(st.lists(st.tuples(names, names, shares), max_size=12), st.sets(names, min_size=1, max_size=3), names,
       st.floats(0.0, 100.0, allow_nan=False))
def test_aggregates_stay_in_range_and_a_new_stake_never_lowers_them(
        raw: list[tuple[str, str, float | None]], owners: set[str], firm: str, extra: float) -> None:
    stakes = [Stake(o, f, s) for o, f, s in raw if o != f]
    # keep each firm's known stakes within 100%, as the data's check does
    total: dict[str, float] = {}
    kept = []
    for s in latest(stakes):
        if s.share is None or total.get(s.firm, 0.0) + s.share <= 100.0:
            total[s.firm] = total.get(s.firm, 0.0) + (s.share or 0.0)
            kept.append(s)
    before = holdings(owners, kept)
    for h in before.values():
        assert -1e-9 <= h.low <= h.high + 1e-9 and h.high <= 100.0 + 1e-9
    owner = sorted(owners)[0]
    if owner != firm and (owner, firm) not in {(s.owner, s.firm) for s in kept} \
            and total.get(firm, 0.0) + extra <= 100.0:
        after = holdings(owners, [*kept, Stake(owner, firm, extra)])
        for f, h in before.items():
            assert after[f].low >= h.low - 1e-9  # adding a stake held by the owners never lowers what they hold
