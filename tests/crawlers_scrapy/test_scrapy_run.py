"""run_spiders against a local site: the good cases and the bad input of issue 3, in two crawls.

A spider process costs 1-2 s, so every source is crawled in ONE run (module fixture) and each
test checks its own source's FetchResult; the process time limit gets a run of its own.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import pytest

from config.schema.sources import SourcesFile
from crawlers.normalize import canonical_url
from crawlers import scrapy_run
from crawlers.scrapy_run import run_spiders

from .pages import article, bare_article, forum_list, list_page, thread_page
from .site import Reply, Site, html

NOW = datetime(2024, 3, 2, 12, 0, tzinfo=timezone.utc)
FAST = {  # politeness down to test speed; robots.txt still obeyed
    "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "ERROR",
}
# A generous request timeout: on a loaded machine a 1 s limit fails robots.txt fetches at random
# (Scrapy then allows everything). Only the "hang" source gets a short one.
DEFAULTS = {"timeout": 4, "retries": 1, "backoff_base": 0.1, "max_retry_after": 5, "max_bytes": 1_000_000,
            "max_redirects": 3, "source_timeout": 20, "delay": 0, "obey_robots": True}
NEWS_SEL = {"item_links": "ul.list a::attr(href)", "next_page": "a.next::attr(href)", "title": "h1.t",
            "body": "div.content p", "time": "span.time", "author": "span.author"}
FORUM_SEL = {"thread_links": "a.th::attr(href)", "thread_next_page": "a.nextpage::attr(href)",
             "title": "h1.subject", "post": "div.post", "post_body": "div.msg", "post_author": "span.who",
             "post_time": "span.when", "post_id": "a.perma::attr(href)", "replies": "b.r", "views": "b.v"}


def _endless(path: str, query: dict[str, list[str]]) -> Reply:
    page = int(query.get("page", ["1"])[0])
    return html(list_page([f"/endless/item?id={page}"], f"/endless/list?page={page + 1}"))


class _FirstTime429:
    def __init__(self, body: str):
        self.body, self.calls = body, 0

    def __call__(self, path: str, query: Any) -> Reply:
        self.calls += 1
        return html("busy", 429, **{"Retry-After": "1"}) if self.calls == 1 else html(self.body)


def _search(path: str, query: dict[str, list[str]]) -> Reply:
    word, page = query["q"][0], int(query["p"][0])
    hits = {"招商银行": ["/s/a1", "/s/a2"], "存款": ["/s/a3"]}.get(word, [])
    return html(list_page(hits if page == 1 else []))


def _gbk_search(path: str, query: dict[str, list[str]]) -> Reply:
    # parse_qs decoded the bytes as UTF-8; a GBK-encoded keyword arrives as replacement characters
    gbk_word = "存款".encode("gbk").decode("utf-8", "replace")
    return html(list_page(["/s/a3"] if query.get("kw") == [gbk_word] else []))


def _huge(path: str, query: Any) -> Reply:
    size = 50 * 1024 * 1024
    return Reply(body=iter([b"<html><body>" + b"x" * (1 << 20)] * 50), length=size)


ROUTES: dict[str, Any] = {
    "/robots.txt": Reply(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
    # list + pagination (max_pages 2 of 3), a dead link and a failing article among the links
    "/news/list": lambda p, q: html(
        list_page(["/news/a1", "/news/a2", "/news/gone"], "/news/list2")),
    "/news/list2": html(list_page(["/news/a3", "/news/a4", "/news/e500"], "/news/list3")),
    "/news/list3": html(list_page(["/news/a5"])),
    "/news/a1": html(article("招商银行网点排长队", "储户反映窗口太少，等待两小时。", "2024-03-01 10:20")),
    "/news/a2": html(article("某行信用卡年费争议", "持卡人投诉被收取年费。这是广告。", "昨天 09:15")),
    "/news/a3": html(article("银行系统升级公告", "本周末手机银行暂停服务。", "2024年3月1日 08:00")),
    "/news/a4": html("<html><body><ul class='list'><li><h1 class='t'>断开的页面</h1><div class='content'><p>"
                     "银行表示标签没有闭合也能读出正文<p><span class='time'>03-01 07:30</body>"),  # broken HTML
    "/news/a5": html(article("第三页不应抓取", "超出页数。")),
    "/news/e500": Reply(500, b"oops"),
    "/endless/list": _endless,
    "/endless/item": lambda p, q: html(bare_article(f"无尽列表第{q['id'][0]}篇", "某银行客户投诉处理进展",
                                                    "2024-03-01 09:0" + q["id"][0])),
    "/bbs/list": html(forum_list([("/bbs/t1", "3", "100"), ("/bbs/t2", "0", "5")])),
    "/bbs/t1": lambda p, q: html(
        thread_page("储蓄卡被冻结求助", [("1", "楼主甲", "2024-03-01 08:00", "卡被冻结了，怎么办？")],
                    "/bbs/t1?page=2") if "page" not in q else
        thread_page("储蓄卡被冻结求助", [("2", "网友乙", "2024-03-01 09:00", "去柜台问问。"),
                                          ("3", "网友丙", "1小时前", "我也遇到过，打客服电话解决了。")])),
    "/bbs/t2": html(thread_page("理财收益不及预期", [("9", "楼主丁", "2024-03-01 07:00", "收益太低了。")],
                                replies="0", views="1.2万")),
    "/search": _search,
    "/gbksearch": _gbk_search,
    "/s/a1": html(article("招商银行回应网点排队", "该行称已增派人手。")),
    "/s/a2": html(article("招商银行手机银行故障", "部分用户无法登录。")),
    "/s/a3": html(article("存款利率下调", "多家银行下调存款利率。")),
    "/gbk/list": html(list_page(["/gbk/a1", "/big5/a1"])),
    "/gbk/a1": Reply(body=article("农商银行储户排队取款", "网点秩序正常，储户情绪稳定。", charset="gbk")
                     .encode("gbk"), content_type="text/html; charset=gbk"),
    "/big5/a1": Reply(body=article("銀行櫃檯服務引發爭議", "客戶抱怨等候時間過長。", author="記者乙", charset="big5",
                              traditional=True)
                      .encode("big5"), content_type="text/html"),
    "/pdf/list": Reply(body=b"%PDF-1.4 binary", content_type="application/pdf"),
    "/loop/a": Reply(302, b"", headers={"Location": "/loop/b"}),
    "/loop/b": Reply(302, b"", headers={"Location": "/loop/a"}),
    "/big/list": html(list_page(["/big/huge", "/big/ok"])),
    "/big/huge": _huge,
    "/big/ok": html(article("正常大小的页面", "这一页不大。")),
    "/hang/list": Reply(hang=True),
    "/limited/list": _FirstTime429(list_page(["/limited/a1"])),
    "/limited/a1": html(article("限流之后的文章", "服务器让我们等一秒。")),
    "/always429/list": html("slow down", 429, **{"Retry-After": "120"}),
    "/changed/list": html("<html><body><div class='newlayout'><a href='/x'>改版了</a></div></body></html>"),
    "/private/list": html(list_page(["/news/a1"])),
    "/missing/list": Reply(404, b"gone"),
    "/rows/list": html("<html><body>" + "".join(
        f"<div class='row'><a href='/rows/{i}'>快讯{i}：银行网点恢复营业</a><span class='t'>2024-03-01 0{i}:00</span>"
        f"<p class='b'>第{i}条快讯的摘要。</p></div>" for i in (1, 2)) + "<div class='row'><a href='/rows/3'></a></div>"
        "</body></html>"),
}


def _sources(site: Site) -> list[Any]:
    def src(name: str, path: str, **extra: Any) -> dict[str, Any]:
        return {"name": name, "type": "html", "channel": "news", "url": site.url(path), "html": NEWS_SEL, **extra}

    raw = [
        src("news", "/news/list", max_pages=2),
        src("news-filtered", "/news/list", max_pages=2, keywords={"include": ["银行", "年费"], "exclude": ["广告"]}),
        {"name": "endless", "type": "html", "channel": "news", "url": site.url("/endless/list"), "max_pages": 3,
         "html": {"item_links": "//ul[@class='list']//a/@href", "next_page": "xpath://a[@class='next']/@href"}},
        {"name": "bbs", "type": "forum", "channel": "forum", "url": site.url("/bbs/list"), "max_pages": 2,
         "forum": FORUM_SEL},
        {"name": "search", "type": "search", "channel": "news", "url": site.url("/search?q={keyword}&p={page}"),
         "max_pages": 3, "html": NEWS_SEL, "search": {"keywords": "watchlist"}},
        {"name": "search-gbk", "type": "search", "channel": "news", "url": site.url("/gbksearch?kw={keyword}"),
         "html": NEWS_SEL, "search": {"keywords": ["存款"], "encoding": "gbk"}},
        {"name": "search-broken", "type": "search", "channel": "news", "url": site.url("/changed/list?q={keyword}"),
         "html": NEWS_SEL, "search": {"keywords": "watchlist"}},
        src("charsets", "/gbk/list"),
        src("pdf", "/pdf/list"),
        src("loop", "/loop/a"),
        src("big", "/big/list"),
        src("big-list", "/big/huge"),
        src("hang", "/hang/list", timeout=1),
        src("limited", "/limited/list"),
        src("always429", "/always429/list"),
        src("changed", "/changed/list"),
        src("private", "/private/list"),
        src("missing", "/missing/list"),
        src("e500", "/news/e500"),
        {"name": "a-feed", "type": "feed", "channel": "news", "url": site.url("/feed.xml")},  # not Scrapy's
        {"name": "rows", "type": "html", "channel": "news", "url": site.url("/rows/list"),
         "html": {"list_only": True, "item": "div.row", "item_links": "a::attr(href)", "title": "a",
                  "body": "p.b", "time": "span.t"}},
    ]
    return SourcesFile.model_validate({"defaults": DEFAULTS, "sources": raw}).sources


@pytest.fixture(scope="module")
def crawl() -> dict[str, Any]:
    stats: dict[str, dict[str, Any]] = {}
    real_run_specs = scrapy_run.run_specs

    def spy(specs: list[dict[str, Any]], **kwargs: Any) -> Any:  # keeps the per-source stats
        results, per_source = real_run_specs(specs, **kwargs)
        stats.update(zip([s["name"] for s in specs], per_source))
        return results, per_source

    scrapy_run.run_specs = spy
    try:
        with Site(ROUTES) as site:
            started = time.monotonic()
            results = run_spiders(_sources(site), now=NOW, settings=FAST, timeout_s=60,
                                  keywords=["招商银行", "存款"])
            elapsed = time.monotonic() - started
            yield {"site": site, "by_name": {r.source: r for r in results}, "order": [r.source for r in results],
                   "elapsed": elapsed, "stats": stats}
    finally:
        scrapy_run.run_specs = real_run_specs


def _titles(result: Any) -> set[str]:
    return {m.title for m in result.mentions}


def test_one_result_per_source_in_order(crawl: dict[str, Any]) -> None:
    assert crawl["order"] == [s.name for s in _sources(crawl["site"])]


def test_list_pagination_detail_selectors(crawl: dict[str, Any]) -> None:
    result = crawl["by_name"]["news"]
    assert result.ok, result.error
    assert _titles(result) == {"招商银行网点排长队", "某行信用卡年费争议", "银行系统升级公告", "断开的页面"}
    first = next(m for m in result.mentions if m.title == "招商银行网点排长队")
    assert first.published_at == datetime(2024, 3, 1, 2, 20, tzinfo=timezone.utc)  # 10:20 Shanghai
    assert first.author == "记者甲" and "等待两小时" in first.text and first.channel == "news"
    yesterday = next(m for m in result.mentions if m.title == "某行信用卡年费争议")
    assert yesterday.published_at == datetime(2024, 3, 1, 1, 15, tzinfo=timezone.utc)
    hits = [p for _, p, _ in crawl["site"].hits]
    assert "/news/list3" not in hits and "/news/a5" not in hits  # max_pages 2
    assert len(crawl["site"].times("/news/e500")) >= 2  # the 500 was retried, then given up
    assert result.pages >= 6


def test_broken_html_still_read(crawl: dict[str, Any]) -> None:
    broken = next(m for m in crawl["by_name"]["news"].mentions if m.title == "断开的页面")
    assert "标签没有闭合" in broken.text
    assert broken.published_at == datetime(2024, 2, 29, 23, 30, tzinfo=timezone.utc)


def test_keyword_include_exclude(crawl: dict[str, Any]) -> None:
    assert _titles(crawl["by_name"]["news-filtered"]) == {"招商银行网点排长队", "银行系统升级公告", "断开的页面"}


def test_endless_pagination_stops_at_max_pages_and_extraction_fills(crawl: dict[str, Any]) -> None:
    result = crawl["by_name"]["endless"]
    assert result.ok, result.error
    lists = [p for _, p, _ in crawl["site"].hits if p.startswith("/endless/list")]
    assert len(lists) == 3
    assert _titles(result) == {"无尽列表第1篇", "无尽列表第2篇", "无尽列表第3篇"}
    by_title = {m.title: m for m in result.mentions}
    assert by_title["无尽列表第2篇"].published_at == datetime(2024, 3, 1, 1, 2, tzinfo=timezone.utc)
    assert "客户投诉处理进展" in by_title["无尽列表第2篇"].text


def test_forum_threads_and_replies(crawl: dict[str, Any]) -> None:
    result = crawl["by_name"]["bbs"]
    assert result.ok, result.error
    thread_url = canonical_url(crawl["site"].url("/bbs/t1"))
    t1 = [m for m in result.mentions if m.canonical_url == thread_url or m.thread_url == thread_url]
    assert len(t1) == 3
    opening = next(m for m in t1 if m.thread_url is None)
    assert opening.title == "储蓄卡被冻结求助" and opening.author == "楼主甲"
    assert opening.replies == 12 and opening.views == 3456
    replies = [m for m in t1 if m.thread_url == thread_url]
    assert {m.author for m in replies} == {"网友乙", "网友丙"}
    assert len({m.canonical_url for m in replies} | {opening.canonical_url}) == 3  # all distinct
    relative = next(m for m in replies if m.author == "网友丙")
    assert relative.published_at == datetime(2024, 3, 2, 11, 0, tzinfo=timezone.utc)  # "1小时前"
    t2 = next(m for m in result.mentions if m.title == "理财收益不及预期")
    assert t2.views == 12000


def test_search_template_per_keyword(crawl: dict[str, Any]) -> None:
    result = crawl["by_name"]["search"]
    assert result.ok, result.error
    assert _titles(result) == {"招商银行回应网点排队", "招商银行手机银行故障", "存款利率下调"}
    searched = [p for _, p, _ in crawl["site"].hits if p.startswith("/search")]
    assert "/search?q=%E6%8B%9B%E5%95%86%E9%93%B6%E8%A1%8C&p=1" in searched
    assert "/search?q=%E6%8B%9B%E5%95%86%E9%93%B6%E8%A1%8C&p=2" in searched  # paged while results came
    assert "/search?q=%E5%AD%98%E6%AC%BE&p=3" not in searched
    assert result.selector_misses == 0


def test_search_keyword_in_gbk_and_all_keywords_empty(crawl: dict[str, Any]) -> None:
    hits = [p for _, p, _ in crawl["site"].hits]
    assert "/gbksearch?kw=%B4%E6%BF%EE" in hits  # 存款 in GBK
    assert _titles(crawl["by_name"]["search-gbk"]) == {"存款利率下调"}
    broken = crawl["by_name"]["search-broken"]
    assert broken.selector_misses == 2 and broken.mentions == []  # no keyword found anything


def test_gbk_and_big5_pages(crawl: dict[str, Any]) -> None:
    result = crawl["by_name"]["charsets"]
    assert _titles(result) == {"农商银行储户排队取款", "銀行櫃檯服務引發爭議"}  # Traditional kept as written
    assert any("客戶抱怨" in m.text for m in result.mentions)


@pytest.mark.parametrize("name, words", [
    ("pdf", "not an HTML page"), ("loop", "redirect loop"), ("big-list", "too large"),
    ("hang", "timed out"), ("private", "robots.txt"), ("missing", "HTTP 404"), ("e500", "HTTP 500"),
    ("always429", "HTTP 429"),
])
def test_bad_sources_fail_with_a_reason(crawl: dict[str, Any], name: str, words: str) -> None:
    result = crawl["by_name"][name]
    assert not result.ok and result.mentions == []
    assert words in result.error


def test_page_cap_drops_only_the_huge_page(crawl: dict[str, Any]) -> None:
    result = crawl["by_name"]["big"]
    assert result.ok and _titles(result) == {"正常大小的页面"}


def test_429_retry_after_honoured(crawl: dict[str, Any]) -> None:
    result = crawl["by_name"]["limited"]
    assert result.ok and _titles(result) == {"限流之后的文章"}
    first, second = crawl["site"].times("/limited/list")[:2]
    assert second - first >= 0.9
    assert crawl["by_name"]["always429"].retry_after_s == 120
    assert len(crawl["site"].times("/always429/list")) == 1  # 120 s > max_retry_after: no retry in-run


def test_list_only_rows_and_half_parsed_row_dropped(crawl: dict[str, Any]) -> None:
    result = crawl["by_name"]["rows"]
    assert result.ok and _titles(result) == {"快讯1：银行网点恢复营业", "快讯2：银行网点恢复营业"}
    first = next(m for m in result.mentions if m.title.startswith("快讯1"))
    assert first.url == crawl["site"].url("/rows/1") and first.text == "第1条快讯的摘要。"
    assert first.published_at == datetime(2024, 2, 29, 17, 0, tzinfo=timezone.utc)
    assert not any(p.startswith("/rows/1") for _, p, _ in crawl["site"].hits)  # rows are not followed
    assert crawl["stats"]["rows"]["dropped"] == {"no_body": 1}  # the empty third row: counted, not kept


def test_failed_article_pages_are_counted(crawl: dict[str, Any]) -> None:
    assert crawl["stats"]["news"]["detail_failures"] == 2  # /news/gone (404) and /news/e500


def test_other_types_get_a_result_in_place(crawl: dict[str, Any]) -> None:
    feed = crawl["by_name"]["a-feed"]
    assert not feed.ok and "not crawled by Scrapy" in feed.error
    assert "a-feed" not in crawl["stats"]  # never sent to the spider process


def test_changed_layout_counts_selector_miss(crawl: dict[str, Any]) -> None:
    result = crawl["by_name"]["changed"]
    assert result.selector_misses == 1 and result.mentions == [] and result.pages == 1


def test_robots_obeyed_and_user_agent(crawl: dict[str, Any]) -> None:
    site = crawl["site"]
    assert not any(p.startswith("/private/") for _, p, _ in site.hits)
    assert all("bank-opinion-monitor" in ua for _, _, ua in site.hits)


def test_whole_run_is_bounded(crawl: dict[str, Any]) -> None:
    assert crawl["elapsed"] < 20


def test_process_time_limit() -> None:
    with Site({"/hang/list": Reply(hang=True)}) as site:
        sources = SourcesFile.model_validate({"defaults": {**DEFAULTS, "timeout": 30}, "sources": [
            {"name": "stuck", "type": "html", "channel": "news", "url": site.url("/hang/list"), "html": NEWS_SEL}]}
        ).sources
        started = time.monotonic()
        [result] = run_spiders(sources, now=NOW, settings=FAST, timeout_s=4)
        assert time.monotonic() - started < 8
    assert not result.ok and ("time" in result.error)


def test_non_scrapy_types_are_refused_without_a_process() -> None:
    sources = SourcesFile.model_validate({"sources": [
        {"name": "f", "type": "feed", "channel": "news", "url": "http://127.0.0.1:9/feed"}]}).sources
    [result] = run_spiders(sources, now=NOW)
    assert not result.ok and "feed" in result.error
