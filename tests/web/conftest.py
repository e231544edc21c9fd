"""Fixtures of the web tests: one store (bundled data + CSET) for the session, apps over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import StoreAt, library_error_shared

from chipshift import api
from chipshift.config import Settings
from chipshift.io.store import Store
from chipshift.web import Limits, create_app

TOKEN = "test-write-token"
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
ARTIFACTS = REPO / "test-artifacts" / "web"


@pytest.fixture(scope="session")
def web_settings(session_store_at: StoreAt) -> Settings:
    return Settings(store_path=session_store_at("web"))


@pytest.fixture(scope="session")
def web_store(request: pytest.FixtureRequest, web_settings: Settings, cset_dir: Path) -> Iterator[Store]:
    """The bundled data with CSET imported; the web tests may save scenarios in it."""
    with api.open_store(web_settings) as store:
        api.import_cset(store, cset_dir)
        with library_error_shared(request.config, store):
            yield store


@pytest.fixture(scope="session")
def client(web_settings: Settings, web_store: Store) -> Iterator[TestClient]:
    """A read-write app (writes need TOKEN)."""
    app = create_app(web_settings, write_token=TOKEN, store=web_store, examples_dir=EXAMPLES)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def readonly_client(web_settings: Settings, web_store: Store) -> Iterator[TestClient]:
    app = create_app(web_settings, store=web_store, examples_dir=EXAMPLES)
    with TestClient(app) as c:
        yield c


def limited_client(web_settings: Settings, web_store: Store, limits: Limits) -> TestClient:
    return TestClient(create_app(web_settings, store=web_store, limits=limits, examples_dir=EXAMPLES))


AUTH = {"Authorization": f"Bearer {TOKEN}"}
