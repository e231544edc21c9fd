"""Shared fixtures: a tiny data folder to break on purpose, stores in temporary files, the CSET copy, a
throwaway PostgreSQL cluster."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from chipshift import api
from chipshift.config import Settings
from chipshift.io.store import Store
from tests.postgres_cluster import Cluster, cluster, server_programs

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "data"
CSET_DIR = SHARED / "cset-eto"


@pytest.fixture
def mini_data(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/mini: the bundled entity files plus a few facts and one rule."""
    target = tmp_path / "data"
    shutil.copytree(HERE / "fixtures" / "mini", target, symlinks=False)
    return target


@pytest.fixture
def mini_settings(tmp_path: Path, mini_data: Path) -> Settings:
    return Settings(store_path=tmp_path / "store.duckdb", data_dir=mini_data)


@pytest.fixture
def mini_store(mini_settings: Settings) -> Iterator[Store]:
    with api.open_store(mini_settings) as store:
        yield store


@pytest.fixture(scope="session")
def cset_dir() -> Path:
    assert CSET_DIR.is_dir(), f"the CSET dataset is expected at {CSET_DIR} (../shared/data/cset-eto)"
    return CSET_DIR


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory: pytest.TempPathFactory, cset_dir: Path) -> Iterator[Store]:
    """The real bundled data with CSET imported, shared by read-only tests."""
    settings = Settings(store_path=tmp_path_factory.mktemp("bundled") / "store.duckdb")
    with api.open_store(settings) as store:
        api.import_cset(store, cset_dir)
        yield store


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A PostgreSQL cluster for the session (``.database()`` gives each test a database of its own). Skipped
    when PostgreSQL is not installed, but never in CI, where scripts/run-tests installs it."""
    if server_programs() is None:
        reason = ("PostgreSQL is not installed (initdb and pg_ctl not found): on Debian, apt-get install "
                  "postgresql, as scripts/run-tests does")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with cluster() as running:
        yield running
