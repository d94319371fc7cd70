"""Every page answers with the expected Chinese content, escapes what crawlers brought in, and
speaks Traditional when alerts.yaml says zh-Hant."""
from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

from web_helpers import NOW, SCRIPT_TITLE, call


def test_feed_lists_alert_with_badge_why_and_advice(app):
    reply = call(app, "GET", "/")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    text = reply.text
    assert '<meta http-equiv="refresh" content="60">' in text
    assert '<span class="badge orange"' in text and ">橙</span>" in text
    assert "长河银行 · 排队等候" in text and 'href="/events/1"' in text
    assert "升级" in text
    assert "涉及网站数 ≥ 3（实际 4）" in text  # why: the orange rule, read as Chinese
    assert "快处理——快速响应，牵头部门介入。" in text and "4 小时内" in text
    # evaluated at 04:00 UTC (T0 + 3 h), shown as 12:00 in the configured Asia/Shanghai zone
    assert "2026-03-15 12:00" in text


def test_feed_leaves_out_the_blue_rule_of_an_orange_warning(app):
    text = call(app, "GET", "/").text
    assert "负面报道数" not in text.split("关键指标")[0].split("原因")[-1]


def test_events_ordered_by_colour_then_score(app):
    reply = call(app, "GET", "/events")
    assert reply.status == 200
    text = reply.text
    links = re.findall(r'href="/events/(\d+)"', text)
    assert links == ["1", "2"]  # orange before blue although blue's score is higher; closed/merged absent
    assert "未关闭事件 2" in text
    assert "首次出现" in text and "最近出现" in text


def test_event_detail_explains_and_lists_mentions(app):
    reply = call(app, "GET", "/events/1")
    assert reply.status == 200
    text = reply.text
    assert "研判说明" in text and "事件 #1" in text and "最近一次评估" in text  # scoring.explain's text
    assert "不同发帖人/投诉人数" in text  # an indicator label
    assert "网点排队两小时" in text and 'href="https://forum.example/t/2"' in text
    assert "负面" in text
    assert "预警记录" in text and text.count("<code>abcdef0123456789</code>") == 2
    assert 'name="csrf"' in text and 'action="/mentions/2/sentiment"' in text


def test_mention_title_with_script_is_escaped(app):
    text = call(app, "GET", "/events/1").text
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert SCRIPT_TITLE not in text


def test_javascript_url_is_not_a_link(app):
    text = call(app, "GET", "/events/1").text
    assert "奇怪链接" in text
    assert 'href="javascript:' not in text


def test_unknown_event_is_404(app):
    reply = call(app, "GET", "/events/999")
    assert reply.status == 404
    assert "没有编号为 999 的事件" in reply.text
    assert call(app, "GET", "/nowhere").status == 404
    assert call(app, "GET", "/api/events/999").json() == {"error": "没有编号为 999 的事件。"}


def test_merged_event_redirects_to_the_surviving_one(app):
    reply = call(app, "GET", "/events/4")
    assert reply.status == 302 and reply.headers["Location"] == "/events/1"


def test_sources_page_shows_health(app):
    reply = call(app, "GET", "/sources")
    assert reply.status == 200
    text = reply.text
    assert text.index("news-b") < text.index("forum-a")  # broken first
    assert "故障" in text and "正常" in text and "HTTP 503 from server" in text
    assert "<td>4</td>" in text and "<td>12</td>" in text


def test_security_headers_on_every_page(app):
    for path in ("/", "/events", "/events/1", "/sources"):
        headers = call(app, "GET", path).headers
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_no_external_assets(app):
    for path in ("/", "/events", "/events/1", "/sources"):
        text = call(app, "GET", path).text
        assert "<script" not in text and "<link" not in text
        assert not re.search(r'(src|href)="//', text)


def test_wrong_method_is_405(app):
    reply = call(app, "POST", "/events", form={})
    assert reply.status == 405 and "GET" in reply.headers["Allow"]


def test_head_has_no_body(app):
    reply = call(app, "HEAD", "/events")
    assert reply.status == 200 and reply.text == ""


def test_traditional_when_alerts_yaml_says_zh_hant(config, seeded):
    from web import make_app

    hant = dataclasses.replace(config, alerts=config.alerts.model_copy(update={"language": "zh-Hant"}))
    app = make_app(hant, seeded, clock=lambda: NOW)
    feed = call(app, "GET", "/").text
    assert 'lang="zh-Hant"' in feed and "預警動態" in feed and "预警动态" not in feed
    assert "處置建議" in feed
    detail = call(app, "GET", "/events/1").text
    assert "研判說明" in detail and "相關帖文" in detail
    assert "网点排队两小时" in detail  # what people wrote is shown as written
    assert "<script>" not in detail
    events = call(app, "GET", "/events").text
    assert "排隊等候" in events and "首次出現" in events


def test_empty_database_pages(config, wdb):
    from web import make_app

    app = make_app(config, wdb, clock=lambda: NOW)
    assert "暂无预警" in call(app, "GET", "/").text
    assert "暂无未关闭的事件" in call(app, "GET", "/events").text
    assert "尚无抓取记录" in call(app, "GET", "/sources").text
    assert call(app, "GET", "/api/events").json() == {"events": []}


class _Balance(HTMLParser):
    """Checks every opened element is closed in order (void elements excepted)."""

    VOID = {"meta", "input", "br", "link", "img", "hr"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_pages_are_well_formed(app):
    for path in ("/", "/events", "/events/1", "/events/2", "/sources", "/events/999"):
        checker = _Balance()
        checker.feed(call(app, "GET", path).text)
        assert checker.errors == [] and checker.stack == [], path


def test_feed_shows_alerts_made_by_the_alert_stage(config, app, seeded):
    """Payloads written by the real alert stage (not hand-made rows) render in the feed."""
    from stages.alert import create_alerts

    create_alerts(config, seeded, now=NOW)
    alerts = call(app, "GET", "/api/alerts").json()["alerts"]
    made = [a for a in alerts if a["event_id"] == 2]
    assert made, alerts
    assert made[0]["colour"] == "blue" and made[0]["handling"] and made[0]["why"]
    text = call(app, "GET", "/").text
    assert 'href="/events/2"' in text and '<span class="badge blue"' in text


def test_long_mention_lists_say_they_are_cut(app, monkeypatch):
    from web import queries

    original = queries.event_mentions
    monkeypatch.setattr(queries, "event_mentions", lambda session, event_id: original(session, event_id, limit=1))
    text = call(app, "GET", "/events/1").text
    assert "相关帖文（3）" in text and "只列出最新的 1 条" in text
    assert text.count('name="label"') == 1


def test_a_bug_is_a_plain_500_and_a_storage_error_a_503(app, monkeypatch):
    from storage.errors import DatabaseLocked
    from web import views

    def broken(*args, **kwargs):
        raise RuntimeError("internal detail /srv/secret")

    monkeypatch.setattr(views, "open_events", broken)
    reply = call(app, "GET", "/events")
    assert reply.status == 500 and "secret" not in reply.text and "页面出错" in reply.text

    def locked(*args, **kwargs):
        raise DatabaseLocked("the SQLite database is locked")

    monkeypatch.setattr(views, "open_events", locked)
    assert call(app, "GET", "/events").status == 503
    assert call(app, "GET", "/api/events").json() == {"error": "数据库暂时不可用，请稍后刷新。"}
