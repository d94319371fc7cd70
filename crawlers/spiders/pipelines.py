"""Item pipelines of the spider process: fill missing fields by extraction, refuse half-parsed
items, hand the rest to the parent. Each drop is counted in ``spider.report.dropped``."""
from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import DropItem

log = logging.getLogger(__name__)


class _Stage:
    """Pipelines reach their spider through the crawler (Scrapy's current contract)."""

    def __init__(self, crawler: Any = None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "_Stage":
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider


def _drop(spider: Any, reason: str, item: dict[str, Any]) -> DropItem:
    spider.report.dropped[reason] += 1
    return DropItem(f"{reason}: {item.get('url')}", log_level="DEBUG")


class FillFromExtraction(_Stage):
    """Where a detail selector is left out of the config, generic extraction supplies the field."""

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        spider = self.spider
        fill = item.pop("_fill", None)
        html = item.pop("_html", None)
        if not fill or not html:
            return item
        from crawlers.extract import extract_article

        found = extract_article(html, item.get("url"), now=spider.now, tz=spider.tz)
        if "title" in fill:
            item["title"] = found["title"]
        if "body" in fill:
            item["text"] = found["content"]
        if "author" in fill:
            item["author"] = found["author"]
        if "time" in fill and found["publish_time"]:
            item["time_text"] = found["publish_time"]
        return item


class RequireTitleAndBody(_Stage):
    """Nothing half-parsed leaves the spider: no body, or no title on a non-reply, is dropped."""

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        spider = self.spider
        if not (item.get("text") or "").strip():
            raise _drop(spider, "no_body", item)
        if not item.get("reply") and not (item.get("title") or "").strip():
            raise _drop(spider, "no_title", item)
        return item


class EmitItem(_Stage):
    """Hand the checked item to the parent process (one JSON line on stdout), where
    crawlers.spiders.mentions filters it by keyword and builds the Mention."""

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        spider = self.spider
        spider.report.items += 1
        spider.emit({"k": "item", "i": spider.spec["index"], "item": {
            key: item.get(key) for key in ("url", "title", "text", "time_text", "author", "thread_url",
                                           "replies", "views", "likes", "extra")}})
        return item
