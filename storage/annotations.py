"""Annotations: what the analyse stage wrote for each mention, and which mentions still lack one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import func, select

from nlp.records import Annotation as AnnotationRecord
from nlp.serialize import entity_from_dict, entity_to_dict

from .db import Database
from .models import Annotation, Mention


@dataclass(frozen=True, slots=True)
class PendingMention:
    id: int
    title: str | None
    text: str
    author: str | None
    channel: str


def pending_mentions(db: Database, *, limit: int, after_id: int = 0) -> list[PendingMention]:
    """Mentions with no annotation yet, oldest id first, with id > ``after_id``."""
    stmt = (select(Mention.id, Mention.title, Mention.text, Mention.author, Mention.channel)
            .outerjoin(Annotation, Annotation.mention_id == Mention.id)
            .where(Annotation.mention_id.is_(None), Mention.id > after_id)
            .order_by(Mention.id).limit(limit))
    with db.transaction() as session:
        return [PendingMention(*row) for row in session.execute(stmt)]


def count_pending(db: Database) -> int:
    stmt = (select(func.count()).select_from(Mention)
            .outerjoin(Annotation, Annotation.mention_id == Mention.id).where(Annotation.mention_id.is_(None)))
    with db.transaction() as session:
        return int(session.scalar(stmt) or 0)


def _fill(row: Annotation, ann: AnnotationRecord, analysed_at: datetime) -> None:
    row.model_version = ann.model_version[:100]
    row.polarity = ann.polarity
    row.sentiment = float(ann.sentiment)
    row.drivers = list(ann.drivers)
    row.topics = list(ann.topics)
    row.causes = list(ann.causes)
    row.entities = [entity_to_dict(e) for e in ann.entities]
    row.watched = list(ann.watched)
    row.harm = int(ann.harm)
    row.harm_words = list(ann.harm_words)
    row.keywords = list(ann.keywords)
    row.script = ann.script
    row.analysed_at = analysed_at


def save_annotations(db: Database, items: Iterable[tuple[int, AnnotationRecord]], *, analysed_at: datetime) -> int:
    """Write the annotations of the given mention ids in one transaction; return how many.

    A mention analysed again (a rerun after a model change) has its row updated in place;
    ``scored_at`` is then cleared so the scoring stage takes the new verdict into account.
    """
    items = list(items)
    if not items:
        return 0
    with db.transaction() as session:
        existing = {row.mention_id: row for row in session.scalars(
            select(Annotation).where(Annotation.mention_id.in_([mid for mid, _ in items])))}
        for mention_id, ann in items:
            row = existing.get(mention_id)
            if row is None:
                row = Annotation(mention_id=mention_id)
                session.add(row)
            else:
                row.scored_at = None
            _fill(row, ann, analysed_at)
    return len(items)


def get_annotation(db: Database, mention_id: int) -> AnnotationRecord | None:
    with db.transaction() as session:
        row = session.get(Annotation, mention_id)
        if row is None:
            return None
        return AnnotationRecord(
            id=str(row.mention_id), polarity=row.polarity, sentiment=row.sentiment, drivers=tuple(row.drivers or ()),
            topics=tuple(row.topics or ()), causes=tuple(row.causes or ()),
            entities=tuple(entity_from_dict(e) for e in row.entities or ()), watched=tuple(row.watched or ()),
            harm=row.harm, harm_words=tuple(row.harm_words or ()), keywords=tuple(row.keywords or ()),
            script=row.script, model_version=row.model_version)
