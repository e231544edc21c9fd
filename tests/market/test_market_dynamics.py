"""Ramp-up, learning and adjustment helpers (WE-9), and yearly paths."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from market_reference import SETTINGS

from chipshift.market import Market, MarketInputError, Shocks
from chipshift.market.dynamics import (
    Learning,
    adjust_shares,
    adjustment_path,
    learning_exponent,
    learning_rate,
    logistic_capacity,
    rise_time,
    simulate_path,
    speed_from_half_life,
    wright_cost,
    wright_quality,
)


@pytest.mark.parametrize(("lr", "b"), [(0.20, 0.3219), (0.25, 0.4150), (0.43, 0.8110)])
def test_we9_learning_conversions(lr: float, b: float) -> None:
    assert float(learning_exponent(lr)) == pytest.approx(b, abs=5e-5)
    assert float(learning_rate(learning_exponent(lr))) == pytest.approx(lr, rel=1e-12)
    x = np.array([1.0, 3.0, 17.5])
    ratio = wright_cost(2 * x, initial=1.0, rate=lr) / wright_cost(x, initial=1.0, rate=lr)
    np.testing.assert_allclose(ratio, 1 - lr, rtol=1e-12)


def test_quality_gap_closes_per_doubling() -> None:
    q = wright_quality([1.0, 2.0, 4.0], initial=1.0, gap=0.15, rate=0.2)
    np.testing.assert_allclose(1 - q, [0.15, 0.12, 0.096], rtol=1e-12)


def test_logistic_ramp_and_rise_time() -> None:
    r = 0.8
    t10, t90 = 3.0 - math.log(9) / r, 3.0 + math.log(9) / r
    k = logistic_capacity([t10, 3.0, t90], ceiling=100.0, rate=r, midpoint=3.0)
    np.testing.assert_allclose(k, [10.0, 50.0, 90.0], rtol=1e-12)
    assert rise_time(r) == pytest.approx(t90 - t10) == pytest.approx(4.394 / r, rel=1e-3)
    k2 = logistic_capacity(np.array([-50.0, 50.0]), ceiling=100.0, rate=r, midpoint=3.0, floor=20.0)
    np.testing.assert_allclose(k2, [20.0, 100.0], rtol=1e-12)
    with pytest.raises(MarketInputError):
        logistic_capacity(1.0, ceiling=1.0, rate=-1.0, midpoint=0.0)


def test_half_life_and_adjustment_path() -> None:
    lam = speed_from_half_life(2.0)
    assert (1 - lam) ** 2 == pytest.approx(0.5)
    path = adjustment_path(1.4, 3.7, lam, 4)
    assert path[1] == pytest.approx(1.4 + 0.5 * (3.7 - 1.4))


@SETTINGS
@given(
    st.integers(2, 6).flatmap(
        lambda n: st.tuples(
            *[st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n)] * 2,
            st.lists(st.booleans(), min_size=n, max_size=n),
        )
    ),
    st.floats(0.0, 1.0),
)
def test_adjusted_shares_stay_on_the_simplex(case: tuple, speed: float) -> None:  # type: ignore[type-arg]
    a, b, imm = (np.array(v) for v in case)
    prev, target = a / a.sum(), b / b.sum()
    out = adjust_shares(prev, target, speed, imm)
    assert np.all(out >= 0) and np.all(out <= 1 + 1e-12) and abs(out.sum() - 1) < 1e-12
    np.testing.assert_allclose(out[imm], target[imm])
    np.testing.assert_allclose(adjust_shares(prev, target, 1.0), target, rtol=1e-12)
    np.testing.assert_allclose(adjust_shares(prev, target, 0.0), prev, rtol=1e-12)


def _market() -> Market:
    return Market(
        ["TW", "KR", "CN"],
        [60.0, 30.0, 10.0],
        [1.0, 1.0, 1.2],
        sigma=3.0,
        demand_elasticity=0.5,
        supply_elasticity=[2.0, 2.0, 1.0],
    )


def test_capacity_ramp_path_is_respected_and_raises_the_entrant() -> None:
    years = 8
    ramp = logistic_capacity(np.arange(1, years + 1), ceiling=40.0, rate=1.0, midpoint=4.0, floor=10.0)
    caps = np.stack([np.full(years, np.inf), np.full(years, np.inf), ramp], axis=1)
    path = simulate_path(
        _market(),
        years,
        shocks=Shocks(banned=[False, True, False]),
        capacity=caps,
        adjustment_speed=speed_from_half_life(1.0),
    )
    cn = np.array([r.quantity[0, 2] for r in path.equilibria])
    assert np.all(cn <= ramp * (1 + 1e-12)) and np.all(np.diff(cn) >= -1e-12)
    assert np.all(path.share[:, 0, 1] == 0.0)  # a ban takes effect at once, not with the lag
    lagged = path.share[:, 0, 0]
    target = np.array([r.share[0, 0] for r in path.equilibria])
    assert np.all(np.abs(lagged - target)[1:] <= np.abs(lagged - target)[:-1] + 0.05)


def test_learning_lowers_cost_and_closes_the_quality_gap() -> None:
    market = _market()
    learning = Learning.create(
        3,
        experience=[600.0, 300.0, 10.0],
        cost_rate=[0.0, 0.0, 0.2],
        quality_rate=[0.0, 0.0, 0.2],
        quality_gap=[0.0, 0.0, 0.15],
    )
    path = simulate_path(market, 5, learning=learning, demand_growth=0.05)
    assert np.all(np.diff(path.cost[:, 0, 2]) < 0) and np.all(path.cost[:, 0, :2] == 1.0)
    assert np.all(np.diff(path.quality[:, 0, 2]) > 0) and path.quality[0, 0, 2] == 1.0
    cn = np.array([r.share[0, 2] for r in path.equilibria])
    assert np.all(np.diff(cn) > 0)
    assert np.all(np.diff(path.experience[:, 0, :], axis=0) > 0)


def test_sigma_path_and_bad_inputs() -> None:
    market = _market()
    sig = adjustment_path(1.4, 3.7, 0.5, 3)
    path = simulate_path(market, 3, shocks=Shocks(wedge=[0.0, 0.0, 0.25]), sigma=sig)
    cn = [r.share[0, 2] for r in path.equilibria]
    assert cn[0] > cn[1] > cn[2]  # substitution away from the taxed source deepens as sigma rises
    with pytest.raises(MarketInputError, match="years"):
        simulate_path(market, 0)
    with pytest.raises(MarketInputError, match="capacity path"):
        simulate_path(market, 3, capacity=np.ones((2, 3)))
    with pytest.raises(MarketInputError, match="learning rates"):
        Learning.create(3, experience=1.0, cost_rate=1.0)


def test_batched_capacity_path() -> None:
    caps = np.full((4, 2, 3), np.inf)
    caps[:, 1, 0] = [50.0, 40.0, 30.0, 20.0]
    path = simulate_path(_market(), 4, capacity=caps)
    assert path.share.shape == (4, 2, 3)
    np.testing.assert_allclose([r.quantity[1, 0] for r in path.equilibria], [50.0, 40.0, 30.0, 20.0])
    np.testing.assert_array_equal(path.equilibria[-1].quantity[0], _market().quantity)
