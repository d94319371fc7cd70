"""alerts.yaml validation, with the exact error text a user sees."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from alert_helpers import BASE_YAML

from config.errors import ConfigError
from config.loader import DEFAULT_CONFIG_DIR, parse_file
from config.schema.alerts import AlertsFile, check_alerts, cross_check


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_file(text, "alerts.yaml", AlertsFile)
    return str(info.value).splitlines()


def model(text: str) -> AlertsFile:
    return parse_file(text, "alerts.yaml", AlertsFile)[0]


def test_default_alerts_yaml_is_valid_and_checks_clean():
    text = (DEFAULT_CONFIG_DIR / "alerts.yaml").read_text(encoding="utf-8")
    parsed = model(text)
    assert set(parsed.channels) == {"console", "feed"}
    assert [r.name for r in parsed.routes][-2:] == ["ops", "daily-report"]
    assert check_alerts(parsed, environ={}) == []


def test_route_naming_an_undefined_channel():
    text = BASE_YAML.replace("channels: [feed]}\n  - {name: yellow", "channels: [feed, wechat]}\n  - {name: yellow")
    assert check_alerts(model(text), environ={}) == [
        (("routes", 0, "channels", 1), "a channel defined under channels (feed)", "'wechat'")]


def test_duplicate_route_name():
    text = BASE_YAML.replace("name: yellow-lead", "name: blue-branch")
    assert check_alerts(model(text), environ={}) == [
        (("routes", 1, "name"), "a route name used once (routes[0] has it)", "'blue-branch'")]


WEBHOOK = BASE_YAML.replace("channels:\n  feed:", """channels:
  wecom:
    type: webhook
    format: wecom
    url: {env: WECOM_URL}
    headers: {X-Key: {env: WECOM_KEY}}
  feed:""")


def test_missing_env_for_enabled_channel_is_an_error_and_disabled_channel_is_not():
    assert check_alerts(model(WEBHOOK), environ={"WECOM_URL": "https://x.example/hook?key=1"}) == [
        (("channels", "wecom", "headers", "X-Key", "env"),
         "environment variable WECOM_KEY to be set (channel 'wecom' is enabled)", "it unset or empty")]
    disabled = WEBHOOK.replace("format: wecom", "format: wecom\n    enabled: false")
    assert check_alerts(model(disabled), environ={}) == []


def test_cross_check_errors_come_out_with_file_line_and_key(tmp_path: Path, monkeypatch):
    """Through the loader's own cross_check, as `check-config` prints them (exit code 2)."""
    from config import loader

    monkeypatch.delenv("WECOM_URL", raising=False)
    monkeypatch.setenv("WECOM_KEY", "k")
    parsed, lines = parse_file(WEBHOOK, str(tmp_path / "alerts.yaml"), AlertsFile)
    config = SimpleNamespace(alerts=parsed, directory=tmp_path, thresholds_path=tmp_path / "thresholds.yaml",
                             lines={str(tmp_path / "alerts.yaml"): lines})
    monkeypatch.setattr(loader, "FILES", {"alerts": ("alerts.yaml", "config.schema.alerts:AlertsFile")})
    issues = loader.cross_check(config)
    assert [str(i) for i in issues] == [
        f"{tmp_path / 'alerts.yaml'}:10: channels.wecom.url.env: expected environment variable WECOM_URL to be set "
        "(channel 'wecom' is enabled), found it unset or empty"]
    assert list(cross_check(config))[0][0] == "alerts.yaml"


def test_unknown_key_and_bad_values_have_exact_text():
    assert errors("channels:\n  feed: {type: file, path: a.jsonl, mode: w}\n") == [
        "alerts.yaml:2: channels.feed.mode: expected a known key, found unknown key 'mode'"]
    assert errors("channels:\n  feed: {type: sms}\n") == [
        "alerts.yaml:2: channels.feed: expected a mapping with type: console, file, webhook or email, "
        "found {'type': 'sms'}"]
    assert errors("routes:\n  - name: r\n    match: {colours: [purple]}\n    channels: [x]\n") == [
        "alerts.yaml:3: routes[0].match.colours: expected colours among blue, yellow, orange, red (not 'purple'), "
        "found ['purple']"]
    assert errors("language: en\n") == [
        "alerts.yaml:1: language: expected 'zh-Hans' or 'zh-Hant', found 'en'"]


def test_secret_literal_is_refused_where_an_env_reference_is_expected():
    text = ("channels:\n  mail:\n    type: email\n    host: smtp.example\n    sender: a@example\n"
            "    recipients: [b@example]\n    password: hunter2\n")
    lines = errors(text)
    assert lines == ["alerts.yaml:7: channels.mail.password: expected a valid dictionary or instance of EnvRef, "
                     "found 'hunter2'"]


def test_email_tls_modes_exclusive_and_silence_times_need_zone():
    text = ("channels:\n  mail:\n    type: email\n    host: smtp.example\n    sender: a@example\n"
            "    recipients: [b@example]\n    ssl: true\n")
    assert check_alerts(model(text), environ={}) == [
        (("channels", "mail", "ssl"), "at most one of ssl and starttls set to true (ssl: implicit TLS, usually "
         "port 465; starttls: upgrade, usually port 587)", "both true")]
    text = "silences:\n  - match: {}\n    starts: 2026-03-15T08:00:00\n    ends: 2026-03-15T09:00:00+08:00\n"
    assert errors(text)[0].startswith(
        "alerts.yaml:3: silences[0].starts: expected a time with a zone, such as 2026-03-15T08:00:00+08:00")


def test_check_config_exits_2_when_an_enabled_channel_lacks_its_secret(tmp_path: Path, monkeypatch, capsys):
    import shutil

    import pipeline
    from config.loader import DEFAULT_THRESHOLDS, FILES

    for name, _ in FILES.values():
        shutil.copyfile(DEFAULT_THRESHOLDS if name == "thresholds.yaml" else DEFAULT_CONFIG_DIR / name, tmp_path / name)
    text = (tmp_path / "alerts.yaml").read_text(encoding="utf-8")
    text = text.replace("channels:\n", "channels:\n  bot:\n    type: webhook\n    format: wecom\n"
                                       "    url: {env: TEST_ALERTS_BOT_URL}\n", 1)
    (tmp_path / "alerts.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index("    url: {env: TEST_ALERTS_BOT_URL}") + 1
    monkeypatch.delenv("TEST_ALERTS_BOT_URL", raising=False)
    assert pipeline.main(["check-config", "--config", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"config error: {tmp_path / 'alerts.yaml'}:{line}: channels.bot.url.env: expected environment variable "
        "TEST_ALERTS_BOT_URL to be set (channel 'bot' is enabled), found it unset or empty\n")
    monkeypatch.setenv("TEST_ALERTS_BOT_URL", "https://bot.example/send?key=k")
    assert pipeline.main(["check-config", "--config", str(tmp_path)]) == 0


def test_ca_file_must_exist_relative_to_the_config_folder(tmp_path: Path):
    text = BASE_YAML.replace("channels:\n  feed:", "channels:\n  hook: {type: webhook, url: 'https://h.example/x', "
                                                   "ca_file: certs/ca.pem}\n  feed:")
    assert check_alerts(model(text), environ={}, directory=tmp_path) == [
        (("channels", "hook", "ca_file"), "a PEM file of CA certificates", f"no file at {tmp_path / 'certs/ca.pem'}")]
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    assert check_alerts(model(text), environ={}, directory=tmp_path) == []
