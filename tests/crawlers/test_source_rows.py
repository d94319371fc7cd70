"""storage.sources: health rows and HTTP validators survive a round trip; alert bookkeeping."""
from datetime import datetime, timedelta, timezone

from crawlers.health import SourceHealth
from crawlers.http import CacheEntry
from storage.sources import (broken_unalerted, load_health, load_http_cache, mark_broken_alerted, save_health,
                             save_http_cache)

T0 = datetime(2026, 3, 16, 4, 0, tzinfo=timezone.utc)


def test_health_round_trip_and_upsert(db):
    health = SourceHealth(name="a", status="failing", last_run_at=T0, last_error_at=T0, last_error="HTTP 500",
                          consecutive_failures=2, next_due_at=T0 + timedelta(minutes=30), state={"ever_yielded": True})
    with db.transaction() as s:
        save_health(s, health, type="feed", channel="news")
        save_health(s, SourceHealth(name="b", status="broken", last_run_at=T0), type="html", channel="complaint")
    with db.transaction() as s:
        save_health(s, SourceHealth(**{**health.__dict__, "consecutive_failures": 3}), type="feed", channel="news")
    with db.transaction() as s:
        loaded = load_health(s)
    assert loaded["a"] == SourceHealth(**{**health.__dict__, "consecutive_failures": 3})
    assert set(loaded) == {"a", "b"}
    with db.transaction() as s:
        assert [h.name for h in broken_unalerted(s)] == ["b"]
        mark_broken_alerted(s, "b")
    with db.transaction() as s:
        assert broken_unalerted(s) == [] and load_health(s, ["b"])["b"].broken_alerted


def test_http_cache_round_trip(db):
    with db.transaction() as s:
        save_http_cache(s, {"http://x/f": CacheEntry('"v1"', "Mon, 16 Mar 2026 03:20:00 GMT")}, now=T0)
    with db.transaction() as s:
        save_http_cache(s, {"http://x/f": CacheEntry('"v2"', None), "http://x/g": CacheEntry(None, "x")}, now=T0)
    with db.transaction() as s:
        assert load_http_cache(s, ["http://x/f", "http://x/g", "http://x/h"]) == {
            "http://x/f": CacheEntry('"v2"', None), "http://x/g": CacheEntry(None, "x")}
