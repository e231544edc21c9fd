"""In-process API tests of the Documents endpoints: reading an article (read-only) and storing its claims
(write token, url and date required); bad input answers 422 naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import StoreAt
from tests.web.conftest import AUTH, EXAMPLES, TOKEN

from chipshift import api
from chipshift.config import Settings
from chipshift.web import create_app

ARTICLE = Path(__file__).resolve().parents[2].parent / "shared/data/articles/chip-war-opinion-2025-10.txt"
SHORT = ("Cambricon's revenue rose to 1.17 billion yuan in 2024, up 65.6% from a year earlier. "
         "China banned Micron chips from critical information infrastructure in May 2023.")


def test_ingest_reads_the_example_article(client: TestClient) -> None:
    r = client.post("/api/v1/ingest", json={"text": ARTICLE.read_text(encoding="utf-8"), "name": ARTICLE.name,
                                            "date": "2025-10-20"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] is False and body["stored"] is None
    doc = body["details"][0]["document"]
    assert doc["date"] == "2025-10-20" and doc["kind"] == "text" and doc["text"]
    assert body["claims"] and body["events"] and body["references"] and body["loaded_language"]
    assert any(f["check"] == "fold_vs_percent" for f in body["findings"])
    assert all(0 <= s <= e <= len(doc["text"]) for c in body["claims"] for s, e in [c["span"]])


def test_ingest_kind_decides_how_the_text_is_read(client: TestClient) -> None:
    html = f"<html><body><nav>Menu Home</nav><article><p>{SHORT}</p></article></body></html>"
    body = client.post("/api/v1/ingest", json={"text": html, "kind": "html"}).json()
    assert body["documents"][0]["kind"] == "html" and "Menu" not in body["details"][0]["document"]["text"]
    assert client.post("/api/v1/ingest", json={"text": SHORT}).json()["documents"][0]["kind"] == "text"


@pytest.mark.parametrize(("body", "field"), [
    ({"text": ""}, "text"), ({"text": "   \n "}, "text"), ({}, "text"), ({"text": "a\x00b" * 50}, "text"),
    ({"text": SHORT, "date": "2025-02-30"}, "date"), ({"text": SHORT, "date": "20 Oct"}, "date"),
    ({"text": SHORT, "url": "ftp://x"}, "url"), ({"text": SHORT, "kind": "pdf"}, "kind"),
    ({"text": SHORT, "extra": 1}, "extra"),
])
def test_ingest_bad_input_names_the_field(client: TestClient, body: dict[str, object], field: str) -> None:
    r = client.post("/api/v1/ingest", json=body)
    assert r.status_code == 422 and r.json()["field"] == field, r.text


def test_accept_needs_the_token(client: TestClient, readonly_client: TestClient) -> None:
    body = {"text": SHORT, "url": "https://example.com/a", "date": "2025-10-20"}
    assert client.post("/api/v1/ingest/accept", json=body).status_code == 401
    assert client.post("/api/v1/ingest/accept", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert readonly_client.post("/api/v1/ingest/accept", json=body, headers=AUTH).status_code == 401


@pytest.fixture
def own_client(store_at: StoreAt) -> Iterator[TestClient]:
    """An app over a fresh store (bundled data only), so stored claims stay out of the shared store."""
    settings = Settings(store_path=store_at("own"))
    with api.open_store(settings) as store, \
            TestClient(create_app(settings, write_token=TOKEN, store=store, examples_dir=EXAMPLES)) as c:
        yield c


def test_accept_stores_claims_as_the_cli_does(own_client: TestClient) -> None:
    body = {"text": SHORT, "name": "short.txt", "url": "https://example.com/a", "date": "2025-10-20"}
    missing = own_client.post("/api/v1/ingest/accept", json={"text": SHORT}, headers=AUTH)
    assert missing.status_code == 422 and missing.json()["field"] == "url"
    r = own_client.post("/api/v1/ingest/accept", json=body, headers=AUTH)
    assert r.status_code == 201, r.text
    stored = r.json()["stored"]
    assert stored["sources"] == 1 and stored["facts"] >= 1
    source = stored["source_ids"][0]
    facts = own_client.get("/api/v1/facts", params={"entity": "Cambricon", "metric": "revenue"}).json()["facts"]
    assert any(f["source"] == source and f["status"] == "claim" for f in facts), "stored, and the cache cleared"
