"""Source health rows and HTTP validators (conditional GET), read and written for the crawl stage.

Writes are upserts (``INSERT .. ON CONFLICT DO UPDATE``) so two processes saving the same
source's health never fail each other; the last writer wins, which is what health wants.
"""
from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawlers.health import SourceHealth
from crawlers.http import CacheEntry

from .models import HttpCache, Source

_HEALTH_FIELDS = tuple(f.name for f in fields(SourceHealth) if f.name != "name")


def _upsert(session: Session, table: Any, key: str, values: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(**values)
    update = {k: stmt.excluded[k] for k in values if k != key}
    session.execute(stmt.on_conflict_do_update(index_elements=[key], set_=update))


def to_health(row: Source) -> SourceHealth:
    return SourceHealth(name=row.name, **{f: getattr(row, f) for f in _HEALTH_FIELDS
                                           if f != "state"}, state=dict(row.state or {}))


def load_health(session: Session, names: Iterable[str] | None = None) -> dict[str, SourceHealth]:
    """Health of the named sources (all when None); sources never saved are absent."""
    query = select(Source)
    if names is not None:
        query = query.where(Source.name.in_(list(names)))
    return {row.name: to_health(row) for row in session.scalars(query)}


def save_health(session: Session, health: SourceHealth, *, type: str, channel: str) -> None:  # noqa: A002
    values = asdict(health)
    values.update(type=type, channel=channel, state=dict(health.state))
    _upsert(session, Source, "name", values)


def broken_unalerted(session: Session) -> list[SourceHealth]:
    """Broken sources whose one operational alert has not gone out yet (for the alert stage)."""
    rows = session.scalars(select(Source).where(Source.status == "broken", Source.broken_alerted.is_(False))
                           .order_by(Source.name))
    return [to_health(r) for r in rows]


def mark_broken_alerted(session: Session, name: str) -> None:
    row = session.get(Source, name)
    if row is not None:
        row.broken_alerted = True


def load_http_cache(session: Session, urls: Iterable[str]) -> dict[str, CacheEntry]:
    wanted = sorted(set(urls))
    out: dict[str, CacheEntry] = {}
    for i in range(0, len(wanted), 500):
        for row in session.scalars(select(HttpCache).where(HttpCache.url.in_(wanted[i:i + 500]))):
            out[row.url] = CacheEntry(row.etag, row.last_modified)
    return out


def save_http_cache(session: Session, entries: dict[str, CacheEntry], *, now: datetime) -> None:
    for url, entry in entries.items():
        _upsert(session, HttpCache, "url", dict(url=url, etag=(entry.etag or None) and entry.etag[:500],
                                               last_modified=(entry.last_modified or None)
                                               and entry.last_modified[:100], updated_at=now))
