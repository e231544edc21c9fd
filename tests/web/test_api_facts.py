"""Adding facts through the API (write token): checked as the bundled data is, stored in one transaction
with ids prefixed 'user-', kept when the bundle reloads; bad records answer 422 naming index and field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import StoreAt
from tests.web.conftest import AUTH, EXAMPLES, TOKEN

from chipshift import api
from chipshift.config import Settings, store_location
from chipshift.io.bundled import load_bundle
from chipshift.io.store import Store
from chipshift.web import create_app

SOURCE = {"id": "example-2026-cxmt", "publisher": "Example News", "title": "CXMT grows",
          "url": "https://example.com/cxmt", "published": "2026-03-01", "reliability": "press"}
FACT = {"id": "cxmt-revenue-2025-example", "entity": "cxmt", "metric": "revenue", "period": "2025",
        "value": 3.5, "unit": "usd_bn", "status": "estimate", "quote": "revenue of about $3.5 billion in 2025"}


@pytest.fixture(scope="module")
def store(session_store_at: StoreAt) -> Iterator[Store]:
    with api.open_store(Settings(store_path=session_store_at("facts"))) as s:
        yield s


@pytest.fixture(scope="module")
def writer(store: Store) -> Iterator[TestClient]:
    app = create_app(Settings(store_path=store_location(store.path)), write_token=TOKEN, store=store,
                     examples_dir=EXAMPLES)
    with TestClient(app) as c:
        yield c


def _post(client: TestClient, facts: list[dict[str, Any]], source: dict[str, Any] | None = None,
          headers: dict[str, str] | None = None) -> Any:
    return client.post("/api/v1/facts", json={"source": source or SOURCE, "facts": facts},
                       headers=AUTH if headers is None else headers)


def test_facts_are_stored_listed_and_survive_a_bundle_reload(writer: TestClient, store: Store) -> None:
    share = {"id": "cxmt-share-2025-example", "entity": "cxmt", "metric": "market_share", "product": "dram",
             "region": "CHN", "basis": "revenue", "period": "2025", "value": 12, "unit": "pct", "status": "estimate",
             "quote": "CXMT held 12% of China's DRAM market", "source": SOURCE["id"]}
    r = _post(writer, [FACT, share])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["source"] == "user-example-2026-cxmt"
    assert body["facts"] == ["user-cxmt-revenue-2025-example", "user-cxmt-share-2025-example"]
    listed = writer.get("/api/v1/facts", params={"entity": "cxmt", "metric": "revenue"}).json()["facts"]
    assert "user-cxmt-revenue-2025-example" in {f["id"] for f in listed}
    store.load_bundle(load_bundle(), "a-changed-bundle")
    ids = {f["id"] for f in store.rows("facts")}
    assert {"user-cxmt-revenue-2025-example", "user-cxmt-share-2025-example"} <= ids
    assert store.rows("sources", id="user-example-2026-cxmt")
    again = _post(writer, [FACT])  # the same source again: its facts are replaced
    assert again.status_code == 201, again.text
    assert {f["id"] for f in store.rows("facts", source="user-example-2026-cxmt")} == {
        "user-cxmt-revenue-2025-example"}


@pytest.mark.parametrize(("facts", "source", "field"), [
    ([FACT, {**FACT, "id": "x2", "unit": "kg"}], None, "facts.1.unit"),
    ([{**FACT, "metric": "market_share", "unit": "pct", "value": 140, "product": "dram"}], None, "facts.0.value"),
    ([{**FACT, "unit": "pct"}], None, "facts.0.unit"),  # a share unit for a revenue
    ([{**FACT, "period": "2025Q7"}], None, "facts.0.period"),
    ([{**FACT, "entity": "no-such-firm"}], None, "facts.0.entity"),
    ([{**FACT, "product": "no-such-input"}], None, "facts.0.product"),
    ([{**FACT, "quote": None}], None, "facts.0.quote"),
    ([{**FACT, "source": "another-source"}], None, "facts.0.source"),
    ([FACT, FACT], None, "facts.1.id"),
    ([{**FACT, "unknown_column": "x"}], None, "facts.0.unknown_column"),
    ([FACT], {**SOURCE, "url": "not a url"}, "source.url"),
    ([FACT], {k: v for k, v in SOURCE.items() if k != "publisher"}, "source.publisher"),
])
def test_bad_records_answer_422_naming_index_and_field(writer: TestClient, store: Store, facts: list[dict[str, Any]],
                                                       source: dict[str, Any] | None, field: str) -> None:
    before = store.count("facts")
    facts = [{**f, "id": f"bad-{f['id']}"} for f in facts]  # not the ids stored by the test above
    r = _post(writer, facts, {**(source or SOURCE), "id": "bad-source"})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field, r.text
    assert store.count("facts") == before and not store.rows("sources", id="user-bad-source")


def test_writing_facts_needs_the_token(writer: TestClient, readonly_client: TestClient) -> None:
    assert _post(writer, [FACT], headers={}).status_code == 401
    assert _post(writer, [FACT], headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert _post(readonly_client, [FACT], headers=AUTH).status_code == 401


def test_bundled_data_may_not_use_the_user_prefix(tmp_path: Path) -> None:
    from chipshift import checks

    bundle = load_bundle()
    row = bundle["facts"].rows[0]
    bundle["facts"].rows[0] = type(row)({**row.values, "id": "user-x"}, row.file, row.line)
    problems = checks.check_unique_ids(bundle, checks.Context.of_bundle(bundle, None))
    assert any("'user-'" in p.message and p.field == "id" for p in problems)
