"""Every kind of bad input from a real local server: the source fails cleanly, with a reason."""
import logging
import time

import pytest

from crawlers.fetch import fetch_source
from crawlers.http import build_client
from tests.crawlers.conftest import NOW, build_source
from tests.crawlers.feeds import TEXT_A, TEXT_B, TEXT_C, page, rss
from tests.crawlers.localsite import (ROBOTS_ALLOW, LocalSite, conditional, fail_then, hang, huge, redirect,
                                      static)

RFC = "Sun, 15 Mar 2026 10:00:00 +0800"
GOOD_FEED = rss([("标题一", "/a/1.html", RFC, TEXT_A), ("标题二", "/a/2.html", RFC, TEXT_B)])


@pytest.fixture
def client():
    with build_client(user_agent="bank-opinion-monitor/test") as c:
        yield c


def run(site, path, client, **fields):
    fields.setdefault("type", "feed")
    source = build_source(url=site.url(path), **fields)
    return fetch_source(source, client=client, now=NOW, cache={})


def serve(**routes):
    return LocalSite({"/robots.txt": ROBOTS_ALLOW, **{"/" + k.replace("__", "/").replace("_", "."): v
                                                      for k, v in routes.items()}})


def test_good_feed(client):
    with serve(feed_xml=static(GOOD_FEED, "application/rss+xml")) as site:
        result = run(site, "/feed.xml", client)
    assert result.ok and result.error is None
    assert [m.url for m in result.mentions] == [site.url("/a/1.html"), site.url("/a/2.html")]
    assert result.mentions[0].published_at.isoformat() == "2026-03-15T02:00:00+00:00"


@pytest.mark.parametrize("status, message", [(404, "HTTP 404 Not Found"), (403, "HTTP 403 Forbidden"),
                                             (500, "HTTP 500 Internal Server Error")])
def test_http_errors(client, status, message):
    with serve(feed_xml=static("nope", "text/plain", status=status)) as site:
        result = run(site, "/feed.xml", client, retries=1)
        hits = site.hits["/feed.xml"]
    assert not result.ok and result.mentions == []
    assert result.error == f"{message} from {site.url('/feed.xml')}"
    assert hits == (2 if status >= 500 else 1)


def test_429_with_retry_after_then_success(client):
    feed = fail_then([(429, {"Retry-After": "1"})], static(GOOD_FEED, "application/rss+xml"))
    with serve(feed_xml=feed) as site:
        started = time.monotonic()
        result = run(site, "/feed.xml", client, retries=2)
        waited = time.monotonic() - started
    assert result.ok and len(result.mentions) == 2
    assert 1.0 <= waited < 4


def test_429_with_long_retry_after_fails_and_reports_it(client):
    with serve(feed_xml=static("slow down", "text/plain", 429, {"Retry-After": "3600"})) as site:
        result = run(site, "/feed.xml", client, retries=3)
    assert not result.ok and result.retry_after_s == 3600
    assert result.error.startswith("HTTP 429 Too Many Requests")


def test_server_that_never_answers(client):
    with serve(feed_xml=hang(6)) as site:
        started = time.monotonic()
        result = run(site, "/feed.xml", client, timeout=0.5)
        elapsed = time.monotonic() - started
    assert not result.ok and result.error.startswith("timeout after")
    assert elapsed < 3


def test_source_time_budget_covers_the_whole_crawl(client):
    with serve(feed_xml=fail_then([(503, {})] * 10, static(GOOD_FEED))) as site:
        started = time.monotonic()
        result = run(site, "/feed.xml", client, retries=10, backoff_base=0.4, source_timeout=1)
        elapsed = time.monotonic() - started
    assert not result.ok and elapsed < 2.5


def test_redirect_loop(client):
    with serve(feed_xml=redirect("/other.xml"), other_xml=redirect("/feed.xml")) as site:
        result = run(site, "/feed.xml", client)
    assert not result.ok and result.error.startswith("redirect loop at")


@pytest.mark.parametrize("declare", [True, False])
def test_50_mb_page_is_abandoned(client, declare):
    with serve(feed_xml=huge(50_000_000, declare=declare)) as site:
        started = time.monotonic()
        result = run(site, "/feed.xml", client, max_bytes=1_000_000)
        elapsed = time.monotonic() - started
    assert not result.ok and "exceeds max_bytes 1000000" in result.error
    assert result.mentions == [] and elapsed < 3


@pytest.mark.parametrize("body, ctype", [
    ("<html><body><h1>Welcome</h1></body></html>", "text/html"),
    ('{"status": "error"}', "application/json"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    ("", "application/rss+xml"),
    ("<?xml version='1.0'?><rss version='2.0'><channel><title>cut off", "application/rss+xml"),
])
def test_feed_that_is_not_a_feed(client, body, ctype):
    with serve(feed_xml=static(body, ctype)) as site:
        result = run(site, "/feed.xml", client)
    assert not result.ok and result.mentions == []
    assert result.error.startswith(f"not a feed at {site.url('/feed.xml')}: ")


def test_empty_feed_is_fine(client):
    with serve(feed_xml=static(rss([]), "application/rss+xml")) as site:
        result = run(site, "/feed.xml", client)
    assert result.ok and result.mentions == []


def test_bozo_feed_with_entries_is_used_and_logged(client, caplog):
    broken = GOOD_FEED.replace(b"</channel></rss>", b"<item><title>half &nbsp; an item")
    with serve(feed_xml=static(broken, "application/rss+xml")) as site, caplog.at_level(logging.WARNING):
        result = run(site, "/feed.xml", client)
    assert result.ok and len(result.mentions) >= 2
    assert any("malformed feed used anyway" in r.getMessage() for r in caplog.records)


def test_future_and_unparseable_dates_give_no_time(client):
    feed = rss([("未来", "/a/1.html", "Thu, 01 Jan 2099 00:00:00 GMT", TEXT_A),
                ("乱码", "/a/2.html", "某天下午", TEXT_B),
                ("正常", "/a/3.html", "2026-03-15 10:20", TEXT_C)])
    with serve(feed_xml=static(feed, "application/rss+xml")) as site:
        result = run(site, "/feed.xml", client)
    assert result.ok
    assert [m.published_at.isoformat() if m.published_at else None for m in result.mentions] == [
        None, None, "2026-03-15T02:20:00+00:00"]


def test_conditional_get_and_cache_only_kept_on_success(client):
    with serve(feed_xml=conditional(GOOD_FEED, '"e1"', "application/rss+xml")) as site:
        source = build_source(url=site.url("/feed.xml"))
        cache = {}
        first = fetch_source(source, client=client, now=NOW, cache=cache)
        second = fetch_source(source, client=client, now=NOW, cache=cache)
    assert first.ok and len(first.mentions) == 2 and cache[site.url("/feed.xml")].etag == '"e1"'
    assert second.ok and second.not_modified and second.mentions == []
    with serve(feed_xml=static("<html>oops</html>", "text/html", headers={"ETag": '"e2"'})) as site:
        cache = {}
        bad = fetch_source(build_source(url=site.url("/feed.xml")), client=client, now=NOW, cache=cache)
    assert not bad.ok and cache == {}


@pytest.mark.parametrize("encoding, ctype", [
    ("gbk", "text/html"),  # no charset at all
    ("gbk", "text/html; charset=iso-8859-1"),  # wrong server default
    ("big5", "text/html; charset=utf-8"),  # wrong charset
    ("big5", None),  # no Content-Type
])
def test_detail_pages_with_wrong_or_missing_charset(client, encoding, ctype):
    from opencc import OpenCC

    text = OpenCC("s2t").convert(TEXT_A) if encoding == "big5" else TEXT_A
    title = "長河銀行轉帳失敗" if encoding == "big5" else "长河银行转账失败"
    author = "記者 王五" if encoding == "big5" else "记者 王五"
    detail = page(title, text, author=author).encode(encoding)
    feed = rss([(title, "/a/1.html", RFC, text[:10])])
    html = {"title": "h1.title", "body": "div.article-body p", "time": "span.time", "author": "span.author"}
    with serve(feed_xml=static(feed, "application/rss+xml"), a__1_html=static(detail, ctype)) as site:
        result = run(site, "/feed.xml", client, html=html)
    assert result.ok and result.pages == 2
    (mention,) = result.mentions
    assert (mention.title, mention.text, mention.author) == (title, text, author)


def test_detail_page_that_is_not_html_keeps_the_summary(client):
    feed = rss([("标题", "/a/1.pdf", RFC, TEXT_A)])
    with serve(feed_xml=static(feed, "application/rss+xml"),
               a__1_pdf=static(b"%PDF-1.4 binary", "application/pdf")) as site:
        result = run(site, "/feed.xml", client, html={"body": "div.article-body"})
    assert result.ok and result.mentions[0].text == TEXT_A


def test_robots_disallow(client):
    with LocalSite({"/robots.txt": static("User-agent: *\nDisallow: /\n", "text/plain"),
                    "/feed.xml": static(GOOD_FEED, "application/rss+xml")}) as site:
        obeyed = run(site, "/feed.xml", client)
        ignored = run(site, "/feed.xml", client, obey_robots=False)
    assert not obeyed.ok and obeyed.error == f"robots.txt disallows {site.url('/feed.xml')}"
    assert ignored.ok and len(ignored.mentions) == 2


def test_keyword_filters(client):
    feed = rss([("a", "/a/1.html", RFC, TEXT_A), ("b", "/a/2.html", RFC, TEXT_B), ("c", "/a/3.html", RFC, TEXT_C),
                ("d", "/a/4.html", RFC, "今天天气不错")])
    with serve(feed_xml=static(feed, "application/rss+xml")) as site:
        result = run(site, "/feed.xml", client, keywords={"include": ["長河銀行"], "exclude": ["补偿"]})
    assert [m.title for m in result.mentions] == ["a", "c"]
