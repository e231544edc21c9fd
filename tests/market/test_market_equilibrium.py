"""The exact equilibrium: a published example (WE-6), edge cases, diagnostics and input errors."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest

from chipshift.market import ConvergenceError, ConvergenceWarning, Market, MarketInputError, Shocks, solve_market

LABELS = ["CN", "KR", "US"]


def _market(**kw: object) -> Market:
    args: dict[str, object] = {"sigma": 4.0, "demand_elasticity": 1.0, "supply_elasticity": [1.0, 10.0, 10.0]}
    args.update(kw)
    return Market(LABELS, [60.0, 30.0, 10.0], [1.0, 1.0, 1.0], **args)  # type: ignore[arg-type]


def test_we6_emr_simple_armington() -> None:
    """WE-6: emr's README example (values 60/30/10, supply 1/10/10, eta 1, sigma 4, 10 % on region 2)."""
    res = solve_market(_market(), Shocks(wedge=[0.0, 0.1, 0.0]))
    np.testing.assert_allclose(res.price[0], [1.021240, 1.078515, 1.007535], atol=1e-6)
    np.testing.assert_allclose(res.composite_price, [1.035651], atol=1e-6)
    np.testing.assert_allclose(res.composite_quantity / 100.0, [0.965577], atol=1e-6)
    np.testing.assert_allclose(res.quantity[0] / [60, 30, 10], [1.021240, 0.820985, 1.077953], atol=1e-6)
    np.testing.assert_allclose(res.seller_price[0], [1.021240, 0.980468, 1.007535], atol=1e-6)
    assert res.tariff_revenue[0] == pytest.approx(0.1 * 0.980468 * 30 * 0.820985, rel=1e-5)


def test_baseline_is_returned_exactly_with_wedges_in_place() -> None:
    market = _market(wedge=[0.1, 0.0, 0.25], capacity=[60.0, np.inf, 12.0])
    res = solve_market(market)
    np.testing.assert_array_equal(res.quantity[0], market.quantity)
    np.testing.assert_array_equal(res.price[0], market.price)
    np.testing.assert_array_equal(res.share[0], market.shares)
    assert res.composite_price[0] == 1.0 and res.unmet[0] == 0.0 and res.iterations[0] == 0
    assert not res.at_capacity.any() and np.all(res.shadow_price == 0.0)


def test_quality_change_acts_like_a_price_wedge_on_effective_units() -> None:
    """Quality a at price p is the same variety to buyers as quality 1 at p / a."""
    market = _market(supply_elasticity=np.inf)
    by_quality = solve_market(market, Shocks(quality=[1.0, 1 / 1.2, 1.0]))
    by_wedge = solve_market(market, Shocks(wedge=[0.0, 0.2, 0.0]))
    np.testing.assert_allclose(by_quality.quantity * [1, 1 / 1.2, 1], by_wedge.quantity, rtol=1e-12)
    np.testing.assert_allclose(by_quality.composite_price, by_wedge.composite_price, rtol=1e-12)


def test_binding_capacity_has_a_shadow_price() -> None:
    market = _market()
    res = solve_market(market, Shocks(banned=[True, False, False], capacity=[60.0, 35.0, np.inf]))
    assert res.at_capacity[0].tolist() == [False, True, False]
    assert res.quantity[0, 1] == pytest.approx(35.0, rel=1e-12)
    assert res.shadow_price[0, 1] > 0.0
    assert res.shadow_price[0, 2] == 0.0 and np.isnan(res.shadow_price[0, 0])
    # Seller price = marginal cost at capacity + rent; marginal cost follows the supply curve (eps = 10).
    assert res.seller_price[0, 1] - res.shadow_price[0, 1] == pytest.approx((35.0 / 30.0) ** 0.1, rel=1e-12)
    assert np.isnan(res.price[0, 0]) and res.quantity[0, 0] == 0.0


def test_everything_banned_is_unserved_not_a_crash() -> None:
    market = _market(demand_elasticity=0.0)
    res = solve_market(market, Shocks(banned=[True, True, True]))
    assert not res.served[0] and res.composite_quantity[0] == 0.0
    assert res.composite_price[0] == np.inf
    assert res.unmet[0] == pytest.approx(100.0)  # inelastic demand: all of it unmet
    assert np.all(np.isnan(res.price)) and np.all(res.quantity == 0.0)
    capped = solve_market(_market(demand_elasticity=0.5), Shocks(banned=[True, True, True], price_cap=4.0))
    assert capped.unmet[0] == pytest.approx(100.0 * 4.0**-0.5)  # demand at the buyers' reservation price


def test_inelastic_demand_and_too_little_capacity_reports_unmet_demand() -> None:
    market = _market(demand_elasticity=0.0, supply_elasticity=np.inf)
    shocks = Shocks(capacity=[30.0, 30.0, 5.0])
    res = solve_market(market, shocks)
    assert res.composite_price[0] == np.inf and np.all(res.price[0] == np.inf)
    np.testing.assert_array_equal(res.quantity[0], [30.0, 30.0, 5.0])
    # Composite of the capacities, in hat form: (sum s0 k^rho)^(1/rho), rho = 3/4.
    k_hat = np.array([0.5, 1.0, 0.5])
    q_max = float(np.sum(market.shares * k_hat**0.75) ** (1 / 0.75))
    assert res.composite_quantity[0] == pytest.approx(100.0 * q_max, rel=1e-12)
    assert res.unmet[0] == pytest.approx(100.0 * (1 - q_max), rel=1e-12)
    # A finite reservation price gives finite prices and the same unmet demand.
    capped = solve_market(market, Shocks(capacity=[30.0, 30.0, 5.0], price_cap=3.0))
    assert capped.composite_price[0] == pytest.approx(3.0)
    assert capped.unmet[0] == pytest.approx(res.unmet[0], rel=1e-9)
    assert np.all(np.isfinite(capped.price))


def test_price_cap_rations_elastic_demand() -> None:
    market = _market(demand_elasticity=0.3)
    res = solve_market(market, Shocks(capacity=[20.0, 10.0, 5.0], price_cap=[np.inf, 1.5]))
    assert res.unmet[0] == 0.0 and res.composite_price[0] > 1.5
    assert res.composite_price[1] == pytest.approx(1.5)
    demand_at_cap = 100.0 * 1.5**-0.3
    assert res.unmet[1] + res.composite_quantity[1] == pytest.approx(demand_at_cap, rel=1e-12)
    assert res.unmet[1] > 0.0


def test_sigma_below_one_zero_capacity_is_unserved() -> None:
    market = _market(sigma=0.5, demand_elasticity=0.0)
    res = solve_market(market, Shocks(capacity=[0.0, np.inf, np.inf]))
    assert not res.served[0] and res.unmet[0] == pytest.approx(100.0)
    assert res.price[0, 0] == np.inf and res.shadow_price[0, 0] == np.inf and res.at_capacity[0, 0]


def test_from_shares_and_from_labels() -> None:
    market = Market.from_shares(
        LABELS, [0.5, 0.3, 0.2], total_value=200.0, price=[2.0, 1.0, 1.0], sigma=3.0, demand_elasticity=0.5
    )
    np.testing.assert_allclose(market.quantity, [50.0, 60.0, 40.0])
    shocks = Shocks.from_labels(market, wedge={"CN": 0.25}, banned=["US"], capacity={"KR": 70.0})
    res = solve_market(market, shocks)
    assert res.quantity[0, 2] == 0.0 and res.quantity[0, 1] <= 70.0 * (1 + 1e-12)
    with pytest.raises(MarketInputError, match="unknown source 'JP'"):
        Shocks.from_labels(market, banned=["JP"])


def test_convergence_failure_is_diagnosed() -> None:
    market = _market()
    shocks = Shocks(wedge=[[0.0, 0.1, 0.0], [0.0, 0.0, 0.0]])
    with pytest.raises(ConvergenceError, match="did not converge for 1 of 2") as info:
        solve_market(market, shocks, max_iter=1)
    assert info.value.failed == (0,)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = solve_market(market, shocks, max_iter=1, on_failure="warn")
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert not res.converged[0] and np.all(np.isnan(res.quantity[0])) and np.isnan(res.composite_price[0])
    assert res.converged[1] and res.quantity[1].tolist() == [60.0, 30.0, 10.0]


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: _market(sigma=0.0), "sigma must be finite and > 0"),
        (lambda: _market(sigma=-1.0), "sigma must be finite and > 0"),
        (lambda: _market(demand_elasticity=-1.25), "magnitude"),
        (lambda: _market(capacity=[-1.0, 30.0, 10.0]), "capacity must be >= 0"),
        (lambda: _market(capacity=[50.0, 30.0, 10.0]), "baseline capacity below baseline quantity"),
        (lambda: _market(supply_elasticity=[1.0, 0.0, 1.0]), "supply_elasticity must be > 0"),
        (lambda: _market(supply_elasticity=[1.0, 2.0]), "one value per source"),
        (lambda: _market(wedge=[-1.0, 0.0, 0.0]), "wedge must be > -1"),
        (lambda: Market(["A", "A"], [1, 1], [1, 1], sigma=2, demand_elasticity=1), "duplicate"),
        (lambda: Market(["A", "B"], [1, np.nan], [1, 1], sigma=2, demand_elasticity=1), "NaN"),
        (lambda: Market(["A", "B"], [1, 0], [1, 1], sigma=2, demand_elasticity=1), "quantity must be > 0"),
        (
            lambda: Market.from_shares(["A", "B"], [0.5, 0.4], total_value=1, sigma=2, demand_elasticity=1),
            "sum to 1",
        ),
        (lambda: Shocks(capacity=[1.0, -2.0, 3.0]), "capacity must be >= 0"),
        (lambda: Shocks(quality=[1.0, 0.0, 1.0]), "quality must be > 0"),
        (lambda: Shocks(banned=[1, 0, 0]), "boolean"),
    ],
)
def test_bad_input_raises_clearly(build: Callable[[], object], match: str) -> None:
    with pytest.raises(MarketInputError, match=match):
        build()


@pytest.mark.parametrize(
    ("shocks", "match"),
    [
        (Shocks(wedge=[0.1, 0.2]), "2 sources; the market has 3"),
        (Shocks(banned=[True, False]), "wrong number of sources"),
        (Shocks(wedge=np.zeros((2, 3)), demand_shift=[1.0, 1.0, 1.0]), "disagree on the batch size"),
        (Shocks(labels=["KR", "CN", "US"]), "do not match"),
        (Shocks(sigma=[2.0, 0.9], banned=[False, True, False]), "sigma <= 1"),
    ],
)
def test_mismatched_shocks_raise(shocks: Shocks, match: str) -> None:
    with pytest.raises(MarketInputError, match=match):
        solve_market(_market(), shocks)
