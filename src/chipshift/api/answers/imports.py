"""Imports of third-party datasets: what came in, with the dataset's licence and credit line."""

from __future__ import annotations

from pydantic import Field

from chipshift.api.answers.base import Answer, ScreeningList, described
from chipshift.schemas import tables


class CsetImportAnswer(Answer):
    """CSET's ETO supply-chain dataset imported: rows per table."""

    dataset: str = described(tables.DATASETS, "title")
    inputs: int = Field(description="inputs (nodes) imported")
    providers: int = Field(description="provider ids")
    provider_rows: int = Field(description="rows of providers.csv (a firm with several aliases repeats)")
    provision: int = Field(description="rows of who provides what")
    provision_blank_shares: int = Field(description="of those, rows whose share is blank (stored as unknown)")
    stages: int = Field(description="production stages")
    sequence_edges: int = Field(description="edges of the production sequence")
    firms_matched_to_existing: int = Field(description="providers matched to firms the store already had")
    licence: str = described(tables.DATASETS, "licence")
    attribution: str = described(tables.DATASETS, "attribution")
    notes: tuple[str, ...] = Field(description="how the tables were read")
    warnings: tuple[str, ...] = Field(description="what was imported anyway (tables cut short with --allow-partial, "
                                                  "share sums off 100%)")


class HeadingKept(Answer):
    """How many trade flows one HS heading kept."""

    hs: str = Field(description="the HS heading")
    flows: int = Field(description="flows kept")


class BaciImportAnswer(Answer):
    """A BACI release's trade flows imported for the chosen HS headings."""

    dataset: str = described(tables.DATASETS, "title")
    release: str = Field(description="the release (e.g. 202501)")
    hs_revision: str = Field(description="the HS revision its codes follow (e.g. 22)")
    years: tuple[int, ...] = Field(description="the years imported")
    flows: int = Field(description="flows imported")
    kept_by_heading: tuple[HeadingKept, ...] = Field(description="flows per HS heading")
    files: tuple[str, ...] = Field(description="the files read")
    licence: str = described(tables.DATASETS, "licence")
    attribution: str = described(tables.DATASETS, "attribution")
    notes: tuple[str, ...] = Field(description="units and codes as read")


class ListCount(Answer):
    """Entries of one screening list."""

    list: ScreeningList = described(tables.PARTIES, "list")
    entries: int = Field(description="its entries")


class FirmListed(Answer):
    """A known firm matched to an entry added to (or removed from) the list."""

    firm: str = Field(description="the firm's id")
    list: ScreeningList = described(tables.PARTIES, "list")
    entry: str = described(tables.PARTIES, "name")
    score: float = Field(description="name similarity of the entry and the firm, 0-100")


class EntryBrief(Answer):
    """A screening-list entry, in short."""

    list: ScreeningList = described(tables.PARTIES, "list")
    name: str = described(tables.PARTIES, "name")
    federal_register_notice: str | None = described(tables.PARTIES, "federal_register_notice")
    start_date: str | None = described(tables.PARTIES, "start_date")
    license_policy: str | None = described(tables.PARTIES, "license_policy")


class EntryChanged(EntryBrief):
    """An entry on both snapshots whose terms changed."""

    fields: tuple[str, ...] = Field(description="the terms that changed")


class PreviousSnapshot(Answer):
    """The snapshot an import replaced."""

    version: str | None = described(tables.DATASETS, "version")
    published: str | None = Field(description="its publication date, if its import gave one")
    imported_at: str = described(tables.DATASETS, "imported_at")
    entries: int = Field(description="its entries")


class ListChanges(Answer):
    """What changed on the list against the snapshot the import replaced."""

    added: int = Field(description="entries added")
    removed: int = Field(description="entries removed")
    changed: int = Field(description="entries whose terms changed")
    firms_listed: tuple[FirmListed, ...] = Field(description="known firms matched to added entries")
    firms_delisted: tuple[FirmListed, ...] = Field(description="known firms matched to removed entries")
    added_entries: tuple[EntryBrief, ...] = Field(description="the entries added")
    removed_entries: tuple[EntryBrief, ...] = Field(description="the entries removed")
    changed_entries: tuple[EntryChanged, ...] = Field(description="the entries changed")
    previous: PreviousSnapshot = Field(description="the snapshot replaced")


class CslImportAnswer(Answer):
    """The US Consolidated Screening List imported: entries per list, and against an earlier import what
    changed."""

    dataset: str = described(tables.DATASETS, "title")
    entries: int = Field(description="entries imported")
    published: str | None = Field(description="the list's publication date, as given (the file does not carry it)")
    by_list: tuple[ListCount, ...] = Field(description="entries per list")
    licence: str = described(tables.DATASETS, "licence")
    attribution: str = described(tables.DATASETS, "attribution")
    changes: ListChanges | None = Field(description="against an earlier import, what changed (null: the first)")
