"""Parent side of a crawl: raw items from the spider process -> keyword filter -> Mention.

Normalisation (script folding, fingerprints, simhash) is the most expensive step per item, so it
runs here, in the process that called run_spiders, while the spider process keeps fetching and
parsing: the two use two cores. It also gets the validated source object itself, not a copy.
Imports no Scrapy.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from crawlers.keywords import KeywordFilter
from crawlers.normalize import make_mention
from crawlers.records import Mention
from crawlers.timeparse import parse_time

# A page clock a little ahead of ours is common; further ahead is a misparse (timeparse already
# refuses more than a day ahead).
FUTURE_TOLERANCE = timedelta(hours=1)


class MentionBuilder:
    """Turns one source's raw items into Mentions; counts what it drops and why."""

    def __init__(self, source: Any, spec: dict[str, Any], *, now: datetime):
        self.source = source
        self.now = now
        self.tz = spec.get("tz") or "Asia/Shanghai"
        self.words = KeywordFilter(spec.get("include") or [], spec.get("exclude") or [])
        self.mentions: list[Mention] = []
        self.dropped: Counter[str] = Counter()

    def add(self, item: dict[str, Any]) -> Mention | None:
        title_for_filter = item.get("title") or (item.get("extra") or {}).get("thread_title")
        if self.words and not self.words.passes(title_for_filter, item.get("text")):
            self.dropped["filtered_by_keywords"] += 1
            return None
        published, extra = self._time(item.get("time_text")), dict(item.get("extra") or {})
        if item.get("time_text") and published is None:
            extra["time_unparsed"] = str(item["time_text"])[:80]
        mention = make_mention(self.source, url=item["url"], title=item.get("title"), text=item.get("text"),
                               fetched_at=self.now, published_at=published, author=item.get("author"),
                               thread_url=item.get("thread_url"), replies=item.get("replies"),
                               views=item.get("views"), likes=item.get("likes"), extra=extra)
        self.mentions.append(mention)
        return mention

    def _time(self, text: str | None) -> datetime | None:
        if not text:
            return None
        try:
            published = parse_time(text, now=self.now, tz=self.tz)
        except (ValueError, OverflowError):
            return None
        if published is not None and published > self.now + FUTURE_TOLERANCE:
            return None
        return published
