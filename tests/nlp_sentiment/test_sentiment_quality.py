"""Quality floor of the shipped model on the held-out part of our own bank set.

The held-out part (crc32(id) % 5 == 0, about 116 lines) is never trained on. By the label
convention every line not about the watched bank is neutral; the Analyzer knows relevance from
its watched entities, so the floor that matters is on about-the-bank lines and behind a
relevance gate. The whole-set floor is lower: the model alone cannot know relevance.
"""
from __future__ import annotations

import pytest

from nlp.sentiment import NEUTRAL, load_default_model
from nlp.sentiment.default_data import bank_records
from nlp.sentiment.evaluation import score_results

WATCHED = ("长河银行", "长河银航", "长河", "长行")


@pytest.fixture(scope="module")
def held_out():
    rows = list(bank_records(held_out=True))
    assert len(rows) >= 100, "the bank set's held-out part is missing (tests/data/bank_mentions_*.jsonl)"
    model = load_default_model()
    return rows, [model.predict(r["text"], targets=WATCHED) for r in rows]


def test_about_the_bank_lines_macro_f1(held_out):
    rows, results = held_out
    about = [(r["sentiment"], res) for r, res in zip(rows, results) if r["about_watched_bank"]]
    report = score_results([g for g, _ in about], [res for _, res in about])
    assert report.macro_f1 >= 0.80, report
    assert report.binary_accuracy >= 0.88, report


def test_behind_a_relevance_gate_macro_f1(held_out):
    rows, results = held_out
    gated = [res if r["about_watched_bank"] else NEUTRAL for r, res in zip(rows, results)]
    report = score_results([r["sentiment"] for r in rows], gated)
    assert report.macro_f1 >= 0.80, report


def test_all_lines_floor(held_out):
    rows, results = held_out
    report = score_results([r["sentiment"] for r in rows], results)
    assert report.macro_f1 >= 0.70, report
