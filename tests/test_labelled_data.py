"""Our own labelled bank set (tests/data/bank_mentions_*.jsonl) keeps to its schema and label rules."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
FIELDS = ["id", "text", "channel", "sentiment", "topics", "entities", "about_watched_bank", "harm", "script"]
TOPICS = {"fees", "card_freeze", "wealth_loss", "loan_collection", "service_attitude", "queue_wait", "system_outage",
          "fraud_scam", "privacy_leak", "staff_misconduct", "branch_environment", "marketing_misselling",
          "regulatory_penalty", "deposit_safety", "other"}
CHANNELS = {"forum", "weibo", "news", "review", "complaint_platform", "offline_report"}
ENTITY_TYPES = {"bank", "branch", "product", "person", "regulator", "place"}


def load() -> list[dict]:
    rows = []
    for path in sorted(DATA.glob("bank_mentions_*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return rows


def test_at_least_600_rows_with_unique_ids():
    rows = load()
    assert len(rows) >= 600
    assert len({r["id"] for r in rows}) == len(rows)


def test_every_row_follows_the_schema_and_rules():
    for row in load():
        assert list(row) == FIELDS, row["id"]
        assert row["channel"] in CHANNELS and row["sentiment"] in {"neg", "neu", "pos"}
        assert row["harm"] in {0, 1, 2, 3} and row["script"] in {"hans", "hant"}
        assert set(row["topics"]) <= TOPICS
        assert bool(row["topics"]) == row["about_watched_bank"], row["id"]
        if not row["about_watched_bank"]:
            assert row["sentiment"] == "neu" and row["harm"] == 0, row["id"]
        for entity in row["entities"]:
            assert entity["type"] in ENTITY_TYPES and entity["text"] in row["text"], row["id"]


def test_the_hard_classes_are_all_represented():
    rows = load()
    sentiments = Counter(r["sentiment"] for r in rows)
    assert min(sentiments.values()) >= 100
    assert sum(not r["about_watched_bank"] for r in rows) >= 60
    assert Counter(r["harm"] for r in rows)[3] >= 60
    assert sum(r["script"] == "hant" for r in rows) >= 100
    topics = Counter(t for r in rows for t in r["topics"])
    assert set(topics) == TOPICS and min(topics.values()) >= 8
