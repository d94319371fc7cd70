"""One cycle of everything that is due: crawl -> analyse -> score -> alert.

Each stage commits its own work; the cycle only sequences them and records a Run per stage.
A stage that fails is recorded as failed and the error propagates, so cron sees a non-zero
exit; what the earlier stages stored stays stored and the next run picks up from there.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from config.loader import Config
from storage.db import Database
from storage.runs import finish_run, start_run

from .clock import utcnow

log = logging.getLogger(__name__)

STAGES = ("crawl", "analyse", "score", "alert")


@dataclass
class CycleSummary:
    now: datetime
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"now": self.now.isoformat(), "stages": self.stages}


def _stage_callable(name: str) -> Callable[..., Any]:
    if name == "crawl":
        from stages.crawl import crawl_due

        return crawl_due
    if name == "analyse":
        from stages.analyse import analyse_pending

        return analyse_pending
    if name == "score":
        from stages.score import score_pending

        return score_pending
    from stages.alert import dispatch_pending

    return dispatch_pending


def run_stage(name: str, config: Config, db: Database, *, now: datetime,
              clock: Callable[[], datetime] = utcnow, **options: Any) -> dict[str, Any]:
    """Run one stage and record it; `now` is the scoring/alert clock, `clock` the real one."""
    func = _stage_callable(name)
    run_id = start_run(db, name, started_at=clock(), now=now)
    try:
        if name == "crawl":
            summary = func(config, db, clock=clock, **options)
        else:
            summary = func(config, db, now=now, **options)
    except BaseException as exc:
        finish_run(db, run_id, finished_at=clock(), status="failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    stats = summary.as_dict() if hasattr(summary, "as_dict") else dict(summary or {})
    finish_run(db, run_id, finished_at=clock(), status="ok", stats=stats)
    log.info("stage finished", extra={"stage": name, "stats": stats})
    return stats


# stages that report progress(done, total) while they work
WITH_PROGRESS = ("crawl", "analyse", "score")
ProgressFactory = Callable[[str], AbstractContextManager[Callable[[int, int], None] | None]]


def run_cycle(config: Config, db: Database, *, now: datetime, clock: Callable[[], datetime] = utcnow,
              stages: Sequence[str] = STAGES, stage_options: dict[str, dict[str, Any]] | None = None,
              progress: ProgressFactory | None = None) -> CycleSummary:
    """Run the chosen stages in order. ``progress(stage)`` may open a progress display for a
    stage (a bar on a terminal); it yields the callback the stage reports to, or None."""
    summary = CycleSummary(now=now)
    for name in STAGES:
        if name not in stages:
            continue
        options = dict((stage_options or {}).get(name, {}))
        with (progress(name) if progress and name in WITH_PROGRESS else nullcontext(None)) as report:
            if report is not None:
                options["progress"] = report
            summary.stages[name] = run_stage(name, config, db, now=now, clock=clock, **options)
    return summary
