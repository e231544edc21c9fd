"""The data: facts, sources, the checks, what the store holds, facts added."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, Field

from chipshift.api.answers.base import (
    Answer,
    FactStatus,
    Reliability,
    RuleKind,
    Segment,
    Severity,
    ShareBasis,
    SourceRow,
    described,
)
from chipshift.schemas import tables


class FactRow(Answer):
    """A fact (the facts table's row) with its source's publisher, date, address."""

    id: str = described(tables.FACTS, "id")
    entity: str = described(tables.FACTS, "entity")
    entity_name: str = Field(description="whom it is about, in words: the firm's, country's or input's name")
    metric: str = described(tables.FACTS, "metric")
    metric_words: str = Field(description="what it measures, in the vocabulary's words")
    product: str | None = described(tables.FACTS, "product")
    region: str | None = described(tables.FACTS, "region")
    segment: Segment | None = described(tables.FACTS, "segment")
    basis: ShareBasis | None = described(tables.FACTS, "basis")
    definition: str | None = described(tables.FACTS, "definition")
    period: str = described(tables.FACTS, "period")
    value: float = described(tables.FACTS, "value")
    unit: str = described(tables.FACTS, "unit")
    status: FactStatus = described(tables.FACTS, "status")
    default: bool | None = described(tables.FACTS, "default")
    source: str = described(tables.FACTS, "source")
    publisher: str = described(tables.SOURCES, "publisher")
    original_publisher: str | None = described(tables.SOURCES, "original_publisher")
    published: str = described(tables.SOURCES, "published")
    url: str = described(tables.SOURCES, "url")
    quote: str = described(tables.FACTS, "quote")
    note: str | None = described(tables.FACTS, "note")


class FactsAnswer(Answer):
    """Every value stated for an entity, metric and product, side by side, each with its source and status."""

    entity: str | None = Field(description="the entity asked about (its id), or null for every entity")
    metric: str | None = Field(description="the metric asked about, or null for every metric")
    product: str | None = Field(description="the product asked about (its input id), or null")
    count: int = Field(description="how many facts")
    facts: tuple[FactRow, ...] = Field(description="the facts")


class SourceUse(SourceRow):
    """A source with how many facts and rules rest on it."""

    used_by: int = Field(description="how many facts and rules rest on the source")


class SourceFact(Answer):
    """A fact resting on one of the sources listed."""

    fact: str = Field(description="the fact's id")
    source: str = described(tables.FACTS, "source")
    metric: str = described(tables.FACTS, "metric")
    period: str = described(tables.FACTS, "period")
    value: float = described(tables.FACTS, "value")
    unit: str = described(tables.FACTS, "unit")
    quote: str = described(tables.FACTS, "quote")


class SourcesAnswer(Answer):
    """Every source with how many facts and rules rest on it; or the sources behind one fact, rule, source, firm,
    input or country, with the facts resting on them."""

    sources: tuple[SourceUse, ...] = Field(description="the sources")
    facts: tuple[SourceFact, ...] = Field(description="for one id: the facts concerned (empty for every source)")


class ProblemRow(Answer):
    """A problem a check found in the data, located as precisely as the input allows."""

    severity: Severity = Field(description="error (the data is refused), warning or notice")
    check: str | None = Field(description="the check that found it")
    file: str | None = Field(description="the data file (or record, e.g. facts.3)")
    line: int | None = Field(description="the line in the file")
    field: str | None = Field(description="the field")
    message: str = Field(description="what is wrong")


class ValidationAnswer(Answer):
    """Every bundled data file and cross-reference checked."""

    ok: bool = Field(description="false when there are errors")
    errors: int = Field(description="how many errors")
    warnings: int = Field(description="how many warnings")
    notices: int = Field(description="how many notices")
    counts: dict[str, int] = Field(description="rows per table")
    problems: tuple[ProblemRow, ...] = Field(description="every problem, errors first")


class DatasetRow(Answer):
    """An imported third-party dataset."""

    id: str = Field(description="the dataset's id (cset, baci, csl)")
    title: str = Field(description="its title")
    licence: str = Field(description="its licence")
    imported_at: str = Field(description="when it was imported (ISO time)")


class Span(Answer):
    """The dates some data covers."""

    from_: date | None = Field(alias="from", description="the first day (null: no data)")
    to: date | None = Field(description="the last day (null: no data)")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ScreeningListCounts(Answer):
    """The imported screening list: its entries, their matches to known firms, the changes re-imports found."""

    entries: int = Field(description="entries of the list")
    matches_by_name: int = Field(description="matches of entries to known firms by name alone")
    firms_matched_by_name: int = Field(description="firms those matches name")
    matches: int = Field(description="matches after the reviewed decisions")
    firms_matched: int = Field(description="firms matched after the reviewed decisions")
    changes_recorded: int = Field(description="entries re-imports found added, removed or changed")


class OverviewAnswer(Answer):
    """What the store holds: counts, coverage in time, imported datasets."""

    sources: int = Field(description="sources")
    sources_by_reliability: dict[Reliability, int] = Field(description="sources per reliability")
    firms: int = Field(description="firms")
    firms_by_origin: dict[str, int] = Field(description="firms per dataset that defined them")
    countries: int = Field(description="countries, regions and aggregates")
    inputs: int = Field(description="inputs")
    inputs_by_origin: dict[str, int] = Field(description="inputs per dataset that defined them")
    facts: int = Field(description="facts")
    facts_by_category: dict[str, int] = Field(description="facts per category of metric")
    facts_by_status: dict[FactStatus, int] = Field(description="facts per status")
    market_observations: int = Field(description="facts that observe a market (shares, sizes, prices)")
    firm_financials: int = Field(description="facts from firms' financial statements")
    exchange_rates: int = Field(description="exchange-rate facts")
    restriction_rules: int = Field(description="restriction rules")
    rules_by_kind: dict[RuleKind, int] = Field(description="rules per kind")
    rules_with_gaps: int = Field(description="rules whose encoding leaves something out")
    facts_cover: Span = Field(description="the days the facts' periods cover")
    rules_cover: Span = Field(description="the days from the first rule date to the last")
    provision_rows: int = Field(description="rows of who provides what (imported datasets)")
    datasets: tuple[DatasetRow, ...] = Field(description="the imported datasets")
    attribution: tuple[str, ...] = Field(description="each imported dataset's credit line")
    screening_list: ScreeningListCounts | None = Field(description="the imported screening list (null: none)")


class AddFactsAnswer(Answer):
    """A source and its facts, checked and stored."""

    stored: dict[str, int] = Field(description="rows stored per table")
    source: str = Field(description="the source's id (prefixed user-)")
    facts: tuple[str, ...] = Field(description="the stored facts' ids (prefixed user-)")
    warnings: tuple[ProblemRow, ...] = Field(description="what the checks found short of an error")


class ReviewedFact(Answer):
    """A fact the review lists, with its source's publisher and reliability."""

    id: str = described(tables.FACTS, "id")
    entity: str = described(tables.FACTS, "entity")
    metric: str = described(tables.FACTS, "metric")
    product: str | None = described(tables.FACTS, "product")
    region: str | None = described(tables.FACTS, "region")
    period: str = described(tables.FACTS, "period")
    value: float = described(tables.FACTS, "value")
    unit: str = described(tables.FACTS, "unit")
    status: FactStatus = described(tables.FACTS, "status")
    default: bool | None = described(tables.FACTS, "default")
    source: str = described(tables.FACTS, "source")
    publisher: str = described(tables.SOURCES, "publisher")
    reliability: Reliability = described(tables.SOURCES, "reliability")


class WeakDefault(ReviewedFact):
    """A default fact on a weak source where a better-sourced fact states the same quantity."""

    better: tuple[str, ...] = Field(description="the facts (ids) on better sources stating the same quantity")


class SeriesKey(Answer):
    """What names a series of facts: entity, metric, product, region, segment and basis."""

    entity: str = described(tables.FACTS, "entity")
    metric: str = described(tables.FACTS, "metric")
    product: str | None = described(tables.FACTS, "product")
    region: str | None = described(tables.FACTS, "region")
    segment: Segment | None = described(tables.FACTS, "segment")
    basis: ShareBasis | None = described(tables.FACTS, "basis")


class GroupWithoutDefault(SeriesKey):
    """Two or more facts stating one quantity, none of them the default."""

    definition: str | None = described(tables.FACTS, "definition")
    period: str = described(tables.FACTS, "period")
    facts: tuple[str, ...] = Field(description="the facts (ids)")


class StaleSeries(SeriesKey):
    """A series (entity, metric, product, region, segment, basis) whose newest figure is older than asked."""

    newest_period: str = Field(description="the period of its newest figure")
    newest_fact: str = Field(description="the fact (id) stating it")
    facts: int = Field(description="how many facts the series has")


class ReviewSummary(Answer):
    """The review's counts, and the target for facts resting on weak sources only."""

    weak_only: int = Field(description="facts resting on weak sources only")
    weak_only_share_pct: float = Field(description="their share of every fact, percent")
    weak_only_target_pct: float = Field(description="the share they should stay under, percent")
    weak_only_met: bool = Field(description="whether they do")
    weak_defaults_with_better_source: int = Field(description="default facts on weak sources where a better one "
                                                              "states the same quantity")
    groups_without_default: int = Field(description="quantities stated by two or more facts, none the default")
    stale_series: int = Field(description="series whose newest figure is older than asked")
    older_than_years: float = Field(description="how old a series' newest figure may be, in years")


class ReviewAnswer(Answer):
    """How well the stored facts are sourced: facts on weak sources only, weak defaults where a better source
    exists, quantities without a default, and stale series."""

    facts: int = Field(description="how many facts the store holds")
    today: date = Field(description="the day the series' age is counted from")
    summary: ReviewSummary = Field(description="the counts")
    definition: str = Field(description="what each list holds")
    weak_only: tuple[ReviewedFact, ...] = Field(description="facts resting on weak sources only")
    weak_defaults: tuple[WeakDefault, ...] = Field(description="default facts on weak sources where a better source "
                                                               "states the same quantity")
    groups_without_default: tuple[GroupWithoutDefault, ...] = Field(description="quantities stated by two or more "
                                                                               "facts, none the default")
    stale: tuple[StaleSeries, ...] = Field(description="the stale series, oldest newest figure first")
