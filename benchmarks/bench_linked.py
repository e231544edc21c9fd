"""Benchmark linked markets: one quarter of a 6-firm x 3-region x 3-segment case, batched, against the plain
reference solver on the same draws; then every shipped linked case's whole quarterly run, and 10,000 draws of
a seed case in chunks.

Run from the repository root:  .venv/bin/python benchmarks/bench_linked.py [--draws 10000] [--subsample 50]

The reference (tests/market/linked_reference.py) solves one draw at a time with scipy, trying every set of
binding constraints; it is timed on a subsample of the same draws in the same run, and the per-draw ratio is
printed beside the largest disagreement. Exits non-zero when the two disagree.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "market"))

from linked_reference import LinkedCase, solve_reference

from chipshift.market.linked import LinkedMarkets, LinkedShocks, solve_linked

ROOT = Path(__file__).resolve().parents[1]

FIRMS, REGIONS, SEGMENTS = 6, 3, 3
MARKETS = REGIONS * SEGMENTS


def draws(rng: np.random.Generator, size: int) -> tuple[LinkedMarkets, dict[str, np.ndarray]]:
    """A 6 x 9 case and `size` draws: demand shifts, wedges, one banned firm in one region's segments,
    capacities at 90-120% of baseline sales, sigma and supply elasticities."""
    x0 = rng.uniform(1.0, 10.0, (MARKETS, FIRMS))
    base = LinkedMarkets([f"f{i}" for i in range(FIRMS)], [f"m{j}" for j in range(MARKETS)], x0, sigma=3.0,
                         demand_elasticity=0.8, supply_elasticity=2.0)
    banned = np.zeros((size, MARKETS, FIRMS), dtype=bool)
    banned[:, :SEGMENTS, 0] = rng.random(size)[:, None] < 0.5
    fields = {
        "banned": banned,
        "demand_shift": rng.uniform(0.8, 1.3, (size, MARKETS)),
        "wedge": rng.uniform(0.0, 0.3, (size, MARKETS, FIRMS)),
        "capacity": x0.sum(axis=0) * rng.uniform(0.9, 1.2, (size, FIRMS)),
        "sigma": np.repeat(rng.uniform(1.5, 6.0, (size, 1)), MARKETS, axis=1),
        "supply_elasticity": rng.uniform(0.5, 5.0, (size, FIRMS)),
    }
    return base, fields


def reference_case(base: LinkedMarkets, fields: dict[str, np.ndarray], i: int) -> LinkedCase:
    return LinkedCase(
        x0=np.asarray(base.quantity), v0=np.asarray(base.seller_price), t0=np.asarray(base.wedge),
        t1=fields["wedge"][i], sigma=fields["sigma"][i], eta=np.full(MARKETS, 0.8),
        eps=fields["supply_elasticity"][i], capacity=fields["capacity"][i], cost=np.ones(FIRMS),
        quality=np.ones((MARKETS, FIRMS)), demand=fields["demand_shift"][i], banned=fields["banned"][i],
        quota=np.full((MARKETS, FIRMS), np.inf))


def kernel(size: int, subsample: int) -> bool:
    rng = np.random.default_rng(20261203)
    base, fields = draws(rng, size)
    shocks = LinkedShocks(**fields)
    solve_linked(base, shocks)  # warm up
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        res = solve_linked(base, shocks)
        best = min(best, time.perf_counter() - t)
    per_draw = best / size
    lean = np.inf
    for _ in range(3):
        t = time.perf_counter()
        solve_linked(base, shocks, rationing=False)
        lean = min(lean, time.perf_counter() - t)
    idx = rng.choice(size, size=min(subsample, size), replace=False)
    t = time.perf_counter()
    refs = [solve_reference(reference_case(base, fields, int(i))) for i in idx]
    ref_time = (time.perf_counter() - t) / idx.size
    worst = max(float(np.max(np.abs(res.quantity[i] - r.quantity) / np.maximum(r.quantity, 1e-9)))
                for i, r in zip(idx, refs, strict=True))
    print(f"one quarter, {FIRMS} firms x {REGIONS} regions x {SEGMENTS} segments, {size:,} draws batched: "
          f"{per_draw * 1e6:8.1f} us per draw ({best:.3f} s)")
    print(f"the same without working out rationed demand:                      {lean / size * 1e6:8.1f} us per draw")
    print(f"plain reference, {idx.size} of the same draws:                        {ref_time * 1e3:8.1f} ms per draw")
    print(f"per-draw ratio reference / batched:                                {ref_time / per_draw:8.0f} x")
    print(f"largest relative quantity difference on the subsample:             {worst:.1e}")
    return worst < 1e-6


def cases(draw_count: int) -> None:
    from chipshift.api.data import open_store
    from chipshift.api.restrictions import load_world
    from chipshift.config import Settings
    from chipshift.domain.rules import rule_from_record
    from chipshift.io.tables import load_yaml, strip_lines
    from chipshift.scenarios import linked_analysis, linked_case
    from chipshift.scenarios.linked_parse import parse_linked
    from chipshift.scenarios.market_run import RuleContext

    store = open_store(Settings.from_env(store=None, data_dir=None))
    facts = {f["id"]: f for f in store.rows("facts")}
    params = {p["id"]: p for p in store.rows("parameters")}
    world, parents = load_world(store)
    ctx = RuleContext([rule_from_record(r) for r in store.rows("rules")], world, parents)
    loaded = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        doc, problems = load_yaml(path, path.name)
        doc = strip_lines(doc)
        if problems or doc.get("model") != "linked":
            continue
        case = parse_linked(doc, facts, params, path.name)
        loaded.append((path.name, case, linked_case.govern(case, ctx, path.name)))
    for name, case, governed in loaded:
        draws1 = linked_case.default_draws(case)
        linked_case.outputs(case, linked_case.run(case, governed, draws1))
        t = time.perf_counter()
        linked_case.outputs(case, linked_case.run(case, governed, draws1))
        elapsed = time.perf_counter() - t
        print(f"{name}: {len(case.quarters)} quarters, {len(case.sellers)} sellers x {len(case.markets)} markets, "
              f"one run with outputs: {elapsed * 1e3:7.1f} ms")
    if loaded:
        name, case, governed = max(loaded, key=lambda c: len(c[1].sellers) * len(c[1].markets))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        prior = linked_analysis.bayesian_calibration(dataclasses.replace(case, observations=()), governed, {})
        bands = linked_analysis.predictive_bands(case, governed, prior, draw_count, error=None)
        elapsed = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{name}: {draw_count:,} draws from the prior with bands for {len(bands)} outputs: {elapsed:6.2f} s "
              f"(peak memory +{(after - before) / 1024:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--subsample", type=int, default=50)
    args = parser.parse_args()
    ok = kernel(args.draws, args.subsample)
    cases(args.draws)
    if not ok:
        print("the batched solver and the reference disagree", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
