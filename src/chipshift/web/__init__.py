"""The web front-end and REST API (FastAPI). ``create_app(settings)`` builds the app; ``serve.serve`` runs it.

The two names load on first use, so that importing a module of the package (the routes, the state) does not
import the app that imports them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chipshift.web.app import create_app
    from chipshift.web.runtime import Limits

_HOMES = {"create_app": "chipshift.web.app", "Limits": "chipshift.web.runtime"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


__all__ = ["Limits", "create_app"]
