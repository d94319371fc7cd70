"""The batched inference path finds exactly the features training names, and gives the same
answers as one text at a time."""
from __future__ import annotations

import json
from pathlib import Path

import jieba
import pytest

from nlp.sentiment import batch as batch_module
from nlp.sentiment import load_default_model
from nlp.sentiment.batch import BatchFeaturizer
from nlp.sentiment.features import DENSE, extract

DATA = Path(__file__).resolve().parents[1] / "data"
TRICKY = [
    "不 不好 ！好 <s> 好", "", "   ", "Hello World 不是 很好", "没有不满意，也不是不喜欢。但是！！",
    "“高效”的服务[微笑]", "不\n好", "不。好", "不 ，好", "A B C 不 D", "不不不不好", "!!! ??? 不？好",
]


def _texts() -> list[str]:
    out = list(TRICKY)
    for name in ("bank_mentions_a.jsonl", "bank_mentions_b.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            out.append(json.loads(line)["text"])
    return out


@pytest.fixture(scope="module")
def model():
    return load_default_model()


def _expected(model, tokens, score) -> set[int]:
    return {model.index[name] for name in extract(tokens, score) if name not in DENSE and name in model.index}


def test_batch_rows_are_the_named_features(model):
    texts = _texts()
    tokens = [jieba.lcut(t) for t in texts]
    scores = [model.lexicon.score(t) for t in texts]
    rows = model._batch.rows(tokens, scores)
    for i, (toks, score) in enumerate(zip(tokens, scores)):
        assert set(rows.rows[rows.text_of == i].tolist()) == _expected(model, toks, score), texts[i]
        assert rows.words[i] == sum(1 for t in toks if t.strip() and t not in "，,。.！!？?；;、~～…\n"
                                    and t not in "\"'“”‘’（）()【】[]《》<>:：/\\|_-—=+*#@&%^`")


def test_table_rebuild_keeps_answers(model, monkeypatch):
    monkeypatch.setattr(batch_module, "TABLE_LIMIT", 5)
    featurizer = BatchFeaturizer(model.index)
    texts = _texts()[:80]
    tokens = [jieba.lcut(t) for t in texts]
    scores = [model.lexicon.score(t) for t in texts]
    for i in range(0, len(texts), 7):  # many small batches: the table is rebuilt again and again
        part = featurizer.rows(tokens[i:i + 7], scores[i:i + 7])
        for j in range(len(part.words)):
            assert set(part.rows[part.text_of == j].tolist()) == _expected(model, tokens[i + j], scores[i + j])


def test_batch_answers_equal_single_answers(model):
    texts = _texts()[:120]
    items = [(t, jieba.lcut(t), ("长河银行", "长河")) for t in texts]
    together = model.predict_batch(items)
    alone = [model.predict(t, toks, targets=targets) for t, toks, targets in items]
    assert together == alone


def test_batch_logits_equal_named_logits(model):
    texts = _texts()[:60]
    tokens = [jieba.lcut(t) for t in texts]
    scores = [model.lexicon.score(t) for t in texts]
    fast = model._batch_logits(model._batch.rows(tokens, scores), scores)
    for got, toks, score in zip(fast, tokens, scores):
        assert got == pytest.approx(model.logits_of(extract(toks, score)), abs=1e-4)
