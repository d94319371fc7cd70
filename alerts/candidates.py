"""Candidates for alerts: what may deserve a message this run. Pure; the clock is passed in.

Operational candidates come from broken sources (``source_candidate``). Three sources of
warning candidates: warnings no alert row refers to yet (``warning_candidate``),
reminders for events that still hold a colour (``reminders``), and warnings that were silenced
and whose event still holds their colour once the silence is over (``after_silence``).
"""
from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from .records import CHANGE_SAME, KIND_OPERATIONAL, KIND_WARNING, Candidate, Labels, SourceFacts, WarningFacts
from .suppress import classify_change


def warning_candidate(facts: WarningFacts) -> Candidate:
    change = CHANGE_SAME if facts.repeat else classify_change(facts.colour, facts.previous_colour)
    key = f"warning:{facts.warning_id}" + (f":r{facts.repeat}" if facts.repeat else "")
    labels = Labels(kind=KIND_WARNING, colour=facts.colour or facts.previous_colour, entity=facts.entity,
                    topic=facts.topic, event_id=facts.event_id)
    return Candidate(key=key, labels=labels, change=change, warning=facts, at=facts.evaluated_at)


def reminders(latest: list[WarningFacts], sent: Mapping[tuple[int, str], tuple[datetime, datetime]],
              interval_hours: float, now: datetime, pending_events: set[int],
              colours: Collection[str] = ("yellow", "orange", "red")) -> list[WarningFacts]:
    """Reminders for events still at a colour that was sent at least ``interval_hours`` ago.
    The reminder number counts intervals since the colour was first sent, so a rerun (or a
    reminder that was silenced) reuses the same key until the next interval."""
    if interval_hours <= 0:
        return []
    out = []
    step = timedelta(hours=interval_hours)
    for facts in latest:
        times = sent.get((facts.event_id, facts.colour or ""))
        if times is None or facts.event_id in pending_events or facts.colour not in colours:
            continue
        first, last = times
        if now - last < step:
            continue
        slot = math.floor((now - first) / step)
        out.append(replace(facts, repeat=max(slot, 1)))
    return out


def after_silence(latest: list[WarningFacts], sent: Mapping[tuple[int, str], Any], silenced: set[int],
                  pending_events: set[int]) -> list[Candidate]:
    """Warnings that were silenced and never sent, whose event still holds their colour: they
    go out once the silence is over (while it lasts, the Silencer keeps muting them)."""
    out = []
    for facts in latest:
        if facts.warning_id not in silenced or facts.event_id in pending_events \
                or (facts.event_id, facts.colour or "") in sent:
            continue
        cand = warning_candidate(facts)
        # at=None: its age counts from the end of the silence, not from the evaluation
        out.append(Candidate(key=cand.key + ":after-silence", labels=cand.labels, change=cand.change,
                             warning=facts, at=None))
    return out


def source_candidate(facts: SourceFacts) -> Candidate:
    """One operational alert per breakage: the key holds the last success before it, so the
    next breakage (after a recovery) is a new candidate and a rerun is the same one."""
    since = facts.last_success_at.isoformat() if facts.last_success_at else "never"
    return Candidate(key=f"source-broken:{facts.name}:{since}", labels=Labels(kind=KIND_OPERATIONAL, source=facts.name),
                     source=facts, at=facts.last_error_at)
