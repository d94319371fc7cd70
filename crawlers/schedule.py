"""When each source is due: interval or cron, daily time slots, deterministic jitter, backoff.

* A source never run is due at once.
* Otherwise the next time is ``last_run_at`` plus the interval that applies at ``last_run_at``
  (a slot's ``every`` inside its window, else the schedule's ``every``), or the next cron fire
  time after ``last_run_at``; if a slot window opens earlier than that, the window's start.
* Jitter is a fraction of ``schedule.jitter`` derived from a hash of the source name and the
  undelayed due time: stable across runs and processes (tests can assert it), different per source
  so sources sharing an interval do not all hit at once.
* ``backoff_until`` (a broken source's backoff, or a long Retry-After) is a lower bound.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_EVERY = 1800.0


def _clock(text: str) -> time:
    hh, mm = text.split(":")
    return time(0, int(mm)) if int(hh) == 24 else time(int(hh), int(mm))


def _in_window(local: datetime, start: time, end: time) -> bool:
    t = local.time()
    if start <= end:
        return start <= t < end or (end == time(0) and t >= start)
    return t >= start or t < end  # the window crosses midnight


def _interval_at(schedule: Any, local: datetime) -> float | None:
    for slot in getattr(schedule, "slots", None) or []:
        if _in_window(local, _clock(slot.from_), _clock(slot.to)):
            return slot.every
    return None


def _next_window_start(schedule: Any, after_local: datetime) -> datetime | None:
    best: datetime | None = None
    for slot in getattr(schedule, "slots", None) or []:
        start = _clock(slot.from_)
        candidate = after_local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
        if candidate <= after_local:
            candidate += timedelta(days=1)
        if best is None or candidate < best:
            best = candidate
    return best


@lru_cache(maxsize=256)
def _cron(expr: str, tz: str) -> Any:
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab(expr, timezone=ZoneInfo(tz))


def jitter_seconds(name: str, due: datetime, jitter: float) -> float:
    if jitter <= 0:
        return 0.0
    digest = hashlib.sha256(f"{name}|{due.astimezone(timezone.utc).isoformat()}".encode()).digest()
    return jitter * (int.from_bytes(digest[:8], "big") / 2 ** 64)


def base_due(source: Any, last_run: datetime) -> datetime:
    """Undelayed next due time after a run at ``last_run`` (aware)."""
    schedule = source.schedule
    zone = ZoneInfo(getattr(source, "tz", None) or "Asia/Shanghai")
    local = last_run.astimezone(zone)
    slot_every = _interval_at(schedule, local)
    if slot_every is not None:
        due = last_run + timedelta(seconds=slot_every)
    elif getattr(schedule, "cron", None):
        fire = _cron(schedule.cron, zone.key).get_next_fire_time(None, last_run + timedelta(seconds=1))
        due = fire.astimezone(timezone.utc) if fire else last_run + timedelta(seconds=DEFAULT_EVERY)
    else:
        due = last_run + timedelta(seconds=schedule.every or DEFAULT_EVERY)
    window = _next_window_start(schedule, local)
    if window is not None and window.astimezone(timezone.utc) < due:
        due = window.astimezone(timezone.utc)
    return due.astimezone(timezone.utc)


def next_due(source: Any, health: Any, now: datetime) -> datetime:
    """When ``source`` (validated config) with ``health`` (crawlers.health.SourceHealth) is next due."""
    if health is None or health.last_run_at is None:
        due = now
    else:
        due = base_due(source, health.last_run_at)
        due += timedelta(seconds=jitter_seconds(source.name, due, getattr(source.schedule, "jitter", 0) or 0))
    backoff = getattr(health, "backoff_until", None)
    if backoff is not None and backoff > due:
        due = backoff
    return due


def is_due(source: Any, health: Any, now: datetime) -> bool:
    return getattr(source, "enabled", True) and next_due(source, health, now) <= now
