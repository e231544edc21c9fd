"""``chipshift serve``: the web app on the embedded store, with uvicorn, bound to 127.0.0.1 by default."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from chipshift.config import Settings

WRITE_TOKEN_ENV = "CHIPSHIFT_WRITE_TOKEN"


def serve(store: Path | str | None, host: str = "127.0.0.1", port: int = 8000, write_token: str | None = None,
          data_dir: Path | None = None) -> None:
    """Open the store (loading the bundled data when it changed) and serve the app until interrupted.

    ``write_token`` (else $CHIPSHIFT_WRITE_TOKEN) enables writing (saving scenarios); without one the
    server is read-only. Blocks; raises ChipshiftError/DataError when the store cannot be opened.
    """
    import uvicorn

    from chipshift.web.app import create_app
    from chipshift.web.http import configure_logging

    configure_logging()
    token = write_token or os.environ.get(WRITE_TOKEN_ENV) or None
    app = create_app(Settings.from_env(store=store, data_dir=data_dir), write_token=token, learn_at_start=True)
    mode = "read-write (token required for writes)" if token else "read-only"
    logging.getLogger(__name__).info("chipshift on http://%s:%d (%s)", host, port, mode)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, ws="none", lifespan="on",
                log_config=None)  # the JSON lines configured above; RequestLog writes the access lines
