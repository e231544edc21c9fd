"""Routers: one thin function per question, each answering the JSON of one API call."""

from __future__ import annotations

from datetime import date
from typing import Any

from chipshift.web.errors import ErrorBody


def errors_doc(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give (always 413, 422 and 503)."""
    described = {401: "write token missing or wrong", 404: "unknown name or id (suggestions given)",
                 413: "request body too large", 422: "invalid request: the message names the field",
                 429: "too many market runs under way: retry after the seconds Retry-After gives",
                 503: "computation overran its time limit, or the server is busy"}
    return {code: {"model": ErrorBody, "description": described[code]} for code in sorted({*codes, 413, 422, 503})}


def day(at: date | None) -> str:
    """A cache-key part for a date that defaults to today."""
    return (at or date.today()).isoformat()
