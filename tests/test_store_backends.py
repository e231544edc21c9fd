"""The store's contract, checked on both databases: the embedded DuckDB file and PostgreSQL (a throwaway
cluster). The same calls must give the same answers; a write that fails half way leaves nothing; every
committed write bumps the store's generation. On PostgreSQL, reads never wait for a write under way, and
writers in several processes follow one another without losing anything."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from chipshift import api
from chipshift.config import Settings
from chipshift.errors import ChipshiftError
from chipshift.io.bundled import load_bundle
from chipshift.io.store import Store, open_at
from chipshift.schemas import tables as schemas
from chipshift.web.runtime import encode
from tests.postgres_cluster import Cluster

BACKENDS = ("duckdb", "postgres")


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a new, empty store is: a file, or a database of its own on the test cluster."""
    if request.param == "duckdb":
        return tmp_path / "store.duckdb"
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.database()


@pytest.fixture
def store(location: Path | str, mini_data: Path) -> Iterator[Store]:
    with api.open_store(Settings(store_path=location, data_dir=mini_data)) as opened:
        yield opened


def _scenario(scenario_id: str, name: str | None = None) -> dict[str, Any]:
    return {"id": scenario_id, "name": name or scenario_id, "description": None,
            "document": {"name": name or scenario_id, "add": [{"id": "x", "measures": ["a", "b"]}]},
            "digest": "0" * 8, "saved_at": "2026-01-01T00:00:00+00:00"}


def _source(source_id: str) -> dict[str, Any]:
    return {"id": source_id, "publisher": "Example", "original_publisher": None, "title": "A page",
            "url": "https://example.org/page", "published": "2025-03-01", "published_approx": False,
            "reliability": "press", "note": None}


def _fact(fact_id: str, source: str, entity: str = "CHN", value: float = 1.5) -> dict[str, Any]:
    return {"id": fact_id, "entity": entity, "metric": "market_share", "product": None, "region": "WLD",
            "segment": None, "basis": None, "definition": None, "period": "2024", "value": value, "unit": "pct",
            "status": "claim", "source": source, "quote": "1.5%", "default": False, "note": None}


def _meta(store: Store, key: str) -> str | None:
    row = store._one("SELECT value FROM meta WHERE key = ?", [key])
    return None if row is None else str(row["value"])


# -- the contract, on each database ------------------------------------------------------------------


def test_bundle_loads_every_table_in_its_order(store: Store, location: Path | str, mini_data: Path) -> None:
    bundle = load_bundle(mini_data)
    for schema in schemas.BUNDLED:
        rows = store.rows(schema.name)
        assert len(rows) == len(bundle[schema.name].rows) == store.count(schema.name)
        assert set(rows[0]) == set(schema.column_names) if rows else True
        if "id" in schema.column_index:
            assert [r["id"] for r in rows] == [r["id"] for r in bundle[schema.name].rows]
    assert _meta(store, "schema_version") == schemas.schema_version(store.dialect)
    generation = store.generation()
    with api.open_store(Settings(store_path=location, data_dir=mini_data)) as again:  # unchanged: not reloaded
        assert again.bundle_fingerprint() == store.bundle_fingerprint()
        # no write: DuckDB counts the writes of its store object, PostgreSQL those of the database
        assert again.generation() == (generation if store.dialect == "postgres" else 0)


def test_rows_facts_and_queries(store: Store) -> None:
    rules = store.rows("rules")
    assert rules and all(isinstance(r["products"], list | type(None)) for r in rules)  # JSON decoded
    ordered = store.rows("firms", order_by="name")
    assert [r["name"] for r in ordered] == sorted(r["name"] for r in ordered)
    one = ordered[0]
    assert store.rows("firms", id=one["id"]) == [one]
    with pytest.raises(KeyError):
        store.rows("firms", **{"id; DROP TABLE firms": "x"})
    # a fact about a group ('samsung+sk-hynix') is found from either member
    grouped = [f for f in store.rows("facts") if "+" in f["entity"]]
    member = grouped[0]["entity"].split("+")[1]
    found = store.facts(entity=member)
    assert grouped[0]["id"] in {f["id"] for f in found}
    assert all(member in f["entity"].split("+") for f in found)
    assert found == sorted(found, key=lambda f: (f["metric"], f["entity"], f["period"], f["id"]))
    assert {"publisher", "source_title", "reliability"} <= set(found[0])
    assert store.facts(metric="no-such-metric") == []
    usage = store.source_usage()
    assert sum(usage.values()) == store.count("facts") + store.count("rules")
    assert sorted(store.period_labels()) == sorted({f["period"] for f in store.rows("facts")})
    assert store.input_ids() == {r["id"] for r in store.rows("inputs")}
    names = {i: (n, a) for i, n, a in store.names("firms")}
    assert set(names) == {r["id"] for r in store.rows("firms")}
    assert store.rule_dates()


def test_imports_replace_their_rows(store: Store) -> None:
    dataset = {"id": "demo", "title": "Demo", "licence": "CC0", "attribution": "Demo", "row_counts": {"n": 3}}
    input_id = store.rows("inputs")[0]["id"]
    provision = [{"provider": p, "provider_kind": "country", "input": input_id, "share_pct": s, "basis": None,
                  "year": 2024, "source_text": None, "origin": "demo"} for p, s in (("USA", 60.0), ("JPN", None))]
    flows = pd.DataFrame({"year": [2023, 2023, 2024], "exporter": ["USA", "JPN", "USA"],
                          "importer": ["CHN", "CHN", "CHN"], "hs6": ["848620", "848620", "848620"],
                          "value_usd": [5.0, 7.0, 2.5], "quantity_t": [1.0, float("nan"), None],
                          "origin": ["demo"] * 3})
    before = store.generation()
    store.replace_dataset(dataset, {"provision": provision}, {"trade_flows": flows})
    assert store.generation() == before + 1
    assert [(p["provider"], p["share_pct"]) for p in store.provision_of_input(input_id)
            if p["origin"] == "demo"] == [("USA", 60.0), ("JPN", None)]
    assert store.trade_by_partner("8486", "importer", "CHN") == [
        {"year": 2023, "partner": "JPN", "value_usd": 7.0, "quantity_t": None},
        {"year": 2023, "partner": "USA", "value_usd": 5.0, "quantity_t": 1.0},
        {"year": 2024, "partner": "USA", "value_usd": 2.5, "quantity_t": None}]
    assert store.rows("datasets", id="demo")[0]["row_counts"] == {"n": 3}
    store.replace_dataset(dataset, {"provision": provision[:1]})  # a new import replaces the last one whole
    assert store.count("trade_flows") == 0
    assert [p["provider"] for p in store.provision_of_input(input_id) if p["origin"] == "demo"] == ["USA"]


def test_a_write_that_fails_half_way_leaves_nothing(store: Store) -> None:
    counts = {t: store.count(t) for t in ("sources", "facts", "rules", "datasets", "trade_flows")}
    generation = store.generation()
    bad = _fact("doc-b", "doc-a") | {"metric": None}  # NOT NULL: fails after the source and a fact went in
    with pytest.raises(Exception):  # noqa: B017  (each database raises its own constraint error)
        store.store_documents([_source("doc-a")], [_fact("doc-f", "doc-a"), bad], [])
    frame = pd.DataFrame({"year": [2023, 2023], "exporter": ["USA", "USA"], "importer": ["CHN", "CHN"],
                          "hs6": ["848620", "848620"], "value_usd": [1.0, 2.0], "quantity_t": [None, None],
                          "origin": ["demo", "demo"]})  # the same key twice: the second row fails
    with pytest.raises(Exception):  # noqa: B017
        store.replace_dataset({"id": "demo", "title": "Demo", "licence": "CC0", "attribution": "Demo"}, {},
                              {"trade_flows": frame})
    assert {t: store.count(t) for t in counts} == counts
    assert store.generation() == generation
    store.save_scenario(_scenario("after"))  # the store goes on working
    assert [r["id"] for r in store.rows("scenarios")] == ["after"]


def test_saving_and_deleting_scenarios(store: Store) -> None:
    data, saved = store.generation(), store.generation("scenarios")
    store.save_scenario(_scenario("b-second"))
    store.save_scenario(_scenario("a-first"))
    store.save_scenario(_scenario("b-second", "renamed"))  # replaced, not doubled
    rows = store.rows("scenarios", order_by="id")
    assert [(r["id"], r["name"]) for r in rows] == [("a-first", "a-first"), ("b-second", "renamed")]
    assert rows[1]["document"] == _scenario("b-second", "renamed")["document"]  # JSON back as written
    assert store.delete_scenario("a-first") is True
    assert store.delete_scenario("a-first") is False
    assert [r["id"] for r in store.rows("scenarios")] == ["b-second"]
    assert store.generation("scenarios") == saved + 5  # every committed write of scenarios, none of data
    assert store.generation() == data


def test_documents_and_user_facts_survive_a_bundle_reload(store: Store, mini_data: Path) -> None:
    before = store.generation()
    assert store.store_documents([_source("doc-a")], [_fact("doc-f1", "doc-a")], []) == {
        "sources": 1, "facts": 1, "rules": 0}
    assert store.store_documents([_source("doc-a")], [_fact("doc-f2", "doc-a")], [])["facts"] == 1  # replaced
    store.store_user_facts(_source("user-s"), [_fact("user-f", "user-s", value=2.0)])
    with pytest.raises(ChipshiftError):
        store.store_user_facts(_source("plain"), [])
    assert store.generation() == before + 3
    assert [f["id"] for f in store.facts(source="doc-a")] == ["doc-f2"]
    # the bundle reloads (its files changed): the user's rows stay
    (mini_data / "sources.csv").write_text((mini_data / "sources.csv").read_text() + "\n")
    bundle = load_bundle(mini_data)
    store.load_bundle(bundle, "changed")
    assert {f["id"] for f in store.rows("facts")} >= {"doc-f2", "user-f"}
    assert store.bundle_fingerprint() == "changed"
    assert store.generation() == before + 4


def test_a_closed_store_stays_closed(store: Store) -> None:
    """A question to a closed store fails; on PostgreSQL it does not connect again behind the caller's back
    (a connection nobody would close)."""
    store.close()
    with pytest.raises(Exception, match="closed"):
        store.rows("rules")
    if store.dialect == "postgres":
        assert store._con.raw.closed


def test_derived_values_are_kept_without_a_new_generation(store: Store) -> None:
    generation = store.generation()
    assert store.persisted("demo", "v1", lambda: {"a": [1, 2]}) == {"a": [1, 2]}
    assert store.persisted("demo", "v1", lambda: pytest.fail("rebuilt")) == {"a": [1, 2]}
    assert store.generation() == generation
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        return len(calls)

    assert store.cached("k", build) == 1
    assert store.cached("k", build) == 1
    store.store_user_facts(_source("user-s"), [])
    assert store.cached("k", build) == 2  # a write made it stale


# -- the same answers on both ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, postgres: Cluster, cset_dir: Path) -> Iterator[list[Store]]:
    """The bundled data with the CSET import, in a DuckDB file and in PostgreSQL."""
    stores = []
    for where in (tmp_path_factory.mktemp("duck") / "store.duckdb", postgres.database("bundled")):
        store = api.open_store(Settings(store_path=where))
        api.import_cset(store, cset_dir)
        stores.append(store)
    yield stores
    for store in stores:
        store.close()


@pytest.mark.parametrize("question", [
    pytest.param(lambda s: api.exposure(s, "CHN", "2025-06-01"), id="exposure-CHN"),
    pytest.param(lambda s: api.availability(s, "CHN", None, "2024-01-01"), id="availability-CHN"),
    pytest.param(lambda s: api.availability(s, "RUS", "dram", "2023-06-01"), id="availability-RUS-dram"),
    pytest.param(lambda s: api.show_input(s, "dram"), id="input-dram"),
    pytest.param(lambda s: api.list_facts(s, "samsung", "market_share"), id="facts-samsung"),
    pytest.param(lambda s: api.restrictions_list(s, "CHN", "2025-01-01", None, None), id="rules-CHN"),
    pytest.param(lambda s: {t: s.rows(t) for t in schemas.BY_NAME if t != "datasets"}, id="every-table"),
])
def test_same_answers_on_both(both: list[Store], question: Any) -> None:
    duck, pg = (json.loads(encode(question(s))) for s in both)  # an answer model as its JSON
    assert duck == pg


# -- PostgreSQL: many readers and writers ------------------------------------------------------------


@pytest.fixture
def shared(postgres: Cluster, mini_data: Path) -> str:
    """A PostgreSQL store holding the mini bundle, closed."""
    url = postgres.database()
    api.open_store(Settings(store_path=url, data_dir=mini_data)).close()
    return url


_READER = """
import sys, time
from chipshift.io.store import open_at
store = open_at(sys.argv[1])
start = time.perf_counter()
print(store.count("scenarios"), store.generation("scenarios"), round(time.perf_counter() - start, 3), flush=True)
"""


def test_reads_never_wait_for_a_write_under_way(shared: str) -> None:
    writer, reader = open_at(shared), open_at(shared)
    threads_saw: list[int] = []

    def read() -> None:
        with open_at(shared) as own:
            threads_saw.append(own.count("scenarios"))

    with writer._transaction("scenarios") as con:  # a write under way, not yet committed
        writer._insert(con, schemas.SCENARIOS, [_scenario("pending")])
        readers = [threading.Thread(target=read) for _ in range(3)]
        for thread in readers:
            thread.start()
        other = subprocess.run([sys.executable, "-c", _READER, shared], capture_output=True, text=True, timeout=60,
                               check=True).stdout.split()
        for thread in readers:
            thread.join(timeout=10)
        assert reader.count("scenarios") == 0 and reader.generation("scenarios") == 0
        assert threads_saw == [0, 0, 0] and other[:2] == ["0", "0"]
    assert reader.count("scenarios") == 1  # committed: everyone sees it, and its generation
    assert reader.generation("scenarios") == 1
    writer.close()
    reader.close()


def test_writers_follow_one_another(shared: str) -> None:
    first, second = open_at(shared), open_at(shared)
    done = threading.Event()
    with first._transaction("scenarios") as con:
        first._insert(con, schemas.SCENARIOS, [_scenario("first")])
        def save_second() -> None:
            second.save_scenario(_scenario("second"))
            done.set()

        waiting = threading.Thread(target=save_second)
        waiting.start()
        assert not done.wait(0.5)  # the second write waits for the first (it is not refused)
    waiting.join(timeout=10)
    assert done.is_set()
    assert [r["id"] for r in first.rows("scenarios")] == ["first", "second"]
    assert first.generation("scenarios") == second.generation("scenarios") == 2
    first.close()
    second.close()


_WRITER = """
import sys
from chipshift.io.store import open_at
store = open_at(sys.argv[1])
for i in range(15):
    store.save_scenario({"id": f"{sys.argv[2]}-{i}", "name": "n", "description": None, "document": {"i": i},
                         "digest": "0", "saved_at": "2026-01-01T00:00:00+00:00"})
    store.count("facts")
print(store.generation("scenarios"), flush=True)
"""


def test_processes_write_side_by_side_without_losing_anything(shared: str) -> None:
    started = time.perf_counter()
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, shared, name], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for name in ("a", "b", "c")]
    outputs = [w.communicate(timeout=60) for w in writers]
    assert all(w.returncode == 0 for w in writers), [err for _, err in outputs]
    with open_at(shared) as store:
        assert store.count("scenarios") == 45
        assert store.generation("scenarios") == 45
    assert time.perf_counter() - started < 30


def test_a_write_never_waits_for_the_queries_of_its_process(shared: str) -> None:
    """A write runs on the store's connection for writes: while another thread of the process holds the
    connection of queries (a long question), a save still commits at once, and the question then sees it."""
    with open_at(shared) as store:
        done = threading.Event()
        with store._lock:  # what a query running in another thread holds

            def save() -> None:
                store.save_scenario(_scenario("while-asked"))
                done.set()

            writer = threading.Thread(target=save)
            writer.start()
            assert done.wait(30), "the write waited for the query"
            writer.join()
        assert [r["id"] for r in store.rows("scenarios")] == ["while-asked"]


def test_a_lost_connection_is_a_store_error_and_the_next_call_connects_again(shared: str,
                                                                              postgres: Cluster) -> None:
    import psycopg

    with open_at(shared) as store:
        store.save_scenario(_scenario("before"))
        with psycopg.connect(postgres.url, autocommit=True) as admin:  # the server drops every connection
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                          [shared.rsplit("/", 1)[1]])
        with pytest.raises(ChipshiftError):
            store.rows("scenarios")
        with pytest.raises(ChipshiftError):
            store.save_scenario(_scenario("lost"))
        store.save_scenario(_scenario("after"))
        assert [r["id"] for r in store.rows("scenarios", order_by="id")] == ["after", "before"]
