"""robots.txt, fetched once per host per run and consulted before every feed/JSON request.

Following RFC 9309: a 4xx robots.txt (typically 404) means everything is allowed; a robots.txt
that cannot be fetched (5xx, timeout, refused) means nothing is allowed for this run, so a
struggling site is not crawled harder. The host's ``Crawl-delay`` raises the per-site delay.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from .http import FetchError, FetchSettings, HttpStatusError

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 500_000


@dataclass
class _HostRules:
    parser: RobotFileParser | None  # None: allow everything
    allow_all: bool = False
    deny_reason: str | None = None


class RobotsCache:
    """Per-run cache of robots.txt rules, keyed by scheme://host:port."""

    def __init__(self, fetcher: Any, user_agent: str):
        self._fetcher = fetcher
        self._agent = user_agent.split("/", 1)[0]  # the product token robots.txt groups name
        self._rules: dict[str, _HostRules] = {}
        self._lock = threading.Lock()

    def _origin(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

    def rules(self, url: str, settings: FetchSettings) -> _HostRules:
        origin = self._origin(url)
        with self._lock:
            if origin in self._rules:
                return self._rules[origin]
        rules = self._load(origin, settings)
        with self._lock:
            self._rules.setdefault(origin, rules)
            return self._rules[origin]

    def _load(self, origin: str, settings: FetchSettings) -> _HostRules:
        robots_settings = FetchSettings(timeout=settings.timeout, max_bytes=ROBOTS_MAX_BYTES, max_redirects=3,
                                        retries=0, delay=settings.delay, obey_robots=False, headers=settings.headers)
        try:
            fetched = self._fetcher.fetch(origin + "/robots.txt", robots_settings)
        except HttpStatusError as exc:
            if 400 <= exc.status < 500:
                return _HostRules(None, allow_all=True)
            return _HostRules(None, deny_reason=f"robots.txt unavailable ({exc}); not crawling {origin} this run")
        except FetchError as exc:
            return _HostRules(None, deny_reason=f"robots.txt unavailable ({exc}); not crawling {origin} this run")
        parser = RobotFileParser()
        parser.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
        return _HostRules(parser)

    def allowed(self, url: str, settings: FetchSettings) -> bool:
        rules = self.rules(url, settings)
        if rules.allow_all:
            return True
        if rules.parser is None:
            from .http import RobotsDisallowed

            raise RobotsDisallowed(rules.deny_reason or f"robots.txt unavailable for {url}")
        return rules.parser.can_fetch(self._agent, url)

    def crawl_delay(self, url: str, settings: FetchSettings) -> float | None:
        rules = self.rules(url, settings)
        if rules.parser is None:
            return None
        delay = rules.parser.crawl_delay(self._agent)
        return float(delay) if delay is not None else None
