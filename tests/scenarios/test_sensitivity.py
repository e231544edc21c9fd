"""Global sensitivity (Sobol' indices): the estimator against published indices of the Ishigami function, its
handling of undefined and constant outputs, a linked case's rows, and the tornado chart."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chipshift.api.cases import load
from chipshift.api.data import open_store
from chipshift.api.market_runs import LINKED_HEADLINES
from chipshift.config import Settings
from chipshift.io.store import Store
from chipshift.reports.sensitivity import tornado
from chipshift.scenarios import linked_case as lc
from chipshift.scenarios.linked_case import Draws, FloatArray
from chipshift.scenarios.market_case import Param
from chipshift.scenarios.market_case_check import linked_output
from chipshift.scenarios.sensitivity import sobol, sobol_indices
from tests.conftest import StoreAt

pytestmark = pytest.mark.store_input  # reads the bundled store as its input (tests/conftest.py)

REPO = Path(__file__).resolve().parents[2]
GALLIUM = REPO / "examples" / "gallium-export-controls.yaml"
PI = math.pi
ISHIGAMI_RANGES = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}


def ishigami(draws: Draws, a: float = 7.0, b: float = 0.1) -> FloatArray:
    x1, x2, x3 = draws["x1"], draws["x2"], draws["x3"]
    return np.asarray(np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1))


def test_the_indices_of_the_ishigami_function_match_the_published_ones() -> None:
    # a = 7, b = 0.1 (Ishigami and Homma 1990; e.g. Saltelli et al. 2008, Global Sensitivity Analysis. The
    # Primer, section 4.6): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437
    found = sobol_indices(ishigami, ISHIGAMI_RANGES, n=4096, seed=7, chunk=1000)
    (ix,) = found.indices
    assert ix.first_order is not None and ix.total is not None and ix.reason is None
    assert ix.first_order == pytest.approx((0.3139, 0.4424, 0.0), abs=0.05)
    assert ix.total == pytest.approx((0.5576, 0.4424, 0.2437), abs=0.05)
    assert found.evaluations == 4096 * 5 + 7
    # one at a time around the centre (0, 0, 0): x2 at ±pi gives 7 sin(pi)^2 ~ 0, x1 and x3 alone do nothing
    (sw,) = found.swings
    assert sw.central == pytest.approx(0.0)
    assert sw.at_low == pytest.approx((-0.0, 0.0, 0.0), abs=1e-9)


def test_chunking_does_not_change_the_answer() -> None:
    one = sobol_indices(ishigami, ISHIGAMI_RANGES, n=64, seed=3, chunk=10_000)
    many = sobol_indices(ishigami, ISHIGAMI_RANGES, n=64, seed=3, chunk=37)
    assert one == many


def test_draws_with_an_undefined_output_drop_their_block() -> None:
    def holes(draws: Draws) -> FloatArray:
        y = ishigami(draws)
        return np.where(draws["x3"] > 0.8 * PI, np.nan, y)  # about a tenth of the draws

    (ix,) = sobol_indices(holes, ISHIGAMI_RANGES, n=256, seed=5).indices
    assert ix.total is not None and 0 < 256 - ix.kept < 128
    assert ix.reason is not None and "dropped" in ix.reason
    assert all(np.isfinite(ix.total)) and all(np.isfinite(ix.first_order or ()))


def test_an_output_undefined_in_most_draws_has_no_indices() -> None:
    def mostly_undefined(draws: Draws) -> FloatArray:
        return np.where(draws["x1"] > -0.5 * PI, np.nan, ishigami(draws))

    (ix,) = sobol_indices(mostly_undefined, ISHIGAMI_RANGES, n=64, seed=5).indices
    assert ix.first_order is None and ix.total is None and ix.total_ci is None
    assert ix.reason is not None and "undefined" in ix.reason


def test_an_output_that_does_not_vary_has_no_indices() -> None:
    def constant(draws: Draws) -> FloatArray:
        return np.stack([np.full(len(draws["x1"]), 100.0), draws["x1"]])  # two outputs: flat, and x1 itself

    flat, moving = sobol_indices(constant, ISHIGAMI_RANGES, n=64, seed=5).indices
    assert flat.total is None and flat.reason is not None and "does not vary" in flat.reason
    assert moving.total == pytest.approx((1.0, 0.0, 0.0), abs=0.05)


def test_the_number_of_base_points_is_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        sobol_indices(ishigami, ISHIGAMI_RANGES, n=100)


# -- a linked case ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(session_store_at: StoreAt) -> Iterator[Store]:
    with open_store(Settings.from_env(store=session_store_at("sobol"))) as opened:
        yield opened


@pytest.fixture(scope="module")
def gallium(store: Store) -> tuple[lc.LinkedCase, lc.Governed, list[str]]:
    """The gallium case with a parameter no output reads (``dummy``)."""
    case, _, governed = load(store, GALLIUM)
    assert isinstance(case, lc.LinkedCase) and governed is not None
    dummy = Param("dummy", 0.5, 0.0, 1.0, basis="free: read by nothing")
    case = dataclasses.replace(case, params={**case.params, "dummy": dummy})
    out = lc.outputs(case, lc.run(case, governed, lc.default_draws(case)))
    headlines = [n for n in out if (spec := linked_output(n)) is not None and spec.pattern in LINKED_HEADLINES]
    return case, governed, headlines


@pytest.fixture(scope="module")
def rows(gallium: tuple[lc.LinkedCase, lc.Governed, list[str]]) -> list[dict[str, Any]]:
    case, governed, headlines = gallium
    return sobol(case, governed, {}, headlines, n=64)


def test_a_linked_case_has_indices_in_zero_one(rows: list[dict[str, Any]]) -> None:
    with_indices = [r for r in rows if r["total"] is not None]
    assert with_indices
    for r in with_indices:
        for key in ("first_order", "total"):
            assert 0.0 <= r[key] <= 1.0, r
        assert r["total_ci"] >= 0 and r["first_order_ci"] >= 0


def test_an_estimate_sampling_puts_below_zero_is_given_as_zero() -> None:
    # x3 acts on the Ishigami function only with x1 (S1 = 0): with few base points its estimate falls either
    # side of zero; a share of variance is never negative, so it is given as 0, its half-width kept
    found = [sobol_indices(ishigami, ISHIGAMI_RANGES, n=16, seed=seed).indices[0] for seed in range(12)]
    assert all(ix.first_order is not None and min(ix.first_order) >= 0.0 for ix in found)
    assert all(ix.total is not None and max(ix.total) <= 1.0 for ix in found)
    assert any(ix.first_order is not None and ix.first_order[2] == 0.0 and ix.first_order_ci is not None
               and ix.first_order_ci[2] > 0 for ix in found)


def test_a_parameter_no_output_reads_has_no_total_effect(rows: list[dict[str, Any]]) -> None:
    dummies = [r for r in rows if r["parameter"] == "dummy"]
    assert dummies
    for r in dummies:
        assert r["at_low"] == r["at_high"] == r["central"]
        if r["total"] is not None:
            assert r["total"] == pytest.approx(0.0, abs=1e-6)
            assert r["first_order"] == pytest.approx(0.0, abs=max(r["first_order_ci"], 1e-6))
            assert r["rank"] > 1


def test_rows_come_by_output_ranked_by_total_index(rows: list[dict[str, Any]],
                                                   gallium: tuple[lc.LinkedCase, lc.Governed, list[str]]) -> None:
    case, _, headlines = gallium
    ranged = {p.id for p in case.params.values() if p.high > p.low}
    assert [r["output"] for r in rows[:: len(ranged)]] == headlines
    for headline in headlines:
        block = [r for r in rows if r["output"] == headline]
        assert {r["parameter"] for r in block} == ranged
        assert [r["rank"] for r in block] == list(range(1, len(ranged) + 1))
        totals = [r["total"] for r in block]
        assert all(t is None for t in totals) or totals == sorted(totals, reverse=True)
        assert {r["period"] for r in block} == {"2024"}  # the last whole year of 2023Q1-2025Q2


def test_an_output_that_cannot_move_says_so(rows: list[dict[str, Any]]) -> None:
    # China's own market is supplied by Chinese producers only: its localization is 100 whatever the parameters
    block = [r for r in rows if r["output"] == "localization@CHN"]
    assert block and all(r["total"] is None and r["reason"] == "the output does not vary over the parameters' "
                         "ranges" for r in block)


def test_the_swings_are_each_parameter_alone_at_its_ends(
        rows: list[dict[str, Any]], gallium: tuple[lc.LinkedCase, lc.Governed, list[str]]) -> None:
    """Reference: one run per parameter and end, every other parameter at its default."""
    case, governed, _ = gallium
    for r in rows:
        p = case.params[r["parameter"]]
        for end, key in ((p.low, "at_low"), (p.high, "at_high")):
            draws = {name: np.full(1, q.default) for name, q in case.params.items()} | {p.id: np.full(1, end)}
            periods, values, _ = lc.outputs(case, lc.run(case, governed, draws))[r["output"]]
            assert r[key] == pytest.approx(float(values[periods.index(r["period"]), 0]), abs=2e-4)


def test_the_tornado_chart_is_written(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    written = tornado(rows, "price@ROW", "Gallium export controls", tmp_path / "tornado_price_ROW")
    assert written == ["tornado_price_ROW.png", "tornado_price_ROW.svg"]
    assert all((tmp_path / name).stat().st_size > 1000 for name in written)
    svg = (tmp_path / "tornado_price_ROW.svg").read_text(encoding="utf-8")
    assert "price@ROW" in svg and "2024" in svg
    assert tornado(rows, "no-such-output", "none", tmp_path / "none") == []
