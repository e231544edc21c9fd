"""The back-test's scorecard: each episode calibrated on what was known before its restriction, its outcomes
predicted out of sample and scored."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from chipshift.api.answers.base import Answer


class EpisodeModelError(Answer):
    """The model's error an episode's intervals carry (learned from the other episodes' outcomes)."""

    scale_per_sqrt_year: float | None = Field(description="scale of the error in logs (log-odds for a percentage), "
                                                          "per square root of the years since as_of")
    degrees_of_freedom: float | None = Field(description="degrees of freedom of its Student-t (null: normal)")


class SamplerRun(Answer):
    """How an episode's posterior was sampled."""

    method: str = Field(description="the sampler: 'importance' (from the prior), 'emcee', or 'prior' (nothing to "
                                    "fit)")
    importance_ess: float | None = Field(description="effective sample size of the importance weights")
    acceptance: float | None = Field(description="the chain's acceptance rate (emcee)")
    evaluations: int = Field(description="model evaluations")
    seconds: float | None = Field(description="seconds the sampling took")
    evaluations_per_second: float | None = Field(description="evaluations per second (null: none made)")
    warnings: tuple[str, ...] = Field(description="what to be wary of (too few effective draws, short chains)")


class ParameterPosterior(Answer):
    """A ranged parameter's prior and posterior in one episode."""

    parameter: str = Field(description="the parameter's id")
    prior_mean: float | None = Field(description="mean of its prior")
    prior_sd: float | None = Field(description="standard deviation of its prior")
    mean: float | None = Field(description="mean of its posterior")
    sd: float | None = Field(description="standard deviation of its posterior")
    p5: float | None = Field(description="5th percentile of its posterior")
    p95: float | None = Field(description="95th percentile of its posterior")
    identified: bool = Field(description="whether the observations pin it down (posterior clearly narrower than "
                                         "the prior)")
    at_bound: str | None = Field(description="'low' or 'high' when the posterior piles against an end of the "
                                             "range")
    autocorrelation: float | None = Field(description="the chain's autocorrelation time (emcee)")
    effective_draws: float | None = Field(description="effective number of independent draws")


class FittedTarget(Answer):
    """An observation an episode was calibrated on."""

    output: str = Field(description="the model output observed")
    period: str = Field(description="the quarter or year observed")
    value: float | None = Field(description="the observed value")
    error: float | None = Field(description="its relative error (from its facts' statuses)")
    sources: tuple[str, ...] = Field(description="the facts it rests on")


class EpisodeRun(Answer):
    """One episode: what it is, how its calibration went, and how many outcomes it was scored on."""

    episode: str = Field(description="the episode's name")
    file: str = Field(description="its file")
    mechanism: str = Field(description="how the restriction acts (e.g. import_ban, raw_material_control)")
    as_of: str = Field(description="the day the calibration knows nothing after (YYYY-MM-DD)")
    summary: str = Field(description="what happened, in a sentence or two")
    written: str | None = Field(description="when its outcomes were written down (a day, or a day and UTC time), "
                                            "if said")
    held_out: bool = Field(description="whether it was written after the model's mechanisms last changed (a test "
                                       "the model was not tuned on)")
    outcomes: int = Field(description="outcomes scored")
    targets: int = Field(description="observations calibrated on")
    model_error: EpisodeModelError | None = Field(description="the model's error its intervals carry")
    error_from: str = Field(description="what that error was learned from")
    conditioned_on: tuple[str, ...] = Field(description="rules announced after as_of that the run assumes")
    sampler: SamplerRun = Field(description="how the posterior was sampled")
    parameters: tuple[ParameterPosterior, ...] = Field(description="each ranged parameter's prior and posterior")
    fitted_to: tuple[FittedTarget, ...] = Field(description="the observations calibrated on")
    seconds: float | None = Field(description="seconds the episode took")


class OutcomeScore(Answer):
    """One outcome predicted out of sample and scored: the observed change from the reference period against
    the predicted distribution of the change."""

    episode: str = Field(description="the episode's name")
    mechanism: str = Field(description="how the restriction acts")
    output: str = Field(description="the model output (e.g. 'price@ROW', a firm's share of a market)")
    title: str | None = Field(None, description="the output in words, its firms, products, regions and segments by "
                                              "name (e.g. 'Antimony price, Rest of the world (index, 2024Q1 = 1)')")
    period: str = Field(description="the quarter or year of the outcome")
    from_: str = Field(alias="from", description="the reference period the change is measured from")
    reference: float | None = Field(description="the observed level in the reference period, at the outcome "
                                                "period's length for a flow (a year's imports, against a "
                                                "quarter's: a quarter of them)")
    observed: float | None = Field(description="the observed level in the outcome's period")
    observed_change: float | None = Field(description="the observed relative change")
    median_change: float | None = Field(description="the median predicted change")
    p5: float | None = Field(description="5th percentile of the predicted change")
    p25: float | None = Field(description="25th percentile of the predicted change")
    p75: float | None = Field(description="75th percentile of the predicted change")
    p95: float | None = Field(description="95th percentile of the predicted change")
    direction: Literal["hit", "miss"] | None = Field(description="whether the median change has the observed "
                                                                 "change's sign (null: no change observed)")
    size: Literal["within", "off"] = Field(description="whether the median change is within +/-50% of the "
                                                       "observed change")
    in50: bool = Field(description="whether the observed change lies in the 50% interval")
    in90: bool = Field(description="whether the observed change lies in the 90% interval")
    crps: float | None = Field(description="continuous ranked probability score (lower is better)")
    interval_score: float | None = Field(description="interval score of the 90% interval (lower is better)")
    horizon_years: float | None = Field(description="lead time: years from the episode's as_of to the middle of the "
                                                    "outcome's period, at least a quarter (the model's step)")
    source: str = Field(description="where the observed figures come from")
    publishers: list[str] = Field(default_factory=list, description="the publishers of the facts the source names "
                                  "(sources.csv; the original publisher of a copy), in the order named; empty for a "
                                  "figure stated without one")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class _Scores(Answer):
    """The scores of a set of outcomes."""

    episodes: int = Field(description="episodes scored")
    outcomes: int = Field(description="outcomes scored")
    direction_pct: float | None = Field(description="share of outcomes whose direction the median change gets "
                                                    "right, percent")
    size_pct: float | None = Field(description="share of outcomes whose median change is within +/-50% of the "
                                               "observed change, percent")
    coverage50_pct: float | None = Field(description="share of outcomes inside their 50% interval, percent")
    coverage90_pct: float | None = Field(description="share of outcomes inside their 90% interval, percent")
    crps: float | None = Field(description="mean CRPS")
    interval_score90: float | None = Field(description="mean interval score of the 90% intervals")
    size_ratio: float | None = Field(description="median, over the outcomes whose direction is right, of the "
                                                 "predicted change over the observed change (1: sized right; "
                                                 "0.5: half the change that happened)")


class Scorecard(_Scores):
    """Scores over every outcome of the episodes run."""


class _Moment(Answer):
    written_on_or_after: str = Field(description="when the model's mechanisms last changed (UTC)")


class HeldOutScorecard(_Scores, _Moment):
    """The scores of the episodes written after the model's mechanisms last changed: its held-out test."""


class GroupScorecard(_Scores):
    """The scores of the outcomes in one group: a lead-time band or a mechanism."""

    group: str = Field(description="the lead-time band (e.g. '1-2 years': years from as_of to the middle of the "
                                   "outcome's period), the mechanism, or what the observed level did ('rose', "
                                   "'fell', 'unchanged')")


class EpisodeAverages(Answer):
    """Scores averaged over episodes, each weighing the same whatever its number of outcomes."""

    direction_pct: float | None = Field(description="mean of the episodes' shares of outcomes with the direction "
                                                    "right, percent")
    size_pct: float | None = Field(description="mean of the episodes' shares of outcomes within +/-50%, percent")
    coverage50_pct: float | None = Field(description="mean of the episodes' shares of outcomes inside the 50% "
                                                     "interval, percent")
    coverage90_pct: float | None = Field(description="mean of the episodes' shares of outcomes inside the 90% "
                                                     "interval, percent")


class TargetsMet(Answer):
    """Whether the scorecard meets each target."""

    direction: bool = Field(description="whether direction_pct reaches its target")
    size: bool = Field(description="whether size_pct reaches its target")
    coverage90: bool = Field(description="whether coverage90_pct lies in its target range")


class ScoreTargets(Answer):
    """The scores the model aims for."""

    direction: str = Field(description="the direction_pct aimed for (e.g. '>= 80%')")
    size: str = Field(description="the size_pct aimed for")
    coverage90: str = Field(description="the range of coverage90_pct aimed for")
    met: TargetsMet = Field(description="which targets the scorecard meets")


class BacktestMethod(Answer):
    """How the episodes were calibrated and predicted."""

    calibration: str = Field(description="how each episode is calibrated")
    errors: dict[str, float] = Field(description="relative error of an observed figure by its fact's status")
    prediction: str = Field(description="how an outcome is predicted")
    convergence: str = Field(description="when a sampler run counts as converged")
    draws: int = Field(description="posterior predictive draws per episode")
    steps: int = Field(description="sampler steps per episode (the first half burn-in)")
    seed: int = Field(description="the random seed (each episode draws from its own seed derived from it)")
    calibration_draws: int = Field(description="prior draws per round of each episode's importance sampling "
                                               "(their effective sample must reach a quarter of them)")


class BacktestAnswer(Answer):
    """The market model's back-test: per outcome, per episode and overall against the targets."""

    episodes: tuple[EpisodeRun, ...] = Field(description="the episodes run")
    outcomes: tuple[OutcomeScore, ...] = Field(description="every outcome scored")
    scorecard: Scorecard = Field(description="scores over every outcome")
    scorecard_held_out: HeldOutScorecard = Field(description="scores over the held-out episodes' outcomes")
    scorecard_by_episode: EpisodeAverages = Field(description="scores averaged over episodes")
    scorecard_by_horizon: tuple[GroupScorecard, ...] = Field(description="scores by lead time: how far ahead of "
                                                                         "as_of the outcome lies")
    scorecard_by_mechanism: tuple[GroupScorecard, ...] = Field(description="scores by how the restriction acts")
    scorecard_by_change: tuple[GroupScorecard, ...] = Field(description="scores by whether the observed level "
                                                                        "rose or fell: a gain the restriction made "
                                                                        "or a loss it imposed")
    targets: ScoreTargets = Field(description="the targets and which are met")
    method: BacktestMethod = Field(description="how the episodes were calibrated and predicted")
    warnings: tuple[str, ...] = Field(description="what to be wary of")
