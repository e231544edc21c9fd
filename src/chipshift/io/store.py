"""The store: an embedded DuckDB database (the default) or a PostgreSQL database (a team's shared store),
owned by one object that serialises every write.

Callers never hold connections or write SQL; they call the methods here. Each write is one
transaction, so a failing load leaves the store exactly as it was. The SQL here is written once for both
databases; what differs (connections, transactions, bulk inserts, the counts of writes) is in
``chipshift.io.postgres``, which ``open_at`` picks for a ``postgresql://`` URL.

The tables are those declared in ``chipshift.schemas.tables``. Opening a store brings it up to date in one
transaction: missing tables are created and missing (optional) columns added, and the declarations' digest
is recorded in ``meta`` as ``schema_version``; nothing is ever dropped or retyped.

A store file is read through a read-only connection, so any number of processes (queries, a read-only
server) read it side by side. A write opens the file for writing for the length of its transaction and then
returns to reading (DuckDB lets one process write a file only while no other process has it open), unless
the store was opened ``writable`` to keep the writer (imports that write several times in a row).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar, cast

import duckdb

from chipshift.config import POSTGRES_SCHEMES
from chipshift.errors import ChipshiftError, StoreBusyError, StoreError
from chipshift.io.bundled import Bundle
from chipshift.schemas import tables as schemas
from chipshift.schemas.tables import Dialect, TableSchema

T = TypeVar("T")
_log = logging.getLogger(__name__)

#: Origins whose rows the bundled data owns in tables shared with imports.
BUNDLED_ORIGINS = ("chipshift", "bundled")
#: Id prefix of sources and facts stored from accepted documents (reserved: bundled ids never use it).
DOCUMENT_PREFIX = "doc-"
#: Id prefix of sources and facts added through the web API (reserved likewise).
USER_PREFIX = "user-"
#: Prefixes of the rows that are the user's, not the bundle's: kept when the bundle reloads.
RESERVED_PREFIXES = (DOCUMENT_PREFIX, USER_PREFIX)
_META_DDL = "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)"
#: Set one ``meta`` value (the same statement in DuckDB and PostgreSQL).
_SET_META = "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
#: What DuckDB raises for a file it cannot read or write (truncated, damaged, locked, not a database).
_FILE_ERRORS = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException,
                duckdb.FatalException, duckdb.ConnectionException)
_MOVE_ASIDE = (" If the file is damaged or cut short, move it aside and run the command again (the bundled data is "
               "loaded anew; imports must be run again)")


class Connection(Protocol):
    """What the store's SQL runs on: a DuckDB connection, or ``chipshift.io.postgres``'s adapter of one to
    PostgreSQL (the same ``?`` placeholders)."""

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> Any: ...


#: Rows in one INSERT statement of a DuckDB store (``Store._insert``).
ROWS_PER_INSERT = 100


def insert_values(schema: TableSchema, rows: Sequence[dict[str, Any]]) -> tuple[str, str, list[list[Any]]]:
    """What an INSERT of ``rows`` into ``schema``'s table binds: its columns (quoted), one row's placeholders and
    each row's values in the columns' order (JSON columns as JSON text)."""
    names = schema.column_names
    json_cols = {c.name for c in schema.columns if c.dtype == "json"}
    values = [[json.dumps(r.get(n)) if n in json_cols and r.get(n) is not None else r.get(n) for n in names]
              for r in rows]
    return ", ".join(f'"{n}"' for n in names), "(" + ", ".join("?" for _ in names) + ")", values


def is_postgres(location: Path | str) -> bool:
    """Whether ``location`` names a PostgreSQL store (a ``postgresql://`` URL) rather than a file."""
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def open_at(location: Path | str, *, writable: bool = False) -> Store:
    """The store at ``location``: a PostgreSQL database for a ``postgresql://`` URL, else a DuckDB file (or
    ``:memory:``)."""
    if is_postgres(location):
        from chipshift.io.postgres import PostgresStore

        return PostgresStore(str(location))
    return Store(location, writable=writable)


def bundle_fingerprint(root: Path) -> str:
    """A hash of the bytes of the data files under ``root`` (a bundle's folder): the store reloads the bundle
    when it changes, and only then reads and checks the files."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".csv", ".yaml")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Store:
    """The gatekeeper of the database file (or ``:memory:``); ``chipshift.io.postgres.PostgresStore`` is the
    same for a PostgreSQL database.

    ``writable``: keep the file open for writing from the start (other processes can then neither read nor
    write it); by default it is read through a read-only connection and opened for writing only while a write
    runs."""

    dialect: Dialect = "duckdb"
    #: What keeps rows in the order they were written where a question names no order (DuckDB's scans do,
    #: PostgreSQL's do not: a hidden column does there).
    _WRITTEN_ORDER: tuple[str, ...] = ()
    _con: Any  # the DuckDB connection (PostgresStore: its adapter)

    def __init__(self, path: Path | str, *, writable: bool = False) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        # bumped by every committed write of data (everything but saved scenarios and derived values), and of
        # saved scenarios: what was derived from either goes stale with it
        self._generation = 0
        self._scenario_generation = 0
        self._memo: dict[str, tuple[int, Any]] = {}
        self._memo_lock = threading.Lock()
        self._open(writable)

    def _open(self, writable: bool) -> None:
        in_memory = self.path == ":memory:"
        self._keeps_writer = writable or in_memory
        if not in_memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        fresh = in_memory or not Path(self.path).exists()
        self._read_only = not (fresh or self._keeps_writer)
        self._con = self._connect()
        with self._lock, self._guard():
            if self._read_only and self._schema_is_current():
                return
            self._migrate()

    def _migrate(self) -> None:
        """Create the missing tables and add the missing columns, and record the schema's version, in one
        transaction (nothing is dropped or retyped)."""
        with self._transaction("derived") as con:
            con.execute(_META_DDL)
            for schema in schemas.ALL:
                con.execute(schema.ddl(self.dialect))
                self._add_missing_columns(con, schema)
            con.execute(_SET_META, ["schema_version", schemas.schema_version(self.dialect)])

    @property
    def location(self) -> str:
        """Where the store is, for messages and logs (never a password)."""
        return self.path

    @property
    def read_only(self) -> bool:
        """Whether the file is open for reading only just now (between writes)."""
        return self._read_only

    def _connect(self) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(self.path, read_only=self._read_only)
        except duckdb.Error as exc:
            raise self._open_failure(exc) from exc

    def _open_failure(self, exc: duckdb.Error) -> StoreError:
        """Why the file could not be opened, in words that say what to do."""
        text = str(exc)
        holder = re.search(r"\(PID (\d+)\)", text)
        if holder or "Could not set lock" in text:
            who = f"another process (PID {holder.group(1)})" if holder else "another process"
            if self._read_only:
                return StoreBusyError(
                    f"cannot read the store file {self.path}: {who} has it open for writing (an import, ingest "
                    "--accept, or a server saving something). Queries run side by side, but not while a process "
                    "writes: run this again when it has finished")
            return StoreBusyError(
                f"cannot write to the store file {self.path}: {who} has it open. Writing needs the file alone: "
                "wait for the other process (a query, or a server, which holds the file while it runs) to finish "
                "or stop it, or give this command a store of its own with --store")
        if "different configuration" in text:
            return StoreBusyError(
                f"cannot open the store file {self.path} for {'reading' if self._read_only else 'writing'}: this "
                "process already holds it open in the other mode (close that store first)")
        return StoreError(f"cannot open the store file {self.path}: {exc}.{_MOVE_ASIDE}")

    def _reopen(self, *, read_only: bool) -> None:
        """Close the connection and open the file again for reading only or for writing."""
        if read_only == self._read_only:
            return
        self._con.close()
        self._read_only = read_only
        try:
            self._con = self._connect()
        except StoreBusyError:
            if read_only:
                raise
            self._read_only = True  # could not take the writer: go on reading as before
            self._con = self._connect()
            raise

    def _schema_is_current(self) -> bool:
        """Whether every declared table, and every column of it, is in the file (else it must be written): the
        version the file was last brought to is the declared one, or (a file from before versions were
        recorded) its catalogue lists every declared column."""
        try:
            row = self._con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.CatalogException:
            return False
        if row is not None and row[0] == schemas.schema_version(self.dialect):
            return True
        present: dict[str, set[str]] = {}
        for table, column in self._con.execute(
                "SELECT table_name, column_name FROM information_schema.columns").fetchall():
            present.setdefault(table, set()).add(column)
        return "meta" in present and all(
            schema.name in present and set(schema.column_names) <= present[schema.name] for schema in schemas.ALL)

    def _add_missing_columns(self, con: Connection, schema: TableSchema) -> None:
        """A store written before a table gained an optional column gets it (empty), so its rows stay readable
        and the next load fills it."""
        present = {row[0] for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ?", [schema.name]).fetchall()}
        for c in schema.columns:
            if c.name not in present and not c.required:
                con.execute(f'ALTER TABLE {schema.name} ADD COLUMN "{c.name}" {c.sql_type_in(self.dialect)}')

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """A file DuckDB cannot read or write becomes a StoreError naming it (exit 2), not a traceback."""
        try:
            yield
        except _FILE_ERRORS as exc:
            raise StoreError(f"cannot read or write the store file {self.path}: {exc}.{_MOVE_ASIDE}") from exc

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def copy_to(self, destination: Path) -> None:
        """Copy the file, as this store's last committed write left it, to ``destination``: a copy other
        processes can read while this one goes on writing the original (no write of this store runs during
        the copy)."""
        if self.path == ":memory:":
            raise StoreError("a store in memory cannot be copied to a file")
        with self._lock, self._guard():
            shutil.copyfile(self.path, destination)
            wal = Path(f"{self.path}.wal")
            if wal.exists():
                shutil.copyfile(wal, f"{destination}.wal")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------------

    def generation(self, of: Literal["data", "scenarios"] = "data") -> int:
        """How many writes of data (or of saved scenarios) this store has committed: a cache key that holds it
        goes stale by itself when what it was computed from changes. Writes by another process to the same file
        are not counted. It takes no lock: a cache lookup never waits for a query or a write under way (the
        counts are bumped, under the store's lock, only once a write has committed)."""
        return self._generation if of == "data" else self._scenario_generation

    @contextmanager
    def _transaction(self, writes: Literal["data", "scenarios", "derived"] = "data") -> Iterator[Connection]:
        """One write transaction; ``writes`` says what it changes (a derived value kept in ``meta`` changes
        nothing anything is computed from)."""
        with self._lock, self._guard():
            self._reopen(read_only=False)
            try:
                self._con.execute("BEGIN TRANSACTION")
                try:
                    yield self._con
                except BaseException:
                    self._con.execute("ROLLBACK")
                    raise
                self._con.execute("COMMIT")
                if writes == "data":
                    self._generation += 1
                elif writes == "scenarios":
                    self._scenario_generation += 1
            finally:
                if not self._keeps_writer:
                    self._reopen(read_only=True)

    @staticmethod
    def _insert(con: Connection, schema: TableSchema, rows: Sequence[dict[str, Any]]) -> None:
        """``rows`` into ``schema``'s table, ``ROWS_PER_INSERT`` to a statement: DuckDB's ``executemany`` runs
        its statement once per row, several times slower (the bundle's 5,700 rows: 3.3 s to 0.7 s)."""
        if not rows:
            return
        columns, row, values = insert_values(schema, rows)
        for start in range(0, len(values), ROWS_PER_INSERT):
            part = values[start:start + ROWS_PER_INSERT]
            con.execute(f"INSERT INTO {schema.name} ({columns}) VALUES {', '.join([row] * len(part))}",
                        [value for one in part for value in one])

    def _insert_frame(self, con: Connection, schema: TableSchema, frame: Any) -> None:
        """Many rows (a data frame with the table's columns) in one statement."""
        columns = ", ".join(f'"{c}"' for c in schema.column_names)
        duck = cast(duckdb.DuckDBPyConnection, con)
        duck.register("incoming", frame)
        duck.execute(f"INSERT INTO {schema.name} ({columns}) SELECT {columns} FROM incoming")
        duck.unregister("incoming")

    def load_bundle(self, bundle: Bundle, fingerprint: str) -> dict[str, int]:
        """Replace the bundled rows with ``bundle``'s (which the caller has validated)."""
        counts: dict[str, int] = {}
        with self._transaction() as con:
            for schema in reversed(schemas.BUNDLED):
                if "origin" in schema.column_index and schema.name in ("firms", "inputs", "input_links"):
                    con.execute(f"DELETE FROM {schema.name} WHERE origin IN (?, ?)", list(BUNDLED_ORIGINS))
                elif schema.name == "rules":
                    con.execute("DELETE FROM rules WHERE origin = 'bundled'")
                elif schema.name in ("facts", "sources"):
                    # rows from accepted documents ('doc-...') and from the API ('user-...') are the user's,
                    # not the bundle's: keep them
                    con.execute(f"DELETE FROM {schema.name} WHERE NOT ("
                                + " OR ".join("starts_with(id, ?)" for _ in RESERVED_PREFIXES) + ")",
                                list(RESERVED_PREFIXES))
                else:
                    con.execute(f"DELETE FROM {schema.name}")
            for schema in schemas.BUNDLED:
                rows = [r.values for r in bundle[schema.name].rows]
                if schema.name in ("firms", "inputs") and rows:
                    # an import may have written a row for a firm or input the bundle now defines (its
                    # provision rows point at the same id): the bundled row takes its place
                    con.execute(f"DELETE FROM {schema.name} WHERE id = ANY(?)", [[r["id"] for r in rows]])
                self._insert(con, schema, rows)
                counts[schema.name] = len(rows)
            con.execute(_SET_META, ["bundle_fingerprint", fingerprint])
        return counts

    def bundle_fingerprint(self) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = 'bundle_fingerprint'")
        return None if row is None else str(row["value"])

    def replace_dataset(self, dataset: dict[str, Any], rows: dict[str, list[dict[str, Any]]],
                        frames: dict[str, Any] | None = None,
                        history: dict[str, list[dict[str, Any]]] | None = None) -> None:
        """Replace everything an import (``dataset['id']`` = origin) wrote before with ``rows`` (records by
        table) and ``frames`` (data frames by table, for large tables), and add ``history`` (records by table,
        kept across imports: what changed since the earlier import), in one transaction."""
        origin = dataset["id"]
        with self._transaction() as con:
            for name, records in (history or {}).items():
                self._insert(con, schemas.BY_NAME[name], records)
            for name in ("provision", "input_links", "external_ids", "stages", "inputs", "firms", "trade_flows",
                         "parties"):
                con.execute(f"DELETE FROM {name} WHERE origin = ?", [origin])
            con.execute("DELETE FROM datasets WHERE id = ?", [origin])
            for name in ("firms", "inputs", "stages", "input_links", "provision", "external_ids", "parties"):
                self._insert(con, schemas.BY_NAME[name], rows.get(name, []))
            if frames:  # many rows: a table's columns as a data frame, inserted in one statement
                for name, frame in frames.items():
                    self._insert_frame(con, schemas.BY_NAME[name], frame)
            record = {"imported_at": datetime.now(UTC).isoformat(timespec="seconds"), **dataset}
            self._insert(con, schemas.DATASETS, [record])

    # -- reading -----------------------------------------------------------------------------------

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """A value derived from the store (e.g. the engine's world), rebuilt after any write through this
        store. Writes by another process to the same file are not seen: one store object owns a file (on
        PostgreSQL, the generation is the database's, so every process's writes are)."""
        generation = self.generation()
        with self._memo_lock:  # not the store's lock: a lookup does not wait for a query or a write under way
            hit = self._memo.get(key)
            if hit is not None and hit[0] == generation:
                return cast(T, hit[1])
        value = build()
        with self._memo_lock:
            self._memo[key] = (generation, value)
        return value

    def persisted(self, key: str, version: str, build: Callable[[], Any]) -> Any:
        """A JSON value derived from the store and kept in it, rebuilt when ``version`` (what it depends on:
        the bundle's fingerprint, an import's time) changes, so later processes reuse it."""
        found, stored = self.derived(key, version)
        if found:
            return stored
        value = self.cached(f"derived:{key}:{version}", build)
        self.keep_derived(key, version, value)
        return value

    def derived(self, key: str, version: str) -> tuple[bool, Any]:
        """Whether a derived value of ``version`` is kept under ``key`` (see ``persisted``), and the value."""
        row = self._one("SELECT value FROM meta WHERE key = ?", [f"derived:{key}"])
        if row is not None:
            stored = json.loads(row["value"])
            if stored.get("version") == version:
                return True, stored["value"]
        return False, None

    def keep_derived(self, key: str, version: str, value: Any) -> None:
        """Keep a derived JSON value of ``version`` under ``key``, for this process and later ones (a DuckDB file
        that another process has open keeps nothing: the value is then this process's only)."""
        try:
            with self._transaction("derived") as con:
                con.execute(_SET_META, [f"derived:{key}", json.dumps({"version": version, "value": value})])
        except StoreBusyError:  # another process has the file open: keep the value in this process only
            _log.info("derived value %s not kept in %s: the file is in use", key, self.location)

    @contextmanager
    def claim(self, name: str) -> Iterator[bool]:
        """Whether this process may do the work called ``name`` that one process at a time does for everyone
        using the store (learning a derived value), held until the block ends. A DuckDB file is served by one
        process, which may always; on PostgreSQL the first process to ask holds it, and a process that ends
        lets it go."""
        yield True

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock, self._guard():
            cur = self._con.execute(sql, list(params))
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def _in_written_order(self) -> str:
        return f" ORDER BY {', '.join(self._WRITTEN_ORDER)}" if self._WRITTEN_ORDER else ""

    def count(self, table: str) -> int:
        schemas.BY_NAME[table]  # only declared tables
        row = self._one(f"SELECT count(*) AS n FROM {table}")
        return int(row["n"]) if row else 0

    def rows(self, table: str, order_by: str | None = None, **equal: Any) -> list[dict[str, Any]]:
        """All rows of a declared table, optionally filtered by column equality."""
        schema = schemas.BY_NAME[table]
        for column in [*equal, *([order_by] if order_by else [])]:
            schema.column(column)  # KeyError for an undeclared column: never splice unknown names
        where = " AND ".join(f'"{c}" = ?' for c in equal)
        sql = f"SELECT * FROM {table}" + (f" WHERE {where}" if where else "")
        order = [*([order_by] if order_by else []), *self._WRITTEN_ORDER]
        sql += f" ORDER BY {', '.join(order)}" if order else ""
        return [_decode(schema, r) for r in self._all(sql, list(equal.values()))]

    def input_ids(self) -> set[str]:
        return {r["id"] for r in self._all("SELECT id FROM inputs")}

    def names(self, table: str) -> list[tuple[str, str, list[str]]]:
        """(id, name, aliases) of every firm, input or country, for name resolution."""
        if table not in ("firms", "inputs", "countries"):
            raise ValueError(table)
        kind = {"firms": "firm", "inputs": "input", "countries": "country"}[table]
        imported: dict[str, list[str]] = {}
        for r in self._all("SELECT entity, external_name FROM external_ids WHERE entity_kind = ? "
                           f"AND external_name IS NOT NULL{self._in_written_order()}", [kind]):
            imported.setdefault(r["entity"], []).append(r["external_name"])
        return [(r["id"], r["name"], [*(r["aliases"] or []), *imported.get(r["id"], [])]) for r in
                self._all(f"SELECT id, name, aliases FROM {table}{self._in_written_order()}")]

    def provision_of_input(self, input_id: str) -> list[dict[str, Any]]:
        return self._all(
            "SELECT p.*, coalesce(c.name, f.name) AS provider_name, f.hq_country "
            "FROM provision p LEFT JOIN countries c ON p.provider_kind = 'country' AND c.id = p.provider "
            "LEFT JOIN firms f ON p.provider_kind = 'firm' AND f.id = p.provider "
            "WHERE p.input = ? ORDER BY p.provider_kind, p.share_pct DESC NULLS LAST, provider_name",
            [input_id])

    def provision_of_provider(self, provider: str) -> list[dict[str, Any]]:
        return self._all(
            "SELECT p.*, i.name AS input_name FROM provision p LEFT JOIN inputs i ON i.id = p.input "
            "WHERE p.provider = ? ORDER BY p.share_pct DESC NULLS LAST, input_name", [provider])

    def links_of_input(self, input_id: str) -> list[dict[str, Any]]:
        return self._all(
            "SELECT l.*, ic.name AS child_name, ip.name AS parent_name FROM input_links l "
            "JOIN inputs ic ON ic.id = l.child JOIN inputs ip ON ip.id = l.parent "
            "WHERE l.child = ? OR l.parent = ? ORDER BY l.relation, l.child, l.parent", [input_id, input_id])

    def facts(self, entity: str | None = None, metric: str | None = None, source: str | None = None,
              product: str | None = None) -> list[dict[str, Any]]:
        """Facts (joined with their source) filtered by entity (also inside '+' groups), metric, source."""
        clauses, params = [], []
        if entity is not None:
            clauses.append("(f.entity = ? OR ? = ANY(string_to_array(f.entity, '+')))")
            params += [entity, entity]
        for column, value in (("metric", metric), ("source", source), ("product", product)):
            if value is not None:
                clauses.append(f"f.{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return self._all(
            "SELECT f.*, s.publisher, s.original_publisher, s.title AS source_title, s.url, "
            "s.published, s.published_approx, s.reliability FROM facts f JOIN sources s ON s.id = f.source "
            f"{where} ORDER BY f.metric, f.entity, f.period, f.id", params)

    def trade_by_partner(self, hs: str, side: str, country: str, year: int | None = None) -> list[dict[str, Any]]:
        """Imported trade flows of an HS heading for one importer or exporter (``side``), summed by year and
        partner, largest first."""
        if side not in ("importer", "exporter"):
            raise ValueError(side)
        partner = "exporter" if side == "importer" else "importer"
        clauses: list[str] = [f"{side} = ?", "starts_with(hs6, ?)"]
        params: list[Any] = [country, hs]
        if year is not None:
            clauses.append("year = ?")
            params.append(year)
        return self._all(
            f"SELECT year, {partner} AS partner, sum(value_usd) AS value_usd, sum(quantity_t) AS quantity_t "
            f"FROM trade_flows WHERE {' AND '.join(clauses)} GROUP BY year, partner "
            "ORDER BY year, value_usd DESC NULLS LAST, partner", params)

    def rules_of_source(self, source: str) -> list[dict[str, Any]]:
        return [_decode(schemas.RULES, r) for r in
                self._all(f"SELECT * FROM rules WHERE source = ?{self._in_written_order()}", [source])]

    def source_usage(self) -> dict[str, int]:
        rows = self._all("SELECT source, count(*) AS n FROM (SELECT source FROM facts UNION ALL "
                         "SELECT source FROM rules) AS used GROUP BY source")
        return {r["source"]: int(r["n"]) for r in rows}

    def period_labels(self) -> list[str]:
        return [r["period"] for r in self._all("SELECT DISTINCT period FROM facts")]

    def rule_dates(self) -> list[str]:
        rows = self._all("SELECT announced, effective, ended FROM rules")
        return [d for r in rows for d in r.values() if d]

    # -- saved scenarios (written by the web front-end) ----------------------------------------------

    def save_scenario(self, record: dict[str, Any]) -> None:
        """Insert or replace one saved scenario (a row of the ``scenarios`` table), in one transaction."""
        with self._transaction("scenarios") as con:
            con.execute("DELETE FROM scenarios WHERE id = ?", [record["id"]])
            self._insert(con, schemas.SCENARIOS, [record])

    def delete_scenario(self, scenario_id: str) -> bool:
        """Remove a saved scenario; False when there was none with that id."""
        with self._transaction("scenarios") as con:
            found = con.execute("SELECT count(*) FROM scenarios WHERE id = ?", [scenario_id]).fetchone()
            con.execute("DELETE FROM scenarios WHERE id = ?", [scenario_id])
        return bool(found and found[0])

    # -- ingested documents (written by `chipshift ingest --accept`) ----------------------------------

    def store_documents(self, sources: Sequence[dict[str, Any]], facts: Sequence[dict[str, Any]],
                        rules: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Store ingested documents as sources with their accepted claims (facts) and candidate rules, in ONE
        transaction; an earlier ingestion of the same source is replaced."""
        with self._transaction() as con:
            for source in sources:
                con.execute("DELETE FROM facts WHERE source = ?", [source["id"]])
                con.execute("DELETE FROM rules WHERE source = ? AND origin = 'document'", [source["id"]])
                con.execute("DELETE FROM sources WHERE id = ?", [source["id"]])
            self._insert(con, schemas.SOURCES, list(sources))
            self._insert(con, schemas.FACTS, list(facts))
            self._insert(con, schemas.RULES, list(rules))
        return {"sources": len(sources), "facts": len(facts), "rules": len(rules)}


    # -- facts added through the web API (ids 'user-...') ----------------------------------------------

    def store_user_facts(self, source: dict[str, Any], facts: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Store one source and its facts (checked by ``chipshift.api.facts``), in ONE transaction; an earlier
        posting of the same source (and its facts) is replaced. Ids must carry the ``user-`` prefix."""
        ids = [source["id"], *(f["id"] for f in facts)]
        if not all(str(i).startswith(USER_PREFIX) for i in ids):
            raise ChipshiftError(f"ids of facts and sources added by users start with '{USER_PREFIX}'")
        with self._transaction() as con:
            con.execute("DELETE FROM facts WHERE source = ?", [source["id"]])
            con.execute("DELETE FROM sources WHERE id = ?", [source["id"]])
            self._insert(con, schemas.SOURCES, [source])
            self._insert(con, schemas.FACTS, list(facts))
        return {"sources": 1, "facts": len(facts)}


def _decode(schema: TableSchema, row: dict[str, Any]) -> dict[str, Any]:
    for column in schema.columns:
        if column.dtype == "json" and isinstance(row.get(column.name), str):
            row[column.name] = json.loads(row[column.name])
    return row
