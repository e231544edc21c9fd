"""What every route depends on: the app's state (store, runner, scenario catalog, write token) and the
write-token check. Routes import these from here, and the app module builds the state, so neither imports
the other."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chipshift.config import Settings
from chipshift.io.store import Store
from chipshift.web import errors
from chipshift.web.compute import Context
from chipshift.web.learning import Learner
from chipshift.web.runtime import Runner
from chipshift.web.scenarios import Catalog


@dataclass
class AppState:
    """What routes need: the store (one owner), the runner, the scenario catalog, the write token, and what
    computations on this process's threads read (``context``: the store, the catalog, the runner's memo)."""

    settings: Settings
    store: Store
    runner: Runner
    catalog: Catalog
    write_token: str | None
    owns_store: bool
    context: Context
    #: What learns the market model's error in a process of its own (``chipshift serve``), or None.
    learner: Learner | None = None
    started: float = field(default_factory=time.time)


def state(request: Request) -> AppState:
    value: AppState = request.app.state.chipshift
    return value


_bearer = HTTPBearer(auto_error=False, description="The write token given at start (--write-token or "
                                                   "CHIPSHIFT_WRITE_TOKEN).")


def require_write(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    """Writing needs the token configured at start; without it, or with a wrong one, 401."""
    token = state(request).write_token
    challenge = {"WWW-Authenticate": "Bearer"}
    if token is None:
        raise errors.ApiError(401, "writing is disabled on this server: start it with --write-token (or "
                              "CHIPSHIFT_WRITE_TOKEN) and send 'Authorization: Bearer TOKEN'", "Authorization",
                              headers=challenge)
    if credentials is None or not hmac.compare_digest(credentials.credentials.encode(), token.encode()):
        raise errors.ApiError(401, "a valid write token is required: send 'Authorization: Bearer TOKEN'",
                              "Authorization", headers=challenge)
