"""`pipeline.py demo`: the main job on its embedded default, over the bundled sample sites.

It is not a separate code path: the same stages run (crawl over HTTP, NLP, scoring, alerts)
against a local server on 127.0.0.1, into a fresh SQLite file. Because the story happened in
March 2026, scoring and alerts are replayed with the clock stepping through it, as `--now`
would, so the feed shows the warnings rise the way a monitoring desk would have seen them.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import io

from alerts.notifiers.base import Transports
from config.loader import DEFAULT_CONFIG_DIR, DEFAULT_THRESHOLDS, load_config
from stages.cycle import run_stage
from stages.alert import feed
from storage.db import Database

from .server import serve
from .story import FIRST_ITEM_AT, STORY_NOW

DEFAULT_PORT = 8765
REPLAY_STEP = timedelta(hours=2)


def replay_times(start: datetime, end: datetime, step: timedelta = REPLAY_STEP) -> list[datetime]:
    times, t = [], start
    while t < end:
        times.append(t)
        t += step
    return times + [end]


def config_folder_for_port(port: int, folder: Path, thresholds: Path | None = None) -> Path:
    """A copy of the default config whose sources point at the sample sites on ``port``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("watchlist.yaml", "taxonomy.yaml", "alerts.yaml"):
        shutil.copyfile(DEFAULT_CONFIG_DIR / name, folder / name)
    text = (DEFAULT_CONFIG_DIR / "sources.yaml").read_text(encoding="utf-8")
    (folder / "sources.yaml").write_text(text.replace(f"127.0.0.1:{DEFAULT_PORT}", f"127.0.0.1:{port}"), encoding="utf-8")
    shutil.copyfile(thresholds or DEFAULT_THRESHOLDS, folder / "thresholds.yaml")
    return folder


def _config_for_port(app, port: int, out: Path):
    """The default config points at port 8765; on another port, use a copy that says so."""
    if port == DEFAULT_PORT or app.config_dir:
        return app.config
    return load_config(config_folder_for_port(port, out / "config", app.thresholds))


def run_demo(app, *, port: int, out: Path, echo: Callable[[str], None] = print) -> list:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    config = _config_for_port(app, port, out)
    db = Database(app.db_url or f"sqlite:///{out}/demo.db")
    db.create_schema()
    end = app.now_override or STORY_NOW
    try:
        with serve(port) as server:
            echo(f"demo: sample sites at {server.base_url}; database {db.url}")
            # The crawl clock is the story's too: a page time without a year (03-15 07:40) is
            # read in the year of the crawl, and this story happened in 2026.
            crawl = run_stage("crawl", config, db, now=end, clock=lambda: end, force=True)
            echo(f"demo: crawled {crawl.get('new', '?')} new mentions from {len(crawl.get('covered', []))} sources")
        analysed = run_stage("analyse", config, db, now=end)
        echo(f"demo: analysed {analysed.get('analysed', '?')} mentions")
        # The console channel would print each alert as it is sent during the replay; the feed
        # is printed once, in order, at the end instead.
        quiet = Transports(stream=io.StringIO())
        for moment in replay_times(FIRST_ITEM_AT, end):
            run_stage("score", config, db, now=moment)
            run_stage("alert", config, db, now=moment, transports=quiet)
        alerts = feed(db)
        echo("")
        echo(f"预警信息流（{len(alerts)} 条）")
        for alert in alerts:
            echo("—" * 40)
            echo(alert.body)
        return alerts
    finally:
        db.dispose()
