"""The shipped model through the interface the Analyzer uses."""
from __future__ import annotations

import math

import jieba
import pytest

from nlp.sentiment import SentimentResult, load_default_model, load_model, train


@pytest.fixture(scope="module")
def model():
    return load_default_model()


def predict(model, text, **kw):
    return model.predict(text, jieba.lcut(text), **kw)


def test_load_default_model_is_cached(model):
    assert load_default_model() is model


@pytest.mark.parametrize("text, polarity", [
    ("我今天很不高兴", "neg"),
    ("柜员服务一点也不方便", "neg"),
    ("说实话，我不是不满意，只是希望再快一点", "pos"),
    ("柜员非常耐心，给她点赞", "pos"),
    ("银行把我当韭菜割，理财暴雷了", "neg"),
])
def test_polarity_of_clear_cases(model, text, polarity):
    assert predict(model, text).polarity == polarity


def test_result_shape(model):
    result = predict(model, "客服态度恶劣，投诉无门")
    assert isinstance(result, SentimentResult)
    assert result.polarity in ("neg", "neu", "pos")
    assert -1.0 <= result.score <= 1.0
    assert result.score < 0
    assert "态度恶劣" in result.drivers


def test_drivers_keep_the_negation(model):
    result = predict(model, "这次办业务我很不满意")
    assert any(d.startswith("不满") for d in result.drivers)
    assert "满意" not in result.drivers


def test_degree_makes_the_score_stronger(model):
    assert predict(model, "我对服务非常满意").score > predict(model, "我对服务有点满意").score


def test_contrast_later_clause_wins(model):
    assert predict(model, "服务态度不错，但是取不出钱，太坑了").polarity == "neg"


def test_sarcasm_is_negative(model):
    assert predict(model, "长河银行真“高效”，排队四个小时🙃").score < 0


def test_comparison_read_from_the_watched_side(model):
    text = "招行的APP比长河银行的好用多了"
    assert predict(model, text, targets=("长河银行", "长河")).score < 0


def test_traditional_text_is_read_like_simplified(model):
    trad = model.predict("這家銀行的服務態度很差，我很不滿意")
    simp = model.predict("这家银行的服务态度很差，我很不满意")
    assert trad.polarity == simp.polarity == "neg"
    assert math.isclose(trad.score, simp.score, abs_tol=0.05)


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02", "\ud800lone surrogate", "!!!???...",
                                  "a" * 200_000, "🙂" * 5000 + "不满意" * 3000, None, 12345])
def test_bad_input_does_not_raise(model, text):
    result = model.predict(text, None)
    assert result.polarity in ("neg", "neu", "pos")
    assert -1.0 <= result.score <= 1.0


def test_empty_and_garbage_are_neutral(model):
    for text in ("", "   ", "\x00\x01", None):
        assert model.predict(text, []) == SentimentResult("neu", 0.0, ())


def test_predict_many_matches_predict(model):
    texts = ["非常满意", "太差了", "明天九点开门"]
    pairs = [(t, jieba.lcut(t)) for t in texts]
    assert model.predict_many(pairs) == [model.predict(t, k) for t, k in pairs]


def test_tiny_corpus_train_save_load_round_trip(tmp_path):
    corpus = [("服务很好", "pos"), ("态度很差", "neg"), ("明天开会", "neu"), ("非常满意", "pos"),
              ("太慢了", "neg"), ("请问几点开门", "neu")] * 4
    trained = train(corpus, min_df=1, lexicon_prior=1.0)
    assert set(trained.classes) == {"neg", "neu", "pos"}
    assert trained.predict("服务很好").polarity == "pos"
    assert trained.predict("态度很差").polarity == "neg"
    folder = trained.save(tmp_path / "m")
    assert sorted(p.name for p in folder.iterdir()) == ["model.json", "weights.npz"]
    loaded = load_model(folder)
    for text in ("服务很好", "态度很差", "请问几点开门", "完全没见过的句子"):
        a, b = trained.predict(text), loaded.predict(text)
        assert a.polarity == b.polarity and math.isclose(a.score, b.score, abs_tol=2e-3)


def test_binary_corpus_gives_a_two_class_model():
    trained = train([("好评", "pos"), ("差评", "neg")] * 5, min_df=1, lexicon_prior=0.0)
    assert trained.classes == ("neg", "pos")
    assert trained.predict("好评").polarity == "pos"


def test_model_env_var_selects_another_folder(tmp_path, monkeypatch):
    from nlp.sentiment import model as model_module

    trained = train([("好评", "pos"), ("差评", "neg")] * 5, min_df=1, lexicon_prior=0.0, meta={"version": "env-test"})
    trained.save(tmp_path / "env")
    monkeypatch.setenv("MONITOR_SENTIMENT_MODEL", str(tmp_path / "env"))
    assert model_module.load_default_model().version == "env-test"


def test_lexicon_dropout_teaches_the_words_beside_the_lexicon():
    # Every training text carries a lexicon word; the made-up tokens 甲乙 / 丙丁 come along.
    corpus = [("非常满意 甲乙", "pos"), ("很不满意 丙丁", "neg"), ("开会 通知", "neu")] * 6
    from nlp.sentiment.training import featurize, fit

    rows, labels, weights, _ = featurize(corpus, tokenizer=str.split)
    with_dropout = fit(rows, labels, weights, min_df=1, c=4.0)
    without = fit(rows, labels, weights, min_df=1, c=4.0, lexicon_dropout=False)
    assert with_dropout.meta["lexicon_dropout"] and with_dropout.meta["rows"] == len(rows)

    def push(model, word):
        return float(model._direction[model.index[word]])

    assert push(with_dropout, "甲乙") > push(without, "甲乙") > 0
    assert push(with_dropout, "丙丁") < push(without, "丙丁") < 0


def test_base_default_uses_the_shipped_models_settings(monkeypatch):
    from nlp.sentiment import default_data
    from nlp.sentiment.training import DEFAULT_MATERIAL_C, DEFAULT_MATERIAL_PRIOR

    # a stand-in for the shipped material, so the test needs no 100,000-row fit
    monkeypatch.setattr(default_data, "default_records",
                        lambda: iter([("服务很好", "pos", 1.0), ("态度很差", "neg", 1.0), ("明天开会", "neu", 1.0)] * 3))
    trained = train([("取不出钱", "neg"), ("点赞", "pos")] * 3, base="default", min_df=1)
    assert trained.meta["c"] == DEFAULT_MATERIAL_C and trained.meta["lexicon_prior"] == DEFAULT_MATERIAL_PRIOR
    chosen = train([("服务很好", "pos"), ("态度很差", "neg"), ("明天开会", "neu")] * 6, base="empty", min_df=1)
    from nlp.sentiment.training import C_GRID, PRIOR_GRID

    assert chosen.meta["c"] in C_GRID and chosen.meta["lexicon_prior"] in PRIOR_GRID
