"""Running API calls off the event loop: bounded in time and in number, with a cache of answers.

Every answer of the API is a deterministic function of the store's content and the request (scenarios
are identified by their content), so encoded answers are cached until the store is written to.
"""

from __future__ import annotations

import asyncio
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
    run_timeout_s: float = 10.0  # one computation (scenario run, comparison, analysis)
    market_timeout_s: float = 120.0  # one market-model run (the posterior first, then the draws for the bands)
    max_pending: int = 64  # computations queued or running before new ones get 503
    workers: int = 4  # threads that compute (the engine is numpy; DuckDB access is serialised)
    cache_entries: int = 512  # encoded answers kept


def encode(value: Any) -> bytes:
    """JSON bytes; NaN and infinities (never expected) become null rather than invalid JSON."""
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

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._pool = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix="chipshift-web")
        self._pending = 0
        self._lock = threading.Lock()
        self._cache: OrderedDict[Hashable, bytes] = OrderedDict()
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, asyncio.Future[bytes]] = {}
        self.generation = 0  # bumped on every write; part of every cache key

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def invalidate(self) -> None:
        with self._lock:
            self.generation += 1
            self._cache.clear()
            self._values.clear()

    async def run(self, fn: Callable[[], Any], *, fields: dict[str, str] | None = None,
                  not_found_status: int = 422, timeout_s: float | None = None) -> Any:
        """``fn()`` in the pool, within the time limit (``timeout_s``, else the limits' run timeout); chipshift
        errors become JSON errors."""
        limit = timeout_s or self.limits.run_timeout_s
        with self._lock:
            if self._pending >= self.limits.max_pending:
                raise ApiError(503, f"server busy: {self._pending} computations pending; retry shortly",
                               headers={"Retry-After": "1"})
            self._pending += 1
        try:
            future = asyncio.wrap_future(self._pool.submit(fn))
            try:
                return await asyncio.wait_for(future, limit)
            except TimeoutError:
                raise ApiError(503, f"the computation took longer than {limit:g} s and was "
                               "abandoned; ask a narrower question or retry", headers={"Retry-After": "5"}) from None
            except ChipshiftError as exc:
                raise from_chipshift(exc, fields, not_found_status) from None
        finally:
            with self._lock:
                self._pending -= 1

    def memo(self, key: Hashable, fn: Callable[[], Any]) -> Any:
        """A computed value shared by several answers (e.g. the baseline beside many scenarios); call it
        from inside a computation. Values must not be mutated by callers."""
        full_key = ("memo", self.generation, key)
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
                   not_found_status: int = 422, timeout_s: float | None = None) -> JSONBytes:
        """The encoded answer of ``fn()``, from the cache when ``key`` was answered before."""
        full_key = (self.generation, key) if key is not None else None
        if full_key is not None:
            with self._lock:
                hit = self._cache.get(full_key)
                if hit is not None:
                    self._cache.move_to_end(full_key)
            if hit is not None:
                return JSONBytes(hit, headers={"X-Cache": "hit"})
        if full_key is None:
            return JSONBytes(await self.run(lambda: encode(fn()), fields=fields, not_found_status=not_found_status,
                                    timeout_s=timeout_s))
        waiting = self._inflight.get(full_key)
        if waiting is not None:  # the same question is being computed: wait for that answer
            return JSONBytes(await asyncio.shield(waiting), headers={"X-Cache": "shared"})
        flight: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._inflight[full_key] = flight
        try:
            body = await self.run(lambda: encode(fn()), fields=fields, not_found_status=not_found_status,
                                    timeout_s=timeout_s)
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
