"""The Explorer's questions: the stages with their inputs as a tree, and one input or firm with the source of every
figure beside it and the facts that disagree."""

from __future__ import annotations

from pydantic import Field

from chipshift.api.answers.base import Answer, FactStatus, InputKind, Segment, ShareBasis, described
from chipshift.api.answers.concentration import Chokepoint
from chipshift.api.answers.entities import FirmAnswer, FirmSupply, InputAnswer, ProviderShare
from chipshift.schemas import tables


class DatasetSource(Answer):
    """The source of a figure from an imported dataset (CSET's ETO): the dataset, with its own note as the quote."""

    publisher: str | None = Field(description="who publishes the dataset")
    title: str | None = described(tables.DATASETS, "title")
    published: str | None = Field(description="the year the figure is for")
    quote: str | None = Field(description="the dataset's own source note for the figure (else the stage's basis)")
    url: str | None = Field(description="the dataset's repository")
    licence: str | None = described(tables.DATASETS, "licence")
    dataset: str | None = described(tables.DATASETS, "id")
    note: str | None = Field(description="the dataset's version")


class FactSource(Answer):
    """The source of a figure that a fact states: the fact and its source."""

    publisher: str | None = described(tables.SOURCES, "publisher")
    original_publisher: str | None = described(tables.SOURCES, "original_publisher")
    title: str | None = described(tables.SOURCES, "title")
    published: str | None = described(tables.SOURCES, "published")
    quote: str | None = described(tables.FACTS, "quote")
    url: str | None = described(tables.SOURCES, "url")
    source: str | None = described(tables.FACTS, "source")
    fact: str | None = Field(description="the fact's id")
    status: FactStatus | None = described(tables.FACTS, "status")


class DerivedSource(Answer):
    """The source of a figure derived from other figures (a remainder to 100%, a sum by headquarters country)."""

    quote: str | None = Field(description="how the figure was derived")
    note: str = Field(description="where its inputs are")


class SourcedShare(ProviderShare):
    """A provider's share with its source as a panel: the dataset's, the fact's, or how it was derived."""

    source: DatasetSource | FactSource | DerivedSource = Field(  # type: ignore[assignment]
        description="what the share rests on")


class FlaggedChokepoint(Chokepoint):
    """The input's concentration by country, and whether it is a chokepoint."""

    top_country_name: str = Field(description="the top country's name")
    coalition_names: tuple[str, ...] = Field(description="the names of the countries whose joint share is given")
    chokepoint: bool = Field(description="whether one country holds at least the Explorer's threshold")


class ConflictValue(Answer):
    """One of the values facts state for one quantity, with its source."""

    fact: str = Field(description="the fact's id")
    value: float = described(tables.FACTS, "value")
    unit: str = described(tables.FACTS, "unit")
    status: FactStatus = described(tables.FACTS, "status")
    default: bool = Field(description="whether it is the default fact of the quantity")
    note: str | None = described(tables.FACTS, "note")
    publisher: str = described(tables.SOURCES, "publisher")
    original_publisher: str | None = described(tables.SOURCES, "original_publisher")
    published: str = described(tables.SOURCES, "published")
    url: str = described(tables.SOURCES, "url")
    quote: str = described(tables.FACTS, "quote")
    source: str = described(tables.FACTS, "source")


class Conflict(Answer):
    """Facts that state one quantity (entity, metric, product, period, region, segment, basis, definition) with
    different values, side by side."""

    entity: str = described(tables.FACTS, "entity")
    metric: str = described(tables.FACTS, "metric")
    product: str | None = described(tables.FACTS, "product")
    period: str = described(tables.FACTS, "period")
    region: str | None = described(tables.FACTS, "region")
    segment: Segment | None = described(tables.FACTS, "segment")
    basis: ShareBasis | None = described(tables.FACTS, "basis")
    definition: str | None = described(tables.FACTS, "definition")
    what: str | None = Field(default=None, description="what the facts state, in words: whom about, what, of which "
                                                       "product, when, where (names, never codes)")
    values: tuple[ConflictValue, ...] = Field(description="the values stated, each with its source")


class InputDetailAnswer(InputAnswer):
    """``show_input`` with the source of every share as a panel, the input's concentration by country and the facts
    that disagree."""

    countries: tuple[SourcedShare, ...] = Field(
        description="the countries supplying it, with their shares and sources")
    firms: tuple[SourcedShare, ...] = Field(
        description="the firms supplying it, with their shares and sources")
    chokepoint: FlaggedChokepoint | None = Field(description="its concentration by country (null: no country "
                                                             "shares)")
    market_size_source: DatasetSource | None = Field(
        None, description="where its market size comes from: the dataset that defines the input, its text as quote "
                          "(null: no market size)")
    conflicts: tuple[Conflict, ...] = Field(description="its facts that state one quantity with different values")


class SourcedSupply(FirmSupply):
    """An input the firm supplies, with its share's source as a panel."""

    source: DatasetSource = Field(description="the dataset the share comes from")  # type: ignore[assignment]


class FirmDetailAnswer(FirmAnswer):
    """``show_firm`` with the source of every supply share as a panel and the facts that disagree."""

    supplies: tuple[SourcedSupply, ...] = Field(
        description="the inputs it supplies (imported datasets), with their sources")
    conflicts: tuple[Conflict, ...] = Field(description="its facts that state one quantity with different values")


class TreeNode(Answer):
    """An input in the Explorer's tree, with its variants and the inputs that go into it as children."""

    id: str = described(tables.INPUTS, "id")
    name: str = described(tables.INPUTS, "name")
    kind: InputKind = described(tables.INPUTS, "kind")
    aliases: tuple[str, ...] = described(tables.INPUTS, "aliases")
    market_size: str | None = described(tables.INPUTS, "market_size_text")
    market_size_source: DatasetSource | None = Field(
        None, description="where the market size comes from: the dataset that defines the input, its text as quote "
                          "(null: no market size)")
    top_country: str | None = Field(description="the real country with the largest share (null: no country shares)")
    top_country_name: str | None = Field(description="that country's name")
    top_share_pct: float | None = Field(description="its share of world supply, percent")
    chokepoint: bool = Field(description="whether one country holds at least the threshold")
    children: tuple[TreeNode, ...] = Field(description="its variants and the inputs that go into it, by name")


class StageShare(Answer):
    """A country's share of a production stage, with its source."""

    provider: str = described(tables.PROVISION, "provider")
    name: str = Field(description="the country's name")
    share_pct: float | None = described(tables.PROVISION, "share_pct")
    share_known: bool = Field(description="false when the country is known but its share is not")
    basis: str | None = described(tables.PROVISION, "basis")
    year: int | None = described(tables.PROVISION, "year")
    source: DatasetSource = Field(description="the dataset the share comes from")


class ExplorerStage(Answer):
    """A production stage (or the bundled products, 'P') with its inputs as a tree."""

    id: str = described(tables.STAGES, "id")
    name: str = described(tables.STAGES, "name")
    description: str | None = described(tables.STAGES, "description")
    market_size: str | None = described(tables.STAGES, "market_size_text")
    share_basis: str | None = described(tables.STAGES, "share_basis")
    countries: tuple[StageShare, ...] = Field(description="the countries' shares of the stage")
    inputs: tuple[TreeNode, ...] = Field(description="its inputs as a tree, processes last")


class ExplorerAnswer(Answer):
    """The stages of the supply chain, each with its inputs as a tree (variants and the inputs that go into
    processes), with chokepoint badges."""

    chokepoint_threshold_pct: float = Field(description="the share one country must hold for a chokepoint, percent")
    chokepoints: int = Field(description="how many inputs are chokepoints")
    inputs: int = Field(description="how many inputs the store holds")
    stages: tuple[ExplorerStage, ...] = Field(description="the stages, then the bundled products")
    attribution: tuple[str, ...] = Field(description="each imported dataset's credit line")
