"""POST alerts to an HTTP endpoint: our versioned JSON, or a WeCom/DingTalk group-bot message.

Network errors, timeouts, 408, 429 and 5xx are retryable; other 4xx are permanent (the request
itself is wrong). Group bots answer 200 with ``errcode`` in the body; their rate-limit codes are
retryable, the rest permanent. Error texts never carry the URL's path or query, the token, or
any header value taken from the environment.
"""
from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from ..records import DeliveryResult, Notification
from .base import redact, redact_url

RETRYABLE_STATUS = {408, 425, 429}
# WeCom 45009 / DingTalk 130101: sending too fast; -1: system busy
RETRYABLE_ERRCODES = {45009, 130101, -1}


def bot_body(notification: Notification, fmt: str) -> dict[str, Any]:
    """The JSON body for ``fmt``: json (our payload), wecom or dingtalk (markdown message)."""
    if fmt == "json":
        return notification.payload
    text = notification.body.replace("\n", "\n\n")
    if fmt == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": f"**{notification.subject}**\n\n{text}"}}
    return {"msgtype": "markdown", "markdown": {"title": notification.subject,
                                                "text": f"### {notification.subject}\n\n{text}"}}


class WebhookNotifier:
    def __init__(self, url: str, *, fmt: str = "json", headers: Mapping[str, str] | None = None,
                 timeout: float = 10.0, client: httpx.Client | None = None, secrets: tuple[str, ...] = ()):
        self.url = url
        self.fmt = fmt
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.client = client or httpx.Client(timeout=timeout)
        self.secrets = tuple(secrets) + (url,)

    @classmethod
    def from_config(cls, channel: Any, *, environ: Mapping[str, str], transport: Any = None,
                    tls: ssl.SSLContext | None = None) -> "WebhookNotifier":
        secrets: list[str] = []

        def value(item: Any) -> str:
            if isinstance(item, str):
                return item
            resolved = environ.get(item.env) or ""
            secrets.append(resolved)
            return resolved

        headers = {name: value(item) for name, item in channel.headers.items()}
        if channel.token is not None:
            headers["Authorization"] = "Bearer " + value(channel.token)
        url = value(channel.url)
        client = httpx.Client(timeout=channel.timeout_seconds, transport=transport, verify=tls or True)
        return cls(url, fmt=channel.format, headers=headers, timeout=channel.timeout_seconds, client=client,
                   secrets=tuple(secrets))

    def _error(self, text: str) -> str:
        return redact(f"webhook {redact_url(self.url)}: {text}", self.secrets)

    def send(self, notification: Notification) -> DeliveryResult:
        # header values must be ASCII; route names may be Chinese
        key = quote(notification.dedup_key, safe=":/-_.+@")
        headers = {"User-Agent": "bank-opinion-monitor", "Idempotency-Key": key, **self.headers}
        try:
            response = self.client.post(self.url, json=bot_body(notification, self.fmt), headers=headers,
                                        timeout=self.timeout)
        except httpx.TimeoutException:
            return DeliveryResult.retry(self._error(f"timed out after {self.timeout:g} s"))
        except httpx.TransportError as exc:
            return DeliveryResult.retry(self._error(f"{type(exc).__name__}: {exc}"))
        except httpx.HTTPError as exc:  # a malformed request: retrying will not help
            return DeliveryResult.permanent(self._error(f"{type(exc).__name__}: {exc}"))
        status = response.status_code
        if status >= 400:
            detail = f"HTTP {status}: {response.text[:200].strip()}".strip()
            if status >= 500 or status in RETRYABLE_STATUS:
                return DeliveryResult.retry(self._error(detail))
            return DeliveryResult.permanent(self._error(detail))
        if self.fmt in ("wecom", "dingtalk"):
            return self._bot_answer(response)
        return DeliveryResult.success()

    def _bot_answer(self, response: httpx.Response) -> DeliveryResult:
        try:
            data = response.json()
        except ValueError:
            return DeliveryResult.success()  # not a bot answer; the status said OK
        code = data.get("errcode", 0) if isinstance(data, dict) else 0
        if not code:
            return DeliveryResult.success()
        detail = f"bot errcode {code}: {str(data.get('errmsg', ''))[:200]}"
        if code in RETRYABLE_ERRCODES:
            return DeliveryResult.retry(self._error(detail))
        return DeliveryResult.permanent(self._error(detail))

    def close(self) -> None:
        self.client.close()
