"""CES primitives: calibration round trips, quality as effective price, limits and input checks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from market_reference import SETTINGS

from chipshift.market import MarketInputError
from chipshift.market.ces import (
    calibrate_weights,
    ces_demand,
    ces_price_index,
    ces_shares,
    effective_price,
    log_power_mean,
)


@st.composite
def _shares_prices(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    n = draw(st.integers(1, 6))
    raw = np.array(draw(st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n)))
    prices = np.array(draw(st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n)))
    quality = np.array(draw(st.lists(st.floats(0.5, 1.5), min_size=n, max_size=n)))
    return raw / raw.sum(), prices, quality, draw(st.floats(0.2, 10.0))


@SETTINGS
@given(_shares_prices())
def test_calibrated_weights_reproduce_shares_and_unit_index(case: tuple) -> None:  # type: ignore[type-arg]
    shares, prices, quality, sigma = case
    w = calibrate_weights(shares, prices, sigma, quality)
    np.testing.assert_allclose(ces_shares(prices, w, sigma, quality), shares, rtol=1e-9)
    index = ces_price_index(prices, w, sigma, quality)
    # Index of the calibration prices: (sum w pe^(1-sigma))^(1/(1-sigma)); shares sum to one at these prices.
    assert np.isfinite(index) and index > 0
    np.testing.assert_allclose(ces_price_index(prices * 1.7, w, sigma, quality), 1.7 * index, rtol=1e-9)


@SETTINGS
@given(_shares_prices())
def test_shares_lie_in_unit_interval_and_sum_to_one(case: tuple) -> None:  # type: ignore[type-arg]
    shares, prices, quality, sigma = case
    s = ces_shares(prices, shares, sigma, quality)
    assert np.all((s >= 0) & (s <= 1)) and abs(s.sum() - 1) < 1e-12


def test_quality_is_an_effective_price() -> None:
    w = np.array([0.5, 0.5])
    a = ces_shares([1.0, 1.0], w, 3.0, quality=[1.0, 0.85])
    b = ces_shares([1.0, 1 / 0.85], w, 3.0)
    np.testing.assert_allclose(a, b, rtol=1e-14)
    np.testing.assert_allclose(effective_price([2.0], [0.8]), [2.5])


def test_demand_spends_the_budget() -> None:
    q = ces_demand([1.0, 2.0], [0.4, 0.6], 2.0, 100.0)
    assert float(np.sum(q * [1.0, 2.0])) == pytest.approx(100.0)


def test_price_index_with_infinite_price_removes_source_only_above_one() -> None:
    assert float(ces_price_index([1.0, np.inf], [0.75, 0.25], 1.5)) == pytest.approx(0.75 ** (1 / (1 - 1.5)))
    assert float(ces_price_index([1.0, np.inf], [0.75, 0.25], 0.5)) == np.inf
    assert float(ces_price_index([1.0, np.inf], [0.75, 0.25], 1.0)) == np.inf


@pytest.mark.parametrize("delta", [1e-13, 1e-9, 1e-6, -1e-9])
def test_price_index_is_continuous_through_cobb_douglas(delta: float) -> None:
    prices, w = np.array([1.3, 0.7, 2.0]), np.array([0.2, 0.5, 0.3])
    cd = float(np.exp(np.sum(w * np.log(prices))))
    assert float(ces_price_index(prices, w, 1.0)) == pytest.approx(cd, rel=1e-14)
    assert float(ces_price_index(prices, w, 1.0 + delta)) == pytest.approx(cd, rel=10 * abs(delta) + 1e-14)


def test_power_mean_of_equal_values_is_exact() -> None:
    out = log_power_mean(np.zeros((3, 4)), np.array([0.1, 0.2, 0.3, 0.4]), np.array([-3.0, 1e-12, 0.0]))
    assert np.all(out == 0.0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ces_shares([1.0, 1.0], [0.5, 0.5], 0.0), "sigma"),
        (lambda: ces_shares([1.0, 1.0], [0.5, 0.6], 2.0), "sum to 1"),
        (lambda: ces_shares([1.0, np.inf], [0.5, 0.5], 0.8), "essential"),
        (lambda: calibrate_weights([0.5, 0.5], [1.0, 0.0], 2.0), "finite and > 0"),
        (lambda: effective_price([1.0], [0.0]), "quality"),
        (lambda: ces_price_index([1.0, np.nan], [0.5, 0.5], 2.0), "NaN"),
    ],
)
def test_bad_input(call: Callable[[], object], match: str) -> None:
    with pytest.raises(MarketInputError, match=match):
        call()
