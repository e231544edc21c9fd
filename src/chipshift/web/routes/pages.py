"""HTML pages: static templates; the page's script fetches the /api/v1 JSON it renders."""

from __future__ import annotations

import json
from functools import cache
from html import escape
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from starlette.responses import HTMLResponse, RedirectResponse

from chipshift.reports.labels import TERMS
from chipshift.reports.palette import PALETTE

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGES = {  # page name -> (title, scripts beside core and charts)
    "explorer": ("Explorer", "explorer"),
    "restrictions": ("Restrictions", "restrictions"),
    "rule": ("Rule", "rule"),
    "exposure": ("Exposure", "exposure"),
    "scenarios": ("Scenario builder", "scenarios"),
    "compare": ("Compare", "compare"),
    "sources": ("Sources", "sources"),
    "results": ("Market results", "results"),
    "documents": ("Documents", "documents"),
}

router = APIRouter(include_in_schema=False)


@cache
def render(page: str) -> str:
    title, script = PAGES[page]
    layout = (TEMPLATES / "layout.html").read_text(encoding="utf-8")
    body = (TEMPLATES / f"{page}.html").read_text(encoding="utf-8")
    # the charts' palette, the files' and the report's (charts.js reads it from the page: it has none of its own),
    # and the glossary the terminal's tables use too (core.js's CS.define)
    return (layout.replace("{{title}}", title).replace("{{page}}", page).replace("{{script}}", script)
            .replace("{{palette}}", " ".join(PALETTE)).replace("{{terms}}", escape(json.dumps(TERMS)))
            .replace("{{body}}", body))


def _page(page: str) -> HTMLResponse:
    return HTMLResponse(render(page), headers={"Cache-Control": "no-cache"})


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/explorer")


@router.get("/explorer")
async def explorer() -> HTMLResponse:
    return _page("explorer")


@router.get("/restrictions")
async def restrictions() -> HTMLResponse:
    return _page("restrictions")


@router.get("/rules/{rule_id}")
async def rule(rule_id: Annotated[str, PathParam(max_length=100)]) -> HTMLResponse:
    return _page("rule")


@router.get("/exposure")
async def exposure() -> HTMLResponse:
    return _page("exposure")


@router.get("/scenarios")
async def scenarios() -> HTMLResponse:
    return _page("scenarios")


@router.get("/compare")
async def compare() -> HTMLResponse:
    return _page("compare")


@router.get("/sources")
async def sources() -> HTMLResponse:
    return _page("sources")


@router.get("/results")
async def results() -> HTMLResponse:
    return _page("results")


@router.get("/documents")
async def documents() -> HTMLResponse:
    return _page("documents")
