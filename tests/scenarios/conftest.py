"""Fixtures of the market-case tests."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chipshift.cli import app
from tests.conftest import StoreAt


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, session_store_at: StoreAt):  # type: ignore[no-untyped-def]
    """``chipshift scenario run`` on a case text written to a file (the bundled data, one store per module)."""
    folder = tmp_path_factory.mktemp("cases")
    store = session_store_at("cases")

    def run(text: str, *args: str, name: str = "bad.yaml"):  # type: ignore[no-untyped-def]
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return CliRunner().invoke(app, ["--store", str(store), "scenario", "run", str(path), *args])

    return run
