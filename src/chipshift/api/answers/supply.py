"""Availability and exposure, at a date and over a range of dates."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from chipshift.api.answers.base import (
    Answer,
    DestinationContext,
    InputRow,
    ViewName,
    Views,
)


class BarredProvider(Answer):
    """A provider of an input whose sales to the destination a rule bars (for certain, or maybe)."""

    provider: str = Field(description="provider id: a country id or a firm id")
    name: str = Field(description="provider name")
    share_pct: float | None = Field(description="its share of the input's world supply, percent (null: unknown)")
    view: ViewName = Field(description="whether the provider is a country row or a firm row")
    rules: tuple[str, ...] = Field(description="the rules that bar it")


class ViewBounds(Answer):
    """Availability bounds by one view's shares."""

    available_lower_pct: float = Field(description="lower bound, percent of world supply")
    available_upper_pct: float = Field(description="upper bound, percent of world supply")


class InputAvailability(InputRow):
    """One input's availability for the destination."""

    view: Views = Field(description="the views whose shares bound the answer")
    available_lower_pct: float | None = Field(description="lower bound of the share of world supply the "
                                                          "destination may still buy, percent (null: no share data)")
    available_upper_pct: float | None = Field(description="upper bound, percent (null: no share data)")
    available_pct: float | None = Field(description="the strict reading (licences under review refused, unknown "
                                                    "reach applied), percent; null when shares are unknown and the "
                                                    "bounds differ")
    shares_complete: bool = Field(description="whether every provider's share is known")
    lower_from: ViewName | None = Field(None, description="the view the lower bound rests on")
    upper_from: ViewName | None = Field(None, description="the view the upper bound rests on")
    views: dict[ViewName, ViewBounds] | None = Field(None, description="each view's own bounds, when both describe "
                                                                       "the input")
    views_disagree: bool | None = Field(None, description="when both views describe the input: whether their "
                                                          "bounds fail to overlap (the answer then spans both)")
    barred: tuple[BarredProvider, ...] | None = Field(None, description="the providers barred for certain")
    maybe_barred: tuple[BarredProvider, ...] | None = Field(None, description="the providers that may be barred")
    rules: tuple[str, ...] | None = Field(None, description="the barring rules in force that reach the whole "
                                                            "destination and cover the input")
    rules_on_kinds: tuple[str, ...] | None = Field(None, description="for a category (chipmaking tools, DRAM): the "
                                                                     "rules in force that reach some of its kinds but "
                                                                     "not the category as a whole, which its bounds "
                                                                     "leave out (each kind's own row carries them)")


class AvailabilityAnswer(DestinationContext):
    """Share of each input's world supply the target may still buy, with bounds where shares are unknown."""

    definition: str = Field(description="how to read the figures")
    inputs: tuple[InputAvailability, ...] = Field(description="one row per input")


class InputExposure(InputRow):
    """One input's barred share for the destination."""

    view: Views = Field(description="the views whose shares bound the answer")
    barred_lower_pct: float | None = Field(description="lower bound of the barred share, percent of world supply")
    barred_upper_pct: float | None = Field(description="upper bound of the barred share, percent")
    barred_pct: float | None = Field(description="the strict reading, percent; null when the bounds differ for "
                                                 "unknown shares")
    barred_providers: tuple[str, ...] = Field(description="names of the providers barred for certain")
    maybe_barred_providers: tuple[str, ...] = Field(description="names of the providers that may be barred")


class StageExposure(Answer):
    """One production stage's barred share, over its leaf inputs."""

    stage: str = Field(description="stage id (S1 design, S2 fabrication, S3 ATP)")
    inputs: int = Field(description="leaf inputs of the stage")
    inputs_with_market_size: int = Field(description="of those, how many have a market size (the weights)")
    barred_lower_mean_pct: float = Field(description="barred share, lower bound, each input weighed equally "
                                                     "(percent)")
    barred_upper_mean_pct: float = Field(description="barred share, upper bound, each input weighed equally "
                                                     "(percent)")
    barred_lower_weighted_pct: float | None = Field(description="barred share, lower bound weighted by market size "
                                                                "(percent; null without market sizes)")
    barred_upper_weighted_pct: float | None = Field(description="barred share, upper bound weighted by market size "
                                                                "(percent)")
    market_size_usd: float = Field(description="the weights' sum: market size of the stage's weighted inputs, USD")


class ExposureAnswer(DestinationContext):
    """Share of supply barred for the target per input and per stage."""

    weighting: str = Field(description="how the stage figures weigh their inputs")
    by_input: tuple[InputExposure, ...] = Field(description="one row per input with data, most barred first")
    by_stage: tuple[StageExposure, ...] = Field(description="one row per stage")


class RuleChanges(Answer):
    """The rules reaching the destination that came into force, and that ended or were lifted, since the
    previous date of a series (at its first date: every rule in force)."""

    at: date = Field(description="the date")
    rules_started: tuple[str, ...] = Field(description="rules that came into force")
    rules_ended: tuple[str, ...] = Field(description="rules that ended or were lifted")


class _Series(DestinationContext):
    destination_name: str = Field(description="the destination in words")
    from_: date = Field(alias="from", description="the first date of the series")
    to: date = Field(description="the last date of the series")
    every: str = Field(description="the step: a number of years, months or days (1y, 6m, 30d)")
    range_given_by: Literal["request", "scenario", "default"] = Field(
        description="where the range's start came from: the question, the scenario's own range of dates (its "
                    "'over'), or the default (1 January of each of the five years before the end, and the end)")
    dates: tuple[date, ...] = Field(description="every date of the series")
    rule_changes: tuple[RuleChanges, ...] = Field(description="per date, the rules that started or ended")
    rule_names: dict[str, str] = Field(default_factory=dict, description="the name of each rule `rule_changes` "
                                                                          "names, by its id")
    rules_left_out: tuple[str, ...] = Field(default=(), description="rules reaching the destination at some date "
                                                                   "that `rule_changes` leaves out, as they change "
                                                                   "no figure (ids)")
    rules_left_out_why: str = Field(default="", description="why those rules are left out")
    unit: str = Field(description="the unit of the figures")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class InputAvailabilityAt(Answer):
    """One input's availability at one date of a series."""

    at: date = Field(description="the date")
    input: str = Field(description="input id")
    name: str = Field(description="input name")
    available_lower_pct: float | None = Field(description="available share, lower bound (percent of world supply)")
    available_upper_pct: float | None = Field(description="available share, upper bound (percent)")
    available_pct: float | None = Field(description="available share, the strict reading (percent), null when the "
                                                    "bounds differ")
    barred_by: tuple[str, ...] = Field(description="rules barring some provider for certain")
    maybe_barred_by: tuple[str, ...] = Field(description="rules that may bar some provider (and bar none for "
                                                         "certain)")


class AvailabilitySeriesAnswer(_Series):
    """Availability of each input (or one) at each date of a range."""

    inputs: tuple[InputAvailabilityAt, ...] = Field(description="one row per date and input")


class StageExposureAt(Answer):
    """One stage's barred share at one date of a series."""

    at: date = Field(description="the date")
    stage: str = Field(description="stage id")
    stage_name: str = Field(description="stage name")
    barred_lower_weighted_pct: float | None = Field(description="barred share, lower bound weighted by market size "
                                                                "(percent)")
    barred_upper_weighted_pct: float | None = Field(description="barred share, upper bound weighted by market size "
                                                                "(percent)")
    barred_lower_mean_pct: float = Field(description="barred share, lower bound, inputs weighed equally (percent)")
    barred_upper_mean_pct: float = Field(description="barred share, upper bound, inputs weighed equally (percent)")
    inputs: int = Field(description="leaf inputs of the stage")


class ExposureSeriesAnswer(_Series):
    """Exposure per stage at each date of a range."""

    by_stage: tuple[StageExposureAt, ...] = Field(description="one row per date and stage")
