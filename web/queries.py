"""Reads the dashboard needs that the stage repositories do not offer. Each function takes an
open Session (from Database.transaction()), reads only, and returns plain dicts or tuples so no
ORM object outlives its session."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import (Annotation, EarlyWarning, EventMention, Mention, Run, SentimentCorrection,
                            Source)


def latest_scores(session: Session, event_ids: Sequence[int]) -> dict[int, float]:
    """Event id -> the ordering score of its newest warning (events without one are absent)."""
    out: dict[int, float] = {}
    for start in range(0, len(event_ids), 500):
        chunk = list(event_ids[start:start + 500])
        newest = (select(EarlyWarning.event_id, func.max(EarlyWarning.id).label("wid"))
                  .where(EarlyWarning.event_id.in_(chunk)).group_by(EarlyWarning.event_id).subquery())
        rows = session.execute(select(EarlyWarning.event_id, EarlyWarning.score)
                               .join(newest, newest.c.wid == EarlyWarning.id))
        out.update({eid: float(score or 0.0) for eid, score in rows})
    return out


def event_mentions(session: Session, event_id: int, limit: int = 500) -> list[dict[str, Any]]:
    """The event's mentions, newest first, with their annotation (when there is one yet) and
    the newest staff correction of their sentiment."""
    at = func.coalesce(Mention.published_at, Mention.fetched_at)
    stmt = (select(Mention.id, Mention.title, Mention.text, Mention.source, Mention.site, Mention.url,
                   Mention.author, Mention.published_at, Mention.fetched_at, Mention.near_duplicate_of,
                   Annotation.polarity, Annotation.sentiment, Annotation.harm)
            .join(EventMention, EventMention.mention_id == Mention.id)
            .outerjoin(Annotation, Annotation.mention_id == Mention.id)
            .where(EventMention.event_id == event_id)
            .order_by(at.desc(), Mention.id.desc()).limit(limit))
    names = ("id", "title", "text", "source", "site", "url", "author", "published_at", "fetched_at",
             "near_duplicate_of", "polarity", "sentiment", "harm")
    rows = [dict(zip(names, r)) for r in session.execute(stmt)]
    corrections = latest_corrections(session, [r["id"] for r in rows])
    for row in rows:
        row["corrected"] = corrections.get(row["id"])
    return rows


def latest_corrections(session: Session, mention_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Mention id -> its newest correction {label, by, at}."""
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(mention_ids), 500):
        chunk = list(mention_ids[start:start + 500])
        rows = session.execute(select(SentimentCorrection.mention_id, SentimentCorrection.label,
                                      SentimentCorrection.corrected_by, SentimentCorrection.corrected_at)
                               .where(SentimentCorrection.mention_id.in_(chunk))
                               .order_by(SentimentCorrection.corrected_at, SentimentCorrection.id))
        for mid, label, by, at in rows:  # ascending: the newest one wins
            out[mid] = {"label": label, "by": by, "at": at}
    return out


def event_of_mention(session: Session, mention_id: int) -> int | None:
    """An event the mention belongs to (the lowest id), to send staff back to after a correction."""
    return session.scalars(select(EventMention.event_id).where(EventMention.mention_id == mention_id)
                           .order_by(EventMention.event_id).limit(1)).first()


SOURCE_FIELDS = ("name", "type", "channel", "status", "last_run_at", "last_success_at", "last_error_at",
                 "last_error", "consecutive_failures", "items_last_run", "new_items_last_run",
                 "last_new_item_at", "next_due_at")


def source_health(session: Session) -> list[dict[str, Any]]:
    """Every source's health row: broken first, then stale, then the rest, by name."""
    order = {"broken": 0, "stale": 1}
    rows = [{f: getattr(s, f) for f in SOURCE_FIELDS} for s in session.scalars(select(Source))]
    return sorted(rows, key=lambda r: (order.get(r["status"], 2), r["name"]))


def last_runs(session: Session) -> dict[str, dict[str, Any]]:
    """Stage name -> its newest run (by id): status, start, finish, clock, error."""
    newest = select(Run.stage, func.max(Run.id).label("rid")).group_by(Run.stage).subquery()
    out: dict[str, dict[str, Any]] = {}
    for run in session.scalars(select(Run).join(newest, newest.c.rid == Run.id).order_by(Run.stage)):
        out[run.stage] = {"id": run.id, "status": run.status, "started_at": run.started_at,
                          "finished_at": run.finished_at, "now": run.now, "error": run.error}
    return out
