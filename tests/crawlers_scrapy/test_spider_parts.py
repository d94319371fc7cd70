"""Pieces of the Scrapy crawl that need no process: plan building, Retry-After, mention building,
selectors."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from parsel import Selector

from config.schema.sources import SourcesFile
from crawlers.spiders.mentions import MentionBuilder
from crawlers.http import parse_retry_after
from crawlers.spiders.select import links_of, text_of
from crawlers.spiders.spec import crawl_spec, settings_from_defaults

NOW = datetime(2024, 3, 2, 12, 0, tzinfo=timezone.utc)


def _file(**source):
    return SourcesFile.model_validate({"defaults": {"delay": "2s", "source_timeout": "5m", "obey_robots": False},
                                       "sources": [{"name": "s", "channel": "news", **source}]})


def test_spec_carries_inherited_politeness_and_filters() -> None:
    file = _file(type="html", url="http://x.test/list", keywords={"include": ["年费"], "watchlist": True},
                 html={"item_links": "a::attr(href)"}, headers={"Referer": "http://x.test/"})
    spec = crawl_spec(file.sources[0], keywords=["长河银行"])
    assert spec["settings"]["DOWNLOAD_DELAY"] == 2.0
    assert spec["settings"]["CLOSESPIDER_TIMEOUT"] == 300.0
    assert spec["settings"]["ROBOTSTXT_OBEY"] is False
    assert spec["settings"]["DEFAULT_REQUEST_HEADERS"] == {"Referer": "http://x.test/"}
    assert spec["include"] == ["年费", "长河银行"]
    assert settings_from_defaults(file.defaults)["USER_AGENT"].startswith("bank-opinion-monitor")


def test_search_spec_takes_watchlist_keywords() -> None:
    file = _file(type="search", url="http://x.test/s?q={keyword}", html={"item_links": "a::attr(href)"},
                 search={"keywords": "watchlist", "encoding": "gbk", "first_page": 0})
    spec = crawl_spec(file.sources[0], keywords=["长河银行", "长河"])
    assert spec["search"] == {"keywords": ["长河银行", "长河"], "encoding": "gbk", "first_page": 0}


def test_retry_after_seconds_and_http_dates() -> None:
    assert parse_retry_after(b"7") == 7.0
    assert parse_retry_after(None) is None and parse_retry_after(b"soon") is None
    now = datetime(2024, 3, 1, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Fri, 01 Mar 2024 00:02:00 GMT", now=now) == 120.0


def test_mention_builder_filters_parses_and_refuses_future_times() -> None:
    file = _file(type="html", url="http://x.test/list", keywords={"include": ["银行"], "exclude": ["广告"]},
                 html={"item_links": "a::attr(href)"})
    builder = MentionBuilder(file.sources[0], crawl_spec(file.sources[0]), now=NOW)
    kept = builder.add({"url": "http://x.test/a?utm_source=x", "title": "銀行排队", "text": "正文", "time_text": "昨天 10:20"})
    assert kept is not None and kept.canonical_url == "http://x.test/a"  # Traditional matches 银行
    assert kept.published_at == datetime(2024, 3, 1, 2, 20, tzinfo=timezone.utc)
    assert builder.add({"url": "http://x.test/b", "title": "银行广告", "text": "买买买"}) is None
    assert builder.add({"url": "http://x.test/c", "title": "无关", "text": "天气"}) is None
    future = (NOW + timedelta(hours=5)).astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    late = builder.add({"url": "http://x.test/d", "title": "银行", "text": "x", "time_text": future})
    assert late is not None and late.published_at is None
    assert builder.dropped["filtered_by_keywords"] == 2


def test_selectors_css_xpath_and_prefixes() -> None:
    sel = Selector(text="<div class='a'><a href='/1'>one</a> <a href='javascript:void(0)'>x</a>"
                        "<p> 第一段 </p><p>第二段</p></div>")
    assert links_of(sel, "div.a a") == ["/1"]
    assert links_of(sel, "xpath://a/@href") == ["/1", "javascript:void(0)"][:1]
    assert text_of(sel, "div.a p", keep_lines=True) == "第一段\n第二段"
    assert text_of(sel, "//p[2]") == "第二段"
    assert text_of(sel, "css:span.none") is None
