"""Shipped examples and market cases that need data the store lacks (the CSET import) are marked with what they
need and the command that imports it, in the REST API (which the pages' lists render) and the MCP server; on a
store with CSET imported, nothing is marked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import StoreAt
from tests.web.conftest import EXAMPLES

from chipshift import api
from chipshift.config import Settings
from chipshift.io.store import Store
from chipshift.mcp_server import Tools
from chipshift.web import create_app
from chipshift.web import market_cases as market
from chipshift.web.scenarios import Catalog

#: The shipped files that name CSET's inputs (the DUV lithography tools, N21 and N22).
ON_CSET = {"example:duv-immersion-china", "asml-china-rush"}


@pytest.fixture(scope="module")
def without_cset(session_store_at: StoreAt) -> Iterator[tuple[Settings, Store]]:
    """The bundled data alone."""
    settings = Settings(store_path=session_store_at("without_cset"))
    with api.open_store(settings) as store:
        yield settings, store


def marked(listing: dict[str, Any], cases: dict[str, Any]) -> dict[str, Any]:
    """Every shipped restriction example and market case with what it needs (None: nothing)."""
    return {**{e["ref"]: e["needs"] for e in listing["examples"]}, **{c["case"]: c["needs"] for c in cases["cases"]}}


def test_without_cset_the_files_that_need_it_say_what_and_how(without_cset: tuple[Settings, Store]) -> None:
    settings, store = without_cset
    with TestClient(create_app(settings, store=store, examples_dir=EXAMPLES)) as c:
        needs = marked(c.get("/api/v1/scenarios").json(), c.get("/api/v1/market/cases").json())
        refused = c.post("/api/v1/run", json={"ref": "example:duv-immersion-china", "target": "CHN"})
    assert {name for name, need in needs.items() if need is not None} == ON_CSET
    for name in ON_CSET:
        assert needs[name]["command"] == "chipshift import cset PATH"
        assert needs[name]["what"].startswith("CSET's supply-chain tables")
        assert "'N22'" in needs[name]["problem"]
    # running it anyway is refused, and the message says where such ids come from
    assert refused.status_code == 422 and "chipshift import cset PATH" in refused.json()["message"]
    # the MCP server lists the same
    tools = Tools(settings, store, Catalog(EXAMPLES), None)
    listing, cases = tools.scenario_list().structured_content, tools.market_cases().structured_content
    assert listing is not None and cases is not None
    assert marked(listing, cases) == needs


def test_with_cset_imported_nothing_is_marked(bundled_store: Store) -> None:
    catalog = Catalog(EXAMPLES)
    assert all(e.needs is None for e in catalog.listing(bundled_store).examples)
    assert all(c.needs is None for c in market.cases(catalog, bundled_store).cases)
