"""Market-model results: list the shipped market cases, run one (calibration, bands, sensitivity), compare two."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from chipshift.api import market as market_api
from chipshift.web import market
from chipshift.web.models import MarketCompareRequest, MarketRunRequest
from chipshift.web.routes import JSON_OBJECT, errors_doc
from chipshift.web.runtime import JSONBytes
from chipshift.web.state import AppState, state

router = APIRouter(tags=["market"])
State = Annotated[AppState, Depends(state)]


async def _digest(s: AppState, case: str, field: str) -> str:
    """The case's content digest (part of the cache key); 422 naming ``field`` for an unknown case."""
    digest: str = await s.runner.run(lambda: market_api.case_digest(market.case_path(s.catalog, case)),
                                     fields={"market case": field})
    return digest


@router.get("/market/cases", responses={**JSON_OBJECT, **errors_doc()},
            summary="The shipped market cases (scenario files of kind 'market')")
async def market_cases(s: State) -> JSONBytes:
    return await s.runner.json(None, lambda: market.cases(s.catalog))


@router.post("/market/run", responses={**JSON_OBJECT, **errors_doc(429)},
             summary="Run a market case: calibrate, run over the years, Monte Carlo bands, sensitivity")
async def market_run(s: State, body: MarketRunRequest) -> JSONBytes:
    digest = await _digest(s, body.case, "case")

    def answer() -> dict[str, Any]:
        return market.run(s.store, s.catalog, body.case, body.draws, body.seed, body.parameters)

    overrides = tuple(sorted(body.parameters.items()))
    return await s.runner.json(("market-run", body.case, digest, body.draws, body.seed, overrides), answer,
                               fields={"market case": "case"}, timeout_s=s.runner.limits.market_timeout_s,
                               market=True)


@router.post("/market/compare", responses={**JSON_OBJECT, **errors_doc(429)},
             summary="Two market cases: differences (b - a) by output and year")
async def market_compare(s: State, body: MarketCompareRequest) -> JSONBytes:
    key = ("market-compare", body.a, await _digest(s, body.a, "a"), body.b, await _digest(s, body.b, "b"))
    return await s.runner.json(key, lambda: market.compare(s.store, s.catalog, body.a, body.b),
                               timeout_s=s.runner.limits.market_timeout_s, market=True)
