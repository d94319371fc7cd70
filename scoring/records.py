"""Records of the scoring stage: what it reads (Item), what it groups (EventView), what it
decides (Decision, EvalState). All frozen; storage/events.py converts to and from rows."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from config.schema.base import COLOURS  # the one list of colours, lowest first


def rank(colour: str | None) -> int:
    """None -> 0, blue -> 1 ... red -> 4: colours compare by rank."""
    return 0 if colour is None else COLOURS.index(colour) + 1


def colour_at(level: int) -> str | None:
    return None if level <= 0 else COLOURS[min(level, len(COLOURS)) - 1]


@dataclass(frozen=True, slots=True)
class Item:
    """One mention as scoring sees it: a stored mention joined with its annotation.

    ``story`` is the id of the first-seen mention this one reposts (its own id when it is an
    original), so reposts count once for quantity and add to reach.
    """

    mention_id: int
    story: int
    at: datetime  # published_at, or fetched_at when the page gave no time
    polarity: str
    harm: int = 0
    sentiment: float = 0.0
    subject: str = ""  # watched entity the event is keyed on ("" = about no watched entity)
    topics: tuple[str, ...] = ()
    author: str | None = None
    site: str = ""
    channel: str = ""
    source: str = ""
    url: str = ""
    thread: str | None = None  # forum replies: the canonical URL of their thread
    outlet: str | None = None
    authority: float = 1.0
    engagement: float = 0.0  # weighted replies/shares/likes/views (heat weights applied)
    sightings: int = 0  # times the same text was seen at other URLs
    branches: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    regulator: bool = False
    bank_run: bool = False
    mass_gathering: bool = False
    mainstream: bool = False
    national: bool = False

    @property
    def drives(self) -> bool:
        """Negative or harmful mentions drive warnings; others only ride along."""
        return self.polarity == "neg" or self.harm > 0

    @property
    def is_repost(self) -> bool:
        return self.story != self.mention_id


@dataclass(frozen=True, slots=True)
class EventRef:
    """The little the grouping needs to know of an existing event."""

    id: int
    entity: str
    topic: str
    last_seen: datetime
    status: str = "active"
    first_seen: datetime | None = None


@dataclass(frozen=True, slots=True)
class EventView:
    """An event with the items that fall in its evaluation windows."""

    id: int
    key: str
    entity: str
    topic: str
    first_seen: datetime
    last_seen: datetime
    items: tuple[Item, ...] = ()
    related: int = 0  # number of related events (computed by the caller from its neighbours)
    entity_times: tuple[datetime, ...] = ()  # driving stories of the same entity, for its baseline
    entity_burst: float | None = None  # entity_burst_z when the caller computed it once per entity


@dataclass(frozen=True, slots=True)
class EvalState:
    """What an event carries from one evaluation to the next (stored in events.state)."""

    colour: str | None = None
    pending: str | None = None  # colour the rules want but that has not held long enough
    pending_count: int = 0
    below_since: datetime | None = None  # first evaluation at which the rules asked for less
    evaluations: int = 0
    last_evaluated_at: datetime | None = None
    status: str = "new"

    def to_json(self) -> dict[str, Any]:
        return {"colour": self.colour, "pending": self.pending, "pending_count": self.pending_count,
                "below_since": self.below_since.isoformat() if self.below_since else None,
                "evaluations": self.evaluations,
                "last_evaluated_at": self.last_evaluated_at.isoformat() if self.last_evaluated_at else None,
                "status": self.status}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "EvalState":
        data = data or {}
        return cls(colour=data.get("colour"), pending=data.get("pending"),
                   pending_count=int(data.get("pending_count") or 0),
                   below_since=_parse_time(data.get("below_since")),
                   evaluations=int(data.get("evaluations") or 0),
                   last_evaluated_at=_parse_time(data.get("last_evaluated_at")),
                   status=data.get("status") or "new")

    def with_(self, **changes: Any) -> "EvalState":
        return replace(self, **changes)


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class FiredRule:
    """One rule or trigger that was satisfied, with the conditions that made it so."""

    kind: str  # "rule" or "trigger"
    name: str  # colour name for rules, trigger name for triggers
    colour: str
    conditions: tuple[str, ...]  # satisfied leaf conditions, e.g. "authors >= 3 (实际 4)"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "colour": self.colour, "conditions": list(self.conditions)}


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one evaluation: what the colour is now, and why."""

    event_id: int
    colour: str | None
    previous_colour: str | None
    rule_colour: str | None  # what the rules and triggers asked for before hysteresis
    score: float
    indicators: dict[str, float]
    fired: tuple[FiredRule, ...]
    status: str
    evaluated_at: datetime
    note: str = ""  # why hysteresis held or stepped (Chinese, for the explanation)
    advice: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.colour != self.previous_colour
