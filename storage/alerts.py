"""Reads and writes of the alert stage: warnings awaiting an alert, alerts and their deliveries,
broken sources, and the figures of the daily report. Takes sessions, returns alerts/ records."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.dispatch import DELIVERABLE, Planned
from alerts.records import AlertView, DeliveryResult, SourceFacts, WarningFacts

from .models import Alert, Delivery, EarlyWarning, Event, Source


def _facts(warning: EarlyWarning, event: Event, repeat: int = 0) -> WarningFacts:
    return WarningFacts(warning_id=warning.id, event_id=event.id, entity=event.entity, topic=event.topic,
                        colour=warning.colour, previous_colour=warning.previous_colour,
                        evaluated_at=warning.evaluated_at, score=warning.score or 0.0,
                        indicators=dict(warning.indicators or {}), rules=list(warning.rules or []),
                        event_colour=event.colour, event_status=event.status, repeat=repeat)


def unalerted_warnings(session: Session, now: datetime, limit: int = 5000) -> list[WarningFacts]:
    """Warnings made up to ``now`` that no alert row refers to yet, oldest first."""
    has_alert = select(Alert.id).where(Alert.warning_id == EarlyWarning.id).exists()
    rows = session.execute(
        select(EarlyWarning, Event).join(Event, Event.id == EarlyWarning.event_id)
        .where(EarlyWarning.evaluated_at <= now, ~has_alert)
        .order_by(EarlyWarning.evaluated_at, EarlyWarning.id).limit(limit))
    return [_facts(w, e) for w, e in rows]


def current_colours(session: Session, event_ids: Iterable[int]) -> dict[int, str | None]:
    ids = sorted(set(event_ids))
    if not ids:
        return {}
    return {eid: colour for eid, colour in session.execute(select(Event.id, Event.colour).where(Event.id.in_(ids)))}


def sent_times(session: Session, event_ids: Iterable[int] | None = None) -> dict[tuple[int, str], tuple[datetime, datetime]]:
    """(event id, colour) -> (first, last) time a warning alert at that colour was sent."""
    query = (select(EarlyWarning.event_id, EarlyWarning.colour, func.min(Alert.sent_at), func.max(Alert.sent_at))
             .join(EarlyWarning, EarlyWarning.id == Alert.warning_id)
             .where(Alert.kind == "warning", Alert.status == "sent", EarlyWarning.colour.is_not(None))
             .group_by(EarlyWarning.event_id, EarlyWarning.colour))
    if event_ids is not None:
        ids = sorted(set(event_ids))
        if not ids:
            return {}
        query = query.where(EarlyWarning.event_id.in_(ids))
    out: dict[tuple[int, str], tuple[datetime, datetime]] = {}
    for event_id, colour, first, last in session.execute(query):
        out[(event_id, colour)] = (_aware(first), _aware(last))
    return out


def _aware(value: Any) -> datetime:
    """Aggregates bypass the column type on SQLite and come back as naive UTC or text."""
    from datetime import timezone

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def latest_warnings_of_open_events(session: Session, now: datetime) -> list[WarningFacts]:
    """For each coloured, open, unmerged event: its newest warning made up to ``now`` (by
    evaluation time: a late re-score may insert an older one), if it set the event's colour."""
    rows = session.execute(
        select(EarlyWarning, Event).join(Event, Event.id == EarlyWarning.event_id)
        .where(Event.colour.is_not(None), Event.status != "closed", Event.merged_into.is_(None),
               EarlyWarning.evaluated_at <= now)
        .order_by(Event.id, EarlyWarning.evaluated_at.desc(), EarlyWarning.id.desc()))
    out: list[WarningFacts] = []
    seen: set[int] = set()
    for warning, event in rows:
        if event.id in seen:
            continue
        seen.add(event.id)
        if warning.colour == event.colour:
            out.append(_facts(warning, event))
    return out


def silenced_only(session: Session, warning_ids: Iterable[int]) -> set[int]:
    """Of these warnings, those whose every alert row is a silenced record (never sent)."""
    ids = sorted(set(warning_ids))
    if not ids:
        return set()
    rows = session.execute(select(Alert.warning_id, Alert.status).where(Alert.warning_id.in_(ids)))
    statuses: dict[int, set[str]] = {}
    for warning_id, status in rows:
        statuses.setdefault(warning_id, set()).add(status)
    return {wid for wid, seen in statuses.items() if seen == {"silenced"}}


def broken_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).where(Source.status == "broken", Source.broken_alerted.is_(False))
                                .order_by(Source.name)))


def source_facts(source: Source) -> SourceFacts:
    return SourceFacts(name=source.name, type=source.type, channel=source.channel, status=source.status,
                       consecutive_failures=source.consecutive_failures or 0, last_error=source.last_error,
                       last_error_at=source.last_error_at, last_success_at=source.last_success_at)


def insert_planned(session: Session, planned: Sequence[Planned], now: datetime) -> list[Planned]:
    """Store the planned rows whose dedup key is new; return those."""
    keys = [p.notification.dedup_key for p in planned]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        existing.update(session.scalars(select(Alert.dedup_key).where(Alert.dedup_key.in_(keys[start:start + 500]))))
    stored: list[Planned] = []
    for item in planned:
        note = item.notification
        if note.dedup_key in existing:
            continue
        existing.add(note.dedup_key)
        session.add(Alert(kind=note.kind, warning_id=note.warning_id, route=note.route, channel=note.channel,
                          dedup_key=note.dedup_key, subject=note.subject, body=note.body, payload=note.payload,
                          status=item.status, created_at=now))
        stored.append(item)
    session.flush()
    return stored


def deliverable(session: Session, limit: int = 1000) -> list[tuple[Alert, int, datetime | None]]:
    """Alerts still to send: (alert, attempts so far, time of the last attempt), oldest first."""
    attempts = (select(Delivery.alert_id, func.count(Delivery.id).label("n"), func.max(Delivery.at).label("last"))
                .group_by(Delivery.alert_id).subquery())
    rows = session.execute(select(Alert, attempts.c.n, attempts.c.last)
                           .outerjoin(attempts, attempts.c.alert_id == Alert.id)
                           .where(Alert.status.in_(DELIVERABLE)).order_by(Alert.id).limit(limit))
    return [(alert, n or 0, _aware(last) if last is not None else None) for alert, n, last in rows]


def record_attempt(session: Session, alert_id: int, *, attempt: int, at: datetime, result: DeliveryResult,
                   status: str) -> None:
    session.add(Delivery(alert_id=alert_id, attempt=attempt, at=at, ok=result.ok, retryable=result.retryable,
                         error=result.error))
    alert = session.get(Alert, alert_id)
    if alert is not None:
        alert.status = status
        if result.ok:
            alert.sent_at = at


def list_alerts(session: Session, *, limit: int = 50, since: datetime | None = None,
                statuses: Sequence[str] = (), kinds: Sequence[str] = (), include_muted: bool = False) -> list[AlertView]:
    attempts = (select(Delivery.alert_id, func.count(Delivery.id).label("n")).group_by(Delivery.alert_id).subquery())
    query = select(Alert, attempts.c.n).outerjoin(attempts, attempts.c.alert_id == Alert.id)
    if since is not None:
        query = query.where(Alert.created_at >= since)
    if statuses:
        query = query.where(Alert.status.in_(list(statuses)))
    elif not include_muted:
        query = query.where(Alert.channel != "-")
    if kinds:
        query = query.where(Alert.kind.in_(list(kinds)))
    rows = session.execute(query.order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)).all()
    errors = _last_errors(session, [a.id for a, _ in rows])
    return [AlertView(id=a.id, kind=a.kind, route=a.route, channel=a.channel, status=a.status, subject=a.subject,
                      body=a.body, created_at=a.created_at, sent_at=a.sent_at, attempts=n or 0,
                      last_error=errors.get(a.id), payload=dict(a.payload or {})) for a, n in rows]


def _last_errors(session: Session, alert_ids: list[int]) -> dict[int, str]:
    if not alert_ids:
        return {}
    rows = session.execute(select(Delivery.alert_id, Delivery.error).where(Delivery.alert_id.in_(alert_ids),
                                                                           Delivery.error.is_not(None))
                           .order_by(Delivery.id))
    return {alert_id: error for alert_id, error in rows}


def warnings_between(session: Session, start: datetime, end: datetime) -> list[WarningFacts]:
    rows = session.execute(select(EarlyWarning, Event).join(Event, Event.id == EarlyWarning.event_id)
                           .where(EarlyWarning.evaluated_at >= start, EarlyWarning.evaluated_at < end)
                           .order_by(EarlyWarning.evaluated_at, EarlyWarning.id))
    return [_facts(w, e) for w, e in rows]


def coloured_events(session: Session) -> list[tuple[int, str, str, str, str]]:
    """(id, entity, topic, colour, status) of open events that hold a colour."""
    rows = session.execute(select(Event.id, Event.entity, Event.topic, Event.colour, Event.status)
                           .where(Event.colour.is_not(None), Event.status != "closed", Event.merged_into.is_(None))
                           .order_by(Event.id))
    return [tuple(r) for r in rows]


def all_sources(session: Session) -> list[SourceFacts]:
    return [source_facts(s) for s in session.scalars(select(Source).order_by(Source.name))]
