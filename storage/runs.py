"""Bookkeeping of stage runs: what ran, when, with which clock, and what it did."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from .db import Database
from .models import Run


def start_run(db: Database, stage: str, *, started_at: datetime, now: datetime | None) -> int:
    with db.transaction() as session:
        run = Run(stage=stage, started_at=started_at, now=now, status="running", stats={})
        session.add(run)
        session.flush()
        return run.id


def finish_run(db: Database, run_id: int, *, finished_at: datetime, status: str,
               stats: dict[str, Any] | None = None, error: str | None = None) -> None:
    with db.transaction() as session:
        run = session.get(Run, run_id)
        if run is None:
            return
        run.finished_at = finished_at
        run.status = status
        run.stats = stats or {}
        run.error = error


def recent_runs(db: Database, limit: int = 20) -> list[Run]:
    with db.transaction() as session:
        return list(session.scalars(select(Run).order_by(Run.id.desc()).limit(limit)))


def mark_interrupted(db: Database, *, at: datetime) -> int:
    """Runs still 'running' when the run lock is free were killed: say so in their rows."""
    with db.transaction() as session:
        stale = list(session.scalars(select(Run).where(Run.status == "running")))
        for run in stale:
            run.status = "interrupted"
            run.finished_at = at
        return len(stale)
