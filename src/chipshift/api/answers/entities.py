"""One firm or one input: what is known about it, each figure with its source."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from chipshift.api.answers.base import Answer, Policy, Reach, RuleKind, ScreeningList, described
from chipshift.api.answers.data import FactRow
from chipshift.schemas import tables

# -- a firm --------------------------------------------------------------------------------------------------------


class Stake(Answer):
    """An equity stake (the ownership table's row) with the names of both firms and its source's publisher, title
    and address."""

    owner: str = described(tables.OWNERSHIP, "owner")
    owner_name: str | None = Field(description="the owner's name")
    firm: str = described(tables.OWNERSHIP, "firm")
    firm_name: str | None = Field(description="the name of the firm held")
    share_pct: float | None = described(tables.OWNERSHIP, "share")
    as_of: str = described(tables.OWNERSHIP, "as_of")
    source: str = described(tables.OWNERSHIP, "source")
    publisher: str | None = described(tables.SOURCES, "publisher")
    title: str | None = described(tables.SOURCES, "title")
    url: str | None = described(tables.SOURCES, "url")
    quote: str = described(tables.OWNERSHIP, "quote")
    note: str | None = described(tables.OWNERSHIP, "note")


class ListedOwnership(Answer):
    """What the parties of one entity listing hold of the firm, directly or through others, against an ownership
    rule's threshold (the US 50% Affiliates Rule)."""

    ownership_rule: str = Field(description="the ownership rule's id")
    listing: str = Field(description="the entity listing's id (a rule of the same imposer)")
    listed_owners: tuple[str, ...] = Field(description="the listed parties (firm ids) holding stakes in the firm")
    aggregate_low_pct: float = Field(description="their aggregate share in percent, stakes of unknown size counted "
                                                 "as nothing")
    aggregate_high_pct: float = Field(description="their aggregate share in percent, stakes of unknown size counted "
                                                  "in full")
    reached: Literal["yes", "no", "maybe"] = Field(description="whether the aggregate reaches the rule's threshold "
                                                               "(maybe: only if unknown stakes are large enough)")
    chains: tuple[str, ...] = Field(description="each chain of stakes, 'owner -> firm (share, source) -> ...'")
    reached_at: str = Field(description="whether the rule extends the listing to the firm at the answer's date: "
                                        "yes, maybe, or 'no: ' and why (below the threshold, lifted by a "
                                        "relaxation, not in force at the date)")


class FirmSupply(Answer):
    """An input the firm supplies, with its world share (the provision table's row)."""

    input: str = described(tables.PROVISION, "input")
    input_name: str = Field(description="the input's name")
    share_pct: float | None = described(tables.PROVISION, "share_pct")
    year: int | None = described(tables.PROVISION, "year")
    source: str | None = described(tables.PROVISION, "source_text")
    dataset: str = described(tables.PROVISION, "origin")


class FirmListing(Answer):
    """A screening-list entry matched to the firm by name (reviewed decisions applied)."""

    list: ScreeningList = described(tables.PARTIES, "list")
    name: str = described(tables.PARTIES, "name")
    score: float = Field(description="name similarity of the entry and the firm, 0-100")
    names_compared: tuple[str, str] = Field(description="the entry's name and the firm's name that matched")
    license_requirement: str | None = described(tables.PARTIES, "license_requirement")
    license_policy: str | None = described(tables.PARTIES, "license_policy")
    federal_register_notice: str | None = described(tables.PARTIES, "federal_register_notice")
    party: str = described(tables.PARTIES, "id")


class FirmRule(Answer):
    """A rule in force at the date that names the firm as a party: its own listing, another rule naming it, or an
    owner's listing extended to it by an ownership rule ('LISTING via RULE')."""

    id: str = Field(description="the rule's id ('LISTING via OWNERSHIP_RULE' for a listing extended to the firm)")
    name: str = Field(description="short title")
    kind: RuleKind = Field(description="what sort of measure")
    imposed_by: str = Field(description="jurisdiction (country id) or firm id")
    policy: Policy | None = Field(description="how licences are treated")
    start: str | None = Field(description="the date it took effect (ISO, partial when the source gives only a month "
                                          "or year)")
    reach: Reach = Field(description="'whole' when the rule cuts the firm off, 'partial' when only some of its "
                                     "purchases or end uses")
    relaxed_by: tuple[str, ...] = Field(description="the relaxations in force that relax it for the firm")
    source: str | None = Field(description="source id")


class FirmAnswer(Answer):
    """A firm: headquarters, owners and the stakes it holds, what listed parties hold of it, what it supplies, its
    facts, its screening-list entries, and the rules in force at a date that name it."""

    id: str = described(tables.FIRMS, "id")
    name: str = described(tables.FIRMS, "name")
    aliases: tuple[str, ...] | None = described(tables.FIRMS, "aliases")
    hq_country: str = described(tables.FIRMS, "hq_country")
    parent: str | None = Field(description="the firm that controls it through the ownership table, if one does")
    subsidiaries: tuple[str, ...] = Field(description="the names of the firms it controls")
    origin: str = described(tables.FIRMS, "origin")
    owners: tuple[Stake, ...] = Field(description="the stakes held in the firm, newest first")
    stakes_held: tuple[Stake, ...] = Field(description="the stakes the firm holds in others, newest first")
    owned_by_listed_parties: tuple[ListedOwnership, ...] = Field(
        description="for each ownership rule and entity listing whose parties hold a stake in the firm: their "
                    "aggregate share and whether it reaches the rule's threshold")
    supplies: tuple[FirmSupply, ...] = Field(description="the inputs it supplies (imported datasets)")
    facts: tuple[FactRow, ...] = Field(description="every fact about the firm")
    listings: tuple[FirmListing, ...] = Field(description="its entries on the imported screening lists (empty "
                                                          "without a list)")
    rules_at: date = Field(description="the date the rules are read at")
    rules_naming_it: tuple[FirmRule, ...] = Field(description="the rules in force at rules_at that name it or reach "
                                                              "it through its owners' listings")
