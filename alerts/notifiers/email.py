"""Send alerts by email through an SMTP server (STARTTLS or implicit TLS optional).

Connection problems, timeouts and 4xx SMTP replies are retryable; authentication failures,
refused recipients and other 5xx replies are permanent. The password comes from an
environment variable and is removed from every error text.
"""
from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Callable

from ..records import DeliveryResult, Notification
from .base import redact


def default_smtp(host: str, port: int, timeout: float, tls: ssl.SSLContext | None) -> smtplib.SMTP:
    """Plain SMTP, or implicit TLS when given a context."""
    if tls is not None:
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls)
    return smtplib.SMTP(host, port, timeout=timeout)


class EmailNotifier:
    def __init__(self, *, host: str, port: int, sender: str, recipients: list[str], starttls: bool = True,
                 use_ssl: bool = False, username: str | None = None, password: str | None = None,
                 timeout: float = 15.0, smtp_factory: Callable[..., Any] | None = None,
                 tls: ssl.SSLContext | None = None):
        self.host, self.port = host, port
        self.sender, self.recipients = sender, list(recipients)
        self.starttls, self.use_ssl = starttls, use_ssl
        self.username, self.password = username, password
        self.timeout = timeout
        self.smtp_factory = smtp_factory or default_smtp
        self.tls = tls or ssl.create_default_context()

    @classmethod
    def from_config(cls, channel: Any, *, environ: Mapping[str, str],
                    smtp_factory: Callable[..., Any] | None = None, tls: ssl.SSLContext | None = None) -> "EmailNotifier":
        password = environ.get(channel.password.env) if channel.password is not None else None
        return cls(host=channel.host, port=channel.port, sender=channel.sender, recipients=channel.recipients,
                   starttls=channel.starttls, use_ssl=channel.ssl, username=channel.username,
                   password=password, timeout=channel.timeout_seconds, smtp_factory=smtp_factory, tls=tls)

    def message(self, notification: Notification) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = notification.subject
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="opinion-monitor")
        msg["X-Alert-Key"] = notification.dedup_key
        msg.set_content(notification.body, charset="utf-8")
        return msg

    def _error(self, text: str) -> str:
        return redact(f"email via {self.host}:{self.port}: {text}", [self.password])

    def send(self, notification: Notification) -> DeliveryResult:
        try:
            with self.smtp_factory(self.host, self.port, self.timeout, self.tls if self.use_ssl else None) as smtp:
                if self.starttls:
                    smtp.starttls(context=self.tls)
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(self.message(notification), self.sender, self.recipients)
        except smtplib.SMTPAuthenticationError as exc:
            return DeliveryResult.permanent(self._error(f"authentication failed ({exc.smtp_code})"))
        except smtplib.SMTPRecipientsRefused as exc:
            return DeliveryResult.permanent(self._error(f"all recipients refused: {', '.join(exc.recipients)}"))
        except smtplib.SMTPNotSupportedError as exc:
            return DeliveryResult.permanent(self._error(f"server does not support it: {exc}"))
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            detail = f"SMTP {exc.smtp_code}: {text.strip()[:200]}"
            if 400 <= exc.smtp_code < 500:
                return DeliveryResult.retry(self._error(detail))
            return DeliveryResult.permanent(self._error(detail))
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout, ConnectionError) as exc:
            return DeliveryResult.retry(self._error(f"{type(exc).__name__}: {exc}"))
        except smtplib.SMTPException as exc:
            return DeliveryResult.permanent(self._error(f"{type(exc).__name__}: {exc}"))
        except ssl.SSLError as exc:
            return DeliveryResult.permanent(self._error(f"TLS failed: {exc}"))
        except OSError as exc:  # DNS failure, unreachable network: may come back
            return DeliveryResult.retry(self._error(f"{type(exc).__name__}: {exc}"))
        if refused:
            return DeliveryResult.permanent(self._error(f"refused recipients: {', '.join(sorted(refused))}"))
        return DeliveryResult.success()
