"""The issue's scenarios, through the pure functions (grouping, indicators, rules, hysteresis),
with the clock advancing hour by hour as `--now` would."""
from __future__ import annotations

from datetime import timedelta

from scoring.backtest import Replay
from scoring.indicators import compute
from scoring.items import build_item
from scoring.records import EventView, rank

from .conftest import BANK, T0, row

BRANCHES = [("长河银行武汉江汉路支行", "武汉", "湖北"), ("长河银行宜昌夷陵支行", "宜昌", "湖北"),
            ("长河银行荆州沙市支行", "荆州", "湖北")]


def run(thresholds, rows, until_hours, root=BANK):
    """Replay rows, ticking every hour; return the replay and the colour of each event by hour."""
    rep = Replay(thresholds)
    rows = sorted(rows, key=lambda r: r["published_at"])
    timeline: dict[int, list[tuple[int, str | None]]] = {}
    pending = list(rows)
    for hour in range(0, until_hours + 1):
        now = T0 + timedelta(hours=hour)
        while pending and pending[0]["published_at"] <= now:
            rep.add(build_item(pending.pop(0), thresholds, root))
        rep.tick(now)
        for eid, event in rep.events.items():
            timeline.setdefault(eid, []).append((hour, event.state.colour))
    return rep, timeline


def colour_at(timeline, event_id, hour):
    return dict(timeline.get(event_id, [])).get(hour)


def test_one_complaint_gives_blue(thresholds):
    rep, tl = run(thresholds, [row(1, author="a1", channel="complaint", site="ts.example", harm=1)], 6)
    assert len(rep.events) == 1
    assert colour_at(tl, 1, 0) is None
    assert colour_at(tl, 1, 2) == "blue"
    assert colour_at(tl, 1, 6) == "blue"


def test_three_customers_at_three_branches_give_yellow(thresholds):
    rows = [row(1 + i, author=f"客户{i}", branch=b, city=c, province=p, harm=1) for i, (b, c, p) in enumerate(BRANCHES)]
    rep, tl = run(thresholds, rows, 6)
    assert len(rep.events) == 1
    assert colour_at(tl, 1, 2) == "blue"  # one customer so far
    assert colour_at(tl, 1, 4) == "yellow"  # the third customer joins at hour 3


def _spread_rows():
    return [
        row(1, author="网友A", site="bbs.example", channel="forum", branch=BRANCHES[0][0], city="武汉", province="湖北", harm=2,
            text="转账失败，卡被冻结，取不出钱"),
        row(2, author="网友B", site="tieba.example", channel="forum", branch=BRANCHES[1][0], city="宜昌", province="湖北", harm=2),
        row(3, author="投诉人C", site="ts.example", channel="complaint", branch=BRANCHES[2][0], city="荆州", province="湖北", harm=2,
            text="要联合其他客户一起维权"),
        row(4, author="记者D", site="news.example", channel="news", outlet="江汉晚报", authority=0.7, harm=2),
    ]


def test_spread_across_forums_complaints_and_local_news_gives_orange_after_holding(thresholds):
    rep, tl = run(thresholds, _spread_rows(), 8)
    assert len(rep.events) == 1
    # sites >= 3 and harm >= 2 and authors >= 3 from hour 3: rules ask for orange, hysteresis
    # holds yellow for the first evaluation and raises on the second
    assert colour_at(tl, 1, 3) == "yellow"
    assert colour_at(tl, 1, 4) == "orange"
    assert colour_at(tl, 1, 8) == "orange"


def test_national_outlet_with_bank_run_words_gives_red_at_once(thresholds):
    rows = _spread_rows() + [row(5, author="记者E", site="cnfin.example", channel="news", outlet="中国财经时报",
                                 authority=0.8, harm=3, text="江汉路支行门前储户排长队取钱，挤兑传言发酵")]
    rep, tl = run(thresholds, rows, 6)
    assert colour_at(tl, 1, 4) == "orange"
    assert colour_at(tl, 1, 5) == "red"  # a hard trigger: no holding


def test_regulator_with_bank_run_words_gives_red(thresholds):
    ents = [{"text": "长河银行", "type": "bank", "canonical": BANK},
            {"text": "湖北金融监管局", "type": "regulator", "canonical": "湖北金融监管局"}]
    rows = [row(1, author="x", watched=(BANK,), entities=ents, topics=("deposit_safety",), harm=3,
                text="储户聚集挤兑，监管局已介入")]
    rep, tl = run(thresholds, rows, 2)
    assert colour_at(tl, 1, 1) == "red"


def test_colour_steps_down_one_at_a_time_without_flapping(thresholds):
    rows = _spread_rows() + [row(5, author="记者E", site="cnfin.example", channel="news", outlet="中国财经时报",
                                 authority=0.8, harm=3, text="挤兑")]
    # a trickle of single complaints afterwards keeps blue's rule alive but nothing more
    rows += [row(30 + 10 * k, author=f"零星{k}", harm=1) for k in range(3)]
    rep, tl = run(thresholds, rows, 200)
    colours = [c for _, c in tl[1]]
    levels = [rank(c) for c in colours]
    peak = levels.index(max(levels))
    assert colours[peak] == "red"
    after = levels[peak:]
    assert all(b <= a for a, b in zip(after, after[1:])), "the colour rose again after falling"
    drops = [h for (h, c), (_, d) in zip(tl[1][peak:], tl[1][peak + 1:]) if rank(d) < rank(c)]
    assert len(drops) == 4  # red -> orange -> yellow -> blue -> none, one step each
    assert all(b - a >= thresholds.hysteresis.step_down_hours for a, b in zip(drops, drops[1:]))
    # the story leaves the 72-hour window at hour 77; the first step needs 12 more hours
    assert drops[0] >= 5 + thresholds.windows.quantity_hours
    assert colours[-1] is None and rep.events[1].state.status == "closed"


def test_reposts_count_once_but_add_reach(thresholds):
    original = row(1, author="原帖", mention_id=9001, harm=1)
    reposts = [row(1.5 + i, author=f"转发{i}", site=f"s{i}.example", near_duplicate_of=9001, harm=1) for i in range(3)]
    rep, tl = run(thresholds, [original, *reposts], 4)
    assert len(rep.events) == 1
    event = rep.events[1]
    view = EventView(1, event.key, event.entity, event.topic, event.first_seen, event.last_seen, tuple(event.items))
    ind = compute(view, T0 + timedelta(hours=4), thresholds)
    assert ind["stories"] == 1 and ind["authors"] == 1
    assert ind["reach"] == 3 and ind["mentions"] == 4
    assert colour_at(tl, 1, 4) == "blue"  # three reposters are not three customers


def test_complaint_about_another_product_is_a_separate_event(thresholds):
    rows = [row(1, author="a", harm=1),
            row(2, author="b", watched=("长河如意贷",), topics=("loan_collection",), harm=2)]
    rep, tl = run(thresholds, rows, 3)
    assert len(rep.events) == 2
    assert {(e.entity, e.topic) for e in rep.events.values()} == {("长河手机银行", "system_outage"),
                                                                  ("长河如意贷", "loan_collection")}


def test_alias_in_another_sense_joins_nothing(thresholds):
    rows = [row(1, author="a", harm=1),
            row(2, author="摄影师", watched=(), entities=[{"text": "长河", "type": "place", "canonical": "长河"}],
                polarity="neg", harm=0, topics=())]
    rep, tl = run(thresholds, rows, 3)
    assert len(rep.events) == 1
    assert len(rep.events[1].items) == 1


def test_neutral_statement_joins_an_open_event_but_opens_none(thresholds):
    rows = [row(1, author="a", harm=1),
            row(2, author="银行", polarity="neu", harm=0),
            row(3, author="c", polarity="pos", harm=0, watched=("长河金卡",), topics=("fees",))]
    rep, _ = run(thresholds, rows, 3)
    assert len(rep.events) == 1 and len(rep.events[1].items) == 2


def test_replay_shortcut_matches_evaluating_every_event_every_hour(thresholds):
    import random

    rng = random.Random(7)
    rows = []
    for k in range(120):
        b, c, p = rng.choice(BRANCHES)
        rows.append(row(rng.uniform(0, 150), author=f"u{rng.randint(0, 40)}", branch=b, city=c, province=p,
                        site=rng.choice(["a.example", "b.example", "c.example", "d.example"]),
                        harm=rng.choice([0, 1, 1, 2, 3]), polarity=rng.choice(["neg", "neg", "neu"]),
                        topics=(rng.choice(["system_outage", "fees", "queue_wait"]),),
                        watched=(rng.choice(["长河手机银行", "长河金卡", BANK]),),
                        text=rng.choice(["", "", "", "挤兑", "拉横幅"])))
    rows.sort(key=lambda r: r["published_at"])
    results = []
    for skip in (True, False):
        rep = Replay(thresholds, skip_steady=skip)
        pending = list(rows)
        for hour in range(0, 300):
            now = T0 + timedelta(hours=hour)
            while pending and pending[0]["published_at"] <= now:
                rep.add(build_item(pending.pop(0), thresholds, BANK))
            rep.tick(now)
        results.append(rep.changes)
    assert len(results[0]) > 10
    assert results[0] == results[1]


def test_reply_without_an_issue_of_its_own_joins_its_thread(thresholds):
    opening = row(1, author="楼主", mention_id=9101)
    opening["url"] = "https://forum.example/t/1"
    reply = row(2, author="跟帖", mention_id=9102, topics=("other",), watched=("长河手机银行",), harm=3)
    reply["thread_url"] = "https://forum.example/t/1"
    unrelated = row(3, author="别处", mention_id=9103, topics=("other",), harm=1)
    rep, _ = run(thresholds, [opening, reply, unrelated], 4)
    by_mention = {item.mention_id: event.topic for event in rep.events.values() for item in event.items}
    assert by_mention[9102] == "system_outage"  # the reply follows its thread
    assert by_mention[9103] == "other"  # a post outside any thread still opens its own event
