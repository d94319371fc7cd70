"""`json` sources against a local API: JMESPath mapping, pagination limits, mapping mismatches."""
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from crawlers.fetch import fetch_source
from crawlers.http import build_client
from tests.crawlers.conftest import NOW, build_source
from tests.crawlers.feeds import TEXT_A, TEXT_B
from tests.crawlers.localsite import ROBOTS_ALLOW, LocalSite, static

MAPPING = {"items": "data.list", "fields": {
    "url": "link", "title": "title", "text": "content", "published_at": "ctime", "author": "user.name",
    "replies": "stats.comments", "views": "stats.views"}}


def item(n: int, text: str = TEXT_A, ctime=1773540000) -> dict:
    return {"link": f"/post/{n}", "title": f"帖子{n}", "content": f"<p>{text}</p><p>第{n}条</p>", "ctime": ctime,
            "user": {"name": f"用户{n}"}, "stats": {"comments": "1.2万", "views": n * 10}}


@pytest.fixture
def client():
    with build_client(user_agent="bank-opinion-monitor/test") as c:
        yield c


def api(payload) -> LocalSite:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return LocalSite({"/robots.txt": ROBOTS_ALLOW, "/api": static(body, "application/json")})


def test_mapping(client):
    with api({"data": {"list": [item(1), item(2, TEXT_B, "2026-03-15 10:20"), {"title": "no link"}]}}) as site:
        result = fetch_source(build_source(type="json", channel="api", url=site.url("/api"), json=MAPPING),
                              client=client, now=NOW, cache={})
    assert result.ok, result.error
    first, second = result.mentions
    assert first.url == site.url("/post/1") and first.title == "帖子1" and first.author == "用户1"
    assert first.text == TEXT_A + "\n\n第1条"
    assert (first.replies, first.views) == (12000, 10)
    assert first.published_at.isoformat() == "2026-03-15T02:00:00+00:00"
    assert second.published_at.isoformat() == "2026-03-15T02:20:00+00:00"


@pytest.mark.parametrize("payload, error", [
    ({"data": {"items": []}}, "items path 'data.list' matches nothing in the response from "),
    ({"data": {"list": {"a": 1}}}, "items path 'data.list' gives dict, not a list, at "),
])
def test_mapping_that_no_longer_fits(client, payload, error):
    with api(payload) as site:
        result = fetch_source(build_source(type="json", channel="api", url=site.url("/api"), json=MAPPING),
                              client=client, now=NOW, cache={})
    assert not result.ok and result.error.startswith(error)


def test_not_json(client):
    with LocalSite({"/robots.txt": ROBOTS_ALLOW, "/api": static("<html>login</html>", "text/html")}) as site:
        result = fetch_source(build_source(type="json", channel="api", url=site.url("/api"), json=MAPPING),
                              client=client, now=NOW, cache={})
    assert not result.ok and result.error.startswith(f"response from {site.url('/api')} is not JSON")


def endless(h):
    page = int(parse_qs(urlsplit(h.path).query)["page"][0])
    body = json.dumps({"data": {"list": [item(page * 10 + i) for i in range(3)]}}).encode()
    h.reply(200, body, "application/json")


def repeating(h):
    h.reply(200, json.dumps({"data": {"list": [item(1), item(2)]}}).encode(), "application/json")


def test_endless_pagination_stops_at_max_pages(client):
    with LocalSite({"/robots.txt": ROBOTS_ALLOW, "/api": endless}) as site:
        source = build_source(type="json", channel="api", url=site.url("/api?page={page}"), json=MAPPING,
                              max_pages=4)
        result = fetch_source(source, client=client, now=NOW, cache={})
        hits = site.hits["/api"]
    assert result.ok and result.pages == 4 and len(result.mentions) == 12 and hits == 4


def test_api_repeating_its_last_page_stops(client):
    with LocalSite({"/robots.txt": ROBOTS_ALLOW, "/api": repeating}) as site:
        source = build_source(type="json", channel="api", url=site.url("/api?page={page}"), json=MAPPING,
                              max_pages=50)
        result = fetch_source(source, client=client, now=NOW, cache={})
    assert result.ok and result.pages == 2 and len(result.mentions) == 2


def test_failure_on_a_later_page_keeps_complete_items(client):
    calls = {"n": 0}

    def flaky(h):
        calls["n"] += 1
        if calls["n"] == 1:
            endless(h)
        else:
            h.reply(500, b"oops", "text/plain")

    with LocalSite({"/robots.txt": ROBOTS_ALLOW, "/api": flaky}) as site:
        source = build_source(type="json", channel="api", url=site.url("/api?page={page}"), json=MAPPING,
                              max_pages=3)
        result = fetch_source(source, client=client, now=NOW, cache={})
    assert not result.ok and result.error.startswith("HTTP 500")
    assert len(result.mentions) == 3 and result.pages == 1
