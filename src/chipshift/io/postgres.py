"""The store in a PostgreSQL database: what differs from the embedded DuckDB file, and nothing else.

The tables, the SQL of every question and write, and the transactions are ``chipshift.io.store.Store``'s;
this module gives them a PostgreSQL connection that takes the same ``?`` placeholders, and keeps here the
few things PostgreSQL does its own way:

- every write is one transaction that first takes the store's writer (a transaction-scoped advisory lock), so
  writes from any number of processes follow one another as they do on a DuckDB file, while reads never wait:
  a reader sees the data as it was before a write under way, and all of it once the write commits;
- the counts of writes (the store's generation, part of every cache key) are kept in ``meta`` and bumped in
  the write's own transaction, so every process on the database sees every process's writes;
- large tables (trade flows, screening lists) are inserted with COPY.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.string import TextLoader

from chipshift.errors import StoreError
from chipshift.io.store import Connection, Store, insert_values
from chipshift.schemas import tables as schemas
from chipshift.schemas.tables import Dialect, TableSchema

_log = logging.getLogger(__name__)

#: Keys of the advisory locks (any 64-bit numbers no other application on the database uses).
_WRITER_LOCK = 0x63686970_73686966  # 'chipshif'
#: The count of committed writes of one kind, kept in ``meta`` as 'generation:data' or 'generation:scenarios'.
_BUMP = ("INSERT INTO meta VALUES (?, '1') ON CONFLICT (key) "
         "DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS VARCHAR)")
_CONNECT_TIMEOUT_S = 10
#: A hidden column numbering each table's rows as they are written: PostgreSQL returns rows in the order of
#: its pages, which is not the order of writing, so questions that name no order follow this one (as DuckDB's
#: answers follow the order of writing), and rows with equal sort keys come in this order too.
_ROW = "_row"


def _placeholders(sql: str) -> str:
    """The store's SQL uses ``?`` (DuckDB's placeholders); psycopg takes ``%s`` (and a literal % as %%)."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Adapter:
    """A PostgreSQL connection with the calls the store's SQL makes on a DuckDB connection."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        return self.raw.execute(_placeholders(sql), list(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> None:
        with self.raw.cursor() as cur:
            cur.executemany(_placeholders(sql), rows)


def describe(url: str) -> str:
    """The store's URL without its password, for messages and logs."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(an unreadable URL)"
    host, port, user = parts.get("host") or "localhost", parts.get("port"), parts.get("user")
    where = f"{host}:{port}" if port else str(host)
    return f"postgresql://{f'{user}@' if user else ''}{where}/{parts.get('dbname') or ''}"


class PostgresStore(Store):
    """The store in the PostgreSQL database at a URL (``postgresql://user:password@host:port/dbname``; the
    database must exist, and the user may create tables in it). ``writable`` is a DuckDB file's matter: a
    PostgreSQL store can always be written."""

    dialect: Dialect = "postgres"
    _WRITTEN_ORDER = (_ROW,)

    @property
    def location(self) -> str:
        return describe(self.path)

    def _connect_raw(self) -> psycopg.Connection[Any]:
        try:
            raw = psycopg.connect(self.path, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_S,
                                  application_name="chipshift")
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to the PostgreSQL store {self.location}: {_first_line(exc)}. "
                             "Check that the server runs, that the database exists and that the URL's user and "
                             "password are right") from exc
        # JSON columns come back as their text, as DuckDB gives them (callers decode the declared ones)
        raw.adapters.register_loader("json", TextLoader)
        return raw

    def _open(self, writable: bool) -> None:
        self._closed = False
        self._keeps_writer = True
        self._read_only = False
        self._con = _Adapter(self._connect_raw())
        try:
            # the counts of writes are read on a connection of their own: a cache lookup never waits for a query
            self._counter = self._connect_raw()
            self._counter_lock = threading.Lock()
            # and writes go through one of their own: a write never waits for this process's queries
            self._writes = _Adapter(self._connect_raw())
            self._writes_lock = threading.Lock()
            with self._lock, self._guard():
                if self._stored_version() != schemas.schema_version(self.dialect):
                    self._migrate()  # in a write transaction: processes opening a new database do it in turn
        except BaseException:
            self._con.raw.close()
            for other in ("_counter", "_writes"):
                if hasattr(self, other):
                    connection = getattr(self, other)
                    (connection.raw if isinstance(connection, _Adapter) else connection).close()
            raise

    def _add_missing_columns(self, con: Connection, schema: TableSchema) -> None:
        super()._add_missing_columns(con, schema)
        con.execute(f"ALTER TABLE {schema.name} ADD COLUMN IF NOT EXISTS {_ROW} BIGINT GENERATED ALWAYS AS IDENTITY")

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        rows = super()._all(sql, params)
        for row in rows:
            row.pop(_ROW, None)
        return rows

    def _stored_version(self) -> str | None:
        if self._con.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0] is not True:
            return None
        row = self._con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return None if row is None else str(row[0])

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """A lost connection becomes a StoreError naming the database (exit 2, 503 on the server), and the next
        call connects again."""
        try:
            yield
        except psycopg.OperationalError as exc:
            if not self._closed and (self._con.raw.broken or self._con.raw.closed):
                self._reconnect()  # a store closed on purpose stays closed
            raise StoreError(f"cannot read or write the PostgreSQL store {self.location}: {_first_line(exc)}") \
                from exc

    def _reconnect(self) -> None:
        try:
            self._con.raw.close()
            self._con = _Adapter(self._connect_raw())
        except StoreError:
            _log.warning("the PostgreSQL store %s cannot be reached; the next call tries again", self.location)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._con.raw.close()
            self._counter.close()
        with self._writes_lock:  # a write under way finishes first
            self._writes.raw.close()

    @contextmanager
    def _transaction(self, writes: Literal["data", "scenarios", "derived"] = "data") -> Iterator[Connection]:
        """One write transaction, after the writes of other processes under way (the store's writer); the
        count of writes of its kind is bumped in it, so the two commit together. It runs on the store's
        connection for writes, so it never waits for the queries of this process's other threads (they see it
        once it commits)."""
        with self._writes_lock, self._writes_guard(), self._writes.raw.transaction():
            self._writes.execute("SELECT pg_advisory_xact_lock(?)", [_WRITER_LOCK])
            yield self._writes
            if writes != "derived":
                self._writes.execute(_BUMP, [f"generation:{writes}"])

    @contextmanager
    def _writes_guard(self) -> Iterator[None]:
        """As ``_guard``, for the connection of writes."""
        try:
            yield
        except psycopg.OperationalError as exc:
            if not self._closed and (self._writes.raw.broken or self._writes.raw.closed):
                try:
                    self._writes.raw.close()
                    self._writes = _Adapter(self._connect_raw())
                except StoreError:
                    _log.warning("the PostgreSQL store %s cannot be reached; the next write tries again",
                                 self.location)
            raise StoreError(f"cannot read or write the PostgreSQL store {self.location}: {_first_line(exc)}") \
                from exc

    def generation(self, of: Literal["data", "scenarios"] = "data") -> int:
        """How many writes of data (or of saved scenarios) the database has committed, by any process."""
        with self._counter_lock:
            try:
                if self._counter.broken and not self._closed:
                    self._counter.close()
                    self._counter = self._connect_raw()
                row = self._counter.execute("SELECT value FROM meta WHERE key = %s", [f"generation:{of}"]).fetchone()
            except psycopg.OperationalError as exc:
                raise StoreError(f"cannot read the PostgreSQL store {self.location}: {_first_line(exc)}") from exc
        return 0 if row is None else int(row[0])

    @contextmanager
    def claim(self, name: str) -> Iterator[bool]:
        """A session's advisory lock on a connection of its own, keyed by ``name``: whether no other process holds
        it; it is let go when the block ends, or when this process's connection closes."""
        key = int.from_bytes(hashlib.sha256(f"chipshift:{name}".encode()).digest()[:8], "big", signed=True)
        raw = self._connect_raw()
        try:
            row = raw.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()
            yield bool(row and row[0])
        finally:
            raw.close()  # the lock ends with the session

    @staticmethod
    def _insert(con: Connection, schema: TableSchema, rows: Sequence[dict[str, Any]]) -> None:
        """``rows`` into ``schema``'s table in one ``executemany`` (psycopg sends the rows together)."""
        if not rows:
            return
        columns, row, values = insert_values(schema, rows)
        con.executemany(f"INSERT INTO {schema.name} ({columns}) VALUES {row}", values)

    def _insert_frame(self, con: Connection, schema: TableSchema, frame: Any) -> None:
        """Many rows (a data frame with the table's columns) with COPY; missing values (NaN) become NULL."""
        columns = ", ".join(f'"{c}"' for c in schema.column_names)
        values = frame[list(schema.column_names)].astype(object)
        values = values.where(values.notna(), None)
        assert isinstance(con, _Adapter)
        with con.raw.cursor() as cur, cur.copy(f"COPY {schema.name} ({columns}) FROM STDIN") as copy:
            for row in values.itertuples(index=False, name=None):
                copy.write_row(row)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
