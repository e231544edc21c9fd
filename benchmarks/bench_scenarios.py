"""Market-scenario benchmark: the shipped seed cases, one run and 10,000 Monte Carlo draws.

Run: .venv/bin/python benchmarks/bench_scenarios.py [--draws 10000] [--reference-draws 3]

Measured in one run, on one core (BLAS threads set to 1):
* one equilibrium of a seed-case market (4 sources);
* one run of every shipped market case over its years (default parameters);
* each seed case's posterior (the calibration a run does), then 10,000 posterior predictive draws of it,
  chunked (peak memory reported for 2,000 and 10,000 draws);
* the same runner with the plain scipy reference solver (tests/market/market_reference.py) solving each
  quarter, segment and draw one at a time, timed on a few draws and scaled: the speed-up is reported.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "market"))

from market_reference import Scenario, solve_reference  # noqa: E402

from chipshift import api  # noqa: E402
from chipshift.api.market_runs import load_case  # noqa: E402
from chipshift.config import Settings  # noqa: E402
from chipshift.market import Market, Shocks, solve_market  # noqa: E402
from chipshift.scenarios import market_posterior, market_run  # noqa: E402

CASES = ("micron-china", "china-ai-accelerators")


def reference_solve(market: Market, shocks: Shocks) -> Any:
    """solve_market's job done row by row with the scipy reference (same inputs, same outputs used)."""
    resolved = {k: getattr(shocks, k) for k in ("banned", "quality", "wedge", "capacity", "sigma",
                                                 "demand_elasticity", "demand_shift")}
    rows = resolved["banned"].shape[0]
    n = market.n
    share = np.zeros((rows, n))
    value = np.zeros((rows, n))
    at_capacity = np.zeros((rows, n), dtype=bool)
    for r in range(rows):
        sc = Scenario(quantity=np.asarray(market.quantity), price=np.asarray(market.price),
                      wedge0=np.zeros(n), wedge1=np.asarray(resolved["wedge"][r]), sigma=float(resolved["sigma"][r]),
                      eta=float(resolved["demand_elasticity"][r]), eps=np.full(n, np.inf),
                      capacity=np.asarray(resolved["capacity"][r]), quality=np.asarray(resolved["quality"][r]),
                      cost=np.ones(n), demand=float(resolved["demand_shift"][r]), cap=np.inf,
                      banned=np.asarray(resolved["banned"][r]))
        ref = solve_reference(sc)
        v = np.nan_to_num(ref.price) * ref.quantity
        value[r] = v
        share[r] = v / v.sum()
        at_capacity[r] = ref.bound
    return SimpleNamespace(share=share, value=value, at_capacity=at_capacity)


def per_call(fn, repeat: int = 50) -> float:  # type: ignore[no-untyped-def]
    fn()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--reference-draws", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = api.open_store(Settings(store_path=Path(tmp) / "bench.duckdb"))
        cases = {name: load_case(store, REPO / "examples" / f"{name}.yaml") for name in CASES}
        store.close()
    case, rules = cases["micron-china"]
    shares = np.array([s.share for s in case.sources])
    market = Market.from_shares(case.labels, shares / shares.sum(), total_value=1.0, sigma=3.7, demand_elasticity=1.3)
    shock = Shocks(banned=np.array([False, False, True, False]))
    print(f"one equilibrium (4 sources, one ban): {per_call(lambda: solve_market(market, shock)) * 1e3:.2f} ms "
          "(target < 1 ms)")
    one = per_call(lambda: [market_run.outputs(market_run.simulate(c, r, market_run.default_draws(c, 1)))
                            for c, r in cases.values()], repeat=20)
    years = sum(c.end_year - c.start_year + 1 for c, _ in cases.values())
    print(f"one run of every shipped market case ({len(cases)} cases, {years} case-years, quarterly): "
          f"{one * 1e3:.1f} ms (target < 50 ms)")
    for name, (case, rules) in cases.items():
        start = time.perf_counter()
        calibration = market_posterior.bayesian_calibration(case, rules, {})
        post = calibration.posterior
        print(f"{name}: posterior ({post.method}) from {post.evaluations:,} evaluations in "
              f"{time.perf_counter() - start:.2f} s")
        for n in (2_000, args.draws):
            tracemalloc.start()
            start = time.perf_counter()
            market_posterior.predictive_bands(case, rules, calibration, n, error=None)
            elapsed = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(f"{name}: {n:,} posterior predictive draws in {elapsed:.2f} s (target < 10 s for 10,000), "
                  f"peak traced memory {peak:.0f} MiB")
        batched = elapsed / n
        k = args.reference_draws
        draws = market_run.default_draws(case, k)
        original = market_run.solve_market
        market_run.solve_market = reference_solve  # type: ignore[assignment]
        try:
            start = time.perf_counter()
            for b in range(k):
                market_run.outputs(market_run.simulate(case, rules, {p: v[b: b + 1] for p, v in draws.items()}))
            reference = (time.perf_counter() - start) / k
        finally:
            market_run.solve_market = original
        print(f"{name}: reference (scipy, one cell at a time) {reference * 1e3:.0f} ms per draw vs batched "
              f"{batched * 1e3:.2f} ms per draw: {reference / batched:.0f}x (target >= 50x)")


if __name__ == "__main__":
    main()
