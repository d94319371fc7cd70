"""The alert stage over a real SQLite database, with rows inserted directly."""
from __future__ import annotations

import io
import json
import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from alert_helpers import BASE_YAML, T0, Recorder, add_event, add_source, add_warning, make_config
from sqlalchemy import select

from alerts.notifiers.base import Transports
from alerts.records import DeliveryResult
from stages.alert import create_alerts, dispatch_pending, feed, send_daily_report
from storage.models import Alert, Delivery, Event, Source


def alerts(db) -> list[Alert]:
    with db.transaction() as s:
        return list(s.scalars(select(Alert).order_by(Alert.id)))


def deliveries(db) -> list[Delivery]:
    with db.transaction() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


def feed_lines(db) -> list[dict]:
    path = Path(db.url.removeprefix("sqlite:///")).parent / "feed.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_new_warning_goes_to_the_feed_once_across_reruns(db):
    config = make_config()
    with db.transaction() as s:
        event = add_event(s)
        add_warning(s, event, "blue", None, T0 - timedelta(hours=1))
        add_warning(s, event, "yellow", "blue", T0)
    summary = dispatch_pending(config, db, now=T0)
    assert (summary.created, summary.muted, summary.sent) == (1, 1, 1)
    rows = alerts(db)
    assert [(a.status, a.route, a.channel) for a in rows] == [("suppressed", "-", "-"), ("sent", "yellow-lead", "feed")]
    assert rows[0].body == "superseded by warning 2"
    [line] = feed_lines(db)
    assert line["colour"] == "yellow" and line["change"] == "raise" and line["audience"] == "牵头部门"
    again = dispatch_pending(config, db, now=T0 + timedelta(minutes=5))
    assert (again.created, again.muted, again.sent) == (0, 0, 0)
    assert len(alerts(db)) == 2 and len(feed_lines(db)) == 1 and len(deliveries(db)) == 1


def test_crash_between_create_and_deliver_loses_nothing(db):
    config = make_config()
    with db.transaction() as s:
        add_warning(s, add_event(s), "orange", None, T0)
    create_alerts(config, db, now=T0)  # ... and the process dies here
    assert [a.status for a in alerts(db)] == ["pending"]
    summary = dispatch_pending(config, db, now=T0 + timedelta(minutes=1))
    assert (summary.created, summary.sent) == (0, 1)
    assert [a.status for a in alerts(db)] == ["sent"]


def test_retryable_failures_back_off_between_runs_then_succeed(db):
    config = make_config()
    with db.transaction() as s:
        add_warning(s, add_event(s), "orange", None, T0)
    flaky = Recorder(DeliveryResult.retry("HTTP 503"), DeliveryResult.retry("HTTP 503"), DeliveryResult.success())
    transports = Transports(notifiers={"feed": flaky})
    assert dispatch_pending(config, db, now=T0, transports=transports).failed == 1
    # backoff 60 s after the first failure: a run 30 s later does not try
    waiting = dispatch_pending(config, db, now=T0 + timedelta(seconds=30), transports=transports)
    assert (waiting.waiting, len(flaky.sent)) == (1, 1)
    assert dispatch_pending(config, db, now=T0 + timedelta(seconds=61), transports=transports).failed == 1
    # then 120 s after the second failure
    assert dispatch_pending(config, db, now=T0 + timedelta(seconds=150), transports=transports).waiting == 1
    assert dispatch_pending(config, db, now=T0 + timedelta(seconds=182), transports=transports).sent == 1
    assert [(d.attempt, d.ok, d.retryable) for d in deliveries(db)] == [(1, False, True), (2, False, True), (3, True, False)]
    assert [a.status for a in alerts(db)] == ["sent"]
    assert dispatch_pending(config, db, now=T0 + timedelta(days=1), transports=transports).sent == 0
    assert len(flaky.sent) == 3


def test_permanent_failure_is_not_retried_and_attempts_are_bounded(db):
    config = make_config()
    with db.transaction() as s:
        add_warning(s, add_event(s, key="a"), "blue", None, T0)
        add_warning(s, add_event(s, key="b", entity="长河金卡"), "blue", None, T0)
    answers = {"长河手机银行": DeliveryResult.permanent("HTTP 404"), "长河金卡": DeliveryResult.retry("timeout")}

    class ByEntity:
        def send(self, note):
            return answers[note.payload["event"]["entity"]]

    transports = Transports(notifiers={"feed": ByEntity()})
    for minutes in (0, 2, 5, 10, 20, 60):
        dispatch_pending(config, db, now=T0 + timedelta(minutes=minutes), transports=transports)
    by_id = {a.id: a.status for a in alerts(db)}
    attempts = {}
    for d in deliveries(db):
        attempts[d.alert_id] = attempts.get(d.alert_id, 0) + 1
    assert sorted(by_id.values()) == ["dead", "dead"]
    assert sorted(attempts.values()) == [1, 3]  # permanent: once; retryable: max_attempts (3)


def test_fall_goes_as_info_to_the_route_of_the_higher_colour(db):
    config = make_config()
    with db.transaction() as s:
        event = add_event(s)
        add_warning(s, event, "red", "orange", T0)
    dispatch_pending(config, db, now=T0)
    with db.transaction() as s:
        event = s.merge(event)
        add_warning(s, event, "orange", "red", T0 + timedelta(hours=12))
    dispatch_pending(config, db, now=T0 + timedelta(hours=12))
    lines = feed_lines(db)
    assert [(x["route"], x["change"], x["priority"]) for x in lines] == [
        ("red-committee", "raise", "high"), ("red-committee", "fall", "info")]
    assert lines[1]["subject"] == "【橙色预警·降级】长河手机银行 · 系统故障"


def test_unchanged_colour_repeats_only_after_the_interval(db):
    config = make_config()
    with db.transaction() as s:
        add_warning(s, add_event(s), "orange", None, T0)
    dispatch_pending(config, db, now=T0)
    for hours in (1, 23, 23.9):
        assert dispatch_pending(config, db, now=T0 + timedelta(hours=hours)).created == 0
    reminder = dispatch_pending(config, db, now=T0 + timedelta(hours=24, minutes=1))
    assert (reminder.created, reminder.sent) == (1, 1)
    assert dispatch_pending(config, db, now=T0 + timedelta(hours=30)).created == 0
    assert dispatch_pending(config, db, now=T0 + timedelta(hours=48, minutes=2)).created == 1
    subjects = [x["subject"] for x in feed_lines(db)]
    assert subjects == ["【橙色预警】长河手机银行 · 系统故障"] + ["【橙色预警·提醒】长河手机银行 · 系统故障"] * 2
    assert "（第 2 次提醒）" in feed_lines(db)[2]["text"]


def test_blue_gets_no_reminders_by_default(db):
    config = make_config()
    with db.transaction() as s:
        event = add_event(s)
        add_warning(s, event, "blue", None, T0)
    dispatch_pending(config, db, now=T0)
    assert dispatch_pending(config, db, now=T0 + timedelta(hours=49)).created == 0
    with db.transaction() as s:
        add_warning(s, s.merge(event), "blue", "blue", T0 + timedelta(hours=50))
    dispatch_pending(config, db, now=T0 + timedelta(hours=50))
    assert [(a.status, a.body) for a in alerts(db)][1] == ("suppressed", "unchanged colour; no reminders for blue")


def test_feed_shows_each_message_once_across_channels(db):
    text = BASE_YAML.replace("channels:\n  feed:", "channels:\n  screen: {type: console}\n  feed:").replace(
        "channels: [feed]}\n  - {name: yellow", "channels: [screen, feed]}\n  - {name: yellow")
    config = make_config(text)
    with db.transaction() as s:
        add_warning(s, add_event(s), "blue", None, T0)
        add_warning(s, add_event(s, key="x", entity="长河金卡"), "yellow", None, T0 + timedelta(minutes=1))
    dispatch_pending(config, db, now=T0 + timedelta(minutes=1), transports=Transports(stream=io.StringIO()))
    assert len(alerts(db)) == 3
    assert [(v.channel, v.subject) for v in feed(db)] == [
        ("screen", "【蓝色预警】长河手机银行 · 系统故障"), ("feed", "【黄色预警】长河金卡 · 系统故障")]


def test_an_unchanged_colour_warning_row_is_gated_by_the_interval(db):
    config = make_config()
    with db.transaction() as s:
        event = add_event(s)
        add_warning(s, event, "yellow", None, T0)
        add_warning(s, event, "yellow", "yellow", T0 + timedelta(hours=2))
    dispatch_pending(config, db, now=T0)
    dispatch_pending(config, db, now=T0 + timedelta(hours=2))
    rows = alerts(db)
    assert [a.status for a in rows] == ["sent", "suppressed"]
    assert rows[1].body.startswith("unchanged colour; last sent 2026-03-15T02:00:00+00:00")


def test_red_event_inhibits_a_late_lower_colour_warning(db):
    config = make_config()
    with db.transaction() as s:
        event = add_event(s)
        add_warning(s, event, "red", "orange", T0)
    dispatch_pending(config, db, now=T0)
    with db.transaction() as s:  # a late re-score stores an older orange; the event stays red
        event = s.merge(event)
        add_warning(s, event, "orange", "yellow", T0 - timedelta(hours=1))
        event.colour = "red"
    dispatch_pending(config, db, now=T0 + timedelta(minutes=1))
    assert [(a.status, a.body) for a in alerts(db)][1] == ("suppressed", f"inhibited: event {event.id} is red")
    assert len(feed_lines(db)) == 1


def test_silenced_warning_is_recorded_and_not_sent(db):
    text = BASE_YAML + ("silences:\n  - match: {entities: [长河手机银行]}\n"
                        "    starts: 2026-03-15T00:00:00+08:00\n    ends: 2026-03-16T00:00:00+08:00\n")
    config = make_config(text)
    with db.transaction() as s:
        add_warning(s, add_event(s), "blue", None, T0)
    summary = dispatch_pending(config, db, now=T0)
    assert (summary.sent, summary.muted) == (0, 1)
    assert [a.status for a in alerts(db)] == ["silenced"]


def test_silenced_warning_goes_out_when_the_silence_ends_if_the_colour_holds(db):
    text = BASE_YAML + ("silences:\n  - match: {colours: [orange]}\n"
                        "    starts: 2026-03-15T00:00:00+08:00\n    ends: 2026-03-15T18:00:00+08:00\n")
    config = make_config(text)
    with db.transaction() as s:
        add_warning(s, add_event(s), "orange", "yellow", T0)
        add_warning(s, add_event(s, key="gone", entity="长河金卡"), "orange", None, T0)
    assert dispatch_pending(config, db, now=T0).muted == 2
    assert dispatch_pending(config, db, now=T0 + timedelta(hours=1)).muted == 2  # after-silence records
    assert dispatch_pending(config, db, now=T0 + timedelta(hours=2)).created == 0
    with db.transaction() as s:  # the second event cools down before the silence ends
        add_warning(s, s.get(Event, 2), "yellow", "orange", T0 + timedelta(hours=3))
    summary = dispatch_pending(config, db, now=T0 + timedelta(hours=8, minutes=1))  # 18:01 in Beijing
    assert [x["subject"] for x in feed_lines(db)] == ["【黄色预警·降级】长河金卡 · 系统故障",
                                                     "【橙色预警·升级】长河手机银行 · 系统故障"]
    assert feed_lines(db)[1]["id"] == "warning:1:after-silence"
    assert summary.sent == 2
    assert dispatch_pending(config, db, now=T0 + timedelta(hours=9)).created == 0


def test_warnings_after_now_wait_for_their_time(db):
    config = make_config()
    with db.transaction() as s:
        add_warning(s, add_event(s), "blue", None, T0 + timedelta(hours=1))
    assert dispatch_pending(config, db, now=T0).created == 0
    assert dispatch_pending(config, db, now=T0 + timedelta(hours=1)).created == 1


def test_broken_source_alerts_once_until_rearmed(db):
    config = make_config()
    with db.transaction() as s:
        add_source(s, "jianghan-news", "broken", last_success=T0 - timedelta(hours=5), failures=5)
        add_source(s, "forum", "ok", last_success=T0)
    first = dispatch_pending(config, db, now=T0)
    assert (first.operational, first.sent) == (1, 1)
    assert dispatch_pending(config, db, now=T0 + timedelta(hours=1)).created == 0
    with db.transaction() as s:
        source = s.get(Source, "jianghan-news")
        assert source.broken_alerted is True
        source.last_error = "HTTP 503 at https://news.example/feed?apikey=K3Y"
        # the crawl stage re-arms after a success; later the source breaks again
        source.broken_alerted = False
        source.last_success_at = T0 + timedelta(hours=2)
    assert dispatch_pending(config, db, now=T0 + timedelta(hours=3)).operational == 1
    assert [(x["kind"], x["route"]) for x in feed_lines(db)] == [("operational", "ops")] * 2
    assert feed_lines(db)[0]["subject"] == "【运维告警】数据源「jianghan-news」抓取失败"
    assert "最近错误：HTTP 503 at https://news.example/<redacted>，发生于" in feed_lines(db)[1]["text"]
    assert "K3Y" not in json.dumps(feed_lines(db), ensure_ascii=False)


def test_daily_report_is_sent_once_per_local_day(db):
    config = make_config()
    with db.transaction() as s:
        event = add_event(s)
        add_warning(s, event, "blue", None, T0 - timedelta(hours=3))
        add_warning(s, event, "orange", "blue", T0 - timedelta(hours=1))
        add_warning(s, add_event(s, key="b", entity="长河金卡", topic="fees"), "blue", None, T0 - timedelta(hours=2))
        add_source(s, "forum", "ok", last_success=T0 - timedelta(hours=1))
        add_source(s, "weibo", "broken", failures=4)
    summary = send_daily_report(config, db, now=T0)
    assert (summary.created, summary.sent) == (1, 1)
    assert send_daily_report(config, db, now=T0 + timedelta(hours=2)).created == 0
    [line] = [x for x in feed_lines(db) if x["kind"] == "report"]
    assert line["subject"] == "【舆情日报】2026-03-15"
    text = line["text"]
    assert "  蓝色 2 条，黄色 0 条，橙色 1 条，红色 0 条" in text
    assert "  #1 长河手机银行 · 系统故障：新发橙色预警" in text
    assert "  #2 长河金卡 · fees：新发蓝色预警" in text
    assert "四、数据源覆盖：1/2 个来源本期抓取正常" in text
    assert "  监测盲区：weibo（不可用，连续失败 4 次）" in text


def test_console_channel_and_secret_free_logs(db, caplog):
    text = BASE_YAML.replace("channels:\n  feed:", """channels:
  screen: {type: console, stream: stdout}
  hook: {type: webhook, url: {env: HOOK_URL}}
  feed:""").replace("channels: [feed]}\n  - {name: yellow", "channels: [screen, hook]}\n  - {name: yellow")
    config = make_config(text)
    with db.transaction() as s:
        add_warning(s, add_event(s), "blue", None, T0)
    stream = io.StringIO()
    secret = "https://hook.example/send?key=VERY-SECRET-KEY"

    def broken(request):
        raise httpx.ConnectError(f"connection to {request.url} refused")

    transports = Transports(stream=stream, http=httpx.MockTransport(broken), environ={"HOOK_URL": secret})
    with caplog.at_level(logging.DEBUG):
        summary = dispatch_pending(config, db, now=T0, transports=transports)
    assert (summary.sent, summary.failed) == (1, 1)
    assert stream.getvalue().startswith("【蓝色预警】长河手机银行 · 系统故障\n变化：新发预警\n")
    stored = [d.error for d in deliveries(db) if d.error]
    assert stored == ["webhook https://hook.example/<redacted>: ConnectError: connection to "
                      "https://hook.example/<redacted> refused"]
    logged = " ".join(str(r.__dict__) for r in caplog.records) + " ".join(summary.errors)
    assert "VERY-SECRET-KEY" not in logged and "VERY-SECRET-KEY" not in stored[0]


@pytest.mark.postgres
def test_dispatch_and_rerun_on_postgresql(pg_url, tmp_path):
    from storage.db import Database

    database = Database(pg_url)
    database.create_schema()
    text = BASE_YAML.replace("path: feed.jsonl", f"path: {tmp_path / 'feed.jsonl'}")
    config = make_config(text)
    try:
        with database.transaction() as s:
            event = add_event(s)
            add_warning(s, event, "orange", None, T0)
            add_source(s, "weibo", "broken", failures=3)
        first = dispatch_pending(config, database, now=T0)
        assert (first.created, first.operational, first.sent) == (2, 1, 2)
        assert dispatch_pending(config, database, now=T0 + timedelta(minutes=1)).created == 0
        reminder = dispatch_pending(config, database, now=T0 + timedelta(hours=25))
        assert (reminder.created, reminder.sent) == (1, 1)
        lines = (tmp_path / "feed.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(x)["kind"] for x in lines] == ["warning", "operational", "warning"]
    finally:
        database.dispose()
