"""The snownlp Bayes baseline fed with jieba tokens, and the shipped model's files."""
from __future__ import annotations

import json

from nlp.sentiment.baseline import BayesBaseline
from nlp.sentiment.model import DEFAULT_MODEL_DIR, MODEL_FILE, WEIGHTS_FILE


def test_bayes_baseline_learns_from_jieba_tokens():
    corpus = [("服务很好，非常满意", "pos"), ("态度很差，非常失望", "neg"), ("柜员热情周到", "pos"),
              ("排队太久，效率低", "neg")] * 3
    model = BayesBaseline().train(corpus)
    assert model.predict("服务热情周到").polarity == "pos"
    assert model.predict("效率低，很失望").polarity == "neg"
    assert model.predict("").polarity == "neu"


def test_shipped_model_files_are_small_and_plain():
    model_json = DEFAULT_MODEL_DIR / MODEL_FILE
    weights = DEFAULT_MODEL_DIR / WEIGHTS_FILE
    # the word model is about 2 MB, the character view (pruned, float16) under 3 MB more
    assert model_json.stat().st_size + weights.stat().st_size < 5_000_000
    meta = json.loads(model_json.read_text(encoding="utf-8"))
    assert meta["classes"] == ["neg", "neu", "pos"]
    assert meta["meta"]["version"].startswith("sentiment-linear-lex")
    assert meta["meta"]["lexicon_prior"] > 0
    assert 0 < meta["meta"]["char_mix"] < 1
