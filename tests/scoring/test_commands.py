"""The scoring commands through pipeline.py: events, warnings, explain, backtest, merge, split."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import pipeline
from config.loader import REPO_ROOT, load_config
from stages.score import score_pending
from storage.db import Database
from storage.models import EarlyWarning, Event, EventMention

from .conftest import T0, insert, row
from .test_scenarios import BRANCHES


@pytest.fixture()
def store(tmp_path):
    url = f"sqlite:///{tmp_path}/cli.db"
    db = Database(url)
    db.create_schema()
    rows = [row(1 + i, author=f"客户{i}", branch=b, city=c, province=p, harm=1) for i, (b, c, p) in enumerate(BRANCHES)]
    rows.append(row(2, author="借款人", watched=("长河如意贷",), topics=("loan_collection",), harm=2))
    insert(db, rows)
    config = load_config()
    for hour in (2, 3, 4, 6):
        score_pending(config, db, now=T0 + timedelta(hours=hour))
    yield url, db, rows
    db.dispose()


def cli(capsys, *args):
    code = pipeline.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _ids(db):
    with db.transaction() as s:
        return {e.entity: e.id for e in s.scalars(select(Event))}


def test_events_json_gives_ids_colours_counts_and_urls(store, capsys):
    url, db, rows = store
    code, out, _ = cli(capsys, "events", "--format", "json", "--db", url)
    assert code == 0
    data = {d["entity"]: d for d in json.loads(out)}
    outage = data["长河手机银行"]
    assert outage["colour"] == "yellow" and outage["topics"] == ["system_outage"]
    assert outage["counts"] == {"mentions": 3, "stories": 3, "negative": 3}
    assert sorted(outage["urls"]) == sorted(r["url"] for r in rows[:3])
    assert outage["first_seen"] == (T0 + timedelta(hours=1)).isoformat()
    assert data["长河如意贷"]["colour"] == "blue"
    code, out, _ = cli(capsys, "events", "--db", url)
    assert code == 0 and "长河手机银行" in out.splitlines()[1] + out.splitlines()[2]


def test_warnings_json_lists_colour_changes(store, capsys):
    url, db, _ = store
    code, out, _ = cli(capsys, "warnings", "--format", "json", "--db", url)
    assert code == 0
    changes = sorted((d["entity"], d["previous_colour"] or "", d["colour"]) for d in json.loads(out))
    assert changes == [("长河如意贷", "", "blue"), ("长河手机银行", "", "blue"), ("长河手机银行", "blue", "yellow")]


def test_explain_in_chinese(store, capsys):
    url, db, _ = store
    event_id = _ids(db)["长河手机银行"]
    code, out, _ = cli(capsys, "explain", str(event_id), "--db", url)
    assert code == 0
    config = load_config()
    assert f"事件 #{event_id}：长河手机银行 · 系统故障（system_outage）" in out
    assert "由蓝色变为黄色" in out
    assert f"阈值文件哈希：{config.thresholds_hash}（与当前阈值文件一致）" in out
    assert "不同发帖人/投诉人数（authors）：3" in out
    assert "颜色规则 yellow（至少黄色）：authors >= 3（实际 3）；branches >= 3（实际 3）；cities >= 3（实际 3）" in out
    assert "黄色预警（关联性：多名客户反映同类问题）——准处理" in out
    assert "责任主体：牵头部门；响应时限：8 小时内" in out


def test_explain_unknown_event_is_not_found(store, capsys):
    url, _, _ = store
    code, _, err = cli(capsys, "explain", "999", "--db", url)
    assert code == pipeline.EXIT_NOT_FOUND
    assert err.strip() == "error: no event with id 999"


def _counts(db):
    with db.transaction() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Event, EventMention, EarlyWarning))


def test_backtest_compares_and_writes_nothing(store, capsys, tmp_path):
    url, db, _ = store
    candidate = tmp_path / "new.yaml"
    text = (REPO_ROOT / "thresholds.yaml").read_text(encoding="utf-8")
    candidate.write_text(text.replace("        - authors >= 3\n        - branches >= 3\n        - cities >= 3\n",
                                      "        - authors >= 2\n", 1), encoding="utf-8")
    before = _counts(db)
    args = ["--since", (T0).isoformat(), "--until", (T0 + timedelta(hours=8)).isoformat(), "--db", url]
    code, out, err = cli(capsys, "backtest", "--thresholds", str(candidate), "--format", "json", *args)
    assert code == 0, err
    data = json.loads(out)
    assert data["counts"]["yellow"] == {"current": 1, "candidate": 1}
    assert [(d["colour"], d["current"][:13], d["candidate"][:13]) for d in data["earlier"]] == [
        ("yellow", (T0 + timedelta(hours=3)).isoformat()[:13], (T0 + timedelta(hours=2)).isoformat()[:13])]
    assert data["appear"] == [] and data["disappear"] == [] and data["later"] == []
    assert _counts(db) == before
    code, out, _ = cli(capsys, "backtest", "--candidate", str(candidate), *args)
    assert code == 0 and "提前的预警：1 条" in out and "黄色：1 → 1（+0）" in out


def test_backtest_without_a_candidate_is_a_usage_error(store, capsys):
    url, _, _ = store
    code, _, err = cli(capsys, "backtest", "--db", url)
    assert code == pipeline.EXIT_CONFIG and "--thresholds NEW.yaml" in err


def test_merge_and_split(store, capsys):
    url, db, _ = store
    ids = _ids(db)
    outage, loan = ids["长河手机银行"], ids["长河如意贷"]
    now = (T0 + timedelta(hours=7)).isoformat()
    code, out, err = cli(capsys, "merge-events", str(outage), str(loan), "--db", url, "--now", now)
    assert code == 0, err
    with db.transaction() as s:
        assert s.get(Event, loan).merged_into == outage
        assert s.scalar(select(func.count()).select_from(EventMention).where(EventMention.event_id == outage)) == 4
    code, _, err = cli(capsys, "merge-events", str(outage), str(loan), "--db", url, "--now", now)
    assert code == pipeline.EXIT_INPUT and f"event {loan} was already merged into event {outage}" in err
    with db.transaction() as s:
        loan_mention = s.scalars(select(EventMention.mention_id).where(EventMention.event_id == outage)
                                 .order_by(EventMention.mention_id.desc())).first()
    code, out, err = cli(capsys, "split-event", str(outage), "--mentions", str(loan_mention), "--topic",
                         "loan_collection", "--db", url, "--now", now)
    assert code == 0, err
    with db.transaction() as s:
        new = s.scalars(select(Event).order_by(Event.id.desc())).first()
        assert (new.topic, new.colour) == ("loan_collection", "blue")
        assert list(s.scalars(select(EventMention.mention_id).where(EventMention.event_id == new.id))) == [loan_mention]
    code, _, err = cli(capsys, "split-event", "999", "--mentions", "1", "--db", url)
    assert code == pipeline.EXIT_NOT_FOUND
