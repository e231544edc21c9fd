"""Browsing the store: names, countries, the codes the API accepts, the sources with what rests on them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chipshift.api.answers.base import Answer, FactStatus, Policy, RuleKind, RuleStatus, Segment, described
from chipshift.api.answers.data import SourceFact, SourceUse
from chipshift.schemas import tables


class NameFound(Answer):
    """An input, firm or country whose id, name or alias contains the query."""

    kind: Literal["input", "firm", "country"] = Field(description="what it is")
    id: str = Field(description="its id, to use in the other questions")
    name: str = Field(description="its name")
    matched: str | None = Field(description="the id or alias that matched, when not the name")


class NameSearchAnswer(Answer):
    """Inputs, firms and countries by part of a name, alias or id: exact matches first, then those starting with
    the query, then the rest, each group by name."""

    query: str = Field(description="the text searched for")
    count: int = Field(description="how many matched (before the limit)")
    results: tuple[NameFound, ...] = Field(description="the matches, up to the limit")


class CountryRow(Answer):
    """A country, region or aggregate (the countries table's row)."""

    id: str = described(tables.COUNTRIES, "id")
    name: str = described(tables.COUNTRIES, "name")
    kind: Literal["country", "region", "aggregate"] = described(tables.COUNTRIES, "kind")
    members: tuple[str, ...] | None = described(tables.COUNTRIES, "members")
    aliases: tuple[str, ...] | None = described(tables.COUNTRIES, "aliases")


class CountriesAnswer(Answer):
    """Every country, region and aggregate, by name."""

    count: int = Field(description="how many")
    countries: tuple[CountryRow, ...] = Field(description="the countries, regions and aggregates")


class VocabularyAnswer(Answer):
    """The codes the questions accept, each with what it means."""

    segments: dict[Segment, str] = Field(description="end-use segments of a buyer")
    rule_kinds: dict[RuleKind, str] = Field(description="kinds of measure")
    policies: dict[Policy, str] = Field(description="how licences are treated")
    statuses: dict[RuleStatus, str] = Field(description="how sure a rule is")
    units: dict[str, str] = Field(description="units a fact's figure may be given in")
    metrics: dict[str, str] = Field(description="kinds of quantity a fact may state")


class FactOnSource(Answer):
    """A fact resting on a source."""

    fact: str = Field(description="the fact's id")
    entity: str = described(tables.FACTS, "entity")
    entity_name: str = Field(description="whom it is about, in words: the firm's, country's or input's name")
    metric: str = described(tables.FACTS, "metric")
    metric_words: str = Field(description="what it measures, in the vocabulary's words")
    product: str | None = described(tables.FACTS, "product")
    product_name: str | None = Field(description="the product by name (null: none)")
    period: str = described(tables.FACTS, "period")
    value: float = described(tables.FACTS, "value")
    unit: str = described(tables.FACTS, "unit")
    status: FactStatus = described(tables.FACTS, "status")
    quote: str = described(tables.FACTS, "quote")


class RuleOnSource(Answer):
    """A rule resting on a source."""

    id: str = described(tables.RULES, "id")
    name: str = described(tables.RULES, "name")
    quote: str = described(tables.RULES, "quote")


class KindedRuleOnSource(Answer):
    """A rule resting on a source, with its kind."""

    id: str = described(tables.RULES, "id")
    name: str = described(tables.RULES, "name")
    kind: RuleKind = described(tables.RULES, "kind")
    quote: str = described(tables.RULES, "quote")


class SourceWithFacts(SourceUse):
    """A source with every fact and rule resting on it."""

    facts: tuple[FactOnSource, ...] = Field(description="the facts resting on it")
    rules: tuple[RuleOnSource, ...] = Field(description="the rules resting on it")


class SourcesWithFactsAnswer(Answer):
    """Every source, each with the facts and rules resting on it."""

    count: int = Field(description="how many sources")
    sources: tuple[SourceWithFacts, ...] = Field(description="the sources, by id")


class SourceAnswer(Answer):
    """One source with every fact and rule resting on it."""

    source: SourceUse = Field(description="the source")
    facts: tuple[SourceFact, ...] = Field(description="the facts resting on it")
    rules: tuple[KindedRuleOnSource, ...] = Field(description="the rules resting on it")
