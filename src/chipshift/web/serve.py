"""``chipshift serve``: the web app on the store, with uvicorn, bound to 127.0.0.1 by default; with a PostgreSQL
store, in several worker processes that share it."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from chipshift.config import Settings
from chipshift.errors import ChipshiftError

if TYPE_CHECKING:
    from fastapi import FastAPI

WRITE_TOKEN_ENV = "CHIPSHIFT_WRITE_TOKEN"
#: Where a worker process reads its settings: uvicorn starts each worker from an import string, not from the
#: objects of the process that started it.
STORE_ENV, DATA_DIR_ENV = "CHIPSHIFT_STORE", "CHIPSHIFT_DATA_DIR"
MAX_WORKERS = 32


def serve(store: Path | str | None, host: str = "127.0.0.1", port: int = 8000, write_token: str | None = None,
          data_dir: Path | None = None, workers: int = 1) -> None:
    """Open the store (loading the bundled data when it changed) and serve the app until interrupted.

    ``write_token`` (else $CHIPSHIFT_WRITE_TOKEN) enables writing (saving scenarios); without one the
    server is read-only. Scenario runs and market runs are computed in worker processes of their own
    (``Limits.for_server``). ``workers`` above 1 runs that many processes on one PostgreSQL store (a DuckDB file
    is written by one process at a time, so it is served by one). Blocks; raises ChipshiftError/DataError
    when the store cannot be opened.
    """
    import uvicorn

    from chipshift import api
    from chipshift.io.store import is_postgres
    from chipshift.web.app import create_app
    from chipshift.web.http import configure_logging
    from chipshift.web.runtime import Limits

    if not 1 <= workers <= MAX_WORKERS:
        raise ChipshiftError(f"--workers must be between 1 and {MAX_WORKERS}")
    settings = Settings.from_env(store=store, data_dir=data_dir)
    if workers > 1 and not is_postgres(settings.store_path):
        raise ChipshiftError("--workers above 1 needs a PostgreSQL store (--store postgresql://...): processes "
                             "cannot share a DuckDB file for writing, so a file is served by one process")
    configure_logging()
    token = write_token or os.environ.get(WRITE_TOKEN_ENV) or None
    mode = "read-write (token required for writes)" if token else "read-only"
    if workers == 1:
        app = create_app(settings, write_token=token, learn_at_start=True, limits=Limits.for_server())
        logging.getLogger(__name__).info("chipshift on http://%s:%d (%s)", host, port, mode)
        # log_config None: the JSON lines configured above; RequestLog writes the access lines
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, ws="none", lifespan="on",
                    log_config=None)
        return
    api.open_store(settings).close()  # the bundle loaded and the tables brought up to date once, first
    os.environ[STORE_ENV] = str(settings.store_path)
    if settings.data_dir is not None:
        os.environ[DATA_DIR_ENV] = str(settings.data_dir)
    if token:
        os.environ[WRITE_TOKEN_ENV] = token
    logging.getLogger(__name__).info("chipshift on http://%s:%d (%s), %d workers", host, port, mode, workers)
    uvicorn.run("chipshift.web.serve:worker_app", factory=True, workers=workers, host=host, port=port,
                log_level="info", access_log=False, ws="none", lifespan="on", log_config=None)


def worker_app() -> FastAPI:
    """The app of one worker process, from the settings ``serve`` left in the environment."""
    from chipshift.web.app import create_app
    from chipshift.web.http import configure_logging
    from chipshift.web.runtime import Limits

    configure_logging()
    data_dir = os.environ.get(DATA_DIR_ENV)
    settings = Settings.from_env(data_dir=Path(data_dir) if data_dir else None)
    return create_app(settings, write_token=os.environ.get(WRITE_TOKEN_ENV) or None, learn_at_start=True,
                      limits=Limits.for_server())
