"""The correction form (CSRF, validation, storage), /healthz and the JSON API."""
from __future__ import annotations

import re
from datetime import timedelta

from web_helpers import NOW, call


def _token(app, event_id: int = 1) -> str:
    text = call(app, "GET", f"/events/{event_id}").text
    match = re.search(r'name="csrf" value="([^"]+)"', text)
    assert match, "the event page carries a CSRF token"
    return match.group(1)


def _stored(db):
    from storage.corrections import list_corrections

    return [(c.mention_id, c.label, c.corrected_by, c.corrected_at) for c in list_corrections(db)]


def test_correction_is_stored_and_redirects_back(app, seeded):
    form = {"csrf": _token(app), "label": "pos", "staff": "  王 小明 ", "next": "/events/1#m2"}
    reply = call(app, "POST", "/mentions/2/sentiment", form=form)
    assert reply.status == 303 and reply.headers["Location"] == "/events/1#m2"
    assert _stored(seeded) == [(2, "pos", "王 小明", NOW)]
    page = call(app, "GET", "/events/1").text
    assert "已更正为正面（王 小明）" in page


def test_correction_without_next_goes_to_the_mentions_event(app, seeded):
    reply = call(app, "POST", "/mentions/4/sentiment", form={"csrf": _token(app), "label": "neu", "staff": "李"})
    assert reply.status == 303 and reply.headers["Location"] == "/events/2#m4"


def test_offsite_next_is_ignored(app, seeded):
    form = {"csrf": _token(app), "label": "neg", "staff": "李", "next": "//evil.example/x"}
    reply = call(app, "POST", "/mentions/1/sentiment", form=form)
    assert reply.status == 303 and reply.headers["Location"] == "/events/1#m1"


def test_bad_label_is_400_and_stores_nothing(app, seeded):
    reply = call(app, "POST", "/mentions/2/sentiment", form={"csrf": _token(app), "label": "angry", "staff": "李"})
    assert reply.status == 400 and "neg、neu 或 pos" in reply.text
    assert _stored(seeded) == []


def test_missing_staff_name_is_400(app, seeded):
    reply = call(app, "POST", "/mentions/2/sentiment", form={"csrf": _token(app), "label": "neg", "staff": "  "})
    assert reply.status == 400 and _stored(seeded) == []


def test_missing_or_forged_csrf_is_403(app, seeded):
    assert call(app, "POST", "/mentions/2/sentiment", form={"label": "neg", "staff": "李"}).status == 403
    token = _token(app)
    issued, mac = token.split(".")
    forged = f"{issued}.{'0' * len(mac)}"
    shifted = f"{int(issued) + 1}.{mac}"  # the MAC covers the time: changing it breaks the token
    for bad in (forged, shifted, "", "garbage", f"x.{mac}"):
        form = {"csrf": bad, "label": "neg", "staff": "李"}
        assert call(app, "POST", "/mentions/2/sentiment", form=form).status == 403, bad
    assert _stored(seeded) == []


def test_token_from_another_process_or_expired_is_403(config, seeded, app):
    from web import make_app

    other = make_app(config, seeded, clock=lambda: NOW)  # a restart: a fresh secret
    assert call(other, "POST", "/mentions/2/sentiment",
                form={"csrf": _token(app), "label": "neg", "staff": "李"}).status == 403
    later = make_app(config, seeded, clock=lambda: NOW + timedelta(hours=13))
    later.csrf = app.csrf  # same secret, but the token is 13 hours old
    assert call(later, "POST", "/mentions/2/sentiment",
                form={"csrf": _token(app), "label": "neg", "staff": "李"}).status == 403
    assert _stored(seeded) == []


def test_unknown_mention_is_404(app, seeded):
    reply = call(app, "POST", "/mentions/999/sentiment", form={"csrf": _token(app), "label": "neg", "staff": "李"})
    assert reply.status == 404 and _stored(seeded) == []


def test_wrong_content_type_is_415(app):
    reply = call(app, "POST", "/mentions/2/sentiment", form={"label": "neg"}, content_type="text/plain")
    assert reply.status == 415


def test_healthz_reports_database_and_last_runs(app):
    reply = call(app, "GET", "/healthz")
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("application/json")
    doc = reply.json()
    assert doc["status"] == "ok" and doc["database"] == "ok"
    assert doc["checked_at"] == NOW.isoformat()
    assert doc["last_runs"]["crawl"]["status"] == "ok"
    assert doc["last_runs"]["score"] == {**doc["last_runs"]["score"], "status": "failed", "error": "boom"}


def test_healthz_is_503_when_the_database_is_gone(config, tmp_path):
    from storage.db import Database
    from web import make_app

    db = Database(f"sqlite:///{tmp_path}/h.db")
    db.create_schema()
    app = make_app(config, db, clock=lambda: NOW)
    db.dispose()
    for name in ("h.db", "h.db-wal", "h.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    (tmp_path / "h.db").mkdir()  # the file is now a folder: SQLite cannot open it
    reply = call(app, "GET", "/healthz")
    assert reply.status == 503
    assert reply.json()["database"] == "unreachable"


def test_api_alerts(app):
    doc = call(app, "GET", "/api/alerts").json()
    [alert] = doc["alerts"]
    assert alert["colour"] == "orange" and alert["event_id"] == 1 and alert["entity"] == "长河银行"
    assert alert["handling"] == "快处理" and alert["why"]
    assert {"label": "涉及网站数", "value": "4"} in alert["indicators"]


def test_api_events_and_event(app):
    events = call(app, "GET", "/api/events").json()["events"]
    assert [e["id"] for e in events] == [1, 2]
    assert events[0]["counts"] == {"mentions": 3, "stories": 3, "negative": 2}
    assert events[0]["score"] == 7.25
    detail = call(app, "GET", "/api/events/1").json()
    assert detail["colour"] == "orange" and "事件 #1" in detail["explanation"]
    assert [m["id"] for m in detail["mentions"]] == [3, 2, 1]  # newest first
    assert [w["colour"] for w in detail["warnings"]] == ["blue", "orange"]
    assert detail["advice"]["handling"]
    assert call(app, "GET", "/api/events/4").headers["Location"] == "/api/events/1"


def _ids(db, event_id: int) -> list[int]:
    from storage import events as repo

    with db.transaction() as session:
        return repo.member_ids(session, event_id)


def test_merge_moves_the_other_events_mentions_here(app, seeded):
    reply = call(app, "POST", "/events/1/merge", form={"csrf": _token(app), "source": "2", "staff": "李"})
    assert reply.status == 303 and reply.headers["Location"] == "/events/1"
    assert _ids(seeded, 1) == [1, 2, 3, 4] and _ids(seeded, 2) == []
    assert call(app, "GET", "/events/2").headers["Location"] == "/events/1"
    assert [e["id"] for e in call(app, "GET", "/api/events").json()["events"]] == [1]


def test_merge_refusals(app, seeded):
    token = _token(app)
    assert call(app, "POST", "/events/1/merge", form={"csrf": token, "source": "1", "staff": "李"}).status == 400
    assert call(app, "POST", "/events/1/merge", form={"csrf": token, "source": "77", "staff": "李"}).status == 404
    assert call(app, "POST", "/events/1/merge", form={"csrf": token, "source": "x", "staff": "李"}).status == 400
    assert call(app, "POST", "/events/1/merge", form={"source": "2", "staff": "李"}).status == 403
    assert _ids(seeded, 2) == [4]


def test_split_moves_ticked_mentions_to_a_new_event(app, seeded):
    form = [("csrf", _token(app)), ("staff", "李"), ("topic", ""), ("mentions", "3"), ("mentions", "2")]
    reply = call(app, "POST", "/events/1/split", form=form)
    assert reply.status == 303
    new_id = int(reply.headers["Location"].rsplit("/", 1)[1])
    assert new_id not in (1, 2, 3, 4)
    assert _ids(seeded, 1) == [1] and _ids(seeded, new_id) == [2, 3]
    assert call(app, "GET", f"/events/{new_id}").status == 200


def test_split_refusals(app, seeded):
    token = _token(app)
    assert call(app, "POST", "/events/1/split", form={"csrf": token, "staff": "李"}).status == 400
    assert call(app, "POST", "/events/1/split",
                form=[("csrf", token), ("staff", "李"), ("mentions", "4")]).status == 400  # not a member
    assert call(app, "POST", "/events/1/split",
                form=[("csrf", token), ("staff", "李"), ("mentions", "2"), ("topic", "<b>")]).status == 400
    assert _ids(seeded, 1) == [1, 2, 3]


def test_user_header_from_the_proxy_names_the_staff_member(config, seeded):
    from web import make_app

    app = make_app(config, seeded, clock=lambda: NOW, user_header="X-Remote-User")
    page = call(app, "GET", "/events/1").text
    assert 'name="staff"' not in page  # nobody types a name the proxy already knows
    form = {"csrf": _token(app), "label": "neu", "staff": "冒名者"}
    reply = call(app, "POST", "/mentions/1/sentiment", form=form, headers={"X-Remote-User": "张三"})
    assert reply.status == 303
    assert _stored(seeded) == [(1, "neu", "张三", NOW)]
    assert call(app, "POST", "/mentions/1/sentiment", form=form).status == 403  # no header: refused
    assert len(_stored(seeded)) == 1


def test_split_to_another_taxonomy_topic(app, seeded):
    assert '<option value="fees">' in call(app, "GET", "/events/1").text
    form = [("csrf", _token(app)), ("staff", "李"), ("topic", "fees"), ("mentions", "1")]
    reply = call(app, "POST", "/events/1/split", form=form)
    assert reply.status == 303
    detail = call(app, "GET", "/api" + reply.headers["Location"]).json()
    assert detail["topic"] == "fees" and [m["id"] for m in detail["mentions"]] == [1]
