"""Routing and suppression are pure: labels and a clock in, decisions out."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alert_helpers import BASE_YAML, T0, alerts_model

from alerts.records import Candidate, Labels, WarningFacts
from alerts.route import match_routes
from alerts.suppress import (Inhibitor, RepeatGate, Silencer, Superseded, TooOld, classify_change, held_colours,
                             mute_reason, newest_per_event)
from alerts.candidates import warning_candidate


def cand(colour, previous=None, *, wid=1, event=1, at=T0, repeat=0, entity="长河手机银行") -> Candidate:
    return warning_candidate(WarningFacts(warning_id=wid, event_id=event, entity=entity, topic="app_outage",
                                          colour=colour, previous_colour=previous, evaluated_at=at, repeat=repeat))


@pytest.mark.parametrize("colour, previous, change", [
    ("blue", None, "new"), ("yellow", "blue", "raise"), ("blue", "orange", "fall"), (None, "blue", "fall"),
    ("red", "red", "same"), ("orange", None, "new"),
])
def test_classify_change(colour, previous, change):
    assert classify_change(colour, previous) == change


def test_first_matching_route_wins_unless_continue():
    text = BASE_YAML.replace("- {name: blue-branch,", "- {name: everything, match: {}, channels: [feed], continue_matching: true}\n  - {name: blue-branch,")
    routes = alerts_model(text).routes
    assert [r.name for r in match_routes(cand("blue"), routes)] == ["everything", "blue-branch"]
    assert [r.name for r in match_routes(cand("red", "orange"), alerts_model().routes)] == ["red-committee"]


def test_fall_routes_by_the_colour_it_fell_from():
    routes = alerts_model().routes
    assert [r.name for r in match_routes(cand("yellow", "red"), routes)] == ["red-committee"]
    assert [r.name for r in match_routes(cand(None, "blue"), routes)] == ["blue-branch"]


def test_silence_mutes_only_matching_alerts_within_its_period():
    text = BASE_YAML + """silences:
  - match: {entities: [长河手机银行], colours: [blue]}
    starts: 2026-03-15T08:00:00+08:00
    ends: 2026-03-15T12:00:00+08:00
    comment: 停机维护
"""
    silencer = Silencer(alerts_model(text).silences)
    assert mute_reason(cand("blue"), [silencer], T0) == \
        "silenced by silences[0] until 2026-03-15T12:00:00+08:00: 停机维护"
    assert mute_reason(cand("yellow"), [silencer], T0) is None
    assert mute_reason(cand("blue", entity="长河金卡"), [silencer], T0) is None
    assert mute_reason(cand("blue"), [silencer], T0 + timedelta(hours=2)) is None  # 12:00 Beijing: ended


def test_red_inhibits_lower_colours_of_the_same_event_only():
    inhibitor = Inhibitor(alerts_model().inhibit, held_colours({1: "red", 2: "orange"}))
    assert mute_reason(cand("orange", "yellow", event=1), [inhibitor], T0) == "inhibited: event 1 is red"
    assert mute_reason(cand("red", "orange", event=1), [inhibitor], T0) is None
    assert mute_reason(cand("yellow", "blue", event=2), [inhibitor], T0) is None
    # a fall from red leaves the event orange: the fall itself is not muted
    after_fall = Inhibitor(alerts_model().inhibit, held_colours({1: "orange"}))
    assert mute_reason(cand("orange", "red", event=1), [after_fall], T0) is None


def test_repeat_gate_mutes_unchanged_colour_within_interval():
    gate = RepeatGate({(1, "orange"): T0}, 24)
    same = cand("orange", "orange")
    assert mute_reason(same, [gate], T0 + timedelta(hours=23)).startswith("unchanged colour; last sent")
    assert mute_reason(same, [gate], T0 + timedelta(hours=24)) is None
    assert mute_reason(cand("red", "orange"), [gate], T0 + timedelta(hours=1)) is None  # a raise always goes
    assert mute_reason(same, [RepeatGate({(1, "orange"): T0}, 0)], T0 + timedelta(days=9)) == \
        "unchanged colour; repeats are off"


def test_older_warning_of_an_event_is_superseded_in_a_batch():
    batch = [cand("blue", None, wid=1, at=T0), cand("yellow", "blue", wid=2, at=T0 + timedelta(hours=1)),
             cand("blue", None, wid=3, event=2)]
    muter = Superseded(newest_per_event(batch))
    assert [mute_reason(c, [muter], T0) for c in batch] == ["superseded by warning 2", None, None]
    # an older, higher colour is not superseded by a newer fall: red must be heard before "fell from red"
    fall_batch = [cand("red", "orange", wid=4, at=T0), cand("orange", "red", wid=5, at=T0 + timedelta(hours=1)),
                  cand("yellow", None, wid=3, at=T0 - timedelta(hours=1))]
    muter = Superseded(newest_per_event(fall_batch))
    assert [mute_reason(c, [muter], T0) for c in fall_batch] == [None, None, "superseded by warning 5"]


def test_too_old_warning_is_recorded_not_sent():
    muter = TooOld(72)
    assert mute_reason(cand("blue", at=T0 - timedelta(hours=73)), [muter], T0) == "older than 72 h when first seen"
    assert mute_reason(cand("blue", at=T0 - timedelta(hours=71)), [muter], T0) is None
    assert mute_reason(cand("blue", at=T0 - timedelta(hours=99), repeat=1), [muter], T0) is None


def test_operational_candidates_pass_warning_muters():
    op = Candidate(key="source-broken:x:never", labels=Labels(kind="operational", source="x"))
    muters = [Inhibitor(alerts_model().inhibit, {}), RepeatGate({}, 24), Superseded({}), TooOld(1)]
    assert mute_reason(op, muters, datetime(2030, 1, 1, tzinfo=timezone.utc)) is None
