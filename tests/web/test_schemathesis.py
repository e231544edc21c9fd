"""Property tests of the API against its own OpenAPI spec (schemathesis), a bounded number of examples
per operation: no server errors, status codes and content types as documented, bodies as declared."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
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
