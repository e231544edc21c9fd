"""Shared fixtures: a tiny data folder to break on purpose, stores (DuckDB files in temporary folders, or
databases on a throwaway PostgreSQL cluster), the CSET copy.

Which database the tests' stores are in is one switch, the environment variable ``CHIPSHIFT_TEST_STORE``:
``duckdb`` (the default) or ``postgres``. Every test that opens a store gets it from ``store_at`` or
``session_store_at`` (directly or through another fixture), and is marked ``store`` for it. With
``CHIPSHIFT_TEST_STORE=postgres`` only those tests run, each store being a new database on the cluster, and
tests marked ``duckdb_only`` (file locks, read-only files, damaged files) are skipped with their reason.
``scripts/run-tests`` runs the suite, then the ``store`` tests a second time on PostgreSQL.

The second pass is about the store: the tests that write stores of their own (``store_at``), and those that
query the bundled store through the API, the web service, the CLI and MCP. Modules marked ``store_input`` (the
market model, back-tests, the engine on the bundled data, ingestion's extraction and its evaluation, the
browser and report pages) read the bundled store's tables only as the inputs of a computation: the reads they
make are the ones the query tests make, so they run in the first pass alone.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from chipshift import api
from chipshift.config import Settings
from chipshift.io.store import Store
from tests.postgres_cluster import Cluster, cluster, server_programs

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "data"
CSET_DIR = SHARED / "cset-eto"

#: 'duckdb' or 'postgres': where the tests' stores are (see the module's text).
TEST_STORE = os.environ.get("CHIPSHIFT_TEST_STORE", "duckdb").strip().lower() or "duckdb"
if TEST_STORE not in ("duckdb", "postgres"):
    raise pytest.UsageError(f"CHIPSHIFT_TEST_STORE={TEST_STORE!r}: expected 'duckdb' or 'postgres'")
#: The fixtures that give stores: a test depending on one (at any depth) opens a store.
STORE_FIXTURES = frozenset({"store_at", "session_store_at"})

#: A location of a new store, given a short name (a file's stem, or a database's prefix).
StoreAt = Callable[[str], "Path | str"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "store: the test opens a store (set from its fixtures); with "
                                       "CHIPSHIFT_TEST_STORE=postgres, only these run")
    config.addinivalue_line("markers", "duckdb_only(reason): the test is about the DuckDB file itself and is "
                                       "skipped on PostgreSQL")
    config.addinivalue_line("markers", "store_input: the test reads the bundled store only as the input of a "
                                       "computation; the PostgreSQL pass leaves it out")
    cache = getattr(config, "cache", None)
    if cache is not None and not hasattr(config, "workerinput"):  # the run, not a worker: its workers inherit it
        folders = cache.mkdir("chipshift-learning")
        for left in folders.iterdir():  # left by a run that was stopped half way
            if left.stat().st_mtime < time.time() - 86400:
                shutil.rmtree(left, ignore_errors=True)
        os.environ[LEARNING_FOLDER] = str(folders / uuid.uuid4().hex)


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        shutil.rmtree(os.environ.pop(LEARNING_FOLDER, ""), ignore_errors=True)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if STORE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.store)
    if TEST_STORE != "postgres":
        return
    kept = [item for item in items
            if item.get_closest_marker("store") and not item.get_closest_marker("store_input")]
    if len(kept) < len(items):
        chosen = set(kept)
        config.hook.pytest_deselected(items=[item for item in items if item not in chosen])
        items[:] = kept
    for item in kept:
        only = item.get_closest_marker("duckdb_only")
        if only:
            reason = only.kwargs.get("reason") or (only.args[0] if only.args else "about the DuckDB file")
            item.add_marker(pytest.mark.skip(reason=f"DuckDB only: {reason}"))


def _database_name(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", name.lower())[:40] or "store"


@pytest.fixture
def store_at(request: pytest.FixtureRequest, tmp_path: Path) -> StoreAt:
    """``store_at(name)``: where a new store of this test is, the same for the same name: a file in the test's
    folder, or a new database on the cluster (with CHIPSHIFT_TEST_STORE=postgres)."""
    cluster: Cluster | None = request.getfixturevalue("postgres") if TEST_STORE == "postgres" else None
    given: dict[str, Path | str] = {}

    def at(name: str = "store") -> Path | str:
        if name not in given:
            if cluster is not None:
                given[name] = cluster.database(_database_name(name))
            else:
                given[name] = tmp_path / f"{name}.duckdb"
        return given[name]

    return at


@pytest.fixture(scope="session")
def session_store_at(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> StoreAt:
    """``session_store_at(name)``: a new store at each call, for fixtures shared by a module or the session."""
    cluster: Cluster | None = request.getfixturevalue("postgres") if TEST_STORE == "postgres" else None

    def at(name: str = "store") -> Path | str:
        if cluster is not None:
            return cluster.database(_database_name(name))
        return tmp_path_factory.mktemp(name) / "store.duckdb"

    return at


@pytest.fixture
def mini_data(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/mini: the bundled entity files plus a few facts and one rule."""
    target = tmp_path / "data"
    shutil.copytree(HERE / "fixtures" / "mini", target, symlinks=False)
    return target


@pytest.fixture
def mini_settings(store_at: StoreAt, mini_data: Path) -> Settings:
    return Settings(store_path=store_at("store"), data_dir=mini_data)


@pytest.fixture
def mini_store(mini_settings: Settings) -> Iterator[Store]:
    with api.open_store(mini_settings) as store:
        yield store


@pytest.fixture(scope="session")
def cset_dir() -> Path:
    assert CSET_DIR.is_dir(), f"the CSET dataset is expected at {CSET_DIR} (../shared/data/cset-eto)"
    return CSET_DIR


#: The variable naming the folder in which the workers of one run learn the library's error together.
LEARNING_FOLDER = "CHIPSHIFT_TEST_LEARNING"
#: The longest a worker waits for the episodes another worker runs (a bound, not a measure).
LEARNING_WAIT_S = 1800.0


@contextmanager
def library_error_shared(config: pytest.Config, store: Store, *, learn: bool = False) -> Iterator[None]:
    """Within the block, ``store`` shares the model's error learned from the back-test library with other test
    processes through pytest's cache: a market run needs it and learning it takes a minute or more, so a session
    reuses what an earlier one (the DuckDB pass before the PostgreSQL pass, or a developer's last run) learned
    from the same bundled data, store inputs, episodes and model code (``library_version``, the cache's key),
    and keeps what it learns. In a parallel run (pytest-xdist) every worker that gets here before the error is
    known runs its share of the library's episodes (``_learn_together``) rather than each learning it all, or
    one learning while the others wait; with ``learn`` a lone process learns it at once too (for a store the
    tests then hand to the command line). The learning itself is tested on stores of its own."""
    from chipshift.api import backtest as backtest_api

    version = backtest_api.library_version(store)
    digest = hashlib.sha256(version.encode()).hexdigest()[:32]
    key = f"chipshift/library-error/{digest}"

    def cached() -> Any:
        kept = config.cache.get(key, None)
        return kept if isinstance(kept, dict) and kept.get("version") == version else None

    kept = cached()
    together = os.environ.get(LEARNING_FOLDER) if os.environ.get("PYTEST_XDIST_WORKER") else None
    if kept is None and together:
        kept = {"version": version, "value": _learn_together(store, Path(together) / digest)}
        config.cache.set(key, kept)
    elif kept is None and learn:
        lock = config.cache.mkdir("chipshift-locks") / f"{digest}.lock"
        with lock.open("w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            kept = cached()
            if kept is None:
                value = backtest_api.library_error_value(backtest_api.library_error(store))
                kept = {"version": version, "value": value}
                config.cache.set(key, kept)
    if kept is not None:
        store.keep_derived(backtest_api.LIBRARY_ERROR, version, kept["value"])
    yield
    found, value = store.derived(backtest_api.LIBRARY_ERROR, version)
    if found and kept is None:
        config.cache.set(key, {"version": version, "value": value})


def _learn_together(store: Store, folder: Path) -> dict[str, float] | None:
    """The library's error (its stored value) learned by the workers of a run together: each takes the next
    episode no worker has taken (a file made only if it is not there yet), runs it as the library's run does
    (``learning_run``; every episode draws from its own seed) and leaves its result in ``folder``; once every
    episode has its result, each worker puts the results together in the library's order, as
    ``library_error`` does, and gets the same error."""
    from chipshift.api import backtest as backtest_api
    from chipshift.errors import DataError

    folder.mkdir(parents=True, exist_ok=True)
    files = backtest_api.library()
    for k, path in enumerate(files):
        try:
            (folder / f"{k}.taken").open("x").close()
        except FileExistsError:
            continue
        try:
            try:
                job = backtest_api.episode_job(store, path)
            except DataError:  # an episode that does not load lends nothing, as in ``library_error``
                result = None
            else:
                result = backtest_api.learning_run(job)
            part = folder / f"{k}.{os.getpid()}.part"
            part.write_bytes(pickle.dumps(result))
            part.replace(folder / f"{k}.run")
        except BaseException:
            (folder / f"{k}.failed").touch()
            raise
    deadline = time.monotonic() + LEARNING_WAIT_S
    while missing := [k for k in range(len(files)) if not (folder / f"{k}.run").exists()]:
        failed = [files[k].name for k in missing if (folder / f"{k}.failed").exists()]
        if failed or time.monotonic() > deadline:
            raise RuntimeError(f"the library's error: no run of {', '.join(failed or [files[missing[0]].name])} "
                               f"from another test process ({'it failed' if failed else 'waited too long'})")
        time.sleep(0.1)
    runs = [pickle.loads((folder / f"{k}.run").read_bytes()) for k in range(len(files))]
    return backtest_api.library_error_value(backtest_api.error_of_runs([r for r in runs if r is not None]))


@pytest.fixture(scope="session")
def bundled_store(request: pytest.FixtureRequest, session_store_at: StoreAt, cset_dir: Path) -> Iterator[Store]:
    """The real bundled data with CSET imported, shared by read-only tests (the library's error shared with
    other runs: ``library_error_shared``)."""
    settings = Settings(store_path=session_store_at("bundled"))
    with api.open_store(settings) as store:
        api.import_cset(store, cset_dir)
        with library_error_shared(request.config, store):
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
