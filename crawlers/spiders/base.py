"""What the html, forum and search spiders share: decoding, request roles, failure bookkeeping.

Every request carries a ``role`` in its meta: ``list`` (a list, thread-list or search page the
source depends on) or ``detail`` (an article or thread page). A failed ``list`` request is a
failure of the source; a failed ``detail`` request costs one item. Spiders only parse: they yield
raw item dicts; the item pipelines (crawlers/spiders/pipelines.py) fill and check them and hand
them to the parent process, which filters them and builds the Mentions
(crawlers/spiders/mentions.py). The spider's ``report`` records what happened.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.charset import decode_html

from crawlers.http import parse_retry_after

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")


@dataclass
class SourceReport:
    """Everything one source's crawl produced, filled in while the spider runs."""

    items: int = 0  # complete items handed to the parent
    pages: int = 0
    selector_misses: int = 0
    list_requests: int = 0
    list_failures: list[str] = field(default_factory=list)
    detail_requests: int = 0
    detail_failures: list[str] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    retry_after_s: float | None = None
    config_error: str | None = None


def describe_failure(failure: Failure) -> str:
    """One line for the source's health: what went wrong and where."""
    exc = failure.value
    request = getattr(failure, "request", None)
    url = request.url if request is not None else "?"
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status} at {exc.response.url}"
    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if "Timeout" in name or "timed out" in text.lower():
        return f"timed out fetching {url}"
    if name == "DownloadCancelledError" or "max size" in text.lower():
        return f"page too large, download cancelled: {url}"
    if text == "max redirections reached":
        return f"redirect loop (too many redirects) from {url}"
    if text == "Forbidden by robots.txt":
        return f"blocked by robots.txt: {url}"
    return f"{name}: {text or 'failed'} at {url}"


class SourceSpider(scrapy.Spider):
    """Base of the project's spiders; ``spec`` comes from crawlers.spiders.spec.crawl_spec."""

    name = "source"

    def __init__(self, spec: dict[str, Any], now: str, emit: Callable[[dict[str, Any]], None], **kwargs: Any):
        super().__init__(name=f"{self.name}:{spec['name']}", **kwargs)
        self.spec = spec
        self.emit = emit  # hands an item (a JSON-able dict) to the parent process
        self.now = datetime.fromisoformat(now)
        self.tz = spec.get("tz") or "Asia/Shanghai"
        self.report = SourceReport()
        self.max_items = int(spec["max_items"]) if spec.get("max_items") else None
        self._items_requested = 0

    # ---- requests -------------------------------------------------------------------------
    def request(self, url: str, callback: Any, *, role: str, **meta: Any) -> scrapy.Request:
        if role == "list":
            self.report.list_requests += 1
        else:
            self.report.detail_requests += 1
        # List pages skip the duplicate filter: a redirect loop must reach REDIRECT_MAX_TIMES and
        # fail visibly instead of vanishing as a duplicate; max_pages bounds self-linking pages.
        return scrapy.Request(url, callback=callback, errback=self.on_error,
                              meta={"role": role, **meta}, dont_filter=(role == "list"))

    def want_more_items(self) -> bool:
        if self.max_items is None:
            return True
        self._items_requested += 1
        return self._items_requested <= self.max_items

    def on_error(self, failure: Failure) -> None:
        role = failure.request.meta.get("role", "detail")
        message = describe_failure(failure)
        if isinstance(failure.value, HttpError) and failure.value.response.status in (429, 503):
            wait = parse_retry_after(failure.value.response.headers.get(b"Retry-After"))
            if wait is not None:
                self.report.retry_after_s = max(self.report.retry_after_s or 0.0, wait)
        (self.report.list_failures if role == "list" else self.report.detail_failures).append(message)
        log.warning("%s: %s", self.spec["name"], message)

    # ---- responses ------------------------------------------------------------------------
    def page(self, response: Response) -> Selector | None:
        """The response as a parsel Selector over text decoded by crawlers.charset; None (and the
        failure recorded) when it is not an HTML/text page."""
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        mime = content_type.split(";")[0].strip().lower()
        if (mime and not mime.startswith(_HTML_TYPES)) or (not mime and not isinstance(response, TextResponse)
                                                            and b"<" not in response.body[:512]):
            message = f"not an HTML page ({mime or 'unknown type'}): {response.url}"
            role = response.meta.get("role", "detail")
            (self.report.list_failures if role == "list" else self.report.detail_failures).append(message)
            return None
        self.report.pages += 1
        text = decode_html(response.body, content_type or None)
        return Selector(text=text or "<html></html>", type="html", base_url=response.url)

    def note_miss(self, response: Response) -> None:
        """A list page that should yield items matched none of the item selectors."""
        self.report.selector_misses += 1
        log.warning("%s: no item matched the selectors on %s", self.spec["name"], response.url)

    def detail_item(self, response: Response, sel: Selector, **extra: Any) -> dict[str, Any]:
        """A raw item from an article page using the detail selectors; missing ones marked for
        generic extraction."""
        from .select import text_of

        detail = self.spec["html"]
        item: dict[str, Any] = {
            "url": response.url,
            "title": text_of(sel, detail.get("title")),
            "text": text_of(sel, detail.get("body"), keep_lines=True),
            "time_text": text_of(sel, detail.get("time")),
            "author": text_of(sel, detail.get("author")),
            **extra,
        }
        outlet = text_of(sel, detail.get("outlet"))
        if outlet:
            item["extra"] = {**(item.get("extra") or {}), "outlet": outlet}
        fill = [name for name in ("title", "body", "time", "author") if not detail.get(name)]
        if fill:
            item["_fill"] = fill
            item["_html"] = sel.get()
        return item
