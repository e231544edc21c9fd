"""Benchmark back-tests: the model evaluations per second of each bundled episode's calibration run (at the
batch the sampler uses and at a large batch); for each episode with observations to fit, emcee against
importance sampling from the prior for the same number of evaluations (effective draws per second); then the
whole library serially and on a local dask cluster of 2 workers, side by side in one run, with the check that
both give the same scores.

Run from the repository root:  .venv/bin/python benchmarks/bench_backtest.py [--draws 1000] [--steps 400]
[--seed-case examples/micron-china-linked.yaml [--seed-case-only]]
(the CSET tables are read from ../shared/data/cset-eto, or $CHIPSHIFT_CSET).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from chipshift.api import backtest as api
from chipshift.api.data import import_cset, open_store
from chipshift.config import Settings
from chipshift.io.store import Store
from chipshift.scenarios import backtest as bt
from chipshift.scenarios.posterior import Prior, log_likelihood, sample

CSET = Path(os.environ.get("CHIPSHIFT_CSET", Path(__file__).resolve().parents[2] / "shared" / "data" / "cset-eto"))


def evaluations_per_second(job: bt.EpisodeJob, batch: int) -> float:
    """Model evaluations per second of an episode's calibration run, `batch` parameter draws at a time."""
    targets = bt.targets(job.case, job.errors)
    wanted = [(t.output, t.period) for t in targets] or [(job.case.episode.outcomes[0].output,  # type: ignore[union-attr]
                                                          job.case.episode.outcomes[0].reference)]  # type: ignore[union-attr]
    rng = np.random.default_rng(1)
    priors: list[Prior] = bt.priors(job.case)[:-1]
    draws = {p.name: p.sample(rng, batch) for p in priors}
    bt._values(job.fit_case, job.fit_governed, bt._with(job.fit_case, draws, batch), wanted)  # warm up
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        bt._values(job.fit_case, job.fit_governed, bt._with(job.fit_case, draws, batch), wanted)
        best = min(best, time.perf_counter() - t)
    return batch / best


def sampler_choice(job: bt.EpisodeJob, steps: int) -> None:
    """emcee against importance sampling from the prior on one episode's calibration, for the same number of
    model evaluations: effective draws per second of each (the measurement behind `posterior.sample`'s
    choice: importance sampling when its effective sample is large enough, else emcee)."""
    targets = bt.targets(job.case, job.errors)
    if not targets:
        return
    wanted = [(t.output, t.period) for t in targets]
    priors = bt.priors(job.case)

    def model(draws: dict[str, np.ndarray]) -> np.ndarray:
        size = len(next(iter(draws.values())))
        return bt._values(job.fit_case, job.fit_governed, bt._with(job.fit_case, draws, size), wanted)

    post = sample(priors, model, targets, steps=steps, min_ess=math.inf)  # emcee alone
    ess_mcmc = min(p.effective_draws for p in post.summary)
    rng = np.random.default_rng(7)
    n = post.evaluations
    draws = {p.name: p.sample(rng, n) for p in priors}
    t = time.perf_counter()
    values = np.concatenate([model({k: v[i:i + 500] for k, v in draws.items() if k != "model_error"})
                             for i in range(0, n, 500)], axis=1)
    ll = log_likelihood(values, targets, draws["model_error"])
    seconds = time.perf_counter() - t
    w = np.exp(ll - ll.max())
    ess_is = float(w.sum() ** 2 / np.sum(w**2))
    print(f"\nsampler choice on {job.case.name} ({len(priors)} parameters, {len(targets)} targets, "
          f"{n:,} evaluations each):")
    print(f"  emcee: {post.seconds:.1f} s, effective draws (worst parameter) {ess_mcmc:,.0f}, "
          f"{ess_mcmc / post.seconds:,.1f}/s")
    print(f"  importance sampling from the prior: {seconds:.1f} s, effective draws {ess_is:,.0f}, "
          f"{ess_is / seconds:,.1f}/s")


def seed_case_sampler(store: Store, path: Path, evaluations: int = 0) -> None:
    """The posterior of a case's fitted observations (not an episode): importance sampling from the prior
    alone, then the sampler `posterior.sample` picks (adaptive importance sampling when the prior's draws fall
    short), with their effective draws, evaluations and seconds."""
    from chipshift.api.cases import load
    from chipshift.scenarios import linked_case as linked

    case, _, governed = load(store, path)
    assert isinstance(case, linked.LinkedCase) and governed is not None
    errors = {f["id"]: bt.error_of(f["status"]) for f in store.rows("facts")}
    targets = bt.targets(case, errors)
    wanted = [(t.output, t.period) for t in targets]
    start = linked.demand(case, governed, bt._with(case, {}, 1))

    def model(draws: dict[str, np.ndarray]) -> np.ndarray:
        size = len(next(iter(draws.values())))
        return bt._values(case, governed, bt._with(case, draws, size), wanted, start)

    priors = bt.priors(case)
    print(f"\nposterior of {case.name} ({len(priors)} parameters, {len(targets)} targets):")
    runs: list[tuple[str, float, int | None]] = [("importance sampling from the prior alone", 0.0, None),
                                                  ("as sample() picks", 1000.0, None)]
    if evaluations:  # the measure: one calibration of at least this many model evaluations
        runs.append((f"importance sampling from the prior, {evaluations:,} draws", 0.0, evaluations))
    for label, min_ess, prior_draws in runs:
        cpu = time.process_time()
        post = (sample(priors, model, targets, min_ess=min_ess) if prior_draws is None else
                sample(priors, model, targets, min_ess=min_ess, prior_draws=prior_draws))
        cpu = time.process_time() - cpu
        print(f"  {label}: {post.method}, effective draws {post.importance_ess:,.0f}, {post.evaluations:,} "
              f"evaluations, {post.seconds:.1f} s ({post.evaluations / post.seconds:,.0f} a second), "
              f"{cpu:.1f} s of CPU time ({post.evaluations / cpu:,.0f} a second); load average "
              f"{os.getloadavg()[0]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--seed-case", type=Path, default=None,
                        help="also sample the posterior of this linked case (e.g. examples/micron-china-linked.yaml)")
    parser.add_argument("--seed-case-only", action="store_true", help="sample the seed case's posterior alone")
    parser.add_argument("--evaluations", type=int, default=0,
                        help="also calibrate the seed case by importance sampling with this many model evaluations "
                             "(the speed target: 50,000 in under 20 s on one core)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, open_store(Settings.from_env(store=Path(tmp) / "s.duckdb")) as store:
        import_cset(store, CSET)  # one episode's product is a CSET node
        if args.seed_case is not None:
            seed_case_sampler(store, args.seed_case, args.evaluations)
            if args.seed_case_only:
                return 0
        jobs = [api.episode_job(store, p) for p in api.library()]
        print(f"{'episode':34} {'quarters fit/all':>16} {'eval/s @14':>11} {'eval/s @500':>12}")
        for job in jobs:
            small, large = evaluations_per_second(job, 14), evaluations_per_second(job, 500)
            print(f"{job.case.name:34} {len(job.fit_case.quarters):>7}/{len(job.case.quarters):<8} "
                  f"{small:>11,.0f} {large:>12,.0f}")
        for job in jobs:
            sampler_choice(job, args.steps)
        paths = api.library()
        t = time.perf_counter()
        serial = api.backtest(store, paths, draws=args.draws, steps=args.steps)
        t_serial = time.perf_counter() - t
        t = time.perf_counter()
        cluster = api.backtest(store, paths, draws=args.draws, steps=args.steps, workers=2)
        t_cluster = time.perf_counter() - t
    same = serial.outcomes == cluster.outcomes
    evals = sum(e.sampler.evaluations for e in serial.episodes)
    sampling = sum(e.sampler.seconds or 0.0 for e in serial.episodes)
    print(f"\nlibrary: {len(paths)} episodes, {serial.scorecard.outcomes} outcomes, {evals:,} sampler "
          f"evaluations ({evals / sampling:,.0f}/s while sampling)")
    print(f"serial {t_serial:.1f} s; local cluster of 2 workers {t_cluster:.1f} s (includes its start-up); "
          f"ratio {t_serial / t_cluster:.2f}x; same scores: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
