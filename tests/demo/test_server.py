"""The demo server serves the bundled sites on 127.0.0.1, with the right bytes and headers."""

from __future__ import annotations

import http.client
import socket
from calendar import timegm
from datetime import datetime, timezone

import feedparser
import httpx
import pytest
from parsel import Selector

from demo.server import SITES_DIR, declared_charset, serve
from demo.story import LAST_ITEM_AT


@pytest.fixture()
def server():
    with serve() as running:
        yield running


@pytest.fixture()
def client():
    # trust_env=False: a proxy configured in the environment must not see loopback traffic.
    with httpx.Client(trust_env=False, timeout=5) as c:
        yield c


def test_starts_on_a_free_loopback_port(server):
    assert server.port > 0
    assert server.base_url == f"http://127.0.0.1:{server.port}"
    with socket.create_connection(("127.0.0.1", server.port), timeout=2):
        pass


def test_two_servers_get_different_ports():
    with serve() as first, serve() as second:
        assert first.port != second.port


def test_feed_parses_with_absolute_links_to_articles(server, client):
    response = client.get(server.url("news/rss.xml"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(response.content, response_headers=dict(response.headers))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert len(feed.entries) == 10
    assert b"__BASE_URL__" not in response.content
    newest = feed.entries[0]
    assert newest.published_parsed is not None
    assert timegm(newest.published_parsed) == int(LAST_ITEM_AT.timestamp())
    for entry in feed.entries:
        assert entry.link.startswith(server.base_url + "/news/articles/")
        assert entry.title and entry.description
    article = client.get(feed.entries[0].link)
    assert article.status_code == 200
    page = Selector(text=article.text)
    assert page.css("h1.title::text").get() == feed.entries[0].title


def test_forum_list_paginates_and_threads_have_posts(server, client):
    first = Selector(text=client.get(server.url("forum/index.html")).text)
    threads = first.css("li.thread")
    assert len(threads) == 5
    assert first.css("a.next::attr(href)").get() == "index_2.html"
    second = Selector(text=client.get(server.url("forum/index_2.html")).text)
    assert second.css("li.thread") and not second.css("a.next")

    link = threads[0].css("a.thread-link::attr(href)").get()
    listed_replies = int(threads[0].css("span.reply-count::text").get())
    response = client.get(server.url("forum/" + link))
    assert response.status_code == 200
    thread = Selector(text=response.text)
    posts = thread.css("div.post")
    assert len(posts) == listed_replies + 1
    assert int(thread.css("div.thread-stats span.reply-count::text").get()) == listed_replies
    for post in posts:
        assert post.attrib["data-post-id"]
        assert post.css("span.author::text").get()
        assert post.css("span.time::text").get()
        assert post.css("div.content::text").get()


@pytest.mark.parametrize(
    ("path", "charset", "expected_text"),
    [
        ("forum/thread/1007.html", "gbk", "长河银行江汉路支行门口"),
        ("news/articles/n08.html", "big5", "長河銀行"),
    ],
)
def test_legacy_charset_pages_are_served_as_stored(server, client, path, charset, expected_text):
    response = client.get(server.url(path))
    assert response.status_code == 200
    assert response.headers["content-type"] == f"text/html; charset={charset}"
    on_disk = (SITES_DIR / path).read_bytes()
    assert response.content == on_disk
    assert expected_text in on_disk.decode(charset)
    with pytest.raises(UnicodeDecodeError):
        on_disk.decode("utf-8")


def test_utf8_pages_declare_utf8(server, client):
    response = client.get(server.url("complaints/c1006.html"))
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "長河如意貸" in response.content.decode("utf-8")


def test_declared_charset_reads_meta_and_xml_declaration():
    assert declared_charset(b'<html><head><meta charset="GBK">') == "gbk"
    assert declared_charset(b"<meta http-equiv=Content-Type content='text/html; charset=big5'>") == "big5"
    assert declared_charset(b'<?xml version="1.0" encoding="gb18030"?><rss>') == "gb18030"
    assert declared_charset(b"<html><body>no declaration</body></html>") == "utf-8"


def test_directory_serves_its_index(server, client):
    response = client.get(server.url("complaints/"))
    assert response.status_code == 200
    assert len(Selector(text=response.text).css("ul.complaint-list li a.complaint-link")) == 8


def test_unknown_path_is_404(server, client):
    assert client.get(server.url("forum/thread/9999.html")).status_code == 404
    assert client.get(server.url("no/such/page")).status_code == 404


def test_paths_cannot_escape_the_sites_folder(server):
    # http.client sends the path as given (httpx would normalise the dots away).
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request("GET", "/../server.py")
        assert conn.getresponse().status == 404
    finally:
        conn.close()


def test_conditional_requests_get_304(server, client):
    first = client.get(server.url("news/rss.xml"))
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(server.url("news/rss.xml"), headers={"If-None-Match": etag}).status_code == 304
    assert client.get(server.url("news/rss.xml"), headers={"If-None-Match": '"other"'}).status_code == 200
    since = client.get(server.url("news/rss.xml"), headers={"If-Modified-Since": last_modified})
    assert since.status_code == 304
    older = datetime(2026, 3, 1, tzinfo=timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert client.get(server.url("news/rss.xml"), headers={"If-Modified-Since": older}).status_code == 200


def test_head_has_headers_and_no_body(server, client):
    response = client.head(server.url("forum/index.html"))
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""


def test_close_releases_the_port():
    running = serve()
    port = running.port
    running.close()
    running.close()  # a second close is harmless
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::1"])
def test_refuses_to_listen_beyond_loopback(host):
    with pytest.raises(ValueError):
        serve(host=host)
