"""The crawl plan of one html/forum/search source, as plain JSON-able data for the spider process.

``crawl_spec(source, keywords)`` reads a validated ``config.schema.sources.Source`` (after
``SourcesFile`` filled in the inherited defaults) and returns a ``dict`` the spiders understand.
It is the one place that knows the sources.yaml key names. ``settings_from_defaults`` turns the
file's ``defaults:`` section into the Scrapy settings only it carries (User-Agent, concurrency,
AutoThrottle); the crawl stage passes them as ``run_spiders(settings=...)``.
"""
from __future__ import annotations

from typing import Any, Iterable

# Source field -> Scrapy setting, for the per-source politeness knobs the schema resolves.
_SOURCE_SETTINGS = {
    "timeout": "DOWNLOAD_TIMEOUT",
    "max_bytes": "DOWNLOAD_MAXSIZE",
    "max_redirects": "REDIRECT_MAX_TIMES",
    "obey_robots": "ROBOTSTXT_OBEY",
    "delay": "DOWNLOAD_DELAY",
    "retries": "RETRY_TIMES",
    "backoff_base": "RETRY_BACKOFF_BASE_S",
    "max_retry_after": "RETRY_BACKOFF_MAX_S",
    "source_timeout": "CLOSESPIDER_TIMEOUT",
}
_DEFAULTS_SETTINGS = {
    "user_agent": "USER_AGENT",
    "concurrency": "CONCURRENT_REQUESTS",
    "per_domain_concurrency": "CONCURRENT_REQUESTS_PER_DOMAIN",
    "autothrottle": "AUTOTHROTTLE_ENABLED",
    **_SOURCE_SETTINGS,
}


def settings_from_defaults(defaults: Any) -> dict[str, Any]:
    """Scrapy settings from sources.yaml's ``defaults:`` (a ``Defaults`` model)."""
    return {setting: getattr(defaults, name) for name, setting in _DEFAULTS_SETTINGS.items()
            if getattr(defaults, name, None) is not None}


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True)
    return value


def _strings(value: Any) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def crawl_spec(source: Any, keywords: Iterable[str] = ()) -> dict[str, Any]:
    """The spider plan for ``source``; ``keywords`` are the watchlist terms, used by search
    sources with ``keywords: watchlist`` and by ``keywords.watchlist`` filters."""
    watch_terms = [k for k in keywords if k]
    kind = str(source.type)
    settings = {setting: getattr(source, name) for name, setting in _SOURCE_SETTINGS.items()
                if getattr(source, name, None) is not None}
    if source.headers:
        settings["DEFAULT_REQUEST_HEADERS"] = dict(source.headers)
    filters = source.keywords
    include = list(filters.include) + (watch_terms if filters.watchlist else [])
    html = _plain(source.html) or {}
    spec: dict[str, Any] = {
        "name": source.name,
        "type": kind,
        "url": source.url,
        "tz": source.tz or "Asia/Shanghai",
        "include": include,
        "exclude": list(filters.exclude),
        "max_pages": int(source.max_pages or 1),
        "max_items": source.max_items,
        "settings": settings,
        "html": {key: html.get(key) for key in ("item_links", "next_page", "title", "body", "time", "author",
                                                "outlet", "list_only", "item")},
        # what make_mention reads from the source, rebuilt as a namespace in the spider process
        "mention_source": {"name": source.name, "channel": source.channel, "authority": float(source.authority),
                           "max_text_chars": source.max_text_chars, "site": getattr(source, "site", None)},
    }
    if kind == "forum":
        spec["forum"] = _plain(source.forum)
    if kind == "search":
        search = source.search
        words = search.keywords if search is not None else "watchlist"
        spec["search"] = {
            "keywords": watch_terms if words == "watchlist" else _strings(words),
            "encoding": search.encoding if search is not None else "utf-8",
            "first_page": search.first_page if search is not None else 1,
        }
    return spec
