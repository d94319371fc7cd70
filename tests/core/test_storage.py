"""Schema, migrations and transactions on SQLite, and the same on the real PostgreSQL server."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database, normalise_url
from storage.errors import DatabaseLocked, DatabaseUnavailable, DiskFull
from storage.models import Event, Mention, Run
from storage.types import to_signed64, to_unsigned64

T0 = datetime(2026, 3, 14, 1, 0, tzinfo=timezone.utc)
TABLES = {"sources", "http_cache", "mentions", "mention_sightings", "annotations", "sentiment_corrections",
          "events", "event_mentions", "warnings", "alerts", "deliveries", "runs"}


def _mention(n: int, **kw) -> Mention:
    values = dict(source="s", channel="forum", url=f"http://x/{n}", canonical_url=f"http://x/{n}",
                  fingerprint=f"fp{n}", simhash=to_signed64((1 << 64) - n), band0=1, band1=2, band2=3, band3=4,
                  title="t", text="长河银行", fetched_at=T0, published_at=T0 + timedelta(hours=8))
    values.update(kw)
    return Mention(**values)


def _exercise(db: Database) -> None:
    db.create_schema()
    db.create_schema()  # idempotent: a second upgrade is a no-op
    assert TABLES <= set(inspect(db.engine).get_table_names())
    with db.transaction() as s:
        s.add(_mention(1))
    with db.transaction() as s:
        stored = s.scalars(select(Mention)).one()
        assert stored.published_at == T0 + timedelta(hours=8)
        assert stored.published_at.tzinfo is not None
        assert to_unsigned64(stored.simhash) == (1 << 64) - 1
    # a failing transaction leaves nothing behind
    with pytest.raises(IntegrityError):
        with db.transaction() as s:
            s.add(_mention(2))
            s.flush()
            s.add(_mention(3, canonical_url="http://x/1"))
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Mention)) == 1
        s.add(Event(key="k", entity="长河银行", topic="fees", first_seen=T0, last_seen=T0, updated_at=T0,
                    state={"held": 2, "since": "2026-03-14"}))
        s.add(Run(stage="crawl", started_at=T0, stats={"new": 3}))
    with db.transaction() as s:
        assert s.scalars(select(Event)).one().state == {"held": 2, "since": "2026-03-14"}


def test_sqlite_schema_and_transactions(db):
    _exercise(db)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.postgres
def test_postgresql_schema_and_transactions(pg_url):
    db = Database(pg_url)
    try:
        assert db.dialect == "postgresql"
        _exercise(db)
    finally:
        db.dispose()


def test_naive_datetimes_are_refused(db):
    with pytest.raises(Exception, match="naive datetime"):
        with db.transaction() as s:
            s.add(_mention(9, fetched_at=datetime(2026, 1, 1)))


def test_postgres_urls_use_psycopg3():
    assert normalise_url("postgresql://h/db") == "postgresql+psycopg://h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unreachable_server_is_reported_as_unavailable():
    db = Database("postgresql://root@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailable, match="cannot reach the database"):
        db.ping()


def test_missing_sqlite_folder(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="does not exist"):
        Database(f"sqlite:///{tmp_path}/no/such/monitor.db")


def test_garbage_url():
    with pytest.raises(DatabaseUnavailable, match="cannot parse database URL"):
        Database("not a url")


def test_locked_sqlite_is_reported(tmp_path):
    url = f"sqlite:///{tmp_path}/m.db"
    holder = Database(url)
    holder.create_schema()
    waiter = Database(url, busy_timeout=0.2)
    with holder.engine.connect() as conn:
        conn.exec_driver_sql("BEGIN EXCLUSIVE")
        with pytest.raises(DatabaseLocked, match="locked by another process"):
            with waiter.transaction() as s:
                s.add(Run(stage="crawl", started_at=T0))
        conn.exec_driver_sql("ROLLBACK")


def test_full_database_is_reported_as_disk_full(db):
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    with pytest.raises(DiskFull, match="disk full"):
        with db.transaction() as s:
            s.connection().exec_driver_sql(f"PRAGMA max_page_count = {pages}")
            for n in range(200):
                s.add(_mention(100 + n, text="长河银行" * 500))
            s.flush()
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Mention)) == 0


def test_migrations_match_the_models(db):
    """A model changed without its migration would leave databases behind the code."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.models import Base

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
