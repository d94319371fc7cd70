"""Staff corrections of sentiment labels: stored once, listed for review and for train-sentiment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .db import Database
from .models import Mention, SentimentCorrection

LABELS = ("neg", "neu", "pos")


class UnknownMention(LookupError):
    """No mention has the given id."""


@dataclass(frozen=True, slots=True)
class Correction:
    id: int
    mention_id: int | None
    text: str
    label: str
    corrected_by: str
    corrected_at: datetime


def _record(row: SentimentCorrection) -> Correction:
    return Correction(row.id, row.mention_id, row.text, row.label, row.corrected_by, row.corrected_at)


def add_correction(db: Database, *, label: str, corrected_at: datetime, mention_id: int | None = None,
                   text: str | None = None, corrected_by: str = "") -> Correction:
    """Store one correction. With ``mention_id`` the text is the mention's (title and body);
    without it ``text`` is required. Raises UnknownMention for an id that does not exist."""
    if label not in LABELS:
        raise ValueError(f"label must be one of {', '.join(LABELS)}, found {label!r}")
    with db.transaction() as session:
        if mention_id is not None:
            mention = session.get(Mention, mention_id)
            if mention is None:
                raise UnknownMention(f"no mention with id {mention_id}")
            if text is None:
                text = "\n".join(part for part in (mention.title, mention.text) if part)
        if not text or not text.strip():
            raise ValueError("a correction needs a text or a mention id")
        row = SentimentCorrection(mention_id=mention_id, text=text, label=label,
                                  corrected_by=corrected_by[:200], corrected_at=corrected_at)
        session.add(row)
        session.flush()
        return _record(row)


def list_corrections(db: Database, *, limit: int | None = None, mention_id: int | None = None) -> list[Correction]:
    """Corrections, oldest first. When a mention was corrected twice both rows are kept;
    ``latest_labels`` decides which counts."""
    stmt = select(SentimentCorrection).order_by(SentimentCorrection.id)
    if mention_id is not None:
        stmt = stmt.where(SentimentCorrection.mention_id == mention_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    with db.transaction() as session:
        return [_record(row) for row in session.scalars(stmt)]


def latest_labels(corrections: list[Correction]) -> list[tuple[str, str]]:
    """(text, label) pairs for training: the newest correction of a mention wins."""
    by_key: dict[object, Correction] = {}
    for item in corrections:
        key = ("mention", item.mention_id) if item.mention_id is not None else ("text", item.text)
        by_key[key] = item
    return [(item.text, item.label) for item in sorted(by_key.values(), key=lambda c: c.id)]
