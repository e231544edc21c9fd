"""Linked markets: worked examples of market-dynamics.md (WE-1.1, 1.2, 4.1, 5.1, 5.3), the one-market limit,
GSIM's first-order limit, agreement with the plain reference, and invariants."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from linked_reference import LinkedCase, linked_cases, solve_reference
from market_reference import SETTINGS, Scenario, scenarios

from chipshift.market import Market, MarketInputError, Shocks, linked_kernel, solve_market
from chipshift.market.gsim import solve_gsim
from chipshift.market.linked import (
    LinkedMarkets,
    LinkedResult,
    LinkedShocks,
    kernel_buffers,
    prepare,
    rationed_at,
    result_in,
    solve_linked,
    solve_prepared,
)

FIXED = 1e-9  # a supply elasticity this small is a fixed supply to the tolerances below


def _we11(eps_a: float = FIXED, capacity_a: float = math.inf) -> LinkedMarkets:
    return LinkedMarkets(["A", "B"], ["C", "W"], [[30, 70], [70, 30]], sigma=4.0, demand_elasticity=1.0,
                         supply_elasticity=[eps_a, 2.0], capacity=[capacity_a, math.inf])


BAN_A_IN_C = LinkedShocks(banned=[[True, False], [False, False]])


def test_baseline_is_returned_exactly() -> None:
    lm = _we11()
    r = solve_linked(lm)
    np.testing.assert_allclose(r.quantity[0], lm.quantity, rtol=1e-12)
    np.testing.assert_allclose(r.seller_price[0], [1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(r.composite_price[0], [1.0, 1.0], rtol=1e-12)
    assert not r.at_capacity.any() and not r.unmet.any()


def test_we11_barred_volume_is_reoffered_at_a_lower_price() -> None:
    """WE-1.1: v_A = 0.8281, v_B = 1.0543, P_C = 1.1874, P_W = 0.8758; A's revenue -17.2% rather than -30%."""
    r = solve_linked(_we11(), BAN_A_IN_C)
    np.testing.assert_allclose(r.seller_price[0], [0.8281, 1.0543], atol=1e-4)
    np.testing.assert_allclose(r.composite_price[0], [1.1874, 0.8758], atol=1e-4)
    np.testing.assert_allclose(r.quantity[0], [[0.0, 94.85], [100.0, 16.31]], atol=1e-2)
    np.testing.assert_allclose(r.firm_revenue[0], [82.81, 117.19], atol=1e-2)
    np.testing.assert_allclose(r.revenue_share[0][:, 1], [0.853, 0.147], atol=1e-3)
    assert r.revenue_share[0][0, 0] == 0.0


def test_we11_with_a_binding_capacity_reports_the_same_rent_in_every_market() -> None:
    """The same case with A's supply flat at cost 0.5 up to a capacity of 100: the capacity binds, the rent
    is the seller price minus 0.5, one per firm, and A's prices in both markets carry it."""
    lm = _we11(eps_a=math.inf, capacity_a=100.0)
    r = solve_linked(lm, LinkedShocks(cost=[0.5, 1.0]))
    assert r.at_capacity[0, 0] and not r.at_capacity[0, 1]
    np.testing.assert_allclose(r.seller_price[0], [1.0, 1.0], atol=1e-10)
    np.testing.assert_allclose(r.capacity_rent[0], [0.5, 0.0], atol=1e-10)
    banned = solve_linked(lm, LinkedShocks(cost=[0.5, 1.0], banned=[[True, False], [False, False]]))
    np.testing.assert_allclose(banned.seller_price[0], [0.8281, 1.0543], atol=1e-4)
    np.testing.assert_allclose(banned.capacity_rent[0, 0], 0.8281 - 0.5, atol=1e-4)


@pytest.mark.parametrize(("eps", "resold", "price"), [(0.5, 0.773, 0.868), (2.0, 0.500, 0.922),
                                                      (10.0, 0.257, 0.975)])
def test_we12_deflection_falls_with_the_supply_elasticity(eps: float, resold: float, price: float) -> None:
    r = solve_linked(_we11(eps_a=eps), BAN_A_IN_C)
    assert (r.quantity[0, 1, 0] - 70.0) / 30.0 == pytest.approx(resold, abs=1e-3)
    assert r.seller_price[0, 0] == pytest.approx(price, abs=1e-3)


def _we41() -> LinkedMarkets:
    return LinkedMarkets(["US", "EUJP", "CN"], ["china"], [[0.4, 0.4, 0.2]], sigma=4.0, demand_elasticity=0.5)


def test_we41_delay_wedge_and_licence_cap() -> None:
    lm = _we41()
    wedge = solve_linked(lm, LinkedShocks(wedge=[[0.22, 0.0, 0.0]]))
    assert wedge.quantity[0, 0, 0] / 0.4 == pytest.approx(0.569, abs=1e-3)
    np.testing.assert_allclose(wedge.share[0, 0], [0.269, 0.488, 0.244], atol=1e-3)
    assert wedge.composite_price[0, 0] == pytest.approx(1.0683, abs=1e-4)
    cap = solve_linked(lm, LinkedShocks(quota=[[0.7 * 0.4, np.inf, np.inf]]))
    assert cap.quantity[0, 0, 0] == pytest.approx(0.28, rel=1e-9)
    assert cap.at_quota[0, 0, 0]
    assert cap.licence_rent[0, 0, 0] == pytest.approx(0.138, abs=1e-3)
    assert cap.share[0, 0, 0] == pytest.approx(0.311, abs=1e-3)
    assert cap.composite_price[0, 0] == pytest.approx(1.0470, abs=1e-4)
    both = solve_linked(lm, LinkedShocks(wedge=[[0.22, 0.0, 0.0]], quota=[[0.7 * 0.4, np.inf, np.inf]]))
    np.testing.assert_allclose(both.quantity, wedge.quantity, rtol=1e-9)  # the cap is slack
    assert not both.at_quota.any()
    tight = solve_linked(lm, LinkedShocks(quota=[[0.35 * 0.4, np.inf, np.inf]]))
    assert tight.share[0, 0, 0] == pytest.approx(0.189, abs=1e-3)
    assert tight.composite_price[0, 0] == pytest.approx(1.1057, abs=1e-4)


def test_we51_shadow_price_is_one_per_firm_across_markets() -> None:
    """WE-5.1: demand 120 p^-2, capacity 100, marginal cost 1: p = 1.0954, rent 0.0954; split over two
    markets, the same rent appears in both."""
    lm = LinkedMarkets(["F"], ["R1", "R2"], [[60.0], [60.0]], sigma=2.0, demand_elasticity=2.0)
    r = solve_linked(lm, LinkedShocks(capacity=[100.0]))
    np.testing.assert_allclose(r.price[0, :, 0], [1.0954, 1.0954], atol=1e-4)
    assert r.capacity_rent[0, 0] == pytest.approx(math.sqrt(1.2) - 1.0, rel=1e-9)
    assert r.sales[0, 0] == pytest.approx(100.0, rel=1e-9)
    assert r.rationed[0, 0] == pytest.approx(20.0, rel=1e-9)  # what buyers would take at cost, beyond capacity


def test_rationed_demand_at_a_solution_found_another_way_is_the_solvers_own() -> None:
    """WE-5.1's market (rationed 20 at capacity 100) and a batch of two-firm markets with capacities that bind
    in some draws: rationed demand worked out at a given solution equals what the solver reports with it."""
    lm = LinkedMarkets(["F"], ["R1", "R2"], [[60.0], [60.0]], sigma=2.0, demand_elasticity=2.0)
    problem = prepare(lm, LinkedShocks(capacity=[100.0]))
    r = solve_prepared(problem)
    got = rationed_at(problem, r.seller_price, r.capacity_rent, r.at_capacity, r.sales)
    assert got[0, 0] == pytest.approx(20.0, rel=1e-9)
    rng = np.random.default_rng(7)
    lm2 = LinkedMarkets(["A", "B"], ["C", "W"], [[30.0, 70.0], [70.0, 30.0]], sigma=4.0, demand_elasticity=1.0,
                        supply_elasticity=[0.5, 2.0])
    shocks = LinkedShocks(capacity=rng.uniform(60.0, 130.0, (50, 2)), demand_shift=rng.uniform(0.8, 1.4, (50, 2)))
    problem = prepare(lm2, shocks)
    r = solve_prepared(problem)
    assert r.at_capacity.any() and not r.at_capacity.all()
    got = rationed_at(problem, r.seller_price, r.capacity_rent, r.at_capacity, r.sales)
    np.testing.assert_allclose(got, r.rationed, rtol=1e-12, atol=1e-12)
    assert np.all(got[~r.at_capacity] == 0.0) and np.all(got[r.at_capacity] >= 0.0)
    capped = prepare(lm2, LinkedShocks(quota=[[10.0, np.inf], [np.inf, np.inf]]))
    with pytest.raises(MarketInputError, match="licence caps"):
        rationed_at(capped, r.seller_price[:1], r.capacity_rent[:1], r.at_capacity[:1], r.sales[:1])


def test_we53_an_export_ban_moves_prices_apart() -> None:
    """WE-5.3: China produces 48 and consumes 30, the rest of the world 52 and 70; eta + eps = 0.7. Barring
    China's producers from the rest of the world lowers China's price to (48/30)^(-1/0.7) and raises the
    other's towards (70/52)^(1/0.7) as the good becomes homogeneous (sigma large)."""
    sigma = 50.0
    lm = LinkedMarkets(["china_producers", "row_producers"], ["CHN", "ROW"], [[30.0, 0.0], [18.0, 52.0]],
                       sigma=sigma, demand_elasticity=0.35, supply_elasticity=0.35)
    r = solve_linked(lm, LinkedShocks(banned=[[False, False], [True, False]]))
    assert r.seller_price[0, 0] == pytest.approx((48 / 30) ** (-1 / 0.7), rel=1e-9)
    s0 = 52.0 / 70.0
    exact = s0 ** (-(sigma - 0.35) / ((sigma - 1.0) * 0.7))
    assert r.seller_price[0, 1] == pytest.approx(exact, rel=1e-9)
    assert exact == pytest.approx((70 / 52) ** (1 / 0.7), rel=0.01)


def test_a_market_left_without_sellers_reports_its_demand_unmet() -> None:
    lm = LinkedMarkets(["A", "B"], ["C", "W"], [[30, 0], [70, 30]], sigma=4.0, demand_elasticity=1.0,
                       supply_elasticity=2.0)
    r = solve_linked(lm, LinkedShocks(banned=[[True, False], [False, False]], demand_shift=[1.2, 1.0]))
    assert r.unmet[0, 0] == pytest.approx(36.0) and r.unmet[0, 1] == 0.0
    assert r.composite_price[0, 0] == np.inf and r.quantity[0, 0].sum() == 0.0


@given(scenarios(bans=True, capacities=True))
@SETTINGS
def test_one_market_agrees_with_the_single_market_solver(sc: Scenario) -> None:
    """With one market the linked solver is the existing exact solver (no price cap here)."""
    if sc.sigma <= 1.0 and (sc.banned.any() or np.any(sc.capacity <= 0.0)):
        return
    single = solve_market(sc.market(), Shocks(wedge=sc.wedge1, banned=sc.banned, capacity=sc.capacity,
                                              quality=sc.quality, cost=sc.cost, demand_shift=sc.demand))
    v0 = sc.price / (1.0 + sc.wedge0)
    lm = LinkedMarkets([f"s{i}" for i in range(len(v0))], ["m"], sc.quantity[None, :], sigma=sc.sigma,
                       demand_elasticity=sc.eta, seller_price=v0, wedge=sc.wedge0[None, :],
                       supply_elasticity=sc.eps, capacity=np.inf)
    linked = solve_linked(lm, LinkedShocks(wedge=sc.wedge1[None, :], banned=sc.banned[None, :],
                                           capacity=sc.capacity, quality=sc.quality[None, :], cost=sc.cost,
                                           demand_shift=[sc.demand]))
    np.testing.assert_allclose(linked.quantity[0, 0], single.quantity[0], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(linked.composite_price[0, 0], single.composite_price[0], rtol=1e-8)
    open_ = single.quantity[0] > 0
    np.testing.assert_allclose(linked.price[0, 0][open_], single.price[0][open_], rtol=1e-7)
    np.testing.assert_array_equal(linked.at_capacity[0] & open_, single.at_capacity[0] & open_)


def test_small_tariff_changes_match_gsim_to_first_order() -> None:
    """GSIM (WE-1 of market-models.md) is the linearisation of these equations: a US-EU FTA scaled down to a
    thousandth moves world prices and flows as GSIM says, to second order."""
    flows = np.array([[0, 50, 200, 300], [500, 0, 150, 200], [300, 100, 200, 200], [50, 100, 110, 20]], float)
    t0 = np.array([[1.00, 1.21, 1.41, 1.22], [1.37, 1.00, 1.31, 1.23], [1.32, 1.36, 1.00, 1.18],
                   [1.57, 1.41, 1.25, 1.15]])
    t1 = t0.copy()
    t1[0, 2] = t1[2, 0] = 1.0
    h = 1e-4
    th = t0 * (t1 / t0) ** h
    g = solve_gsim(("US", "JP", "EU", "RW"), flows, t0, th, import_elasticity=-1.25, export_supply_elasticity=1.5,
                   substitution_elasticity=5.0)
    lm = LinkedMarkets(["US", "JP", "EU", "RW"], ["US", "JP", "EU", "RW"], flows.T, sigma=5.0,
                       demand_elasticity=1.25, wedge=(t0 - 1.0).T, supply_elasticity=1.5)
    r = solve_linked(lm, LinkedShocks(wedge=(th - 1.0).T))
    dv = r.seller_price[0] - 1.0
    np.testing.assert_allclose(dv / h, g.world_price_change / h, rtol=2e-3, atol=1e-6)
    trade = flows.T > 0  # GSIM also reports changes of flows that do not exist; compare the real ones
    dx = r.quantity[0][trade] / flows.T[trade] - 1.0
    np.testing.assert_allclose(dx / h, g.import_change.T[trade] / h, rtol=2e-3, atol=1e-4)


def _solve(case: LinkedCase) -> LinkedResult:
    lm = LinkedMarkets([f"f{i}" for i in range(case.x0.shape[1])], [f"m{i}" for i in range(case.x0.shape[0])],
                       case.x0, sigma=case.sigma, demand_elasticity=case.eta, seller_price=case.v0, wedge=case.t0,
                       supply_elasticity=case.eps)
    return solve_linked(lm, LinkedShocks(wedge=case.t1, banned=case.banned, capacity=case.capacity, cost=case.cost,
                                         quality=case.quality, demand_shift=case.demand, quota=case.quota))


@given(linked_cases())
@SETTINGS
def test_agrees_with_the_plain_reference(case: LinkedCase) -> None:
    ref = solve_reference(case)
    r = _solve(case)
    np.testing.assert_allclose(r.quantity[0], ref.quantity, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(r.price[0], ref.buyer_price, rtol=1e-7)
    # Where a firm's capacity and its only licence cap bind at once, the rent may sit in either: only the
    # buyer prices are determined.
    both = r.at_quota[0].any(axis=0) & r.at_capacity[0]
    np.testing.assert_allclose(r.seller_price[0][~both], ref.seller_price[~both], rtol=1e-7)


@given(linked_cases())
@SETTINGS
def test_invariants(case: LinkedCase) -> None:
    """Shares in [0, 1] summing to one per open market; each firm's sales are its flows; capacity and licence
    caps hold; revenue shares over markets sum to one."""
    r = _solve(case)
    share = r.share[0]
    assert np.all((share >= 0.0) & (share <= 1.0 + 1e-12))
    np.testing.assert_allclose(share.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(r.quantity[0].sum(axis=0), r.sales[0], rtol=1e-12)
    assert np.all(r.sales[0] <= case.capacity * (1 + 1e-9))
    assert np.all(r.quantity[0] <= case.quota * (1 + 1e-9))
    assert np.all(r.revenue_share[0][:, r.sales[0] > 0].sum(axis=0) == pytest.approx(1.0))


def test_batches_solve_each_draw_as_alone() -> None:
    lm = _we11(eps_a=2.0, capacity_a=110.0)
    demand = np.array([[0.8, 1.0], [1.0, 1.0], [1.3, 1.2]])
    batch = solve_linked(lm, LinkedShocks(demand_shift=demand, banned=[[True, False], [False, False]]))
    for i in range(3):
        one = solve_linked(lm, LinkedShocks(demand_shift=demand[i], banned=[[True, False], [False, False]]))
        np.testing.assert_allclose(batch.quantity[i], one.quantity[0], rtol=1e-10)


def test_batches_solved_into_rows_of_one_set_of_buffers_give_the_whole_batchs_result() -> None:
    lm = _we11(eps_a=2.0, capacity_a=110.0)
    demand = np.array([[0.8, 1.0], [1.0, 1.0], [1.3, 1.2], [0.9, 1.1], [1.1, 0.7]])
    problem = prepare(lm, LinkedShocks(demand_shift=demand, banned=[[True, False], [False, False]]))
    whole = solve_prepared(problem, rationing=False)
    into = kernel_buffers(5, 2, 2, 0)
    first = solve_prepared(problem.rows(slice(0, 2)), rationing=False, into=into, row0=0)
    solve_prepared(problem.rows(slice(2, 5)), rationing=False, into=into, row0=2)
    np.testing.assert_array_equal(first.quantity, whole.quantity[:2])
    joined = result_in(problem, into)
    for name in ("quantity", "value", "revenue", "price", "share", "seller_price", "capacity_rent", "at_capacity",
                 "composite_price", "unmet", "iterations", "residual"):
        np.testing.assert_array_equal(getattr(joined, name), getattr(whole, name), err_msg=name)
    with pytest.raises(MarketInputError, match="not within"):
        solve_prepared(problem.rows(slice(2, 5)), into=into, row0=3)


def test_quarters_chained_each_from_the_ones_before_give_the_same_solution_in_fewer_steps() -> None:
    """A batch laid out quarter by quarter (3 draws a quarter, demand growing), solved with each draw starting
    from its own solutions one and two quarters before (``chain``), gives what solving every quarter from
    marginal cost gives, to within the solver's tolerance, in fewer Newton steps."""
    lm = _we11(eps_a=2.0, capacity_a=115.0)
    growth = np.linspace(1.0, 1.6, 10)[:, None, None] * np.array([[0.9, 1.0], [1.0, 1.0], [1.1, 0.95]])[None]
    problem = prepare(lm, LinkedShocks(demand_shift=growth.reshape((30, 2)), banned=[[True, False], [False, False]]))
    alone = solve_prepared(problem, rationing=False)
    chained = solve_prepared(problem, rationing=False, chain=3)
    for name in ("quantity", "price", "seller_price", "capacity_rent", "composite_price"):
        np.testing.assert_allclose(getattr(chained, name), getattr(alone, name), rtol=1e-10, atol=1e-12,
                                   err_msg=name)
    np.testing.assert_array_equal(chained.at_capacity, alone.at_capacity)
    assert chained.iterations[3:].sum() < alone.iterations[3:].sum()
    assert chained.iterations[:3].sum() == alone.iterations[:3].sum()  # nothing before the first quarter
    with pytest.raises(MarketInputError, match="chain"):
        solve_prepared(problem, chain=3, start=np.ones((30, 2)))


@pytest.mark.parametrize("scale", [1e100, 1e-100])
def test_a_markets_qualities_scaled_beyond_floating_point_range_leave_its_unit_elastic_equilibrium(scale: float
                                                                                                  ) -> None:
    """Scaling every quality in a market by one factor divides its price index by that factor and, with
    unit-elastic demand there, leaves every flow and price as it was (``x = a^(sigma - 1) p^(-sigma)
    P^(sigma - eta) D``). At sigma = 40 a factor of 1e100 puts each pair's weight in the price index far
    outside the floating-point range; the solution must not notice."""
    lm = LinkedMarkets(["a", "b", "c"], ["m", "n"], [[30.0, 50.0, 20.0], [60.0, 10.0, 30.0]], sigma=40.0,
                       demand_elasticity=[1.0, 0.7], supply_elasticity=[1.0, 2.0, 0.5])
    shocks: dict[str, npt.ArrayLike] = {"wedge": [[0.0, 0.25, 0.0], [0.0, 0.0, 0.1]], "demand_shift": [1.1, 0.9]}
    plain = solve_linked(lm, LinkedShocks(**shocks))
    scaled = solve_linked(lm, LinkedShocks(quality=[[scale] * 3, [1.0] * 3], **shocks))
    for name in ("quantity", "price", "seller_price", "share"):
        np.testing.assert_allclose(getattr(scaled, name), getattr(plain, name), rtol=1e-9, err_msg=name)
    np.testing.assert_allclose(scaled.composite_price[0] * np.array([scale, 1.0]), plain.composite_price[0],
                               rtol=1e-9)


def test_bad_input_is_refused() -> None:
    with pytest.raises(MarketInputError, match="every market needs a seller"):
        LinkedMarkets(["A"], ["C", "W"], [[1.0], [0.0]], sigma=2.0, demand_elasticity=1.0)
    with pytest.raises(MarketInputError, match="capacity below"):
        LinkedMarkets(["A"], ["C"], [[2.0]], sigma=2.0, demand_elasticity=1.0, capacity=1.0)
    with pytest.raises(MarketInputError, match="sigma <= 1"):
        solve_linked(LinkedMarkets(["A", "B"], ["C"], [[1.0, 1.0]], sigma=0.8, demand_elasticity=1.0),
                     LinkedShocks(banned=[[True, False]]))
    with pytest.raises(MarketInputError, match="unknown shock fields"):
        LinkedShocks(tarif=[0.1])
    with pytest.raises(MarketInputError, match="batch size"):
        solve_linked(_we11(), LinkedShocks(cost=np.ones((2, 2)), demand_shift=np.ones((3, 2))))
    assert callable(Market)  # the single-market model stays the one-market special case


def test_baseline_flows_per_draw_match_a_base_built_from_them() -> None:
    """A draw's own baseline flows (uncertain market sizes and shares) solve as a base built from them."""
    flows = np.array([[[30, 70], [70, 30]], [[50, 50], [40, 80]]], dtype=float)
    lm = _we11(eps_a=2.0)
    batch = solve_linked(lm, LinkedShocks(quantity=flows, banned=[[True, False], [False, False]]))
    for i in range(2):
        alone = LinkedMarkets(["A", "B"], ["C", "W"], flows[i], sigma=4.0, demand_elasticity=1.0,
                              supply_elasticity=[2.0, 2.0])
        one = solve_linked(alone, BAN_A_IN_C)
        np.testing.assert_allclose(batch.quantity[i], one.quantity[0], rtol=1e-10)
        np.testing.assert_allclose(batch.composite_price[i], one.composite_price[0], rtol=1e-10)


@given(linked_cases(), st.data())
@SETTINGS
def test_barring_one_more_pair_never_lowers_that_markets_price(case: LinkedCase, data: st.DataObject) -> None:
    """Barring one more (market, firm) pair removes a variety from that market: its price index does not fall.
    (The barred firm's own seller price may rise: a rival with little spare capacity can move its volume into
    the market the firm left and leave the firm more buyers elsewhere; the reference agrees.)"""
    open_pairs = [(m, f) for m in range(case.x0.shape[0]) for f in range(case.x0.shape[1])
                  if case.x0[m, f] > 0 and not case.banned[m, f]
                  and ((case.x0[m] > 0) & ~case.banned[m]).sum() > 1]
    if not open_pairs:
        return
    m, f = data.draw(st.sampled_from(open_pairs))
    banned = case.banned.copy()
    banned[m, f] = True
    before, after = _solve(case), _solve(dataclasses.replace(case, banned=banned))
    assert after.composite_price[0, m] >= before.composite_price[0, m] * (1 - 1e-9)


def test_a_barred_firm_can_gain_when_its_rival_moves_into_the_market_it_left() -> None:
    """Firm A (capacity 2) and firm B (capacity 4) both at capacity. Barring A from market 0 pulls B's volume
    into market 0 (its only seller), which leaves A more buyers in market 1: A's seller price rises."""
    lm = LinkedMarkets(["A", "B"], ["m0", "m1"], [[1.0, 1.0], [1.0, 3.0]], sigma=[2.0, 4.0],
                       demand_elasticity=[0.5, 1.0], seller_price=[2.0, 1.0])
    r = solve_linked(lm, LinkedShocks(capacity=[2.0, 4.0], banned=[[True, False], [False, False]]))
    assert r.seller_price[0, 0] > 2.0 and r.at_capacity[0].all()
    assert r.quantity[0, 0, 1] > 3.0  # B now sells most of its volume in market 0


def test_a_capacity_and_a_licence_cap_on_a_firms_only_market_solve() -> None:
    """Both constraints act on one quantity (the firm sells in one market only): the min-function Newton made
    its system singular here; the Fischer-Burmeister form does not. The cap binds, the capacity is slack."""
    lm = LinkedMarkets(["A", "B"], ["m0", "m1"], [[1.0, 1.0], [2.0, 1.0]], sigma=2.0, demand_elasticity=1.0)
    r = solve_linked(lm, LinkedShocks(capacity=[1.5, math.inf], banned=[[False, True], [True, False]],
                                      quota=[[1.0, math.inf], [math.inf, math.inf]]))
    assert r.quantity[0, 0, 0] == pytest.approx(1.0) and r.at_quota[0, 0, 0] and not r.at_capacity[0, 0]
    assert r.seller_price[0, 0] == pytest.approx(1.0) and r.licence_rent[0, 0, 0] > 0.0


@pytest.mark.parametrize("seed", range(5))
def test_the_kernels_elimination_agrees_with_lapack(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3 + seed * 3
    a = rng.normal(size=(n, n)) + np.diag(rng.uniform(0.5, 2.0, n)) * (seed % 2)  # pivoting needed when odd
    b = rng.normal(size=n)
    out = np.empty(n)
    assert linked_kernel._lu_solve(a.copy(), b.copy(), out)
    np.testing.assert_allclose(out, np.linalg.solve(a, b), rtol=1e-9, atol=1e-12)


def test_the_kernels_elimination_reports_a_singular_matrix() -> None:
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]])
    assert not linked_kernel._lu_solve(a, np.ones(3), np.empty(3))

