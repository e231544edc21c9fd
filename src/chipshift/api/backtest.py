"""``backtest``: run back-test episodes (the bundled library by default) and score them out of sample.

Episodes are loaded here, against the store; each is then a self-contained job (``EpisodeJob``) that runs
serially or on a dask.distributed cluster (a local one with ``workers``, an existing one at ``scheduler``).
Every episode draws from its own seed, so a cluster gives the numbers a serial run gives.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chipshift.api.cases import MAX_SEED, case_inputs, latest_day, load
from chipshift.api.data import Report
from chipshift.api.percent import percent
from chipshift.domain.period import moment_text
from chipshift.errors import DataError, Problem
from chipshift.io.bundled import bundled_data_dir
from chipshift.io.store import Store
from chipshift.scenarios import backtest as bt
from chipshift.scenarios import linked_case as linked
from chipshift.scenarios.market_analysis import Progress
from chipshift.scenarios.posterior import (
    IMPORTANCE_DRAWS,
    LITERAL_ERROR,
    MIN_ACCEPTANCE,
    MIN_TAU_MULTIPLE,
    STATUS_ERROR,
)

if TYPE_CHECKING:
    from chipshift.api.answers import BacktestAnswer


def library(data_dir: Path | None = None) -> list[Path]:
    """The bundled episode files."""
    return sorted(((data_dir or bundled_data_dir()) / "episodes").glob("*.yaml"))


def episode_job(store: Store, path: Path) -> bt.EpisodeJob:
    """An episode file, loaded and checked (``as_of`` included), as a job with no store."""
    case, context, governed = load(store, path)
    if not isinstance(case, linked.LinkedCase) or case.episode is None or governed is None:
        raise DataError([Problem("not a back-test episode: a linked market case with an `episode:` block and "
                                 "`outcomes`", path.name, field="episode")])
    if not case.episode.outcomes:
        raise DataError([Problem("an episode needs at least one outcome to be scored on", path.name,
                                 field="outcomes")])
    fit_case, fit_governed = linked.fitted_window(case, governed)
    facts = case_inputs(store).facts
    cited = [o.source for o in case.observations] + [o.source for o in case.episode.outcomes]
    errors = {s: bt.error_of(str(facts[s]["status"])) for s in cited if s in facts}
    later = sorted(r for r in linked.named_rules(case) if context.has(r)
                   and latest_day(context.rule(r).announced or context.rule(r).start) > case.episode.as_of)
    return bt.EpisodeJob(str(path), case, governed, fit_case, fit_governed, errors, tuple(later))


def library_version(store: Store) -> str:
    """What the model's error learned from the bundled library depends on: the bundled data, the store's inputs,
    the episodes and the model's code. ``library_error`` is learned again when it changes."""
    digest = hashlib.sha256()
    code = Path(bt.__file__).resolve().parents[1]
    for path in [*library(), *sorted((code / "market").glob("*.py")), *sorted((code / "scenarios").glob("*.py"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{store.bundle_fingerprint()}|{store.count('inputs')}|{digest.hexdigest()}"


def library_error(store: Store, progress: Progress | None = None) -> bt.ErrorModel | None:
    """The model's error on outcomes it was not fitted to, learned from every outcome of the bundled library
    (``backtest.error_model``): what a case's bands add to its parameters' uncertainty. Running the library
    takes a while, so the answer is kept in the store until the bundled data, the episodes or the model's code
    change (``library_version``). None when no episode loads. ``progress(done, total)`` after each episode."""
    version = library_version(store)
    with _LEARNING:  # one run of the library at a time: a second caller waits for the first's answer
        if version not in _LEARNED:
            _LEARNED[version] = _learn(store, library(), version, progress)
        return _LEARNED[version]


def known_library_error(store: Store, version: str) -> tuple[bool, bt.ErrorModel | None]:
    """Whether the model's error of ``version`` is known without running the library (learned in this process,
    or kept in the store by an earlier one), and the error."""
    if version in _LEARNED:
        return True, _LEARNED[version]
    found, kept = store.derived(LIBRARY_ERROR, version)
    return found, error_of_value(kept) if found else None


def remember_library_error(version: str, error: bt.ErrorModel | None) -> None:
    """The model's error of ``version``, learned by another process: ``library_error`` answers it at once."""
    with _LEARNING:
        _LEARNED[version] = error


def library_error_value(error: bt.ErrorModel | None) -> dict[str, float] | None:
    """The error as the JSON value kept in the store."""
    return None if error is None else {"scale": error.scale, "dof": error.dof, "stretch": error.stretch}


def error_of_value(kept: Any) -> bt.ErrorModel | None:
    """The error from the JSON value kept in the store."""
    return None if kept is None else bt.ErrorModel(float(kept["scale"]), float(kept["dof"]), float(kept["stretch"]))


#: The prior draws per round of an episode's importance sampling a back-test may use (``scenario_run``'s bounds).
MIN_CALIBRATION_DRAWS = 100
MAX_CALIBRATION_DRAWS = 1_000_000

#: The key under which the store keeps the learned error.
LIBRARY_ERROR = "library_error"


def _learn(store: Store, files: Sequence[Path], version: str, progress: Progress | None) -> bt.ErrorModel | None:
    """Run the library and learn the error, or read what an earlier process kept in the store."""

    def build() -> dict[str, float] | None:
        jobs = []
        for path in files:
            try:
                jobs.append(episode_job(store, path))
            except DataError:
                continue
        results = _run(jobs, LEARNING_DRAWS, LEARNING_STEPS, TRACK_RECORD_SEED, None, None, progress)
        return library_error_value(error_of_runs(results))

    return error_of_value(store.persisted(LIBRARY_ERROR, version, build))


def learning_run(job: bt.EpisodeJob) -> bt.EpisodeResult:
    """One episode's run in the library run behind ``library_error``, as that run makes it: every episode
    draws from its own seed, so the runs of one library may be made apart (in other processes) and put
    together by ``error_of_runs`` in the library's order."""
    return bt.run_episode(job, draws=LEARNING_DRAWS, steps=LEARNING_STEPS,
                          seed=bt.episode_seed(TRACK_RECORD_SEED, job.case.name))


def error_of_runs(results: Sequence[bt.EpisodeResult]) -> bt.ErrorModel | None:
    """The model's error learned from the library's runs (those of the episodes that load, in its order), with
    the stretch its bands then get (``backtest.library_stretch``), as the back-test scores the library."""
    learned = bt.error_model([p for r in results for p in r.predictions])
    if learned is None:
        return None
    return bt.ErrorModel(learned.scale, learned.dof, bt.library_stretch(results, TRACK_RECORD_SEED))


#: What ``library_error`` learned in this process, by what it depends on (stores holding the same data and
#: episodes learn the same).
_LEARNED: dict[str, bt.ErrorModel | None] = {}
_LEARNING = threading.Lock()


#: The seed, predictive draws and sampler steps of the library run behind ``library_error`` (the back-test's
#: defaults).
TRACK_RECORD_SEED = 20261203
LEARNING_DRAWS = bt.PREDICTIVE_DRAWS
LEARNING_STEPS = 300


def backtest(store: Store, paths: Sequence[Path] = (), *, draws: int = bt.PREDICTIVE_DRAWS, steps: int = 300,
             seed: int = 20261203, workers: int | None = None, scheduler: str | None = None,
             progress: Progress | None = None, data_dir: Path | None = None, alone: bool = False,
             calibration_draws: int = IMPORTANCE_DRAWS) -> BacktestAnswer:
    """Run every episode (default: the bundled library) and score its outcomes; see
    ``chipshift.scenarios.backtest``. Episodes given by path are scored with the model error learned from
    the bundled library's other episodes as well (run too), unless ``alone``. ``workers``/``scheduler``
    run the episodes on dask.distributed. ``calibration_draws``: prior draws per round of each episode's
    importance sampling, as in ``scenario_run``."""
    bundled = library(data_dir)
    files = list(paths) or bundled
    if not files:
        raise DataError([Problem("no episode files given and none bundled", "episodes")])
    if draws < 10 or steps < 20:
        raise DataError([Problem("use at least 10 predictive draws and 20 sampler steps", "backtest",
                                 field="draws" if draws < 10 else "steps")])
    if not 0 <= seed <= MAX_SEED:
        raise DataError([Problem(f"the seed must be a whole number from 0 to {MAX_SEED}", "backtest",
                                 field="seed")])
    if not MIN_CALIBRATION_DRAWS <= calibration_draws <= MAX_CALIBRATION_DRAWS:
        raise DataError([Problem(f"use {MIN_CALIBRATION_DRAWS} to {MAX_CALIBRATION_DRAWS:,} calibration draws",
                                 "backtest", field="calibration_draws")])
    if workers is not None and workers < 1:
        raise DataError([Problem("use at least 1 worker (or none for a serial run)", "backtest", field="workers")])
    jobs = [episode_job(store, Path(p)) for p in files]
    given = {Path(p).resolve() for p in files}
    lenders, warnings = [], []
    for path in bundled if paths and not alone else []:
        if path.resolve() in given:
            continue
        try:
            lenders.append(episode_job(store, path))
        except DataError as exc:
            warnings.append(f"{path.name} lends nothing to the model error: {exc.problems[0].message}")
    results = _run([*jobs, *lenders], draws, steps, seed, workers, scheduler, progress, calibration_draws)
    scored = bt.score_library(results[:len(jobs)], seed, reference=results[len(jobs):])
    out = report(scored, draws, steps, seed, calibration_draws)
    titles = {job.case.name: _output_titles(store, job.case) for job in jobs}
    # each outcome's title after its output, in the answer's order of fields
    named = _publishers_of(store)
    out["outcomes"] = [{"episode": row["episode"], "mechanism": row["mechanism"], "output": row["output"],
                        "title": titles[row["episode"]](row["output"]), **row, "publishers": named(row["source"])}
                       for row in out["outcomes"]]
    out["warnings"] = [*warnings, *out["warnings"]]
    if alone:
        out["warnings"].append("scored alone: each episode's intervals use its own posterior's model error, which "
                               "knows nothing of the model's track record and is far too narrow (see docs)")
    from chipshift.api.answers import BacktestAnswer

    return BacktestAnswer.model_validate(out)


def _publishers_of(store: Store) -> Callable[[str], list[str]]:
    """The publishers of the facts an outcome's source names (a fact id, or a stated basis that cites fact ids), in
    the order named, each once: the original publisher where a source is a copy of another's."""
    publisher = {str(r["id"]): str(r.get("original_publisher") or r["publisher"]) for r in store.rows("sources")}
    of_fact = {str(r["id"]): publisher.get(str(r["source"]), "") for r in store.rows("facts")}

    def named(source: str) -> list[str]:
        found = [of_fact.get(token, "") for token in re.findall(r"[a-z0-9][a-z0-9._-]*[a-z0-9]", source)]
        return list(dict.fromkeys(p for p in found if p))
    return named


def _output_titles(store: Store, case: linked.LinkedCase) -> Callable[[str], str]:
    """An episode's outputs in words, as a run of its case names them (``reports.labels.describe``)."""
    from chipshift.api.market_runs import _linked_names
    from chipshift.reports.labels import describe

    labelled = {"model": "linked", "names": _linked_names(store, case), "periods": [case.start, case.end],
                "value_unit": case.value_unit, "outputs": [],
                "markets": [{"id": m.id, "region": m.region, "segment": m.segment, "product": m.product}
                            for m in case.markets]}
    return lambda output: describe(labelled, output).title


def _run(jobs: Sequence[bt.EpisodeJob], draws: int, steps: int, seed: int, workers: int | None,
         scheduler: str | None, progress: Progress | None,
         calibration_draws: int = IMPORTANCE_DRAWS) -> list[bt.EpisodeResult]:
    seeds = [bt.episode_seed(seed, job.case.name) for job in jobs]
    if progress is not None:  # the episodes are loaded: the runs start (a pace is timed from here)
        progress(0, len(jobs))
    if workers is None and scheduler is None:
        out = []
        for k, (job, s) in enumerate(zip(jobs, seeds, strict=True)):
            out.append(bt.run_episode(job, draws=draws, steps=steps, seed=s, calibration_draws=calibration_draws))
            if progress is not None:
                progress(k + 1, len(jobs))
        return out
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None if scheduler else LocalCluster(n_workers=workers or 1, threads_per_worker=1,
                                                  processes=True, dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            futures = [client.submit(bt.run_episode, job, draws=draws, steps=steps, seed=s, pure=False,
                                     calibration_draws=calibration_draws)
                       for job, s in zip(jobs, seeds, strict=True)]
            for k, _ in enumerate(as_completed(futures)):
                if progress is not None:
                    progress(k + 1, len(jobs))
            return list(client.gather(futures))
    finally:
        if cluster is not None:
            cluster.close()


def _mean(xs: Sequence[float | None]) -> float | None:
    known = [x for x in xs if x is not None]
    return sum(known) / len(known) if known else None


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None or x != x else round(float(x), digits)


def _lead(score: bt.OutcomeScore) -> float:
    """An outcome's lead time in years as the answer states it (two decimals); its band is read from the same
    figure, so an outcome shown 0.5 years ahead is counted in 6-12 months."""
    return round(score.horizon, 2)


#: The scorecard's rates (bt.Scorecard's fields), each a share of outcomes that answers give in percent.
RATES = ("direction", "size", "coverage50", "coverage90")


#: How many episodes a warning said of several names before "and N more".
_NAMED = 5


def _said_of(warning: str, names: list[str]) -> str:
    """One line for a calibration warning: said of one episode, with its name; of several, how many and the first
    few (each episode's sampler.warnings names its own)."""
    if len(names) == 1:
        return f"{names[0]}: {warning}"
    more = f" and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
    return f"{len(names)} episodes: {warning} ({', '.join(names[:_NAMED])}{more})"


def _rates(card: bt.Scorecard) -> dict[str, float | None]:
    """The scorecard's rates in percent (one decimal), as ``NAME_pct``."""
    return {f"{name}_pct": _round(percent(getattr(card, name)), 1) for name in RATES}


def report(scored: Sequence[bt.EpisodeScores], draws: int, steps: int, seed: int,
           calibration_draws: int = IMPORTANCE_DRAWS) -> Report:
    """The scorecard as a report: per outcome, per episode, and overall against the targets."""
    rows: list[dict[str, Any]] = []
    episodes = []
    said: dict[str, list[str]] = {}  # each calibration warning, with the episodes it was given for
    for e in scored:
        r = e.result
        for w in r.posterior.warnings:
            said.setdefault(w, []).append(r.name)
        for s in e.outcomes:
            rows.append({
                "episode": r.name, "mechanism": r.mechanism, "output": s.output, "period": s.period,
                "from": s.reference, "reference": _round(s.reference_value), "observed": _round(s.observed),
                "observed_change": _round(s.observed_change), "median_change": _round(s.median),
                "p5": _round(s.p5), "p25": _round(s.p25), "p75": _round(s.p75), "p95": _round(s.p95),
                "direction": None if s.direction_hit is None else ("hit" if s.direction_hit else "miss"),
                "size": "within" if s.within_size else "off", "in50": s.in50, "in90": s.in90,
                "crps": _round(s.crps), "interval_score": _round(s.interval_score),
                "horizon_years": _lead(s), "source": s.source})
        post = r.posterior
        episodes.append({
            "episode": r.name, "file": r.file, "mechanism": r.mechanism, "as_of": r.as_of, "summary": r.summary,
            "written": r.written, "held_out": bt.held_out(r),
            "outcomes": len(e.outcomes), "targets": len(r.targets),
            "model_error": None if e.error is None else {
                "scale_per_sqrt_year": _round(e.error.scale),
                "degrees_of_freedom": None if e.error.dof == float("inf") else e.error.dof},
            "error_from": (f"the outcomes of {e.error_from} other episodes" if e.error_from else
                           "its own posterior (no other episode to learn from)"),
            "conditioned_on": list(r.conditioned_on),
            "sampler": {"method": post.method, "importance_ess": _round(post.importance_ess, 0),
                        "acceptance": _round(post.acceptance, 3), "evaluations": post.evaluations,
                        "seconds": _round(post.seconds, 2),
                        "evaluations_per_second": _round(post.evaluations / post.seconds, 0)
                        if post.evaluations else None,
                        "warnings": list(post.warnings)},
            "parameters": [{"parameter": p.name, "prior_mean": _round(p.prior_mean), "prior_sd": _round(p.prior_sd),
                            "mean": _round(p.mean), "sd": _round(p.sd), "p5": _round(p.p5), "p95": _round(p.p95),
                            "identified": p.identified, "at_bound": p.at_bound,
                            "autocorrelation": _round(p.autocorrelation, 1),
                            "effective_draws": _round(p.effective_draws, 0)} for p in post.summary],
            "fitted_to": [{"output": t.output, "period": t.period, "value": _round(t.value),
                           "error": _round(t.error), "sources": list(t.sources)} for t in r.targets],
            "seconds": _round(r.seconds, 2)})
    card = bt.scorecard([s for e in scored for s in e.outcomes])
    fresh = [e for e in scored if bt.held_out(e.result)]
    test = bt.scorecard([s for e in fresh for s in e.outcomes])
    per_episode = [bt.scorecard(e.outcomes) for e in scored]

    def by(group: Callable[[bt.EpisodeScores, bt.OutcomeScore], str], order: Sequence[str]) -> list[dict[str, Any]]:
        """The scores of the outcomes in each group, in ``order`` (groups with no outcome left out)."""
        members: dict[str, list[bt.OutcomeScore]] = {}
        episodes_in: dict[str, set[str]] = {}
        for e in scored:
            for s in e.outcomes:
                key = group(e, s)
                members.setdefault(key, []).append(s)
                episodes_in.setdefault(key, set()).add(e.result.name)
        rows = []
        for key in order:
            if key in members:
                c = bt.scorecard(members[key])
                rows.append({"episodes": len(episodes_in[key]), "outcomes": c.outcomes, **_rates(c),
                             "crps": _round(c.crps), "interval_score90": _round(c.interval_score),
                             "size_ratio": _round(c.size_ratio, 2), "group": key})
        return rows

    warnings = [_said_of(w, names) for w, names in said.items()]
    mechanisms = sorted({e.result.mechanism for e in scored})
    low, high = bt.COVERAGE90_TARGET
    checks = {
        "direction": card.direction is not None and card.direction >= bt.DIRECTION_TARGET,
        "size": card.size is not None and card.size >= bt.SIZE_TARGET,
        "coverage90": card.coverage90 is not None and low <= card.coverage90 <= high,
    }
    return {
        "episodes": episodes,
        "outcomes": rows,
        "scorecard": {"episodes": len(scored), "outcomes": card.outcomes, **_rates(card),
                      "crps": _round(card.crps), "interval_score90": _round(card.interval_score),
                      "size_ratio": _round(card.size_ratio, 2)},
        "scorecard_held_out": {  # episodes written after the model's mechanisms last changed
            "written_on_or_after": moment_text(bt.MODEL_CHANGED), "episodes": len(fresh), "outcomes": test.outcomes,
            **_rates(test), "crps": _round(test.crps), "interval_score90": _round(test.interval_score),
            "size_ratio": _round(test.size_ratio, 2)},
        "scorecard_by_episode": {  # every episode weighs the same, whatever its number of outcomes
            f"{name}_pct": _round(percent(_mean([getattr(c, name) for c in per_episode])), 1) for name in RATES},
        "scorecard_by_horizon": by(lambda e, s: bt.horizon_label(_lead(s)), [h[0] for h in bt.HORIZONS]),
        "scorecard_by_mechanism": by(lambda e, s: e.result.mechanism, mechanisms),
        "scorecard_by_change": by(lambda e, s: bt.change_label(s.observed_change), list(bt.CHANGES)),
        "targets": {"direction": f">= {percent(bt.DIRECTION_TARGET):g}%", "size": f">= {percent(bt.SIZE_TARGET):g}%",
                    "coverage90": f"{percent(low):g}-{percent(high):g}%", "met": checks},
        "method": {
            "calibration": "posterior over every ranged parameter (PERT priors on their ranges, mode at the "
                           "default) and the model error, given the observations before as_of: importance "
                           "sampling from the prior when its effective sample size is large enough, else emcee",
            "errors": {**STATUS_ERROR, "literal": LITERAL_ERROR},
            "prediction": "posterior predictive: the model's change from the outcome's reference period applied "
                          "to the observed reference level, with the figure's error and the model's error drawn; "
                          "the model's error is learned from the other episodes' outcomes (leave one episode "
                          "out) and grows with the square root of the years since as_of",
            "convergence": f"acceptance >= {MIN_ACCEPTANCE}; chain >= {MIN_TAU_MULTIPLE:g} autocorrelation times",
            "draws": draws, "steps": steps, "seed": seed, "calibration_draws": calibration_draws},
        "warnings": warnings,
    }
