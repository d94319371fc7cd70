"""crawlers.http with httpx.MockTransport: retries, Retry-After, conditional GET, redirects, size cap."""
import httpx
import pytest

from crawlers.http import (CacheEntry, Fetcher, FetchSettings, HttpStatusError, ResponseTooLarge, RobotsDisallowed,
                           TooManyRedirects, build_client, parse_retry_after)
from crawlers.robots import RobotsCache


def fetcher_for(handler, sleeps=None, robots=False):
    client = build_client(user_agent="bank-opinion-monitor/test (+https://example.org)",
                          transport=httpx.MockTransport(handler))
    fetcher = Fetcher(client, sleep=(sleeps.append if sleeps is not None else lambda s: None))
    if robots:
        fetcher.robots = RobotsCache(fetcher, "bank-opinion-monitor/test")
    return fetcher


def test_user_agent_names_the_project():
    seen = []
    fetcher = fetcher_for(lambda r: seen.append(r.headers["user-agent"]) or httpx.Response(200, text="ok"))
    fetcher.fetch("http://x/", FetchSettings())
    assert seen == ["bank-opinion-monitor/test (+https://example.org)"]


def test_retries_with_exponential_backoff_then_gives_up():
    calls, sleeps = [], []
    fetcher = fetcher_for(lambda r: calls.append(1) or httpx.Response(503), sleeps)
    with pytest.raises(HttpStatusError) as info:
        fetcher.fetch("http://x/", FetchSettings(retries=3, backoff_base=0.5))
    assert info.value.status == 503 and str(info.value) == "HTTP 503 Service Unavailable from http://x/"
    assert len(calls) == 4 and sleeps == [0.5, 1.0, 2.0]


def test_retry_after_is_honoured():
    answers = [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, text="fine")]
    sleeps = []
    fetcher = fetcher_for(lambda r: answers.pop(0), sleeps)
    assert fetcher.fetch("http://x/", FetchSettings(retries=2, backoff_base=1)).body == b"fine"
    assert sleeps == [7.0]


def test_long_retry_after_ends_the_attempt_and_is_reported():
    fetcher = fetcher_for(lambda r: httpx.Response(429, headers={"Retry-After": "7200"}))
    with pytest.raises(HttpStatusError) as info:
        fetcher.fetch("http://x/", FetchSettings(retries=5, max_retry_after=120))
    assert info.value.retry_after_s == 7200


def test_client_errors_are_not_retried():
    calls = []
    fetcher = fetcher_for(lambda r: calls.append(1) or httpx.Response(404))
    with pytest.raises(HttpStatusError, match="HTTP 404 Not Found from http://x/gone"):
        fetcher.fetch("http://x/gone", FetchSettings(retries=3))
    assert len(calls) == 1


def test_conditional_get_sends_validators_and_reports_not_modified():
    def handler(request):
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(200, text="body", headers={"ETag": '"v1"', "Last-Modified": "Mon, 16 Mar 2026 03:20:00 GMT"})

    fetcher = fetcher_for(handler)
    cache: dict[str, CacheEntry] = {}
    first = fetcher.fetch("http://x/f", FetchSettings(), cache=cache)
    assert first.body == b"body" and cache["http://x/f"] == CacheEntry('"v1"', "Mon, 16 Mar 2026 03:20:00 GMT")
    assert fetcher.fetch("http://x/f", FetchSettings(), cache=cache).not_modified


def test_redirect_loop_and_limit():
    loop = fetcher_for(lambda r: httpx.Response(302, headers={"Location": "/b" if r.url.path == "/a" else "/a"}))
    with pytest.raises(TooManyRedirects, match="redirect loop"):
        loop.fetch("http://x/a", FetchSettings())
    chain = fetcher_for(lambda r: httpx.Response(301, headers={"Location": f"/{int(r.url.path[1:]) + 1}"}))
    with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
        chain.fetch("http://x/1", FetchSettings(max_redirects=3))
    ok = fetcher_for(lambda r: httpx.Response(302, headers={"Location": "/end"}) if r.url.path != "/end"
                     else httpx.Response(200, text="here"))
    page = ok.fetch("http://x/start", FetchSettings())
    assert page.final_url == "http://x/end" and page.body == b"here"


def test_size_cap_declared_and_streamed():
    declared = fetcher_for(lambda r: httpx.Response(200, content=b"x" * 5000))
    with pytest.raises(ResponseTooLarge, match="exceeds max_bytes 1000"):
        declared.fetch("http://x/", FetchSettings(max_bytes=1000))

    def stream(request):
        return httpx.Response(200, content=iter([b"x" * 600] * 10))  # no Content-Length

    with pytest.raises(ResponseTooLarge, match="abandoned"):
        fetcher_for(stream).fetch("http://x/", FetchSettings(max_bytes=1000))


def test_robots_txt_is_obeyed_and_fetched_once_per_host():
    calls = []

    def handler(request):
        calls.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nDisallow: /private/\n")
        return httpx.Response(200, text="ok")

    fetcher = fetcher_for(handler, robots=True)
    assert fetcher.fetch("http://x/public", FetchSettings()).body == b"ok"
    with pytest.raises(RobotsDisallowed, match="robots.txt disallows http://x/private/1"):
        fetcher.fetch("http://x/private/1", FetchSettings())
    fetcher.fetch("http://x/private/1", FetchSettings(obey_robots=False))
    assert calls.count("/robots.txt") == 1


def test_missing_robots_allows_and_failing_robots_denies():
    missing = fetcher_for(lambda r: httpx.Response(404 if r.url.path == "/robots.txt" else 200), robots=True)
    assert missing.fetch("http://x/a", FetchSettings()).status == 200
    down = fetcher_for(lambda r: httpx.Response(503 if r.url.path == "/robots.txt" else 200), robots=True)
    with pytest.raises(RobotsDisallowed, match="robots.txt unavailable"):
        down.fetch("http://x/a", FetchSettings())


def test_parse_retry_after():
    from datetime import datetime, timezone

    now = datetime(2026, 3, 16, 4, 0, tzinfo=timezone.utc)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Mon, 16 Mar 2026 04:02:00 GMT", now=now) == 120
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_requests_in_flight_per_host_are_limited():
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    lock, state = threading.Lock(), {"now": 0, "max": 0}

    def handler(request):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return httpx.Response(200, text="ok")

    fetcher = fetcher_for(handler)
    fetcher.per_host = 2
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda i: fetcher.fetch(f"http://x/{i}", FetchSettings()), range(12)))
    assert state["max"] == 2


def test_per_site_delay_spaces_requests():
    from crawlers.http import HostThrottle

    clock = {"t": 100.0}
    sleeps = []
    throttle = HostThrottle(sleep=lambda s: sleeps.append(s) or clock.__setitem__("t", clock["t"] + s),
                            clock=lambda: clock["t"])
    for url in ("http://a.com/1", "http://a.com/2", "http://b.com/1", "http://a.com/3"):
        throttle.wait(url, 2.0)
    assert sleeps == [2.0, 2.0]
