"""The monitoring staff's dashboard: a small WSGI application over the pipeline's database.

``make_app(config, db, clock=...)`` builds it; ``pipeline.py serve-web`` serves it. Standard
library only (wsgiref); every page reads through storage functions and web/queries.py.
"""
from __future__ import annotations

from .app import make_app

__all__ = ["make_app"]
