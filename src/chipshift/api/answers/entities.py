"""One firm or one input: what is known about it, each figure with its source."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from chipshift.api.answers.base import (
    Answer,
    InputKind,
    InputRelation,
    Policy,
    Reach,
    RuleKind,
    ScreeningList,
    described,
)
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


# -- an input ------------------------------------------------------------------------------------------------------


class ProviderShare(Answer):
    """A country's or a firm's share of an input's world supply, with what it rests on: an imported dataset's row
    (the provision table's), or a fact (bundled products)."""

    provider: str = described(tables.PROVISION, "provider")
    name: str = Field(description="the provider's name ('Other firms (not named)', 'Other countries (not named)' "
                                  "for the remainder to 100%)")
    share_pct: float | None = described(tables.PROVISION, "share_pct")
    share_known: bool = Field(description="false when the provider is known but its share is not")
    basis: str | None = Field(description="what the share measures: for a dataset's share headquarters or "
                                          "site_location; for a share from facts the fact's basis or definition, "
                                          "'remainder to 100%' for the rest, 'headquarters' for a country's sum "
                                          "of its firms")
    year: int | None = described(tables.PROVISION, "year")
    period: str | None = Field(description="the period the share is for (the dataset's year, or the fact's period)")
    fact: str | None = Field(description="the fact the share comes from (shares from facts), else null")
    source: str | None = Field(description="the dataset's own source note, or how the share was derived from facts "
                                           "('fact ID ...')")
    listed: tuple[ScreeningList, ...] | None = Field(None, description="for a firm, when a screening list is "
                                                                       "imported: the lists it is on (empty: none)")


class InputLink(Answer):
    """An edge of the input graph from or to the input (the input links table's row)."""

    id: str = Field(description="the other input's id")
    name: str = Field(description="the other input's name")
    relation: InputRelation = described(tables.INPUT_LINKS, "relation")


class InputBuyer(Answer):
    """A firm that uses the input: it supplies a product the input (or a broader input it is a type of) goes
    into, per the supply graph."""

    firm: str = Field(description="the firm's id")
    name: str = Field(description="the firm's name")
    through: tuple[str, ...] = Field(description="the inputs (ids) it supplies that the input goes into")
    through_names: tuple[str, ...] = Field(description="their names")
    listed: tuple[ScreeningList, ...] = Field(description="the screening lists it is on (empty: none, or no list "
                                                          "imported)")


class InputListing(Answer):
    """A screening-list entry matched to a provider or buyer of the input."""

    role: Literal["provider", "buyer"] = Field(description="whether the firm supplies the input or uses it")
    firm: str = Field(description="the firm's id")
    name: str = Field(description="the firm's name")
    through: tuple[str, ...] = Field(description="for a buyer: the inputs it supplies that the input goes into")
    through_names: tuple[str, ...] = Field(description="their names")
    list: ScreeningList = described(tables.PARTIES, "list")
    entry: str = described(tables.PARTIES, "name")
    since: str | None = described(tables.PARTIES, "start_date")
    federal_register_notice: str | None = described(tables.PARTIES, "federal_register_notice")
    license_policy: str | None = described(tables.PARTIES, "license_policy")
    score: float = Field(description="name similarity of the entry and the firm, 0-100")


class InputAnswer(Answer):
    """An input: who supplies it (countries and firms, with shares and their sources), who uses it, which of them
    are on a screening list, its place in the input graph, and the facts about it."""

    id: str = described(tables.INPUTS, "id")
    name: str = described(tables.INPUTS, "name")
    kind: InputKind = described(tables.INPUTS, "kind")
    stages: tuple[str, ...] | None = described(tables.INPUTS, "stages")
    market_size: str | None = described(tables.INPUTS, "market_size_text")
    market_size_usd: float | None = described(tables.INPUTS, "market_size_usd")
    year: int | None = described(tables.INPUTS, "year")
    origin: str = described(tables.INPUTS, "origin")
    countries: tuple[ProviderShare, ...] = Field(description="the countries supplying it, with their shares")
    firms: tuple[ProviderShare, ...] = Field(description="the firms supplying it, with their shares")
    shares_from: Literal["dataset", "facts"] | None = Field(description="where the shares come from: an imported "
                                                                        "dataset, the bundled facts, or null "
                                                                        "(no shares)")
    parents: tuple[InputLink, ...] = Field(description="the broader inputs and the processes it goes into")
    children: tuple[InputLink, ...] = Field(description="its variants and the inputs that go into it")
    facts: tuple[FactRow, ...] = Field(description="every fact about the input")
    buyers: tuple[InputBuyer, ...] = Field(description="the firms that use it, per the supply graph")
    listings: tuple[InputListing, ...] = Field(description="the screening-list entries of its providers and "
                                                           "buyers, providers first")
    listings_definition: str = Field(description="how providers, buyers and listings are found")
    licence: str | None = Field(None, description="for an input an imported dataset defines: the dataset's "
                                                  "licence")
    attribution: str | None = Field(None, description="for an input an imported dataset defines: its credit line")


class InputListingsAnswer(Answer):
    """The providers and buyers of one input that are on a screening list: which list, since when, which notice."""

    input: str = Field(description="input id")
    name: str = Field(description="input name")
    list_imported: bool = Field(description="whether a screening list is imported (without one, no firm is "
                                            "listed)")
    list_published: str | None = Field(description="the imported list's publication date, if given")
    definition: str = Field(description="how providers, buyers and listings are found")
    providers: int = Field(description="the firms the supply data holds shares for in the input")
    providers_listed: int = Field(description="of those, the firms on a screening list")
    buyers: int = Field(description="the firms that use the input, per the supply graph")
    buyers_listed: int = Field(description="of those, the firms on a screening list")
    listings: tuple[InputListing, ...] = Field(description="one row per firm, role and entry, providers first")

    def lists_of(self, firm: str, role: Literal["provider", "buyer"]) -> list[str]:
        """The list codes a provider or buyer is on (sorted, each once)."""
        return sorted({x.list for x in self.listings if x.firm == firm and x.role == role})
