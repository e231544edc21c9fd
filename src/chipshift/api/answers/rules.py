"""Rules: those in force for a target, one rule with what it reaches, the timeline, the rules in force at a date."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from chipshift.api.answers.base import (
    Answer,
    Chain,
    Comparator,
    DestinationContext,
    InputNamed,
    Policy,
    Reach,
    RuleKind,
    RuleStatus,
    SourceRow,
    StandingState,
    TimelineEventKind,
    described,
)
from chipshift.api.answers.changes import ListingChangeRow
from chipshift.schemas import tables


class RuleInForce(Answer):
    """A rule in force at the date; with a target, also how it reaches that target."""

    id: str = Field(description="the rule's id")
    name: str = Field(description="short title")
    kind: RuleKind = Field(description="what sort of measure")
    imposed_by: str = Field(description="jurisdiction (country id) or firm id")
    policy: Policy | None = Field(description="how licences are treated")
    start: str | None = Field(description="the date it took effect (effective, else announced; ISO, partial when "
                                          "the source gives only a month or year)")
    ended: str | None = Field(description="the date it stopped applying, if it did")
    in_force: Literal["certain", "maybe"] = Field(description="'maybe' when the date is inside the month or year "
                                                              "that a start or end known only that precisely "
                                                              "can mean")
    in_force_note: str | None = Field(None, description="with a target: for a rule maybe in force, which date is "
                                                        "imprecise and from when it surely is in force")
    reach: Reach | None = Field(None, description="with a target: 'whole' when the rule cuts off the destination "
                                                  "as asked, 'partial' when only some of its buyers or end uses")
    reach_note: str | None = Field(None, description="with a target: for a partial reach, what it takes to apply "
                                                     "the rule")
    relaxed_by: tuple[str, ...] | None = Field(None, description="with a target: the relaxations in force that relax "
                                                                 "it for the whole destination")
    relaxed_in_part_by: tuple[str, ...] | None = Field(None, description="with a target: the relaxations in force "
                                                                         "that may lift it for part of the "
                                                                         "destination only")
    inputs_covered: int | None = Field(None, description="with a target: how many inputs it covers")
    products: tuple[str, ...] | None = Field(None, description="with a target: the inputs its product selectors "
                                                               "name")
    sellers: str | None = Field(None, description="with a target: which sellers it binds, in words")
    status: RuleStatus = Field(description="official, reported-only, or hypothetical (a scenario's)")
    source: str | None = Field(description="source id")
    gaps: tuple[str, ...] = Field(description="what the rule's encoding leaves out")
    names_destination: bool | None = Field(None, description="with a target: whether it names the target firm as a "
                                                             "party")


class RuleLifted(Answer):
    """A rule in its own dates that relaxations in force lift for everything it reaches at the destination."""

    id: str = Field(description="the rule's id")
    name: str = Field(description="short title")
    kind: RuleKind = Field(description="what sort of measure")
    start: str | None = Field(description="the date it took effect (ISO, partial)")
    lifted_by: tuple[str, ...] = Field(description="the relaxations in force that lift it")


class RuleElsewhere(Answer):
    """A rule in force that reaches the target only on goods outside the semiconductor supply chain."""

    id: str = Field(description="the rule's id")
    name: str = Field(description="short title")
    products: tuple[str, ...] = Field(description="the goods it covers (input ids)")


class RestrictionsAnswer(DestinationContext):
    """Rules in force for a target at a date (every rule in force when no target is given)."""

    count: int = Field(description="how many rules")
    note: str | None = Field(None, description="with a target: how to read reach and rules_lifted")
    rules: tuple[RuleInForce, ...] = Field(description="the rules in force (for a target: those that reach it, "
                                                       "wholly or in part, on the semiconductor supply chain)")
    rules_lifted: tuple[RuleLifted, ...] | None = Field(None, description="with a target: rules lifted by "
                                                                          "relaxations in force")
    rules_elsewhere: tuple[RuleElsewhere, ...] | None = Field(
        None, description="with a target: rules in force that reach it only on goods outside the semiconductor "
                          "supply chain (inputs whose chain is 'other', such as the back-test episodes' food, cars "
                          "or coal), left out of `rules` and `count`")


class ProductSelector(Answer):
    """Products a rule covers: an input (with its descendants), optionally only those meeting thresholds."""

    input: str = Field(description="input id ('*' is every input)")
    where: dict[str, dict[Comparator, int | float]] | None = Field(
        None, description="thresholds on the input's attributes: attribute -> comparator -> value")
    part: bool | None = Field(None, description="true: the rule covers only some kinds of the input (reached as "
                                                "'maybe', its descendants not through this selector)")


class RuleSellers(Answer):
    """Which providers a rule binds."""

    hq_in: tuple[str, ...] | None = Field(None, description="firms headquartered in these countries")
    firms: tuple[str, ...] | None = Field(None, description="these firms")
    fdp: bool | None = Field(None, description="foreign-made direct products of the imposer's technology too")


class RuleTargets(Answer):
    """Who a rule cuts off."""

    countries: tuple[str, ...] | None = Field(None, description="buyers in these countries or regions")
    firms: tuple[str, ...] | None = Field(None, description="these firms")
    segments: tuple[str, ...] | None = Field(None, description="only these end-use segments")
    affiliates: bool | None = Field(None, description="an ownership rule: extends the imposer's entity listings "
                                                      "to owned firms")
    notices: tuple[str, ...] | None = Field(None, description="Federal Register citations: the firms an imported "
                                                              "screening list matches to entries citing them")


class RuleReach(InputNamed):
    """An input a rule reaches in the loaded world: its products cover it and, for a rule that binds named firms
    alone, they supply it."""

    reach: Literal["certain", "maybe"] = Field(description="'certain' when the rule surely reaches the input and cuts "
                                                           "off every buyer it targets as asked; 'maybe' otherwise "
                                                           "(see note)")
    note: str | None = Field(description="why the reach is only 'maybe': a threshold on an attribute the input does "
                                         "not carry, a kind of input the named firms are not known to supply, or "
                                         "buyers reached only in part (some end uses)")


class RuleStanding(Answer):
    """A stretch of time over which a rule holds one way: from a date until the next change or its end."""

    from_: str = Field(alias="from", description="the first date (ISO, partial as recorded)")
    to: str | None = Field(description="the date of the next change, or the rule's end (null: neither)")
    state: StandingState = Field(description="'in force': no relaxation in force relaxes it; 'narrowed': "
                                             "relaxations in force lift it for part of what it reaches or of its "
                                             "buyers, or leave a licence review; 'lifted': they lift it for everything "
                                             "it reaches, at every buyer")
    relaxations: tuple[str, ...] = Field(description="the relaxations of it in force over the stretch (for a "
                                                     "relaxation: the rules it relaxes over the stretch)")
    note: str | None = Field(description="what changed at the stretch's start, in words (null for a first stretch "
                                         "in force)")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class RuleAnswer(Answer):
    """One rule: its fields (the rules table's row), its source, and the inputs it reaches."""

    id: str = described(tables.RULES, "id")
    name: str = described(tables.RULES, "name")
    kind: RuleKind = described(tables.RULES, "kind")
    kind_words: str = Field(description="its kind as a reader names it, its policy taken into account (a rule filed "
                                        "as an import ban with a fee: 'duty, tariff or tax on purchases')")
    imposed_by: str = described(tables.RULES, "imposed_by")
    authority: str | None = described(tables.RULES, "authority")
    policy: Policy | None = described(tables.RULES, "policy")
    announced: str | None = described(tables.RULES, "announced")
    effective: str | None = described(tables.RULES, "effective")
    ended: str | None = described(tables.RULES, "ended")
    relaxes: tuple[str, ...] | None = described(tables.RULES, "relaxes")
    status: RuleStatus = described(tables.RULES, "status")
    summary: str = described(tables.RULES, "summary")
    quote: str | None = described(tables.RULES, "quote")
    gaps: tuple[str, ...] | None = described(tables.RULES, "gaps")
    products: tuple[ProductSelector, ...] | None = described(tables.RULES, "products")
    sellers: RuleSellers | None = described(tables.RULES, "sellers")
    targets: RuleTargets | None = described(tables.RULES, "targets")
    names: dict[str, str] = Field(description="the names of the countries and firms the rule mentions (imposer, "
                                              "sellers, targets) by id")
    relaxed_by: tuple[str, ...] = Field(description="the relaxations that name this rule")
    rule_names: dict[str, str] = Field(default_factory=dict, description="the name of each rule `relaxes` and "
                                                                          "`relaxed_by` name, by its id")
    standing: tuple[RuleStanding, ...] = Field(description="how it holds from its start as relaxations of it come "
                                                           "into force and end; a relaxation's, the stretches in "
                                                           "which it relaxes a rule in force")
    source: SourceRow | None = Field(description="the rule's source (null when the store does not hold it)")
    buyers_reach: Reach = Field(description="'whole' when the rule cuts off every buyer it targets asked about as a "
                                            "whole (its countries' markets, its named parties); 'partial' when only "
                                            "some (some end uses): the engine then leaves it out of those buyers' "
                                            "availability")
    buyers_note: str | None = Field(description="for a partial reach, whom it reaches and what it takes to apply it")
    reaches: tuple[RuleReach, ...] = Field(description="the inputs the rule reaches in the loaded world (a "
                                                       "relaxation: those it may free of the rules it relaxes)")


class RulesInForceAt(Answer):
    """The date a question is asked at, and per rule the engine evaluates whether its dates put it in force."""

    at: date = Field(description="the date")
    flags: tuple[int, ...] = Field(description="per evaluated rule (the scenario's rules with the listings "
                                               "ownership rules derive from them), whether its dates put it in "
                                               "force: 0 no, 1 yes, 2 maybe (inside the window of a date known "
                                               "only to the month or year)")


class TimelineEvent(Answer):
    """One dated event: a rule announced, in force or ended, or a screening-list entry added or removed."""

    date: str = Field(description="ISO date, partial where the source gives only a month or year")
    event: TimelineEventKind = Field(description="what happened")
    id: str = Field(description="the rule's id, or the entry's list (EL, SDN ...)")
    name: str = Field(description="the rule's name, or the entry's name as listed")
    kind: RuleKind | None = Field(description="the rule's kind (null for a listing)")
    policy: str | None = Field(description="the rule's policy, or the entry's licence policy")
    firms: tuple[str, ...] = Field(description="the known firms a listing's entry matches (empty for a rule)")
    note: str | None = Field(description="a listing's Federal Register notice and the snapshots compared; for a "
                                         "rule lifted, narrowed or back in force, what changed in words")
    relaxations: tuple[str, ...] = Field(description="for a rule lifted, narrowed or back in force: the relaxations "
                                                     "of it in force from then (empty otherwise)")


class TimelineAnswer(Answer):
    """Rules and screening-list changes by date."""

    target: str | None = Field(description="the country or firm asked about, or null for every rule and entry")
    from_: str | None = Field(alias="from", description="the first date (ISO), or null")
    to: str | None = Field(description="the last date (ISO), or null")
    definition: str = Field(description="what the events are and which concern a target")
    list_changes_recorded: int = Field(description="listing changes recorded by re-imports of the list, before any "
                                                   "filter")
    count: int = Field(description="how many events")
    events: tuple[TimelineEvent, ...] = Field(description="the events, oldest first")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class RuleFound(Answer):
    """A rule of the rules table that passes every filter, with its dates and, for a product, how it reaches it."""

    id: str = described(tables.RULES, "id")
    name: str = described(tables.RULES, "name")
    kind: RuleKind = described(tables.RULES, "kind")
    kind_words: str = Field(description="its kind as a reader names it, its policy taken into account")
    imposed_by: str = described(tables.RULES, "imposed_by")
    imposed_by_name: str = Field(description="who imposes it, in words: the country's or firm's name")
    policy: Policy | None = described(tables.RULES, "policy")
    announced: str | None = described(tables.RULES, "announced")
    effective: str | None = described(tables.RULES, "effective")
    start: str | None = Field(description="the date it took effect: effective, else announced (ISO, partial)")
    ended: str | None = described(tables.RULES, "ended")
    standing: tuple[RuleStanding, ...] = Field(description="how it holds from its start as relaxations of it come "
                                                           "into force and end, as the engine judges whether it "
                                                           "applies on a date; a relaxation's, the stretches in which "
                                                           "it relaxes a rule in force (`relaxations`: those rules; "
                                                           "its start day alone where it acts on none); empty for an "
                                                           "undated rule")
    held_until: str | None = Field(description="the date from which it no longer holds at all: its end, the "
                                               "date relaxations lifted it for good, or for a relaxation the end "
                                               "of its standing (null while it holds, wholly or in part)")
    status: RuleStatus = described(tables.RULES, "status")
    summary: str = described(tables.RULES, "summary")
    targets: RuleTargets | None = Field(description="who it cuts off")
    products: tuple[str, ...] = Field(description="the inputs its product selectors name ('*': every input)")
    chain: Chain = Field(description="'other' when every product is a good outside the semiconductor supply chain "
                                     "(the back-test episodes' goods), else 'semiconductors'")
    product_names: tuple[str, ...] = Field(description="those inputs by name ('every input' for '*')")
    relaxes: tuple[str, ...] = Field(description="the rules it relaxes (a relaxation)")
    relaxed_by: tuple[str, ...] = Field(description="the relaxations that relax it, in their own dates")
    reach: Literal["certain", "maybe"] | None = Field(description="with a product: whether the rule surely reaches "
                                                                  "it or may (null without a product)")
    source: str = described(tables.RULES, "source")
    gaps: int = Field(description="how many things its encoding leaves out")


class RuleSearchFilters(Answer):
    """The filters a search of the rules was asked with (null: not filtered)."""

    imposer: str | None = Field(description="the imposer (a country id or firm id, any case)")
    kind: RuleKind | None = Field(description="the kind of measure")
    target: str | None = Field(description="a country or firm the rules name as a target, as asked")
    product: str | None = Field(description="an input the rules may reach, as asked")
    from_: date | None = Field(alias="from", description="the first day of the date range")
    to: date | None = Field(description="the last day of the date range")
    status: RuleStatus | None = Field(description="official, reported or hypothetical")
    chain: Chain | None = Field(None, description="only rules on the semiconductor supply chain, or only those on "
                                                  "other goods (the back-test episodes')")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class RuleSearchAnswer(Answer):
    """The rules that pass every filter (imposer, kind, target, product, date range, status), earliest first, with
    the screening-list entries added and removed in the range (of the target's firms, with a target)."""

    filters: RuleSearchFilters = Field(description="the filters asked with")
    imposers: tuple[str, ...] = Field(description="every imposer of the rules table (for a filter's choices)")
    imposer_names: dict[str, str] = Field(description="each imposer's name (a country's or firm's)")
    kinds: tuple[RuleKind, ...] = Field(description="every kind of measure the rules table holds")
    kinds_in_words: tuple[str, ...] = Field(default=(), description="every kind of measure the rules table holds "
                                                                    "as a reader names it (`kind_words`)")
    count: int = Field(description="how many rules pass")
    rules: tuple[RuleFound, ...] = Field(description="the rules, by start date (undated last) and id")
    listing_changes: tuple[ListingChangeRow, ...] = Field(description="the screening-list entries re-imports of "
                                                                      "the list found added or removed in the range")
