"""Impairment of processes and stages, and what changes between two dates or scenarios."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from chipshift.api.answers.base import (
    Answer,
    DestinationContext,
    Impaired,
    InputNamed,
    ListingChange,
)


class ShortInput(InputNamed):
    """An input a process needs that falls below the threshold."""

    available_lower_pct: float = Field(description="available share, lower bound (percent of world supply)")
    available_upper_pct: float = Field(description="available share, upper bound (percent)")
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


class ImpairmentAnswer(DestinationContext):
    """Processes and stages impaired because an input they need is less available than the threshold."""

    threshold_pct: float = Field(description="availability threshold, percent")
    processes: tuple[ProcessImpairment, ...] = Field(description="one row per process")
    stages: tuple[StageImpairment, ...] = Field(description="one row per stage")


class DiffSide(Answer):
    """One side of a comparison."""

    at: date = Field(description="the date")
    scenario: str = Field(description="the scenario's name, or 'baseline'")


class InputChange(InputNamed):
    """An input whose availability bounds differ between the two sides."""

    before_lower_pct: float = Field(description="available share on the first side, lower bound (percent of world "
                                                "supply)")
    before_upper_pct: float = Field(description="available share on the first side, upper bound (percent)")
    after_lower_pct: float = Field(description="available share on the second side, lower bound (percent)")
    after_upper_pct: float = Field(description="available share on the second side, upper bound (percent)")
    change_lower_pct: float = Field(description="change of the lower bound, in percentage points")
    change_upper_pct: float = Field(description="change of the upper bound, in percentage points")
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
    rule_names: dict[str, str] = Field(default_factory=dict, description="the name of each rule `rules_added` and "
                                                                          "`rules_removed` name, by its id")
    count: int = Field(description="how many inputs change")
    inputs: tuple[InputChange, ...] = Field(description="the inputs whose availability changes, most reduced first")
    listings_added: tuple[ListingChangeRow, ...] = Field(description="between two dates: entries of the target's "
                                                                     "firms added to the screening list")
    listings_removed: tuple[ListingChangeRow, ...] = Field(description="between two dates: entries removed")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
