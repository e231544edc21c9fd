"""The back-test library with and without a mechanism on trial (docs/backtest.md), from one process: the same
episodes, seeds and sampler settings, once as the model is and once with the mechanism given to every episode it
reaches. Episodes it does not reach are run unchanged in both. Prints the scorecards of the whole library, of the
held-out episodes and of those it reaches, and every outcome whose direction, size or interval verdict changed.

The mechanisms (`--mechanism`):
- `licence-lag` ("Licences that take time to issue"): the catalogue's `licence_lag_days` prior given to every
  episode with a rule entry licensing pairs under a licence requirement (by the rule's own data;
  `linked_case.licence_requirement`);
- `days` ("Rules that take effect within a quarter"): `timing: days` for every episode in which a rule entry
  holds on only some days of a quarter of the run;
- `stock-pair` ("A stock that stands in for what it was bought as"): `stock_use: pair` for every episode with a
  rush before a rule entry that licenses or taxes the rushed pairs (`effect: licence`);
- `stock-holders` ("Stocks held by some buyers, not all"; adopted as the default on 6 December 2026): every
  episode with a rush once with `stock_holders: all` (the model before it) and once with `stock_holders: some`
  and the catalogue's `rush_buyer_share` prior;
- `rush-timing` ("Rushes as late as sellers allow"): `rush_timing: late` for every episode with a rush before a
  rule that starts within its run;
- `rush-limit` ("A rush before a fee stocks no more than the fee pays to hold"): `rush_limit: carrying_cost` and
  the catalogue's `stock_carrying_cost` prior for every episode with a rush before a rule entry with a wedge
  (`effect: licence` with a `delay`), the only rushes it can limit;
- `late-and-limited` ("A rush bought as late as it pays, and no more than it pays to hold"; adopted as the default
  on 6 December 2026): every episode either of the last two reaches once with `rush_timing: announced` and
  `rush_limit: cap` (the model before it) and once with both options. Since it was adopted, the runs of the last two
  compare the model as it is with one of its halves set explicitly, so they show nothing;
- `licence-rent` ("A licence rations, it does not auction"): `licence_rent: unpaid` for every episode counted in
  money with a licence entry that may let only a share of its pairs' trade through;
- `grey` ("The grey channel judged again"): the parameter `grey_share` (PERT 0 to 50%, mode 10%) for every episode
  with a ban entry that can leak (not a procurement ban) and holds in its run.

Run from the repository root with a private store (the bundled data is all it needs), e.g.
    CHIPSHIFT_STORE=.tmp/trial.duckdb .venv/bin/python benchmarks/mechanism_trial.py --mechanism days \
        --json out/days.json
(two runs of the library: several minutes on a busy machine).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from chipshift.api import backtest as api
from chipshift.api.data import open_store
from chipshift.config import Settings
from chipshift.domain.period import parse_moment
from chipshift.market.linked_path import PAIR
from chipshift.scenarios import backtest as bt
from chipshift.scenarios import linked_case as linked
from chipshift.scenarios.market_case import Param
from chipshift.schemas.vocabulary import UNITS

SEED = api.TRACK_RECORD_SEED
STEPS = 400  # `chipshift backtest`'s default, so "without" is its scorecard


def _each_case(job: bt.EpisodeJob, **changes: Any) -> bt.EpisodeJob:
    """The episode with ``changes`` (LinkedCase fields; each of ``params`` added where the case states none of that
    name) made to both its case and the case it is fitted with."""
    def changed(case: linked.LinkedCase) -> linked.LinkedCase:
        extra = changes.get("params")
        return dataclasses.replace(case, **{**changes, **({"params": {**extra, **case.params}} if extra else {})})
    return dataclasses.replace(job, case=changed(job.case), fit_case=changed(job.fit_case))


def _without(job: bt.EpisodeJob, prior: Param, **changes: Any) -> bt.EpisodeJob:
    """The episode with ``changes`` and without the catalogue prior ``prior`` the loader now adds (a case's own
    parameter of that name stays)."""
    def changed(case: linked.LinkedCase) -> linked.LinkedCase:
        params = {k: p for k, p in case.params.items() if k != prior.id or p.basis != prior.basis}
        return dataclasses.replace(case, **changes, params=params)
    return dataclasses.replace(job, case=changed(job.case), fit_case=changed(job.fit_case))


def lagged(job: bt.EpisodeJob, prior: Param) -> bt.EpisodeJob:
    """The episode with the licence-lag prior, when one of its rule entries licenses under a licence
    requirement; else the episode as it is."""
    if not any(d is not None for d in job.governed.licence_from):
        return job
    return _each_case(job, params={prior.id: prior})


def by_days(job: bt.EpisodeJob) -> bt.EpisodeJob:
    """The episode with its quarters shared by days, when a rule entry holds on only some days of one; else the
    episode as it is."""
    if not any(((s > 0.0) & (s < 1.0)).any() for s in job.governed.shares):
        return job
    return _each_case(job, timing=linked.DAYS)


def stock_in_place(job: bt.EpisodeJob) -> bt.EpisodeJob:
    """The episode with its stock replacing the rushed pair's purchases first, when buyers rush before a rule
    entry that licenses or taxes the pairs; else the episode as it is."""
    if not any(e.rush_months is not None and e.effect == "licence" for e in job.case.rules):
        return job
    return _each_case(job, stock_use=PAIR)


def held_by(job: bt.EpisodeJob, holders: str, prior: Param) -> bt.EpisodeJob:
    """The episode with its stocks held by all buyers, or by a share of them (the catalogue's prior unless the
    episode states its own, as the loader gives a case with `stock_holders: some`), when buyers rush before one of
    its rule entries; else the episode as it is."""
    if not any(e.rush_months is not None for e in job.case.rules):
        return job
    if holders == linked.SOME_HOLDERS:
        return _each_case(job, stock_holders=holders, params={prior.id: prior})
    return _without(job, prior, stock_holders=holders)  # the model before it drew no share


def timed_late(job: bt.EpisodeJob) -> bt.EpisodeJob:
    """The episode with its rushes ordered as late as sellers allow, when buyers rush before a rule entry that
    starts within its run; else the episode as it is."""
    if not any(e.rush_months is not None and job.governed.holds[k].any()
               for k, e in enumerate(job.governed.entries)):
        return job
    return _each_case(job, rush_timing=linked.LATE)


def carried(job: bt.EpisodeJob, prior: Param) -> bt.EpisodeJob:
    """The episode with each rush limited to the quarters of use its rule's wedge pays to hold, when buyers rush
    before a rule entry that lets goods through at a wedge; else the episode as it is."""
    if not any(e.rush_months is not None and e.effect == "licence" and e.delay is not None for e in job.case.rules):
        return job
    return _each_case(job, rush_limit=linked.CARRYING_COST_LIMIT, params={prior.id: prior})


def late_and_limited(job: bt.EpisodeJob, prior: Param) -> bt.EpisodeJob:
    """The episode with its rushes ordered as late as sellers allow and limited to what their rule's wedge pays
    to hold, when either reaches it; else the episode as it is."""
    if timed_late(job) is job and carried(job, prior) is job:
        return job
    return _each_case(job, rush_timing=linked.LATE, rush_limit=linked.CARRYING_COST_LIMIT, params={prior.id: prior})


def before_late_and_limited(job: bt.EpisodeJob, prior: Param) -> bt.EpisodeJob:
    """The episode as the model was before rushes were bought late and limited: ordered from the announcement, to
    the cap, without the catalogue's carrying cost the loader now adds; when either half reaches it."""
    if timed_late(job) is job and carried(job, prior) is job:
        return job
    return _without(job, prior, rush_timing=linked.ANNOUNCED, rush_limit=linked.CAP_LIMIT)


def capped(case: linked.LinkedCase) -> bool:
    """Whether a licence entry of `case` may let only a share of its pairs' trade through (an approval below 1 in
    some draw: a number below 1, or a parameter whose range reaches below 1)."""
    for entry in case.rules:
        if entry.effect != "licence" or entry.approval is None:
            continue
        if isinstance(entry.approval, str):
            prior = case.params.get(entry.approval)
            if prior is None or min(prior.default, prior.low) < 1.0:
                return True
        elif float(entry.approval) < 1.0:
            return True
    return False


def rent_unpaid(job: bt.EpisodeJob) -> bt.EpisodeJob:
    """The episode with its licence caps' rent unpaid, when it is counted in money and one of its licence entries
    may cap a pair; else the episode as it is."""
    if linked.counted(job.case) or not capped(job.case):
        return job
    return _each_case(job, licence_rent=linked.RENT_UNPAID)


#: The grey channel's prior, as in its first trial (docs/backtest.md, "The grey channel"; facts/grey-channel.csv).
GREY_PRIOR = Param(linked.GREY, 0.10, 0.0, 0.5, basis="facts/grey-channel.csv")


def leaked(job: bt.EpisodeJob) -> bt.EpisodeJob:
    """The episode with a grey channel, when one of its ban entries that can leak holds in its run; else the
    episode as it is."""
    if not any(e.effect == "ban" and job.governed.leaky[k] and job.governed.holds[k].any()
               for k, e in enumerate(job.governed.entries)):
        return job
    return _each_case(job, params={GREY_PRIOR.id: GREY_PRIOR})


def catalogue_prior(store: Any, name: str) -> Param:
    """A catalogue parameter's prior as a case parameter (a percentage enters the model as a fraction)."""
    row = next(r for r in store.rows("parameters") if r["id"] == name)
    factor = UNITS[str(row["unit"])].factor
    return Param(name, float(row["default"]) * factor, float(row["low"]) * factor, float(row["high"]) * factor,
                 basis=f"parameters.csv:{name}")


def card(scores: Sequence[bt.OutcomeScore]) -> dict[str, Any]:
    c = bt.scorecard(scores)
    return {"outcomes": c.outcomes, "direction": c.direction, "size": c.size, "in50": c.coverage50,
            "in90": c.coverage90, "crps": c.crps, "interval_score": c.interval_score}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mechanism", choices=("licence-lag", "days", "stock-pair", "stock-holders",
                                                      "rush-timing", "rush-limit", "late-and-limited",
                                                      "licence-rent", "grey"),
                        required=True,
                        help="the mechanism on trial")
    parser.add_argument("--json", type=Path, help="write both runs' scorecards and changed verdicts here")
    parser.add_argument("--workers", type=int, default=None, help="a local dask cluster of this many workers")
    parser.add_argument("--judged-after", default=None, help="also score the episodes written at or after "
                        "this UTC time (e.g. 2026-12-06T11:05Z): the batches the adoption rule judges it on")
    parser.add_argument("--episodes", default=None, help="also score these episodes alone (comma-separated names): "
                        "the set an adoption rule names by what they are, e.g. the licences counted in money")
    args = parser.parse_args()
    judged_after = parse_moment(args.judged_after) if args.judged_after else None
    named = set(args.episodes.split(",")) if args.episodes else set()
    with open_store(Settings.from_env()) as store:
        jobs = [api.episode_job(store, p) for p in api.library()]
        if args.mechanism == "licence-lag":
            row = next(r for r in store.rows("parameters") if r["id"] == linked.LICENCE_LAG)
            prior = Param(linked.LICENCE_LAG, float(row["default"]), float(row["low"]), float(row["high"]),
                          basis=f"parameters.csv:{linked.LICENCE_LAG}")
            variant: Callable[[bt.EpisodeJob], bt.EpisodeJob] = functools.partial(lagged, prior=prior)
        elif args.mechanism == "days":
            variant = by_days
        elif args.mechanism == "licence-rent":
            variant = rent_unpaid
        elif args.mechanism == "grey":
            variant = leaked
        elif args.mechanism == "rush-timing":
            variant = timed_late
        elif args.mechanism == "late-and-limited":
            carrying = catalogue_prior(store, linked.STOCK_CARRYING_COST)
            jobs = [before_late_and_limited(j, carrying) for j in jobs]
            variant = functools.partial(late_and_limited, prior=carrying)
        elif args.mechanism == "rush-limit":
            variant = functools.partial(carried, prior=catalogue_prior(store, linked.STOCK_CARRYING_COST))
        elif args.mechanism == "stock-holders":
            share = catalogue_prior(store, linked.RUSH_BUYER_SHARE)
            jobs = [held_by(j, linked.ALL_HOLDERS, share) for j in jobs]
            variant = functools.partial(held_by, holders=linked.SOME_HOLDERS, prior=share)
        else:
            variant = stock_in_place
    trial = [variant(j) for j in jobs]
    touched = sorted(j.case.name for j, v in zip(jobs, trial, strict=True) if v is not j)
    out: dict[str, Any] = {"mechanism": args.mechanism, "episodes_reached": touched}
    verdicts: dict[str, dict[tuple[str, str, str], tuple[Any, ...]]] = {}
    for label, runs in (("without", jobs), ("with", trial)):
        results = api._run(runs, bt.PREDICTIVE_DRAWS, STEPS, SEED, args.workers, None, None)
        scored = bt.score_library(results, SEED)
        every = [s for e in scored for s in e.outcomes]
        fresh = [s for e in scored if bt.held_out(e.result) for s in e.outcomes]
        mine = [s for e in scored if e.result.name in touched for s in e.outcomes]
        out[label] = {"library": card(every), "held_out": card(fresh), "reached": card(mine)}
        if judged_after is not None:
            judged = [s for e in scored if e.result.written is not None
                      and parse_moment(e.result.written) >= judged_after for s in e.outcomes]
            out[label]["judged"] = card(judged)
            out[label]["judged_reached"] = card([s for e in scored if e.result.name in touched and
                                                 e.result.written is not None and
                                                 parse_moment(e.result.written) >= judged_after
                                                 for s in e.outcomes])
        if named:
            missing = named - {e.result.name for e in scored}
            if missing:
                raise SystemExit(f"--episodes names episodes not in the library: {', '.join(sorted(missing))}")
            out[label]["named"] = card([s for e in scored if e.result.name in named for s in e.outcomes])
        verdicts[label] = {(e.result.name, s.output, s.period): (s.direction_hit, s.within_size, s.in50, s.in90,
                                                                 round(s.median, 4), round(s.crps, 4))
                           for e in scored for s in e.outcomes}
        print(label, json.dumps(out[label]), flush=True)
    changed = [{"episode": k[0], "output": k[1], "period": k[2], "without": list(verdicts["without"][k]),
                "with": list(verdicts["with"][k])}
               for k in verdicts["without"] if verdicts["without"][k][:4] != verdicts["with"][k][:4]]
    out["changed_verdicts"] = changed
    out["reached_outcomes"] = [{"episode": k[0], "output": k[1], "period": k[2],
                                "without": list(verdicts["without"][k]), "with": list(verdicts["with"][k])}
                               for k in verdicts["without"] if k[0] in touched]
    print("episodes it reaches:", ", ".join(touched))
    print("changed verdicts (direction, size, in50, in90, median, crps):")
    for c in changed:
        print(f"  {c['episode']} {c['output']} {c['period']}: {c['without']} -> {c['with']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
