"""Rules, triggers, hysteresis and the indicator registry, one function at a time."""
from __future__ import annotations

from datetime import timedelta

from config.schema.thresholds import INDICATORS
from scoring.hysteresis import step
from scoring.indicators import burst_score, compute
from scoring.items import build_item, subject_of
from scoring.model import check, evaluate, ordering_score, rule_colour, trigger_colour
from scoring.records import EvalState, EventView

from .conftest import BANK, T0, row

ZERO = {name: 0.0 for name in INDICATORS}


def ind(**values):
    return {**ZERO, **{k: float(v) for k, v in values.items()}}


def view(items=()):
    return EventView(1, "k", "长河手机银行", "system_outage", T0, T0, tuple(items))


def test_compute_yields_exactly_the_declared_indicators(thresholds):
    items = [build_item(row(1, author="a"), thresholds, BANK)]
    assert list(compute(view(items), T0 + timedelta(hours=2), thresholds)) == list(INDICATORS)


def test_check_all_and_any_report_the_leaves_that_held():
    ok, leaves = check({"all": ["authors >= 3", {"any": ["sites >= 5", "cities >= 2"]}]}, ind(authors=4, cities=2))
    assert ok and leaves == ["authors >= 3（实际 4）", "cities >= 2（实际 2）"]
    ok, leaves = check({"all": ["authors >= 3", "sites >= 5"]}, ind(authors=4, sites=1))
    assert not ok and leaves == []


def test_rule_colour_is_the_highest_rule_that_holds(thresholds):
    colour, fired = rule_colour(ind(stories=3, authors=3, sites=3, harm_max=2), thresholds)
    assert colour == "orange"
    assert [f.name for f in fired] == ["blue", "yellow", "orange"]
    assert rule_colour(ZERO, thresholds)[0] is None


def test_triggers_set_a_floor(thresholds):
    colour, fired = trigger_colour(ind(bank_run=1, regulator=1), thresholds)
    assert colour == "red"
    assert {f.name for f in fired} == {"run_with_authority", "bank_run", "regulator"}


def test_hysteresis_holds_rises_past_yellow(thresholds):
    cfg = thresholds.hysteresis
    s1, note = step(EvalState(), "orange", None, cfg, T0)
    assert s1.colour == "yellow" and s1.pending == "orange" and "暂定黄色" in note
    s1b, _ = step(s1, "orange", None, cfg, T0)  # the same moment again: not a second evaluation
    assert s1b.colour == "yellow" and s1b.pending_count == 1
    s2, _ = step(s1, "orange", None, cfg, T0 + timedelta(hours=1))
    assert s2.colour == "orange" and s2.pending is None
    s3, _ = step(s1, "blue", None, cfg, T0 + timedelta(hours=1))  # the rise did not hold
    assert s3.colour == "yellow" and s3.pending is None


def test_hysteresis_steps_down_one_colour_per_period(thresholds):
    cfg = thresholds.hysteresis
    state = EvalState(colour="red")
    hours = 0
    seen = []
    for hours in range(0, 60):
        state, _ = step(state, None, None, cfg, T0 + timedelta(hours=hours))
        seen.append(state.colour)
    changes = [h for h in range(1, 60) if seen[h] != seen[h - 1]]
    assert changes == [12, 24, 36, 48]
    assert seen[-1] is None


def test_trigger_raises_at_once(thresholds):
    state, _ = step(EvalState(colour="blue"), "blue", "red", thresholds.hysteresis, T0)
    assert state.colour == "red"


def test_evaluate_returns_advice_and_the_fired_rules(thresholds):
    state, decision = evaluate(view(), ind(stories=1, authors=1, bank_run=1), EvalState(), thresholds, T0)
    assert decision.colour == "orange" and decision.previous_colour is None
    assert decision.advice["handling"] == "快处理"
    assert [(f.kind, f.name) for f in decision.fired] == [("trigger", "bank_run"), ("rule", "blue")]
    assert state.status == "new"


def test_ordering_score_uses_the_weights(thresholds):
    low = ordering_score(ind(stories=1), thresholds.score_weights)
    high = ordering_score(ind(stories=5, provinces=3), thresholds.score_weights)
    assert 0 < low < high
    assert ordering_score(ind(mentions=100), {"mentions": 0.0}) == 0


def test_burst_score_against_a_flat_baseline(thresholds):
    now = T0 + timedelta(days=8)
    flat = [now - timedelta(hours=6 * k + 1) for k in range(1, 28)]  # one story in each earlier bucket
    assert burst_score(flat, now, thresholds.windows) < 1
    spike = flat + [now - timedelta(minutes=m) for m in range(10, 70, 10)]
    assert burst_score(spike, now, thresholds.windows) >= 5


def test_subject_prefers_product_then_bank_and_branch_stands_for_the_bank():
    ents = [{"canonical": "长河金卡", "type": "product"}, {"canonical": BANK, "type": "bank"},
            {"canonical": "长河银行武汉光谷支行", "type": "branch"}]
    assert subject_of(["长河银行", "长河金卡"], ents, BANK) == "长河金卡"
    assert subject_of(["长河银行武汉光谷支行"], ents, BANK) == BANK
    assert subject_of([], ents, BANK) == ""


def test_item_flags_from_words_outlets_and_regulators(thresholds):
    item = build_item(row(1, text="门口排长队取钱，有人拉横幅", outlet="中国财经时报", channel="news"), thresholds, BANK)
    assert item.bank_run and item.mass_gathering and item.national and item.mainstream
    plain = build_item(row(1, text="转账失败"), thresholds, BANK)
    assert not (plain.bank_run or plain.mass_gathering or plain.national or plain.regulator)


def test_outlet_from_the_byline_when_the_crawler_gave_none(thresholds):
    item = build_item(row(1, text="2026-03-15 19:30 来源：中国财经时报 作者：孙立 一次常规的升级……", channel="news"),
                      thresholds, BANK)
    assert item.national and item.outlet == "中国财经时报"
    local = build_item(row(1, text="来源：江汉晚报 本报讯", channel="news", authority=1.0), thresholds, BANK)
    assert not local.national and local.mainstream
