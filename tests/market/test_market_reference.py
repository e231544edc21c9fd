"""The batched solver against the plain scipy reference, on random markets with bans and capacities."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from market_reference import SETTINGS, Scenario, scenarios, solve_reference

from chipshift.market import Shocks, solve_market

RTOL = 1e-6


def _compare(sc: Scenario) -> None:
    ref = solve_reference(sc)
    res = solve_market(sc.market(), sc.shocks())
    assert res.converged.all()
    np.testing.assert_allclose(res.quantity[0], ref.quantity, rtol=RTOL, atol=1e-9)
    np.testing.assert_allclose(res.price[0], ref.price, rtol=RTOL, equal_nan=True)
    np.testing.assert_allclose(res.composite_price[0], ref.composite_price, rtol=RTOL)
    np.testing.assert_allclose(res.unmet[0], ref.unmet, rtol=RTOL, atol=1e-9)
    np.testing.assert_array_equal(res.at_capacity[0] & np.isfinite(sc.capacity), ref.bound)


@SETTINGS
@given(scenarios(bans=False, capacities=False))
def test_agrees_with_reference_unconstrained(sc: Scenario) -> None:
    _compare(sc)


@SETTINGS
@given(scenarios())
def test_agrees_with_reference_with_bans_and_capacities(sc: Scenario) -> None:
    _compare(sc)


@SETTINGS
@given(scenarios(caps=True))
def test_agrees_with_reference_with_price_cap(sc: Scenario) -> None:
    _compare(sc)


@SETTINGS
@given(st.lists(scenarios(), min_size=2, max_size=6).filter(lambda xs: len({x.quantity.size for x in xs}) == 1))
def test_batch_equals_one_at_a_time(batch: list[Scenario]) -> None:
    """Draws solved together (varying wedges, bans, capacities, quality, cost, demand) match solo solves."""
    market = batch[0].market()
    stacked = Shocks(
        wedge=np.stack([s.wedge1 for s in batch]),
        banned=np.stack([s.banned & (batch[0].sigma > 1.0) for s in batch]),
        capacity=np.stack([np.maximum(s.capacity, 0.05 * batch[0].quantity) for s in batch]),
        quality=np.stack([s.quality for s in batch]),
        cost=np.stack([s.cost for s in batch]),
        demand_shift=[s.demand for s in batch],
    )
    together = solve_market(market, stacked)
    for i in range(len(batch)):
        alone = solve_market(
            market,
            Shocks(
                wedge=stacked.wedge[i],  # type: ignore[index]
                banned=stacked.banned[i],  # type: ignore[index]
                capacity=stacked.capacity[i],  # type: ignore[index]
                quality=stacked.quality[i],  # type: ignore[index]
                cost=stacked.cost[i],  # type: ignore[index]
                demand_shift=stacked.demand_shift[i],  # type: ignore[index]
            ),
        )
        np.testing.assert_allclose(together.quantity[i], alone.quantity[0], rtol=1e-12)
        np.testing.assert_allclose(together.price[i], alone.price[0], rtol=1e-12, equal_nan=True)
