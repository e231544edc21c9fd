"""Routers: one thin function per question, each answering the JSON of one API call."""

from __future__ import annotations

from datetime import date
from typing import Any

from chipshift.web.errors import ErrorBody


def errors_doc(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give (always 413, 422, 429, 503 and 504)."""
    described = {401: "write token missing or wrong", 404: "unknown name or id (suggestions given)",
                 413: "request body too large", 422: "invalid request: the message names the field",
                 429: "too many computations (or market runs) under way or waiting, or (a market run with draws) "
                      "the model's error still being learned: refused at once; retry after the seconds Retry-After "
                      "gives",
                 503: "the store cannot be read just now (another process has the file, or it is damaged)",
                 504: "the computation ran past its time limit and was abandoned: ask a narrower question"}
    return {code: {"model": ErrorBody, "description": described[code]}
            for code in sorted({*codes, 413, 422, 429, 503, 504})}


def day(at: date | None) -> str:
    """A cache-key part for a date that defaults to today."""
    return (at or date.today()).isoformat()
