"""Concentration of supply by country (chokepoints) and a country's self-sufficiency (localization)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from chipshift.api.answers.base import (
    Answer,
    CountryBasis,
    FactStatus,
    InputNamed,
    InputRow,
    ShareBasis,
    ViewName,
    described,
)
from chipshift.schemas import tables


class Chokepoint(InputRow):
    """One input's concentration by country (real countries only: aggregates are left out)."""

    top_country: str = Field(description="the real country with the largest share")
    top_share_pct: float = Field(description="its share of world supply, percent")
    hhi: float = Field(description="Herfindahl-Hirschman index over the real countries' shares (0-10,000)")
    countries_for_75pct: int | None = Field(description="fewest real countries whose shares reach 75% (null when "
                                                        "they never do)")
    coalition_share_pct: float = Field(description="the coalition's joint share, percent")
    shares_sum_pct: float = Field(description="the known shares' sum as published, percent")
    basis: CountryBasis = Field(description="country rows, or firms' shares summed by headquarters country")
    market_size_usd: float | None = Field(description="global market size, USD (null: not known)")
    unknown_shares: int = Field(description="providers of the input whose share is unknown")


class ConcentrationAt(InputNamed):
    """One input's concentration in one period of a bundled share table."""

    period: str = Field(description="the table's period (2023, 2024Q3 ...)")
    basis: CountryBasis = Field(description="country rows, or firms' shares summed by headquarters country")
    share_basis: ShareBasis = Field(description="what the shares measure")
    forecast: bool = Field(description="whether the table holds forecast figures")
    top_country: str = Field(description="the real country with the largest share")
    top_share_pct: float = Field(description="its share of world supply, percent")
    hhi: float = Field(description="Herfindahl-Hirschman index over the real countries' shares (0-10,000)")
    countries_for_75pct: int | None = Field(description="fewest real countries whose shares reach 75% (null when "
                                                        "they never do)")
    coalition_share_pct: float = Field(description="the coalition's joint share, percent")
    shares_sum_pct: float = Field(description="the known shares' sum as published, percent")


class ChokepointsAnswer(Answer):
    """Inputs where one real country holds at least the threshold share of world supply."""

    threshold_pct: float = Field(description="the threshold, percent")
    coalition: tuple[str, ...] = Field(description="the countries whose joint share is given")
    definition: str = Field(description="how the measures are computed")
    count: int = Field(description="how many inputs")
    inputs: tuple[Chokepoint, ...] = Field(description="one row per input, most concentrated first")
    history: tuple[ConcentrationAt, ...] | None = Field(None, description="over time only: the same measures per "
                                                                          "period of the bundled share tables")
    history_definition: str | None = Field(None, description="over time only: how to read the history")


class InputLocalization(InputRow):
    """One input's share of world supply from providers headquartered in the country."""

    country: str = Field(description="the country")
    view: ViewName = Field(description="whose shares it rests on")
    localization_lower_pct: float = Field(description="its share, lower bound (percent of world supply)")
    localization_upper_pct: float = Field(description="its share, upper bound (percent)")
    localization_pct: float | None = Field(description="the share when every share is known (percent), else null")
    domestic_providers: tuple[str, ...] = Field(description="names of the country's providers of the input")


class PublishedLocalization(Answer):
    """A published localization (self-sufficiency) estimate: a fact with its source."""

    id: str = described(tables.FACTS, "id")
    product: str | None = described(tables.FACTS, "product")
    period: str = Field(description="the period the figure refers to")
    value: float = Field(description="the figure")
    unit: str = Field(description="its unit (pct: percent)")
    status: FactStatus = Field(description="reported, estimate, forecast or claim")
    definition: str | None = Field(description="what the figure measures, as its source defines it")
    publisher: str = described(tables.SOURCES, "publisher")
    original_publisher: str | None = described(tables.SOURCES, "original_publisher")
    source: str = Field(description="source id")
    title: str = described(tables.SOURCES, "title")
    published: str = described(tables.SOURCES, "published")
    url: str = described(tables.SOURCES, "url")
    quote: str | None = Field(description="short verbatim excerpt of the source")


class LocalizationAt(InputNamed):
    """The country's share of one input's world supply in one period of a bundled share table."""

    period: str = Field(description="the table's period")
    country: str = Field(description="the country")
    localization_lower_pct: float = Field(description="share of the providers the table names (percent of world "
                                                      "supply)")
    localization_upper_pct: float = Field(description="share with what the table leaves to unnamed providers "
                                                      "(percent)")
    domestic_providers: tuple[str, ...] = Field(description="names of the country's providers in the table")
    basis: CountryBasis = Field(description="country rows, or firms by headquarters")
    share_basis: ShareBasis = Field(description="what the shares measure")
    forecast: bool = Field(description="whether the table holds forecast figures")


class SiteShare(Answer):
    """A stage's share of capacity located in the country (CSET, by plant location)."""

    stage: str = Field(description="stage id")
    share_pct: float = Field(description="share of capacity, percent")
    year: int | None = Field(description="reference year")


class LocalizationAnswer(Answer):
    """Self-sufficiency of a country by input, beside published estimates and production by plant location."""

    country: str = Field(description="the country id")
    definition: str = Field(description="how to read inputs")
    inputs: tuple[InputLocalization, ...] = Field(description="one row per input with data")
    published_estimates: tuple[PublishedLocalization, ...] = Field(description="published localization rates")
    history: tuple[LocalizationAt, ...] = Field(description="the share per period of the bundled share tables")
    history_definition: str = Field(description="how to read history")
    by_production_location: tuple[SiteShare, ...] = Field(description="stage shares by plant location")
    by_production_location_definition: str = Field(description="how to read by_production_location")


class LocalizationPoint(Answer):
    """One input's localization at one date of a series: the row of its latest share table begun by then."""

    at: date = Field(description="the date")
    input: str = Field(description="input id")
    name: str = Field(description="input name")
    period: str = Field(description="the period of the share table in force at the date")
    localization_lower_pct: float = Field(description="share of the providers the table names (percent of world "
                                                      "supply)")
    localization_upper_pct: float = Field(description="share with what the table leaves to unnamed providers "
                                                      "(percent)")
    domestic_providers: tuple[str, ...] = Field(description="names of the country's providers in the table")
    forecast: bool = Field(description="whether the table holds forecast figures (used only where no table of "
                                       "actual figures has begun)")


class LocalizationSeriesAnswer(Answer):
    """A country's share of each input's world supply at each date of a range."""

    country: str = Field(description="the country id")
    country_name: str = Field(description="the country in words")
    from_: date = Field(alias="from", description="the first date of the series")
    to: date = Field(description="the last date of the series")
    every: str = Field(description="the step: a number of years, months or days (1y, 6m, 30d)")
    range_given_by: Literal["request", "default"] = Field(
        description="where the range's start came from: the question, or the default (1 January of each of the "
                    "five years before the end, and the end)")
    dates: tuple[date, ...] = Field(description="every date of the series")
    unit: str = Field(description="the unit of the figures")
    series: tuple[LocalizationPoint, ...] = Field(description="one row per date and input whose share table had "
                                                              "begun by the date")
    series_definition: str = Field(description="how a date's row is chosen")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
