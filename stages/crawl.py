"""The crawl stage: fetch every due source, store what it found, record its health.

* feed/json sources are fetched with httpx in a thread pool (``defaults.concurrency``), sharing one
  client, one per-site throttle and one robots.txt cache; html/forum/search sources go to Scrapy in
  a child process (``crawlers.scrapy_run.run_spiders``) at the same time.
* Each source's mentions, its health update and its HTTP validators are written in ONE transaction,
  so a crash loses nothing and duplicates nothing: a source either counts as crawled (all of it
  stored) or is crawled again next time.
* One source failing (HTTP errors, timeouts, bad feeds, even a bug in a parser) does not stop the
  others; it is reported as blind, with the reason, in the summary and in its health.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable

from config.errors import NotFound
from config.schema.sources import watchlist_terms
from crawlers.fetch import HTTPX_TYPES, fetch_source
from crawlers.health import SourceHealth, update_health
from crawlers.http import CacheEntry, Fetcher, HostThrottle, build_client
from crawlers.records import FetchResult
from crawlers.robots import RobotsCache
from crawlers.schedule import is_due, next_due
from storage.db import Database

from .clock import utcnow
from storage.mentions import StoreSummary, known_urls, store_mentions
from storage.sources import load_health, load_http_cache, save_health, save_http_cache

log = logging.getLogger(__name__)

SCRAPY_TYPES = ("html", "forum", "search")


@dataclass
class CrawlSummary:
    started_at: datetime
    finished_at: datetime | None = None
    covered: list[str] = field(default_factory=list)  # crawled successfully
    blind: dict[str, str] = field(default_factory=dict)  # name -> why it could not be seen this run
    not_due: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    newly_broken: list[str] = field(default_factory=list)
    per_source: dict[str, dict[str, Any]] = field(default_factory=dict)
    stored: StoreSummary = field(default_factory=StoreSummary)

    def as_dict(self) -> dict[str, Any]:
        return {"started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "covered": list(self.covered), "blind": dict(self.blind), "not_due": list(self.not_due),
                "disabled": list(self.disabled), "newly_broken": list(self.newly_broken),
                **self.stored.as_dict(), "sources": dict(self.per_source)}


def _select(config: Any, only: list[str] | None) -> list[Any]:
    sources = list(config.sources.sources)
    if not only:
        return sources
    names = {s.name for s in sources}
    unknown = [n for n in only if n not in names]
    if unknown:
        raise NotFound(f"no source named {', '.join(map(repr, unknown))} in sources.yaml "
                       f"(known: {', '.join(sorted(names)) or 'none'})")
    return [s for s in sources if s.name in only]


def run_scrapy_sources(sources: list[Any], *, now: datetime, config: Any, terms: list[str]) -> list[FetchResult]:
    """html/forum/search sources through Scrapy; a missing or failing crawler makes them blind."""
    try:
        from crawlers.scrapy_run import run_spiders
        from crawlers.spiders.spec import settings_from_defaults
    except ImportError as exc:
        reason = f"the Scrapy crawler is not available ({exc})"
        return [FetchResult(source=s.name, ok=False, error=reason) for s in sources]
    budget = max(float(getattr(s, "source_timeout", 300.0) or 300.0) for s in sources)
    try:
        return run_spiders(sources, now=now, settings=settings_from_defaults(config.sources.defaults),
                           timeout_s=budget + 30.0, keywords=terms)
    except Exception as exc:  # noqa: BLE001 - the httpx sources' results must still be stored
        log.exception("scrapy run failed")
        return [FetchResult(source=s.name, ok=False, error=f"Scrapy run failed: {type(exc).__name__}: {exc}")
                for s in sources]


def _cache_urls(source: Any) -> list[str]:
    return [source.url.replace("{page}", "1")]


def crawl_due(config: Any, db: Database, *, clock: Callable[[], datetime] = utcnow, only: list[str] | None = None,
              force: bool = False, progress: Callable[[int, int], None] | None = None,
              client: Any = None, fetcher: Fetcher | None = None, run_id: int | None = None,
              scrapy: Callable[..., list[FetchResult]] | None = None) -> CrawlSummary:
    """Crawl the sources that are due (all selected ones with ``force``), store, update health.

    ``only`` restricts to named sources (NotFound for an unknown name). ``client``/``fetcher``
    and ``scrapy`` (a run_spiders stand-in) are for tests.
    """
    now = clock()
    summary = CrawlSummary(started_at=now)
    selected = _select(config, only)
    with db.transaction() as session:
        health = load_health(session, [s.name for s in selected])
    due: list[Any] = []
    for source in selected:
        if not source.enabled:
            summary.disabled.append(source.name)
        elif force or is_due(source, health.get(source.name), now):
            due.append(source)
        else:
            summary.not_due.append(source.name)
    if not due:
        summary.finished_at = clock()
        return summary
    terms = watchlist_terms(config.watchlist)
    by_name = {s.name: s for s in due}
    http_sources = [s for s in due if s.type in HTTPX_TYPES]
    scrapy_sources = [s for s in due if s.type in SCRAPY_TYPES]
    with db.transaction() as session:
        cache = load_http_cache(session, [u for s in http_sources for u in _cache_urls(s)])
    defaults = config.sources.defaults
    own_client = client is None and fetcher is None
    if fetcher is None:
        client = client or build_client(user_agent=defaults.user_agent, timeout=defaults.timeout)
        fetcher = Fetcher(client, throttle=HostThrottle(), per_host=defaults.per_domain_concurrency)
        fetcher.robots = RobotsCache(fetcher, defaults.user_agent)
    done = 0
    total = len(due)
    workers = max(1, min(defaults.concurrency, len(http_sources) + 1))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crawl")
    futures: dict[Future[Any], Any] = {}
    try:
        if scrapy_sources:
            futures[pool.submit(scrapy or run_scrapy_sources, scrapy_sources, now=now, config=config,
                                terms=terms)] = None
        for source in http_sources:
            own = {u: cache[u] for u in _cache_urls(source) if u in cache}
            futures[pool.submit(_fetch_one, source, fetcher, now, own, terms, _known_lookup(db))] = (source, own)
        try:
            for future in as_completed(futures, timeout=_run_budget(http_sources, scrapy_sources, workers)):
                meta = futures[future]
                results = [(r, {}) for r in future.result()] if meta is None else [(future.result(), meta[1])]
                for result, own_cache in results:
                    source = by_name.get(result.source)
                    if source is None:
                        log.error("a crawler returned a result for unknown source %r", result.source)
                        continue
                    _record(db, source, result, own_cache, health.get(source.name), clock=clock,
                            summary=summary, run_id=run_id)
                    done += 1
                    if progress:
                        progress(done, total)
        except FuturesTimeout:
            # a fetch stuck beyond every timeout (e.g. a DNS lookup that never returns): the
            # sources still out are reported blind below; their threads are abandoned, not awaited
            log.error("crawl run exceeded its time budget; %d sources unfinished", total - done)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        if own_client and client is not None:
            client.close()
    for source in due:  # a crawler that returned nothing for a source leaves it blind, not forgotten
        if source.name not in summary.per_source:
            _record(db, source, FetchResult(source=source.name, ok=False,
                                            error="no result within the run's time budget"),
                    {}, health.get(source.name), clock=clock, summary=summary, run_id=run_id)
    summary.finished_at = clock()
    return summary


def _run_budget(http_sources: list[Any], scrapy_sources: list[Any], workers: int) -> float:
    """Seconds the whole run may take: every source's own budget, batched over the workers,
    plus a margin. Past it, unfinished sources are reported blind."""
    def budget(source: Any) -> float:
        return float(getattr(source, "source_timeout", None) or 300.0)

    rounds = -(-len(http_sources) // max(1, workers - (1 if scrapy_sources else 0)))
    http = max((budget(s) for s in http_sources), default=0.0) * rounds
    spiders = max((budget(s) for s in scrapy_sources), default=0.0) + 30.0 if scrapy_sources else 0.0
    return max(http, spiders) + 60.0


def _known_lookup(db: Database) -> Callable[[list[str]], set[str]]:
    def lookup(urls: list[str]) -> set[str]:
        with db.transaction() as session:
            return known_urls(session, urls)
    return lookup


def _fetch_one(source: Any, fetcher: Fetcher, now: datetime, own_cache: dict[str, CacheEntry],
               terms: list[str], known: Callable[[list[str]], set[str]] | None = None) -> FetchResult:
    return fetch_source(source, client=fetcher.client, now=now, cache=own_cache, fetcher=fetcher,
                        watchlist_terms=terms, known=known)


def _record(db: Database, source: Any, result: FetchResult, own_cache: dict[str, CacheEntry],
            previous: SourceHealth | None, *, clock: Callable[[], datetime], summary: CrawlSummary,
            run_id: int | None) -> None:
    """Store one source's mentions, health and validators in one transaction."""
    at = clock()
    previous = previous or SourceHealth(name=source.name)
    with db.transaction() as session:
        stored = store_mentions(session, result.mentions, run_id=run_id)
        health = update_health(previous, result, now=at, broken_after=source.broken_after,
                               expected_update=source.expected_update, new_items=stored.new,
                               base_backoff=float(source.schedule.every or 1800.0),
                               backoff_cap=float(getattr(source, "backoff_cap", None) or 86400.0))
        health = replace(health, next_due_at=next_due(source, health, at))
        save_health(session, health, type=source.type, channel=source.channel)
        if result.ok and own_cache:
            save_http_cache(session, own_cache, now=at)
    summary.stored = summary.stored + stored
    if health.status in ("ok", "stale"):
        summary.covered.append(source.name)
    else:
        summary.blind[source.name] = health.last_error or result.error or "failed"
    if health.status == "broken" and (previous.status != "broken"):
        summary.newly_broken.append(source.name)
    summary.per_source[source.name] = {
        "type": source.type, "ok": result.ok and health.status in ("ok", "stale"), "status": health.status,
        "found": len(result.mentions), "pages": result.pages, "not_modified": result.not_modified,
        **stored.as_dict(), "error": None if health.status in ("ok", "stale") else health.last_error,
        "next_due_at": health.next_due_at.isoformat() if health.next_due_at else None}

