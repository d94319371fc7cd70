from datetime import datetime, timedelta, timezone

from crawlers.health import SourceHealth
from crawlers.schedule import base_due, is_due, jitter_seconds, next_due
from tests.crawlers.conftest import build_source


def at(hour: int, minute: int = 0, day: int = 16) -> datetime:
    """A Shanghai wall-clock time as aware UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=timezone.utc) - timedelta(hours=8)


SLOTTED = {"schedule": {"every": "1h", "slots": [{"from": "08:00", "to": "22:00", "every": "10m"}]}}


def test_never_run_is_due_now():
    source = build_source()
    assert next_due(source, SourceHealth(name="s1"), at(3)) == at(3)
    assert is_due(source, None, at(3))


def test_interval_and_slots():
    source = build_source(**SLOTTED)
    assert base_due(source, at(10)) == at(10, 10)  # inside the window: every 10 minutes
    assert base_due(source, at(23)) == at(0, day=17)  # outside: hourly
    assert base_due(source, at(7, 30)) == at(8)  # the window opens before the hourly time


def test_window_crossing_midnight():
    source = build_source(schedule={"every": "2h", "slots": [{"from": "22:00", "to": "02:00", "every": "15m"}]})
    assert base_due(source, at(23, 50)) == at(0, 5, day=17)
    assert base_due(source, at(3)) == at(5)


def test_cron_in_the_sources_time_zone():
    source = build_source(schedule={"cron": "30 9 * * *"})
    assert base_due(source, at(10)) == at(9, 30, day=17)
    assert base_due(source, at(8)) == at(9, 30)


def test_jitter_is_deterministic_and_bounded():
    source = build_source(schedule={"every": "30m", "jitter": "5m"})
    health = SourceHealth(name="s1", last_run_at=at(10))
    first = next_due(source, health, at(10))
    assert first == next_due(source, health, at(10))
    assert at(10, 30) <= first <= at(10, 35)
    other = build_source(name="s2", schedule={"every": "30m", "jitter": "5m"})
    assert next_due(other, SourceHealth(name="s2", last_run_at=at(10)), at(10)) != first
    assert jitter_seconds("s1", at(10), 0) == 0


def test_backoff_is_a_lower_bound_and_disabled_sources_are_never_due():
    source = build_source(schedule={"every": "10m", "jitter": 0})
    health = SourceHealth(name="s1", last_run_at=at(10), backoff_until=at(14))
    assert next_due(source, health, at(10)) == at(14)
    assert not is_due(source, health, at(13))
    assert is_due(source, health, at(14))
    assert not is_due(build_source(enabled=False), None, at(10))
