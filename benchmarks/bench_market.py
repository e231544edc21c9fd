"""Benchmark the market equilibrium: one market, then 10,000 draws batched vs the scipy reference.

Run from the repository root:  .venv/bin/python benchmarks/bench_market.py [--draws 10000] [--subsample 200]

The reference solver (tests/market/market_reference.py) solves one draw at a time with scipy; it is timed
on a subsample of the same draws in the same run, and the per-draw ratio is printed next to the agreement.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "market"))

from market_reference import Scenario, solve_reference

from chipshift.market import Market, Shocks, solve_market

N = 5
LABELS = [f"s{i}" for i in range(N)]


def draws(rng: np.random.Generator, size: int) -> tuple[Market, Shocks]:
    """A 5-source market and `size` random draws of wedges, bans, capacities and elasticities."""
    market = Market(
        LABELS,
        rng.uniform(1.0, 10.0, N),
        rng.uniform(0.5, 2.0, N),
        sigma=3.0,
        demand_elasticity=0.5,
        supply_elasticity=rng.uniform(0.5, 10.0, N),
    )
    sigma = rng.uniform(1.2, 8.0, size)
    banned = rng.random((size, N)) < 0.15
    banned[banned.all(axis=1), 0] = False
    finite = rng.random((size, N)) < 0.4
    capacity = np.where(finite, market.quantity * rng.uniform(0.3, 1.5, (size, N)), np.inf)
    shocks = Shocks(
        wedge=rng.uniform(0.0, 0.8, (size, N)),
        banned=banned,
        capacity=capacity,
        cost=rng.uniform(0.8, 1.2, (size, N)),
        sigma=sigma,
        demand_elasticity=rng.uniform(0.1, 2.0, size),
        supply_elasticity=np.where(rng.random((size, N)) < 0.2, np.inf, rng.uniform(0.5, 10.0, (size, N))),
    )
    return market, shocks


def scenario(market: Market, shocks: Shocks, i: int) -> Scenario:
    def row(arr: np.ndarray | None) -> np.ndarray:
        assert arr is not None
        return np.asarray(arr[i])

    return Scenario(
        quantity=market.quantity,
        price=market.price,
        wedge0=market.wedge,
        wedge1=row(shocks.wedge),
        sigma=float(row(shocks.sigma)),
        eta=float(row(shocks.demand_elasticity)),
        eps=row(shocks.supply_elasticity),
        capacity=row(shocks.capacity),
        quality=np.ones(N),
        cost=row(shocks.cost),
        demand=1.0,
        cap=np.inf,
        banned=row(shocks.banned),
    )


def best_of(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--subsample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    market, shocks = draws(rng, args.draws)
    one = Shocks(wedge=[0.25, 0.0, 0.0, 0.0, 0.0], banned=[False, True, False, False, False])
    single = best_of(lambda: solve_market(market, one), 200)
    print(f"one market ({N} sources, wedge + ban):            {single * 1e3:8.3f} ms per solve")

    batch_time = best_of(lambda: solve_market(market, shocks), 3)
    res = solve_market(market, shocks)
    per_draw = batch_time / args.draws
    print(
        f"batched, {args.draws} draws:                         {batch_time:8.3f} s total, "
        f"{per_draw * 1e6:8.2f} us per draw (iterations: median {np.median(res.iterations):.0f}, "
        f"max {res.iterations.max()}; at capacity in {res.at_capacity.any(axis=1).mean():.0%} of draws)"
    )

    idx = rng.choice(args.draws, size=min(args.subsample, args.draws), replace=False)
    worst = 0.0
    t0 = time.perf_counter()
    refs = [solve_reference(scenario(market, shocks, int(i))) for i in idx]
    ref_time = (time.perf_counter() - t0) / idx.size
    for i, ref in zip(idx, refs, strict=True):
        rel = np.abs(res.quantity[i] - ref.quantity) / np.maximum(np.abs(ref.quantity), 1e-12)
        worst = max(worst, float(np.max(np.where(ref.quantity > 0, rel, np.abs(res.quantity[i])))))
    print(f"scipy reference, {idx.size} of the same draws:        {ref_time * 1e3:8.3f} ms per draw")
    print(f"per-draw ratio reference / batched:             {ref_time / per_draw:8.0f} x")
    print(f"per-draw ratio reference / single batched call: {ref_time / single:8.1f} x")
    print(f"worst relative quantity difference on the subsample: {worst:.2e}")


if __name__ == "__main__":
    main()
