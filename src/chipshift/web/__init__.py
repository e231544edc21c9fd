"""The web front-end and REST API (FastAPI). ``create_app(settings)`` builds the app; ``serve.serve`` runs it.

The two names load on first use, so that importing a module of the package (the routes, the state) does not
import the app that imports them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chipshift import lazy

if TYPE_CHECKING:
    from chipshift.web.app import create_app
    from chipshift.web.runtime import Limits

__getattr__ = lazy.attributes(__name__, {"create_app": "chipshift.web.app", "Limits": "chipshift.web.runtime"})

__all__ = ["Limits", "create_app"]
