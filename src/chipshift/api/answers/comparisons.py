"""Restriction scenarios run and compared: one scenario's exposure beside the baseline's, and two scenarios side by
side by input, stage, country, firm and year."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from chipshift.api.answers.base import Answer, InputNamed, ScenarioRef
from chipshift.api.answers.changes import DiffAnswer, InputChange
from chipshift.api.answers.supply import ExposureAnswer, StageExposure


class MarketPointer(Answer):
    """Where the market model's results are: it runs on market cases, not on restriction scenarios."""

    available: bool = Field(description="whether the market model is available")
    note: str = Field(description="what it does and where to run it")
    page: str = Field(description="the web page that runs it")


class ScenarioRunAnswer(Answer):
    """A restriction scenario's exposure for a target at a date, the baseline's by stage, and what changed."""

    destination: str | None = Field(description="the destination asked about")
    at: date = Field(description="the date")
    scenario: ScenarioRef | None = Field(description="the scenario, or null for the baseline")
    exposure: ExposureAnswer = Field(description="the scenario's exposure")
    baseline_by_stage: tuple[StageExposure, ...] = Field(description="the baseline's exposure by stage")
    diff: DiffAnswer = Field(description="what the scenario changes against the baseline at the date")
    market: MarketPointer = Field(description="where the market model's results are")


class ComparisonSide(Answer):
    """One side of a comparison: its label, date and scenario."""

    label: str = Field(description="the side's label")
    at: date = Field(description="the date the side is read at")
    scenario: ScenarioRef | None = Field(description="its scenario, or null for the baseline")


class StageComparison(Answer):
    """One stage's mean barred share (bounds) on both sides."""

    stage: str = Field(description="the stage's id")
    inputs: int = Field(description="how many inputs the stage has (left side)")
    left_barred_lower_pct: float = Field(description="left: mean barred share, lower bound (percent)")
    left_barred_upper_pct: float = Field(description="left: mean barred share, upper bound (percent)")
    right_barred_lower_pct: float | None = Field(description="right: mean barred share, lower bound (percent; null: "
                                                             "the stage is on the left only)")
    right_barred_upper_pct: float | None = Field(description="right: mean barred share, upper bound (percent)")


class ProviderComparison(Answer):
    """One provider (a country or a firm): on how many inputs it is barred or maybe barred on each side."""

    provider: str = Field(description="the provider's name")
    left_barred: int = Field(description="left: inputs where it is barred")
    right_barred: int = Field(description="right: inputs where it is barred")
    left_maybe: int = Field(description="left: inputs where it may be barred")
    right_maybe: int = Field(description="right: inputs where it may be barred")
    change_barred: int = Field(description="right_barred - left_barred")
    newly_barred_inputs: tuple[str, ...] = Field(description="inputs (names) where it is barred on the right only")
    no_longer_barred_inputs: tuple[str, ...] = Field(description="inputs (names) where it is barred on the left only")


class ViewsApart(InputNamed):
    """An input for which a country is counted only as maybe barred while the firm view bars a firm of that
    country for certain: the rule names firms, and the country's share may hold firms it does not name."""

    side: str = Field(description="'left' or 'right'")
    country: str = Field(description="the country's name (maybe barred in the country view)")
    country_share_pct: float | None = Field(description="the country's share of the input's world supply, percent")
    firms: tuple[str, ...] = Field(description="the country's firms the firm view bars for certain (names)")
    firms_share_pct: float | None = Field(description="their summed share of world supply by firm, percent")
    rules: tuple[str, ...] = Field(description="the rules that bar the firms and may bar the country")


class YearComparison(Answer):
    """Both sides' overall barred share (input-weighted mean of the stages, bounds) on 31 December of a year."""

    year: int = Field(description="the year")
    left_barred_lower_pct: float = Field(description="left: overall barred share, lower bound (percent)")
    left_barred_upper_pct: float = Field(description="left: overall barred share, upper bound (percent)")
    right_barred_lower_pct: float = Field(description="right: overall barred share, lower bound (percent)")
    right_barred_upper_pct: float = Field(description="right: overall barred share, upper bound (percent)")


class ScenarioComparisonAnswer(Answer):
    """Two restriction scenarios (each at its date) side by side for one target: rules added and removed,
    availability by input, exposure by stage, barred providers by country and firm, and exposure by year."""

    destination: str = Field(description="the destination asked about")
    left: ComparisonSide = Field(description="the first side")
    right: ComparisonSide = Field(description="the second side")
    rules_added: tuple[str, ...] = Field(description="rules reaching the destination on the right only")
    rules_removed: tuple[str, ...] = Field(description="rules reaching it on the left only")
    rule_names: dict[str, str] = Field(default_factory=dict, description="the name of each rule `rules_added`, "
                                                                          "`rules_removed` and `views_apart` name, "
                                                                          "by its id")
    by_input: tuple[InputChange, ...] = Field(description="the inputs whose availability changes")
    by_stage: tuple[StageComparison, ...] = Field(description="exposure by stage on both sides")
    by_country: tuple[ProviderComparison, ...] = Field(description="barred countries, largest change first")
    by_firm: tuple[ProviderComparison, ...] = Field(description="barred firms, largest change first")
    views_apart: tuple[ViewsApart, ...] = Field(
        default=(), description="where the country view counts a country as maybe barred while the firm view bars "
                                "one of its firms for certain, on either side, and why")
    by_year: tuple[YearComparison, ...] = Field(description="overall exposure on 31 December of each year asked")
    data_sources: tuple[str, ...] = Field(description="who the shares come from")
    market: MarketPointer = Field(description="where the market model's results are")
