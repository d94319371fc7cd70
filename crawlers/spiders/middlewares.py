"""Downloader middleware: retries with exponential backoff that honour ``Retry-After``.

Scrapy's own RetryMiddleware re-queues at once. This one waits before handing the retry back:
``Retry-After`` (seconds or an HTTP date) when the server sent it, else
``RETRY_BACKOFF_BASE_S * 2 ** attempt``, capped at ``RETRY_BACKOFF_MAX_S``. When the server asks for
longer than the cap, we give up at once and remember the wait it asked for, so the source's
health can back off instead of the crawl sitting idle.
"""
from __future__ import annotations

import logging
import random

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from crawlers.http import parse_retry_after

log = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.base_s = settings.getfloat("RETRY_BACKOFF_BASE_S", 1.0)
        self.max_s = settings.getfloat("RETRY_BACKOFF_MAX_S", 60.0)

    def backoff(self, request: Request, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        attempt = request.meta.get("retry_times", 0)
        delay = self.base_s * (2 ** attempt)
        return min(self.max_s, delay * random.uniform(0.8, 1.2))  # jitter: no lock-step retries

    def process_response(self, request: Request, response: Response):  # type: ignore[override]
        # Plain method: the common case (no retry) must not pay for a coroutine per response;
        # only a retry returns an awaitable, which Scrapy awaits.
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry_after = parse_retry_after(response.headers.get(b"Retry-After"))
        if retry_after is not None and retry_after > self.max_s:
            log.info("%s asks to come back in %.0fs (> %.0fs cap): not retrying now",
                     request.url, retry_after, self.max_s)
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        return _after(self.backoff(request, retry_after), retry)

    def process_exception(self, request: Request, exception: Exception):  # type: ignore[override]
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        return _after(self.backoff(request, None), retry)


async def _after(delay: float, request: Request) -> Request:
    await sleep(delay)
    return request
