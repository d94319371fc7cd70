"""route -> suppress -> fan out per channel -> deliver, retrying only what is retryable.

``plan`` is pure: it turns candidates into the alert rows to store (one per route and channel,
or one muted marker saying why nothing goes out, so a candidate is considered exactly once).
``deliver`` calls one notifier and never raises. ``next_attempt_at`` spaces retries
exponentially between runs: a run never sleeps waiting to retry.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from .notifiers.base import Notifier, redact
from .records import (KIND_OPERATIONAL, KIND_WARNING, Candidate, DeliveryResult, Notification,
                      colour_rank)
from .render import Guidance, guidance, render_operational, render_warning, topic_label
from .route import match_routes
from .suppress import Muter, mute_reason

log = logging.getLogger(__name__)

PAYLOAD_VERSION = "1"
STATUS_PENDING, STATUS_SENT, STATUS_FAILED, STATUS_DEAD = "pending", "sent", "failed", "dead"
STATUS_SILENCED, STATUS_SUPPRESSED, STATUS_UNROUTED = "silenced", "suppressed", "unrouted"
DELIVERABLE = (STATUS_PENDING, STATUS_FAILED)
MARKER = "-"  # route/channel of a row that records a decision not to send


@dataclass(frozen=True)
class Planned:
    notification: Notification
    status: str
    reason: str | None = None


def _marker(cand: Candidate, status: str, reason: str, route: str = MARKER) -> Planned:
    warning_id = cand.warning.warning_id if cand.warning else None
    note = Notification(dedup_key=f"{cand.key}:{route}:{MARKER}", kind=cand.labels.kind, route=route,
                        channel=MARKER, subject=reason, body=reason,
                        payload={"version": PAYLOAD_VERSION, "id": cand.key, "muted": reason}, warning_id=warning_id)
    return Planned(note, status, reason)


def trigger_descriptions(thresholds: Any) -> dict[str, str]:
    """Trigger name -> description from thresholds.yaml, for the alert's 'why' line."""
    out: dict[str, str] = {}
    for trig in getattr(thresholds, "triggers", None) or []:
        name, text = getattr(trig, "name", None), getattr(trig, "description", None)
        if name and text:
            out[name] = text
    return out


def warning_payload(cand: Candidate, *, subject: str, body: str, route: Any, guide: Guidance | None,
                    topic: str) -> dict[str, Any]:
    w = cand.warning
    assert w is not None
    return {
        "version": PAYLOAD_VERSION, "id": cand.key, "kind": KIND_WARNING, "priority": cand.priority,
        "change": cand.change, "colour": w.colour, "previous_colour": w.previous_colour,
        "colour_label": guide.label if guide else None,
        "event": {"id": w.event_id, "entity": w.entity, "topic": w.topic, "topic_label": topic},
        "warning_id": w.warning_id, "evaluated_at": w.evaluated_at.isoformat(), "score": w.score,
        "rules": w.rules, "indicators": w.indicators,
        "handling": guide.handling if guide else None, "advice": guide.advice if guide else None,
        "respond_within_hours": guide.respond_within_hours if guide else None,
        "responsible": guide.responsible if guide else None,
        "route": route.name, "audience": route.audience, "subject": subject, "text": body,
    }


def _render(cand: Candidate, route: Any, language: str, config: Any) -> tuple[str, str, dict[str, Any]]:
    tz = config.alerts.timezone
    if cand.labels.kind == KIND_WARNING and cand.warning is not None:
        w = cand.warning
        guide = guidance(config.thresholds, w.colour) if colour_rank(w.colour) else None
        topic = topic_label(config.taxonomy, w.topic)
        subject, body = render_warning(cand, guide=guide, topic=topic, audience=route.audience, tz=tz,
                                       language=language, triggers=trigger_descriptions(config.thresholds))
        return subject, body, warning_payload(cand, subject=subject, body=body, route=route, guide=guide, topic=topic)
    if cand.labels.kind == KIND_OPERATIONAL and cand.source is not None:
        s = cand.source
        if s.last_error:  # crawl errors may quote URLs that carry keys: keep scheme and host only
            s = replace(s, last_error=redact(s.last_error))
        subject, body = render_operational(s, audience=route.audience, tz=tz, language=language)
        payload = {"version": PAYLOAD_VERSION, "id": cand.key, "kind": KIND_OPERATIONAL, "priority": "high",
                   "source": {"name": s.name, "type": s.type, "channel": s.channel, "status": s.status,
                              "consecutive_failures": s.consecutive_failures},
                   "route": route.name, "audience": route.audience, "subject": subject, "text": body}
        return subject, body, payload
    raise ValueError(f"cannot render candidate {cand.key}")


def plan(candidates: Sequence[Candidate], config: Any, muters: Sequence[Muter], now: datetime) -> list[Planned]:
    """The rows to store for these candidates. ``config`` needs .alerts, .thresholds, .taxonomy."""
    alerts = config.alerts
    out: list[Planned] = []
    for cand in candidates:
        routes = match_routes(cand, alerts.routes)
        if not routes:
            out.append(_marker(cand, STATUS_UNROUTED, "no route matches"))
            continue
        reason = mute_reason(cand, muters, now)
        if reason:
            out.append(_marker(cand, STATUS_SILENCED if reason.startswith("silenced") else STATUS_SUPPRESSED, reason))
            continue
        for route in routes:
            enabled = [c for c in route.channels if c in alerts.channels and alerts.channels[c].enabled]
            if not enabled:
                out.append(_marker(cand, STATUS_SUPPRESSED, "no enabled channel on the route", route=route.name))
            for channel in enabled:
                language = alerts.channels[channel].language or alerts.language
                subject, body, payload = _render(cand, route, language, config)
                note = Notification(dedup_key=f"{cand.key}:{route.name}:{channel}", kind=cand.labels.kind,
                                    route=route.name, channel=channel, subject=subject, body=body,
                                    payload=payload, warning_id=cand.warning.warning_id if cand.warning else None)
                out.append(Planned(note, STATUS_PENDING))
    return out


def backoff_delay(attempts: int, retry: Any) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: backoff * 2**(attempts-1), capped."""
    seconds = retry.backoff_seconds * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, retry.max_backoff_seconds))


def next_attempt_at(attempts: int, last_attempt: datetime | None, retry: Any) -> datetime | None:
    """None: try now. Otherwise the earliest time of the next attempt."""
    if attempts == 0 or last_attempt is None:
        return None
    return last_attempt + backoff_delay(attempts, retry)


def status_after(result: DeliveryResult, attempts: int, retry: Any) -> str:
    """Status of an alert after its ``attempts``-th attempt ended with ``result``."""
    if result.ok:
        return STATUS_SENT
    if result.retryable and attempts < retry.max_attempts:
        return STATUS_FAILED
    return STATUS_DEAD


def deliver(notification: Notification, notifier: Notifier, secrets: Sequence[str] = ()) -> DeliveryResult:
    """Send once; a notifier that raises counts as a retryable failure (bugs must not lose alerts)."""
    try:
        result = notifier.send(notification)
    except Exception as exc:  # noqa: BLE001 - a broken receiver must not stop the other channels
        log.warning("notifier raised", extra={"channel": notification.channel, "error": type(exc).__name__})
        result = DeliveryResult.retry(f"{type(exc).__name__}: {exc}")
    if result.error:
        result = DeliveryResult(ok=result.ok, retryable=result.retryable, error=redact(result.error, secrets)[:2000])
    return result
