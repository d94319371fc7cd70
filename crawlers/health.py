"""Source health as a pure function of the previous state and one crawl's result.

States (``SourceHealth.status``):

* ``new``      never crawled;
* ``ok``       the last run succeeded and something new arrived within ``expected_update``;
* ``stale``    runs succeed but nothing new for longer than ``expected_update``;
* ``failing``  the last run failed, fewer than ``broken_after`` times in a row;
* ``broken``   ``broken_after`` consecutive failures, or a page that used to yield items now
  matches none of the selectors (the site changed). A broken source backs off exponentially
  (``base_backoff`` doubling per further failure, capped at ``backoff_cap``, default 24 h) and
  wants one operational alert: ``needs_alert`` is true until the alert stage sets
  ``broken_alerted``, which is re-armed (cleared) only by a successful run.

A ``Retry-After`` longer than the run could wait also postpones the next attempt.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from .records import FetchResult

NEW, OK, STALE, FAILING, BROKEN = "new", "ok", "stale", "failing", "broken"
SELECTOR_BREAK = "selectors matched nothing on a page that used to yield items (site layout changed?)"


@dataclass(frozen=True)
class SourceHealth:
    """Mirrors the health columns of storage.models.Source."""

    name: str
    status: str = NEW
    last_run_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    items_last_run: int = 0
    new_items_last_run: int = 0
    last_new_item_at: datetime | None = None
    next_due_at: datetime | None = None
    backoff_until: datetime | None = None
    broken_alerted: bool = False
    state: dict[str, Any] = field(default_factory=dict)  # first_success_at, ever_yielded

    @property
    def needs_alert(self) -> bool:
        return self.status == BROKEN and not self.broken_alerted


def update_health(previous: SourceHealth, result: FetchResult, *, now: datetime, broken_after: int = 6,
                  expected_update: float | timedelta | None = None, new_items: int = 0,
                  base_backoff: float = 600.0, backoff_cap: float = 86400.0) -> SourceHealth:
    """The source's health after ``result`` (crawled at ``now``; ``new_items`` of its mentions
    were new to storage)."""
    state = dict(previous.state)
    items = len(result.mentions)
    selector_break = (result.ok and items == 0 and result.selector_misses > 0 and not result.not_modified
                      and bool(state.get("ever_yielded")))
    if result.ok and not selector_break:
        state.setdefault("first_success_at", now.isoformat())
        if items:
            state["ever_yielded"] = True
        last_new = now if new_items > 0 else previous.last_new_item_at
        health = replace(previous, last_run_at=now, last_success_at=now, consecutive_failures=0,
                         items_last_run=items, new_items_last_run=new_items, last_new_item_at=last_new,
                         backoff_until=None, broken_alerted=False, state=state)
        return replace(health, status=STALE if _stale(health, now, expected_update) else OK)

    failures = previous.consecutive_failures + 1
    error = SELECTOR_BREAK if selector_break else (result.error or "failed (no reason given)")
    broken = selector_break or failures >= broken_after
    backoff_until = None
    if broken:
        exponent = max(0, failures - broken_after) if not selector_break else failures - 1
        backoff_until = now + timedelta(seconds=min(backoff_cap, base_backoff * (2 ** min(exponent, 30))))
    if result.retry_after_s:
        asked = now + timedelta(seconds=min(result.retry_after_s, backoff_cap))
        backoff_until = max(backoff_until, asked) if backoff_until else asked
    return replace(previous, status=BROKEN if broken else FAILING, last_run_at=now, last_error_at=now,
                   last_error=error[:1000], consecutive_failures=failures, items_last_run=items,
                   new_items_last_run=new_items, backoff_until=backoff_until, state=state)


def _stale(health: SourceHealth, now: datetime, expected_update: float | timedelta | None) -> bool:
    if expected_update is None:
        return False
    window = expected_update if isinstance(expected_update, timedelta) else timedelta(seconds=expected_update)
    since = health.last_new_item_at
    if since is None:
        first = health.state.get("first_success_at")
        since = datetime.fromisoformat(first) if first else None
    return since is not None and now - since > window


def next_due(source: Any, health: SourceHealth, now: datetime) -> datetime:
    """When ``source`` should be crawled next (see crawlers.schedule)."""
    from .schedule import next_due as _next_due

    return _next_due(source, health, now)
