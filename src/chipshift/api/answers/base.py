"""What every answer shares: the base model, the coded values, the header of the answers about a destination, and
the sources table's row."""

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
#: Whether an input (or a rule's products) lies on the semiconductor supply chain or outside it.
Chain = Literal["semiconductors", "other"]
ListingChange = Literal["added", "removed"]
Segment = Literal["all", "data_center", "mobile", "pc", "automotive", "consumer", "industrial", "telecom",
                  "government", "critical_information_infrastructure", "military", "ai_training", "ai_inference",
                  "advanced_fabs"]
Severity = Literal["error", "warning", "notice"]
InputKind = Literal["product_group", "chip", "tool_resource", "material_resource", "design_resource", "process",
                    "ultimate_output", "raw_material", "software"]
InputRelation = Literal["is_type_of", "goes_into"]
#: The screening lists' short codes (the Consolidated Screening List's lists).
ScreeningList = Literal["EL", "DPL", "UVL", "MEU", "SDN", "SSI", "CMIC", "NS-MBS", "PLC", "CAP", "DTC", "ISN"]
TimelineEventKind = Literal["rule announced", "rule in force", "rule announced and in force", "rule lifted",
                            "rule narrowed", "rule back in force", "rule ended", "listing added", "listing removed"]
#: How a rule holds over a stretch of time, as relaxations of it come into force and end.
StandingState = Literal["in force", "narrowed", "lifted"]


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


class InputNamed(Answer):
    """A row about one input: its id and name first."""

    input: str = Field(description="input id")
    name: str = Field(description="input name")


class InputRow(InputNamed):
    """A row about one input with the production stages it belongs to."""

    stages: tuple[str, ...] = Field(description="production stage ids (S1 design, S2 fabrication, S3 ATP)")


# -- what every answer about a destination says of itself ---------------------------------------------------------

class ScenarioRef(Answer):
    """The scenario an answer was computed under."""

    name: str = Field(description="the scenario's name")
    digest: str = Field(description="a digest of the scenario's content (two answers with the same digest used "
                                    "the same rules)")
    file: str | None = Field(description="the scenario's file name, if it came from a file")


class DestinationContext(Answer):
    """What every answer about a destination says of itself: the destination, the date, the scenario, and who
    the shares and rules come from."""

    destination: str | None = Field(description="the destination asked about: a country id, 'firm/COUNTRY' for a "
                                                "firm, with '[segment]' when a segment is named")
    at: date | None = Field(description="the date the rules are read at (null for a series: see from, to, dates)")
    scenario: ScenarioRef | None = Field(description="the scenario, or null for the bundled rules (baseline)")
    data_sources: tuple[str, ...] = Field(description="who the shares and market sizes come from: each imported "
                                                      "dataset's credit line, and the bundled data")


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
