"""Several processes on one store file: reads never block reads; a write takes the file only while it runs,
and one that cannot take it fails cleanly (a message naming the holder, exit 2, nothing written)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from chipshift import api
from chipshift.config import Settings
from chipshift.errors import StoreError
from chipshift.io.store import Store

#: Every test here is about sharing a DuckDB file between processes (its lock, read-only connections); on
#: PostgreSQL the same questions are asked in tests/test_store_backends.py.
pytestmark = pytest.mark.duckdb_only(reason="sharing the DuckDB file between processes")

#: A second process that opens the store (for writing when argv[2] is "write") and holds it until its
#: standard input closes.
_HOLDER = """
import sys
from chipshift.io.store import Store
store = Store(sys.argv[1], writable=sys.argv[2] == "write")
print(store.count("firms"), flush=True)
sys.stdin.read()
store.close()
"""


@contextmanager
def held(path: Path, mode: str) -> Iterator[int]:
    """Another process holding ``path`` open for ``mode`` ("read" or "write"); yields its pid."""
    with subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), mode], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stdin is not None and proc.stderr is not None
        line = proc.stdout.readline()  # the store is open once it has answered
        if not line.strip().isdigit():
            proc.stdin.close()
            pytest.fail(f"the holding process could not open the store: {proc.stderr.read()}")
        try:
            yield proc.pid
        finally:
            proc.stdin.close()
            proc.wait(timeout=60)


def _scenario(scenario_id: str) -> dict[str, object]:
    return {"id": scenario_id, "name": scenario_id, "description": None, "document": {"name": scenario_id},
            "digest": "0" * 8, "saved_at": "2026-01-01T00:00:00+00:00"}


@pytest.fixture
def loaded(mini_settings: Settings) -> Path:
    """A store file holding the mini bundle, closed."""
    api.open_store(mini_settings).close()
    return Path(mini_settings.store_path)


def test_queries_read_side_by_side(loaded: Path, mini_settings: Settings) -> None:
    with held(loaded, "read"), api.open_store(mini_settings) as store:
        assert store.read_only
        assert store.count("firms") > 0


def test_a_write_takes_the_file_only_while_it_runs(loaded: Path) -> None:
    with Store(loaded) as store:
        store.save_scenario(_scenario("first"))
        assert store.read_only  # back to reading once the write is over
        with held(loaded, "read"):  # so another process can read now
            assert [r["id"] for r in store.rows("scenarios")] == ["first"]


def test_a_write_while_another_process_reads_fails_cleanly(loaded: Path) -> None:
    with Store(loaded) as store, held(loaded, "read") as pid:
        with pytest.raises(StoreError) as caught:
            store.save_scenario(_scenario("blocked"))
        message = str(caught.value)
        assert f"PID {pid}" in message and "Writing needs the file alone" in message
        assert store.rows("scenarios") == []  # still readable, nothing written
    with Store(loaded) as store:  # the other process gone, the write goes through
        store.save_scenario(_scenario("later"))
        assert [r["id"] for r in store.rows("scenarios")] == ["later"]


def test_a_reader_while_another_process_writes_is_told_why(loaded: Path) -> None:
    with held(loaded, "write") as pid, pytest.raises(StoreError) as caught:
        Store(loaded)
    assert f"PID {pid}" in str(caught.value) and "has it open for writing" in str(caught.value)


def test_cli_exits_2_naming_the_writer(loaded: Path, mini_data: Path) -> None:
    env = {**os.environ, "CHIPSHIFT_STORE": str(loaded)}
    with held(loaded, "write") as pid:
        done = subprocess.run([sys.executable, "-m", "chipshift", "--data-dir", str(mini_data), "data", "overview"],
                              capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert f"PID {pid}" in " ".join(done.stderr.split())


def test_derived_values_are_kept_in_process_when_the_file_is_busy(loaded: Path) -> None:
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        return 42

    with Store(loaded) as store, held(loaded, "read"):
        assert store.persisted("answer", "v1", build) == 42
        assert store.persisted("answer", "v1", build) == 42
    assert len(calls) == 1
