"""The scoring stage: place newly analysed mentions in events, then re-evaluate the events.

Two kinds of transaction, both safe to repeat:
1. placement, per batch of pending annotations: events created or joined, memberships written,
   the touched events flagged ``dirty`` in their state, the annotations marked ``scored_at``.
2. evaluation, per batch of open events: indicators, rules, hysteresis; the event's colour,
   status and state updated, the dirty flag cleared, and a warning row written when the colour
   changed.
A crash between the two leaves dirty events behind; the next run evaluates them. An event
already evaluated at this ``now`` and not dirty is skipped, so a rerun changes nothing.

Incremental: a run reads only its pending mentions, the open events, and for each evaluated
event the mentions inside its longest window. Open events that no mention touched and that
carry no colour only have their lifecycle moved, without reading their mentions.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from config.loader import Config
from scoring.backtest import keep_hours
from scoring.events import NewEvent, RelatedIndex, Span, choose_event, lifecycle
from scoring.indicators import burst_score
from scoring.items import build_item
from scoring.model import assess, rules_json
from scoring.records import EvalState, EventRef, EventView, Item
from storage import events as repo
from storage.db import Database

log = logging.getLogger("stages.score")

PLACE_BATCH = 2000
EVALUATE_BATCH = 500


@dataclass
class ScoreSummary:
    mentions_scored: int = 0
    mentions_in_events: int = 0
    events_created: int = 0
    events_touched: int = 0
    events_evaluated: int = 0
    warnings_written: int = 0
    colours: dict[str, int] = field(default_factory=dict)  # colour of every evaluated event, after

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    as_dict = to_json  # what stages/cycle.py records in the run's stats


def root_entity(config: Config) -> str | None:
    """The watched bank's canonical name from watchlist.yaml (a branch stands for it)."""
    watchlist = config.watchlist
    bank = watchlist.get("bank") if isinstance(watchlist, dict) else getattr(watchlist, "bank", None)
    if isinstance(bank, dict):
        return bank.get("name")
    return getattr(bank, "name", None)


def score_pending(config: Config, db: Database, *, now: datetime, batch: int = PLACE_BATCH,
                  progress: Callable[[int, int], None] | None = None) -> ScoreSummary:
    """Place every pending annotation whose mention time is at or before ``now``, then evaluate
    the touched and open events at ``now``. Safe to rerun; see the module docstring."""
    summary = ScoreSummary()
    root = root_entity(config)
    touched: set[int] = set()
    last_id = 0
    while True:
        with db.transaction() as session:
            rows = repo.pending_rows(session, now, batch, after_id=last_id)
            if not rows:
                break
            last_id = rows[-1]["id"]
            created, placed = _place(session, rows, config.thresholds, root, now, touched)
            repo.mark_scored(session, [r["id"] for r in rows], now)
        summary.mentions_scored += len(rows)
        if progress is not None:
            progress(summary.mentions_scored, summary.mentions_scored + (batch if len(rows) == batch else 0))
        summary.mentions_in_events += placed
        summary.events_created += created
    summary.events_touched = len(touched)
    _evaluate_open(config, db, now, summary)
    log.info("scored", extra={"stats": summary.to_json()})
    return summary


def _place(session, rows: list[dict[str, Any]], thresholds: Any, root: str | None, now: datetime,
           touched: set[int]) -> tuple[int, int]:
    items = sorted((build_item(r, thresholds, root) for r in rows), key=lambda i: (i.at, i.mention_id))
    subjects = {i.subject for i in items if i.subject}
    if not subjects:
        return 0, 0
    since = items[0].at - timedelta(hours=thresholds.events.window_hours)
    refs: dict[int, EventRef] = {e.id: EventRef(e.id, e.entity, e.topic, e.last_seen, e.status, e.first_seen)
                                 for e in repo.open_events(session, subjects, seen_since=since)}
    events: dict[int, Any] = {}
    roots = [i.story for i in items if i.is_repost]
    by_mention = repo.events_of_mentions(session, roots) if roots else {}
    canonical = {int(r["id"]): r.get("canonical_url") or r.get("url") for r in rows}
    threads = [i.thread for i in items if i.thread]
    by_thread = repo.events_of_threads(session, threads) if threads else {}
    members: dict[int, list[tuple[int, datetime]]] = {}
    created = 0
    for item in items:
        where = choose_event(item, (r for r in refs.values() if r.entity == item.subject), thresholds.events,
                             by_mention.get(item.story) if item.is_repost else None,
                             by_thread.get(item.thread) if item.thread else None)
        if where is None:
            continue
        if isinstance(where, NewEvent):
            event = repo.create_event(session, where.key, where.entity, where.topic, item.at, now)
            created += 1
            events[event.id] = event
            event_id = event.id
        else:
            event_id = where
        ref = refs.get(event_id)
        if ref is None:
            event = events.get(event_id) or repo.get_event(session, event_id)
            events[event_id] = event
            ref = EventRef(event.id, event.entity, event.topic, event.last_seen, event.status, event.first_seen)
        refs[event_id] = EventRef(event_id, ref.entity, ref.topic, max(ref.last_seen, item.at), "active",
                                  min(ref.first_seen or item.at, item.at))
        by_mention[item.mention_id] = event_id
        by_thread.setdefault(item.thread or canonical.get(item.mention_id, item.url), event_id)
        members.setdefault(event_id, []).append((item.mention_id, item.at))
    for event_id, pairs in members.items():
        event = events.get(event_id) or repo.get_event(session, event_id)
        repo.add_members(session, event, pairs, now)
        touched.add(event_id)
    return created, sum(len(p) for p in members.values())


def _evaluate_open(config: Config, db: Database, now: datetime, summary: ScoreSummary) -> None:
    t = config.thresholds
    keep = timedelta(hours=keep_hours(t))
    with db.transaction() as session:
        ids = [e.id for e in repo.events_to_evaluate(session)]
        cutoff = now - timedelta(hours=t.events.close_hours + t.events.related_overlap_hours)
        spans = RelatedIndex(Span(*row) for row in repo.spans_since(session, cutoff))
    colours: Counter[str] = Counter()
    entity_cache: dict[str, tuple[tuple[datetime, ...], float]] = {}
    for start in range(0, len(ids), EVALUATE_BATCH):
        with db.transaction() as session:
            for event_id in ids[start:start + EVALUATE_BATCH]:
                event = repo.get_event(session, event_id)
                wrote = _evaluate_one(session, event, config, now, keep, spans, entity_cache)
                if wrote is None:
                    continue
                summary.events_evaluated += 1
                summary.warnings_written += wrote
                colours[event.colour or "none"] += 1
    summary.colours = dict(colours)


def _evaluate_one(session, event: Any, config: Config, now: datetime, keep: timedelta, spans: RelatedIndex,
                  entity_cache: dict[str, tuple[tuple[datetime, ...], float]]) -> int | None:
    """Evaluate one event; the number of warnings written, or None when it was skipped."""
    t = config.thresholds
    raw = dict(event.state or {})
    dirty = bool(raw.pop("dirty", False))
    previous = EvalState.from_json(raw)
    if not dirty and previous.last_evaluated_at is not None and previous.last_evaluated_at >= now:
        return None  # already evaluated at this moment: a rerun must not count it twice
    if not dirty and previous.colour is None and previous.pending is None:
        status = lifecycle(event.first_seen, event.last_seen, now, None, t.events)
        if status != event.status:
            event.status = status
            event.state = {**raw, "status": status}
            event.updated_at = now
        return None
    items: tuple[Item, ...] = tuple(build_item(r, t, root_entity(config))
                                    for r in repo.member_rows(session, event.id, now - keep, now))
    if event.entity not in entity_cache:
        times = tuple(repo.entity_story_times(session, event.entity, now - keep, now))
        entity_cache[event.entity] = (times, burst_score(times, now, t.windows))
    times, burst = entity_cache[event.entity]
    span = Span(event.id, event.entity, event.topic, event.first_seen, event.last_seen)
    view = EventView(event.id, event.key, event.entity, event.topic, event.first_seen, event.last_seen, items,
                     spans.count(span, t.events.related_overlap_hours), times, burst)
    state, decision = assess(view, previous, t, now)
    warning = None
    if decision.changed:
        warning = {"colour": decision.colour, "previous_colour": decision.previous_colour, "score": decision.score,
                   "indicators": decision.indicators, "rules": rules_json(decision),
                   "thresholds_hash": config.thresholds_hash}
    repo.save_evaluation(session, event, {**state.to_json(), "note": decision.note}, state.status, state.colour,
                         now, warning)
    return 1 if warning else 0


def evaluate_events(config: Config, db: Database, event_ids: list[int], *, now: datetime) -> ScoreSummary:
    """Evaluate the given events at ``now`` (after a staff merge or split)."""
    summary = ScoreSummary()
    t = config.thresholds
    keep = timedelta(hours=keep_hours(t))
    with db.transaction() as session:
        cutoff = now - timedelta(hours=t.events.close_hours + t.events.related_overlap_hours)
        spans = RelatedIndex(Span(*row) for row in repo.spans_since(session, cutoff))
        cache: dict[str, tuple[tuple[datetime, ...], float]] = {}
        for event_id in event_ids:
            event = repo.get_event(session, event_id)
            wrote = _evaluate_one(session, event, config, now, keep, spans, cache)
            if wrote is not None:
                summary.events_evaluated += 1
                summary.warnings_written += wrote
    return summary


def merge_events(config: Config, db: Database, target_id: int, source_id: int, *, now: datetime) -> ScoreSummary:
    """Staff merge: every mention of ``source_id`` moves into ``target_id``; the source event is
    closed with ``merged_into`` set (its warnings stay, for the record)."""
    from config.errors import InputError, NotFound

    if target_id == source_id:
        raise InputError(f"cannot merge event {target_id} into itself")
    with db.transaction() as session:
        target, source = repo.get_event(session, target_id), repo.get_event(session, source_id)
        for eid, event in ((target_id, target), (source_id, source)):
            if event is None:
                raise NotFound(f"no event with id {eid}")
            if event.merged_into is not None:
                raise InputError(f"event {eid} was already merged into event {event.merged_into}")
        repo.move_members(session, source, target, repo.member_ids(session, source_id), now)
        source.merged_into = target.id
        source.status = "closed"
        source.updated_at = now
    return evaluate_events(config, db, [target_id], now=now)


def split_event(config: Config, db: Database, event_id: int, mention_ids: list[int], *, now: datetime,
                topic: str | None = None) -> tuple[int, ScoreSummary]:
    """Staff split: the given mentions leave ``event_id`` for a new event (same entity, and the
    same topic unless ``topic`` is given). Returns the new event's id."""
    from config.errors import InputError, NotFound
    from scoring.events import split_members

    with db.transaction() as session:
        event = repo.get_event(session, event_id)
        if event is None:
            raise NotFound(f"no event with id {event_id}")
        try:
            _, moved = split_members(repo.member_ids(session, event_id), mention_ids)
        except ValueError as exc:
            raise InputError(f"cannot split event {event_id}: {exc}") from None
        new_topic = topic or event.topic
        key = f"{event.entity}|{new_topic}|{min(moved)}|split-of-{event_id}"
        if repo.event_by_key(session, key) is not None:
            raise InputError(f"event {event_id} was already split off with these mentions")
        new = repo.create_event(session, key, event.entity, new_topic, event.first_seen, now)
        repo.move_members(session, event, new, moved, now)
        new_id = new.id
    return new_id, evaluate_events(config, db, [event_id, new_id], now=now)


def backtest(config: Config, current: Any, candidate: Any, db: Database, *, since: datetime | None,
             until: datetime):
    """Replay stored mentions hour by hour under both thresholds models; writes nothing.

    Returns (Comparison, {"current": Replay, "candidate": Replay}, (since, until) actually used).
    """
    from scoring.backtest import Replay, compare, replay

    root = root_entity(config)
    with db.transaction() as session:
        lo, hi = repo.time_bounds(session)
    if lo is None:
        start = since or until
    else:
        start = since or lo
    builders = {"current": lambda r: build_item(r, current, root)}
    replays = {"current": Replay(current)}
    if candidate != current:  # the same model replays the same way: do it once
        builders["candidate"] = lambda r: build_item(r, candidate, root)
        replays["candidate"] = Replay(candidate)
    warm = timedelta(hours=max(keep_hours(current), keep_hours(candidate)))
    with db.transaction() as session:
        # mentions shortly before --since still shape the events at --since: read them too
        rows = repo.replay_rows(session, start - warm if since else None, until)
        replay(rows, builders, replays, start, until)
    replays.setdefault("candidate", replays["current"])
    changes = {name: [c for c in rep.changes if c.at >= start] for name, rep in replays.items()}
    return compare(changes["current"], changes["candidate"]), replays, (start, until)
