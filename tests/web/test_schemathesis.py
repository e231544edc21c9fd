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

EXAMPLES_PER_OPERATION = 10
Operation = schemathesis.APIOperation[Any, Any, Any, Any]


@pytest.fixture(scope="module")
def operations(web_settings: Settings, web_store: Store) -> Iterator[list[Operation]]:
    # an app of its own: schemathesis starts and stops the app it calls, and stopping an app closes its
    # thread pools, which the session's other clients go on using
    app = create_app(web_settings, write_token=TOKEN, store=web_store, examples_dir=EXAMPLES)
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
            response = case.call(headers=AUTH if data.draw(st.booleans()) else None)
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
            case.validate_response(response, checks=[status_code_conformance, content_type_conformance,
                                                     response_schema_conformance])

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.label}: {exc}"[:800])
    assert not failures, "\n".join(failures)


#: The operations whose 200 answers are typed, and the model each declares.
TYPED = {"/api/v1/rules/{rule_id}": "RuleAnswer", "/api/v1/restrictions": "RestrictionsAnswer",
         "/api/v1/availability": "AvailabilityAnswer", "/api/v1/availability/series": "AvailabilitySeriesAnswer",
         "/api/v1/exposure": "ExposureAnswer", "/api/v1/exposure/series": "ExposureSeriesAnswer",
         "/api/v1/chokepoints": "ChokepointsAnswer", "/api/v1/localization": "LocalizationAnswer",
         "/api/v1/localization/series": "LocalizationSeriesAnswer",
         "/api/v1/impairment": "ImpairmentAnswer", "/api/v1/diff": "DiffAnswer",
         "/api/v1/overview": "OverviewAnswer", "/api/v1/validate": "ValidationAnswer", "/api/v1/facts": "FactsAnswer"}


def test_typed_answers_are_declared_with_their_enums(operations: list[Operation]) -> None:
    spec = operations[0].schema.raw_schema
    for path, model in TYPED.items():
        declared = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert declared == {"$ref": f"#/components/schemas/{model}"}, path
    posted = spec["paths"]["/api/v1/facts"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert posted == {"$ref": "#/components/schemas/AddFactsAnswer"}
    schemas = spec["components"]["schemas"]
    assert "data_center" in str(schemas["FactRow"]["properties"]["segment"])
    kind = schemas["RuleInForce"]["properties"]["kind"]
    assert "entity_listing" in kind["enum"], kind
    assert "presumption_of_denial" in str(schemas["RuleInForce"]["properties"]["policy"])
    assert set(schemas["AvailabilityAnswer"]["required"]) >= {"destination", "at", "inputs"}


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
