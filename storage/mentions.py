"""Storing mentions once, linking reposts, and reading them back for the analysis stage.

``store_mentions`` decides per mention, in this order:

1. its canonical URL is already stored (as a mention or a sighting): a duplicate, nothing written;
2. a stored mention has the same fingerprint (same text at another URL, in either script): a
   ``MentionSighting`` row (reach), not a new mention;
3. a stored mention's simhash is within Hamming distance ``NEAR_DUPLICATE_BITS`` (found through the
   four 16-bit band columns: two hashes within distance 3 share at least one band): stored, with
   ``near_duplicate_of`` pointing at the first-seen original;
4. otherwise stored as new.

Inserts use ``INSERT .. ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL), so a rerun, or another
worker inserting the same URL at the same moment, never fails the transaction: the loser of the
race simply finds the row there and counts a duplicate (or a sighting).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crawlers.records import Mention, StoredMention

from .models import Annotation, MentionSighting
from .models import Mention as MentionRow
from .types import to_signed64, to_unsigned64

NEAR_DUPLICATE_BITS = 3
_CHUNK = 500


@dataclass(frozen=True)
class StoreSummary:
    new: int = 0
    duplicates: int = 0
    sightings: int = 0
    near_duplicates: int = 0  # included in `new`: stored, and linked to their original

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "duplicates": self.duplicates, "sightings": self.sightings,
                "near_duplicates": self.near_duplicates}

    def __add__(self, other: StoreSummary) -> StoreSummary:
        return StoreSummary(self.new + other.new, self.duplicates + other.duplicates,
                            self.sightings + other.sightings, self.near_duplicates + other.near_duplicates)


def bands(simhash: int) -> tuple[int, int, int, int]:
    value = to_unsigned64(simhash)
    return tuple((value >> (16 * i)) & 0xFFFF for i in range(4))  # type: ignore[return-value]


def _insert(session: Session, table: Any, values: dict[str, Any]) -> int | None:
    """INSERT .. ON CONFLICT DO NOTHING RETURNING id; None when a unique key already existed."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported dialects reach here
        raise RuntimeError(f"unsupported database dialect {dialect!r}")
    stmt = insert(table).values(**values).on_conflict_do_nothing().returning(table.id)
    return session.execute(stmt).scalar_one_or_none()


def _known_urls(session: Session, urls: list[str]) -> set[str]:
    known: set[str] = set()
    for i in range(0, len(urls), _CHUNK):
        chunk = urls[i:i + _CHUNK]
        known.update(session.scalars(select(MentionRow.canonical_url).where(MentionRow.canonical_url.in_(chunk))))
        known.update(session.scalars(select(MentionSighting.canonical_url)
                                     .where(MentionSighting.canonical_url.in_(chunk))))
    return known


def known_urls(session: Session, canonical_urls: Iterable[str]) -> set[str]:
    """Which of these canonical URLs are stored already (as mentions or sightings)."""
    return _known_urls(session, sorted(set(canonical_urls)))


def _near_original(session: Session, simhash: int) -> int | None:
    """Id of the first-seen mention within NEAR_DUPLICATE_BITS of ``simhash`` (its root if it is
    itself a near-duplicate), or None."""
    if simhash == 0:
        return None  # empty text: nothing to compare
    b = bands(simhash)
    rows = session.execute(
        select(MentionRow.id, MentionRow.simhash, MentionRow.near_duplicate_of)
        .where(or_(MentionRow.band0 == b[0], MentionRow.band1 == b[1], MentionRow.band2 == b[2],
                   MentionRow.band3 == b[3]))
        .order_by(MentionRow.id)
    ).all()
    target = to_unsigned64(simhash)
    for row_id, other, root in rows:
        if (to_unsigned64(other) ^ target).bit_count() <= NEAR_DUPLICATE_BITS:
            return root or row_id
    return None


def _values(m: Mention, run_id: int | None, near: int | None) -> dict[str, Any]:
    b = bands(m.simhash)
    return dict(source=m.source, channel=m.channel, url=m.url, canonical_url=m.canonical_url,
                fingerprint=m.fingerprint, simhash=to_signed64(m.simhash), band0=b[0], band1=b[1], band2=b[2],
                band3=b[3], title=m.title, text=m.text, author=m.author, published_at=m.published_at,
                fetched_at=m.fetched_at, thread_url=m.thread_url, site=m.site, authority=m.authority,
                replies=m.replies, views=m.views, likes=m.likes, shares=m.shares, extra=dict(m.extra),
                near_duplicate_of=near, run_id=run_id)


def _sighting(session: Session, m: Mention) -> bool:
    """Record ``m`` as reach of the stored mention with its fingerprint; False if none exists."""
    original = session.scalar(select(MentionRow.id).where(MentionRow.fingerprint == m.fingerprint))
    if original is None:
        return False
    _insert(session, MentionSighting, dict(mention_id=original, canonical_url=m.canonical_url, source=m.source,
                                           site=m.site, seen_at=m.fetched_at))
    return True


def store_mentions(session: Session, mentions: Iterable[Mention], *, run_id: int | None = None) -> StoreSummary:
    """Store ``mentions`` inside the caller's transaction (see module docstring)."""
    mentions = list(mentions)
    known = _known_urls(session, sorted({m.canonical_url for m in mentions}))
    new = duplicates = sightings = near_count = 0
    for m in mentions:
        if m.canonical_url in known:
            duplicates += 1
            continue
        known.add(m.canonical_url)
        if _sighting(session, m):
            sightings += 1
            continue
        near = _near_original(session, m.simhash)
        inserted = _insert(session, MentionRow, _values(m, run_id, near))
        if inserted is not None:
            new += 1
            near_count += near is not None
            continue
        # lost a race: another writer stored this URL or this text a moment ago
        if session.scalar(select(MentionRow.id).where(MentionRow.canonical_url == m.canonical_url)) is not None:
            duplicates += 1
        elif _sighting(session, m):
            sightings += 1
        else:
            duplicates += 1
    return StoreSummary(new=new, duplicates=duplicates, sightings=sightings, near_duplicates=near_count)


def to_record(row: MentionRow) -> StoredMention:
    mention = Mention(
        source=row.source, channel=row.channel, url=row.url, canonical_url=row.canonical_url, title=row.title,
        text=row.text, fetched_at=row.fetched_at, published_at=row.published_at, author=row.author,
        fingerprint=row.fingerprint, simhash=to_unsigned64(row.simhash), thread_url=row.thread_url,
        site=row.site, authority=row.authority, replies=row.replies, views=row.views, likes=row.likes,
        shares=row.shares, extra=dict(row.extra or {}))
    return StoredMention(id=row.id, mention=mention, near_duplicate_of=row.near_duplicate_of)


def unanalysed_mentions(session: Session, limit: int = 500, after_id: int = 0) -> list[StoredMention]:
    """Mentions with no annotation yet, oldest first, with ids above ``after_id`` (for paging)."""
    rows = session.scalars(
        select(MentionRow).outerjoin(Annotation, Annotation.mention_id == MentionRow.id)
        .where(Annotation.mention_id.is_(None), MentionRow.id > after_id)
        .order_by(MentionRow.id).limit(limit))
    return [to_record(r) for r in rows]


def mentions_by_id(session: Session, ids: Iterable[int]) -> dict[int, StoredMention]:
    wanted = sorted(set(ids))
    out: dict[int, StoredMention] = {}
    for i in range(0, len(wanted), _CHUNK):
        for row in session.scalars(select(MentionRow).where(MentionRow.id.in_(wanted[i:i + _CHUNK]))):
            out[row.id] = to_record(row)
    return out


def sighting_counts(session: Session, mention_ids: Iterable[int]) -> dict[int, int]:
    """How many other URLs carried each mention's exact text (reach)."""
    from sqlalchemy import func

    wanted = sorted(set(mention_ids))
    out: dict[int, int] = {}
    for i in range(0, len(wanted), _CHUNK):
        rows = session.execute(select(MentionSighting.mention_id, func.count())
                               .where(MentionSighting.mention_id.in_(wanted[i:i + _CHUNK]))
                               .group_by(MentionSighting.mention_id))
        out.update({mid: int(n) for mid, n in rows})
    return out
