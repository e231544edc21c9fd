"""The answers of ``chipshift.api``, typed: one frozen model per answer, with a model per kind of table row.

Each answer is what a question returns; ``as_report()`` gives its JSON (the REST API's body, the MCP tools'
structured content, what ``--format json`` prints). A field that defaults to None and is left out when an
answer is built stays out of its JSON: such keys are present only where the answer has them (``views`` only
for an input both views describe, the reach of each rule only when a target is asked about).

Row fields that a table of ``chipshift.schemas.tables`` declares take that column's description, and coded
values the vocabulary declares are Literal types (a test keeps the two in step).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chipshift.schemas import tables

RuleKind = Literal["export_control", "license_requirement", "entity_listing", "import_ban", "procurement_ban",
                   "market_exit", "raw_material_export_control", "relaxation"]
Policy = Literal["ban", "presumption_of_denial", "case_by_case", "licence_required", "fee", "lifted"]
RuleStatus = Literal["official", "reported", "hypothetical"]
Reliability = Literal["primary", "tracker", "press", "reprint", "weak"]
FactStatus = Literal["reported", "estimate", "forecast", "claim"]
ShareBasis = Literal["revenue", "bits", "shipments", "capacity", "production", "purchases", "unknown"]
Comparator = Literal["gte", "gt", "lte", "lt", "eq"]
#: Whose shares an availability or localization figure rests on: country rows, firm rows, or both views.
ViewName = Literal["country", "firm"]
Views = Literal["country", "firm", "country+firm"]
#: How a concentration measure got its country shares.
CountryBasis = Literal["country", "firm headquarters"]
Impaired = Literal["certain", "possible", "no"]
Reach = Literal["whole", "partial"]
ListingChange = Literal["added", "removed"]


def described(table: tables.TableSchema, column: str) -> Any:
    """A field whose description is the declared column's (the key is always in the answer; an optional column's
    field is typed nullable)."""
    return Field(description=table.column(column).description)


class Answer(BaseModel):
    """An answer or one of its rows: frozen, and no keys beyond its fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    def as_report(self) -> dict[str, Any]:
        """The answer's JSON: dates as ISO text, keys left out when the answer was built without them."""
        return self.model_dump(mode="json", exclude_unset=True)


# -- what every answer about a destination says of itself ---------------------------------------------------------

class ScenarioRef(Answer):
    """The scenario an answer was computed under."""

    name: str = Field(description="the scenario's name")
    digest: str = Field(description="a digest of the scenario's content (two answers with the same digest used "
                                    "the same rules)")
    file: str | None = Field(description="the scenario's file name, if it came from a file")


class _Context(Answer):
    destination: str | None = Field(description="the destination asked about: a country id, 'firm/COUNTRY' for a "
                                                "firm, with '[segment]' when a segment is named")
    at: date | None = Field(description="the date the rules are read at")
    scenario: ScenarioRef | None = Field(description="the scenario, or null for the bundled rules (baseline)")
    data_sources: tuple[str, ...] = Field(description="who the shares and market sizes come from: each imported "
                                                      "dataset's credit line, and the bundled data")


# -- rules --------------------------------------------------------------------------------------------------------

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
    reach: Reach | None = Field(None, description="with a target: 'whole' when the rule cuts off the destination "
                                                  "as asked, 'partial' when only some of its buyers or end uses")
    reach_note: str | None = Field(None, description="with a target: for a partial reach, what it takes to apply "
                                                     "the rule")
    relaxed_by: tuple[str, ...] | None = Field(None, description="with a target: the relaxations in force that lift "
                                                                 "it here in part of what it reaches")
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


class RestrictionsAnswer(_Context):
    """Rules in force for a target at a date (every rule in force when no target is given)."""

    count: int = Field(description="how many rules")
    note: str | None = Field(None, description="with a target: how to read reach and rules_lifted")
    rules: tuple[RuleInForce, ...] = Field(description="the rules in force (for a target: those that reach it, "
                                                       "wholly or in part)")
    rules_lifted: tuple[RuleLifted, ...] | None = Field(None, description="with a target: rules lifted by "
                                                                          "relaxations in force")


class ProductSelector(Answer):
    """Products a rule covers: an input (with its descendants), optionally only those meeting thresholds."""

    input: str = Field(description="input id ('*' is every input)")
    where: dict[str, dict[Comparator, int | float]] | None = Field(
        None, description="thresholds on the input's attributes: attribute -> comparator -> value")


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


class SourceRow(Answer):
    """A source: the page or document a figure or rule comes from (the sources table's row)."""

    id: str = described(tables.SOURCES, "id")
    publisher: str = described(tables.SOURCES, "publisher")
    original_publisher: str | None = described(tables.SOURCES, "original_publisher")
    title: str = described(tables.SOURCES, "title")
    url: str = described(tables.SOURCES, "url")
    published: str = described(tables.SOURCES, "published")
    published_approx: bool | None = described(tables.SOURCES, "published_approx")
    reliability: Reliability = described(tables.SOURCES, "reliability")
    note: str | None = described(tables.SOURCES, "note")


class RuleReach(Answer):
    """An input a rule covers in the loaded world."""

    input: str = Field(description="input id")
    name: str = Field(description="input name")
    certain: bool = Field(description="true when the rule surely covers it (false: it may, e.g. a threshold the "
                                      "data cannot check)")


class RuleAnswer(Answer):
    """One rule: its fields (the rules table's row), its source, and the inputs it reaches."""

    id: str = described(tables.RULES, "id")
    name: str = described(tables.RULES, "name")
    kind: RuleKind = described(tables.RULES, "kind")
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
    relaxed_by: tuple[str, ...] = Field(description="the relaxations that name this rule")
    source: SourceRow | None = Field(description="the rule's source (null when the store does not hold it)")
    reaches: tuple[RuleReach, ...] = Field(description="the inputs the rule covers in the loaded world")


# -- availability and exposure ---------------------------------------------------------------------------------------

class BarredProvider(Answer):
    """A provider of an input whose sales to the destination a rule bars (for certain, or maybe)."""

    provider: str = Field(description="provider id: a country id or a firm id")
    name: str = Field(description="provider name")
    share_pct: float | None = Field(description="its share of the input's world supply, percent (null: unknown)")
    view: ViewName = Field(description="whether the provider is a country row or a firm row")
    rules: tuple[str, ...] = Field(description="the rules that bar it")


class ViewBounds(Answer):
    """Availability bounds by one view's shares."""

    available_lower: float = Field(description="lower bound, fraction of world supply")
    available_upper: float = Field(description="upper bound, fraction of world supply")


class InputAvailability(Answer):
    """One input's availability for the destination."""

    input: str = Field(description="input id")
    name: str = Field(description="input name")
    stages: tuple[str, ...] = Field(description="production stage ids (S1 design, S2 fabrication, S3 ATP)")
    view: Views = Field(description="the views whose shares bound the answer")
    available_lower: float | None = Field(description="lower bound of the share of world supply the destination "
                                                      "may still buy (fraction; null: no share data)")
    available_upper: float | None = Field(description="upper bound (fraction; null: no share data)")
    available: float | None = Field(description="the strict reading (licences under review refused, unknown reach "
                                                "applied); null when shares are unknown and the bounds differ")
    shares_complete: bool = Field(description="whether every provider's share is known")
    lower_from: ViewName | None = Field(None, description="the view the lower bound rests on")
    upper_from: ViewName | None = Field(None, description="the view the upper bound rests on")
    views: dict[ViewName, ViewBounds] | None = Field(None, description="each view's own bounds, when both describe "
                                                                       "the input")
    views_disagree: bool | None = Field(None, description="when both views describe the input: whether their "
                                                          "bounds fail to overlap (the answer then spans both)")
    barred: tuple[BarredProvider, ...] | None = Field(None, description="the providers barred for certain")
    maybe_barred: tuple[BarredProvider, ...] | None = Field(None, description="the providers that may be barred")
    rules: tuple[str, ...] | None = Field(None, description="the barring rules in force that reach the whole "
                                                            "destination and cover the input")


class AvailabilityAnswer(_Context):
    """Share of each input's world supply the target may still buy, with bounds where shares are unknown."""

    definition: str = Field(description="how to read the figures")
    inputs: tuple[InputAvailability, ...] = Field(description="one row per input")


class InputExposure(Answer):
    """One input's barred share for the destination."""

    input: str = Field(description="input id")
    name: str = Field(description="input name")
    stages: tuple[str, ...] = Field(description="production stage ids")
    view: Views = Field(description="the views whose shares bound the answer")
    barred_lower: float | None = Field(description="lower bound of the barred share (fraction of world supply)")
    barred_upper: float | None = Field(description="upper bound of the barred share (fraction)")
    barred: float | None = Field(description="the strict reading (fraction); null when the bounds differ for "
                                             "unknown shares")
    barred_providers: tuple[str, ...] = Field(description="names of the providers barred for certain")
    maybe_barred_providers: tuple[str, ...] = Field(description="names of the providers that may be barred")


class StageExposure(Answer):
    """One production stage's barred share, over its leaf inputs."""

    stage: str = Field(description="stage id (S1 design, S2 fabrication, S3 ATP)")
    inputs: int = Field(description="leaf inputs of the stage")
    inputs_with_market_size: int = Field(description="of those, how many have a market size (the weights)")
    barred_lower_mean: float = Field(description="lower bound, each input weighed equally (fraction)")
    barred_upper_mean: float = Field(description="upper bound, each input weighed equally (fraction)")
    barred_lower_weighted: float | None = Field(description="lower bound weighted by market size (fraction; null "
                                                            "without market sizes)")
    barred_upper_weighted: float | None = Field(description="upper bound weighted by market size (fraction)")
    market_size_usd: float = Field(description="the weights' sum: market size of the stage's weighted inputs, USD")


class ExposureAnswer(_Context):
    """Share of supply barred for the target per input and per stage."""

    weighting: str = Field(description="how the stage figures weigh their inputs")
    by_input: tuple[InputExposure, ...] = Field(description="one row per input with data, most barred first")
    by_stage: tuple[StageExposure, ...] = Field(description="one row per stage")


class RuleChanges(Answer):
    """The rules reaching the destination that came into force, and that ended or were lifted, since the
    previous date of a series (at its first date: every rule in force)."""

    at: date = Field(description="the date")
    rules_started: tuple[str, ...] = Field(description="rules that came into force")
    rules_ended: tuple[str, ...] = Field(description="rules that ended or were lifted")


class _Series(_Context):
    destination_name: str = Field(description="the destination in words")
    from_: date = Field(alias="from", description="the first date of the series")
    to: date = Field(description="the last date of the series")
    every: str = Field(description="the step: a number of years, months or days (1y, 6m, 30d)")
    dates: tuple[date, ...] = Field(description="every date of the series")
    rule_changes: tuple[RuleChanges, ...] = Field(description="per date, the rules that started or ended")
    unit: str = Field(description="the unit of the figures")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class InputAvailabilityAt(Answer):
    """One input's availability at one date of a series."""

    at: date = Field(description="the date")
    input: str = Field(description="input id")
    name: str = Field(description="input name")
    available_lower: float | None = Field(description="lower bound (fraction of world supply)")
    available_upper: float | None = Field(description="upper bound (fraction)")
    available: float | None = Field(description="the strict reading (fraction), null when the bounds differ")
    barred_by: tuple[str, ...] = Field(description="rules barring some provider for certain")
    maybe_barred_by: tuple[str, ...] = Field(description="rules that may bar some provider (and bar none for "
                                                         "certain)")


class AvailabilitySeriesAnswer(_Series):
    """Availability of each input (or one) at each date of a range."""

    inputs: tuple[InputAvailabilityAt, ...] = Field(description="one row per date and input")


class StageExposureAt(Answer):
    """One stage's barred share at one date of a series."""

    at: date = Field(description="the date")
    stage: str = Field(description="stage id")
    stage_name: str = Field(description="stage name")
    barred_lower_weighted: float | None = Field(description="lower bound weighted by market size (fraction)")
    barred_upper_weighted: float | None = Field(description="upper bound weighted by market size (fraction)")
    barred_lower_mean: float = Field(description="lower bound, inputs weighed equally (fraction)")
    barred_upper_mean: float = Field(description="upper bound, inputs weighed equally (fraction)")
    inputs: int = Field(description="leaf inputs of the stage")


class ExposureSeriesAnswer(_Series):
    """Exposure per stage at each date of a range."""

    by_stage: tuple[StageExposureAt, ...] = Field(description="one row per date and stage")


# -- concentration and localization ----------------------------------------------------------------------------------

class Chokepoint(Answer):
    """One input's concentration by country (real countries only: aggregates are left out)."""

    input: str = Field(description="input id")
    name: str = Field(description="input name")
    stages: tuple[str, ...] = Field(description="production stage ids")
    top_country: str = Field(description="the real country with the largest share")
    top_share_pct: float = Field(description="its share of world supply, percent")
    hhi: float = Field(description="Herfindahl-Hirschman index over the real countries' shares (0-10,000)")
    countries_for_75pct: int | None = Field(description="fewest real countries whose shares reach 75% (null when "
                                                        "they never do)")
    coalition_share_pct: float = Field(description="the coalition's joint share, percent")
    shares_sum_pct: float = Field(description="the known shares' sum as published, percent")
    basis: CountryBasis = Field(description="country rows, or firms' shares summed by headquarters country")
    market_size_usd: float | None = Field(description="global market size, USD (null: not known)")
    unknown_shares: int = Field(description="providers of the input whose share is unknown")


class ConcentrationAt(Answer):
    """One input's concentration in one period of a bundled share table."""

    input: str = Field(description="input id")
    name: str = Field(description="input name")
    period: str = Field(description="the table's period (2023, 2024Q3 ...)")
    basis: CountryBasis = Field(description="country rows, or firms' shares summed by headquarters country")
    share_basis: ShareBasis = Field(description="what the shares measure")
    forecast: bool = Field(description="whether the table holds forecast figures")
    top_country: str = Field(description="the real country with the largest share")
    top_share_pct: float = Field(description="its share of world supply, percent")
    hhi: float = Field(description="Herfindahl-Hirschman index over the real countries' shares (0-10,000)")
    countries_for_75pct: int | None = Field(description="fewest real countries whose shares reach 75% (null when "
                                                        "they never do)")
    coalition_share_pct: float = Field(description="the coalition's joint share, percent")
    shares_sum_pct: float = Field(description="the known shares' sum as published, percent")


class ChokepointsAnswer(Answer):
    """Inputs where one real country holds at least the threshold share of world supply."""

    threshold_pct: float = Field(description="the threshold, percent")
    coalition: tuple[str, ...] = Field(description="the countries whose joint share is given")
    definition: str = Field(description="how the measures are computed")
    count: int = Field(description="how many inputs")
    inputs: tuple[Chokepoint, ...] = Field(description="one row per input, most concentrated first")
    history: tuple[ConcentrationAt, ...] | None = Field(None, description="over time only: the same measures per "
                                                                          "period of the bundled share tables")
    history_definition: str | None = Field(None, description="over time only: how to read the history")


class InputLocalization(Answer):
    """One input's share of world supply from providers headquartered in the country."""

    input: str = Field(description="input id")
    name: str = Field(description="input name")
    stages: tuple[str, ...] = Field(description="production stage ids")
    country: str = Field(description="the country")
    view: ViewName = Field(description="whose shares it rests on")
    localization_lower: float = Field(description="lower bound (fraction of world supply)")
    localization_upper: float = Field(description="upper bound (fraction)")
    localization: float | None = Field(description="the share when every share is known (fraction), else null")
    domestic_providers: tuple[str, ...] = Field(description="names of the country's providers of the input")


class PublishedLocalization(Answer):
    """A published localization (self-sufficiency) estimate: a fact with its source."""

    id: str = described(tables.FACTS, "id")
    product: str | None = described(tables.FACTS, "product")
    period: str = Field(description="the period the figure refers to")
    value: float = Field(description="the figure")
    unit: str = Field(description="its unit (pct: percent)")
    status: FactStatus = Field(description="reported, estimate, forecast or claim")
    definition: str | None = Field(description="what the figure measures, as its source defines it")
    publisher: str = described(tables.SOURCES, "publisher")
    original_publisher: str | None = described(tables.SOURCES, "original_publisher")
    source: str = Field(description="source id")
    title: str = described(tables.SOURCES, "title")
    published: str = described(tables.SOURCES, "published")
    url: str = described(tables.SOURCES, "url")
    quote: str | None = Field(description="short verbatim excerpt of the source")


class LocalizationAt(Answer):
    """The country's share of one input's world supply in one period of a bundled share table."""

    input: str = Field(description="input id")
    name: str = Field(description="input name")
    period: str = Field(description="the table's period")
    country: str = Field(description="the country")
    localization_lower: float = Field(description="share of the providers the table names (fraction)")
    localization_upper: float = Field(description="with what the table leaves to unnamed providers (fraction)")
    domestic_providers: tuple[str, ...] = Field(description="names of the country's providers in the table")
    basis: CountryBasis = Field(description="country rows, or firms by headquarters")
    share_basis: ShareBasis = Field(description="what the shares measure")
    forecast: bool = Field(description="whether the table holds forecast figures")


class SiteShare(Answer):
    """A stage's share of capacity located in the country (CSET, by plant location)."""

    stage: str = Field(description="stage id")
    share_pct: float = Field(description="share of capacity, percent")
    year: int | None = Field(description="reference year")


class LocalizationAnswer(Answer):
    """Self-sufficiency of a country by input, beside published estimates and production by plant location."""

    country: str = Field(description="the country id")
    definition: str = Field(description="how to read inputs")
    inputs: tuple[InputLocalization, ...] = Field(description="one row per input with data")
    published_estimates: tuple[PublishedLocalization, ...] = Field(description="published localization rates")
    history: tuple[LocalizationAt, ...] = Field(description="the share per period of the bundled share tables")
    history_definition: str = Field(description="how to read history")
    by_production_location: tuple[SiteShare, ...] = Field(description="stage shares by plant location")
    by_production_location_definition: str = Field(description="how to read by_production_location")


# -- impairment and differences --------------------------------------------------------------------------------------

class ShortInput(Answer):
    """An input a process needs that falls below the threshold."""

    input: str = Field(description="input id")
    name: str = Field(description="input name")
    available_lower: float = Field(description="lower availability bound (fraction)")
    available_upper: float = Field(description="upper availability bound (fraction)")
    certain: bool = Field(description="whether even the upper bound is below the threshold")


class ProcessImpairment(Answer):
    """Whether a process is impaired, and by what."""

    process: str = Field(description="process id")
    name: str = Field(description="process name")
    stages: tuple[str, ...] = Field(description="production stage ids")
    impaired: Impaired = Field(description="'certain' (even by the upper bounds), 'possible' (by the lower) or 'no'")
    short_inputs: tuple[ShortInput, ...] = Field(description="the inputs it needs that fall short")
    via_upstream: tuple[str, ...] = Field(description="upstream processes that are impaired")


class StageImpairment(Answer):
    """The most impaired process of a stage."""

    stage: str = Field(description="stage id")
    impaired: Impaired = Field(description="'certain', 'possible' or 'no'")


class ImpairmentAnswer(_Context):
    """Processes and stages impaired because an input they need is less available than the threshold."""

    threshold_pct: float = Field(description="availability threshold, percent")
    processes: tuple[ProcessImpairment, ...] = Field(description="one row per process")
    stages: tuple[StageImpairment, ...] = Field(description="one row per stage")


class DiffSide(Answer):
    """One side of a comparison."""

    at: date = Field(description="the date")
    scenario: str = Field(description="the scenario's name, or 'baseline'")


class InputChange(Answer):
    """An input whose availability bounds differ between the two sides."""

    input: str = Field(description="input id")
    name: str = Field(description="input name")
    before_lower: float = Field(description="lower bound on the first side (fraction)")
    before_upper: float = Field(description="upper bound on the first side (fraction)")
    after_lower: float = Field(description="lower bound on the second side (fraction)")
    after_upper: float = Field(description="upper bound on the second side (fraction)")
    change_lower: float = Field(description="change of the lower bound")
    change_upper: float = Field(description="change of the upper bound")
    newly_barred: tuple[str, ...] = Field(description="providers barred on the second side only")
    no_longer_barred: tuple[str, ...] = Field(description="providers barred on the first side only")


class ListingChangeRow(Answer):
    """A screening-list entry a re-import of the list found added or removed."""

    date: str = Field(description="the newer snapshot's publication date, else the day of the re-import")
    dated_by: Literal["published", "imported"] = Field(description="which of the two dates it is")
    previous: str | None = Field(description="the earlier snapshot's publication date")
    change: ListingChange = Field(description="added or removed")
    list: str = Field(description="the list (EL, SDN ...)")
    entry: str = Field(description="the entry's name as listed")
    firms: tuple[str, ...] = Field(description="the known firms the entry matches")
    federal_register_notice: str | None = Field(description="the entry's Federal Register notice")
    since: str | None = Field(description="the entry's start date on the list")
    license_policy: str | None = Field(description="the entry's licence review policy")
    fields: tuple[str, ...] = Field(description="for a changed entry: the fields that changed")


class DiffAnswer(Answer):
    """What changes between two dates, or two scenarios, for a destination."""

    destination: str = Field(description="the destination asked about")
    from_: DiffSide = Field(alias="from", description="the first side")
    to: DiffSide = Field(description="the second side")
    rules_added: tuple[str, ...] = Field(description="rules reaching the destination on the second side only")
    rules_removed: tuple[str, ...] = Field(description="rules reaching it on the first side only")
    count: int = Field(description="how many inputs change")
    inputs: tuple[InputChange, ...] = Field(description="the inputs whose availability changes, most reduced first")
    listings_added: tuple[ListingChangeRow, ...] = Field(description="between two dates: entries of the target's "
                                                                     "firms added to the screening list")
    listings_removed: tuple[ListingChangeRow, ...] = Field(description="between two dates: entries removed")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class RulesInForceAt(Answer):
    """The date a question is asked at, and per rule the engine evaluates whether its dates put it in force."""

    at: date = Field(description="the date")
    flags: tuple[bool, ...] = Field(description="per evaluated rule (the scenario's rules with the listings "
                                                "ownership rules derive from them), whether it is in force")


# -- the data: facts, sources, checks, what the store holds ------------------------------------------------------------

Segment = Literal["all", "data_center", "mobile", "pc", "automotive", "consumer", "industrial", "telecom",
                  "government", "critical_information_infrastructure", "military", "ai_training", "ai_inference"]
Severity = Literal["error", "warning", "notice"]


class FactRow(Answer):
    """A fact (the facts table's row) with its source's publisher, date, address."""

    id: str = described(tables.FACTS, "id")
    entity: str = described(tables.FACTS, "entity")
    metric: str = described(tables.FACTS, "metric")
    product: str | None = described(tables.FACTS, "product")
    region: str | None = described(tables.FACTS, "region")
    segment: Segment | None = described(tables.FACTS, "segment")
    basis: ShareBasis | None = described(tables.FACTS, "basis")
    definition: str | None = described(tables.FACTS, "definition")
    period: str = described(tables.FACTS, "period")
    value: float = described(tables.FACTS, "value")
    unit: str = described(tables.FACTS, "unit")
    status: FactStatus = described(tables.FACTS, "status")
    default: bool | None = described(tables.FACTS, "default")
    source: str = described(tables.FACTS, "source")
    publisher: str = described(tables.SOURCES, "publisher")
    original_publisher: str | None = described(tables.SOURCES, "original_publisher")
    published: str = described(tables.SOURCES, "published")
    url: str = described(tables.SOURCES, "url")
    quote: str = described(tables.FACTS, "quote")
    note: str | None = described(tables.FACTS, "note")


class FactsAnswer(Answer):
    """Every value stated for an entity, metric and product, side by side, each with its source and status."""

    entity: str | None = Field(description="the entity asked about (its id), or null for every entity")
    metric: str | None = Field(description="the metric asked about, or null for every metric")
    product: str | None = Field(description="the product asked about (its input id), or null")
    count: int = Field(description="how many facts")
    facts: tuple[FactRow, ...] = Field(description="the facts")


class SourceUse(SourceRow):
    """A source with how many facts and rules rest on it."""

    used_by: int = Field(description="how many facts and rules rest on the source")


class SourceFact(Answer):
    """A fact resting on one of the sources listed."""

    fact: str = Field(description="the fact's id")
    source: str = described(tables.FACTS, "source")
    metric: str = described(tables.FACTS, "metric")
    period: str = described(tables.FACTS, "period")
    value: float = described(tables.FACTS, "value")
    unit: str = described(tables.FACTS, "unit")
    quote: str = described(tables.FACTS, "quote")


class SourcesAnswer(Answer):
    """Every source with how many facts and rules rest on it; or the sources behind one fact, rule, source, firm,
    input or country, with the facts resting on them."""

    sources: tuple[SourceUse, ...] = Field(description="the sources")
    facts: tuple[SourceFact, ...] = Field(description="for one id: the facts concerned (empty for every source)")


class ProblemRow(Answer):
    """A problem a check found in the data, located as precisely as the input allows."""

    severity: Severity = Field(description="error (the data is refused), warning or notice")
    check: str | None = Field(description="the check that found it")
    file: str | None = Field(description="the data file (or record, e.g. facts.3)")
    line: int | None = Field(description="the line in the file")
    field: str | None = Field(description="the field")
    message: str = Field(description="what is wrong")


class ValidationAnswer(Answer):
    """Every bundled data file and cross-reference checked."""

    ok: bool = Field(description="false when there are errors")
    errors: int = Field(description="how many errors")
    warnings: int = Field(description="how many warnings")
    notices: int = Field(description="how many notices")
    counts: dict[str, int] = Field(description="rows per table")
    problems: tuple[ProblemRow, ...] = Field(description="every problem, errors first")


class DatasetRow(Answer):
    """An imported third-party dataset."""

    id: str = Field(description="the dataset's id (cset, baci, csl)")
    title: str = Field(description="its title")
    licence: str = Field(description="its licence")
    imported_at: str = Field(description="when it was imported (ISO time)")


class Span(Answer):
    """The dates some data covers."""

    from_: date | None = Field(alias="from", description="the first day (null: no data)")
    to: date | None = Field(description="the last day (null: no data)")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ScreeningListCounts(Answer):
    """The imported screening list: its entries, their matches to known firms, the changes re-imports found."""

    entries: int = Field(description="entries of the list")
    matches_by_name: int = Field(description="matches of entries to known firms by name alone")
    firms_matched_by_name: int = Field(description="firms those matches name")
    matches: int = Field(description="matches after the reviewed decisions")
    firms_matched: int = Field(description="firms matched after the reviewed decisions")
    changes_recorded: int = Field(description="entries re-imports found added, removed or changed")


class OverviewAnswer(Answer):
    """What the store holds: counts, coverage in time, imported datasets."""

    sources: int = Field(description="sources")
    sources_by_reliability: dict[Reliability, int] = Field(description="sources per reliability")
    firms: int = Field(description="firms")
    firms_by_origin: dict[str, int] = Field(description="firms per dataset that defined them")
    countries: int = Field(description="countries, regions and aggregates")
    inputs: int = Field(description="inputs")
    inputs_by_origin: dict[str, int] = Field(description="inputs per dataset that defined them")
    facts: int = Field(description="facts")
    facts_by_category: dict[str, int] = Field(description="facts per category of metric")
    facts_by_status: dict[FactStatus, int] = Field(description="facts per status")
    market_observations: int = Field(description="facts that observe a market (shares, sizes, prices)")
    firm_financials: int = Field(description="facts from firms' financial statements")
    exchange_rates: int = Field(description="exchange-rate facts")
    restriction_rules: int = Field(description="restriction rules")
    rules_by_kind: dict[RuleKind, int] = Field(description="rules per kind")
    rules_with_gaps: int = Field(description="rules whose encoding leaves something out")
    facts_cover: Span = Field(description="the days the facts' periods cover")
    rules_cover: Span = Field(description="the days from the first rule date to the last")
    provision_rows: int = Field(description="rows of who provides what (imported datasets)")
    datasets: tuple[DatasetRow, ...] = Field(description="the imported datasets")
    attribution: tuple[str, ...] = Field(description="each imported dataset's credit line")
    screening_list: ScreeningListCounts | None = Field(description="the imported screening list (null: none)")


class AddFactsAnswer(Answer):
    """A source and its facts, checked and stored."""

    stored: dict[str, int] = Field(description="rows stored per table")
    source: str = Field(description="the source's id (prefixed user-)")
    facts: tuple[str, ...] = Field(description="the stored facts' ids (prefixed user-)")
    warnings: tuple[ProblemRow, ...] = Field(description="what the checks found short of an error")


# -- the rules timeline ----------------------------------------------------------------------------------------------

TimelineEventKind = Literal["rule announced", "rule in force", "rule announced and in force", "rule ended",
                            "listing added", "listing removed"]


class TimelineEvent(Answer):
    """One dated event: a rule announced, in force or ended, or a screening-list entry added or removed."""

    date: str = Field(description="ISO date, partial where the source gives only a month or year")
    event: TimelineEventKind = Field(description="what happened")
    id: str = Field(description="the rule's id, or the entry's list (EL, SDN ...)")
    name: str = Field(description="the rule's name, or the entry's name as listed")
    kind: RuleKind | None = Field(description="the rule's kind (null for a listing)")
    policy: str | None = Field(description="the rule's policy, or the entry's licence policy")
    firms: tuple[str, ...] = Field(description="the known firms a listing's entry matches (empty for a rule)")
    note: str | None = Field(description="a listing's Federal Register notice and the snapshots compared")


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
