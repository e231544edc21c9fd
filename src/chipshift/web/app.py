"""The web application: ``create_app(settings)`` builds it; nothing is built at import.

Routes are thin: parse and check the request (pydantic at the edge), call ``chipshift.api`` (through
the runner: off the event loop, bounded in time), return its JSON. Pages are static templates plus a
small script that fetches the same JSON.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

from chipshift import api
from chipshift.config import Settings
from chipshift.io.store import Store
from chipshift.web import errors
from chipshift.web.compute import Call, Context, StoreCopies, open_world
from chipshift.web.http import AllowedMethods, BodyLimit, ETags, RequestLog
from chipshift.web.learning import Learn, Learner, learn_library_error
from chipshift.web.runtime import Limits, Runner
from chipshift.web.scenarios import Catalog, default_examples_dir
from chipshift.web.state import AppState

HERE = Path(__file__).resolve().parent
API_PREFIX = "/api/v1"
VERSION = "1"


def _learn_track_record(store: Store) -> None:
    from chipshift.api.backtest import library_error

    try:
        library_error(store)
    except Exception:  # the store closed under it, or an episode failed: the first run with bands tries again
        logging.getLogger(__name__).warning("the model's error was not learned at start", exc_info=True)


def _warm(app_state: AppState) -> None:
    from chipshift.web import periods

    try:
        periods.warm_exposures(app_state.context)
    except Exception:  # the store closed under it: questions compute their answers as they come
        logging.getLogger(__name__).warning("exposures were not computed at start", exc_info=True)


def _log_learning(done: asyncio.Future[Any]) -> None:
    if not done.cancelled() and done.exception() is not None:
        logging.getLogger(__name__).warning("a worker's first job failed: %s", done.exception())


def create_app(settings: Settings, write_token: str | None = None, *, store: Store | None = None,
               limits: Limits | None = None, examples_dir: Path | None = None,
               learn_at_start: bool = False, learn: Learn = learn_library_error) -> FastAPI:
    """The app over the store in ``settings`` (opened, with the bundled data loaded), or over ``store``.
    ``learn_at_start``: learn the model's error from the back-test library in the background as the server
    starts (``api.backtest.library_error``; what `chipshift serve` does): with worker processes for market runs
    (``Limits.market_processes``) in a process of its own with ``learn`` (``web/learning.py``: market runs with
    draws are refused with 429 until it is learned), else on a thread of this process (they wait for it).

    ``write_token``: None makes the server read-only. ``examples_dir``: the shipped scenarios offered in
    the builder (default: the repository's ``examples/`` when present).
    """
    from chipshift.web.routes import analysis, data, documents, market_runs, pages, scenarios

    limits = limits or Limits()
    owns = store is None
    opened = store if store is not None else api.open_store(settings)
    examples = examples_dir if examples_dir is not None else default_examples_dir()
    catalog = Catalog(examples, saved_generation=lambda: opened.generation("scenarios"))
    runner = Runner(limits, generation=opened.generation)
    runner.context = Context(opened, catalog, runner.memo)
    if limits.run_processes or limits.market_processes:
        runner.copies = StoreCopies(opened, examples)
    learner = None
    if learn_at_start and limits.market_processes and opened.path != ":memory:":
        copies = runner.copies
        assert copies is not None  # made above for the market runs' worker processes
        learner = Learner(opened, lambda: copies.where("learn").location, nice=limits.process_nice, learn=learn)
    app_state = AppState(settings=settings, store=opened, runner=runner, catalog=catalog,
                         write_token=write_token or None, owns_store=owns, context=runner.context, learner=learner)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # learn the model's error from the back-test library while the server starts serving: in a process of its
        # own (a run with bands is refused until it is learned), else on a thread (a run with bands waits for it)
        started: list[asyncio.Future[Any]] = []
        if learner is not None:
            learner.start()
        elif learn_at_start:
            threading.Thread(target=_learn_track_record, args=(app_state.store,), daemon=True).start()
        if limits.run_processes:  # the scenario runs' worker opens the store and builds its world at once
            opening = asyncio.ensure_future(runner.compute(None, Call(open_world), timeout_s=limits.market_timeout_s))
            opening.add_done_callback(_log_learning)
            started.append(opening)
        if limits.warm_exposures:
            threading.Thread(target=_warm, args=(app_state,), daemon=True, name="chipshift-warm").start()
        try:
            yield
        finally:
            for job in started:
                job.cancel()
            if learner is not None:
                learner.close()
            app_state.runner.close()
            if app_state.owns_store:
                app_state.store.close()

    app = FastAPI(
        title="chipshift", version=VERSION, lifespan=lifespan, docs_url=None, redoc_url=None,
        description="What-if analysis of the semiconductor supply chain under trade restrictions. Every answer is "
                    "the JSON of one chipshift API function; the HTML pages render exactly these answers. "
                    "Errors are JSON `{status, message, field, problems, suggestions}`.",
    )
    app.state.chipshift = app_state
    errors.install(app)
    app.include_router(data.router, prefix=API_PREFIX)
    app.include_router(analysis.router, prefix=API_PREFIX)
    app.include_router(scenarios.router, prefix=API_PREFIX)
    app.include_router(market_runs.router, prefix=API_PREFIX)
    app.include_router(documents.router, prefix=API_PREFIX)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _offline_docs(app)
    # innermost first: ETags hash the plain answer, which gzip then compresses
    app.add_middleware(ETags)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(AllowedMethods, router=app.router)
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    app.add_middleware(RequestLog)
    return app


def _offline_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc from files installed with the package (fastapi-offline's), no CDN."""
    import fastapi_offline
    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
    from starlette.responses import HTMLResponse

    assets = Path(fastapi_offline.__file__).resolve().parent / "static"
    app.mount("/docs-static", StaticFiles(directory=assets), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="chipshift API",
                                   swagger_js_url="/docs-static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-static/swagger-ui.css",
                                   swagger_favicon_url="/docs-static/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title="chipshift API",
                              redoc_js_url="/docs-static/redoc.standalone.js",
                              redoc_favicon_url="/docs-static/favicon.png", with_google_fonts=False)
