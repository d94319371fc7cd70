"""`alerts`, `report` and `silences` commands, on a database filled by the alert stage."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from alert_helpers import BASE_YAML, T0, add_event, add_warning, make_config
from click.testing import CliRunner

from commands import options
from commands.alerts import alerts_command, report_command, silences_command
from stages.alert import dispatch_pending


@pytest.fixture
def filled(db, sqlite_url, monkeypatch):
    text = BASE_YAML + ("silences:\n  - match: {colours: [blue]}\n    starts: 2026-03-15T00:00:00+08:00\n"
                        "    ends: 2026-03-16T00:00:00+08:00\n    created_by: 值班员\n    comment: 系统升级\n")
    config = make_config(text)
    monkeypatch.setattr(options, "load_config", lambda *a, **k: config)
    with db.transaction() as s:
        add_warning(s, add_event(s), "orange", None, T0)
        add_warning(s, add_event(s, key="b", entity="长河金卡", topic="fees"), "blue", None, T0)
    dispatch_pending(config, db, now=T0)
    return ["--db", sqlite_url, "--now", (T0 + timedelta(hours=1)).isoformat()]


def test_alerts_json_lists_sent_alerts_and_hides_muted_by_default(filled):
    result = CliRunner().invoke(alerts_command, filled + ["--format", "json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["status"], r["subject"]) for r in rows] == [("sent", "【橙色预警】长河手机银行 · 系统故障")]
    assert rows[0]["payload"]["version"] == "1" and rows[0]["attempts"] == 1
    everything = CliRunner().invoke(alerts_command, filled + ["--format", "json", "--all"])
    assert sorted(json.loads(x)["status"] for x in everything.output.splitlines()) == ["sent", "silenced"]


def test_alerts_table(filled):
    result = CliRunner().invoke(alerts_command, filled)
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "CREATED", "KIND", "STATUS", "CHANNEL", "SUBJECT"]
    assert lines[1].split() == ["1", "2026-03-15", "10:00", "warning", "sent", "feed",
                                "【橙色预警】长河手机银行", "·", "系统故障"]


def test_report_text_and_json(filled):
    text = CliRunner().invoke(report_command, filled)
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[0] == "【舆情日报】2026-03-15"
    assert "  蓝色 1 条，黄色 0 条，橙色 1 条，红色 0 条" in text.output
    data = json.loads(CliRunner().invoke(report_command, filled + ["--format", "json"]).output)
    assert data["counts"] == {"blue": 1, "yellow": 0, "orange": 1, "red": 0}


def test_silences_listed_with_state_at_now(filled):
    result = CliRunner().invoke(silences_command, filled)
    assert result.output == ('[0] active: 2026-03-15T00:00:00+08:00 .. 2026-03-16T00:00:00+08:00 '
                             'match={"colours": ["blue"]} by 值班员 — 系统升级\n')
