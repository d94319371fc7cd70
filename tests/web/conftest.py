"""Fixtures for the dashboard tests: a temp SQLite database seeded row by row, the bundled
config, and the app over them."""
from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from web_helpers import (HASH, NOW, ORANGE_INDICATORS, ORANGE_RULES, SCRIPT_TITLE, T0,  # noqa: E402
                         annotation_row, mention_row)


@pytest.fixture(scope="session")
def config():
    from config.loader import load_config

    return load_config()


@pytest.fixture
def wdb(tmp_path: Path):
    from storage.db import Database

    database = Database(f"sqlite:///{tmp_path}/t.db")
    database.create_schema()
    yield database
    database.dispose()


@pytest.fixture
def seeded(wdb):
    """Two open events (orange, blue), one closed, one merged; mentions (one with a script in its
    title, one with a javascript: URL), warnings, one alert, two sources and two runs."""
    from storage.models import Alert, EarlyWarning, Event, EventMention, Run, Source

    with wdb.transaction() as s:
        s.add_all([
            Source(name="forum-a", type="html", channel="forum", status="ok", last_success_at=T0,
                   consecutive_failures=0, items_last_run=12, new_items_last_run=3),
            Source(name="news-b", type="rss", channel="news", status="broken", last_error="HTTP 503 from server",
                   last_error_at=T0, consecutive_failures=4, items_last_run=0),
        ])
        s.add_all([mention_row(1, SCRIPT_TITLE, "https://forum.example/t/1", T0),
                   mention_row(2, "网点排队两小时", "https://forum.example/t/2", T0 + timedelta(hours=1)),
                   mention_row(3, "奇怪链接", "javascript:alert(1)", T0 + timedelta(hours=2)),
                   mention_row(4, "另一件小事", "https://forum.example/t/4", T0, source="news-b")])
        s.flush()
        s.add_all([annotation_row(1, "neg", 2), annotation_row(2, "neg", 1), annotation_row(3, "neu", 0),
                   annotation_row(4, "neg", 0)])
        events = [
            Event(id=1, key="e1", entity="长河银行", topic="queue_wait", status="active", first_seen=T0,
                  last_seen=T0 + timedelta(hours=2), colour="orange", colour_since=T0 + timedelta(hours=3),
                  updated_at=NOW),
            Event(id=2, key="e2", entity="长河银行", topic="fees", status="new", first_seen=T0, last_seen=T0,
                  colour="blue", colour_since=T0, updated_at=NOW),
            Event(id=3, key="e3", entity="长河银行", topic="fraud_scam", status="closed", first_seen=T0,
                  last_seen=T0, colour=None, updated_at=NOW),
            Event(id=4, key="e4", entity="长河银行", topic="queue_wait", status="closed", first_seen=T0,
                  last_seen=T0, colour=None, merged_into=1, updated_at=NOW),
        ]
        s.add_all(events)
        s.flush()
        s.add_all([EventMention(event_id=1, mention_id=m) for m in (1, 2, 3)]
                  + [EventMention(event_id=2, mention_id=4)])
        w_blue = EarlyWarning(event_id=1, colour="blue", previous_colour=None, evaluated_at=T0 + timedelta(hours=1),
                              score=1.0, indicators={"stories": 1}, rules=ORANGE_RULES[1:], thresholds_hash=HASH)
        w_orange = EarlyWarning(event_id=1, colour="orange", previous_colour="blue",
                                evaluated_at=T0 + timedelta(hours=3), score=7.25, indicators=ORANGE_INDICATORS,
                                rules=ORANGE_RULES, thresholds_hash=HASH)
        w_e2 = EarlyWarning(event_id=2, colour="blue", previous_colour=None, evaluated_at=T0, score=9.0,
                            indicators={"stories": 1}, rules=ORANGE_RULES[1:], thresholds_hash=HASH)
        s.add_all([w_blue, w_orange, w_e2])
        s.flush()
        payload = {"version": 1, "id": f"warning:{w_orange.id}", "kind": "warning", "change": "raise",
                   "colour": "orange", "previous_colour": "blue",
                   "event": {"id": 1, "entity": "长河银行", "topic": "queue_wait", "topic_label": "排队等候"},
                   "warning_id": w_orange.id, "evaluated_at": w_orange.evaluated_at.isoformat(), "score": 7.25,
                   "rules": ORANGE_RULES, "indicators": ORANGE_INDICATORS, "handling": "快处理",
                   "advice": "快速响应，牵头部门介入。", "respond_within_hours": 4, "responsible": "工作小组"}
        s.add(Alert(kind="warning", warning_id=w_orange.id, route="ops", channel="console",
                    dedup_key=f"warning:{w_orange.id}:ops:console", subject="【橙色预警·升级】", body="正文",
                    payload=payload, status="sent", created_at=T0 + timedelta(hours=3), sent_at=T0))
        s.add_all([Run(stage="crawl", started_at=T0, finished_at=T0 + timedelta(minutes=2), status="ok", now=T0),
                   Run(stage="score", started_at=T0, finished_at=T0, status="failed", error="boom")])
    return wdb


@pytest.fixture
def app(config, seeded):
    from web import make_app

    return make_app(config, seeded, clock=lambda: NOW)
