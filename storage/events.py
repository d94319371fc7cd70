"""Events, their mentions and their warnings: the scoring stage's tables.

Every function takes an open Session (from Database.transaction()) and neither commits nor
rolls back: the caller decides what belongs together. Rows cross into scoring as plain dicts.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from .models import Annotation, EarlyWarning, Event, EventMention, Mention, MentionSighting

_MENTION_COLS = (Mention.id, Mention.near_duplicate_of, Mention.published_at, Mention.fetched_at,
                 Mention.author, Mention.site, Mention.channel, Mention.source, Mention.url,
                 Mention.authority, Mention.replies, Mention.views, Mention.likes, Mention.shares,
                 Mention.extra, Mention.title, Mention.text, Mention.thread_url, Mention.canonical_url)
_ANNOTATION_COLS = (Annotation.polarity, Annotation.sentiment, Annotation.topics, Annotation.entities,
                    Annotation.watched, Annotation.harm, Annotation.harm_words)
_NAMES = [c.key for c in _MENTION_COLS] + [c.key for c in _ANNOTATION_COLS]


def _not_after(now: datetime):
    """A mention's time (published, else fetched; the earlier of both) is at or before ``now``."""
    return or_(Mention.published_at <= now, Mention.fetched_at <= now)


def _rows(session: Session, stmt) -> list[dict[str, Any]]:
    rows = [dict(zip(_NAMES, r)) for r in session.execute(stmt)]
    if rows:
        counts = sighting_counts(session, [r["id"] for r in rows])
        for r in rows:
            r["sightings"] = counts.get(r["id"], 0)
    return rows


def sighting_counts(session: Session, mention_ids: Sequence[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for start in range(0, len(mention_ids), 500):
        chunk = mention_ids[start:start + 500]
        stmt = (select(MentionSighting.mention_id, func.count()).where(MentionSighting.mention_id.in_(chunk))
                .group_by(MentionSighting.mention_id))
        out.update({mid: n for mid, n in session.execute(stmt)})
    return out


def pending_rows(session: Session, now: datetime, limit: int, after_id: int = 0) -> list[dict[str, Any]]:
    """Annotated mentions not yet scored whose time has come (a replay leaves later ones), by
    id from ``after_id`` on (keyset paging: rows left for later are not read again this run)."""
    stmt = (select(*_MENTION_COLS, *_ANNOTATION_COLS).join(Annotation, Annotation.mention_id == Mention.id)
            .where(Annotation.scored_at.is_(None), Annotation.mention_id > after_id, _not_after(now))
            .order_by(Annotation.mention_id).limit(limit))
    return _rows(session, stmt)


def mark_scored(session: Session, mention_ids: Sequence[int], now: datetime) -> None:
    for start in range(0, len(mention_ids), 500):
        chunk = mention_ids[start:start + 500]
        session.execute(update(Annotation).where(Annotation.mention_id.in_(chunk)).values(scored_at=now))


def events_of_mentions(session: Session, mention_ids: Sequence[int]) -> dict[int, int]:
    """mention id -> the open, unmerged event it belongs to."""
    out: dict[int, int] = {}
    for start in range(0, len(mention_ids), 500):
        chunk = mention_ids[start:start + 500]
        stmt = (select(EventMention.mention_id, EventMention.event_id).join(Event, Event.id == EventMention.event_id)
                .where(EventMention.mention_id.in_(chunk), Event.merged_into.is_(None), Event.status != "closed"))
        out.update({m: e for m, e in session.execute(stmt)})
    return out


def events_of_threads(session: Session, thread_urls: Sequence[str]) -> dict[str, int]:
    """thread URL -> the open, unmerged event its earliest placed post (or reply) belongs to."""
    out: dict[str, int] = {}
    urls = list(dict.fromkeys(thread_urls))
    for start in range(0, len(urls), 500):
        chunk = urls[start:start + 500]
        stmt = (select(Mention.canonical_url, Mention.thread_url, EventMention.event_id)
                .join(EventMention, EventMention.mention_id == Mention.id).join(Event, Event.id == EventMention.event_id)
                .where(or_(Mention.canonical_url.in_(chunk), Mention.thread_url.in_(chunk)),
                       Event.merged_into.is_(None), Event.status != "closed")
                .order_by(Mention.id))
        for canonical, thread, event_id in session.execute(stmt):
            out.setdefault(canonical if canonical in chunk else thread, event_id)
    return out


def open_events(session: Session, entities: Iterable[str] | None = None,
                seen_since: datetime | None = None) -> list[Event]:
    """Events a new mention may join: not closed, not merged, last seen at or after ``seen_since``."""
    stmt = select(Event).where(Event.status != "closed", Event.merged_into.is_(None))
    if entities is not None:
        stmt = stmt.where(Event.entity.in_(list(entities)))
    if seen_since is not None:
        stmt = stmt.where(Event.last_seen >= seen_since)
    return list(session.scalars(stmt))


def events_to_evaluate(session: Session) -> list[Event]:
    """Open events: the ones new mentions touched and the ones time may change."""
    return list(session.scalars(select(Event).where(Event.status != "closed", Event.merged_into.is_(None))
                                .order_by(Event.id)))


def event_by_key(session: Session, key: str) -> Event | None:
    return session.scalars(select(Event).where(Event.key == key)).first()


def create_event(session: Session, key: str, entity: str, topic: str, at: datetime, now: datetime) -> Event:
    event = event_by_key(session, key)
    if event is None:
        event = Event(key=key, entity=entity, topic=topic, status="new", first_seen=at, last_seen=at,
                      colour=None, colour_since=None, state={"dirty": True}, updated_at=now)
        session.add(event)
        session.flush()
    return event


def add_members(session: Session, event: Event, items: Sequence[tuple[int, datetime]], now: datetime) -> None:
    """Attach mentions (id, time) to an event, widen its first/last seen and mark it dirty."""
    existing = set(session.scalars(select(EventMention.mention_id).where(
        EventMention.event_id == event.id, EventMention.mention_id.in_([m for m, _ in items]))))
    for mention_id, _ in items:
        if mention_id not in existing:
            session.add(EventMention(event_id=event.id, mention_id=mention_id))
    times = [at for _, at in items]
    if times:
        event.first_seen = min([event.first_seen, *times])
        event.last_seen = max([event.last_seen, *times])
    state = dict(event.state or {})
    state["dirty"] = True
    event.state = state
    if event.status == "closed":
        event.status = "active"
    event.updated_at = now


def member_rows(session: Session, event_id: int, since: datetime | None, now: datetime) -> list[dict[str, Any]]:
    """The event's mentions with annotations, between ``since`` and ``now``."""
    stmt = (select(*_MENTION_COLS, *_ANNOTATION_COLS).join(EventMention, EventMention.mention_id == Mention.id)
            .join(Annotation, Annotation.mention_id == Mention.id)
            .where(EventMention.event_id == event_id, _not_after(now)))
    if since is not None:
        stmt = stmt.where(or_(Mention.published_at >= since, and_(Mention.published_at.is_(None),
                                                                  Mention.fetched_at >= since)))
    return _rows(session, stmt.order_by(Mention.id))


def entity_story_times(session: Session, entity: str, since: datetime, now: datetime) -> list[datetime]:
    """Times of the entity's negative or harmful original stories in [since, now]: its baseline."""
    at = func.coalesce(Mention.published_at, Mention.fetched_at)
    stmt = (select(at).select_from(Event).join(EventMention, EventMention.event_id == Event.id)
            .join(Mention, Mention.id == EventMention.mention_id).join(Annotation, Annotation.mention_id == Mention.id)
            .where(Event.entity == entity, Event.merged_into.is_(None), Event.last_seen >= since,
                   Mention.near_duplicate_of.is_(None),
                   or_(Annotation.polarity == "neg", Annotation.harm > 0),
                   or_(Mention.published_at >= since, and_(Mention.published_at.is_(None), Mention.fetched_at >= since)),
                   _not_after(now)))
    return [t for (t,) in session.execute(stmt)]


def spans_since(session: Session, cutoff: datetime) -> list[tuple[int, str, str, datetime, datetime]]:
    """(id, entity, topic, first_seen, last_seen) of events that may be related to open ones."""
    stmt = select(Event.id, Event.entity, Event.topic, Event.first_seen, Event.last_seen).where(
        Event.merged_into.is_(None), or_(Event.status != "closed", Event.last_seen >= cutoff))
    return [tuple(r) for r in session.execute(stmt)]


def save_evaluation(session: Session, event: Event, state: dict[str, Any], status: str, colour: str | None,
                    now: datetime, warning: dict[str, Any] | None) -> None:
    """Store the new state; when the colour changed, the warning row that says why."""
    if colour != event.colour:
        event.colour_since = now
    event.colour = colour
    event.status = status
    event.state = state
    event.updated_at = now
    if warning is None:
        return
    row = session.scalars(select(EarlyWarning).where(EarlyWarning.event_id == event.id,
                                                     EarlyWarning.evaluated_at == now)).first()
    if row is None:
        session.add(EarlyWarning(event_id=event.id, evaluated_at=now, **warning))
    else:  # a second evaluation at the same --now: keep the first previous colour
        for key, value in warning.items():
            if key != "previous_colour":
                setattr(row, key, value)


def warnings_of(session: Session, event_id: int) -> list[EarlyWarning]:
    return list(session.scalars(select(EarlyWarning).where(EarlyWarning.event_id == event_id)
                                .order_by(EarlyWarning.evaluated_at, EarlyWarning.id)))


def list_events(session: Session, *, include_closed: bool = True, colour: str | None = None,
                limit: int | None = None) -> list[Event]:
    stmt = select(Event).where(Event.merged_into.is_(None))
    if not include_closed:
        stmt = stmt.where(Event.status != "closed")
    if colour:
        stmt = stmt.where(Event.colour == colour)
    stmt = stmt.order_by(Event.last_seen.desc(), Event.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def list_warnings(session: Session, *, since: datetime | None = None, limit: int | None = None) -> list[tuple[EarlyWarning, Event]]:
    stmt = select(EarlyWarning, Event).join(Event, Event.id == EarlyWarning.event_id)
    if since is not None:
        stmt = stmt.where(EarlyWarning.evaluated_at >= since)
    stmt = stmt.order_by(EarlyWarning.evaluated_at.desc(), EarlyWarning.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return [tuple(r) for r in session.execute(stmt)]


def member_summary(session: Session, event_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Per event: mention URLs, topics seen, counts (mentions, stories, negative)."""
    out: dict[int, dict[str, Any]] = {eid: {"urls": [], "topics": set(), "mentions": 0, "stories": set(),
                                            "negative": 0} for eid in event_ids}
    for start in range(0, len(event_ids), 200):
        chunk = event_ids[start:start + 200]
        stmt = (select(EventMention.event_id, Mention.id, Mention.url, Mention.near_duplicate_of, Annotation.topics,
                       Annotation.polarity, Annotation.harm)
                .join(Mention, Mention.id == EventMention.mention_id).join(Annotation, Annotation.mention_id == Mention.id)
                .where(EventMention.event_id.in_(chunk)).order_by(EventMention.event_id, Mention.id))
        for eid, mid, url, dup, topics, polarity, harm in session.execute(stmt):
            s = out[eid]
            s["urls"].append(url)
            s["topics"].update(topics or ())
            s["mentions"] += 1
            s["stories"].add(dup or mid)
            s["negative"] += 1 if (polarity == "neg" or (harm or 0) > 0) else 0
    return out


def member_ids(session: Session, event_id: int) -> list[int]:
    return list(session.scalars(select(EventMention.mention_id).where(EventMention.event_id == event_id)
                                .order_by(EventMention.mention_id)))


def move_members(session: Session, source: Event, target: Event, mention_ids: Sequence[int], now: datetime) -> None:
    session.execute(update(EventMention).where(EventMention.event_id == source.id,
                                               EventMention.mention_id.in_(list(mention_ids)))
                    .values(event_id=target.id))
    for event in (source, target):
        bounds = session.execute(
            select(func.min(func.coalesce(Mention.published_at, Mention.fetched_at)),
                   func.max(func.coalesce(Mention.published_at, Mention.fetched_at)))
            .join(EventMention, EventMention.mention_id == Mention.id).where(EventMention.event_id == event.id)).one()
        if bounds[0] is not None:
            event.first_seen, event.last_seen = _aware(bounds[0]), _aware(bounds[1])
        state = dict(event.state or {})
        state["dirty"] = True
        event.state = state
        event.updated_at = now


def _aware(value: Any) -> datetime:
    """func.min over a UTCDateTime column may come back as a naive datetime or a string on SQLite."""
    from datetime import timezone

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def get_event(session: Session, event_id: int) -> Event | None:
    return session.get(Event, event_id)


def replay_rows(session: Session, since: datetime | None, until: datetime, chunk: int = 5000):
    """Every annotated mention up to ``until`` (from ``since``), oldest first, streamed: what a
    backtest replays. Reads only; sightings come from one grouped join, not a query per row."""
    at = func.coalesce(Mention.published_at, Mention.fetched_at)
    seen = (select(MentionSighting.mention_id.label("mid"), func.count().label("n"))
            .group_by(MentionSighting.mention_id).subquery())
    stmt = (select(*_MENTION_COLS, *_ANNOTATION_COLS, seen.c.n).join(Annotation, Annotation.mention_id == Mention.id)
            .outerjoin(seen, seen.c.mid == Mention.id).where(_not_after(until)))
    if since is not None:
        stmt = stmt.where(at >= since)
    stmt = stmt.order_by(at, Mention.id)
    names = _NAMES + ["sightings"]
    for row in session.execute(stmt, execution_options={"yield_per": chunk}):
        yield dict(zip(names, row))


def time_bounds(session: Session) -> tuple[datetime | None, datetime | None]:
    at = func.coalesce(Mention.published_at, Mention.fetched_at)
    lo, hi = session.execute(select(func.min(at), func.max(at)).join(Annotation, Annotation.mention_id == Mention.id)).one()
    return (_aware(lo) if lo is not None else None), (_aware(hi) if hi is not None else None)
