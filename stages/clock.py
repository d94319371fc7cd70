"""The real clock, for the runners. Pure code never calls it: it is handed `now`."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
