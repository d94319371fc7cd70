"""Grouping mentions into events, the event lifecycle, and relatedness. Pure.

An event is keyed on (subject, topic): the watched entity a story is about and the issue it
raises. A story joins an open event of its subject when that event's topic is among the story's
topics, its last story is within ``events.window_hours`` and its first within ``events.max_hours``
(so a never-ending stream of, say, queue complaints becomes successive events); a repost always joins the event of
the story it copies. Only negative or harmful stories open events: neutral and positive ones
(the bank's own statement, a thank-you) join an event already open, or nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .records import EventRef, Item

STATUSES: tuple[str, ...] = ("new", "active", "cooling", "closed")
DEFAULT_TOPIC = "other"


@dataclass(frozen=True, slots=True)
class NewEvent:
    """The grouping's answer when no open event fits: open this one."""

    key: str
    entity: str
    topic: str


def event_key(entity: str, topic: str, seed_mention_id: int) -> str:
    """Deterministic, so a rerun after a crash recreates the same event rather than a twin."""
    return f"{entity}|{topic}|{seed_mention_id}"


def primary_topic(topics: Sequence[str], priority: Sequence[str]) -> str:
    """The topic a new event is keyed on: the first of ``priority`` the story raises."""
    if not topics:
        return DEFAULT_TOPIC
    order = {name: i for i, name in enumerate(priority)}
    return min(topics, key=lambda t: (order.get(t, len(order)), topics.index(t)))


def choose_event(item: Item, open_events: Iterable[EventRef], events_cfg: Any,
                 repost_event: int | None = None, thread_event: int | None = None) -> int | NewEvent | None:
    """Where an item goes: an existing event id, a NewEvent to open, or None (nowhere).

    A forum reply that raises no specific issue of its own ("我也是", "群里约了明天去门口")
    belongs to the event its thread is in, rather than opening an "other" event beside it."""
    if not item.subject:
        return None  # about no watched entity: an everyday sense of an alias, or another bank
    if repost_event is not None:
        return repost_event
    if thread_event is not None and set(item.topics) <= {DEFAULT_TOPIC}:
        return thread_event
    window = timedelta(hours=events_cfg.window_hours)
    longest = timedelta(hours=events_cfg.max_hours)
    topics = item.topics or (DEFAULT_TOPIC,)
    order = {name: i for i, name in enumerate(events_cfg.topic_priority)}
    best: EventRef | None = None
    for ref in open_events:
        if ref.entity != item.subject or ref.topic not in topics or ref.status == "closed":
            continue
        if item.at - ref.last_seen > window or ref.last_seen - item.at > window:
            continue
        if ref.first_seen is not None and item.at - ref.first_seen > longest:
            continue  # a standing complaint stream is cut into events of bounded length
        if best is None or (order.get(ref.topic, len(order)), -ref.last_seen.timestamp()) < \
                (order.get(best.topic, len(order)), -best.last_seen.timestamp()):
            best = ref
    if best is not None:
        return best.id
    if not item.drives:
        return None
    topic = primary_topic(topics, events_cfg.topic_priority)
    return NewEvent(event_key(item.subject, topic, item.mention_id), item.subject, topic)


def lifecycle(first_seen: datetime, last_seen: datetime, now: datetime, colour: str | None,
              events_cfg: Any) -> str:
    """new -> active -> cooling -> closed; an event with a colour never closes: it cools until
    hysteresis has stepped its colour down to nothing, so no warning is dropped silently."""
    quiet = now - last_seen
    if quiet >= timedelta(hours=events_cfg.close_hours) and colour is None:
        return "closed"
    if quiet >= timedelta(hours=events_cfg.cooling_hours):
        return "cooling"
    if now - first_seen < timedelta(hours=events_cfg.new_hours):
        return "new"
    return "active"


@dataclass(frozen=True, slots=True)
class Span:
    """What relatedness needs of an event."""

    id: int
    entity: str
    topic: str
    first_seen: datetime
    last_seen: datetime


def is_related(a: Span, b: Span, overlap_hours: float) -> bool:
    """Same issue on another product (or bank-wide), or the same subject with another issue at
    the same time. Relatedness counts as an indicator; it never merges events."""
    if a.id == b.id:
        return False
    same_entity, same_topic = a.entity == b.entity, a.topic == b.topic
    if same_entity == same_topic:
        return False  # both equal is the same key (a later event: not related); neither is unrelated
    slack = timedelta(hours=overlap_hours)
    return a.first_seen - slack <= b.last_seen and b.first_seen - slack <= a.last_seen


def count_related(event: Span, others: Iterable[Span], overlap_hours: float) -> int:
    return sum(1 for other in others if is_related(event, other, overlap_hours))


def split_members(members: Iterable[int], moved: Iterable[int]) -> tuple[list[int], list[int]]:
    """Staff split: (kept, moved); every moved id must be a member."""
    members = list(members)
    moved_set = set(moved)
    missing = moved_set - set(members)
    if missing:
        raise ValueError("not in the event: " + ", ".join(str(m) for m in sorted(missing)))
    if moved_set == set(members):
        raise ValueError("would move every mention; leave at least one in the event")
    return [m for m in members if m not in moved_set], [m for m in members if m in moved_set]


class RelatedIndex:
    """count_related for many events at once: spans indexed by entity and by topic, so each
    count looks only at the events that could be related."""

    def __init__(self, spans: Iterable[Span]):
        self.by_entity: dict[str, list[Span]] = {}
        self.by_topic: dict[str, list[Span]] = {}
        for span in spans:
            self.by_entity.setdefault(span.entity, []).append(span)
            self.by_topic.setdefault(span.topic, []).append(span)

    def count(self, event: Span, overlap_hours: float) -> int:
        candidates = {s.id: s for s in self.by_entity.get(event.entity, ())}
        candidates.update({s.id: s for s in self.by_topic.get(event.topic, ())})
        return count_related(event, candidates.values(), overlap_hours)
