"""Heavy computations in worker processes: scenario runs and comparisons, market runs and comparisons.

A market run holds the interpreter for seconds and a new scenario run for a tenth of one; run on the threads of
the process that answers pages and writes, they make every quick question and every save wait for the
interpreter. With ``Limits.run_processes`` and ``Limits.market_processes`` above 0 (what ``chipshift serve``
sets), they run in pools of worker processes instead (``concurrent.futures.ProcessPoolExecutor``, started with
``spawn`` and at a lower scheduling priority), and the serving process only hands them over and waits.

A job is a ``Call``: a function of this module's kind, ``fn(context, *args)``, with arguments that can be
pickled; the serving process resolves scenario references first, so a worker never needs more than the store.
A worker opens the store itself: a PostgreSQL store at its URL; a DuckDB file through a copy made at the store's
current count of data writes (``Store.copy_to``; a process that holds the file open, even for reading, would
refuse the server its writes), so a worker reads what the server would read, and a write of data makes the next
job use a new copy. With no processes (the default of ``Limits``, and what tests and embedded uses get), the same
calls run on threads of the serving process, over its own store.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from chipshift.errors import ChipshiftError, StoreError
from chipshift.io.store import Store, is_postgres, open_at
from chipshift.web.errors import ApiError, from_chipshift
from chipshift.web.scenarios import Catalog, ScenarioArg

Memo = Callable[[Hashable, Callable[[], Any]], Any]


@dataclass
class Context:
    """What a computation reads: the store, the scenario catalogue and a memo of values shared between answers
    (keyed by the store's generation as well as by ``key``)."""

    store: Store
    catalog: Catalog
    memo: Memo


@dataclass(frozen=True)
class Call:
    """``fn(context, *args)``: a module-level function and arguments that can be sent to another process."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    #: What a worker process makes sure of before the call, under a limit of its own
    #: (``Limits.learn_timeout_s``) rather than the call's: what the call needs and a worker may not have yet,
    #: such as the market model's error, learned again after a write of data (minutes on a busy machine).
    first: Call | None = None

    def __call__(self, context: Context) -> Any:
        return self.fn(context, *self.args)


@dataclass(frozen=True)
class Where:
    """Where a worker finds the store (a PostgreSQL URL, or a DuckDB file's copy) and the shipped examples."""

    location: str
    examples_dir: str | None


# -- the calls -------------------------------------------------------------------------------------------------


def scenario_run(context: Context, scenario: ScenarioArg, scenario_key: str, target: str, when: date,
                 segment: str | None) -> Any:
    from chipshift.web import periods

    return periods.scenario_run(context, scenario, scenario_key, target, when, segment)


def compare_scenarios(context: Context, target: str, segment: str | None, left: ScenarioArg, left_at: date,
                      right: ScenarioArg, right_at: date, years: list[int], labels: tuple[str, str]) -> Any:
    from chipshift import api

    return api.compare_scenarios(context.store, target, segment, left, left_at, right, right_at, years, labels)


def market_run(context: Context, case: str, draws: int, seed: int, overrides: dict[str, float]) -> Any:
    from chipshift.web import market_cases as market

    return market.run(context.store, context.catalog, case, draws, seed, overrides)


def market_compare(context: Context, resolved: dict[str, ScenarioArg], options: dict[str, Any]) -> Any:
    """``market.compare`` with the restriction scenarios already resolved by the serving process
    (``resolved``: reference -> what it resolves to)."""
    from chipshift.web import market_cases as market

    catalog = _Resolved(context.catalog, resolved)
    return market.compare(context.store, catalog, **options)


def open_world(context: Context) -> dict[str, int]:
    """A worker's first job: open the store and build the engine's world (China's baseline exposure today), so
    the first question it is given does not spend its time limit on that."""
    from chipshift.web import periods

    periods.exposure(context, "CHN", None, None, "baseline", None)
    return {"rules": context.store.count("rules")}


def learn_track_record(context: Context) -> dict[str, bool]:
    """Learn the market model's error from the back-test library (``api.backtest.library_error``), where market
    runs are computed, so the first run with bands does not wait for it."""
    from chipshift.api.backtest import library_error

    return {"learned": library_error(context.store) is not None}


def use_error(context: Context, version: str, value: dict[str, float] | None) -> dict[str, bool]:
    """Take the market model's error learned by the server's learning process (``web/learning.py``), so a run
    with bands in this worker uses it rather than learning it again."""
    from chipshift.api import backtest

    backtest.remember_library_error(version, backtest.error_of_value(value))
    return {"learned": True}


class _Resolved(Catalog):
    """A catalogue whose scenario references were resolved beforehand (a worker's copy of a DuckDB store may
    predate a scenario saved since)."""

    def __init__(self, catalog: Catalog, resolved: dict[str, ScenarioArg]) -> None:
        super().__init__(catalog.examples_dir)
        self._given = resolved

    def resolve(self, store: Store, ref: str | None) -> ScenarioArg:
        if ref is not None and ref in self._given:
            return self._given[ref]
        return super().resolve(store, ref)


# -- the worker's side ---------------------------------------------------------------------------------------

_open: dict[Where, Context] = {}


class _Memo:
    """A bounded memo of one worker, keyed by its store's generation."""

    def __init__(self, store: Store, entries: int = 512) -> None:
        self._store = store
        self._entries = entries
        self._values: OrderedDict[Hashable, Any] = OrderedDict()

    def __call__(self, key: Hashable, build: Callable[[], Any]) -> Any:
        full = (self._store.generation(), key)
        if full in self._values:
            self._values.move_to_end(full)
            return self._values[full]
        value = build()
        self._values[full] = value
        while len(self._values) > self._entries:
            self._values.popitem(last=False)
        return value


def start_worker(nice: int) -> None:
    """A worker's start: a lower priority than the serving process, so quick answers get the processor first;
    and a watch that ends the worker when the serving process is gone."""
    if nice:
        with contextlib.suppress(OSError):  # not allowed here: run at the same priority
            os.nice(nice)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True,
                     name="chipshift-parent-watch").start()


#: How often a worker looks whether the serving process that started it is still there.
PARENT_CHECK_S = 1.0


def _exit_with_parent(parent: int) -> None:
    """End this worker once its serving process is gone. A server stopped in order stops its workers itself;
    one killed outright (``kill -9``, out of memory) cannot, and its workers would otherwise wait for jobs
    forever, or finish learning for no one, holding memory and store connections."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)


def _context(where: Where) -> Context:
    known = _open.get(where)
    if known is not None:
        return known
    if not is_postgres(where.location) and not Path(where.location).exists():
        raise StoreError(f"the copy of the store {where.location} is gone (the server has closed)")
    for old in list(_open):  # a newer copy replaces the old one
        _open.pop(old).store.close()
    store = open_at(where.location)
    context = Context(store, Catalog(Path(where.examples_dir) if where.examples_dir else None,
                                     saved_generation=lambda: store.generation("scenarios")), _Memo(store))
    _open[where] = context
    return context


@dataclass(frozen=True)
class Failure:
    """An error of a job, as plain values (exceptions of this package do not all survive pickling)."""

    status: int
    message: str
    field: str | None
    problems: list[dict[str, Any]]
    suggestions: list[str]
    headers: dict[str, str] | None

    @classmethod
    def of(cls, error: ApiError) -> Failure:
        return cls(error.status, error.message, error.field, error.problems, error.suggestions, error.headers)

    def error(self) -> ApiError:
        return ApiError(self.status, self.message, self.field, problems=self.problems, suggestions=self.suggestions,
                        headers=self.headers)


def run_encoded(context: Context, call: Call, fields: dict[str, str] | None, not_found_status: int
                ) -> bytes | Failure:
    """The call's answer as JSON bytes, or its error as a ``Failure``."""
    from chipshift.web.runtime import encode

    try:
        return encode(call(context))
    except ApiError as exc:
        return Failure.of(exc)
    except ChipshiftError as exc:
        return Failure.of(from_chipshift(exc, fields, not_found_status))


class _Overrun(BaseException):
    """Raised in a worker's computation when it passes its time limit (not an Exception: nothing catches it on
    the way out)."""


def _overrun(signum: int, frame: object) -> None:
    raise _Overrun


def overrun_failure(limit: float) -> Failure:
    return Failure(504, f"the computation took longer than its limit of {limit:g} s and was stopped: ask a "
                   "narrower question (a shorter range, fewer draws)", None, [], [], None)


def in_worker(where: Where, call: Call, fields: dict[str, str] | None, not_found_status: int,
              limit: float, first_limit: float = 0.0) -> bytes | Failure:
    """A job in a worker process, stopped when it runs past ``limit`` seconds from when the worker took it up
    (an alarm in the worker's main thread, where the pool runs its jobs): the answer is then a 504, and the
    worker is free for the next job. The call's ``first`` is made before it, under ``first_limit``, and its
    answer is not kept: so the job's own limit is spent on the job, and a long preparation is not stopped and
    started again by every job that needs it."""
    first = call.first
    previous = signal.signal(signal.SIGALRM, _overrun)
    within = first_limit if first is not None else limit
    try:
        signal.setitimer(signal.ITIMER_REAL, within)
        try:
            context = _context(where)
        except ChipshiftError as exc:
            return Failure.of(from_chipshift(exc, fields, not_found_status))
        if first is not None:
            prepared = run_encoded(context, first, fields, not_found_status)
            if isinstance(prepared, Failure):
                return prepared
            within = limit
            signal.setitimer(signal.ITIMER_REAL, limit)
        return run_encoded(context, call, fields, not_found_status)
    except _Overrun:
        return overrun_failure(within)
    except Exception as exc:  # sent back as a plain error: the serving process logs it and answers 500
        raise RuntimeError(f"{type(exc).__name__}: {exc}") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- the serving process's side --------------------------------------------------------------------------------


@dataclass
class StoreCopies:
    """Where workers find the store: its URL, or for a DuckDB file a copy at the store's current count of data
    writes (made when a job first needs it; the last few are kept for jobs already handed over)."""

    store: Store
    examples_dir: Path | None
    keep: int = 4
    _folder: Path | None = None
    _copies: dict[str, list[tuple[int, Path]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def where(self, pool: str = "runs") -> Where:
        """Where the workers of ``pool`` find the store. Each pool has copies of its own: a worker may keep a
        value it derived in its copy (``Store.persisted``), which would lock the file against another pool's
        workers."""
        examples = str(self.examples_dir) if self.examples_dir is not None else None
        if is_postgres(self.store.path):
            return Where(self.store.path, examples)
        generation = self.store.generation()
        with self._lock:
            copies = self._copies.setdefault(pool, [])
            if not copies or copies[-1][0] != generation:
                if self._folder is None:
                    self._folder = Path(tempfile.mkdtemp(prefix="chipshift-workers-"))
                copy = self._folder / f"store-{pool}-{generation}.duckdb"
                self.store.copy_to(copy)
                copies.append((generation, copy))
                for _, old in copies[:-self.keep]:
                    for path in (old, Path(f"{old}.wal")):
                        path.unlink(missing_ok=True)
                del copies[:-self.keep]
            return Where(str(copies[-1][1]), examples)

    def close(self) -> None:
        with self._lock:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
            self._copies.clear()
