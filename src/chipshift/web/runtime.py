"""Running API calls off the event loop: bounded in time and in number, with a cache of answers.

Every answer of the API is a deterministic function of the store's content and the request (scenarios
are identified by their content), so encoded answers are cached under a key that holds the store's count of
data writes: a write makes earlier answers unreachable without anyone clearing the cache. Saving a scenario
changes only the answers that read saved scenarios (their keys hold the saved scenarios' own count).
Writes run on a path of their own, never queued behind computations; so do market runs, and so do
scenario runs and comparisons (several exposures and a difference each), so that the quick questions of
pages (an exposure, an input's page) never wait in a queue behind them.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from chipshift.errors import ChipshiftError
from chipshift.web.errors import ApiError, from_chipshift


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one request from holding the server."""

    max_body_bytes: int = 256 * 1024  # JSON bodies and YAML uploads
    run_timeout_s: float = 10.0  # one computation (scenario run, comparison, analysis), from when it starts
    market_timeout_s: float = 120.0  # one market-model run (the posterior first, then the draws for the bands)
    max_pending: int = 64  # computations queued or running before new ones get 503
    workers: int = 4  # threads that answer questions (the engine is numpy; DuckDB access is serialised)
    run_workers: int = 2  # threads that run and compare scenarios, apart, so questions never queue behind them
    cache_entries: int = 512  # encoded answers kept
    write_timeout_s: float = 30.0  # one write (saving a scenario, storing facts): it waits for no computation
    market_workers: int = 1  # threads that run market models, apart from the others
    market_waiting: int = 2  # market runs that may wait for one of those; more are refused at once with 429


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
    """Runs blocking calls in a small thread pool; answers 503 when overloaded or too slow."""

    def __init__(self, limits: Limits, generation: Callable[[], Hashable] = lambda: 0) -> None:
        """``generation``: the store's count of data writes, part of every cache key."""
        self.limits = limits
        self._generation = generation
        self._pool = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix="chipshift-web")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chipshift-write")
        self._market = ThreadPoolExecutor(max_workers=limits.market_workers, thread_name_prefix="chipshift-market")
        self._runs = ThreadPoolExecutor(max_workers=limits.run_workers, thread_name_prefix="chipshift-run")
        self._pending = 0
        self._market_admitted = 0
        self._lock = threading.Lock()
        self._cache: OrderedDict[Hashable, bytes] = OrderedDict()
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, asyncio.Future[bytes]] = {}

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._runs.shutdown(wait=False, cancel_futures=True)
        self._market.shutdown(wait=False, cancel_futures=True)
        self._writer.shutdown(wait=True)  # a write under way finishes: nothing is half-stored

    async def write(self, fn: Callable[[], Any], *, fields: dict[str, str] | None = None,
                    not_found_status: int = 422) -> Any:
        """``fn()`` (a write to the store) on the writers' own thread: never behind computations, never refused
        because they are many; chipshift errors become JSON errors."""
        future = asyncio.wrap_future(self._writer.submit(contextvars.copy_context().run, fn))
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.limits.write_timeout_s)
        except TimeoutError:  # the write goes on and commits or rolls back whole; the client is told to look
            raise ApiError(503, f"the write took longer than {self.limits.write_timeout_s:g} s; it may still "
                           "complete: check before retrying", headers={"Retry-After": "5"}) from None
        except ChipshiftError as exc:
            raise from_chipshift(exc, fields, not_found_status) from None

    async def run(self, fn: Callable[[], Any], *, fields: dict[str, str] | None = None,
                  not_found_status: int = 422, timeout_s: float | None = None, market: bool = False,
                  scenario_run: bool = False) -> Any:
        """``fn()`` in the pool, within the time limit (``timeout_s``, else the limits' run timeout); chipshift
        errors become JSON errors. ``scenario_run``: a scenario run or comparison, on threads of its own (it
        counts among the pending computations). ``market``: a market-model run, on threads of its own so that other
        questions never wait behind one; when those threads and the few places to wait for them are taken, it
        is refused at once with 429 and Retry-After rather than queued towards a time-out."""
        limit = timeout_s or self.limits.run_timeout_s
        with self._lock:
            if market:
                if self._market_admitted >= self.limits.market_workers + self.limits.market_waiting:
                    raise ApiError(429, f"{self._market_admitted} market runs are under way or waiting; retry "
                                   "shortly", headers={"Retry-After": "10"})
                self._market_admitted += 1
            elif self._pending >= self.limits.max_pending:
                raise ApiError(503, f"server busy: {self._pending} computations pending; retry shortly",
                               headers={"Retry-After": "1"})
            else:
                self._pending += 1
        try:
            # the request's context (its id, for the log lines the computation writes) goes with it
            pool = self._market if market else self._runs if scenario_run else self._pool
            loop = asyncio.get_running_loop()
            started: asyncio.Future[None] = loop.create_future()

            def begin() -> None:
                if not started.done():
                    started.set_result(None)

            def job() -> Any:
                loop.call_soon_threadsafe(begin)
                return fn()

            future = asyncio.wrap_future(pool.submit(contextvars.copy_context().run, job))
            try:
                # the time limit bounds the computation, from when a thread takes it up: a question waiting
                # its turn (their number is bounded by max_pending) is not abandoned for the others' work
                try:
                    await asyncio.wait({started, future}, return_when=asyncio.FIRST_COMPLETED)
                except asyncio.CancelledError:
                    future.cancel()
                    raise
                return await asyncio.wait_for(future, limit)
            except TimeoutError:
                raise ApiError(503, f"the computation took longer than {limit:g} s and was "
                               "abandoned; ask a narrower question or retry", headers={"Retry-After": "5"}) from None
            except ChipshiftError as exc:
                raise from_chipshift(exc, fields, not_found_status) from None
        finally:
            with self._lock:
                if market:
                    self._market_admitted -= 1
                else:
                    self._pending -= 1

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
        full_key = (self._generation(), key) if key is not None else None
        if full_key is not None:
            with self._lock:
                hit = self._cache.get(full_key)
                if hit is not None:
                    self._cache.move_to_end(full_key)
            if hit is not None:
                return JSONBytes(hit, headers={"X-Cache": "hit"})
        if full_key is None:
            return JSONBytes(await self.run(lambda: encode(fn()), fields=fields, not_found_status=not_found_status,
                                            timeout_s=timeout_s, market=market, scenario_run=scenario_run))
        waiting = self._inflight.get(full_key)
        if waiting is not None:  # the same question is being computed: wait for that answer
            return JSONBytes(await asyncio.shield(waiting), headers={"X-Cache": "shared"})
        flight: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._inflight[full_key] = flight
        try:
            body = await self.run(lambda: encode(fn()), fields=fields, not_found_status=not_found_status,
                                  timeout_s=timeout_s, market=market, scenario_run=scenario_run)
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
