"""End to end through stages/score.py on a temporary SQLite database."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from stages.score import score_pending
from storage.db import Database
from storage.models import Annotation, EarlyWarning, Event, EventMention

from .conftest import T0, insert, make_config, row
from .test_scenarios import BRANCHES


@pytest.fixture()
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/t.db")
    database.create_schema()
    yield database
    database.dispose()


def _story():
    rows = [row(1 + i, author=f"客户{i}", branch=b, city=c, province=p, harm=2, site=f"site{i}.example",
                channel=("forum", "complaint", "forum")[i], text="转账失败，取不出钱")
            for i, (b, c, p) in enumerate(BRANCHES)]
    rows.append(row(1.5, author="转发者", site="repost.example", near_duplicate_of=rows[0]["id"], harm=2))
    rows.append(row(2, author="另一人", watched=("长河如意贷",), topics=("loan_collection",), harm=2))
    rows.append(row(2, author="摄影", watched=(), entities=[], topics=(), harm=0))
    rows.append(row(8, author="记者", site="cnfin.example", channel="news", outlet="中国财经时报", authority=0.9,
                    harm=3, text="储户排长队取钱，挤兑传言"))
    return rows


def _state(db):
    with db.transaction() as s:
        events = [(e.key, e.colour, e.status, sorted(m for m in s.scalars(
            select(EventMention.mention_id).where(EventMention.event_id == e.id)))) for e in s.scalars(select(Event).order_by(Event.id))]
        warnings = [(w.event_id, w.colour, w.previous_colour, w.evaluated_at) for w in
                    s.scalars(select(EarlyWarning).order_by(EarlyWarning.id))]
        pending = s.scalar(select(func.count()).select_from(Annotation).where(Annotation.scored_at.is_(None)))
    return events, warnings, pending


def test_score_pending_end_to_end_with_the_clock_advancing(db, thresholds):
    config = make_config(thresholds)
    rows = _story()
    insert(db, rows)
    colours = {}
    for hour in (2, 4, 5, 9):
        summary = score_pending(config, db, now=T0 + timedelta(hours=hour))
        with db.transaction() as s:
            colours[hour] = {e.entity: e.colour for e in s.scalars(select(Event))}
    assert colours[2] == {"长河手机银行": "blue", "长河如意贷": "blue"}  # later mentions wait for their time
    assert colours[4]["长河手机银行"] == "yellow"  # three customers, three branches; orange held once
    assert colours[5]["长河手机银行"] == "orange"
    assert colours[9]["长河手机银行"] == "red"  # national outlet + bank-run words
    events, warnings, pending = _state(db)
    assert pending == 0 and len(events) == 2  # the everyday-sense mention joined nothing
    outage = [e for e in events if e[0].startswith("长河手机银行")][0]
    assert len(outage[3]) == 5  # three originals, one repost, the news report
    with db.transaction() as s:
        last = s.scalars(select(EarlyWarning).order_by(EarlyWarning.id.desc())).first()
        assert last.colour == "red" and last.previous_colour == "orange"
        assert last.thresholds_hash == "testhash"
        assert last.indicators["stories"] == 4 and last.indicators["reach"] == 1
        assert any(r.get("name") == "run_with_authority" for r in last.rules)
    assert summary.events_evaluated >= 1


def test_rerun_after_a_crash_ends_in_the_same_state(db, thresholds, tmp_path, monkeypatch):
    config = make_config(thresholds)
    insert(db, _story())
    import stages.score as stage

    def boom(*args, **kwargs):
        raise RuntimeError("killed between placement and evaluation")

    monkeypatch.setattr(stage, "_evaluate_open", boom)
    with pytest.raises(RuntimeError):
        score_pending(config, db, now=T0 + timedelta(hours=9))
    monkeypatch.undo()
    score_pending(config, db, now=T0 + timedelta(hours=9))
    crashed = _state(db)
    score_pending(config, db, now=T0 + timedelta(hours=9))  # a plain rerun changes nothing
    assert _state(db) == crashed

    clean = Database(f"sqlite:///{tmp_path}/clean.db")
    clean.create_schema()
    insert(clean, _story_with_same_ids(db))
    score_pending(config, clean, now=T0 + timedelta(hours=9))
    assert _state(clean) == crashed
    clean.dispose()


def _story_with_same_ids(db):
    """The same rows again (same ids) for a second database."""
    from storage.models import Mention

    with db.transaction() as s:
        ids = sorted(s.scalars(select(Mention.id)))
    rows = _story()
    for r, mid in zip(rows, ids):
        old = r["id"]
        r["id"], r["url"] = mid, r["url"].rsplit("/", 1)[0] + f"/{mid}"
        for other in rows:
            if other["near_duplicate_of"] == old:
                other["near_duplicate_of"] = mid
    return rows


@pytest.mark.postgres
def test_score_pending_on_postgresql(pg_url, thresholds):
    database = Database(pg_url)
    database.create_schema()
    try:
        config = make_config(thresholds)
        insert(database, _story())
        for hour in (2, 4, 5, 9):
            score_pending(config, database, now=T0 + timedelta(hours=hour))
        with database.transaction() as s:
            colours = {e.entity: e.colour for e in s.scalars(select(Event))}
        assert colours == {"长河手机银行": "red", "长河如意贷": "blue"}
        from stages.score import backtest

        result, _, _ = backtest(config, thresholds, thresholds, database, since=None, until=T0 + timedelta(hours=9))
        assert result.counts["red"] == (1, 1) and result.appear == []
    finally:
        database.dispose()
