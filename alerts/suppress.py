"""Suppression: decide which candidates are muted, and why. Pure; the clock is passed in.

Every muter answers one question, ``mutes(candidate, now) -> reason | None`` (the shape of
Alertmanager's Muter), so silences, inhibition, superseding and the repeat interval compose in
one list and the first reason found is recorded with the muted alert.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from .records import (CHANGE_FALL, CHANGE_NEW, CHANGE_RAISE, CHANGE_SAME, KIND_WARNING, Candidate,
                      WarningFacts, colour_rank)
from .route import matches


def classify_change(colour: str | None, previous: str | None) -> str:
    """new (first colour), raise, fall (down, or cleared), or same."""
    now_rank, before = colour_rank(colour), colour_rank(previous)
    if before == 0 and now_rank > 0:
        return CHANGE_NEW
    if now_rank > before:
        return CHANGE_RAISE
    if now_rank < before:
        return CHANGE_FALL
    return CHANGE_SAME


class Muter(Protocol):
    def mutes(self, candidate: Candidate, now: datetime) -> str | None: ...


@dataclass(frozen=True)
class Silencer:
    """Silences from alerts.yaml: each has a match and a [starts, ends) period."""

    silences: Sequence[Any]

    def mutes(self, candidate: Candidate, now: datetime) -> str | None:
        for i, silence in enumerate(self.silences):
            if silence.starts <= now < silence.ends and matches(silence.match, candidate.labels):
                note = f": {silence.comment}" if silence.comment else ""
                return f"silenced by silences[{i}] until {silence.ends.isoformat()}{note}"
        return None


@dataclass(frozen=True)
class Inhibitor:
    """While an event stands at a rule's source colour, its alerts of the target colours are muted.

    ``event_colours`` maps event id -> the colours the event holds now (see held_colours).
    """

    rules: Sequence[Any]
    event_colours: Mapping[int, frozenset[str]]

    def mutes(self, candidate: Candidate, now: datetime) -> str | None:
        labels = candidate.labels
        if labels.kind != KIND_WARNING or labels.event_id is None or labels.colour is None:
            return None
        held = self.event_colours.get(labels.event_id, frozenset())
        for rule in self.rules:
            if labels.colour in rule.target_colours and rule.source_colour in held \
                    and rule.source_colour != labels.colour:
                return f"inhibited: event {labels.event_id} is {rule.source_colour}"
        return None


@dataclass(frozen=True)
class Superseded:
    """Of several unsent warnings for one event in a batch, an older one is not worth sending
    when the newest stands at least as high: the newest says all it said. An older, higher
    colour still goes out (nobody must first hear of a red as "fell from red")."""

    newest: Mapping[int, tuple[int, str | None]]  # event id -> (warning id, colour) of the newest

    def mutes(self, candidate: Candidate, now: datetime) -> str | None:
        warning = candidate.warning
        if warning is None or warning.repeat:  # a reminder is about the event now: never superseded
            return None
        newest = self.newest.get(warning.event_id)
        if newest is None or newest[0] == warning.warning_id:
            return None
        if colour_rank(warning.colour) <= colour_rank(newest[1]):
            return f"superseded by warning {newest[0]}"
        return None


@dataclass(frozen=True)
class RepeatGate:
    """An unchanged colour is sent again only once the repeat interval has passed since the
    last alert sent for that event at that colour."""

    last_sent: Mapping[tuple[int, str], datetime]  # (event id, colour) -> last delivery
    interval_hours: float
    remind_colours: frozenset[str] = frozenset({"blue", "yellow", "orange", "red"})

    def mutes(self, candidate: Candidate, now: datetime) -> str | None:
        if candidate.change != CHANGE_SAME or candidate.warning is None:
            return None
        colour = candidate.labels.colour or ""
        last = self.last_sent.get((candidate.warning.event_id, colour))
        if last is None:
            return None
        if self.interval_hours <= 0:
            return "unchanged colour; repeats are off"
        if colour not in self.remind_colours:
            return f"unchanged colour; no reminders for {colour}"
        if now - last < timedelta(hours=self.interval_hours):
            return f"unchanged colour; last sent {last.isoformat()}, repeat after {self.interval_hours:g} h"
        return None


@dataclass(frozen=True)
class TooOld:
    """A warning first seen long after it was made (a new install over an old database)."""

    max_age_hours: float

    def mutes(self, candidate: Candidate, now: datetime) -> str | None:
        if candidate.warning is None or candidate.at is None or candidate.warning.repeat:
            return None
        if now - candidate.at > timedelta(hours=self.max_age_hours):
            return f"older than {self.max_age_hours:g} h when first seen"
        return None


def mute_reason(candidate: Candidate, muters: Iterable[Muter], now: datetime) -> str | None:
    for muter in muters:
        reason = muter.mutes(candidate, now)
        if reason:
            return reason
    return None


def newest_per_event(candidates: Iterable[Candidate]) -> dict[int, tuple[int, str | None]]:
    """Event id -> (warning id, colour) of its newest warning among the candidates."""
    newest: dict[int, WarningFacts] = {}
    for cand in candidates:
        w = cand.warning
        if w is None:
            continue
        best = newest.get(w.event_id)
        if best is None or (w.evaluated_at, w.warning_id) > (best.evaluated_at, best.warning_id):
            newest[w.event_id] = w
    return {event: (w.warning_id, w.colour) for event, w in newest.items()}


def held_colours(current: Mapping[int, str | None]) -> dict[int, frozenset[str]]:
    """Event id -> the colours it holds now (its current colour), for the Inhibitor. A colour an
    event has fallen from is not held, so a fall from red is not muted by that red."""
    return {event_id: frozenset([colour]) for event_id, colour in current.items() if colour}
