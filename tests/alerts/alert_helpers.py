"""Building blocks for the alert tests: a config without the other helpers' files, and rows
inserted directly (the scoring stage is not needed to test alerting)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from config.loader import parse_file
from config.schema.alerts import AlertsFile
from storage.models import EarlyWarning, Event, Source

T0 = datetime(2026, 3, 15, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing

BASE_YAML = """
language: zh-Hans
timezone: Asia/Shanghai
defaults: {repeat_interval_hours: 24, max_age_hours: 72}
retry: {max_attempts: 3, backoff_seconds: 60, max_backoff_seconds: 600}
channels:
  feed: {type: file, path: feed.jsonl}
routes:
  - {name: blue-branch, audience: 网点/分行工作人员, match: {kinds: [warning], colours: [blue]}, channels: [feed]}
  - {name: yellow-lead, audience: 牵头部门, match: {kinds: [warning], colours: [yellow]}, channels: [feed]}
  - {name: orange-group, audience: 工作小组, match: {kinds: [warning], colours: [orange]}, channels: [feed]}
  - {name: red-committee, audience: 委员会/董事会, match: {kinds: [warning], colours: [red]}, channels: [feed]}
  - {name: ops, audience: 系统运维, match: {kinds: [operational]}, channels: [feed]}
  - {name: daily, match: {kinds: [report]}, channels: [feed]}
inhibit:
  - {source_colour: red, target_colours: [blue, yellow, orange]}
"""


@dataclass(frozen=True)
class ColourSpec:
    label: str
    handling: str
    advice: str
    respond_within_hours: float
    responsible: str


class Thresholds:
    """Duck-typed stand-in for config.schema.thresholds.ThresholdsFile (its colour() lookup)."""

    def __init__(self, specs: dict[str, ColourSpec]):
        self.specs = specs

    def colour(self, name: str) -> ColourSpec:
        return self.specs[name]


THRESHOLDS = Thresholds({
    "orange": ColourSpec("橙色预警", "快处理", "牵头部门介入，两小时内发布情况说明。", 4, "工作小组"),
})


def alerts_model(text: str = BASE_YAML) -> AlertsFile:
    return parse_file(text, "alerts.yaml", AlertsFile)[0]


def make_config(text: str = BASE_YAML, thresholds: Any = THRESHOLDS,
                taxonomy: Any = None) -> SimpleNamespace:
    taxonomy = taxonomy if taxonomy is not None else {"topics": {"app_outage": {"label": "系统故障"}}}
    return SimpleNamespace(alerts=alerts_model(text), thresholds=thresholds, taxonomy=taxonomy,
                           directory=Path("."), thresholds_hash="test")


def add_event(session, *, key: str = "e1", entity: str = "长河手机银行", topic: str = "app_outage",
              colour: str | None = None, status: str = "active") -> Event:
    event = Event(key=key, entity=entity, topic=topic, status=status, first_seen=T0 - timedelta(days=1),
                  last_seen=T0, colour=colour, colour_since=T0, state={}, updated_at=T0)
    session.add(event)
    session.flush()
    return event


def add_warning(session, event: Event, colour: str | None, previous: str | None, at: datetime,
                rules: list | None = None, indicators: dict | None = None) -> EarlyWarning:
    warning = EarlyWarning(event_id=event.id, colour=colour, previous_colour=previous, evaluated_at=at,
                           score=1.5, indicators=indicators or {"stories": 7, "authors": 5, "sites": 4, "harm_max": 2},
                           rules=rules if rules is not None else ["sites >= 3", "harm_max >= 2"],
                           thresholds_hash="abc")
    session.add(warning)
    event.colour = colour
    session.flush()
    return warning


def add_source(session, name: str, status: str = "ok", *, alerted: bool = False,
               last_success: datetime | None = None, failures: int = 0) -> Source:
    source = Source(name=name, type="rss", channel="news", status=status, broken_alerted=alerted,
                    last_success_at=last_success, consecutive_failures=failures,
                    last_error="HTTP 503" if status == "broken" else None,
                    last_error_at=T0 if status == "broken" else None, state={})
    session.add(source)
    session.flush()
    return source


class Recorder:
    """A notifier that records what it was asked to send and answers from a script."""

    def __init__(self, *results):
        from alerts.records import DeliveryResult

        self.sent: list = []
        self.results = list(results) or [DeliveryResult.success()]

    def send(self, notification):
        self.sent.append(notification)
        return self.results.pop(0) if len(self.results) > 1 else self.results[0]
