"""Replay stored mentions hour by hour under a thresholds file, in memory, and compare two
replays. Pure: items come in as an iterable in time order; nothing is written anywhere.

``Replay`` does what stages/score.py does, with dicts instead of tables: the same grouping
(scoring.events), indicators, rules and hysteresis (scoring.model). Only open events keep their
items, and only for the longest window, so memory follows the open events, not the history.
"""
from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .events import NewEvent, RelatedIndex, Span, choose_event, lifecycle
from .indicators import burst_score
from .model import assess
from .records import COLOURS, EvalState, EventRef, EventView, Item, rank

HOUR = timedelta(hours=1)


@dataclass
class _Event:
    id: int
    key: str
    entity: str
    topic: str
    first_seen: datetime
    last_seen: datetime
    items: list[Item] = field(default_factory=list)  # only those inside the longest window
    state: EvalState = field(default_factory=EvalState)
    wake: datetime | None = None  # when the oldest story in its window leaves it


@dataclass(frozen=True, slots=True)
class Change:
    """A colour change as the replay saw it."""

    key: str  # the event key: entity|topic|seed mention, the same under both files when grouping agrees
    at: datetime
    colour: str | None
    previous: str | None


def keep_hours(thresholds: Any) -> float:
    """How far back an evaluation looks: the longest window plus one burst bucket."""
    win = thresholds.windows
    return max(win.quantity_hours, win.baseline_hours + win.burst_hours)


class Replay:
    """Events and warnings under one thresholds file, advanced by ``add`` and ``tick``."""

    def __init__(self, thresholds: Any, *, skip_steady: bool = True):
        self.t = thresholds
        self.events: dict[int, _Event] = {}
        self.open: set[int] = set()
        self.by_mention: dict[int, int] = {}
        self.by_thread: dict[str, int] = {}  # thread URL -> the event its first placed post joined
        self.entity_times: dict[str, deque[tuple[datetime, int]]] = defaultdict(deque)
        self.touched: set[int] = set()
        self.changes: list[Change] = []
        self._next_id = 1
        self._clock_bound = not skip_steady or _uses_moving_indicators(thresholds)

    def add(self, item: Item) -> int | None:
        """Place one item (items must come in time order); return its event id, if any."""
        repost = self.by_mention.get(item.story) if item.is_repost else None
        if repost is not None and repost not in self.open:
            repost = None
        thread = self.by_thread.get(item.thread) if item.thread else None
        if thread is not None and thread not in self.open:
            thread = None
        refs = (EventRef(e.id, e.entity, e.topic, e.last_seen, e.state.status, e.first_seen)
                for e in (self.events[i] for i in self.open) if e.entity == item.subject)
        where = choose_event(item, refs, self.t.events, repost, thread)
        if where is None:
            return None
        if isinstance(where, NewEvent):
            event = _Event(self._next_id, where.key, where.entity, where.topic, item.at, item.at)
            self._next_id += 1
            self.events[event.id] = event
            self.open.add(event.id)
        else:
            event = self.events[where]
        event.items.append(item)
        event.first_seen = min(event.first_seen, item.at)
        event.last_seen = max(event.last_seen, item.at)
        self.by_mention[item.mention_id] = event.id
        self.by_thread.setdefault(item.thread or item.url, event.id)
        if item.drives and not item.is_repost:
            self.entity_times[event.entity].append((item.at, item.story))
        self.touched.add(event.id)
        return event.id

    def tick(self, now: datetime) -> list[Change]:
        """Evaluate the touched events and every open event at ``now``; return colour changes."""
        keep = timedelta(hours=keep_hours(self.t))
        related = RelatedIndex(Span(e.id, e.entity, e.topic, e.first_seen, e.last_seen)
                               for e in (self.events[i] for i in self.open))
        entity_burst: dict[str, tuple[tuple[datetime, ...], float]] = {}
        out: list[Change] = []
        for entity_id in sorted(self.open):
            event = self.events[entity_id]
            if entity_id not in self.touched and self._steady(event, now):
                # no condition can change before a story leaves the window: only the lifecycle moves
                status = lifecycle(event.first_seen, event.last_seen, now, event.state.colour, self.t.events)
                event.state = event.state.with_(status=status)
                if status == "closed":
                    self._close(event)
                continue
            cutoff = now - keep
            if event.items and event.items[0].at < cutoff:
                for old in event.items:
                    if old.at < cutoff:
                        self.by_mention.pop(old.mention_id, None)  # too old to be reposted into this event
                event.items = [i for i in event.items if i.at >= cutoff]
            if event.entity not in entity_burst:
                times = self._entity_times(event.entity, cutoff)
                entity_burst[event.entity] = (times, burst_score(times, now, self.t.windows))
            times, burst = entity_burst[event.entity]
            span = Span(event.id, event.entity, event.topic, event.first_seen, event.last_seen)
            view = EventView(event.id, event.key, event.entity, event.topic, event.first_seen, event.last_seen,
                             tuple(event.items), related.count(span, self.t.events.related_overlap_hours),
                             times, burst)
            previous = event.state
            event.state, decision = assess(view, previous, self.t, now)
            if decision.changed:
                out.append(Change(event.key, now, decision.colour, decision.previous_colour))
            quantity = timedelta(hours=self.t.windows.quantity_hours)
            event.wake = min((i.at + quantity for i in event.items if i.at + quantity > now), default=None)
            if event.state.status == "closed":
                self._close(event)
        self.touched.clear()
        self.changes.extend(out)
        return out

    def _steady(self, event: _Event, now: datetime) -> bool:
        """True when evaluating now would change no colour: an optimisation the stage does not
        need (it evaluates each open event once a run) but an hour-by-hour replay of years does.

        Untouched, an event's counts only fall as stories leave the window (every condition is
        ">=" or ">", else ``_clock_bound``), so: an uncoloured event stays uncoloured; a coloured
        one keeps its colour until a story leaves; one already below its rule keeps it until the
        step-down time. A pending rise counts evaluations, so it is always evaluated."""
        state = event.state
        if state.pending is not None or self._clock_bound:
            return False
        if state.colour is None:
            return True
        if state.below_since is not None:
            return now < state.below_since + timedelta(hours=self.t.hysteresis.step_down_hours)
        return event.wake is None or now < event.wake

    def _entity_times(self, entity: str, cutoff: datetime) -> tuple[datetime, ...]:
        times = self.entity_times[entity]
        while times and times[0][0] < cutoff:
            times.popleft()
        return tuple(t for t, _ in times)

    def _close(self, event: _Event) -> None:
        self.open.discard(event.id)
        for item in event.items:
            self.by_mention.pop(item.mention_id, None)
        event.items = []


_MOVING = ("growth", "burst_z", "entity_burst_z", "related")


def _uses_moving_indicators(thresholds: Any) -> bool:
    """Whether a rule or trigger names an indicator that moves with the clock alone."""
    def names(node: Any) -> Iterator[str]:
        if isinstance(node, str):
            parts = node.split()
            yield parts[0] if parts else node
            if len(parts) > 1 and parts[1] not in (">=", ">"):
                yield "growth"  # a falling indicator can satisfy "<": treat the rule as clock-bound
        elif isinstance(node, dict):
            for items in node.values():
                for item in items:
                    yield from names(item)

    conditions = [c.rule for c in thresholds.colours] + [t.when for t in thresholds.triggers]
    return any(n in _MOVING for c in conditions for n in names(c))


def hours(since: datetime, until: datetime) -> Iterator[datetime]:
    """Hour marks from the first full hour after ``since`` up to ``until``."""
    tick = since.replace(minute=0, second=0, microsecond=0) + HOUR
    while tick <= until:
        yield tick
        tick += HOUR
    if tick - HOUR < until:
        yield until


def replay(rows: Iterable[Any], builders: dict[str, Callable[[Any], Item]], replays: dict[str, Replay],
           since: datetime, until: datetime) -> None:
    """Feed rows (time ordered) to several replays at once, ticking every hour until ``until``.

    ``builders[name]`` turns a row into that replay's Item (words and weights differ by file).
    """
    marks = hours(since, until)
    mark = next(marks, None)
    for row in rows:
        items = {name: build(row) for name, build in builders.items()}
        at = next(iter(items.values())).at
        if at > until:
            break
        while mark is not None and at > mark:
            for rep in replays.values():
                rep.tick(mark)
            mark = next(marks, None)
        for name, rep in replays.items():
            rep.add(items[name])
    while mark is not None:
        for rep in replays.values():
            rep.tick(mark)
        mark = next(marks, None)


@dataclass
class Comparison:
    """Differences between the current and the candidate file's warnings."""

    appear: list[tuple[str, str, datetime]] = field(default_factory=list)  # key, colour, when (candidate only)
    disappear: list[tuple[str, str, datetime]] = field(default_factory=list)  # current only
    earlier: list[tuple[str, str, datetime, datetime]] = field(default_factory=list)  # key, colour, current, candidate
    later: list[tuple[str, str, datetime, datetime]] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # colour -> (current, candidate)

    def to_json(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat()  # noqa: E731
        return {
            "appear": [{"event": k, "colour": c, "at": iso(a)} for k, c, a in self.appear],
            "disappear": [{"event": k, "colour": c, "at": iso(a)} for k, c, a in self.disappear],
            "earlier": [{"event": k, "colour": c, "current": iso(a), "candidate": iso(b)} for k, c, a, b in self.earlier],
            "later": [{"event": k, "colour": c, "current": iso(a), "candidate": iso(b)} for k, c, a, b in self.later],
            "counts": {c: {"current": a, "candidate": b} for c, (a, b) in self.counts.items()},
        }


def first_reached(changes: Iterable[Change]) -> dict[tuple[str, str], datetime]:
    """(event key, colour) -> when the event first reached at least that colour."""
    out: dict[tuple[str, str], datetime] = {}
    for change in changes:
        for colour in COLOURS[: rank(change.colour)]:
            out.setdefault((change.key, colour), change.at)
    return out


def alert_counts(changes: Iterable[Change]) -> Counter[str]:
    """Warnings raised per colour: every change upward to that colour counts as one alert."""
    return Counter(c.colour for c in changes if c.colour is not None and rank(c.colour) > rank(c.previous))


def compare(current: Iterable[Change], candidate: Iterable[Change]) -> Comparison:
    current, candidate = list(current), list(candidate)
    a, b = first_reached(current), first_reached(candidate)
    result = Comparison()
    for key in sorted(set(a) | set(b), key=lambda k: (k[0], rank(k[1]))):
        event, colour = key
        if key not in a:
            result.appear.append((event, colour, b[key]))
        elif key not in b:
            result.disappear.append((event, colour, a[key]))
        elif b[key] < a[key]:
            result.earlier.append((event, colour, a[key], b[key]))
        elif b[key] > a[key]:
            result.later.append((event, colour, a[key], b[key]))
    ca, cb = alert_counts(current), alert_counts(candidate)
    result.counts = {colour: (ca.get(colour, 0), cb.get(colour, 0)) for colour in COLOURS}
    return result
