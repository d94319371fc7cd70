"""The scheduler's wiring: explicit ids, coalescing, misfire grace, and the shared run lock."""
from __future__ import annotations

import logging
from types import SimpleNamespace

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from commands.runlock import run_lock
from stages import service


def test_jobs_have_explicit_ids_and_policies(tmp_path):
    scheduler = service.build_scheduler(SimpleNamespace(), SimpleNamespace(), lock_path=tmp_path / "l")
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"crawl", "analyse", "score", "alert", "daily-report"}
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == service.MISFIRE_GRACE_S
    assert isinstance(jobs["crawl"].trigger, IntervalTrigger)
    assert isinstance(jobs["daily-report"].trigger, CronTrigger)


def test_job_skips_while_another_run_holds_the_lock(tmp_path, caplog):
    calls = []
    job = service._guarded(tmp_path / "l", "score", lambda: calls.append(1))
    with run_lock(tmp_path / "l"):
        with caplog.at_level(logging.INFO):
            job()
    assert calls == []
    assert "another run holds the lock" in caplog.text
    job()
    assert calls == [1]


def test_failing_job_does_not_stop_the_service(tmp_path, caplog):
    def boom():
        raise RuntimeError("source exploded")

    service._guarded(tmp_path / "l", "crawl", boom)()
    assert "job failed" in caplog.text
