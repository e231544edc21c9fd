"""Errors as JSON: every answer other than 2xx is ``{message, field, status, ...}``.

The message names the bad field; validation problems answer 422, unknown names 404 (in a path) or 422
(in a query or body), a missing write token 401, an oversized body 413, a full queue 429 (at once, with
Retry-After), a computation past its time limit 504 and a store that cannot be read just now 503.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from chipshift.errors import ChipshiftError, DataError, NotFoundError, StoreBusyError, StoreError

log = logging.getLogger(__name__)

#: Which request field an unknown name of each kind came from (NotFoundError.kind -> field).
KIND_FIELD = {
    "input": "input", "firm": "name", "country": "country", "country or firm": "target", "rule": "id",
    "segment": "segment", "metric": "metric", "source": "id", "scenario": "scenario",
    "fact, rule, source, firm, input or country": "for",
}


class ErrorBody(BaseModel):
    """What every error answer holds."""

    status: int
    message: str
    field: str | None = None
    problems: list[dict[str, Any]] = []
    suggestions: list[str] = []


class ApiError(Exception):
    """An error with its HTTP status, raised by routes and the runner."""

    def __init__(self, status: int, message: str, field: str | None = None, *,
                 problems: list[dict[str, Any]] | None = None, suggestions: list[str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.problems = problems or []
        self.suggestions = suggestions or []
        self.headers = headers


def error_response(status: int, message: str, field: str | None = None, *,
                   problems: list[dict[str, Any]] | None = None, suggestions: list[str] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    body = {"status": status, "message": message, "field": field, "problems": problems or [],
            "suggestions": suggestions or []}
    return Response(json.dumps(body, default=str), status_code=status, media_type="application/json",
                    headers=headers)


def from_chipshift(exc: ChipshiftError, fields: dict[str, str] | None = None, not_found_status: int = 422) -> ApiError:
    """Translate the API's own errors; ``fields`` maps a NotFoundError kind to the request field."""
    if isinstance(exc, StoreBusyError):  # another process has the file just now: nothing is broken
        log.warning("%s", exc)
        return ApiError(503, "the store is in use by another process just now: try again shortly",
                        headers={"Retry-After": "2"})
    if isinstance(exc, StoreError):
        log.error("%s", exc)  # the file's path is for the operator's log, not for clients
        return ApiError(503, "the store cannot be read: the operator must repair or replace it")
    if isinstance(exc, NotFoundError):
        field = (fields or {}).get(exc.kind) or KIND_FIELD.get(exc.kind)
        return ApiError(not_found_status, f"{field or exc.kind}: {exc}", field, suggestions=exc.suggestions)
    if isinstance(exc, DataError):
        problems = [p.as_dict() for p in exc.problems]
        first = next((p for p in exc.problems if p.field), exc.problems[0] if exc.problems else None)
        field = first.field if first else None
        head = str(first) if first else str(exc)
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        return ApiError(422, head + more, field, problems=problems)
    message = str(exc)
    field = (fields or {}).get("*")
    return ApiError(422, f"{field}: {message}" if field else message, field)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into JSON answers."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> Response:
        return error_response(exc.status, exc.message, exc.field, problems=exc.problems,
                              suggestions=exc.suggestions, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            field = _location(err.get("loc", ()))
            problems.append({"field": field, "message": str(err.get("msg", "invalid")), "type": err.get("type")})
        first = problems[0] if problems else {"field": None, "message": "invalid request"}
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        return error_response(422, f"field '{first['field']}': {first['message']}{more}", first["field"],
                              problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Response:
        return error_response(exc.status_code, str(exc.detail), None, headers=getattr(exc, "headers", None))

    @app.exception_handler(ChipshiftError)
    async def _chipshift(_: Request, exc: ChipshiftError) -> Response:
        err = from_chipshift(exc)
        return error_response(err.status, err.message, err.field, problems=err.problems, suggestions=err.suggestions)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> Response:
        log.exception("unexpected error", exc_info=exc)
        return error_response(500, f"internal error: {type(exc).__name__}")
