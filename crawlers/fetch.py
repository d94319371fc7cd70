"""Crawl one feed or JSON source with httpx: fetch, parse, filter, and say how it went.

``fetch_source`` never raises for anything a site can do: every failure becomes a FetchResult with
``ok=False`` and a one-line ``error``. Mentions in a result are always complete (nothing
half-parsed): on a failure part-way through pagination or detail pages, the items already built
are kept and the error still marks the run as failed.

``cache`` holds conditional-GET validators by URL (crawlers.http.CacheEntry); it is updated only
when the source's run succeeded, so a failed parse is fetched again in full next time.
html/forum/search sources are crawled by Scrapy (crawlers.scrapy_run.run_spiders), not here.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable, Iterable

import httpx

from .charset import decode_html
from .detail import extract_detail
from .feed import FeedError, parse_feed
from .http import CacheEntry, Fetcher, FetchError, FetchSettings
from .jsonapi import JsonApiError, parse_json
from .keywords import KeywordFilter
from .records import FetchResult, Mention
from .robots import RobotsCache

log = logging.getLogger(__name__)

HTTPX_TYPES = ("feed", "json")
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
JSON_ACCEPT = "application/json, text/javascript;q=0.9, */*;q=0.5"
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


class _Partial(Exception):
    """A failure after some items were complete: keep them, report the failure."""

    def __init__(self, error: FetchError | FeedError | JsonApiError, mentions: list[Mention], pages: int):
        super().__init__(str(error))
        self.error = error
        self.mentions = mentions
        self.pages = pages


def fetch_source(source: Any, *, client: httpx.Client, now: datetime, cache: dict[str, CacheEntry],
                 fetcher: Fetcher | None = None, watchlist_terms: Iterable[str] = (),
                 known: Callable[[list[str]], set[str]] | None = None) -> FetchResult:
    """Crawl a `feed` or `json` source once. ``fetcher`` shares politeness and robots.txt across a
    run's sources (built from ``client`` when not given). ``known(canonical_urls)`` says which
    items are stored already, so their detail pages are not fetched again (the stage passes a
    storage lookup; fetchers themselves never touch the database)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if fetcher is None:
        fetcher = Fetcher(client)
        fetcher.robots = RobotsCache(fetcher, client.headers.get("user-agent", "bank-opinion-monitor"))
    settings = FetchSettings.of(source)
    budget = getattr(source, "source_timeout", None)
    deadline = fetcher.monotonic() + budget if budget else None
    pending: dict[str, CacheEntry] = dict(cache)
    try:
        if source.type == "feed":
            result = _crawl_feed(source, fetcher, settings, now=now, cache=pending, deadline=deadline, known=known)
        elif source.type == "json":
            result = _crawl_json(source, fetcher, settings, now=now, cache=pending, deadline=deadline)
        else:
            return FetchResult(source=source.name, ok=False,
                               error=f"type {source.type!r} is crawled by Scrapy, not by fetch_source")
    except _Partial as partial:
        return _failed(source, partial.error, partial.mentions, partial.pages, watchlist_terms)
    except (FetchError, FeedError, JsonApiError) as exc:
        return _failed(source, exc, [], 0, watchlist_terms)
    except Exception as exc:  # noqa: BLE001 - one broken source must not stop the run
        log.exception("source %s: unexpected error", source.name)
        return FetchResult(source=source.name, ok=False, error=f"internal error: {type(exc).__name__}: {exc}")
    result.mentions = KeywordFilter.of(source, watchlist_terms).keep(result.mentions)
    cache.update({k: v for k, v in pending.items() if cache.get(k) != v})
    return result


def _failed(source: Any, exc: Exception, mentions: list[Mention], pages: int, terms: Iterable[str]) -> FetchResult:
    return FetchResult(source=source.name, mentions=KeywordFilter.of(source, terms).keep(mentions), ok=False,
                       error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__, pages=pages,
                       retry_after_s=getattr(exc, "retry_after_s", None))


def _crawl_feed(source: Any, fetcher: Fetcher, settings: FetchSettings, *, now: datetime,
                cache: dict[str, CacheEntry], deadline: float | None,
                known: Callable[[list[str]], set[str]] | None = None) -> FetchResult:
    fetched = fetcher.fetch(source.url, settings, cache=cache, deadline=deadline, accept=FEED_ACCEPT)
    if fetched.not_modified:
        return FetchResult(source=source.name, pages=1, not_modified=True)
    parsed = parse_feed(fetched.body, source=source, url=fetched.final_url, content_type=fetched.content_type,
                        fetched_at=now, now=now)
    mentions = parsed.mentions[: getattr(source, "max_items", None) or len(parsed.mentions)]
    pages = 1
    if getattr(source, "html", None) is not None:
        stored = known([m.canonical_url for m in mentions]) if known else set()
        mentions, pages = _with_details(source, mentions, fetcher, settings, now=now, deadline=deadline,
                                        skip=stored)
    return FetchResult(source=source.name, mentions=mentions, pages=pages)


def _with_details(source: Any, mentions: list[Mention], fetcher: Fetcher, settings: FetchSettings, *,
                  now: datetime, deadline: float | None,
                  skip: set[str] | frozenset[str] = frozenset()) -> tuple[list[Mention], int]:
    """Replace each feed entry's summary with its page's text (keeping the summary when the page
    fails or says nothing). A time-budget overrun stops here and keeps what is complete."""
    from .normalize import make_mention

    tz = getattr(source, "tz", None) or "Asia/Shanghai"
    out: list[Mention] = []
    pages = 1
    for index, mention in enumerate(mentions):
        if mention.canonical_url in skip:
            out.append(mention)  # stored already: storage will count it a duplicate
            continue
        try:
            page = fetcher.fetch(mention.url, settings, deadline=deadline, accept=HTML_ACCEPT)
        except FetchError as exc:
            if deadline is not None and fetcher.monotonic() >= deadline:
                raise _Partial(exc, out + list(mentions[index:]), pages) from None
            log.warning("source %s: detail page %s failed (%s); keeping the feed's summary", source.name,
                        mention.url, exc)
            out.append(mention)
            continue
        pages += 1
        ctype = (page.content_type or "").lower()
        if ctype and "html" not in ctype and "xml" not in ctype:
            out.append(mention)
            continue
        found = extract_detail(decode_html(page.body, page.content_type), page.final_url, source.html,
                               now=now, tz=tz)
        text = found["text"] if found["text"] and len(found["text"]) >= len(mention.text) else mention.text
        out.append(make_mention(
            source, url=mention.url, title=found["title"] or mention.title, text=text, fetched_at=now,
            published_at=mention.published_at or found["published_at"], author=found["author"] or mention.author,
            extra={**mention.extra, **({"outlet": found["outlet"]} if found.get("outlet") else {})}))
    return out, pages


def _crawl_json(source: Any, fetcher: Fetcher, settings: FetchSettings, *, now: datetime,
                cache: dict[str, CacheEntry], deadline: float | None) -> FetchResult:
    paged = "{page}" in source.url
    max_pages = (getattr(source, "max_pages", None) or 1) if paged else 1
    limit = getattr(source, "max_items", None)
    mentions: list[Mention] = []
    seen: set[str] = set()
    pages = 0
    for page in range(1, max_pages + 1):
        url = source.url.replace("{page}", str(page))
        try:
            # only the first page is conditional: later pages shift as items are added
            fetched = fetcher.fetch(url, settings, cache=cache if page == 1 else None, deadline=deadline,
                                    accept=JSON_ACCEPT)
            if fetched.not_modified:
                return FetchResult(source=source.name, pages=1, not_modified=True)
            parsed = parse_json(fetched.body, source=source, url=fetched.final_url,
                                content_type=fetched.content_type, fetched_at=now, now=now)
        except (FetchError, JsonApiError) as exc:
            if page == 1:
                raise
            raise _Partial(exc, mentions, pages) from None
        pages += 1
        fresh = [m for m in parsed.mentions if m.canonical_url not in seen]
        seen.update(m.canonical_url for m in fresh)
        mentions.extend(fresh)
        if not fresh or (limit and len(mentions) >= limit):
            break  # an empty or repeated page: the end (an endless API repeats its last page)
    return FetchResult(source=source.name, mentions=mentions[:limit] if limit else mentions, pages=pages)


def preview(source: Any, *, client: httpx.Client, now: datetime) -> FetchResult:
    """Fetch without conditional headers (so there is always something to show); stores nothing."""
    return fetch_source(source, client=client, now=now, cache={})

