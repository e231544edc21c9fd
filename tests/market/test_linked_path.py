"""Quarterly linked paths: the note's WE-2.2 (rush, stock, unmet), WE-3.1 (supply cut with stockpile and
substitute ramp) and licences as partial access (WE-4.1 over time)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipshift.market import MarketInputError
from chipshift.market.linked import LinkedMarkets
from chipshift.market.linked_path import (
    InputCut,
    Licence,
    PreparedPlan,
    QuarterlyPlan,
    Rush,
    simulate_linked,
)


def _plan(lm: LinkedMarkets, quarters: int, *, banned: np.ndarray | None = None, capacity: float = math.inf,
          **kw: object) -> QuarterlyPlan:
    nm, nf = lm.shape
    return QuarterlyPlan(
        quarters=quarters, batch=1,
        banned=np.zeros((quarters, nm, nf), dtype=bool) if banned is None else banned,
        capacity=np.full((quarters, 1, nf), capacity), demand=np.ones((quarters, 1, nm)), **kw)  # type: ignore[arg-type]


def test_we22_rush_fills_a_stock_as_spare_capacity_allows_then_runs_it_down() -> None:
    """D = 100 a quarter, spare capacity 60, stock cap 6 months, two quarters of warning, then a ban:
    imports 160, 160, 0, 0, 0; stock 60, 120, 20, 0, 0; unmet 0, 0, 0, 80, 100."""
    lm = LinkedMarkets(["seller"], ["buyers"], [[100.0]], sigma=2.0, demand_elasticity=0.0)
    banned = np.zeros((5, 1, 1), dtype=bool)
    banned[2:] = True
    rush = Rush(pairs=np.ones((1, 1), dtype=bool), announced=0, effective=2, cap_quarters=np.array([2.0]))
    path = simulate_linked(lm, _plan(lm, 5, banned=banned, capacity=160.0, rushes=(rush,)))
    np.testing.assert_allclose(path.quantity[:, 0, 0, 0], [160, 160, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(path.buyer_stock[:, 0, 0, 0], [60, 120, 20, 0, 0], atol=1e-9)
    np.testing.assert_allclose(path.from_stock[:, 0, 0, 0], [0, 0, 100, 20, 0], atol=1e-9)
    np.testing.assert_allclose(path.unmet[:, 0, 0], [0, 0, 0, 80, 100], atol=1e-9)
    assert path.at_capacity[:2, 0, 0].all()  # the rush uses all spare capacity


def test_a_rush_with_rivals_takes_share_before_the_ban_and_the_stock_delays_the_rivals_gain() -> None:
    lm = LinkedMarkets(["us", "domestic"], ["CHN"], [[60.0, 40.0]], sigma=3.0, demand_elasticity=0.5)
    banned = np.zeros((6, 1, 2), dtype=bool)
    banned[3:, 0, 0] = True
    rush = Rush(pairs=np.array([[True, False]]), announced=1, effective=3, cap_quarters=np.array([1.0]))
    with_rush = simulate_linked(lm, _plan(lm, 6, banned=banned, rushes=(rush,)))
    without = simulate_linked(lm, _plan(lm, 6, banned=banned))
    us, dom = with_rush.quantity[:, 0, 0, 0], with_rush.quantity[:, 0, 0, 1]
    assert us[1] > without.quantity[1, 0, 0, 0]  # pulled forward
    assert dom[3] < without.quantity[3, 0, 0, 1]  # buyers use their stock first
    np.testing.assert_allclose(dom[5], without.quantity[5, 0, 0, 1], rtol=1e-9)  # stock gone, same as without
    assert with_rush.buyer_stock[-1].sum() == pytest.approx(0.0, abs=1e-9)


def test_a_precautionary_stock_closes_half_its_gap_a_quarter_is_held_and_is_drawn_once_the_pair_is_barred() -> None:
    """D = 100 a quarter, no capacity limit, a target of 2 quarters of use (200) from quarter 1, half the gap a
    quarter, no end within the run: orders 100, 200, 150, 125, 112.5, 106.25; stock 0, 100, 150, 175, 187.5,
    193.75. Barred from quarter 4 instead: the stock of 175 serves 100 then 75, leaving 25 unmet."""
    lm = LinkedMarkets(["seller"], ["buyers"], [[100.0]], sigma=2.0, demand_elasticity=0.0)
    wary = Rush(pairs=np.ones((1, 1), dtype=bool), announced=1, effective=6, cap_quarters=np.array([2.0]),
                speed_quarters=2.0)
    path = simulate_linked(lm, _plan(lm, 6, rushes=(wary,)))
    np.testing.assert_allclose(path.quantity[:, 0, 0, 0], [100, 200, 150, 125, 112.5, 106.25], atol=1e-9)
    np.testing.assert_allclose(path.buyer_stock[:, 0, 0, 0], [0, 100, 150, 175, 187.5, 193.75], atol=1e-9)
    np.testing.assert_allclose(path.from_stock[:, 0, 0, 0], 0.0, atol=1e-12)
    banned = np.zeros((6, 1, 1), dtype=bool)
    banned[4:] = True
    cut = simulate_linked(lm, _plan(lm, 6, banned=banned, rushes=(wary,)))
    np.testing.assert_allclose(cut.from_stock[:, 0, 0, 0], [0, 0, 0, 0, 100, 75], atol=1e-9)
    np.testing.assert_allclose(cut.unmet[:, 0, 0], [0, 0, 0, 0, 0, 25], atol=1e-9)


def test_rushes_on_one_pair_take_the_larger_target_and_a_licensed_pair_orders_its_approved_share() -> None:
    lm = LinkedMarkets(["seller"], ["buyers"], [[100.0]], sigma=2.0, demand_elasticity=0.0)
    pair = np.ones((1, 1), dtype=bool)
    small, large = (Rush(pair, 0, 3, np.array([cap]), 2.0) for cap in (1.0, 2.0))
    both = simulate_linked(lm, _plan(lm, 3, rushes=(small, large)))
    alone = simulate_linked(lm, _plan(lm, 3, rushes=(large,)))
    np.testing.assert_allclose(both.quantity, alone.quantity, atol=1e-9)
    # half of what buyers want is licensed: 50 of use plus half of the 100 they want to stock
    licence = Licence(pair, 0, 3, approval=np.array([0.5]), delay=np.array([0.0]))
    elastic = dataclasses.replace(lm, demand_elasticity=np.array([0.5]))
    licensed = simulate_linked(elastic, _plan(elastic, 3, rushes=(large,), licences=(licence,)))
    assert licensed.quantity[0, 0, 0, 0] == pytest.approx(100.0)
    assert licensed.buyer_stock[0, 0, 0, 0] == pytest.approx(50.0)


def test_we31_supply_cut_runs_down_a_stock_and_recovers_with_a_substitute() -> None:
    """Line demand 5 a quarter; a stock of 10 at the cut; a substitute ramps to 8 a quarter, half-way at
    quarter 12, 10% to 90% in 4 quarters. Output 5, 5, 0 ... 0.10 (q8), 0.80 (q10), 2.00, 4.00, then 5; the
    stock rebuilds 1.0, 3.2, 5.91, 8.82 by q16."""
    lm = LinkedMarkets(["line"], ["buyers"], [[5.0]], sigma=2.0, demand_elasticity=0.5)
    cut = InputCut(firm=0, start=0, stock=np.array([10.0]), ceiling=np.array([8.0]), midpoint=np.array([12.0]),
                   rate=np.array([math.log(81.0) / 4.0]))
    path = simulate_linked(lm, _plan(lm, 17, cuts=(cut,)))
    out = path.quantity[:, 0, 0, 0]
    np.testing.assert_allclose(out[[0, 1]], 5.0, rtol=1e-9)
    assert np.all(out[2:6] < 0.01)
    np.testing.assert_allclose(out[[8, 10, 11, 12]], [0.0976, 0.8, 2.0, 4.0], atol=1e-3)
    np.testing.assert_allclose(out[13:], 5.0, rtol=1e-9)
    np.testing.assert_allclose(path.input_stock[13:17, 0, 0], [1.0, 3.2, 5.91, 8.82], atol=0.01)
    assert path.seller_price[5, 0, 0] > 100.0 and path.capacity_rent[5, 0, 0] > 0.0  # scarcity is priced
    assert path.rationed[5, 0, 0] > 4.9  # nearly all demand at cost goes unserved


def test_a_supply_cut_moves_demand_to_rivals_and_their_price() -> None:
    lm = LinkedMarkets(["cut", "rival"], ["m"], [[50.0, 50.0]], sigma=4.0, demand_elasticity=0.5,
                       supply_elasticity=[math.inf, 2.0])
    cut = InputCut(firm=0, start=2, stock=np.array([50.0]), ceiling=np.array([0.0]), midpoint=np.array([0.0]),
                   rate=np.array([1.0]))
    path = simulate_linked(lm, _plan(lm, 6, cuts=(cut,)))
    q = path.quantity[:, 0, 0]
    np.testing.assert_allclose(q[:3, 0], 50.0, rtol=1e-9)  # two quarters normal, one more on the stock
    assert q[3, 0] == pytest.approx(0.0, abs=1e-9) and q[4, 0] == 0.0
    assert q[4, 1] > 50.0 and path.seller_price[4, 0, 1] > 1.0


def test_licence_caps_a_share_of_what_buyers_would_take_and_a_slack_cap_leaves_the_wedge() -> None:
    lm = LinkedMarkets(["US", "EUJP", "CN"], ["china"], [[0.4, 0.4, 0.2]], sigma=4.0, demand_elasticity=0.5)
    pairs = np.array([[True, False, False]])
    cap_only = Licence(pairs=pairs, start=1, end=3, approval=np.array([0.7]), delay=np.array([0.0]))
    path = simulate_linked(lm, _plan(lm, 4, licences=(cap_only,)))
    np.testing.assert_allclose(path.quantity[:, 0, 0, 0], [0.4, 0.28, 0.28, 0.4], rtol=1e-9)
    assert path.licence_rent[1, 0, 0, 0] == pytest.approx(0.138, abs=1e-3)
    both = Licence(pairs=pairs, start=1, end=3, approval=np.array([0.7]), delay=np.array([0.22]))
    slack = simulate_linked(lm, _plan(lm, 4, licences=(both,)))
    assert slack.quantity[1, 0, 0, 0] / 0.4 == pytest.approx(0.569, abs=1e-3)  # the wedge binds, not the cap
    assert slack.licence_rent[1, 0, 0, 0] == pytest.approx(0.0, abs=1e-12)


def test_plan_shapes_are_checked() -> None:
    lm = LinkedMarkets(["a"], ["m"], [[1.0]], sigma=2.0, demand_elasticity=1.0)
    with pytest.raises(MarketInputError, match=r"plan\.capacity"):
        simulate_linked(lm, QuarterlyPlan(quarters=2, batch=1, banned=np.zeros((2, 1, 1), dtype=bool),
                                          capacity=np.ones((3, 1, 1)), demand=np.ones((2, 1, 1))))


def test_a_licensed_share_of_the_cut_input_keeps_part_of_the_output() -> None:
    lm = LinkedMarkets(["line"], ["buyers"], [[5.0]], sigma=2.0, demand_elasticity=0.5)
    cut = InputCut(firm=0, start=1, stock=np.array([5.0]), ceiling=np.array([0.0]), midpoint=np.array([0.0]),
                   rate=np.array([1.0]), licensed=np.array([2.0]))
    path = simulate_linked(lm, _plan(lm, 6, cuts=(cut,)))
    out = path.quantity[:, 0, 0, 0]
    np.testing.assert_allclose(out[:2], 5.0, rtol=1e-9)  # before the cut, then stock plus licensed input
    assert out[2] == pytest.approx(2.0 + 2.0, rel=1e-9)  # the last 2 of the stock and 2 licensed
    np.testing.assert_allclose(out[3:], 2.0, rtol=1e-9)


def test_quarters_solved_in_one_batch_match_quarters_solved_in_order() -> None:
    """Without stocks the quarters are solved in one batch; a supply cut that never starts forces the
    quarter-by-quarter loop, which must give the same path (licences and bans included)."""
    lm = LinkedMarkets(["us", "eu", "cn"], ["CHN", "ROW"], [[40.0, 30.0, 30.0], [60.0, 40.0, 0.0]], sigma=3.0,
                       demand_elasticity=0.7, supply_elasticity=[2.0, 1.5, 3.0])
    quarters, batch = 6, 3
    banned = np.zeros((quarters, 2, 3), dtype=bool)
    banned[4:, 0, 1] = True
    rng = np.random.default_rng(7)
    lic = Licence(pairs=np.array([[True, False, False], [False, False, False]]), start=2, end=5,
                  approval=rng.uniform(0.3, 0.9, batch), delay=rng.uniform(0.0, 0.3, batch))
    plan = QuarterlyPlan(quarters=quarters, batch=batch, banned=banned,
                         capacity=np.full((quarters, batch, 3), 140.0),
                         demand=rng.uniform(0.8, 1.3, (quarters, batch, 2)), licences=(lic,))
    never = InputCut(firm=2, start=quarters + 1, stock=np.zeros(batch), ceiling=np.zeros(batch),
                     midpoint=np.zeros(batch), rate=np.ones(batch))
    together = simulate_linked(lm, plan)
    in_order = simulate_linked(lm, dataclasses.replace(plan, cuts=(never,)))
    for name in ("quantity", "price", "seller_price", "licence_rent", "composite_price", "unmet"):
        np.testing.assert_allclose(getattr(together, name), getattr(in_order, name), rtol=1e-9, atol=1e-12,
                                   err_msg=name)


@pytest.mark.parametrize("licensed", [False, True])
def test_a_prepared_plan_run_with_other_demand_is_that_plan_simulated_afresh(licensed: bool) -> None:
    """Rounds of demand matching reuse one prepared batch and swap in demand shifts: the answer is the same,
    to the last bit, as simulating the plan with those shifts from scratch, with and without licence caps."""
    lm = LinkedMarkets(["us", "eu", "cn"], ["china", "world"], [[40.0, 40.0, 20.0], [50.0, 45.0, 5.0]],
                       sigma=4.0, demand_elasticity=0.5, supply_elasticity=[1.0, 2.0, 3.0])
    banned = np.zeros((4, 2, 3), dtype=bool)
    banned[2:, 0, 0] = True
    pairs = np.array([[False, True, False], [False, False, False]])
    licences = (Licence(pairs, 1, 3, approval=np.array([0.6, 0.8]), delay=np.array([0.1, 0.0])),) if licensed else ()
    plan = QuarterlyPlan(quarters=4, batch=2, banned=banned, capacity=np.full((4, 2, 3), np.inf),
                         demand=np.ones((4, 2, 2)), licences=licences)
    runs = PreparedPlan(lm, plan)
    first = runs.run(plan.demand)
    other = np.linspace(0.8, 1.3, 16).reshape((4, 2, 2))
    again = runs.run(other, start=first)
    afresh = simulate_linked(lm, dataclasses.replace(plan, demand=other), start=first)
    for name in ("quantity", "value", "price", "seller_price", "composite_price", "licence_rent", "rationed"):
        np.testing.assert_array_equal(getattr(again, name), getattr(afresh, name), err_msg=name)
    assert not np.array_equal(again.value, first.value)
    with pytest.raises(MarketInputError, match="demand_shift must be > 0"):
        runs.run(np.zeros((4, 2, 2)))
    with pytest.raises(MarketInputError, match="demand_shift must be finite"):
        runs.run(np.full((4, 2, 2), np.inf))


def test_a_prepared_plan_run_with_other_elasticities_is_that_plan_simulated_afresh() -> None:
    """Other demand elasticities swap in like other demand shifts; quarter 0 alone is the run's quarter 0; a
    plan with licence caps refuses both (its caps depend on what buyers would take)."""
    lm = LinkedMarkets(["us", "eu", "cn"], ["china", "world"], [[40.0, 40.0, 20.0], [50.0, 45.0, 5.0]],
                       sigma=4.0, demand_elasticity=0.5, supply_elasticity=[1.0, 2.0, 3.0])
    banned = np.zeros((4, 2, 3), dtype=bool)
    banned[2:, 0, 0] = True
    plan = QuarterlyPlan(quarters=4, batch=2, banned=banned, capacity=np.full((4, 2, 3), np.inf),
                         demand=np.linspace(0.9, 1.4, 16).reshape((4, 2, 2)),
                         demand_elasticity=np.full((4, 2, 2), 0.5))
    runs = PreparedPlan(lm, plan)
    eta = np.linspace(0.2, 1.5, 16).reshape((4, 2, 2))
    again = runs.run(plan.demand, demand_elasticity=eta)
    afresh = simulate_linked(lm, dataclasses.replace(plan, demand_elasticity=eta))
    for name in ("quantity", "value", "price", "seller_price", "composite_price"):
        np.testing.assert_array_equal(getattr(again, name), getattr(afresh, name), err_msg=name)
    first = runs.first_quarter()
    np.testing.assert_array_equal(first.value, runs.run(plan.demand).value[0])
    with pytest.raises(MarketInputError, match="demand_elasticity must be >= 0"):
        runs.run(plan.demand, demand_elasticity=-eta)
    pairs = np.array([[False, True, False], [False, False, False]])
    capped = PreparedPlan(lm, dataclasses.replace(plan, licences=(Licence(pairs, 1, 3, approval=np.array([0.6, 0.8]),
                                                                          delay=np.array([0.1, 0.0])),)))
    with pytest.raises(MarketInputError, match="licence caps"):
        capped.run(plan.demand, demand_elasticity=eta)
    with pytest.raises(MarketInputError, match="licence caps"):
        capped.first_quarter()


def test_a_prepared_plan_solves_spans_of_quarters_alone_and_joined_they_are_the_whole_run() -> None:
    """Nothing carries between the quarters of a plan without stocks, so spans of them solved alone, with
    their own demand and elasticities, and joined end to end give the run of all quarters at once (to within
    the solver's tolerance: each quarter starts from the solutions of the quarters before it solved into the
    same arrays, so a span alone starts elsewhere); a span outside the plan, or one asked of a plan with stocks,
    is refused."""
    lm = LinkedMarkets(["us", "eu", "cn"], ["china", "world"], [[40.0, 40.0, 20.0], [50.0, 45.0, 5.0]],
                       sigma=4.0, demand_elasticity=0.5, supply_elasticity=[1.0, 2.0, 3.0])
    banned = np.zeros((5, 2, 3), dtype=bool)
    banned[3:, 0, 0] = True
    plan = QuarterlyPlan(quarters=5, batch=2, banned=banned, capacity=np.full((5, 2, 3), 150.0),
                         demand=np.linspace(0.9, 1.4, 20).reshape((5, 2, 2)))
    runs = PreparedPlan(lm, plan)
    eta = np.linspace(0.2, 1.5, 20).reshape((5, 2, 2))
    whole = runs.run(plan.demand, demand_elasticity=eta, rationing=False)
    spans = [runs.run(plan.demand, demand_elasticity=eta, rationing=False, quarters=q)
             for q in ((0, 2), (2, 3), (3, 5))]
    assert [s.quantity.shape[0] for s in spans] == [2, 1, 2]
    into = runs.buffers()  # the spans written into one set of arrays, as a run with sourced spending does
    for q in ((0, 2), (2, 3), (3, 5)):
        runs.run(plan.demand, demand_elasticity=eta, rationing=False, quarters=q, into=into)
    together = runs.path_of(into)
    for name in ("quantity", "value", "price", "seller_price", "composite_price", "capacity", "capacity_rent"):
        end_to_end = np.concatenate([getattr(span, name) for span in spans])
        np.testing.assert_allclose(end_to_end, getattr(whole, name), rtol=1e-10, atol=1e-10, err_msg=name)
        np.testing.assert_allclose(getattr(together, name), getattr(whole, name), rtol=1e-10, atol=1e-10,
                                   err_msg=name)
    with pytest.raises(MarketInputError, match="not within"):
        runs.run(plan.demand, quarters=(3, 6))
    cut = InputCut(firm=2, start=9, stock=np.zeros(2), ceiling=np.zeros(2), midpoint=np.zeros(2), rate=np.ones(2))
    with pytest.raises(MarketInputError, match="some quarters alone"):
        PreparedPlan(lm, dataclasses.replace(plan, cuts=(cut,))).run(plan.demand, quarters=(0, 2))


def test_a_stock_built_before_a_fee_is_drawn_once_the_fee_holds_and_purchases_slump_meanwhile() -> None:
    """The research note's rush (section 2.2): buyers stock up before a fee takes effect and, once it holds,
    use the stock first. D = 100 a quarter from one seller, inelastic; a target of one quarter of use from
    quarter 0, a 20% fee from quarter 2: orders 200, 100, then the stock of 100 serves quarter 2 (purchases
    near 0: the slump), and buying returns to 100 in quarter 3."""
    lm = LinkedMarkets(["seller"], ["buyers"], [[100.0]], sigma=2.0, demand_elasticity=0.0)
    pair = np.ones((1, 1), dtype=bool)
    rush = Rush(pair, announced=0, effective=2, cap_quarters=np.array([1.0]))
    fee = Licence(pair, 2, 4, approval=np.array([1.0]), delay=np.array([0.2]))
    path = simulate_linked(lm, _plan(lm, 4, rushes=(rush,), licences=(fee,)))
    np.testing.assert_allclose(path.quantity[:, 0, 0, 0], [200, 100, 0, 100], atol=1e-6)
    np.testing.assert_allclose(path.from_stock[:, 0, 0, 0], [0, 0, 100, 0], atol=1e-9)
    np.testing.assert_allclose(path.buyer_stock[:, 0, 0, 0], [100, 100, 0, 0], atol=1e-9)
    # without the fee's rule in force (a precautionary stock, effective past the run) nothing is drawn
    wary = Rush(pair, announced=0, effective=4, cap_quarters=np.array([1.0]))
    held = simulate_linked(lm, _plan(lm, 4, rushes=(wary,), licences=(fee,)))
    np.testing.assert_allclose(held.from_stock[:, 0, 0, 0], 0.0, atol=1e-12)


@given(announced=st.integers(0, 3), window=st.integers(1, 3), cap=st.floats(0.25, 3.0), speed=st.floats(1.0, 3.0),
       fee=st.floats(0.0, 0.5))
@settings(max_examples=40, deadline=None)
def test_a_rush_moves_purchases_in_time_but_buys_no_more_than_buyers_use(announced: int, window: int, cap: float,
                                                                       speed: float, fee: float) -> None:
    """Demand is conserved: buyers who use 100 a quarter from one seller (inelastic) and stock up before a fee
    buy, over the run, what they use plus the stock they still hold at its end, whatever the fee and timing; and
    a stock of at most three quarters' use is used up within four quarters of the fee."""
    lm = LinkedMarkets(["seller"], ["buyers"], [[100.0]], sigma=2.0, demand_elasticity=0.0)
    pair = np.ones((1, 1), dtype=bool)
    effective = announced + window
    quarters = effective + 4
    rush = Rush(pair, announced, effective, np.array([cap]), speed)
    rule = Licence(pair, effective, quarters, approval=np.array([1.0]), delay=np.array([fee]))
    path = simulate_linked(lm, _plan(lm, quarters, rushes=(rush,), licences=(rule,)))
    bought = path.quantity[:, 0, 0, 0].sum()
    assert bought == pytest.approx(quarters * 100.0 + path.buyer_stock[-1, 0, 0, 0], rel=1e-6)
    assert path.buyer_stock[-1, 0, 0, 0] == pytest.approx(0.0, abs=1e-6)


def _imports_and_home(stock_use: str, *, rush: bool, approval: float = 1.0, fee: float = 0.25,
                      cap: float = 1.0) -> np.ndarray:
    """Purchases ``(quarter, seller)`` in a market buying 60 a quarter of imports and 40 from home makers at flat
    supply (so prices move only with the fee), inelastic demand; buyers who rush stock up on imports from
    quarter 0 (a target of `cap` quarters of use) before a rule from quarter 2 (a share `approval` licensed,
    a fee `fee`)."""
    lm = LinkedMarkets(["imports", "home"], ["buyers"], [[60.0, 40.0]], sigma=3.0, demand_elasticity=0.0)
    pair = np.array([[True, False]])
    rule = Licence(pair, 2, 6, approval=np.array([approval]), delay=np.array([fee]))
    rushes = (Rush(pair, announced=0, effective=2, cap_quarters=np.array([cap])),) if rush else ()
    plan = dataclasses.replace(_plan(lm, 6, rushes=rushes, licences=(rule,)), stock_use=stock_use)
    return np.asarray(simulate_linked(lm, plan).quantity[:, 0, 0, :])


def test_a_stock_under_a_fee_replaces_the_pairs_own_purchases_first_with_stock_use_pair() -> None:
    """The trial mechanism (docs/backtest.md, "A stock that stands in for what it was bought as"). Buyers stock
    half a quarter's use of imports (30) before a 25% fee and draw it in the quarter the fee holds: with
    `stock_use: pair` it replaces 30 of the imports they would buy at the fee, and the home makers sell what
    they would have sold with no stock at all (prices do not move: flat supply). As the model is (`market`), the
    draw lowers the market's whole demand, and the home makers lose their share of it."""
    no_stock = _imports_and_home("pair", rush=False)
    pair = _imports_and_home("pair", rush=True, cap=0.5)
    market = _imports_and_home("market", rush=True, cap=0.5)
    np.testing.assert_allclose(pair[:2, 0], [90.0, 60.0], rtol=1e-9)  # the stock of 30, bought in quarter 0
    np.testing.assert_allclose(pair[2], [no_stock[2, 0] - 30.0, no_stock[2, 1]], rtol=1e-7)
    np.testing.assert_allclose(pair[3:], no_stock[3:], rtol=1e-7)  # the stock is gone
    assert market[2, 1] < no_stock[2, 1] - 1.0  # as the model is, the home makers lose sales to the stock
    np.testing.assert_allclose(market[:2], pair[:2], rtol=1e-9)  # the two differ only once the stock is drawn


@pytest.mark.parametrize(("approval", "fee"), [(1.0, 0.25), (0.3, 0.0)])
def test_a_draw_beyond_the_pairs_purchases_leaves_none_and_lowers_the_rest_of_the_market(approval: float,
                                                                                          fee: float) -> None:
    """A stock of two quarters' use (120), drawn at the 60 a quarter buyers used before the rule, is more than
    they would buy from the pair under a fee or a licence for 30% of it: with `stock_use: pair` they buy nothing
    from it while the stock lasts (two quarters), and the rest of the draw lowers the market's demand, so the
    home makers sell less than with no stock but more than when the whole draw lowers it (`market`)."""
    no_stock = _imports_and_home("pair", rush=False, approval=approval, fee=fee)
    pair = _imports_and_home("pair", rush=True, cap=2.0, approval=approval, fee=fee)
    market = _imports_and_home("market", rush=True, cap=2.0, approval=approval, fee=fee)
    np.testing.assert_allclose(pair[2:4, 0], 0.0, atol=1e-6)
    assert (market[2:4, 1] + 1.0 < pair[2:4, 1]).all() and (pair[2:4, 1] + 1.0 < no_stock[2:4, 1]).all()
    np.testing.assert_allclose(pair[5:], no_stock[5:], rtol=1e-6)  # the stock is gone


@given(cap=st.floats(0.25, 3.0), fee=st.floats(0.0, 0.6), approval=st.floats(0.05, 1.0))
@settings(max_examples=30, deadline=None)
def test_with_stock_use_pair_purchases_stay_between_none_and_the_models(cap: float, fee: float,
                                                                      approval: float) -> None:
    """Whatever the stock, the fee and the licensed share: purchases never go below zero; once the rule holds
    buyers buy no more imports than with no stock, and the home makers sell no more than with no stock and no
    less than when the draw lowers the whole market's demand (`market`); and the stock is used up within four
    quarters of the rule (flat supply, inelastic demand)."""
    pair = _imports_and_home("pair", rush=True, cap=cap, approval=approval, fee=fee)
    market = _imports_and_home("market", rush=True, cap=cap, approval=approval, fee=fee)
    none = _imports_and_home("pair", rush=False, approval=approval, fee=fee)
    assert (pair >= -1e-9).all()
    assert (pair[2:, 0] <= none[2:, 0] * (1 + 1e-7) + 1e-9).all()
    assert (pair[2:, 1] <= none[2:, 1] * (1 + 1e-7) + 1e-9).all()
    assert (pair[2:, 1] >= market[2:, 1] * (1 - 1e-7) - 1e-9).all()
    np.testing.assert_allclose(pair[5], none[5], rtol=1e-6)


def test_a_stock_held_by_half_the_buyers_is_half_the_caps_use_and_lasts_as_long_as_the_cap() -> None:
    """docs/backtest.md, "Stocks held by some buyers, not all": half of the buyers (100 a quarter from one
    seller, inelastic, no capacity limit) stock up to a cap of two quarters of their own use from quarter 0,
    before a 20% fee from quarter 2. Their stock is 0.5 * 2 * 100 = 100, bought in quarter 0 (orders 200, then
    100); once the fee holds they draw it at their own use, 50 a quarter, so purchases are 50, 50 and back to 100,
    where all buyers stocking to one quarter would have bought nothing for one quarter."""
    lm = LinkedMarkets(["seller"], ["buyers"], [[100.0]], sigma=2.0, demand_elasticity=0.0)
    pair = np.ones((1, 1), dtype=bool)
    rush = Rush(pair, announced=0, effective=2, cap_quarters=np.array([2.0]), holders=np.array([0.5]))
    fee = Licence(pair, 2, 6, approval=np.array([1.0]), delay=np.array([0.2]))
    path = simulate_linked(lm, _plan(lm, 6, rushes=(rush,), licences=(fee,)))
    np.testing.assert_allclose(path.quantity[:, 0, 0, 0], [200, 100, 50, 50, 100, 100], atol=1e-6)
    np.testing.assert_allclose(path.buyer_stock[:, 0, 0, 0], [100, 100, 50, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(path.from_stock[:, 0, 0, 0], [0, 0, 50, 50, 0, 0], atol=1e-9)


def test_under_a_ban_the_buyers_without_a_stock_go_unserved_while_the_holders_draw_theirs() -> None:
    """The same half of the buyers with two quarters' stock, and a ban from quarter 2 on the only seller: the
    holders draw 50 a quarter for two quarters, so 50 a quarter is unmet while the stock lasts and 100 after."""
    lm = LinkedMarkets(["seller"], ["buyers"], [[100.0]], sigma=2.0, demand_elasticity=0.0)
    banned = np.zeros((5, 1, 1), dtype=bool)
    banned[2:] = True
    rush = Rush(np.ones((1, 1), dtype=bool), announced=0, effective=2, cap_quarters=np.array([2.0]),
                holders=np.array([0.5]))
    path = simulate_linked(lm, _plan(lm, 5, banned=banned, rushes=(rush,)))
    np.testing.assert_allclose(path.from_stock[:, 0, 0, 0], [0, 0, 50, 50, 0], atol=1e-9)
    np.testing.assert_allclose(path.unmet[:, 0, 0], [0, 0, 50, 50, 100], atol=1e-6)


@given(holders=st.floats(0.05, 1.0), cap=st.floats(0.25, 3.0), window=st.integers(1, 3), fee=st.floats(0.0, 0.5),
       spare=st.floats(10.0, 400.0))
@settings(max_examples=40, deadline=None)
def test_a_stock_held_by_some_buyers_is_bounded_by_their_share_and_demand_is_conserved(
        holders: float, cap: float, window: int, fee: float, spare: float) -> None:
    """Whatever the share of buyers who stock up, the cap, the warning, the fee and sellers' spare capacity:
    the stock never exceeds the holders' share of the cap's use, a quarter's draw never exceeds their share of
    the pair's use, and over the run buyers buy what they use plus the stock they still hold (inelastic demand
    of 100 a quarter)."""
    lm = LinkedMarkets(["seller"], ["buyers"], [[100.0]], sigma=2.0, demand_elasticity=0.0)
    pair = np.ones((1, 1), dtype=bool)
    quarters = window + 6
    rush = Rush(pair, 0, window, np.array([cap]), holders=np.array([holders]))
    rule = Licence(pair, window, quarters, approval=np.array([1.0]), delay=np.array([fee]))
    path = simulate_linked(lm, _plan(lm, quarters, capacity=100.0 + spare, rushes=(rush,), licences=(rule,)))
    assert (path.buyer_stock[:, 0, 0, 0] <= holders * cap * 100.0 + 1e-6).all()
    assert (path.buyer_stock[:, 0, 0, 0] >= -1e-9).all()
    assert (path.from_stock[:, 0, 0, 0] <= holders * 100.0 + 1e-6).all()
    bought = path.quantity[:, 0, 0, 0].sum()
    assert bought == pytest.approx(quarters * 100.0 + path.buyer_stock[-1, 0, 0, 0], rel=1e-6)


def _rush_path(late: bool, *, capacity: float = math.inf, cap: float = 1.0, effective: int = 3,
               quarters: int = 5) -> object:
    """One seller, buyers who use 100 a quarter (inelastic), a rush announced in quarter 0 before a 20% fee from
    `effective` (a target of `cap` quarters of use), ordered from the announcement or as late as sellers allow."""
    lm = LinkedMarkets(["seller"], ["buyers"], [[100.0]], sigma=2.0, demand_elasticity=0.0)
    pair = np.ones((1, 1), dtype=bool)
    rush = Rush(pair, announced=0, effective=effective, cap_quarters=np.array([cap]), late=late)
    fee = Licence(pair, min(effective, quarters), quarters, approval=np.array([1.0]), delay=np.array([0.2]))
    return simulate_linked(lm, _plan(lm, quarters, capacity=capacity, rushes=(rush,), licences=(fee,)))


def test_a_late_rush_buys_its_whole_stock_in_the_last_quarter_before_the_rule_when_sellers_have_room() -> None:
    """docs/backtest.md, "Rushes as late as sellers allow": a stock of one quarter's use before a fee from quarter
    3, with no capacity limit, is bought in quarter 2 (purchases 100, 100, 200), where buyers who order from the
    announcement buy it in quarter 0 (200, 100, 100); both draw it in quarter 3."""
    late, early = _rush_path(True), _rush_path(False)
    np.testing.assert_allclose(late.quantity[:, 0, 0, 0], [100, 100, 200, 0, 100], atol=1e-6)  # type: ignore[attr-defined]
    np.testing.assert_allclose(early.quantity[:, 0, 0, 0], [200, 100, 100, 0, 100], atol=1e-6)  # type: ignore[attr-defined]


def test_a_late_rush_starts_early_only_as_far_as_spare_capacity_binds() -> None:
    """Spare capacity of 100 a quarter (capacity 200) and a target of 150 three quarters ahead: in quarter 0 the
    two quarters left can deliver 200, so nothing is ordered; in quarter 1 the one left can deliver 100, so 50 is;
    in quarter 2 the last 100. Stocks 0, 50, 150."""
    path = _rush_path(True, capacity=200.0, cap=1.5)
    np.testing.assert_allclose(path.buyer_stock[:3, 0, 0, 0], [0, 50, 150], atol=1e-6)  # type: ignore[attr-defined]
    np.testing.assert_allclose(path.quantity[:3, 0, 0, 0], [100, 150, 200], atol=1e-6)  # type: ignore[attr-defined]


def test_a_late_precautionary_stock_is_built_from_the_announcement() -> None:
    """A rush whose rule is past the run cannot be timed: late or not, it is built as from the announcement."""
    late, early = _rush_path(True, effective=9), _rush_path(False, effective=9)
    np.testing.assert_allclose(late.quantity, early.quantity)  # type: ignore[attr-defined]


@given(window=st.integers(1, 4), cap=st.floats(0.25, 3.0), spare=st.floats(10.0, 400.0), fee=st.floats(0.0, 0.5))
@settings(max_examples=40, deadline=None)
def test_a_late_rush_buys_no_sooner_than_an_early_one_and_conserves_demand(window: int, cap: float, spare: float,
                                                                          fee: float) -> None:
    """Whatever the warning, the cap, sellers' spare capacity and the fee: by every quarter before the rule,
    buyers who order late have bought no more than those who order from the announcement; over the run each buys
    what it uses plus the stock it still holds (inelastic demand of 100 a quarter)."""
    lm = LinkedMarkets(["seller"], ["buyers"], [[100.0]], sigma=2.0, demand_elasticity=0.0)
    pair = np.ones((1, 1), dtype=bool)
    quarters = window + 5
    rule = Licence(pair, window, quarters, approval=np.array([1.0]), delay=np.array([fee]))
    bought = {}
    for late in (False, True):
        rush = Rush(pair, 0, window, np.array([cap]), late=late)
        path = simulate_linked(lm, _plan(lm, quarters, capacity=100.0 + spare, rushes=(rush,), licences=(rule,)))
        q = path.quantity[:, 0, 0, 0]
        assert q.sum() == pytest.approx(quarters * 100.0 + path.buyer_stock[-1, 0, 0, 0], rel=1e-6)
        bought[late] = np.cumsum(q)
    assert (bought[True][:window] <= bought[False][:window] + 1e-6).all()
