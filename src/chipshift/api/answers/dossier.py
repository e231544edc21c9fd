"""The dossier: everything about one firm, input or country at a date, with every source its rows cite. One model
per kind of entity; ``entity_kind`` tells them apart."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from chipshift.api.answers.base import Answer, Policy, Reliability, RuleKind, described
from chipshift.api.answers.concentration import InputLocalization, PublishedLocalization
from chipshift.api.answers.data import FactRow
from chipshift.api.answers.entities import FirmAnswer, InputAnswer
from chipshift.api.answers.rules import RuleInForce
from chipshift.api.answers.supply import InputExposure, StageExposure
from chipshift.schemas import tables


class DossierHead(Answer):
    """What a dossier is about, and its date."""

    entity: str = Field(description="the entity's id")
    entity_kind: Literal["firm", "input", "country"] = Field(description="what the entity is")
    at: date = Field(description="the date the rules are read at")


class CitedSource(Answer):
    """A source a row of the dossier cites."""

    id: str = described(tables.SOURCES, "id")
    publisher: str = described(tables.SOURCES, "publisher")
    original_publisher: str | None = described(tables.SOURCES, "original_publisher")
    title: str = described(tables.SOURCES, "title")
    published: str = described(tables.SOURCES, "published")
    url: str = described(tables.SOURCES, "url")
    reliability: Reliability = described(tables.SOURCES, "reliability")


class ScenarioChange(Answer):
    """What one saved scenario changes for the entity against the baseline at the date."""

    scenario: str = Field(description="the scenario's reference ('saved:ID')")
    name: str = described(tables.SCENARIOS, "name")
    inputs_changed: int = Field(description="how many inputs' availability it changes")
    inputs: tuple[str, ...] = Field(description="those inputs (ids)")
    rules_added: tuple[str, ...] = Field(description="rules reaching the entity under the scenario only")
    rules_removed: tuple[str, ...] = Field(description="rules reaching it on the baseline only")


class SellerRule(Answer):
    """A rule in force that bars or licenses the firm's own sales (as a seller), on the baseline."""

    id: str = described(tables.RULES, "id")
    name: str = described(tables.RULES, "name")
    kind: RuleKind = described(tables.RULES, "kind")
    imposed_by: str = described(tables.RULES, "imposed_by")
    policy: Policy | None = described(tables.RULES, "policy")
    start: str | None = Field(description="the date it took effect (ISO, partial)")
    reach: Literal["certain", "maybe"] = Field(description="whether it surely binds the firm's sales of the inputs")
    inputs: tuple[str, ...] = Field(description="the inputs the firm supplies that it covers")
    buyers_cut_off: str = Field(description="whom it cuts off, in short ('any buyer' when it names none)")
    relaxed_by: tuple[str, ...] = Field(description="the relaxations in force that relax it")
    source: str = described(tables.RULES, "source")


class HeadquarteredFirm(Answer):
    """A firm headquartered in the country."""

    id: str = described(tables.FIRMS, "id")
    name: str = described(tables.FIRMS, "name")


class FirmDossier(FirmAnswer, DossierHead):
    """A firm's dossier: ``show_firm`` with the rules reaching it as a buyer and binding its sales, what the saved
    scenarios change for it, and the sources cited."""

    entity_kind: Literal["firm"] = Field(description="what the entity is")
    rules_reaching_it: tuple[RuleInForce, ...] = Field(description="the rules in force reaching it as a buyer")
    rules_binding_its_sales: tuple[SellerRule, ...] = Field(description="the rules in force binding its sales")
    scenario_changes: tuple[ScenarioChange, ...] = Field(description="what each saved scenario changes for it")
    sources: tuple[CitedSource, ...] = Field(description="every source its rows cite, by id")


class InputDossier(InputAnswer, DossierHead):
    """An input's dossier: ``show_input`` and the sources cited."""

    entity_kind: Literal["input"] = Field(description="what the entity is")
    sources: tuple[CitedSource, ...] = Field(description="every source its rows cite, by id")


class CountryDossier(DossierHead):
    """A country's dossier: its facts and firms, the rules reaching it, its exposure and self-sufficiency, what the
    saved scenarios change for it, and the sources cited."""

    entity_kind: Literal["country"] = Field(description="what the entity is")
    name: str = described(tables.COUNTRIES, "name")
    facts: tuple[FactRow, ...] = Field(description="every fact about the country")
    firms_headquartered: tuple[HeadquarteredFirm, ...] = Field(description="the firms headquartered in it")
    rules_reaching_it: tuple[RuleInForce, ...] = Field(description="the rules in force reaching it")
    exposure_by_stage: tuple[StageExposure, ...] = Field(description="its exposure per stage (as exposure gives)")
    exposure_by_input: tuple[InputExposure, ...] = Field(description="its exposure per input (as exposure gives)")
    localization_by_input: tuple[InputLocalization, ...] = Field(description="its self-sufficiency per input (as "
                                                                             "localization gives)")
    localization_published: tuple[PublishedLocalization, ...] = Field(description="published localization "
                                                                                  "estimates")
    scenario_changes: tuple[ScenarioChange, ...] = Field(description="what each saved scenario changes for it")
    sources: tuple[CitedSource, ...] = Field(description="every source its rows cite, by id")


#: A dossier of any kind of entity.
DossierAnswer = Annotated[FirmDossier | InputDossier | CountryDossier, Field(discriminator="entity_kind")]
