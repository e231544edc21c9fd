"""Property tests of the API against its own OpenAPI spec (schemathesis), a bounded number of examples
per operation: no server errors, status codes and content types as documented, bodies as declared."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.openapi.checks import JsonSchemaError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.web.conftest import AUTH, EXAMPLES, TOKEN

from chipshift.config import Settings
from chipshift.io.store import Store
from chipshift.web import create_app
from chipshift.web.runtime import Limits

EXAMPLES_PER_OPERATION = 10
#: How long the client waits for an answer: a series of up to 400 dates on a loaded machine takes longer than
#: schemathesis's default of 10 s, and this test is about what answers say, not how fast they come.
RESPONSE_TIMEOUT_S = 120.0
Operation = schemathesis.APIOperation[Any, Any, Any, Any]


@pytest.fixture(scope="module")
def operations(web_settings: Settings, web_store: Store) -> Iterator[list[Operation]]:
    # an app of its own: schemathesis starts and stops the app it calls, and stopping an app closes its
    # thread pools, which the session's other clients go on using. Its time limit is generous: this test is
    # about what answers say, and a loaded machine must not turn a slow answer into the time limit's 503
    # (the limit itself is tested apart)
    app = create_app(web_settings, write_token=TOKEN, store=web_store, examples_dir=EXAMPLES,
                     limits=Limits(run_timeout_s=300.0))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    found: list[Operation] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        found.append(result.ok())
    yield found


def test_api_conforms_to_its_spec(operations: list[Operation]) -> None:
    assert len(operations) >= 25
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy(), data=st.data())
        @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case[Operation], data: st.DataObject) -> None:
            response = case.call(headers=AUTH if data.draw(st.booleans()) else None, timeout=RESPONSE_TIMEOUT_S)
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
            case.validate_response(response, checks=[status_code_conformance, content_type_conformance,
                                                     response_schema_conformance])

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.label}: {exc}"[:800])
    assert not failures, "\n".join(failures)


#: The operations whose 200 answers are typed, and the model each declares.
TYPED = {"/api/v1/rules": "RuleSearchAnswer", "/api/v1/rules/{rule_id}": "RuleAnswer",
         "/api/v1/restrictions": "RestrictionsAnswer",
         "/api/v1/availability": "AvailabilityAnswer", "/api/v1/availability/series": "AvailabilitySeriesAnswer",
         "/api/v1/exposure": "ExposureAnswer", "/api/v1/exposure/series": "ExposureSeriesAnswer",
         "/api/v1/chokepoints": "ChokepointsAnswer", "/api/v1/localization": "LocalizationAnswer",
         "/api/v1/localization/series": "LocalizationSeriesAnswer",
         "/api/v1/impairment": "ImpairmentAnswer", "/api/v1/diff": "DiffAnswer",
         "/api/v1/overview": "OverviewAnswer", "/api/v1/validate": "ValidationAnswer", "/api/v1/facts": "FactsAnswer",
         "/api/v1/scenarios": "ScenarioListAnswer", "/api/v1/market/cases": "MarketCasesAnswer",
         "/api/v1/search": "NameSearchAnswer", "/api/v1/countries": "CountriesAnswer",
         "/api/v1/vocabulary": "VocabularyAnswer", "/api/v1/sources/{source_id}": "SourceAnswer",
         "/api/v1/explorer": "ExplorerAnswer", "/api/v1/inputs/{name}": "InputDetailAnswer",
         "/api/v1/firms/{name}": "FirmDetailAnswer", "/api/v1/scenarios/{ref}": "ScenarioDocument"}


def test_typed_answers_are_declared_with_their_enums(operations: list[Operation]) -> None:
    spec = operations[0].schema.raw_schema
    for path, model in TYPED.items():
        declared = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert declared == {"$ref": f"#/components/schemas/{model}"}, path
    sources = spec["paths"]["/api/v1/sources"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert sources["anyOf"] == [{"$ref": "#/components/schemas/SourcesWithFactsAnswer"},
                                {"$ref": "#/components/schemas/SourcesAnswer"}], sources  # every source, or one id's
    dossier = spec["paths"]["/api/v1/dossier/{entity}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert dossier["schema"]["discriminator"]["propertyName"] == "entity_kind", dossier  # one model per kind
    for path, model in (("/api/v1/run", "ScenarioRunAnswer"), ("/api/v1/compare", "ScenarioComparisonAnswer"),
                        ("/api/v1/scenarios/check", "ScenarioCheckAnswer"),
                        ("/api/v1/scenarios/upload", "ScenarioUploadAnswer"),
                        ("/api/v1/market/run", "MarketRunAnswer"), ("/api/v1/market/compare", "MarketComparisonAnswer"),
                        ("/api/v1/ingest", "IngestAnswer")):
        ran = spec["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ran == {"$ref": f"#/components/schemas/{model}"}, path
    for path, model in (("/api/v1/facts", "AddFactsAnswer"), ("/api/v1/ingest/accept", "IngestAnswer")):
        posted = spec["paths"][path]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
        assert posted == {"$ref": f"#/components/schemas/{model}"}, path
    schemas = spec["components"]["schemas"]
    assert "data_center" in str(schemas["FactRow"]["properties"]["segment"])
    kind = schemas["RuleInForce"]["properties"]["kind"]
    assert "entity_listing" in kind["enum"], kind
    assert "presumption_of_denial" in str(schemas["RuleInForce"]["properties"]["policy"])
    assert set(schemas["AvailabilityAnswer"]["required"]) >= {"destination", "at", "inputs"}


def test_no_answer_is_a_bare_object(operations: list[Operation]) -> None:
    """Every JSON answer of every operation declares its model: none is a bare object or an empty schema (the
    scenario's YAML answers are YAML)."""
    spec = operations[0].schema.raw_schema
    bare = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                declared = response.get("content", {}).get("application/json")
                if status.startswith("2") and declared is not None:
                    schema = declared.get("schema", {})
                    if not ({"$ref", "anyOf", "oneOf"} & set(schema)):
                        bare.append(f"{method.upper()} {path} {status}: {schema}")
                elif status.startswith("2"):
                    assert set(response.get("content", {})) == {"application/yaml"}, (method, path, status)
    assert not bare, bare


def test_a_body_that_breaks_its_declared_schema_fails_the_check(operations: list[Operation],
                                                              client: TestClient) -> None:
    """The conformance check reads the declared schemas: an answer with a key missing, or a value of the wrong
    type, fails it."""
    operation = next(o for o in operations if o.path == "/api/v1/chokepoints")
    case = operation.Case(query={"threshold": 90})
    response = Response.from_any(client.get("/api/v1/chokepoints", params={"threshold": 90}))
    assert response.status_code == 200
    case.validate_response(response, checks=[response_schema_conformance])
    body = json.loads(response.content)
    for broken in ({k: v for k, v in body.items() if k != "inputs"}, {**body, "count": "many"},
                   {**body, "inputs": [{**body["inputs"][0], "basis": "guess"}]}):
        wrong = Response(response.status_code, response.headers, json.dumps(broken).encode(), response.request,
                         response.elapsed, response.verify)
        with pytest.raises(FailureGroup) as failed:
            case.validate_response(wrong, checks=[response_schema_conformance])
        assert [type(e) for e in failed.value.exceptions] == [JsonSchemaError]


def _refused(case: schemathesis.Case[Operation], response: Response, broken: dict[str, Any]) -> None:
    """The conformance check fails ``broken`` given in place of the response's body."""
    wrong = Response(response.status_code, response.headers, json.dumps(broken).encode(), response.request,
                     response.elapsed, response.verify)
    with pytest.raises(FailureGroup) as failed:
        case.validate_response(wrong, checks=[response_schema_conformance])
    assert [type(e) for e in failed.value.exceptions] == [JsonSchemaError]


def test_the_listings_check_their_bodies(operations: list[Operation], client: TestClient) -> None:
    """The rules search, the scenario listing and the market cases are typed too: their own bodies pass, a body
    with a key missing, a coded value outside its set or a value of the wrong type fails."""
    for path in ("/api/v1/rules", "/api/v1/scenarios", "/api/v1/market/cases", "/api/v1/countries"):
        operation = next(o for o in operations if o.path == path and o.method.upper() == "GET")
        case = operation.Case()
        response = Response.from_any(client.get(path))
        assert response.status_code == 200, path
        case.validate_response(response, checks=[response_schema_conformance])
        body = json.loads(response.content)
        if path.endswith("rules"):
            assert body["rules"]
            brokens = [{k: v for k, v in body.items() if k != "listing_changes"}, {**body, "count": "all"},
                       {**body, "rules": [{**body["rules"][0], "kind": "embargo"}]},
                       {**body, "rules": [{**body["rules"][0], "reach": "surely"}]}]
        elif path.endswith("countries"):
            brokens = [{**body, "countries": [{**body["countries"][0], "kind": "planet"}]},
                       {**body, "countries": [{**body["countries"][0], "capital": "Beijing"}]}]
        elif path.endswith("scenarios"):
            assert body["examples"], "the test app ships example scenarios"
            brokens = [{k: v for k, v in body.items() if k != "saved"},
                       {**body, "baseline": {**body["baseline"], "kind": "example"}},
                       {**body, "examples": [{**body["examples"][0], "kind": "market"}]}]
        else:
            assert body["cases"], "the test app ships market cases"
            brokens = [{k: v for k, v in body.items() if k != "cases"}, {**body, "max_draws": "many"},
                       {**body, "cases": [{**body["cases"][0], "years": [2023]}]}]
        for broken in brokens:
            _refused(case, response, broken)


def test_an_inputs_sources_are_checked(operations: list[Operation], client: TestClient) -> None:
    """A share's source is one of three panels (a dataset's, a fact's, or how it was derived): another shape fails."""
    operation = next(o for o in operations if o.path == "/api/v1/inputs/{name}")
    case = operation.Case(path_parameters={"name": "dram"})
    response = Response.from_any(client.get("/api/v1/inputs/dram"))
    assert response.status_code == 200
    case.validate_response(response, checks=[response_schema_conformance])
    body = json.loads(response.content)
    share = body["firms"][0]
    for source in ({"quote": "a guess"}, {**share["source"], "licence": "none"}, "fact 12"):
        _refused(case, response, {**body, "firms": [{**share, "source": source}]})
    _refused(case, response, {**body, "conflicts": [{"entity": "micron"}]})
