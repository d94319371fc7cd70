"""The notifier contract, secret redaction, and building notifiers from channel config."""
from __future__ import annotations

import re
import ssl
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, TextIO

from ..records import DeliveryResult, Notification

REDACTED = "<redacted>"
_URL = re.compile(r"\bhttps?://[^\s'\"<>]+")


class Notifier(Protocol):
    def send(self, notification: Notification) -> DeliveryResult: ...


def redact_url(url: str) -> str:
    """Keep scheme, host and port: user info, paths and queries of bot URLs carry tokens."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return REDACTED
    if not parts.scheme or not host:
        return REDACTED
    rest = parts.path + (("?" + parts.query) if parts.query else "")
    return f"{parts.scheme}://{host}{port}" + ("/" + REDACTED if rest.strip("/") else rest)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Cut URLs down to scheme and host, then remove every secret value (longest first)."""
    text = _URL.sub(lambda m: redact_url(m.group(0)), text)
    for secret in sorted((s for s in secrets if s and len(s) >= 3), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


@dataclass
class Transports:
    """The I/O a run may use, injectable for tests: an httpx transport for webhooks, an SMTP
    factory for email, the console stream, the environment, or whole notifiers by channel name."""

    http: Any = None  # httpx.BaseTransport
    smtp: Callable[..., Any] | None = None  # (host, port, timeout, ssl context or None) -> smtplib.SMTP-like
    stream: TextIO | None = None
    environ: Mapping[str, str] | None = None
    notifiers: dict[str, Notifier] = field(default_factory=dict)


def tls_context(ca_file: str | None, config_dir: Path | None = None) -> ssl.SSLContext:
    """The system's trusted CAs, plus an internal CA bundle when the channel names one."""
    if not ca_file:
        return ssl.create_default_context()
    path = Path(ca_file)
    if not path.is_absolute() and config_dir is not None:
        path = config_dir / path
    return ssl.create_default_context(cafile=str(path))


def build_notifier(name: str, channel: Any, *, transports: Transports, base_dir: Path | None,
                   config_dir: Path | None = None) -> Notifier:
    """The notifier for one configured channel (config.schema.alerts channel models). Relative
    feed paths are taken from ``base_dir`` (the run folder), relative CA files from ``config_dir``."""
    import os

    if name in transports.notifiers:
        return transports.notifiers[name]
    environ = transports.environ if transports.environ is not None else os.environ
    if channel.type == "console":
        stream = transports.stream or (sys.stdout if channel.stream == "stdout" else sys.stderr)
        from .console import ConsoleNotifier

        return ConsoleNotifier(stream)
    if channel.type == "file":
        from .file import FileNotifier

        path = Path(channel.path)
        return FileNotifier(path if path.is_absolute() or base_dir is None else base_dir / path)
    if channel.type == "webhook":
        from .webhook import WebhookNotifier

        return WebhookNotifier.from_config(channel, environ=environ, transport=transports.http,
                                           tls=tls_context(channel.ca_file, config_dir))
    if channel.type == "email":
        from .email import EmailNotifier

        return EmailNotifier.from_config(channel, environ=environ, smtp_factory=transports.smtp,
                                         tls=tls_context(channel.ca_file, config_dir))
    raise ValueError(f"unknown channel type {channel.type!r}")
