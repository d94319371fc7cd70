"""Detail pages linked from feed entries: configured selectors first, generic extraction for the rest.

A feed often carries only a summary (the demo's is cut at 90 characters); a feed source with an
``html:`` section has each entry's page fetched and read with the section's title/body/time/author
selectors. Fields without a selector, or whose selector matches nothing, come from
``crawlers.extract.extract_article`` (trafilatura + htmldate, Chinese-aware).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from parsel import Selector

from config.schema.sources import selector_kind

from .timeparse import parse_time

log = logging.getLogger(__name__)


def _select(doc: Selector, expr: str) -> Any:
    kind, text = selector_kind(expr)
    return doc.css(text) if kind == "css" else doc.xpath(text)


def select_text(doc: Selector, expr: str | None, *, keep_lines: bool = False) -> str | None:
    """All text matched by a CSS/XPath selector (element text of every match), or None."""
    if not expr:
        return None
    parts: list[str] = []
    for node in _select(doc, expr):
        if isinstance(node.root, str):
            parts.append(node.root)
        else:
            texts = node.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()
            parts.append(("\n" if keep_lines else " ").join(t.strip() for t in texts if t.strip()))
    joined = ("\n" if keep_lines else " ").join(p.strip() for p in parts if p.strip())
    return joined or None


def _generic(html: str, url: str, *, now: datetime, tz: str) -> dict[str, Any]:
    try:
        from crawlers.extract import extract_article
    except ImportError:  # pragma: no cover - crawl-B's module is part of the project
        return {}
    try:
        return extract_article(html, url, now=now, tz=tz) or {}
    except Exception as exc:  # noqa: BLE001 - extraction must never fail the crawl of a good page
        log.warning("generic extraction failed on %s: %s", url, exc)
        return {}


def extract_detail(html: str, url: str, selectors: Any, *, now: datetime, tz: str) -> dict[str, Any]:
    """``{"title", "text", "published_at" (aware UTC or None), "author", "outlet"}`` of a detail page."""
    doc = Selector(text=html)
    title = select_text(doc, getattr(selectors, "title", None))
    text = select_text(doc, getattr(selectors, "body", None), keep_lines=True)
    time_text = select_text(doc, getattr(selectors, "time", None))
    author = select_text(doc, getattr(selectors, "author", None))
    outlet = select_text(doc, getattr(selectors, "outlet", None))
    published = parse_time(time_text, now=now, tz=tz) if time_text else None
    if not (title and text and published and author):
        generic = _generic(html, url, now=now, tz=tz)
        title = title or generic.get("title")
        text = text or generic.get("content")
        author = author or generic.get("author")
        if published is None and generic.get("publish_time"):
            published = parse_time(str(generic["publish_time"]), now=now, tz=tz)
    return {"title": title, "text": text, "published_at": published, "author": author, "outlet": outlet}
