"""Inside the spider process: one Scrapy crawler per source on one reactor, then a result each.

Only ``crawlers.scrapy_run.main`` (the child) calls ``crawl_all``; importing this module has no
side effects (the reactor is installed by CrawlerProcess when the crawl starts).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from .base import SourceReport, SourceSpider
from .forum import ForumSpider
from .html import HtmlSpider
from .search import SearchSpider

log = logging.getLogger(__name__)

SPIDERS: dict[str, type[SourceSpider]] = {"html": HtmlSpider, "forum": ForumSpider, "search": SearchSpider}


def crawl_all(plan: dict[str, Any], emit: Callable[[dict[str, Any]], None]) -> list[dict[str, Any]]:
    """Crawl every spec of ``plan``; items go to ``emit`` as they come; returns one result each."""
    from crawlers.scrapy_settings import merged

    base = plan["settings"]
    process = CrawlerProcess(Settings(base))
    crawlers: list[Crawler] = []
    for i, spec in enumerate(plan["specs"]):
        # "spider" priority: the process's own (project-priority) settings must not override them
        settings = Settings(merged(base, spec.get("settings"), {"CLOSESPIDER_TIMEOUT": spec["timeout_s"]}),
                            priority="spider")
        # the first crawler installs the reactor (what CrawlerProcess does for crawlers it creates)
        crawler = Crawler(SPIDERS[spec["type"]], settings, init_reactor=(i == 0))
        crawlers.append(crawler)
        process.crawl(crawler, spec={**spec, "index": i}, now=plan["now"], emit=emit)
    process.start()
    return [_result(spec, crawler, plan["now"]) for spec, crawler in zip(plan["specs"], crawlers)]


def _result(spec: dict[str, Any], crawler: Crawler, now: str) -> dict[str, Any]:
    spider = crawler.spider
    report: SourceReport = spider.report if spider is not None else SourceReport(config_error="spider did not start")
    stats = crawler.stats.get_stats() if crawler.stats else {}
    ok, error = _verdict(spec, report, stats)
    if report.dropped or report.detail_failures:
        log.warning("%s: dropped %s; %d of %d detail pages failed", spec["name"], dict(report.dropped),
                    len(report.detail_failures), report.detail_requests)
    return {
        "source": spec["name"],
        "ok": ok,
        "error": error,
        "pages": report.pages,
        "selector_misses": report.selector_misses,
        "retry_after_s": report.retry_after_s if not ok else None,
        "stats": {
            "elapsed_s": _elapsed(stats),
            "finish_reason": stats.get("finish_reason"),
            "responses": stats.get("downloader/response_count", 0),
            "dropped": dict(report.dropped),
            "detail_failures": len(report.detail_failures),
            "items": report.items,
        },
    }


def _elapsed(stats: dict[str, Any]) -> float | None:
    start, end = stats.get("start_time"), stats.get("finish_time")
    if isinstance(start, datetime) and isinstance(end, datetime):
        return (end - start).total_seconds()
    return stats.get("elapsed_time_seconds")


def _verdict(spec: dict[str, Any], report: SourceReport, stats: dict[str, Any]) -> tuple[bool, str | None]:
    """ok/error of one source's crawl: the source failed when it could not be configured, timed
    out, none of its list pages could be read, or every article page failed."""
    if report.config_error:
        return False, f"config: {report.config_error}"
    if not stats.get("finish_reason"):
        return False, "the spider did not run (see the crawl log)"
    if stats.get("finish_reason") == "closespider_timeout":
        return False, (f"crawl timed out after {spec['timeout_s']:.0f}s "
                       f"({report.items} complete items kept)")
    if report.list_requests and len(report.list_failures) >= report.list_requests:
        more = len(report.list_failures) - 1
        return False, report.list_failures[0] + (f" (and {more} more list pages)" if more else "")
    if report.detail_requests and len(report.detail_failures) >= report.detail_requests:
        return False, f"all {report.detail_requests} article pages failed: {report.detail_failures[0]}"
    if report.list_failures and not report.items:
        return False, report.list_failures[0]
    if report.list_requests and not report.pages:
        return False, "no list page was read (filtered as duplicate or dropped by a middleware)"
    return True, None
