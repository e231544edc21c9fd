"""Who and what: countries, firms, inputs and their links, production stages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Country:
    """A country (ISO 3166-1 alpha-3), a region of countries, or an aggregate bucket."""

    id: str
    name: str
    kind: str = "country"
    members: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Firm:
    id: str
    name: str
    hq_country: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    fiscal_year_end: int | None = None
    origin: str = "chipshift"
    note: str | None = None


@dataclass(frozen=True)
class Input:
    """An input or product of the supply chain. ``attributes`` holds technical values rules can test."""

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    attributes: Mapping[str, float | bool | str] = field(default_factory=lambda: MappingProxyType({}))
    market_size_usd: float | None = None
    market_size_year: int | None = None
    market_size_text: str | None = None
    year: int | None = None
    description: str | None = None
    origin: str = "chipshift"


@dataclass(frozen=True)
class InputLink:
    child: str
    parent: str
    relation: str  # "is_type_of" or "goes_into"
    origin: str = "chipshift"


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    description: str | None = None
    market_size_text: str | None = None
    share_basis: str | None = None
    origin: str = "cset"
