"""Running API calls off the event loop: bounded in time and in number, with a cache of answers.

Every answer of the API is a deterministic function of the store's content and the request (scenarios
are identified by their content), so encoded answers are cached under a key that holds the store's count of
data writes: a write makes earlier answers unreachable without anyone clearing the cache. Saving a scenario
changes only the answers that read saved scenarios (their keys hold the saved scenarios' own count).
Writes run on a path of their own, never queued behind computations; so do market runs, and so do
scenario runs and comparisons (several exposures and a difference each), so that the quick questions of
pages (an exposure, an input's page) never wait in a queue behind them. With ``run_processes`` and
``market_processes`` (what ``chipshift serve`` sets) those heavy computations run in worker processes
(``web/compute.py``), so they do not hold this process's interpreter either.

Refusals and limits: a computation that finds its queue full is refused at once with 429 and ``Retry-After``
(it never waits to be refused); one that runs past its time limit is answered 504 (the server gave up waiting
for its own worker; the message says to ask a narrower question), never 503.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import math
import multiprocessing
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from chipshift.errors import ChipshiftError
from chipshift.web import compute as heavy
from chipshift.web.errors import ApiError, from_chipshift

if TYPE_CHECKING:
    from chipshift.web.compute import Call, Context, StoreCopies


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one request from holding the server."""

    max_body_bytes: int = 256 * 1024  # JSON bodies and YAML uploads
    run_timeout_s: float = 10.0  # one computation (scenario run, comparison, analysis), from when it starts
    market_timeout_s: float = 120.0  # one market-model run (the posterior first, then the draws for the bands)
    learn_timeout_s: float = 1200.0  # a market worker learning the model's error from the back-test library
    max_pending: int = 64  # computations queued or running (of each pool) before new ones get 429
    workers: int = 4  # threads that answer questions (the engine is numpy; DuckDB access is serialised)
    run_workers: int = 2  # threads that run and compare scenarios, apart, so questions never queue behind them
    cache_entries: int = 512  # encoded answers kept
    write_timeout_s: float = 30.0  # one write (saving a scenario, storing facts): it waits for no computation
    market_workers: int = 1  # threads that run market models, apart from the others
    market_waiting: int = 2  # market runs that may wait for one of those; more are refused at once with 429
    run_processes: int = 0  # worker processes for scenario runs and comparisons (0: threads of this process)
    market_processes: int = 0  # worker processes for market runs (0: threads of this process)
    process_nice: int = 0  # how much lower the workers' scheduling priority is than this process's (os.nice)
    warm_exposures: bool = False  # compute China's baseline exposure for every period of the rules at start


    @classmethod
    def for_server(cls) -> Limits:
        """What ``chipshift serve`` runs with: the heavy computations in one worker process each for scenario
        runs and market runs, at a lower priority, so the serving process answers quick questions and writes
        first; the Exposure page's first question computed for every period of the rules at start."""
        return cls(run_processes=1, market_processes=1, process_nice=10, warm_exposures=True)


def encode(value: Any) -> bytes:
    """JSON bytes of a value, or of an answer's ``as_report()``; NaN and infinities (never expected) become null
    rather than invalid JSON."""
    if callable(getattr(value, "as_report", None)):
        value = value.as_report()
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, default=str).encode()
    except ValueError:
        return json.dumps(_finite(value), ensure_ascii=False, default=str).encode()


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class JSONBytes(Response):
    media_type = "application/json"


class Runner:
    """Runs blocking calls in small pools (threads, and worker processes for the heavy ones when the limits ask
    for them); refuses at once with 429 when a pool's queue is full, answers 504 past the time limit."""

    def __init__(self, limits: Limits, generation: Callable[[], Hashable] = lambda: 0) -> None:
        """``generation``: the store's count of data writes, part of every cache key. ``context`` (set by the
        app) is what heavy computations read on this process's threads; ``copies`` where worker processes find
        the store."""
        self.limits = limits
        self._generation = generation
        self.context: Context | None = None
        self.copies: StoreCopies | None = None
        self._pool = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix="chipshift-web")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chipshift-write")
        self._market: Executor = self._heavy_pool(limits.market_processes, limits.market_workers, "chipshift-market")
        self._runs: Executor = self._heavy_pool(limits.run_processes, limits.run_workers, "chipshift-run")
        self._pending = 0
        self._runs_admitted = 0
        self._market_admitted = 0
        self._lock = threading.Lock()
        self._cache: OrderedDict[Hashable, bytes] = OrderedDict()
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, asyncio.Future[bytes]] = {}

    def _heavy_pool(self, processes: int, threads: int, name: str) -> Executor:
        if processes <= 0:
            return ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        # spawn, not fork: this process has threads (and store connections) a forked child must not inherit
        return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=heavy.start_worker, initargs=(self.limits.process_nice,))

    @property
    def _market_slots(self) -> int:
        return self.limits.market_processes or self.limits.market_workers

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        for pool in (self._runs, self._market):
            _stop(pool)
        self._writer.shutdown(wait=True)  # a write under way finishes: nothing is half-stored
        if self.copies is not None:
            self.copies.close()

    async def write(self, fn: Callable[[], Any], *, fields: dict[str, str] | None = None,
                    not_found_status: int = 422) -> Any:
        """``fn()`` (a write to the store) on the writers' own thread: never behind computations, never refused
        because they are many; chipshift errors become JSON errors."""
        future = asyncio.wrap_future(self._writer.submit(contextvars.copy_context().run, fn))
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.limits.write_timeout_s)
        except TimeoutError:  # the write goes on and commits or rolls back whole; the client is told to look
            raise ApiError(504, f"the write took longer than {self.limits.write_timeout_s:g} s; it may still "
                           "complete: check before retrying") from None
        except ChipshiftError as exc:
            raise from_chipshift(exc, fields, not_found_status) from None

    def _admit(self, market: bool, scenario_run: bool) -> Callable[..., None]:
        """Take a place in the pool's queue, or refuse at once with 429; returns what gives the place back
        (once, however often it is called)."""
        with self._lock:
            if market:
                if self._market_admitted >= self._market_slots + self.limits.market_waiting:
                    raise ApiError(429, f"{self._market_admitted} market runs are under way or waiting; retry "
                                   "shortly", headers={"Retry-After": "10"})
                self._market_admitted += 1
            elif scenario_run:
                if self._runs_admitted >= self.limits.max_pending:
                    raise ApiError(429, f"server busy: {self._runs_admitted} scenario runs pending; retry shortly",
                                   headers={"Retry-After": "2"})
                self._runs_admitted += 1
            else:
                if self._pending >= self.limits.max_pending:
                    raise ApiError(429, f"server busy: {self._pending} computations pending; retry shortly",
                                   headers={"Retry-After": "1"})
                self._pending += 1
        released = False

        def release(*_: object) -> None:
            nonlocal released
            with self._lock:
                if released:
                    return
                released = True
                if market:
                    self._market_admitted -= 1
                elif scenario_run:
                    self._runs_admitted -= 1
                else:
                    self._pending -= 1

        return release

    async def _bounded(self, future: Future[Any], limit: float | None) -> Any:
        """The future's result, waiting at most ``limit`` seconds from when a thread takes it up (a question
        waiting its turn, their number bounded by the queue, is not abandoned for the others' work); 504 past
        the limit. ``limit`` None: the job bounds itself (a worker process stops its own computation)."""
        waiting = asyncio.wrap_future(future)
        try:
            if limit is None:
                return await asyncio.shield(waiting)
            while not future.running() and not future.done():
                await asyncio.wait({waiting}, timeout=0.05)
            return await asyncio.wait_for(asyncio.shield(waiting), limit)
        except asyncio.CancelledError:
            future.cancel()  # the client left: a job not yet started is dropped
            raise
        except TimeoutError:
            raise ApiError(504, f"the computation took longer than its limit of {limit:g} s and was abandoned: "
                           "ask a narrower question (a shorter range, fewer draws)") from None

    async def run(self, fn: Callable[[], Any], *, fields: dict[str, str] | None = None,
                  not_found_status: int = 422, timeout_s: float | None = None, market: bool = False,
                  scenario_run: bool = False) -> Any:
        """``fn()`` on a thread of this process, within the time limit (``timeout_s``, else the limits' run
        timeout); chipshift errors become JSON errors. ``scenario_run``: on the scenario runs' threads;
        ``market``: on the market runs' threads (both only when they are threads: see ``compute``), each
        refused at once with 429 and Retry-After when their queue is full."""
        limit = timeout_s or self.limits.run_timeout_s
        release = self._admit(market, scenario_run)
        try:
            pool = self._market if market else self._runs if scenario_run else self._pool
            if isinstance(pool, ProcessPoolExecutor):
                raise TypeError("a callable cannot be sent to a worker process: use Runner.compute with a Call")
            # the request's context (its id, for the log lines the computation writes) goes with it
            future = pool.submit(contextvars.copy_context().run, fn)
        except BaseException:
            release()
            raise
        future.add_done_callback(release)  # the place is taken until the work ends, even past the limit
        try:
            return await self._bounded(future, limit)
        except ChipshiftError as exc:
            raise from_chipshift(exc, fields, not_found_status) from None

    async def compute(self, key: Hashable | None, call: Call | Callable[[], Awaitable[Call]], *,
                      market: bool = False, fields: dict[str, str] | None = None, not_found_status: int = 422,
                      timeout_s: float | None = None) -> JSONBytes:
        """The encoded answer of a heavy computation (a scenario run or comparison; with ``market``, a market
        run), from the cache when ``key`` was answered before; else in a worker process (or on this process's
        threads for it, when the limits give no processes). ``call`` may be a coroutine function that makes
        the call first (resolving scenario references on this process's threads), only on a cache miss."""
        limit = timeout_s or self.limits.run_timeout_s

        async def produce() -> bytes:
            made = call if isinstance(call, heavy.Call) else await call()
            return await self._computed(made, market, fields, not_found_status, limit)

        return await self._cached(key, produce)

    async def _computed(self, call: Call, market: bool, fields: dict[str, str] | None, not_found_status: int,
                        limit: float) -> bytes:
        release = self._admit(market, not market)
        pool = self._market if market else self._runs
        try:
            if isinstance(pool, ProcessPoolExecutor):
                if self.copies is None:
                    raise RuntimeError("the runner has no store for its worker processes")
                # a DuckDB copy is made off the event loop
                where = await asyncio.to_thread(self.copies.where, "market" if market else "runs")
                future = pool.submit(heavy.in_worker, where, call, fields, not_found_status, limit,
                                     self.limits.learn_timeout_s)
            else:
                if self.context is None:
                    raise RuntimeError("the runner has no context for computations")
                future = pool.submit(contextvars.copy_context().run, heavy.run_encoded, self.context, call,
                                     fields, not_found_status)
        except BrokenProcessPool:
            release()
            self._renew(market)
            raise ApiError(500, "a worker process stopped; the computation was not done") from None
        except BaseException:
            release()
            raise
        future.add_done_callback(release)  # the place is taken until the work ends, even past the limit
        try:
            result = await self._bounded(future, None if isinstance(pool, ProcessPoolExecutor) else limit)
        except BrokenProcessPool:
            self._renew(market)
            raise ApiError(500, "a worker process stopped during the computation") from None
        if isinstance(result, heavy.Failure):
            raise result.error()
        body: bytes = result
        return body

    def _renew(self, market: bool) -> None:
        """A new pool in place of one whose worker died (killed, out of memory)."""
        if market:
            old, self._market = self._market, self._heavy_pool(self.limits.market_processes,
                                                               self.limits.market_workers, "chipshift-market")
        else:
            old, self._runs = self._runs, self._heavy_pool(self.limits.run_processes, self.limits.run_workers,
                                                           "chipshift-run")
        _stop(old)

    def memo(self, key: Hashable, fn: Callable[[], Any]) -> Any:
        """A computed value shared by several answers (e.g. the baseline beside many scenarios); call it
        from inside a computation. Values must not be mutated by callers."""
        full_key = ("memo", self._generation(), key)
        with self._lock:
            if full_key in self._values:
                self._values.move_to_end(full_key)
                return self._values[full_key]
        value = fn()
        with self._lock:
            self._values[full_key] = value
            while len(self._values) > self.limits.cache_entries:
                self._values.popitem(last=False)
        return value

    async def json(self, key: Hashable | None, fn: Callable[[], Any], *, fields: dict[str, str] | None = None,
                   not_found_status: int = 422, timeout_s: float | None = None, market: bool = False,
                   scenario_run: bool = False) -> JSONBytes:
        """The encoded answer of ``fn()``, from the cache when ``key`` was answered before (``market`` and
        ``scenario_run``: as for ``run``)."""
        return await self._cached(key, lambda: self.run(lambda: encode(fn()), fields=fields,
                                                        not_found_status=not_found_status, timeout_s=timeout_s,
                                                        market=market, scenario_run=scenario_run))

    async def _cached(self, key: Hashable | None, produce: Callable[[], Awaitable[bytes]]) -> JSONBytes:
        """``produce()``'s bytes, cached under ``key`` (with the store's generation); a question asked while the
        same one is being computed waits for that answer."""
        full_key = (self._generation(), key) if key is not None else None
        if full_key is not None:
            with self._lock:
                hit = self._cache.get(full_key)
                if hit is not None:
                    self._cache.move_to_end(full_key)
            if hit is not None:
                return JSONBytes(hit, headers={"X-Cache": "hit"})
        if full_key is None:
            return JSONBytes(await produce())
        waiting = self._inflight.get(full_key)
        if waiting is not None:  # the same question is being computed: wait for that answer
            return JSONBytes(await asyncio.shield(waiting), headers={"X-Cache": "shared"})
        flight: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._inflight[full_key] = flight
        try:
            body = await produce()
        except asyncio.CancelledError:
            flight.cancel()
            raise
        except Exception as exc:
            flight.set_exception(exc)
            flight.exception()  # retrieved: no 'never retrieved' warning when nobody else waited
            raise
        finally:
            del self._inflight[full_key]
        flight.set_result(body)
        with self._lock:
            self._cache[full_key] = body
            while len(self._cache) > self.limits.cache_entries:
                self._cache.popitem(last=False)
        return JSONBytes(body, headers={"X-Cache": "miss"})


def _stop(pool: Executor) -> None:
    """Shut a pool down without waiting: jobs not started are dropped, and a worker process still computing is
    stopped (its answer has no one left to go to)."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # a process pool's own, by pid
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
