"""Scrapy settings of the project's html/forum/search crawls: polite by default.

Precedence, lowest first: ``DEFAULTS`` here < the ``settings`` the caller of ``run_spiders`` passes
(the crawl stage: ``crawlers.spiders.spec.settings_from_defaults(sources.defaults)``; a test or
the benchmark: politeness off) < the source's own resolved knobs in sources.yaml (delay, timeout,
retries, obey_robots, ...: ``crawlers.spiders.spec._SOURCE_SETTINGS``).
"""
from __future__ import annotations

from typing import Any

from config.schema.sources import DEFAULT_USER_AGENT as PROJECT_UA

DEFAULTS: dict[str, Any] = {
    "BOT_NAME": "bank-opinion-monitor",
    "USER_AGENT": PROJECT_UA,
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 1.0,
    "DOWNLOAD_DELAY_JITTER": 0.5,  # +-50 % (Scrapy >= 2.19; older versions randomise by default)
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 2,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    "RETRY_BACKOFF_BASE_S": 2.0,  # ours: first retry after ~2 s, then ~4 s, ...
    "RETRY_BACKOFF_MAX_S": 60.0,  # ours: a longer Retry-After ends the attempt (see middlewares)
    "RETRY_GIVE_UP_LOG_LEVEL": "WARNING",  # a dead page is the source's health, not a crawler error
    "DOWNLOAD_TIMEOUT": 20,
    "DOWNLOAD_MAXSIZE": 5 * 1024 * 1024,  # a news page is < 1 MB; 5 MB leaves room, 50 MB does not
    "DOWNLOAD_WARNSIZE": 2 * 1024 * 1024,
    "REDIRECT_MAX_TIMES": 5,
    "CLOSESPIDER_TIMEOUT": 300,  # whole crawl of one source
    # Scrapy starts CONCURRENT_ITEMS asyncio tasks for EVERY callback result, even one yielding a
    # single item; the default 100 cost more CPU per article page than all our parsing. Our
    # pipelines are synchronous, so a few workers lose nothing.
    "CONCURRENT_ITEMS": 8,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "crawlers.spiders.middlewares.BackoffRetryMiddleware": 550,
    },
    "ITEM_PIPELINES": {
        "crawlers.spiders.pipelines.FillFromExtraction": 100,
        "crawlers.spiders.pipelines.RequireTitleAndBody": 200,
        "crawlers.spiders.pipelines.EmitItem": 900,
    },
}

# What the throughput benchmark and tests switch off: no delays, no robots, no throttling.
IMPOLITE: dict[str, Any] = {
    "ROBOTSTXT_OBEY": False,
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
}


def merged(*layers: dict[str, Any] | None) -> dict[str, Any]:
    """Later layers win; dict-valued settings (middlewares, pipelines) are merged key by key."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = {**out[key], **value}
            else:
                out[key] = value
    return out
