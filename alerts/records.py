"""Records that flow through the alert stage, all frozen.

``Candidate`` is something that may deserve an alert (a warning, a broken source, a daily
report), described by its labels; routing and suppression look only at labels and the clock.
``Notification`` is one rendered message for one channel; a notifier turns it into a
``DeliveryResult``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from config.schema.base import COLOURS  # the one list of colours, lowest first

KIND_WARNING = "warning"
KIND_OPERATIONAL = "operational"
KIND_REPORT = "report"
KINDS: tuple[str, ...] = (KIND_WARNING, KIND_OPERATIONAL, KIND_REPORT)

# How a warning's colour moved: new (first colour), raise, fall (down a step or cleared), same.
CHANGE_NEW, CHANGE_RAISE, CHANGE_FALL, CHANGE_SAME = "new", "raise", "fall", "same"

PRIORITY_HIGH, PRIORITY_INFO = "high", "info"


def colour_rank(colour: str | None) -> int:
    """0 for no colour, 1 blue ... 4 red; unknown colours rank as none."""
    return COLOURS.index(colour) + 1 if colour in COLOURS else 0


@dataclass(frozen=True)
class Labels:
    """What routes, silences and inhibition rules match on."""

    kind: str
    colour: str | None = None
    entity: str | None = None
    topic: str | None = None
    source: str | None = None
    event_id: int | None = None


@dataclass(frozen=True)
class WarningFacts:
    """A stored warning joined with its event: everything rendering and routing need."""

    warning_id: int
    event_id: int
    entity: str
    topic: str
    colour: str | None
    previous_colour: str | None
    evaluated_at: datetime
    score: float = 0.0
    indicators: dict[str, Any] = field(default_factory=dict)
    rules: list[Any] = field(default_factory=list)
    event_colour: str | None = None  # the event's colour now (may be newer than this warning)
    event_status: str = "active"
    repeat: int = 0  # 0 for the first alert of this warning, n for its n-th reminder


@dataclass(frozen=True)
class SourceFacts:
    """A source whose crawl is broken, for an operational alert."""

    name: str
    type: str
    channel: str
    status: str
    consecutive_failures: int
    last_error: str | None
    last_error_at: datetime | None
    last_success_at: datetime | None


@dataclass(frozen=True)
class Candidate:
    """Something that may become alerts: a key unique to it, its labels and its facts."""

    key: str  # "warning:12", "warning:12:r1", "source-broken:forum:2026-03-15T01:00:00+00:00"
    labels: Labels
    change: str = CHANGE_NEW
    warning: WarningFacts | None = None
    source: SourceFacts | None = None
    at: datetime | None = None  # when it happened (warning evaluated, source broke)

    @property
    def priority(self) -> str:
        return PRIORITY_INFO if self.change == CHANGE_FALL else PRIORITY_HIGH


@dataclass(frozen=True)
class Notification:
    """One message for one channel of one route, as stored in the alerts table."""

    dedup_key: str
    kind: str
    route: str
    channel: str
    subject: str
    body: str
    payload: dict[str, Any]
    warning_id: int | None = None


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    retryable: bool = False
    error: str | None = None

    @classmethod
    def success(cls) -> "DeliveryResult":
        return cls(ok=True)

    @classmethod
    def retry(cls, error: str) -> "DeliveryResult":
        return cls(ok=False, retryable=True, error=error)

    @classmethod
    def permanent(cls, error: str) -> "DeliveryResult":
        return cls(ok=False, retryable=False, error=error)


@dataclass(frozen=True)
class AlertView:
    """A stored alert as the feed shows it."""

    id: int
    kind: str
    route: str
    channel: str
    status: str
    subject: str
    body: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    payload: dict[str, Any] = field(default_factory=dict)
