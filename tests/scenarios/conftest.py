"""Fixtures of the market-case tests."""

from __future__ import annotations

from typing import Protocol

import pytest
from typer.testing import CliRunner, Result

from chipshift.cli import app
from tests.conftest import StoreAt


class RunCase(Protocol):
    """``chipshift scenario run FILE ARGS...`` on a case ``text`` written to a file ``name``."""

    def __call__(self, text: str, *args: str, name: str = ...) -> Result: ...


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, session_store_at: StoreAt) -> RunCase:
    """``chipshift scenario run`` on a case text written to a file (the bundled data, one store per module)."""
    folder = tmp_path_factory.mktemp("cases")
    store = session_store_at("cases")

    def run(text: str, *args: str, name: str = "bad.yaml") -> Result:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return CliRunner().invoke(app, ["--store", str(store), "scenario", "run", str(path), *args])

    return run
