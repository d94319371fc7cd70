"""The alert stage: turn new warnings and broken sources into alerts, and deliver them.

Two steps, each crash-safe on its own:
1. create: in one transaction, store an Alert row per (candidate, route, channel), or one muted
   marker row saying why nothing goes out, and mark broken sources as alerted. Unique dedup keys
   make a rerun create nothing twice.
2. deliver: every pending alert, and every failed-but-retryable one whose back-off has passed,
   is sent once; each attempt is stored as a Delivery row in its own transaction. A crash
   between the steps loses nothing (pending rows are sent by the next run). A sent alert is
   never picked up again; the only window for a duplicate is a crash after a receiver accepted a
   message and before that attempt was recorded, and the payload's ``id`` lets receivers drop it.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from alerts.dispatch import (PAYLOAD_VERSION, STATUS_PENDING, Planned, deliver, next_attempt_at, plan,
                             status_after)
from alerts.notifiers.base import Notifier, Transports, build_notifier
from alerts.records import KIND_REPORT, KIND_WARNING, AlertView, Candidate, Labels, Notification
from alerts.report import build_report, render_report, report_period
from alerts.render import topic_label
from alerts.route import match_routes
from alerts.candidates import after_silence, reminders, source_candidate, warning_candidate
from alerts.suppress import Inhibitor, RepeatGate, Silencer, Superseded, TooOld, held_colours, newest_per_event
from config.loader import Config
from storage import alerts as repo
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class AlertSummary:
    created: int = 0
    muted: int = 0
    operational: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    waiting: int = 0  # failed earlier, back-off not yet over
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "muted": self.muted, "operational": self.operational, "sent": self.sent,
                "failed": self.failed, "dead": self.dead, "waiting": self.waiting, "errors": self.errors[:10]}


def run_folder(db: Database) -> Path:
    """Where relative feed files go: next to the SQLite file, else the working directory."""
    url = make_url(db.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).expanduser().resolve().parent
    return Path.cwd()


def create_alerts(config: Config, db: Database, *, now: datetime) -> tuple[int, int, int]:
    """Step 1. Returns (alerts to deliver created, muted markers created, operational alerts)."""
    alerts_cfg = config.alerts
    with db.transaction() as session:
        pending = repo.unalerted_warnings(session, now)
        pending_events = {w.event_id for w in pending}
        latest = repo.latest_warnings_of_open_events(session, now)
        sent = repo.sent_times(session)
        defaults = alerts_cfg.defaults
        reminder_facts = reminders(latest, sent, defaults.repeat_interval_hours, now, pending_events,
                                   defaults.remind_colours)
        candidates = [warning_candidate(w) for w in pending + reminder_facts]
        silenced = repo.silenced_only(session, [w.warning_id for w in latest])
        candidates += after_silence(latest, sent, silenced, pending_events)
        current = repo.current_colours(session, [c.warning.event_id for c in candidates if c.warning])
        last_sent = {key: last for key, (_first, last) in sent.items()}
        muters = [Silencer(alerts_cfg.silences),
                  TooOld(defaults.max_age_hours),
                  Superseded(newest_per_event(c for c in candidates if not c.warning.repeat)),
                  Inhibitor(alerts_cfg.inhibit, held_colours(current)),
                  RepeatGate(last_sent, defaults.repeat_interval_hours, frozenset(defaults.remind_colours))]
        sources = repo.broken_sources(session)
        for source in sources:
            candidates.append(source_candidate(repo.source_facts(source)))
            source.broken_alerted = True
        planned = plan(candidates, config, muters, now)
        stored = repo.insert_planned(session, planned, now)
    to_send = sum(1 for p in stored if p.status == STATUS_PENDING)
    log.info("alerts planned", extra={"candidates": len(candidates), "stored": len(stored), "to_send": to_send})
    return to_send, len(stored) - to_send, len(sources)


class _Notifiers:
    """Notifiers built on first use for the channels of one run, closed at its end."""

    def __init__(self, config: Config, db: Database, transports: Transports):
        self.config, self.transports, self.base = config, transports, run_folder(db)
        self.cache: dict[str, Notifier] = {}

    def get(self, channel: str) -> Notifier | None:
        if channel not in self.cache:
            spec = self.config.alerts.channels.get(channel)
            if spec is None or not spec.enabled:
                return None
            self.cache[channel] = build_notifier(channel, spec, transports=self.transports, base_dir=self.base,
                                                 config_dir=getattr(self.config, "directory", None))
        return self.cache[channel]

    def secrets(self) -> list[str]:
        environ = self.transports.environ if self.transports.environ is not None else os.environ
        out: list[str] = []
        for channel in self.config.alerts.channels.values():
            for name in type(channel).model_fields:
                value = getattr(channel, name)
                items = value.values() if isinstance(value, dict) else [value]
                out.extend(environ.get(i.env, "") for i in items if hasattr(i, "env"))
        return [s for s in out if s]

    def close(self) -> None:
        for notifier in self.cache.values():
            close = getattr(notifier, "close", None)
            if callable(close):
                close()


def deliver_due(config: Config, db: Database, *, now: datetime, transports: Transports | None = None,
                summary: AlertSummary | None = None) -> AlertSummary:
    """Step 2: one attempt for every alert that is due."""
    summary = summary or AlertSummary()
    retry = config.alerts.retry
    notifiers = _Notifiers(config, db, transports or Transports())
    secrets = notifiers.secrets()
    try:
        with db.transaction() as session:
            due = [(a.id, _notification(a), n, last) for a, n, last in repo.deliverable(session)]
        for alert_id, note, attempts, last in due:
            wait_until = next_attempt_at(attempts, last, retry)
            if wait_until is not None and now < wait_until:
                summary.waiting += 1
                continue
            notifier = notifiers.get(note.channel)
            if notifier is None:
                result = deliver(note, _Unavailable(note.channel), secrets)
            else:
                result = deliver(note, notifier, secrets)
            status = status_after(result, attempts + 1, retry)
            with db.transaction() as session:
                repo.record_attempt(session, alert_id, attempt=attempts + 1, at=now, result=result, status=status)
            if result.ok:
                summary.sent += 1
            else:
                summary.dead += status == "dead"
                summary.failed += status == "failed"
                summary.errors.append(f"alert {alert_id} via {note.channel}: {result.error}")
                log.warning("delivery failed", extra={"alert": alert_id, "channel": note.channel,
                                                      "retryable": result.retryable, "error": result.error})
    finally:
        notifiers.close()
    return summary


class _Unavailable:
    def __init__(self, channel: str):
        self.channel = channel

    def send(self, notification: Notification):
        from alerts.records import DeliveryResult

        return DeliveryResult.permanent(f"channel {self.channel!r} is no longer defined or enabled in alerts.yaml")


def _notification(alert: Any) -> Notification:
    return Notification(dedup_key=alert.dedup_key, kind=alert.kind, route=alert.route, channel=alert.channel,
                        subject=alert.subject, body=alert.body, payload=dict(alert.payload or {}),
                        warning_id=alert.warning_id)


def dispatch_pending(config: Config, db: Database, *, now: datetime,
                     transports: Transports | None = None) -> AlertSummary:
    """Create alerts for what is new, then deliver everything due. Safe to rerun at any point."""
    created, muted, operational = create_alerts(config, db, now=now)
    summary = AlertSummary(created=created, muted=muted, operational=operational)
    return deliver_due(config, db, now=now, transports=transports, summary=summary)


def feed(db: Database, *, kinds: tuple[str, ...] = (KIND_WARNING,), limit: int = 1000,
         oldest_first: bool = True) -> list[AlertView]:
    """The alert feed as a person reads it: one entry per message, however many channels
    carried it (the first channel's copy), muted records left out."""
    with db.transaction() as session:
        views = repo.list_alerts(session, limit=limit, kinds=kinds)
    seen: set[str] = set()
    out: list[AlertView] = []
    for view in sorted(views, key=lambda v: (v.created_at, v.id)):
        message = f"{view.payload.get('id')}:{view.route}"
        if message not in seen:
            seen.add(message)
            out.append(view)
    return out if oldest_first else out[::-1]


def daily_report(config: Config, db: Database, *, now: datetime, hours: float = 24):
    """The report for the ``hours`` before ``now`` (a DailyReport; nothing is written)."""
    start, end = report_period(now, hours)
    with db.transaction() as session:
        warnings = repo.warnings_between(session, start, end)
        events = repo.coloured_events(session)
        sources = repo.all_sources(session)
    return build_report(start=start, end=end, warnings=warnings, open_events=events, sources=sources)


def report_text(config: Config, db: Database, *, now: datetime, language: str | None = None) -> tuple[str, str]:
    report = daily_report(config, db, now=now)
    return render_report(report, tz=config.alerts.timezone, language=language or config.alerts.language,
                         label=lambda key: topic_label(config.taxonomy, key))


def send_daily_report(config: Config, db: Database, *, now: datetime,
                      transports: Transports | None = None) -> AlertSummary:
    """Build the day's report and send it through the routes matching kind ``report``, once per
    local day (the dedup key holds the date in the configured time zone)."""
    from zoneinfo import ZoneInfo

    alerts_cfg = config.alerts
    report = daily_report(config, db, now=now)
    day = now.astimezone(ZoneInfo(alerts_cfg.timezone)).date().isoformat()
    candidate = Candidate(key=f"report:{day}", labels=Labels(kind=KIND_REPORT), at=now)
    planned: list[Planned] = []
    for route in match_routes(candidate, alerts_cfg.routes):
        for channel in route.channels:
            spec = alerts_cfg.channels.get(channel)
            if spec is None or not spec.enabled:
                continue
            language = spec.language or alerts_cfg.language
            subject, body = render_report(report, tz=alerts_cfg.timezone, language=language,
                                          label=lambda key: topic_label(config.taxonomy, key))
            payload = {"version": PAYLOAD_VERSION, "id": candidate.key, "kind": KIND_REPORT, "priority": "info",
                       "report": report.as_dict(), "route": route.name, "audience": route.audience,
                       "subject": subject, "text": body}
            planned.append(Planned(Notification(dedup_key=f"{candidate.key}:{route.name}:{channel}",
                                                kind=KIND_REPORT, route=route.name, channel=channel,
                                                subject=subject, body=body, payload=payload), STATUS_PENDING))
    with db.transaction() as session:
        created = len(repo.insert_planned(session, planned, now))
    summary = AlertSummary(created=created)
    return deliver_due(config, db, now=now, transports=transports, summary=summary)
