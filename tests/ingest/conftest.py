"""Fixtures for the ingestion tests: one knowledge-base snapshot of the bundled data per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chipshift import api
from chipshift.config import Settings
from chipshift.ingest.kb import KnowledgeBase
from chipshift.io.store import Store
from tests.conftest import StoreAt

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXAMPLE = REPO.parent / "shared" / "data" / "articles" / "chip-war-opinion-2025-10.txt"


@pytest.fixture(scope="session")
def ingest_store(session_store_at: StoreAt) -> Iterator[Store]:
    settings = Settings(store_path=session_store_at("ingest"))
    with api.open_store(settings) as store:
        yield store


@pytest.fixture(scope="session")
def kb(ingest_store: Store) -> KnowledgeBase:
    return KnowledgeBase.from_store(ingest_store)


@pytest.fixture(scope="session")
def example_path() -> Path:
    assert EXAMPLE.is_file(), f"the example article is expected at {EXAMPLE} (../shared/data/articles)"
    return EXAMPLE
