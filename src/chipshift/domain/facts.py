"""Sources and the sourced numeric facts that rest on them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chipshift.domain.period import Period


class Status(StrEnum):
    REPORTED = "reported"
    ESTIMATE = "estimate"
    FORECAST = "forecast"
    CLAIM = "claim"


@dataclass(frozen=True)
class Source:
    id: str
    publisher: str
    title: str
    url: str
    published: str
    original_publisher: str | None = None
    published_approx: bool = False
    reliability: str = "press"
    note: str | None = None

    @property
    def citation(self) -> str:
        via = f" (citing {self.original_publisher})" if self.original_publisher else ""
        approx = " (approx.)" if self.published_approx else ""
        return f"{self.publisher}{via}, \u201c{self.title}\u201d, {self.published}{approx}, {self.url}"


@dataclass(frozen=True)
class FactKey:
    """What a fact states, independent of its value and source. Facts sharing a key compete."""

    entity: str
    metric: str
    product: str | None
    region: str | None
    segment: str | None
    basis: str | None
    definition: str | None
    period: str


@dataclass(frozen=True)
class Fact:
    """One sourced number. ``default`` marks the fact used when several share a key."""

    id: str
    entity: str
    metric: str
    period: str
    value: float
    unit: str
    status: Status
    source: str
    quote: str
    product: str | None = None
    region: str | None = None
    segment: str | None = None
    basis: str | None = None
    definition: str | None = None
    default: bool = False
    note: str | None = None

    @property
    def key(self) -> FactKey:
        return FactKey(self.entity, self.metric, self.product, self.region, self.segment, self.basis,
                       self.definition, self.period)

    @property
    def parsed_period(self) -> Period:
        return Period.parse(self.period)

    @property
    def entities(self) -> tuple[str, ...]:
        """The entity ids a combined figure ('samsung+sk-hynix') is about."""
        return tuple(self.entity.split("+"))
