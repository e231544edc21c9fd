"""The screening lists: entries found by name, with the known firms each is matched to."""

from __future__ import annotations

from pydantic import Field

from chipshift.api.answers.base import Answer, ScreeningList, described
from chipshift.schemas import tables


class PartyEntry(Answer):
    """A screening-list entry (the parties table's row, in part) with how closely its names resemble the query."""

    score: float = Field(description="name similarity to the query, 0-100 (the best of the entry's names)")
    name: str = described(tables.PARTIES, "name")
    list: ScreeningList = described(tables.PARTIES, "list")
    countries: tuple[str, ...] | None = described(tables.PARTIES, "countries")
    license_requirement: str | None = described(tables.PARTIES, "license_requirement")
    license_policy: str | None = described(tables.PARTIES, "license_policy")
    federal_register_notice: str | None = described(tables.PARTIES, "federal_register_notice")
    firms: tuple[str, ...] = Field(description="the known firms (ids) the entry is matched to, reviewed decisions "
                                               "applied")
    id: str = described(tables.PARTIES, "id")


class PartiesAnswer(Answer):
    """Screening-list entries whose names resemble a query, best first."""

    query: str = Field(description="the name searched for")
    definition: str = Field(description="what the score and the firms mean")
    entries: tuple[PartyEntry, ...] = Field(description="the entries, best score first")
