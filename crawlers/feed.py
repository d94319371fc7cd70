"""RSS 0.9x/1.0/2.0 and Atom: bytes in, Mentions out (pure; the HTTP happens in crawlers.fetch).

feedparser never raises on bad input; it sets ``bozo``. A bozo feed that still has entries is
used (and the problem is reported as a warning); a response with no feed in it at all (an HTML
error page, JSON, garbage) is a ``FeedError``. A well-formed feed with no entries is simply empty.
"""
from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin

import feedparser
from xml.sax import SAXException

from .htmltext import html_to_text
from .normalize import make_mention
from .records import Mention
from .timeparse import FUTURE_TOLERANCE, parse_time

log = logging.getLogger(__name__)


class FeedError(Exception):
    """The response is not a usable feed."""


@dataclass
class ParsedFeed:
    mentions: list[Mention] = field(default_factory=list)
    entries: int = 0
    skipped: int = 0  # entries without a usable link
    warning: str | None = None  # bozo reason when the feed was used anyway
    title: str | None = None


def _entry_time(entry: Any, *, now: datetime, tz: str) -> datetime | None:
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if raw:
            parsed = parse_time(str(raw), now=now, tz=tz)
            if parsed is not None:
                return parsed
        struct = entry.get(f"{key}_parsed")
        if struct:
            value = datetime.fromtimestamp(calendar.timegm(struct), timezone.utc)
            if value - now <= FUTURE_TOLERANCE:
                return value
    return None


def _entry_text(entry: Any) -> str:
    contents = [c.get("value", "") for c in entry.get("content", []) or [] if c.get("value")]
    raw = max(contents, key=len) if contents else entry.get("summary") or entry.get("description") or ""
    return html_to_text(raw)


def _entry_link(entry: Any, base: str) -> str | None:
    link = entry.get("link")
    if not link:
        guid = entry.get("id") or ""
        link = guid if guid.startswith(("http://", "https://", "/")) else None
    if not link:
        return None
    absolute = urljoin(base, link.strip())
    return absolute if absolute.startswith(("http://", "https://")) else None


def parse_feed(body: bytes, *, source: Any, url: str, content_type: str | None, fetched_at: datetime,
               now: datetime | None = None) -> ParsedFeed:
    """Parse feed bytes into mentions of ``source``; raise FeedError if there is no feed."""
    now = now or fetched_at
    tz = getattr(source, "tz", None) or "Asia/Shanghai"
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers)
    entries = list(parsed.get("entries") or [])
    reason = _bozo_reason(parsed)
    # No entries: fine for a well-formed empty feed; an error when there is no feed at all, or the
    # XML broke off (a truncated response). Encoding-label mismatches alone do not count.
    if not entries and (not parsed.get("version") or isinstance(parsed.get("bozo_exception"), SAXException)):
        what = reason or "no RSS or Atom feed found"
        raise FeedError(f"not a feed at {url}: {what}")
    result = ParsedFeed(entries=len(entries), title=(parsed.get("feed") or {}).get("title"))
    if reason:
        result.warning = f"malformed feed used anyway ({len(entries)} entries): {reason}"
        log.warning("source %s: %s", getattr(source, "name", "?"), result.warning)
    for entry in entries:
        link = _entry_link(entry, url)
        if link is None:
            result.skipped += 1
            continue
        result.mentions.append(make_mention(
            source, url=link, title=html_to_text(entry.get("title")) or None, text=_entry_text(entry),
            fetched_at=fetched_at, published_at=_entry_time(entry, now=now, tz=tz),
            author=entry.get("author") or None))
    return result


def _bozo_reason(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    text = str(exc).strip().splitlines()[0] if exc else "malformed"
    return f"{type(exc).__name__}: {text}" if exc else text
