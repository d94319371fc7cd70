"""The analyse stage on a real SQLite database: batches, reruns, crash safety."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from stages.analyse import analyse_pending
from storage.annotations import count_pending, get_annotation, pending_mentions, save_annotations
from storage.models import Annotation, Mention

from tests.nlp.nlp_shared import analyzer

NOW = datetime(2026, 3, 14, 9, 0, tzinfo=timezone.utc)
TEXTS = ["长河银行光谷支行排队两小时", "历史长河", "長河銀行的年費太貴", "长河如意贷催收爆通讯录", "天气不错"]


def _add_mentions(db, texts, channel="forum"):
    with db.transaction() as s:
        for i, text in enumerate(texts):
            n = hash((text, i, channel)) & 0xFFFF
            s.add(Mention(source="s", channel=channel, url=f"http://x/{channel}/{i}/{n}",
                          canonical_url=f"http://x/{channel}/{i}/{n}", fingerprint=f"{channel}{i}{n}", simhash=n,
                          band0=0, band1=0, band2=0, band3=0, title=None, text=text, fetched_at=NOW))


def _count(db):
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(Annotation))


def test_analyses_pending_in_batches_and_reruns_do_nothing(db):
    _add_mentions(db, TEXTS)
    seen = []
    summary = analyse_pending(None, db, now=NOW, batch_size=2, analyzer=analyzer(),
                              progress=lambda done, total: seen.append((done, total)))
    assert (summary.analysed, summary.batches, summary.pending_before) == (5, 3, 5)
    assert summary.about_bank == 3
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert _count(db) == 5 and count_pending(db) == 0
    again = analyse_pending(None, db, now=NOW, analyzer=analyzer())
    assert again.analysed == 0 and _count(db) == 5


def test_stored_annotation_round_trips(db):
    _add_mentions(db, TEXTS[:1])
    analyse_pending(None, db, now=NOW, analyzer=analyzer())
    with db.transaction() as s:
        mention_id = s.scalar(select(Mention.id))
        row = s.get(Annotation, mention_id)
        assert row.analysed_at == NOW and row.scored_at is None
        assert row.entities[0] == {"text": "长河银行光谷支行", "type": "branch", "canonical": "长河银行武汉光谷支行",
                                   "city": "武汉", "province": "湖北省"}
    stored = get_annotation(db, mention_id)
    assert stored.watched == ("长河银行", "长河银行武汉光谷支行") and stored.topics == ("queue_wait",)


def test_offline_channel_mentions_are_about_the_bank(db):
    _add_mentions(db, ["网点反馈：大厅空调坏了，客户抱怨闷热"], channel="offline")
    analyse_pending(None, db, now=NOW, analyzer=analyzer())
    with db.transaction() as s:
        assert s.scalars(select(Annotation)).one().watched == ["长河银行"]


class _Exploding:
    """Delegates to the real analyzer, but fails on the second batch (a crash mid-run)."""

    def __init__(self, real):
        self.real, self.calls, self.model_version = real, 0, real.model_version

    def analyze_many(self, items):
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("boom")
        return self.real.analyze_many(items)


def test_crash_keeps_finished_batches_and_rerun_completes(db):
    _add_mentions(db, TEXTS)
    with pytest.raises(RuntimeError):
        analyse_pending(None, db, now=NOW, batch_size=2, analyzer=_Exploding(analyzer()))
    assert _count(db) == 2 and count_pending(db) == 3
    assert analyse_pending(None, db, now=NOW, batch_size=2, analyzer=analyzer()).analysed == 3
    assert count_pending(db) == 0


def test_saving_again_updates_and_clears_scored_at(db):
    _add_mentions(db, TEXTS[:1])
    (pending,) = pending_mentions(db, limit=10)
    ann = analyzer().analyze(pending.text)
    save_annotations(db, [(pending.id, ann)], analysed_at=NOW)
    with db.transaction() as s:
        s.get(Annotation, pending.id).scored_at = NOW
    save_annotations(db, [(pending.id, ann)], analysed_at=NOW)
    with db.transaction() as s:
        assert s.get(Annotation, pending.id).scored_at is None
    assert _count(db) == 1
