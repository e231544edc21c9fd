"""Market-model results: list the shipped market cases, run one (calibration, bands, sensitivity), compare two."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from chipshift.api import answers
from chipshift.api import market_runs as market_api
from chipshift.api.backtest import library_error_value
from chipshift.web import compute
from chipshift.web import market_cases as market
from chipshift.web.errors import ApiError
from chipshift.web.learning import StillLearning
from chipshift.web.models import MarketCompareRequest, MarketRunRequest
from chipshift.web.routes import errors_doc
from chipshift.web.runtime import JSONBytes
from chipshift.web.state import AppState, state

router = APIRouter(tags=["market"])
State = Annotated[AppState, Depends(state)]


async def _digest(s: AppState, case: str, field: str) -> str:
    """The case's content digest (part of the cache key); 422 naming ``field`` for an unknown case."""
    digest: str = await s.runner.run(lambda: market_api.case_digest(market.case_path(s.catalog, case)),
                                     fields={"market case": field})
    return digest


@router.get("/market/cases", response_model=answers.MarketCasesAnswer, responses=errors_doc(),
            summary="The shipped market cases (scenario files of kind 'market')")
async def market_cases(s: State) -> JSONBytes:
    return await s.runner.json(None, lambda: market.cases(s.catalog, s.store))


@router.post("/market/run", response_model=answers.MarketRunAnswer, responses=errors_doc(429),
             summary="Run a market case: calibrate, run over the years, Monte Carlo bands, sensitivity")
async def market_run(s: State, body: MarketRunRequest) -> JSONBytes:
    digest = await _digest(s, body.case, "case")
    overrides = tuple(sorted(body.parameters.items()))
    call = compute.Call(compute.market_run, (body.case, body.draws, body.seed, dict(body.parameters)),
                        first=await _learned(s, body.draws))
    return await s.runner.compute(("market-run", body.case, digest, body.draws, body.seed, overrides), call,
                                  market=True, fields={"market case": "case"},
                                  timeout_s=s.runner.limits.market_timeout_s)


@router.post("/market/compare", response_model=answers.MarketComparisonAnswer, responses=errors_doc(429),
             summary="Two runs side by side (variants of one case, or two cases): b - a by output and period")
async def market_compare(s: State, body: MarketCompareRequest) -> JSONBytes:
    resolved: dict[str, Any] = {}
    for ref, field in ((body.a_scenario, "a_scenario"), (body.b_scenario, "b_scenario")):
        if ref is not None:  # an unknown reference is named by its own field, before any run
            resolved[ref] = await s.runner.run(functools.partial(s.catalog.resolve, s.store, ref),
                                               fields={"scenario": field})
    key = ("market-compare", body.a, await _digest(s, body.a, "a"), body.b,
           await _digest(s, body.b, "b") if body.b else None, tuple(sorted(body.a_parameters.items())),
           tuple(sorted(body.b_parameters.items())), s.catalog.cache_key(body.a_scenario),
           s.catalog.cache_key(body.b_scenario), body.draws, body.seed)
    options = {"a": body.a, "b": body.b, "a_parameters": dict(body.a_parameters),
               "b_parameters": dict(body.b_parameters), "a_scenario": body.a_scenario,
               "b_scenario": body.b_scenario, "draws": body.draws, "seed": body.seed}
    call = compute.Call(compute.market_compare, (resolved, options), first=await _learned(s, body.draws))
    return await s.runner.compute(key, call, market=True,
                                  fields={"market case": "a"}, timeout_s=s.runner.limits.market_timeout_s)


async def _learned(s: AppState, draws: int) -> compute.Call | None:
    """Bands (draws) carry the model's error learned from the back-test library. With a learner (``chipshift
    serve``), a run is refused at once with 429 and Retry-After while it learns, and is then given the error;
    without one (or when learning failed) a worker process learns it first, under its own limit, when the store's
    data changed since it last did."""
    if not draws:
        return None
    learner = s.learner
    if learner is not None:
        try:
            learned = await s.runner.run(learner.require)
        except StillLearning as exc:
            raise ApiError(429, exc.message, "draws", headers={"Retry-After": str(exc.retry_after)}) from None
        if learned is not None:
            return compute.Call(compute.use_error, (learned.version, library_error_value(learned.error)))
    return compute.Call(compute.learn_track_record)
