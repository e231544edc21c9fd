"""Fixtures of the market-case tests."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pytest
from typer.testing import CliRunner, Result

from chipshift import api
from chipshift.cli import app
from chipshift.config import Settings
from tests.conftest import StoreAt, library_error_shared


class RunCase(Protocol):
    """``chipshift scenario run FILE ARGS...`` on a case ``text`` written to a file ``name``."""

    def __call__(self, text: str, *args: str, name: str = ...) -> Result: ...


def _runner(folder: Path, store: Path | str) -> RunCase:
    def run(text: str, *args: str, name: str = "bad.yaml") -> Result:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return CliRunner().invoke(app, ["--store", str(store), "scenario", "run", str(path), *args])

    return run


@pytest.fixture(scope="session")
def cli(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, session_store_at: StoreAt,
        cset_dir: Path) -> RunCase:
    """``chipshift scenario run`` on a case text written to a file (the bundled data with CSET imported, one store
    per test process: the runs only read it, and the modules using it would each spend seconds building the
    same store). The store is the bundled one every other store-reading test has, so it shares the model's error
    learned from the back-test library with them (``library_error_shared``) rather than learning it again."""
    store = session_store_at("cases")
    with api.open_store(Settings(store_path=store)) as opened:
        api.import_cset(opened, cset_dir)
        with library_error_shared(request.config, opened, learn=True):
            pass
    return _runner(tmp_path_factory.mktemp("cases"), store)


@pytest.fixture(scope="module")
def cli_without_cset(tmp_path_factory: pytest.TempPathFactory, session_store_at: StoreAt) -> RunCase:
    """``chipshift scenario run`` on a store of the bundled data alone (CSET's tables not imported)."""
    return _runner(tmp_path_factory.mktemp("cases"), session_store_at("cases-without-cset"))
