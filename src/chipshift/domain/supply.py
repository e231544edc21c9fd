"""Who supplies what: provider shares from imported datasets, and the datasets themselves."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provision:
    """A provider's global share of an input. ``share_pct`` None means known supplier, unknown share."""

    provider: str
    provider_kind: str  # "country" or "firm"
    input: str
    share_pct: float | None
    basis: str | None = None
    year: int | None = None
    source_text: str | None = None
    origin: str = "cset"


@dataclass(frozen=True)
class Dataset:
    id: str
    title: str
    licence: str
    attribution: str
    version: str | None = None
    location: str | None = None
    imported_at: str | None = None
