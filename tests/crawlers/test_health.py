from datetime import datetime, timedelta, timezone

from crawlers.health import BROKEN, FAILING, NEW, OK, SELECTOR_BREAK, STALE, SourceHealth, update_health
from crawlers.normalize import make_mention
from crawlers.records import FetchResult
from tests.crawlers.conftest import build_source

T0 = datetime(2026, 3, 16, 4, 0, tzinfo=timezone.utc)
DAY = 86400.0


def ok(n: int = 1, **kw) -> FetchResult:
    source = build_source()
    mentions = [make_mention(source, url=f"http://x/{i}", title="t", text=f"正文{i}" * 10, fetched_at=T0)
                for i in range(n)]
    return FetchResult(source="s1", mentions=mentions, **kw)


def fail(error: str = "HTTP 500 Internal Server Error from http://x/", **kw) -> FetchResult:
    return FetchResult(source="s1", ok=False, error=error, **kw)


def test_success_records_items_and_clears_failures():
    h = SourceHealth(name="s1", consecutive_failures=3, status=FAILING, last_error="x")
    h = update_health(h, ok(4), now=T0, new_items=2, expected_update=DAY)
    assert (h.status, h.consecutive_failures, h.items_last_run, h.new_items_last_run) == (OK, 0, 4, 2)
    assert h.last_success_at == h.last_run_at == h.last_new_item_at == T0
    assert h.last_error == "x"  # the last error stays visible after recovery
    assert h.state["ever_yielded"] is True


def test_broken_after_n_failures_with_one_alert_and_capped_backoff():
    h = SourceHealth(name="s1")
    statuses = []
    for i in range(8):
        h = update_health(h, fail(), now=T0 + timedelta(hours=i), broken_after=6, base_backoff=600)
        statuses.append(h.status)
    assert statuses == [FAILING] * 5 + [BROKEN] * 3
    assert h.consecutive_failures == 8
    assert h.last_error == "HTTP 500 Internal Server Error from http://x/"
    assert h.backoff_until == T0 + timedelta(hours=7) + timedelta(seconds=600 * 4)
    assert h.needs_alert
    h = SourceHealth(**{**h.__dict__, "broken_alerted": True})
    for i in range(20):
        h = update_health(h, fail(), now=T0 + timedelta(days=1 + i), broken_after=6, backoff_cap=DAY)
    assert h.backoff_until - h.last_run_at == timedelta(days=1)  # capped at 24 h
    assert not h.needs_alert  # alerted once; stays so while broken
    h = update_health(h, ok(), now=T0 + timedelta(days=30), new_items=1)
    assert (h.status, h.broken_alerted, h.backoff_until) == (OK, False, None)  # re-armed
    for i in range(6):
        h = update_health(h, fail(), now=T0 + timedelta(days=31, hours=i), broken_after=6)
    assert h.needs_alert


def test_selector_break_marks_broken_at_once():
    h = update_health(SourceHealth(name="s1"), ok(3), now=T0, new_items=3)
    h = update_health(h, FetchResult(source="s1", selector_misses=1), now=T0 + timedelta(hours=1))
    assert (h.status, h.last_error, h.consecutive_failures) == (BROKEN, SELECTOR_BREAK, 1)
    assert h.needs_alert


def test_selector_misses_on_a_source_that_never_yielded_are_not_a_break():
    h = update_health(SourceHealth(name="s1"), FetchResult(source="s1", selector_misses=1), now=T0)
    assert h.status == OK


def test_stale_when_nothing_new_for_longer_than_expected_update():
    h = update_health(SourceHealth(name="s1"), ok(2), now=T0, new_items=2, expected_update=DAY)
    h = update_health(h, ok(2), now=T0 + timedelta(hours=20), new_items=0, expected_update=DAY)
    assert h.status == OK
    h = update_health(h, ok(2), now=T0 + timedelta(hours=25), new_items=0, expected_update=DAY)
    assert h.status == STALE
    h = update_health(h, FetchResult(source="s1", not_modified=True), now=T0 + timedelta(hours=30),
                      expected_update=DAY)
    assert h.status == STALE
    h = update_health(h, ok(1), now=T0 + timedelta(hours=31), new_items=1, expected_update=DAY)
    assert h.status == OK


def test_stale_counts_from_first_success_when_nothing_ever_arrived():
    h = update_health(SourceHealth(name="s1"), ok(0), now=T0, expected_update=DAY)
    h = update_health(h, ok(0), now=T0 + timedelta(days=2), expected_update=DAY)
    assert h.status == STALE


def test_retry_after_postpones_the_next_attempt():
    h = update_health(SourceHealth(name="s1"), fail("HTTP 429", retry_after_s=3600), now=T0)
    assert h.status == FAILING and h.backoff_until == T0 + timedelta(hours=1)


def test_new_is_the_initial_state():
    assert SourceHealth(name="s1").status == NEW
