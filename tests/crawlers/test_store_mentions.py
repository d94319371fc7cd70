"""store_mentions: URL dedup, fingerprint sightings, simhash near-duplicates, reruns, races."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from crawlers.normalize import make_mention
from storage.db import Database
from storage.mentions import StoreSummary, store_mentions, unanalysed_mentions
from storage.models import Annotation, MentionSighting
from storage.models import Mention as MentionRow
from tests.crawlers.conftest import build_source

NOW = datetime(2026, 3, 16, 4, 0, tzinfo=timezone.utc)
TEXT = ("长河银行手机银行升级后大面积转账失败，多名储户反映资金被冻结，银行客服电话长时间无法接通。"
        "有储户表示，工资卡被冻结后无法还房贷，担心影响个人征信，要求银行尽快给出说法并赔偿损失。") * 2
TRAD = ("長河銀行手機銀行升級後大面積轉帳失敗，多名儲戶反映資金被凍結，銀行客服電話長時間無法接通。"
        "有儲戶表示，工資卡被凍結後無法還房貸，擔心影響個人徵信，要求銀行盡快給出說法並賠償損失。") * 2
OTHER = "长河银行光谷支行的柜员小刘特别耐心，帮我父亲办理存折挂失，前后忙了四十分钟，必须表扬。" * 2


def mention(url, text, source="s1"):
    return make_mention(build_source(name=source), url=url, title="t", text=text, fetched_at=NOW)


def counts(db):
    with db.transaction() as s:
        return (s.scalar(select(func.count()).select_from(MentionRow)),
                s.scalar(select(func.count()).select_from(MentionSighting)))


def test_dedup_rules(db):
    batch = [
        mention("http://a.com/1?utm_source=x", TEXT),
        mention("http://a.com/1", TEXT),  # same canonical URL: duplicate
        mention("http://b.com/9", TRAD, source="s2"),  # same text, other script, other URL: sighting
        mention("http://c.com/5", "转发：" + TEXT + "（完）"),  # near-duplicate: stored and linked
        mention("http://d.com/7", OTHER),
    ]
    with db.transaction() as s:
        summary = store_mentions(s, batch, run_id=7)
    assert summary == StoreSummary(new=3, duplicates=1, sightings=1, near_duplicates=1)
    with db.transaction() as s:
        rows = {r.canonical_url: r for r in s.scalars(select(MentionRow))}
        sighting = s.scalars(select(MentionSighting)).one()
    original = rows["http://a.com/1"]
    assert rows["http://c.com/5"].near_duplicate_of == original.id
    assert rows["http://d.com/7"].near_duplicate_of is None
    assert (sighting.mention_id, sighting.canonical_url, sighting.source) == (original.id, "http://b.com/9", "s2")
    assert original.run_id == 7


def test_rerun_stores_nothing_twice(db):
    batch = [mention("http://a.com/1", TEXT), mention("http://b.com/9", TRAD), mention("http://d.com/7", OTHER)]
    with db.transaction() as s:
        store_mentions(s, batch)
    before = counts(db)
    with db.transaction() as s:
        again = store_mentions(s, batch)
    assert again == StoreSummary(duplicates=3)
    assert counts(db) == before == (2, 1)


def test_near_duplicate_of_a_near_duplicate_points_at_the_original(db):
    with db.transaction() as s:
        store_mentions(s, [mention("http://a.com/1", TEXT), mention("http://c.com/2", "转发：" + TEXT)])
        store_mentions(s, [mention("http://e.com/3", "转发：" + TEXT + "顶")])
        rows = {r.canonical_url: r for r in s.scalars(select(MentionRow))}
    assert rows["http://e.com/3"].near_duplicate_of == rows["http://a.com/1"].id


def test_two_writers_racing_on_the_same_url(tmp_path):
    """The second writer's transaction started before the first committed: no IntegrityError."""
    url = f"sqlite:///{tmp_path}/race.db"
    first, second = Database(url), Database(url)
    first.create_schema()
    with first.transaction() as s:
        store_mentions(s, [mention("http://a.com/1", TEXT)])
    # the second writer could not see the row when it checked: simulate by inserting directly
    from storage.mentions import _insert, _values

    with second.transaction() as s:
        assert _insert(s, MentionRow, _values(mention("http://a.com/1", TEXT), None, None)) is None
        summary = store_mentions(s, [mention("http://a.com/1", TEXT), mention("http://z.com/1", TEXT)])
    assert summary == StoreSummary(duplicates=1, sightings=1)
    assert counts(second) == (1, 1)


def test_unanalysed_mentions_pages_in_id_order(db):
    with db.transaction() as s:
        store_mentions(s, [mention(f"http://a.com/{i}", f"第{i}条：" + OTHER[: 20 + i]) for i in range(5)])
        ids = [m.id for m in unanalysed_mentions(s, limit=10, after_id=0)]
        s.add(Annotation(mention_id=ids[1], model_version="t", polarity="neu", sentiment=0.0, analysed_at=NOW))
    with db.transaction() as s:
        page1 = unanalysed_mentions(s, limit=2, after_id=0)
        page2 = unanalysed_mentions(s, limit=2, after_id=page1[-1].id)
    assert [m.id for m in page1 + page2] == [ids[0], ids[2], ids[3], ids[4]]
    assert page1[0].mention.text.startswith("第0条") and page1[0].mention.published_at is None
    assert page1[0].mention.fetched_at == NOW and 0 <= page1[0].mention.simhash < 2 ** 64


@pytest.mark.postgres
def test_dedup_on_postgresql(pg_url):
    database = Database(pg_url)
    database.create_schema()
    try:
        batch = [mention("http://a.com/1", TEXT), mention("http://b.com/9", TRAD),
                 mention("http://c.com/5", "转发：" + TEXT)]
        with database.transaction() as s:
            assert store_mentions(s, batch) == StoreSummary(new=2, sightings=1, near_duplicates=1)
        with database.transaction() as s:
            assert store_mentions(s, batch) == StoreSummary(duplicates=3)
            stored = unanalysed_mentions(s, 10, 0)
        assert [m.mention.simhash for m in stored] == [batch[0].simhash, batch[2].simhash]
    finally:
        database.dispose()
