"""HTTP for feed and JSON sources (and robots.txt): polite, bounded, and honest about failure.

``build_client`` makes the one httpx.Client of a run (tests pass ``transport=MockTransport``).
``fetch`` does one logical GET: per-site delay, robots.txt, conditional headers, manual redirects
(limited, loops detected), a streamed body capped at ``max_bytes``, and retries with exponential
backoff that honour ``Retry-After`` on 429/503. Failures raise a ``FetchError`` subclass whose
``str()`` is the one line the source's health record shows.

Exceptions::

    FetchError
     ├── HttpStatusError      4xx/5xx after retries (``status``; ``retry_after_s`` on 429/503)
     ├── FetchTimeout         connect/read timeout, or the source's time budget ran out
     ├── ConnectFailed        DNS, refused, reset
     ├── TooManyRedirects     more than max_redirects, or a loop
     ├── ResponseTooLarge     body over max_bytes (abandoned; nothing of it is used)
     └── RobotsDisallowed     robots.txt forbids the URL
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

import httpx

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_CRAWL_DELAY = 30.0  # a robots.txt Crawl-delay above this is honoured as this


class FetchError(Exception):
    retry_after_s: float | None = None

    def __init__(self, message: str, *, retry_after_s: float | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class HttpStatusError(FetchError):
    def __init__(self, message: str, *, status: int, retry_after_s: float | None = None):
        super().__init__(message, retry_after_s=retry_after_s)
        self.status = status


class FetchTimeout(FetchError):
    pass


class ConnectFailed(FetchError):
    pass


class TooManyRedirects(FetchError):
    pass


class ResponseTooLarge(FetchError):
    pass


class RobotsDisallowed(FetchError):
    pass


@dataclass(frozen=True)
class FetchSettings:
    """Per-source request limits (from the validated source; see config/schema/sources.py)."""

    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    retries: int = 2
    backoff_base: float = 1.0
    max_retry_after: float = 120.0
    delay: float = 0.0
    obey_robots: bool = True
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, source: Any) -> FetchSettings:
        values = {name: getattr(source, name) for name in cls.__dataclass_fields__
                  if getattr(source, name, None) is not None}
        values["headers"] = dict(getattr(source, "headers", None) or {})
        return cls(**values)


@dataclass
class Fetched:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes = b""
    not_modified: bool = False

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


@dataclass
class CacheEntry:
    """Conditional-GET validators of one URL (mirrors storage.models.HttpCache)."""

    etag: str | None = None
    last_modified: str | None = None


def build_client(*, user_agent: str, timeout: float = 20.0, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The run's HTTP client. Redirects are followed by ``fetch`` itself (to count and check them)."""
    return httpx.Client(
        headers={"User-Agent": user_agent, "Accept-Language": "zh-CN,zh;q=0.9,zh-TW;q=0.8,en;q=0.5"},
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        transport=transport,
        trust_env=False,  # a proxy from the environment must not silently reroute the monitor
    )


class HostThrottle:
    """At most one request per ``delay`` seconds to each host, across threads of one run."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._sleep = sleep
        self._clock = clock

    def wait(self, url: str, delay: float) -> None:
        if delay <= 0:
            return
        host = urlsplit(url).netloc.lower()
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + delay
        if start > now:
            self._sleep(start - now)


def parse_retry_after(value: str | bytes | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when
    absent or unreadable. Scrapy hands headers over as bytes, httpx as str."""
    if not value:
        return None
    value = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


@dataclass
class Fetcher:
    """One run's fetching context: client, politeness, robots, clock and sleep (injectable)."""

    client: httpx.Client
    throttle: HostThrottle = field(default_factory=HostThrottle)
    robots: Any = None  # crawlers.robots.RobotsCache, or None to skip robots.txt
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    per_host: int = 2  # requests in flight to one host (defaults.per_domain_concurrency)
    _slots: dict[str, threading.BoundedSemaphore] = field(default_factory=dict, repr=False)
    _slots_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _host_slot(self, url: str) -> threading.BoundedSemaphore:
        host = urlsplit(url).netloc.lower()
        with self._slots_lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = threading.BoundedSemaphore(max(1, self.per_host))
            return slot

    def fetch(self, url: str, settings: FetchSettings, *, cache: dict[str, CacheEntry] | None = None,
              deadline: float | None = None, accept: str | None = None) -> Fetched:
        """GET ``url`` with retries; raise FetchError. On 200 ``cache[url]`` gets the new validators."""
        if settings.obey_robots and self.robots is not None:
            if not self.robots.allowed(url, settings):
                raise RobotsDisallowed(f"robots.txt disallows {url}")
            crawl_delay = self.robots.crawl_delay(url, settings)
            if crawl_delay and crawl_delay > settings.delay:
                settings = replace(settings, delay=min(crawl_delay, MAX_CRAWL_DELAY))
        attempt = 0
        while True:
            try:
                return self._once(url, settings, cache=cache, deadline=deadline, accept=accept)
            except FetchError as exc:
                if not self._retryable(exc) or attempt >= settings.retries:
                    raise
                wait = settings.backoff_base * (2 ** attempt)
                if exc.retry_after_s is not None:
                    if exc.retry_after_s > settings.max_retry_after:
                        raise  # the server asked for a long pause: health records it, next run obeys
                    wait = max(wait, exc.retry_after_s)
                if deadline is not None and self.monotonic() + wait >= deadline:
                    raise
                log.info("retrying %s in %.1fs after: %s", url, wait, exc)
                self.sleep(wait)
                attempt += 1

    @staticmethod
    def _retryable(exc: FetchError) -> bool:
        if isinstance(exc, HttpStatusError):
            return exc.status in RETRY_STATUSES
        return isinstance(exc, (FetchTimeout, ConnectFailed))

    def _once(self, url: str, settings: FetchSettings, *, cache: dict[str, CacheEntry] | None,
              deadline: float | None, accept: str | None) -> Fetched:
        headers = dict(settings.headers)
        if accept:
            headers.setdefault("Accept", accept)
        entry = cache.get(url) if cache is not None else None
        if entry is not None:
            if entry.etag:
                headers["If-None-Match"] = entry.etag
            if entry.last_modified:
                headers["If-Modified-Since"] = entry.last_modified
        current, seen = url, {url}
        for _hop in range(settings.max_redirects + 1):
            self.throttle.wait(current, settings.delay)
            timeout = self._timeout(settings, deadline)
            try:
                with self._host_slot(current), \
                        self.client.stream("GET", current, headers=headers, timeout=timeout) as response:
                    if response.status_code != 304 and response.has_redirect_location:
                        target = urljoin(current, response.headers["location"])
                        if target in seen:
                            raise TooManyRedirects(f"redirect loop at {current} -> {target}")
                        seen.add(target)
                        current = target
                        continue
                    return self._finish(url, current, response, settings, cache, deadline)
            except httpx.TimeoutException as exc:
                raise FetchTimeout(f"timeout after {timeout.read:.0f}s fetching {current} ({type(exc).__name__})") from None
            except httpx.TooManyRedirects:
                raise TooManyRedirects(f"too many redirects from {url}") from None
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                raise ConnectFailed(f"cannot fetch {current}: {_first_line(exc)}") from None
            except httpx.InvalidURL as exc:
                raise FetchError(f"invalid URL {current!r}: {exc}") from None
        raise TooManyRedirects(f"more than {settings.max_redirects} redirects from {url}")

    def _timeout(self, settings: FetchSettings, deadline: float | None) -> httpx.Timeout:
        budget = settings.timeout
        if deadline is not None:
            left = deadline - self.monotonic()
            if left <= 0:
                raise FetchTimeout("the source's time budget ran out")
            budget = min(budget, left)
        return httpx.Timeout(budget)

    def _finish(self, url: str, final: str, response: httpx.Response, settings: FetchSettings,
                cache: dict[str, CacheEntry] | None, deadline: float | None) -> Fetched:
        if response.status_code == 304:
            return Fetched(url, final, 304, response.headers, not_modified=True)
        if response.status_code >= 400:
            retry_after = parse_retry_after(response.headers.get("retry-after")) \
                if response.status_code in (429, 503) else None
            reason = response.reason_phrase or ""
            raise HttpStatusError(f"HTTP {response.status_code} {reason} from {final}".replace("  ", " "),
                                  status=response.status_code, retry_after_s=retry_after)
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_bytes:
            raise ResponseTooLarge(f"response of {int(declared)} bytes from {final} exceeds max_bytes {settings.max_bytes}")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > settings.max_bytes:
                raise ResponseTooLarge(f"response from {final} exceeds max_bytes {settings.max_bytes}; abandoned")
            if deadline is not None and self.monotonic() > deadline:
                # a server dripping bytes defeats the per-read timeout; the source's budget does not
                raise FetchTimeout(f"the source's time budget ran out while reading {final}")
            chunks.append(chunk)
        if cache is not None and (response.headers.get("etag") or response.headers.get("last-modified")):
            cache[url] = CacheEntry(response.headers.get("etag"), response.headers.get("last-modified"))
        return Fetched(url, final, response.status_code, response.headers, b"".join(chunks))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
