"""HTTP around the routes (ASGI middleware): body limits, validators for answers, allowed methods, request
ids with timing, and the server's structured logs.

Each class wraps the app and leaves the routes alone; ``create_app`` stacks them.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chipshift.web import errors


class BodyLimit:
    """Answers 413 when a request body is larger than the limit, declared (Content-Length) or streamed
    (chunked): the app never sees more than the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(send)
            return
        seen = 0
        started = rejected = False

        async def counting_receive() -> Message:
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    rejected = True  # answer now; the app sees the client gone and its answer is dropped
                    if not started:
                        await self._reject(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not rejected:
                raise

    async def _reject(self, send: Send) -> None:
        response = errors.error_response(413, f"request body larger than {self.max_bytes} bytes", "body")
        await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})


class ETags:
    """A weak ETag on every successful JSON answer to GET (a hash of its bytes, so it changes exactly when the
    answer does), and 304 Not Modified with no body when the request's If-None-Match holds it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        chunks: list[bytes] = []

        async def hashing_send(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if message["status"] == 200 and headers.get(b"content-type", b"").startswith(b"application/json"):
                    held = message  # keep the answer until its last byte, to hash it
                    return
                await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._answer(scope, held, b"".join(chunks), send)

        await self.app(scope, receive, hashing_send)

    @staticmethod
    async def _answer(scope: Scope, start: Message, body: bytes, send: Send) -> None:
        tag = f'W/"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'.encode()
        wanted = dict(scope.get("headers") or []).get(b"if-none-match", b"")
        headers = [(k, v) for k, v in start.get("headers", []) if k != b"etag"] + [(b"etag", tag)]
        if tag in {t.strip() for t in wanted.split(b",")} or wanted.strip() == b"*":
            kept = [(k, v) for k, v in headers if k not in (b"content-length", b"content-type")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class AllowedMethods:
    """OPTIONS answers 204 with every method the path accepts, and a 405 names them all in Allow (the router
    alone names only the first route that matches the path)."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    def _methods(self, scope: Scope) -> set[str]:
        """The methods some route takes at this path (each asked of the router as a request would be)."""
        methods = {m for m in _METHODS
                   if any(route.matches({**scope, "method": m})[0] is Match.FULL for route in self.router.routes)}
        return methods | {"OPTIONS"} if methods else methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            methods = self._methods(scope)
            if methods:
                allow = ", ".join(sorted(methods)).encode()
                await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", allow)]})
                await send({"type": "http.response.body", "body": b""})
                return

        async def allow_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allow = ", ".join(sorted(self._methods(scope))).encode()
                message = {**message, "headers": [(k, v) for k, v in message.get("headers", []) if k != b"allow"]
                           + [(b"allow", allow)]}
            await send(message)

        await self.app(scope, receive, allow_send)


#: The id of the request being answered, for log records (set by ``RequestLog``).
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = logging.getLogger("chipshift.web.access")


class RequestLog:
    """Gives every request an id (the client's ``X-Request-ID`` when it is a plain token of up to 64
    characters, else a new one), returns it in the answer's ``X-Request-ID`` with ``Server-Timing: app;dur=MS``
    (the time spent answering), and logs one line per answer: method, path, status, milliseconds, id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _GIVEN_ID.match(given) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        start = time.perf_counter()
        status = 500

        async def id_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                timing = f"app;dur={(time.perf_counter() - start) * 1000:.1f}".encode()
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid.encode()),
                                                  (b"server-timing", timing)]}
            await send(message)

        try:
            await self.app(scope, receive, id_send)
        finally:
            access_log.info("%s %s %d %.1fms", scope["method"], scope["path"], status,
                            (time.perf_counter() - start) * 1000, extra={"request_id": rid})
            request_id.reset(token)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per log record: time (UTC, ISO 8601), level, logger, message, request id (``-`` for a
    record written outside a request), and the exception when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                 "request_id": getattr(record, "request_id", "-")}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _stamp_request_id(record: logging.LogRecord) -> bool:
    """Give a record written while a request is answered (on the event loop) that request's id."""
    if not hasattr(record, "request_id"):
        record.request_id = request_id.get()
    return True


def configure_logging(level: int = logging.INFO) -> None:
    """Structured logs on stderr for the server: every record, uvicorn's included, as one JSON line."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    handler.addFilter(_stamp_request_id)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
