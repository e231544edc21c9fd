"""The values that flow through the ingestion pipeline. Every span is (start, end) into the extracted text."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

Span = tuple[int, int]
QuantityKind = Literal["percent", "points", "fold", "money", "count", "mass", "rate", "price"]
Severity = Literal["error", "warning", "notice", "info"]


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int
    text: str
    in_references: bool = False


@dataclass(frozen=True)
class Quantity:
    """A number with its unit as written, normalised.

    ``value`` is in ``unit`` (a vocabulary code such as ``pct``, ``ratio``, ``usd_m``, ``cny_bn``);
    ``base`` is the same amount in the currency's base unit for money (e.g. yuan), else equal to value.
    ``precision`` is half a unit of the last written digit, in ``unit`` (the rounding tolerance).
    """

    kind: QuantityKind
    value: float
    unit: str
    start: int
    end: int
    text: str
    currency: str | None = None
    base: float = 0.0
    precision: float = 0.5
    approx: bool = False


@dataclass(frozen=True)
class Conversion:
    """Two amounts in different currencies given as equal in the text: "567 million yuan ($79.6 million)"."""

    source: Quantity
    target: Quantity

    @property
    def span(self) -> Span:
        return (self.source.start, self.target.end)


@dataclass(frozen=True)
class PeriodMention:
    """A period or date expression, resolved (``label`` is a chipshift period label) when possible."""

    start: int
    end: int
    text: str
    label: str | None
    kind: Literal["date", "year", "quarter", "half", "fiscal", "span", "relative", "month"]
    note: str | None = None


@dataclass(frozen=True)
class Mention:
    """A name in the text linked to the knowledge base (or not: ``entity`` None for a candidate)."""

    start: int
    end: int
    text: str
    entity: str | None
    kind: Literal["firm", "country", "input", "agency"]
    confidence: float
    via: str  # name, alias, demonym, metonym, agency


#: A claim's `definition` for a firm's revenue read from a ranking of firms: its revenue in the market the ranking
#: covers, as the ranking's compiler estimates it, which is not the revenue the firm reports.
RANKED_REVENUE = "revenue in the market a ranking of firms covers"


@dataclass
class Claim:
    id: str
    entity: str | None
    entity_name: str
    metric: str
    value: float
    unit: str
    period: str | None
    start: int
    end: int
    quantity: Span
    sentence: Span
    region: str | None = None
    product: str | None = None
    definition: str | None = None
    approx: bool = False
    bound: str | None = None  # "min" for "more than X", "max" for "less than X": the figure is a bound
    confidence: float = 0.5
    citations: list[int] = field(default_factory=list)
    kb: str = "not_checked"  # agrees, disagrees, new, not_comparable, not_checked
    precision: float = 0.5
    text: str = ""

    def key(self) -> tuple[str | None, str, str | None]:
        return (self.entity, self.metric, self.period)


@dataclass
class Event:
    id: str
    kind: str
    imposed_by: str | None
    authority: str | None
    policy: str | None
    sellers: dict[str, Any]
    targets: dict[str, Any]
    products: list[str]
    announced: str | None
    effective: str | None
    date_note: str | None
    modality: str  # stated, reported, planned, possible
    spans: list[Span]
    sentence: str
    citations: list[int] = field(default_factory=list)
    known_rule: str | None = None
    confidence: float = 0.5


@dataclass(frozen=True)
class Marker:
    numbers: tuple[int, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Reference:
    number: int
    start: int
    end: int
    text: str
    url: str | None
    title: str | None
    publisher: str | None
    date: str | None
    author: str | None = None


@dataclass(frozen=True)
class Finding:
    check: str
    severity: Severity
    message: str
    spans: tuple[Span, ...] = ()
    claims: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Loaded:
    start: int
    end: int
    text: str
    category: Literal["intensifier", "value_judgement", "certainty", "metaphor"]
    explanation: str


class _Located(Protocol):
    @property
    def start(self) -> int: ...


L = TypeVar("L", bound=_Located)


class Window:
    """Items sorted by start, sliced by position range in O(log n) (instead of a scan per sentence)."""

    def __init__(self, items: Sequence[L]) -> None:
        self.items = list(items)
        self.starts = [i.start for i in self.items]

    def between(self, start: int, end: int) -> list[Any]:
        return self.items[bisect_left(self.starts, start):bisect_left(self.starts, end)]
