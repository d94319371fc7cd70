"""The long-running service (`pipeline.py schedule`), built on APScheduler 3.x.

Every job takes the same run lock as `pipeline.py run`, without waiting: if cron or another job
holds it, the job is skipped and logged, never queued behind it. Per-source crawl intervals,
time slots and back-off live in the sources' health rows, so the crawl job simply asks every
minute which sources are due; that state is in the database, so several machines can share it.
"""
from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from config.errors import AlreadyRunning
from config.loader import Config
from storage.db import Database

from .clock import utcnow
from .cycle import run_stage

log = logging.getLogger(__name__)

# job id -> (trigger arguments, stage); misfire grace and coalescing are set explicitly below
JOBS: dict[str, tuple[dict[str, Any], str]] = {
    "crawl": ({"minutes": 1}, "crawl"),
    "analyse": ({"minutes": 2}, "analyse"),
    "score": ({"minutes": 5}, "score"),
    "alert": ({"minutes": 1}, "alert"),
}
DAILY_REPORT = {"hour": 8, "minute": 30, "timezone": "Asia/Shanghai"}
MISFIRE_GRACE_S = 120


def _guarded(lock_path: Path, name: str, work: Callable[[], Any]) -> Callable[[], None]:
    from commands.runlock import run_lock

    def job() -> None:
        try:
            with run_lock(lock_path):
                work()
        except AlreadyRunning:
            log.info("job skipped: another run holds the lock", extra={"job": name})
        except Exception:  # a failing job must not stop the service; the Run row records it
            log.exception("job failed", extra={"job": name})

    return job


def build_scheduler(config: Config, db: Database, *, lock_path: Path,
                    now_override: datetime | None = None) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_S, "replace_existing": True}

    def clock() -> datetime:
        return now_override or utcnow()

    for job_id, (interval, stage) in JOBS.items():
        work = (lambda stage=stage: run_stage(stage, config, db, now=clock(), clock=utcnow))
        scheduler.add_job(_guarded(lock_path, job_id, work), IntervalTrigger(**interval), id=job_id,
                          name=f"{stage} stage", next_run_time=utcnow(), **defaults)

    def daily_report() -> None:
        from stages.alert import send_daily_report

        send_daily_report(config, db, now=clock())

    scheduler.add_job(_guarded(lock_path, "daily-report", daily_report), CronTrigger(**DAILY_REPORT),
                      id="daily-report", name="daily report", **defaults)
    return scheduler


def serve_forever(config: Config, db: Database, *, lock_path: Path, now_override: datetime | None = None) -> None:
    scheduler = build_scheduler(config, db, lock_path=lock_path, now_override=now_override)

    def stop(signum: int, _frame: Any) -> None:
        log.info("stopping on signal", extra={"signal": signum})
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler starting", extra={"jobs": sorted(j.id for j in scheduler.get_jobs())})
    scheduler.start()
