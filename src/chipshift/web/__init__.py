"""The web front-end and REST API (FastAPI). ``create_app(settings)`` builds the app; ``serve.serve`` runs it."""

from chipshift.web.app import create_app
from chipshift.web.runtime import Limits

__all__ = ["Limits", "create_app"]
