"""Questions about restrictions: the rules timeline, one rule, rules in force, availability, exposure,
chokepoints, localization, impairment and differences. ``scenario`` takes a reference (see
GET /api/v1/scenarios): 'baseline', 'example:NAME' or 'saved:ID'."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from chipshift import api
from chipshift.api import answers
from chipshift.api.comparisons import BASELINE_DOC
from chipshift.domain.rules import RuleKind
from chipshift.errors import NotFoundError
from chipshift.schemas.vocabulary import SEGMENTS
from chipshift.web import periods
from chipshift.web.errors import ApiError
from chipshift.web.routes import day, errors_doc
from chipshift.web.runtime import JSONBytes
from chipshift.web.scenarios import SCENARIO_REFERENCE, ScenarioArg
from chipshift.web.state import AppState, state

router = APIRouter(tags=["restrictions"])
State = Annotated[AppState, Depends(state)]
Target = Annotated[str, Query(min_length=1, max_length=100, description="country (ISO3 or name) or firm")]
At = Annotated[date | None, Query(description="date of evaluation (default: the scenario's, else today)")]
# The vocabularies are declared in the OpenAPI document; the handlers check the values themselves, so a wrong one
# is answered 422 with the nearest names.
Segment = Annotated[str | None, Query(min_length=1, max_length=50, description="end-use segment",
                                      json_schema_extra={"enum": list(SEGMENTS)})]
Ref = Annotated[str | None, Query(max_length=120, description="'baseline', 'example:NAME' or 'saved:ID'",
                                  json_schema_extra={"pattern": SCENARIO_REFERENCE})]
FIELDS = {"country or firm": "target", "input": "input", "segment": "segment", "country": "country"}


def resolve(s: AppState, ref: str | None, field: str = "scenario") -> ScenarioArg:
    """A scenario reference for the API; an unknown one is a 422 naming ``field``."""
    try:
        return s.catalog.resolve(s.store, ref)
    except NotFoundError as exc:
        raise ApiError(422, f"{field}: {exc}", field, suggestions=exc.suggestions) from None


def scenario_key(s: AppState, ref: str | None) -> str:
    """The cache key of a scenario reference; answers about the bundled rules (no reference) do not depend on
    the saved scenarios, so saving one leaves them cached."""
    return s.catalog.cache_key(ref or "baseline")


@router.get("/rules", response_model=answers.RuleSearchAnswer, responses=errors_doc(),
            summary="Timeline of every rule, filtered by imposer, kind, target, product, date range and supply chain")
async def rules_timeline(
    s: State,
    imposer: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    kind: Annotated[str | None, Query(min_length=1, max_length=50,
                                      json_schema_extra={"enum": [k.value for k in RuleKind]})] = None,
    target: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    product: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    status: Annotated[Literal["official", "reported", "hypothetical"] | None, Query()] = None,
    chain: Annotated[Literal["semiconductors", "other"] | None, Query()] = None,
) -> JSONBytes:
    if start and end and start > end:
        raise ApiError(422, "field 'from': must not be after 'to'", "from")
    return await s.runner.json(
        ("rules", imposer, kind, target, product, start, end, status, chain),
        lambda: api.restrictions_search(s.store, imposer, kind, target, product, start, end, status, chain),
        fields={"country or firm": "target", "input": "product", "kind": "kind", "status": "status",
                "chain": "chain"})


@router.get("/rules/{rule_id}", response_model=answers.RuleAnswer, responses=errors_doc(404),
            summary="One rule: its fields, its source and the inputs it reaches")
async def rule_detail(s: State, rule_id: Annotated[str, Path(min_length=1, max_length=100)]) -> JSONBytes:
    return await s.runner.json(("rule", rule_id), lambda: api.restriction_show(s.store, rule_id),
                               fields={"rule": "rule_id"}, not_found_status=404)


@router.get("/restrictions", response_model=answers.RestrictionsAnswer, responses=errors_doc(),
            summary="Rules in force for a target at a date, whole or partial reach")
async def restrictions(s: State, target: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
                       at: At = None, segment: Segment = None, scenario: Ref = None) -> JSONBytes:
    return await s.runner.json(
        ("restrictions", target, day(at), segment, scenario_key(s, scenario)),
        lambda: api.restrictions_list(s.store, target, at, resolve(s, scenario), segment), fields=FIELDS)


@router.get("/availability", response_model=answers.AvailabilityAnswer, responses=errors_doc(),
            summary="Share of each input's world supply the target may still buy")
async def availability(s: State, target: Target = "CHN", input: Annotated[str | None, Query(max_length=200)] = None,
                       at: At = None, segment: Segment = None, scenario: Ref = None,
                       view: Annotated[Literal["country", "firm"] | None, Query()] = None) -> JSONBytes:
    return await s.runner.json(
        ("availability", target, input, day(at), segment, view, scenario_key(s, scenario)),
        lambda: api.availability(s.store, target, input or None, at, resolve(s, scenario), segment, view),
        fields=FIELDS)


@router.get("/exposure", response_model=answers.ExposureAnswer, responses=errors_doc(),
            summary="Barred share by input and by stage, for a target at a date")
async def exposure(s: State, target: Target = "CHN", at: At = None, segment: Segment = None,
                   scenario: Ref = None) -> JSONBytes:
    key = scenario_key(s, scenario)
    return await s.runner.json(
        ("exposure", target, day(at), segment, key),
        lambda: periods.exposure(s.context, target, at, resolve(s, scenario), key, segment), fields=FIELDS)


def _key(when: date | None) -> str:
    """A cache-key part for a date of a range that may be left to the scenario or the default (None: not given;
    the default's end is today, so the day is part of the key)."""
    return when.isoformat() if when else f"unset@{date.today().isoformat()}"


RangeNote = ("; what is not given comes from the scenario's range of dates (its 'over'), else 1 January of each "
             "of the five years before the last date (default today), and that date")
OwnFrom = Annotated[date | None, Query(alias="from", description="first date of the series" + RangeNote)]
OwnTo = Annotated[date | None, Query(alias="to", description="last date of the series" + RangeNote)]
OwnEvery = Annotated[str | None, Query(min_length=2, max_length=6, pattern=r"^[0-9]+[ymd]$",
                                       description="step: a whole number of years, months or days (1y, 6m, 30d)"
                                                   + RangeNote)]
DefaultNote = ("; what is not given comes from the default: 1 January of each of the five years before the last "
               "date (default today), and that date, every year")
DefaultFrom = Annotated[date | None, Query(alias="from", description="first date of the series" + DefaultNote)]
DefaultTo = Annotated[date | None, Query(alias="to", description="last date of the series" + DefaultNote)]
DefaultEvery = Annotated[str | None, Query(min_length=2, max_length=6, pattern=r"^[0-9]+[ymd]$",
                                           description="step: a whole number of years, months or days (1y, 6m, "
                                                       "30d)" + DefaultNote)]


@router.get("/exposure/series", response_model=answers.ExposureSeriesAnswer,
            responses=errors_doc(),
            summary="Barred share by stage at every date of a range, with the rules that started or ended")
async def exposure_series(s: State, start: OwnFrom = None, end: OwnTo = None, target: Target = "CHN",
                          every: OwnEvery = None, segment: Segment = None, scenario: Ref = None) -> JSONBytes:
    return await s.runner.json(
        ("exposure-series", target, _key(start), _key(end), every, segment, scenario_key(s, scenario)),
        lambda: api.exposure_over_time(s.store, target, start, end, every, resolve(s, scenario), segment),
        fields=FIELDS)


@router.get("/availability/series", response_model=answers.AvailabilitySeriesAnswer,
            responses=errors_doc(),
            summary="Available share of each input (or one) at every date of a range")
async def availability_series(s: State, start: OwnFrom = None, end: OwnTo = None, target: Target = "CHN",
                              input: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
                              every: OwnEvery = None, segment: Segment = None, scenario: Ref = None) -> JSONBytes:
    return await s.runner.json(
        ("availability-series", target, input, _key(start), _key(end), every, segment, scenario_key(s, scenario)),
        lambda: api.availability_over_time(s.store, target, start, end, every, input, resolve(s, scenario),
                                           segment), fields=FIELDS)


@router.get("/dossier/{entity}", response_model=answers.DossierAnswer, responses=errors_doc(404),
            summary="Everything about a firm, an input or a country: facts, supplies, rules, listings, scenarios")
async def dossier(s: State, entity: Annotated[str, Path(min_length=1, max_length=200)], at: At = None) -> JSONBytes:
    return await s.runner.json(("dossier", entity, day(at), s.catalog.cache_key(None)),
                               lambda: api.dossier(s.store, entity, at),
                               fields={"firm, input or country": "entity"}, not_found_status=404)


@router.get("/chokepoints", response_model=answers.ChokepointsAnswer, responses=errors_doc(),
            summary="Inputs where one country holds at least the threshold share")
async def chokepoints(s: State, threshold: Annotated[float, Query(ge=0, le=100, description="share in percent "
                                                                                             "(0-100)")] = 80.0,
                      coalition: Annotated[list[str] | None, Query(max_length=30)] = None,
                      all: Annotated[bool, Query(description="list every input, not only those above")] = False,
                      ) -> JSONBytes:
    members = [c for c in coalition or [] if c] or None
    return await s.runner.json(
        ("chokepoints", threshold, tuple(members or ()), all),
        lambda: api.chokepoints(s.store, threshold, members, all), fields={"country": "coalition"})


@router.get("/localization", response_model=answers.LocalizationAnswer, responses=errors_doc(),
            summary="Self-sufficiency of a country by input, beside published estimates")
async def localization(s: State, country: Annotated[str, Query(min_length=1, max_length=100)] = "CHN",
                       input: Annotated[str | None, Query(max_length=200)] = None) -> JSONBytes:
    return await s.runner.json(("localization", country, input),
                               lambda: api.localization(s.store, country, input or None), fields=FIELDS)


@router.get("/localization/series", response_model=answers.LocalizationSeriesAnswer, responses=errors_doc(),
            summary="A country's share of each input's world supply at every date of a range")
async def localization_series(s: State, start: DefaultFrom = None, end: DefaultTo = None,
                              country: Annotated[str, Query(min_length=1, max_length=100)] = "CHN",
                              input: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
                              every: DefaultEvery = None) -> JSONBytes:
    return await s.runner.json(
        ("localization-series", country, input, _key(start), _key(end), every),
        lambda: api.localization_over_time(s.store, country, start, end, every, input), fields=FIELDS)


@router.get("/impairment", response_model=answers.ImpairmentAnswer, responses=errors_doc(),
            summary="Processes and stages impaired for a target")
async def impairment(s: State, target: Target = "CHN", at: At = None, scenario: Ref = None,
                     threshold: Annotated[float, Query(ge=0, le=100, description="availability in percent "
                                                                                  "(0-100) below which an input "
                                                                                  "impairs the processes it "
                                                                                  "feeds")] = 50.0) -> JSONBytes:
    return await s.runner.json(
        ("impairment", target, day(at), threshold, scenario_key(s, scenario)),
        lambda: api.impairment(s.store, target, at, resolve(s, scenario), threshold), fields=FIELDS)


@router.get("/diff", response_model=answers.DiffAnswer, responses=errors_doc(),
            summary="What changes between two dates, or two scenarios")
async def diff(s: State, target: Target = "CHN", at: At = None, to: At = None, scenario: Ref = None,
               against: Ref = None, segment: Segment = None) -> JSONBytes:
    def answer() -> answers.DiffAnswer:
        before = resolve(s, scenario)
        after = (resolve(s, against, "against") or BASELINE_DOC) if against else None
        return api.diff(s.store, target, at, to, before, after, segment)

    return await s.runner.json(
        ("diff", target, day(at), day(to) if to else None, segment, scenario_key(s, scenario),
         s.catalog.cache_key(against) if against else None), answer, fields=FIELDS)
