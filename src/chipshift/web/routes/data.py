"""Questions about the data: overview, explorer, inputs, firms, facts, sources, search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from chipshift import api
from chipshift.api import answers
from chipshift.api import facts as facts_api
from chipshift.web.models import FactsRequest
from chipshift.web.routes import errors_doc
from chipshift.web.runtime import JSONBytes, encode
from chipshift.web.state import AppState, require_write, state

router = APIRouter(tags=["data"])
State = Annotated[AppState, Depends(state)]
NameQuery = Annotated[str | None, Query(min_length=1, max_length=200)]


@router.get("/overview", response_model=answers.OverviewAnswer, responses=errors_doc(), summary="What the store holds")
async def overview(s: State) -> JSONBytes:
    return await s.runner.json(("overview",), lambda: api.overview(s.store))


@router.get("/validate", response_model=answers.ValidationAnswer, responses=errors_doc(),
            summary="Check the bundled data")
async def validate(s: State) -> JSONBytes:
    return await s.runner.json(("validate",), lambda: api.validate_data(s.settings, s.store))


@router.get("/explorer", response_model=answers.ExplorerAnswer, responses=errors_doc(),
            summary="Stages and their inputs as a tree, with chokepoint badges")
async def explorer_tree(s: State) -> JSONBytes:
    return await s.runner.json(("explorer",), lambda: api.explorer_tree(s.store))


@router.get("/search", response_model=answers.NameSearchAnswer, responses=errors_doc(),
            summary="Inputs, firms and countries by name or alias")
async def search(s: State, q: Annotated[str, Query(min_length=1, max_length=100)],
                 limit: Annotated[int, Query(ge=1, le=100)] = 25) -> JSONBytes:
    return await s.runner.json(("search", q, limit), lambda: api.search_names(s.store, q, limit))


@router.get("/inputs/{name}", response_model=answers.InputDetailAnswer, responses=errors_doc(404),
            summary="One input: providers (countries, firms) with shares and sources, chokepoint, conflicts")
async def input_detail(s: State, name: Annotated[str, Path(min_length=1, max_length=200)]) -> JSONBytes:
    return await s.runner.json(("input", name), lambda: api.input_detail(s.store, name),
                               fields={"input": "name"}, not_found_status=404)


@router.get("/firms/{name}", response_model=answers.FirmDetailAnswer, responses=errors_doc(404),
            summary="One firm: what it supplies and every fact about it")
async def firm_detail(s: State, name: Annotated[str, Path(min_length=1, max_length=200)]) -> JSONBytes:
    return await s.runner.json(("firm", name), lambda: api.firm_detail(s.store, name),
                               fields={"firm": "name"}, not_found_status=404)


@router.get("/vocabulary", response_model=answers.VocabularyAnswer, responses=errors_doc(),
            summary="Codes the API accepts: segments, rule kinds, policies, statuses")
async def vocabulary(s: State) -> JSONBytes:
    return await s.runner.json(("vocabulary",), api.vocabulary)


@router.get("/countries", response_model=answers.CountriesAnswer, responses=errors_doc(),
            summary="Countries, regions, aggregates")
async def countries(s: State) -> JSONBytes:
    return await s.runner.json(("countries",), lambda: api.list_countries(s.store))


@router.get("/facts", response_model=answers.FactsAnswer, responses=errors_doc(),
            summary="Facts side by side, each with its source and status")
async def facts(s: State, entity: NameQuery = None, metric: Annotated[str | None, Query(max_length=100)] = None,
                product: NameQuery = None) -> JSONBytes:
    return await s.runner.json(("facts", entity, metric, product),
                               lambda: api.list_facts(s.store, entity, metric, product),
                               fields={"input": "product", "fact, rule, source, firm, input or country": "entity"})


@router.post("/facts", status_code=201, dependencies=[Depends(require_write)],
             response_model=answers.AddFactsAnswer, responses=errors_doc(401),
             summary="Add facts resting on one source (needs the write token): checked as the bundled data is, "
                     "stored with ids prefixed 'user-'")
async def add_facts(s: State, body: FactsRequest) -> JSONBytes:
    answer = await s.runner.write(lambda: facts_api.add_facts(s.store, body.source, body.facts))
    return JSONBytes(encode(answer), status_code=201)


@router.get("/sources", response_model=answers.SourcesWithFactsAnswer | answers.SourcesAnswer,
            responses=errors_doc(),
            summary="Every source with the facts and rules resting on it (or the sources behind one id)")
async def sources(s: State, for_: Annotated[str | None, Query(alias="for", min_length=1, max_length=200)] = None
                  ) -> JSONBytes:
    if for_ is None:
        return await s.runner.json(("sources",), lambda: api.sources_with_facts(s.store))
    return await s.runner.json(("sources-for", for_), lambda: api.list_sources(s.store, for_))


@router.get("/sources/{source_id}", response_model=answers.SourceAnswer, responses=errors_doc(404),
            summary="One source with its facts and rules")
async def source_detail(s: State, source_id: Annotated[str, Path(min_length=1, max_length=200)]) -> JSONBytes:
    return await s.runner.json(("source", source_id), lambda: api.show_source(s.store, source_id),
                               fields={"source": "source_id"}, not_found_status=404)
